"""Statements (权益记录单) and certificates (参保证明) as issued: what was printed for whom, the
digests its signature covers, where it was mailed and whether it came back (000 §3; 001
art. 15; 003 §4 (二)). A document is never edited: a return is a row of its own."""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked


class DocumentKind(models.TextChoices):
    EMPLOYEE = "employee", "城镇职工权益记录单"
    RESIDENT = "resident", "城乡居民权益记录单"
    CERTIFICATE = "certificate", "参保证明"


@append_only
@tracked(
    "statement",
    (
        "code",
        "kind",
        "person_id",
        "period_from",
        "period_to",
        "issued_on",
        "printed_sha256",
        "facts_sha256",
        "recipient",
        "postcode",
        "batch",
        "page",
    ),
)
class Issued(models.Model):
    """One statement or certificate as issued: ``printed_sha256`` is the digest of its printed
    text, ``facts_sha256`` that of the record's facts for its period (what a later correction
    changes); both are in its signed code. ``recipient`` says who it went to: ``person`` or
    ``guardian`` (a minor's statement, 000 §3), or ``counter``/``portal`` for one handed out."""

    code = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    period_from = models.CharField(max_length=7)
    period_to = models.CharField(max_length=7)
    issued_on = models.DateField()
    printed_sha256 = models.CharField(max_length=64)
    facts_sha256 = models.CharField(max_length=64)
    recipient = models.CharField(max_length=10)
    postcode = models.CharField(max_length=6, blank=True, default="")
    batch = models.CharField(max_length=40, blank=True, default="")
    page = models.IntegerField(default=0)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "kind", "period_from"], name="issued_person_idx"),
        ]

    def __str__(self) -> str:
        return self.code


@append_only
@tracked("statement_return", ("issued_id", "returned_on", "reason"))
class Returned(models.Model):
    """A mailed statement that came back undelivered (退信)."""

    issued = models.ForeignKey(Issued, on_delete=models.PROTECT, related_name="returns")
    returned_on = models.DateField()
    reason = models.CharField(max_length=200)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"return of {self.issued_id}"


@tracked("mailing_address", ("person_id", "address", "postcode"))
class MailingAddress(models.Model):
    """Where a person's statement is mailed (通讯地址), kept for delivery only."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, related_name="mailing_address"
    )
    address = models.CharField(max_length=200)
    postcode = models.CharField(max_length=6)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"address of {self.person_id}"
