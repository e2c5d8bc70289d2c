"""Contribution facts (004 part 5): declared bases, monthly bills and their lines, payments.

Declarations, lines and payments are append-only ledgers; a bill's paid total and status move
as payments arrive, so a bill is a tracked row. A month is posted once (``PostedMonth``).
"""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked

# Text is refused past its column's length, never cut (DESIGN.md invariant 8): the checks
# that take it in read these.
BANK_REF_MAX = 64
REASON_MAX = 200


class Clamped(models.TextChoices):
    """Whether a declared wage was raised to the lower bound or cut to the upper one."""

    NO = "", "未调整"
    LOWER = "lower", "按下限"
    UPPER = "upper", "按上限"


class BillKind(models.TextChoices):
    MONTHLY = "monthly", "月报"
    LEGACY = "legacy", "历史导入"
    BACKPAY = "backpay", "补缴"
    CORRECTION = "correct", "更正"


class LineKind(models.TextChoices):
    DUE = "due", "应缴"
    BACKPAY = "backpay", "补缴"
    # A ``record.correct`` case: the line it reverses, with every amount negated, in the
    # reversed line's own bill; and the line as it should have been, in a bill of its own.
    REVERSAL = "reversal", "冲正"
    CORRECTION = "correct", "更正"


class PaymentChannel(models.TextChoices):
    BANK = "bank", "银行"
    COUNTER = "counter", "柜面"
    # Money a correction moves with the line it corrects, from the reversed line's bill to
    # the corrected line's (or a payment recorded wrongly, taken back): never cash.
    CORRECTION = "correct", "更正调账"


@append_only
@tracked(
    "declaration",
    ("person_id", "employer_id", "valid_from", "wage_fen", "base_fen", "clamped", "case_id"),
)
class Declaration(models.Model):
    """A person's contribution base with one employer from a month on (缴费基数申报)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("registry.Employer", on_delete=models.PROTECT, related_name="+")
    valid_from = models.CharField(max_length=7)
    wage_fen = models.BigIntegerField()  # last year's average monthly wage, as declared
    base_fen = models.BigIntegerField()  # clamped to the region's bounds
    clamped = models.CharField(max_length=5, blank=True, default="", choices=Clamped.choices)
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer", "valid_from"], name="one_declaration_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"declaration {self.person_id}/{self.employer_id} {self.valid_from}"


class BillStatus(models.TextChoices):
    OWED = "owed", "欠缴"
    PARTIAL = "partial", "部分缴纳"
    PAID = "paid", "已缴"


@tracked("bill", ("employer_id", "month", "kind", "due_fen", "paid_fen", "lines", "status"))
class Bill(models.Model):
    """One employer's contributions for one month (月报): the sum of its lines. ``monthly``
    bills are posted once per employer and month; ``legacy`` ones come from an import."""

    employer = models.ForeignKey("registry.Employer", on_delete=models.PROTECT, related_name="+")
    month = models.CharField(max_length=7, db_index=True)
    kind = models.CharField(max_length=8, default=BillKind.MONTHLY, choices=BillKind.choices)
    due_fen = models.BigIntegerField()
    paid_fen = models.BigIntegerField(default=0)
    lines = models.IntegerField()
    status = models.CharField(max_length=7, choices=BillStatus.choices, default=BillStatus.OWED)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "month"],
                condition=models.Q(kind=BillKind.MONTHLY),
                name="one_bill_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"bill {self.pk} {self.month}"


@append_only
@tracked(
    "line",
    (
        "bill_id",
        "person_id",
        "insurance",
        "month",
        "base_fen",
        "employer_fen",
        "employee_fen",
        "account_fen",
        "kind",
    ),
)
class Line(models.Model):
    """One person's contribution to one insurance for one month (both shares).

    The table takes millions of rows a month, so its references are checked once per unit of
    work by one anti-join (``bulk.check_references``) instead of a trigger per row, and it
    carries only the indexes its readers use (decision 0007)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # line_person_month_idx leads with the person
    )
    insurance = models.CharField(max_length=20)
    month = models.CharField(max_length=7)
    base_fen = models.BigIntegerField()
    employer_fen = models.BigIntegerField()
    employee_fen = models.BigIntegerField()
    account_fen = models.BigIntegerField()  # the pension personal-account share
    kind = models.CharField(max_length=8, default=LineKind.DUE, choices=LineKind.choices)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "month"], name="line_person_month_idx"),
        ]

    def __str__(self) -> str:
        return f"line {self.person_id} {self.insurance} {self.month}"


@append_only
@tracked("payment", ("bill_id", "amount_fen", "paid_on", "bank_ref", "channel"))
class Payment(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    paid_on = models.DateField()
    bank_ref = models.CharField(max_length=BANK_REF_MAX, unique=True)
    channel = models.CharField(
        max_length=8, default=PaymentChannel.BANK, choices=PaymentChannel.choices
    )
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"payment {self.bank_ref}"


@append_only
@tracked("posted_month", ("month", "region", "bills", "lines"))
class PostedMonth(models.Model):
    """A month whose bills are all posted: posting it again is refused."""

    month = models.CharField(max_length=7)
    region = models.CharField(max_length=6)
    bills = models.IntegerField()
    lines = models.BigIntegerField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="one_posting_per_month")
        ]

    def __str__(self) -> str:
        return f"posted {self.month}"


@append_only
@tracked("refund", ("bill_id", "amount_fen", "refunded_on", "reason", "case_id"))
class Refund(models.Model):
    """Money returned to an employer that paid a bill twice or too much (退费), decided by a
    ``contribution.refund`` case; it lowers the bill's paid total by as much."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    refunded_on = models.DateField()
    reason = models.CharField(max_length=REASON_MAX)
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"refund {self.pk} of bill {self.bill_id}"


@append_only
@tracked(
    "line_correction",
    ("person_id", "case_id", "old_line_id", "reversal_line_id", "new_line_id", "paid_on"),
)
class LineCorrection(models.Model):
    """One line corrected by a ``record.correct`` case (003 §5): the line it reverses, the
    reversing line and the line as it should have been. ``paid_on``: the day the corrected
    line was paid, where the correction says so (a payment recorded wrongly)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(null=True)
    old_line_id = models.BigIntegerField(unique=True)  # a line is reversed once
    reversal_line_id = models.BigIntegerField()
    new_line_id = models.BigIntegerField()
    paid_on = models.DateField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"line {self.old_line_id} corrected by line {self.new_line_id}"
