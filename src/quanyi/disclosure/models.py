"""Disclosure (信息提供): what approved cases let outside accounts see of a person's record,
and the lookups that count against each reader's limit (001 art. 14-22)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked


class PermitKind(models.TextChoices):
    REQUEST = "request", "查询申请"  # a government body, court or other unit (disclosure.request)
    DELEGATE = "delegate", "委托查询"  # a person's written authorisation (disclosure.delegate)


@append_only
@tracked(
    "disclosure_permit",
    (
        "kind",
        "case_id",
        "user_id",
        "person_id",
        "items",
        "from_month",
        "to_month",
        "valid_until",
        "requester",
        "purpose",
        "legal_basis",
        "document_sha256",
    ),
)
class Permit(models.Model):
    """What one approved case lets one outside account read of one person's record: the items
    it names, the months it covers (blank: all) and until which day. A permit is never edited:
    it lapses on its day."""

    kind = models.CharField(max_length=8, choices=PermitKind.choices)
    case_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    items = models.CharField(max_length=300)  # record items, comma-separated
    from_month = models.CharField(max_length=7, blank=True, default="")
    to_month = models.CharField(max_length=7, blank=True, default="")
    valid_until = models.DateField()
    requester = models.CharField(max_length=200)  # the organisation, or the delegate's name
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300, blank=True, default="")
    document_sha256 = models.CharField(max_length=64)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "person"], name="permit_user_person_idx")]

    def __str__(self) -> str:
        return f"{self.kind} permit {self.pk} (case {self.case_id})"

    @property
    def item_set(self) -> frozenset[str]:
        return frozenset(i for i in self.items.split(",") if i)


class Lookup(models.Model):
    """One look-up of an id number (found or not) by one reader: its blind index, never the
    number. Counted against the reader's limit (001 art. 22); not record data, pruned freely."""

    actor = models.CharField(max_length=150)
    key = models.CharField(max_length=64)  # the id number's blind index, hex
    time = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["actor", "time"], name="lookup_actor_time_idx")]

    def __str__(self) -> str:
        return f"lookup by {self.actor}"


@append_only
@tracked("disclosure_export", ("case_id", "actor", "persons", "file_sha256"))
class ExportRun(models.Model):
    """The one run of an approved ``disclosure.export`` case: who wrote the file, how many
    persons it holds and its SHA-256 (001 art. 22: identifiable data in bulk leaves only so)."""

    case_id = models.BigIntegerField(unique=True)
    actor = models.CharField(max_length=150)
    persons = models.IntegerField()
    file_sha256 = models.CharField(max_length=64)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"export of case {self.case_id}"
