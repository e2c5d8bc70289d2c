"""The pension personal account (个人账户): an append-only ledger of entries, and projections
(balances by year, contribution months) that ``quanyi accounts rebuild`` recomputes."""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked


class EntryKind(models.TextChoices):
    CREDIT = "credit", "记账"
    INTEREST = "interest", "利息"
    LATE_INTEREST = "late_int", "补记利息"
    TRANSFER_IN = "xfer_in", "转入"
    TRANSFER_OUT = "xfer_out", "转出"
    WITHDRAWAL = "withdraw", "支取"
    RECOVERED = "recover", "追回支取"  # a withdrawal for a month paid in error, put back
    REVERSAL = "reversal", "冲正"


@append_only
@tracked("entry", ("person_id", "year", "month", "kind", "amount_fen", "line_id"))
class Entry(models.Model):
    """``year`` is the account year the entry belongs to (a late credit belongs to the year it
    is paid); ``month`` the contribution month it came from, if any."""

    # The person is checked once per unit by the writer, not by a trigger per row, and has no
    # index of its own: ``entry_person_year_idx`` leads with it (decision 0019).
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    year = models.IntegerField()
    month = models.CharField(max_length=7, blank=True, default="")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField()
    line_id = models.BigIntegerField(null=True)  # the contribution line it came from
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["person", "year"], name="entry_person_year_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_fen} ({self.year})"


@append_only
@tracked("interest_year", ("year", "region", "rate", "method", "persons", "interest_fen"))
class InterestYear(models.Model):
    """A year whose interest is credited: the year is closed (sealed) from then on."""

    year = models.IntegerField()
    region = models.CharField(max_length=6)
    rate = models.CharField(max_length=12)
    method = models.CharField(max_length=8)
    persons = models.IntegerField()
    interest_fen = models.BigIntegerField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="interest_once_per_year")
        ]

    def __str__(self) -> str:
        return f"interest {self.year}"


class YearBalance(models.Model):
    """Projection: a person's account for one year (opening, credited, interest, closing).
    Every payment run updates the year's row of most pensioners: on PostgreSQL its pages are
    left 30 % free (migration 0005) so the new version fits on the same page and the update
    touches no index (a heap-only tuple), which halved the run's update in
    ``bench/benefit_pay.py``."""

    # No index of its own: ``one_balance_per_year`` leads with it.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.IntegerField()
    opening_fen = models.BigIntegerField()
    credited_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField()
    closing_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_balance_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year}: {self.closing_fen}"


class PaidMonths(models.Model):
    """Projection: contribution months per person and insurance (paid months only)."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    insurance = models.CharField(max_length=20)
    months = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "insurance"], name="one_count_per_insurance")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.insurance}: {self.months}"
