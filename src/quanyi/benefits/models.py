"""Benefits (待遇): what was granted, what changed it, what was paid and who was verified —
four append-only ledgers. A grant's state in a month (its amount, suspended or ended) is read
from them, never kept beside them, so there is no projection to go stale."""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked


class Kind(models.TextChoices):
    """Benefit kinds by insurance (004 part 4)."""

    PENSION = "pension", "基本养老金"
    UNEMPLOYMENT = "unemployment", "失业保险金"
    FARMER_ONE_OFF = "farmer_once", "农民合同制工人一次性生活补助"
    INJURY_ALLOWANCE = "injury_allow", "伤残津贴"
    INJURY_MEDICAL = "injury_med", "工伤医疗费"
    MEDICAL = "medical", "医疗费用结算"
    MATERNITY = "maternity", "生育津贴"
    FUNERAL = "funeral", "丧葬补助金"
    SURVIVOR = "survivor", "一次性抚恤金"
    ACCOUNT_HEIRS = "heirs", "个人账户余额继承"


# Kinds paid once (in the first payment run after approval), not month by month.
ONE_OFF = frozenset(
    {
        Kind.FARMER_ONE_OFF,
        Kind.INJURY_MEDICAL,
        Kind.MEDICAL,
        Kind.MATERNITY,
        Kind.FUNERAL,
        Kind.SURVIVOR,
        Kind.ACCOUNT_HEIRS,
    }
)


@append_only
@tracked(
    "benefit_grant",
    (
        "person_id",
        "kind",
        "insurance",
        "start_month",
        "end_month",
        "basic_fen",
        "account_fen",
        "transitional_fen",
        "monthly_fen",
        "case_id",
        "explained",
    ),
)
class Grant(models.Model):
    """待遇核定: an approved entitlement (monthly from ``start_month`` to ``end_month``
    inclusive, open when blank) or a one-off settlement (``monthly_fen`` is its amount).
    ``explained`` is the decision's canonical JSON: every input, rule version and formula."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    insurance = models.CharField(max_length=20)
    start_month = models.CharField(max_length=7)
    end_month = models.CharField(max_length=7, blank=True, default="")
    basic_fen = models.BigIntegerField(default=0)
    account_fen = models.BigIntegerField(default=0)
    transitional_fen = models.BigIntegerField(default=0)
    monthly_fen = models.BigIntegerField()
    case_id = models.BigIntegerField(null=True)
    explained = models.TextField(default="{}")
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["person", "kind"], name="grant_person_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} from {self.start_month}"


class Action(models.TextChoices):
    ADJUST = "adjust", "待遇调整"
    SUSPEND = "suspend", "暂停发放"
    RESUME = "resume", "恢复发放"
    END = "end", "终止发放"


class Reason(models.TextChoices):
    """Why payment is suspended or ended; ``BACK_PAID`` says which suspensions are paid
    for afterwards when resumed."""

    UNVERIFIED = "unverified", "未按期完成待遇资格认证"
    LOST_CONTACT = "lost_contact", "失联"
    IMPRISONED = "imprisoned", "服刑"
    FRAUD = "fraud", "骗取待遇"
    OTHER = "other", "其他"
    VERIFIED = "verified", "已完成资格认证"
    FOUND = "found", "恢复联系"
    RELEASED = "released", "刑满释放"
    DEATH = "death", "死亡"
    EXHAUSTED = "exhausted", "领取期限届满"
    ADJUSTMENT = "adjustment", "年度调整"


BACK_PAID = frozenset({Reason.UNVERIFIED, Reason.LOST_CONTACT, Reason.OTHER})


@append_only
@tracked("benefit_change", ("grant_id", "kind", "month", "amount_fen", "reason", "case_id"))
class GrantChange(models.Model):
    """待遇变更 from ``month`` on: an adjustment adds ``amount_fen`` to the monthly amount;
    a suspension stops payment, a resumption restarts it, an end stops it for good."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=8, choices=Action.choices)
    month = models.CharField(max_length=7)
    amount_fen = models.BigIntegerField(default=0)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["grant", "month"], name="grant_change_month_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.grant_id} from {self.month}"


class PaymentKind(models.TextChoices):
    MONTHLY = "monthly", "按月发放"
    ONE_OFF = "once", "一次性支付"
    RECOVERY = "recovery", "追回多发"


@append_only
@tracked(
    "benefit_payment",
    ("grant_id", "person_id", "month", "paid_in", "kind", "amount_fen", "account_fen"),
)
class Payment(models.Model):
    """One payment of a grant for one benefit ``month``, made by the run of month
    ``paid_in`` (later than ``month`` for arrears). ``account_fen`` is the part taken from the
    personal account; a recovery is negative."""

    # References checked once per unit by the writer, not by a trigger per row, and no index of
    # their own for the grant: the unique constraint leads with it (decision 0019).
    grant = models.ForeignKey(
        Grant,
        on_delete=models.PROTECT,
        related_name="payments",
        db_constraint=False,
        db_index=False,
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    month = models.CharField(max_length=7)
    paid_in = models.CharField(max_length=7)
    kind = models.CharField(max_length=8, choices=PaymentKind.choices)
    amount_fen = models.BigIntegerField()
    account_fen = models.BigIntegerField(default=0)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "month", "kind"], name="one_payment_per_grant_month"
            )
        ]
        indexes = [models.Index(fields=["paid_in"], name="benefit_payment_run_idx")]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.month}: {self.amount_fen}"


class Channel(models.TextChoices):
    COUNTER = "counter", "窗口"
    HOME = "home", "上门"
    ONLINE = "online", "网上（人脸识别）"
    DATA = "data", "数据比对"


class Result(models.TextChoices):
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过"


@append_only
@tracked("benefit_verification", ("person_id", "verified_on", "channel", "result", "by", "note"))
class Verification(models.Model):
    """领取待遇资格认证: one check that a beneficiary is alive and entitled — when, how,
    with what result and by whom."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    verified_on = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    result = models.CharField(max_length=8, choices=Result.choices)
    by = models.CharField(max_length=150)
    note = models.CharField(max_length=200, blank=True, default="")
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["person", "verified_on"], name="verification_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.verified_on} {self.result}"
