"""The query log (查询日志, 001 art. 21): one row for every read of identifiable data by anyone
but the person themself. Append-only, outside the audit chain's lock (a read never waits behind
a batch unit holding it); ``querylog.seal`` puts the new rows into the chain by one event
carrying the Merkle root of their digests."""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import digest_field

OBJECT_TYPE = "query_log"
FIELDS = (
    "time",
    "actor",
    "source",
    "request_id",
    "person_id",
    "items",
    "purpose",
    "basis",
    "result",
)


class Result(models.TextChoices):
    SHOWN = "shown", "shown"  # every item asked for
    PARTIAL = "partial", "partial"  # some items withheld by the policy
    REFUSED = "refused", "refused"  # nothing shown: no basis to read this record


@append_only
class QueryLogEntry(models.Model):
    time = models.DateTimeField()
    actor = models.CharField(max_length=150)
    source = models.CharField(max_length=8)
    request_id = models.CharField(max_length=64)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    items = models.CharField(max_length=300)  # the parts shown, comma-separated
    purpose = models.CharField(max_length=200)
    # A statutory batch (annual statements, reports) reads under a declared basis.
    basis = models.CharField(max_length=200, blank=True, default="")
    result = models.CharField(max_length=8, choices=Result.choices)
    row_digest = digest_field()

    class Meta:
        indexes = [models.Index(fields=["person", "time"])]

    def __str__(self) -> str:
        return f"query {self.pk} by {self.actor}"
