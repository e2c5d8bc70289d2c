"""The effective-dated parameter table (REFERENCE.md): append-only; a value changes only by an
approved ``parameter.change`` case that adds a row with a new start date."""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked


@append_only
@tracked("parameter", ("key", "region", "valid_from", "value", "source", "note", "case_id"))
class Parameter(models.Model):
    key = models.CharField(max_length=60)
    region = models.CharField(max_length=6)  # 000000: the national default
    valid_from = models.DateField()
    value = models.CharField(max_length=40)  # rates as decimal text, money as integer fen
    source = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True, default="")
    case_id = models.BigIntegerField(null=True, blank=True)  # the parameter.change case
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "region", "valid_from"], name="one_value_per_key_region_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.region} from {self.valid_from}: {self.value}"
