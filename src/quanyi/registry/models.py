"""Registration (登记) of employers, persons and their insurance relations (001 art. 2 (1)).

Rows change only through ``registry.services``; each row's ``audit_seq`` names the audit event
that wrote its current content, and ``quanyi audit verify`` checks the two agree.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked
from quanyi.core.fields import SealedText


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "注销"


class Category(models.TextChoices):
    EMPLOYEE = "employee", "职工"
    RESIDENT = "resident", "城乡居民"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    CANCELLED = "cancelled", "注销"


class Insurance(models.TextChoices):
    PENSION = "pension", "养老"
    MEDICAL = "medical", "医疗"
    UNEMPLOYMENT = "unemployment", "失业"
    INJURY = "injury", "工伤"
    MATERNITY = "maternity", "生育"
    RESIDENT_PENSION = "resident_pension", "城乡居民养老"
    RESIDENT_MEDICAL = "resident_medical", "城乡居民医疗"


EMPLOYEE_INSURANCES = frozenset({"pension", "medical", "unemployment", "injury", "maternity"})
RESIDENT_INSURANCES = frozenset({"resident_pension", "resident_medical"})


@tracked(
    "employer",
    (
        "uscc",
        "name",
        "region",
        "address",
        "injury_class",
        "status",
        "agency_region",
        "cancelled_on",
    ),
)
class Employer(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=200)
    region = models.CharField("所在行政区划", max_length=6)
    address = models.CharField("地址", max_length=300, blank=True, default="")
    injury_class = models.PositiveSmallIntegerField("工伤行业风险类别")
    status = models.CharField(
        "状态", max_length=10, choices=EmployerStatus.choices, default=EmployerStatus.ACTIVE
    )
    agency_region = models.CharField("经办统筹区", max_length=6, db_index=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(injury_class__gte=1, injury_class__lte=8),
                name="employer_injury_class_1_8",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"


@tracked(
    "person",
    (
        "id_number",
        "name",
        "sex",
        "birth_date",
        "phone",
        "hukou_region",
        "residence_region",
        "category",
        "guardian_id",
        "deceased_date",
        "status",
        "agency_region",
    ),
)
class Person(models.Model):
    # Sealed at rest, found by the blind index column ``id_number_index`` (DESIGN.md inv. 9).
    id_number = SealedText("公民身份号码", purpose="id_number", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=100)
    # Derived from the id number by the service, never typed (REFERENCE.md, Identifiers).
    sex = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    birth_date = models.DateField("出生日期")
    phone = SealedText("联系电话", purpose="phone", max_length=11, blank=True, default="")
    hukou_region = models.CharField("户口所在地", max_length=6)
    residence_region = models.CharField("常住所在地", max_length=6)
    category = models.CharField("人员类别", max_length=10, choices=Category.choices)
    guardian = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wards",
        verbose_name="监护人",
    )
    deceased_date = models.DateField("死亡日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    agency_region = models.CharField("经办统筹区", max_length=6, db_index=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return self.name


@tracked("relation", ("person_id", "employer_id", "insurance", "start_month", "end_month"))
class InsuranceRelation(models.Model):
    """A person insured in one insurance (with one employer for the employee insurances) from
    ``start_month`` to ``end_month`` inclusive; an open relation has no end month."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relations")
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relations",
        db_index=False,  # relation_employer_cover_idx leads with the employer
    )
    insurance = models.CharField("险种", max_length=20, choices=Insurance.choices)
    start_month = models.CharField("开始年月", max_length=7)
    # NULL, not "", means open: the partial unique index on open pensions relies on it.
    end_month = models.CharField("终止年月", max_length=7, null=True, blank=True)  # noqa: DJ001
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "insurance"], name="relation_person_ins_idx"),
            # Posting a month reads an employer's relations active in it: answered from this
            # index alone, without visiting the table (docs/performance.md).
            models.Index(
                fields=["employer", "start_month", "end_month", "person", "insurance"],
                name="relation_employer_cover_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(insurance="pension", end_month__isnull=True),
                name="one_open_pension_relation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurance} {self.start_month}–{self.end_month or ''}"


DEEMED_MONTHS_MAX = 600  # fifty years: more than any working life before 1992 could count
DEEMED_SOURCE_MAX = 200


@append_only
@tracked("deemed_months", ("person_id", "months", "source", "case_id"))
class DeemedMonths(models.Model):
    """视同缴费月数: months of work before personal contributions began (for employees of
    state units before the 1990s reform) that count as contribution months for the pension
    (国发〔1997〕26号; REFERENCE.md Basic pension). A ledger: the latest row for a person
    states their deemed months from then on; a change is a new row from a new case."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveIntegerField("视同缴费月数")
    source = models.CharField("认定依据", max_length=DEEMED_SOURCE_MAX)
    case_id = models.BigIntegerField(null=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["person", "id"], name="deemed_person_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=0, months__lte=DEEMED_MONTHS_MAX),
                name="deemed_months_0_600",
            ),
        ]

    def __str__(self) -> str:
        return f"deemed {self.person_id}: {self.months}"
