"""The other insurances' benefit case types (issue 14; 003 §4 (三): benefit data reviewed
before it counts): unemployment benefit, the disability allowance, and one-off settlements
whose amounts come from source documents — each applied only by its final approval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from quanyi.benefits import services, settlements
from quanyi.benefits.models import Kind
from quanyi.benefits.queries import this_month
from quanyi.benefits.subjects import ID, beneficiary, subject_label
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.schemas import Fen, IsoDate, Month, Payload
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import Person
from quanyi.rulebook.queries import Rulebook
from quanyi.rulebook.unemployment import MOST_MONTHS
from quanyi.workflow import documents
from quanyi.workflow.documents import DocumentName, Sha256
from quanyi.workflow.stages import ALL_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

RECEIPT_MISSING = (
    "须附单据原件（扫描件），金额以单据为准",
    "attach the source document: the amount is taken from it",
)


# --- benefit.unemployment --------------------------------------------------------------------


class UnemploymentRequest(Payload):
    """失业保险金 from ``start_month`` (失业保险条例 art. 14, 17), or for a farmer contract
    worker (农民合同制工人) the one-off allowance (art. 21). ``registered_on`` is the day the
    person registered as unemployed: without it the benefit is refused; ``carried_months`` are
    the months left unused from an earlier spell."""

    id_number: str
    start_month: Month
    involuntary: bool
    registered_on: IsoDate | None = None
    carried_months: Annotated[int, Field(ge=0, le=MOST_MONTHS)] = 0
    farmer: bool = False


@register
class BenefitUnemployment(CaseType[UnemploymentRequest]):
    name = "benefit.unemployment"
    zh = "失业保险金核定"
    en = "unemployment benefit"
    stages = ALL_STAGES
    payload = UnemploymentRequest
    fields = (
        ID,
        FormField("start_month", "领取起始年月", "first month", True, "month"),
        FormField(
            "involuntary", "非因本人意愿中断就业", "employment ended involuntarily", True,
            "choice", "yes_no",
        ),
        FormField("registered_on", "失业登记日期", "date registered as unemployed", True, "date"),
        FormField(
            "carried_months", "前次失业未领取月数", "months unused from an earlier spell"
        ),
        FormField(
            "farmer", "农民合同制工人", "farmer contract worker", False, "choice", "yes_no"
        ),
    )  # fmt: skip

    def check(self, principal: Principal, data: Mapping[str, Any]) -> UnemploymentRequest:
        payload = self.parse(data)
        person = beneficiary(principal, payload.id_number)
        start = YearMonth.parse(payload.start_month)
        refused = settlements.unemployment_refusal(
            person, start, payload.involuntary, payload.registered_on, payload.farmer
        )
        if refused is not None:
            raise refused
        settlements.decide_unemployment(
            Rulebook.load(), person, start, payload.carried_months, payload.farmer
        )
        return payload.model_copy(update={"id_number": person.id_number})

    def _decided(
        self, principal: Principal, payload: UnemploymentRequest
    ) -> tuple[Person, settlements.UnemploymentDecision]:
        person = beneficiary(principal, payload.id_number)
        start = YearMonth.parse(payload.start_month)
        decision = settlements.decide_unemployment(
            Rulebook.load(), person, start, payload.carried_months, payload.farmer
        )
        return person, decision

    def changes(self, principal: Principal, payload: UnemploymentRequest) -> list[Change]:
        person, decision = self._decided(principal, payload)
        label = subject_label(person, decision.kind.value)
        lines = [
            Change(label, "start_month", None, payload.start_month, person.name),
            Change(label, "months_insured", None, decision.months_insured, person.name),
        ]
        if decision.farmer:
            return [
                *lines,
                Change(label, "full_years", None, decision.full_years, person.name),
                Change(label, "farmer_year_fen", None, decision.per_year_fen, person.name),
                Change(label, "amount_fen", None, decision.monthly_fen, person.name),
            ]
        return [
            *lines,
            Change(label, "carried_months", None, payload.carried_months, person.name),
            Change(label, "months_entitled", None, decision.months_entitled, person.name),
            Change(label, "monthly_fen", None, decision.monthly_fen, person.name),
            Change(label, "end_month", None, str(decision.end), person.name),
        ]

    def apply(self, principal: Principal, payload: UnemploymentRequest) -> str:
        person, decision = self._decided(principal, payload)
        # Checked again at approval: another spell may have been granted meanwhile.
        refused = settlements.unemployment_refusal(
            person, decision.start, payload.involuntary, payload.registered_on, payload.farmer
        )
        if refused is not None:
            raise refused
        grant = services.add_grant(
            principal,
            person,
            decision.kind,
            settlements.UNEMPLOYMENT,
            decision.start,
            decision.monthly_fen,
            end=decision.end,
            explained=decision.explained,
        )
        return f"grant {grant.pk}"


# --- benefit.injury --------------------------------------------------------------------------


class InjuryRequest(Payload):
    """伤残津贴 (工伤保险条例 art. 35): ``grade`` 1-10 from the labour-capacity appraisal
    conclusion ``document`` (its reference; the conclusion itself attached, named by
    ``document_sha256``), ``wage_fen`` the worker's own monthly wage before the injury."""

    id_number: str
    grade: Annotated[int, Field(ge=1, le=10)]
    wage_fen: Fen
    start_month: Month
    document: Annotated[str, Field(min_length=1, max_length=200)]
    document_sha256: Sha256 | None = None
    document_name: DocumentName = ""


@register
class BenefitInjury(CaseType[InjuryRequest]):
    name = "benefit.injury"
    zh = "伤残津贴核定"
    en = "disability allowance (work injury)"
    stages = ALL_STAGES
    payload = InjuryRequest
    fields = (
        ID,
        FormField("grade", "伤残等级", "disability grade", True, "choice", "disability_grade"),
        FormField("wage_fen", "本人工资（元/月）", "own monthly wage (yuan)", True, "yuan"),
        FormField("start_month", "待遇起始年月", "first month", True, "month"),
        FormField(
            "document",
            "劳动能力鉴定结论文号（原件作为附件上传）",
            "labour-capacity appraisal conclusion (attach it)",
            True,
        ),
    )

    def attached(
        self, data: Mapping[str, Any], files: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        return documents.with_document(data, files, RECEIPT_MISSING)

    def check(self, principal: Principal, data: Mapping[str, Any]) -> InjuryRequest:
        payload = self.parse(data)
        person = beneficiary(principal, payload.id_number)
        start = YearMonth.parse(payload.start_month)
        refused = settlements.injury_refusal(person, start)
        if refused is not None:
            raise refused
        settlements.decide_injury(Rulebook.load(), person, payload.grade, payload.wage_fen, start)
        return payload.model_copy(update={"id_number": person.id_number})

    def _decided(
        self, principal: Principal, payload: InjuryRequest
    ) -> tuple[Person, int, dict[str, Any]]:
        person = beneficiary(principal, payload.id_number)
        monthly, explained = settlements.decide_injury(
            Rulebook.load(),
            person,
            payload.grade,
            payload.wage_fen,
            YearMonth.parse(payload.start_month),
        )
        return person, monthly, explained

    def changes(self, principal: Principal, payload: InjuryRequest) -> list[Change]:
        person, monthly, explained = self._decided(principal, payload)
        label = subject_label(person, Kind.INJURY_ALLOWANCE.value)
        return [
            Change(label, "start_month", None, payload.start_month, person.name),
            Change(label, "grade", None, payload.grade, person.name),
            Change(label, "wage_fen", None, payload.wage_fen, person.name),
            Change(label, "allowance_rate", None, explained["rate"], person.name),
            Change(label, "monthly_fen", None, monthly, person.name),
            Change(label, "document", None, payload.document, person.name),
            Change(label, "document_sha256", None, payload.document_sha256, person.name),
        ]

    def apply(self, principal: Principal, payload: InjuryRequest) -> str:
        person, monthly, explained = self._decided(principal, payload)
        refused = settlements.injury_refusal(person, YearMonth.parse(payload.start_month))
        if refused is not None:
            raise refused
        name = documents.carried(principal.case_id, payload.document_sha256)
        grant = services.add_grant(
            principal,
            person,
            Kind.INJURY_ALLOWANCE,
            "injury",
            YearMonth.parse(payload.start_month),
            monthly,
            explained={
                **explained,
                "document": {
                    "reference": payload.document,
                    "name": name,
                    "sha256": payload.document_sha256,
                },
            },
        )
        return f"grant {grant.pk}"


# --- benefit.settle --------------------------------------------------------------------------


class SettlementRequest(Payload):
    """A one-off settlement (004 part 4): medical costs (医疗费用结算/现金报销), work-injury
    medical costs (工伤医疗费) or maternity allowance (生育津贴) for ``month``, its amount
    taken from the source document the case carries (named by ``document_sha256``).
    ``insurance`` follows from ``kind``."""

    id_number: str
    kind: Literal["medical", "injury_med", "maternity"]
    insurance: Literal["medical", "injury", "maternity"] | None = None
    month: Month
    amount_fen: Fen
    document_sha256: Sha256 | None = None
    document_name: DocumentName = ""


def _not_settled(person: Person, kind: str, sha: str) -> None:
    if settlements.settled_before(person, kind, sha):
        raise InvalidInput.one(
            "document_sha256",
            "settled",
            "该单据已结算过，不能重复支付",
            "this document was settled already: it is paid once",
        )


@register
class BenefitSettle(CaseType[SettlementRequest]):
    name = "benefit.settle"
    zh = "待遇结算（医疗费用、工伤医疗费、生育津贴）"
    en = "settlement (medical costs, work-injury medical costs, maternity allowance)"
    stages = ALL_STAGES
    payload = SettlementRequest
    fields = (
        ID,
        FormField("kind", "结算类别", "kind", True, "choice", "settlement_kind"),
        FormField("month", "待遇所属年月", "month", True, "month"),
        FormField(
            "amount_fen", "结算金额（元，以单据为准）", "amount (yuan, as the document says)",
            True, "yuan",
        ),
    )  # fmt: skip

    def attached(
        self, data: Mapping[str, Any], files: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        return documents.with_document(data, files, RECEIPT_MISSING)

    def check(self, principal: Principal, data: Mapping[str, Any]) -> SettlementRequest:
        payload = self.parse(data)
        person = beneficiary(principal, payload.id_number)
        insurance = settlements.SETTLEMENT_INSURANCE[payload.kind]
        if payload.insurance is not None and payload.insurance != insurance:
            raise InvalidInput.one(
                "insurance",
                "wrong_insurance",
                f"{payload.kind} 由{insurance}基金支付，险种不符",
                f"{payload.kind} is paid from {insurance} insurance, not {payload.insurance}",
            )
        if YearMonth.parse(payload.month) > this_month():
            raise InvalidInput.one(
                "month", "future", "待遇所属年月不能晚于本月", "the month has not begun"
            )
        if payload.document_sha256:
            _not_settled(person, payload.kind, payload.document_sha256)
        return payload.model_copy(update={"id_number": person.id_number, "insurance": insurance})

    def changes(self, principal: Principal, payload: SettlementRequest) -> list[Change]:
        person = beneficiary(principal, payload.id_number)
        label = subject_label(person, payload.kind)
        return [
            Change(label, "benefit_month", None, payload.month, person.name),
            Change(label, "insurance", None, payload.insurance, person.name),
            Change(label, "amount_fen", None, payload.amount_fen, person.name),
            Change(label, "document_name", None, payload.document_name, person.name),
            Change(label, "document_sha256", None, payload.document_sha256, person.name),
        ]

    def apply(self, principal: Principal, payload: SettlementRequest) -> str:
        person = beneficiary(principal, payload.id_number)
        sha = payload.document_sha256
        name = documents.carried(principal.case_id, sha)
        assert sha is not None  # ``carried`` refuses a case without its document
        _not_settled(person, payload.kind, sha)
        grant = services.add_grant(
            principal,
            person,
            payload.kind,
            settlements.SETTLEMENT_INSURANCE[payload.kind],
            YearMonth.parse(payload.month),
            payload.amount_fen,
            explained={
                "kind": payload.kind,
                "month": payload.month,
                "amount_fen": payload.amount_fen,
                "document": {"name": name, "sha256": sha},
                "source": "004 part 4: the amount as the source document states it, reviewed",
            },
        )
        return f"grant {grant.pk}"
