"""The benefit case types (003 §4 (三): benefit data reviewed before it counts): a grant, a
suspension, a resumption and a death, each applied only by its final approval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import field_validator

from quanyi.benefits import adjustment, pension, services
from quanyi.benefits.models import Kind, Reason
from quanyi.benefits.queries import held_by, monthly_held
from quanyi.benefits.subjects import ID, beneficiary, subject_label
from quanyi.core import regions
from quanyi.core.errors import InvalidInput
from quanyi.core.money import yuan_to_fen
from quanyi.core.principal import Principal
from quanyi.core.schemas import IsoDate, Month, Payload, RegionCode
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import Person, PersonStatus
from quanyi.rulebook.adjustment import AdjustmentRule
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.stages import ALL_STAGES, REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

# --- benefit.grant ---------------------------------------------------------------------------


class GrantRequest(Payload):
    """待遇核定: a pension from ``start_month``; ``original_age`` tells a woman's post (50 as a
    worker, 55 in a cadre post — the default)."""

    id_number: str
    insurance: Literal["pension"]
    start_month: Month
    original_age: Literal[50, 55, 60] | None = None

    @field_validator("original_age", mode="before")
    @classmethod
    def _from_a_list(cls, value: Any) -> Any:
        # A form sends the chosen code as text ("55"); blank means not stated.
        if isinstance(value, str):
            return int(value) if value.strip().isdigit() else (None if not value.strip() else value)
        return value


@register
class BenefitGrant(CaseType[GrantRequest]):
    name = "benefit.grant"
    zh = "待遇核定（按月领取基本养老金）"
    en = "benefit grant (monthly pension)"
    stages = ALL_STAGES
    payload = GrantRequest
    fields = (
        ID,
        FormField("insurance", "险种", "insurance", True, "choice", "benefit_insurance"),
        FormField("start_month", "待遇起始年月", "first month", True, "month"),
        FormField(
            "original_age",
            "原法定退休年龄（女职工）",
            "former statutory age (women)",
            False,
            "choice",
            "retirement_track",
        ),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> GrantRequest:
        payload = self.parse(data)
        person = beneficiary(principal, payload.id_number)
        start = YearMonth.parse(payload.start_month)
        if any(h.grant.kind == Kind.PENSION for h in monthly_held(person.pk, start)):
            raise InvalidInput.one(
                "id_number",
                "granted",
                f"{person.name} 已核定基本养老金，不能重复核定",
                "the person has a pension granted already",
            )
        found = pension.facts(Rulebook.load(), person, start, payload.original_age)
        refused = pension.refusal(found)
        if refused is not None:
            raise refused
        return payload.model_copy(update={"id_number": person.id_number})

    def _decided(self, principal: Principal, payload: GrantRequest) -> tuple[Person, Any, Any]:
        person = beneficiary(principal, payload.id_number)
        found = pension.facts(
            Rulebook.load(), person, YearMonth.parse(payload.start_month), payload.original_age
        )
        refused = pension.refusal(found)
        if refused is not None:
            raise refused
        decision, explained = pension.decide(found)
        return person, decision, explained

    def changes(self, principal: Principal, payload: GrantRequest) -> list[Change]:
        """The amounts and what they come from: the reviewers check the calculation."""
        person, decision, explained = self._decided(principal, payload)
        label = f"{subject_label(person)} pension"
        return [
            Change(label, "start_month", None, payload.start_month, person.name),
            Change(
                label, "contribution_months", None, explained["contribution_months"], person.name
            ),
            Change(label, "average_index", None, explained["index"], person.name),
            Change(label, "divisor", None, str(decision.divisor), person.name),
            Change(label, "basic_fen", None, decision.basic_fen, person.name),
            Change(label, "account_fen", None, decision.account_fen, person.name),
            Change(label, "transitional_fen", None, decision.transitional_fen, person.name),
            Change(label, "monthly_fen", None, decision.monthly_fen, person.name),
        ]

    def apply(self, principal: Principal, payload: GrantRequest) -> str:
        person, decision, explained = self._decided(principal, payload)
        grant = services.add_grant(
            principal,
            person,
            Kind.PENSION,
            "pension",
            YearMonth.parse(payload.start_month),
            decision.monthly_fen,
            basic_fen=decision.basic_fen,
            account_fen=decision.account_fen,
            transitional_fen=decision.transitional_fen,
            explained=explained,
        )
        return f"grant {grant.pk}"


# --- benefit.suspend / benefit.resume --------------------------------------------------------


class StatusRequest(Payload):
    id_number: str
    from_month: Month
    reason: str
    note: str = ""


class SuspendRequest(StatusRequest):
    reason: Literal["unverified", "lost_contact", "imprisoned", "fraud", "other"]


class ResumeRequest(StatusRequest):
    reason: Literal["verified", "found", "released", "other"]


def _status_changes(
    principal: Principal, id_number: str, month: str, suspended: bool, after: str
) -> list[Change]:
    person = beneficiary(principal, id_number)
    when = YearMonth.parse(month)
    held = [
        h
        for h in monthly_held(person.pk, when)
        if (h.state.suspension(when) is not None) == suspended
    ]
    if not held:
        raise services.nothing_to(person, "resume" if suspended else "suspend")
    return [
        Change(
            f"{subject_label(person)} grant {h.grant.pk}",
            "status",
            h.state.status(when),
            after,
            person.name,
        )
        for h in held
    ]


class _StatusCase(CaseType[StatusRequest]):
    """Suspend or resume every monthly benefit of a person from a month; the two differ in
    which grants they touch (``held_suspended``), the status they set and the service."""

    held_suspended: bool
    after: str
    done: str

    def check(self, principal: Principal, data: Mapping[str, Any]) -> StatusRequest:
        payload = self.parse(data)
        self.changes(principal, payload)
        return payload

    def changes(self, principal: Principal, payload: StatusRequest) -> list[Change]:
        return _status_changes(
            principal, payload.id_number, payload.from_month, self.held_suspended, self.after
        )

    def apply(self, principal: Principal, payload: StatusRequest) -> str:
        person = beneficiary(principal, payload.id_number)
        change = services.resume if self.held_suspended else services.suspend
        count = change(
            principal, person, YearMonth.parse(payload.from_month), Reason(payload.reason)
        )
        return f"{self.done} {count}"


@register
class BenefitSuspend(_StatusCase):
    name = "benefit.suspend"
    zh = "暂停发放待遇"
    en = "suspend a benefit"
    stages = REGISTRY_STAGES
    payload = SuspendRequest
    fields = (
        ID,
        FormField("from_month", "暂停起始年月", "from month", True, "month"),
        FormField("reason", "暂停原因", "reason", True, "choice", "suspend_reason"),
        FormField("note", "说明", "note", False, "textarea"),
    )
    held_suspended, after, done = False, "suspended", "suspended"


@register
class BenefitResume(_StatusCase):
    name = "benefit.resume"
    zh = "恢复发放待遇"
    en = "resume a benefit"
    stages = REGISTRY_STAGES
    payload = ResumeRequest
    fields = (
        ID,
        FormField("from_month", "恢复起始年月", "from month", True, "month"),
        FormField("reason", "恢复原因", "reason", True, "choice", "resume_reason"),
        FormField("note", "说明", "note", False, "textarea"),
    )
    held_suspended, after, done = True, "active", "resumed"


# --- benefit.death ---------------------------------------------------------------------------


class DeathReport(Payload):
    id_number: str
    death_date: IsoDate
    source: str  # the death certificate, or the department that reported it


def _region_fen(book: Rulebook, key: str, person: Person, on: date) -> int:
    found = book.find(key, person.agency_region, on)
    return int(found[0]) if found else 0


@register
class BenefitDeath(CaseType[DeathReport]):
    name = "benefit.death"
    zh = "死亡待遇处理（停发、追回、丧葬补助金、抚恤金、个人账户继承）"
    en = "death (stop, recover, funeral and survivors' grants, account to heirs)"
    stages = ALL_STAGES
    payload = DeathReport
    fields = (
        ID,
        FormField("death_date", "死亡日期", "date of death", True, "date"),
        FormField("source", "死亡证明或通报部门", "death certificate or reporting body", True),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> DeathReport:
        payload = self.parse(data)
        person = beneficiary(principal, payload.id_number)
        if payload.death_date > date.today() or payload.death_date < person.birth_date:
            raise InvalidInput.one(
                "death_date",
                "bad_death_date",
                "死亡日期须在出生日期之后、不晚于今天",
                "the date of death is after birth and not in the future",
            )
        if not payload.source.strip():
            raise InvalidInput.one(
                "source", "required", "须填写死亡证明或通报部门", "say who reported the death"
            )
        return payload.model_copy(update={"id_number": person.id_number})

    def _amounts(self, person: Person, payload: DeathReport) -> tuple[int, int]:
        book = Rulebook.load()
        return (
            _region_fen(book, "benefit.funeral", person, payload.death_date),
            _region_fen(book, "benefit.survivor", person, payload.death_date),
        )

    def changes(self, principal: Principal, payload: DeathReport) -> list[Change]:
        person = beneficiary(principal, payload.id_number)
        died = YearMonth.of(payload.death_date)
        label = subject_label(person)
        funeral, survivor = self._amounts(person, payload)
        lines = [
            Change(label, "status", person.status, PersonStatus.CANCELLED, person.name),
            Change(label, "deceased_date", None, payload.death_date.isoformat(), person.name),
        ]
        for held in held_by(person.pk):
            if not held.one_off and held.state.status(died.add(1)) != "ended":
                lines.append(
                    Change(
                        f"{label} grant {held.grant.pk}", "end_month", None, str(died), person.name
                    )
                )
        overpaid = services.overpaid(person.pk, died)
        recovered = sum(row[2] for row in overpaid)
        lines += [
            Change(label, "recovered_fen", None, recovered, person.name),
            Change(label, "funeral_fen", None, funeral, person.name),
            Change(label, "survivor_fen", None, survivor, person.name),
            Change(
                label,
                "heirs_fen",
                None,
                pension.balance_of(person.pk) + sum(row[3] for row in overpaid),
                person.name,
            ),
        ]
        return lines

    def apply(self, principal: Principal, payload: DeathReport) -> str:
        person = beneficiary(principal, payload.id_number)
        funeral, survivor = self._amounts(person, payload)
        done = services.record_death(principal, person, payload.death_date, funeral, survivor)
        return "death " + " ".join(f"{k}={v}" for k, v in done.items())


# --- benefit.adjust --------------------------------------------------------------------------


class AdjustRequest(Payload):
    """调待: the yearly adjustment of every pension in a region from a month, as data."""

    region: RegionCode
    from_month: Month
    percent: str = "0"
    fixed_fen: int = 0
    per_year_fen: int = 0
    age_tilts: list[tuple[int, int]] = []
    source: str

    def rule(self) -> AdjustmentRule:
        try:
            percent = Decimal(self.percent)
        except InvalidOperation:
            raise InvalidInput.one(
                "percent", "not_a_number", "调整比例须为小数，如 0.02", "a decimal such as 0.02"
            ) from None
        rule = AdjustmentRule(percent, self.fixed_fen, self.per_year_fen, tuple(self.age_tilts))
        rule.validate()
        return rule


@dataclass(frozen=True)
class _Area:
    """The region a principal adjusts, as the permission's region check reads it."""

    region: str


@register
class BenefitAdjust(CaseType[AdjustRequest]):
    name = "benefit.adjust"
    zh = "基本养老金年度调整"
    en = "yearly pension adjustment"
    stages = ALL_STAGES
    payload = AdjustRequest
    subject_keys = ("region",)
    fields = (
        FormField("region", "统筹区", "region", True, "region"),
        FormField("from_month", "调整起始年月", "from month", True, "month"),
        FormField("percent", "按比例调整（小数，如 0.02）", "percentage (a decimal, e.g. 0.02)"),
        FormField("fixed_fen", "定额调整（元/月）", "fixed amount (yuan a month)", False, "yuan"),
        FormField(
            "per_year_fen", "挂钩调整：每满一年缴费年限（元/月）",
            "per whole contribution year (yuan a month)", False, "yuan",
        ),
        FormField(
            "age_tilts", "倾斜调整（每行“年龄:元”，如 70:30.00）",
            "tilts by age (one \"age:yuan\" a line, e.g. 70:30.00)", False, "textarea",
        ),
        FormField("source", "调整文件", "source document", True),
    )  # fmt: skip

    def from_form(self, payload: dict[str, Any]) -> dict[str, Any]:
        """On screen the tilts are lines of "age:yuan"; the payload keeps [age, fen] pairs."""
        text = payload.get("age_tilts")
        if not isinstance(text, str):
            return payload
        tilts = []
        for number, line in enumerate(text.replace("：", ":").splitlines(), start=1):
            if not line.strip():
                continue
            age, _, amount = line.partition(":")
            if not age.strip().isdigit() or not amount.strip():
                raise InvalidInput.one(
                    "age_tilts",
                    "bad_tilt",
                    f"第 {number} 行应为“年龄:元”，如 70:30.00",
                    f'line {number} should be "age:yuan", e.g. 70:30.00',
                )
            tilts.append([int(age), yuan_to_fen(amount.strip(), "age_tilts")])
        return {**payload, "age_tilts": tilts}

    def check(self, principal: Principal, data: Mapping[str, Any]) -> AdjustRequest:
        payload = self.parse(data)
        rule = payload.rule()
        if rule == AdjustmentRule():
            raise InvalidInput.one(
                "percent", "no_change", "调整方案没有任何增加额", "the adjustment raises nothing"
            )
        if not payload.source.strip():
            raise InvalidInput.one(
                "source", "required", "须写明调整文件", "name the source document"
            )
        if not regions.covers(principal.region, payload.region):
            raise InvalidInput.one(
                "region", "outside", "只能调整本统筹区的待遇", "only the agency's own region"
            )
        return payload

    def changes(self, principal: Principal, payload: AdjustRequest) -> list[Change]:
        """How many pensions rise and by how much in all: the reviewers check the sum."""
        month = YearMonth.parse(payload.from_month)
        found = list(adjustment.raises(payload.region, month, payload.rule()))
        label = f"adjustment {payload.region} {month}"
        return [
            Change(label, "pensions", None, len(found)),
            Change(label, "monthly_raise_fen", None, sum(r.raise_fen for r in found)),
        ]

    def apply(self, principal: Principal, payload: AdjustRequest) -> str:
        month = YearMonth.parse(payload.from_month)
        count, total = adjustment.apply(
            principal, _Area(payload.region), payload.region, month, payload.rule()
        )
        return f"adjusted {count} raise_fen={total}"
