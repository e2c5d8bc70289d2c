"""The other insurances' benefits read from the record (issue 14; 004 part 4): unemployment
benefit from the paid unemployment months and the region's amount (失业保险条例 art. 14, 17,
21), the disability allowance from the worker's wage and the region's rate for the grade
(工伤保险条例 art. 35-37), and settlements whose amounts come from a source document the case
carries. Each decision keeps every input and the rule row it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from quanyi.benefits.models import Grant, Kind
from quanyi.benefits.queries import monthly_held
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.money import round_fen
from quanyi.core.yearmonth import YearMonth
from quanyi.personal_accounts.models import PaidMonths
from quanyi.registry.models import Person
from quanyi.rulebook import unemployment
from quanyi.rulebook.queries import Rulebook

UNEMPLOYMENT = "unemployment"
MONTHLY_KEY = "unemployment.monthly"
FARMER_KEY = "unemployment.farmer_year"

# The settlement kinds and the insurance each is paid from (004 part 4).
SETTLEMENT_INSURANCE: Mapping[str, str] = {
    Kind.MEDICAL: "medical",
    Kind.INJURY_MEDICAL: "injury",
    Kind.MATERNITY: "maternity",
}

# Which of art. 14's conditions refuse which payload field.
_REFUSED_FIELD = {
    "short_insurance": "id_number",
    "voluntary": "involuntary",
    "not_registered": "registered_on",
}


def paid_months(person_id: int, insurance: str) -> int:
    found = (
        PaidMonths.objects.filter(person_id=person_id, insurance=insurance)
        .values_list("months", flat=True)
        .first()
    )
    return int(found or 0)


def _rule(
    book: Rulebook, key: str, person: Person, month: YearMonth, field: str
) -> tuple[str, dict[str, Any]]:
    """The region's value of ``key`` in ``month`` with where it came from, or a refusal naming
    the parameter the rulebook lacks."""
    found = book.find(key, person.agency_region, month.first_day())
    if found is None:
        raise InvalidInput.one(
            field,
            "no_parameter",
            f"规则库缺少 {person.agency_region} 在 {month} 适用的参数 {key}，"
            "须先经政策参数调整录入",
            f"the rulebook has no {key} for {person.agency_region} in {month}:"
            " add it by a parameter change first",
        )
    value, region, valid_from, pk = found
    return value, {"value": value, "region": region, "valid_from": str(valid_from), "row": pk}


# --- unemployment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnemploymentDecision:
    farmer: bool
    months_insured: int
    months_entitled: int  # monthly benefit only
    monthly_fen: int  # the monthly amount, or the one-off amount for a farmer contract worker
    start: YearMonth
    end: YearMonth | None  # None for the one-off
    full_years: int
    per_year_fen: int
    explained: dict[str, Any]

    @property
    def kind(self) -> Kind:
        return Kind.FARMER_ONE_OFF if self.farmer else Kind.UNEMPLOYMENT


def unemployment_refusal(
    person: Person,
    start: YearMonth,
    involuntary: bool,
    registered_on: date | None,
    farmer: bool,
) -> InvalidInput | None:
    """Every condition of art. 14 not met, at once; a farmer contract worker's one-off (art.
    21) asks a year's contributions and a contract ended against the worker's will, not a
    registration as unemployed. And no second unemployment benefit while one is paid."""
    insured = paid_months(person.pk, UNEMPLOYMENT)
    errors = [
        FieldError(_REFUSED_FIELD[r.code], r.code, r.zh, r.en)
        for r in unemployment.unemployment_refusals(insured, involuntary, registered_on is not None)
        if not (farmer and r.code == "not_registered")
    ]
    if registered_on is not None and registered_on > timezone.localdate():
        errors.append(
            FieldError(
                "registered_on",
                "future",
                "失业登记日期不能晚于今天",
                "the date registered as unemployed is in the future",
            )
        )
    if any(h.grant.kind == Kind.UNEMPLOYMENT for h in monthly_held(person.pk, start)):
        errors.append(
            FieldError(
                "id_number",
                "granted",
                f"{person.name} 正在领取失业保险金，不能重复核定",
                "the person already receives unemployment benefit",
            )
        )
    return InvalidInput(errors) if errors else None


def decide_unemployment(
    book: Rulebook, person: Person, start: YearMonth, carried_months: int, farmer: bool
) -> UnemploymentDecision:
    """Monthly benefit for the months of art. 17 at the region's amount, or for a farmer
    contract worker the one-off allowance per full year contributed (art. 21)."""
    insured = paid_months(person.pk, UNEMPLOYMENT)
    explained: dict[str, Any] = {
        "months_insured": insured,
        "paid_months_of": UNEMPLOYMENT,
        "start_month": str(start),
    }
    if farmer:
        value, rule = _rule(book, FARMER_KEY, person, start, "farmer")
        full_years = insured // 12
        amount = unemployment.one_off_farmer(full_years, int(value))
        explained |= {
            "full_years": full_years,
            "per_year_fen": int(value),
            "amount_fen": amount,
            "rules": {FARMER_KEY: rule},
            "formula": "失业保险条例 art. 21: full years contributed × the region's amount a year",
        }
        return UnemploymentDecision(
            True, insured, 0, amount, start, None, full_years, int(value), explained
        )
    value, rule = _rule(book, MONTHLY_KEY, person, start, "start_month")
    months = unemployment.entitled_months(insured, carried_months)
    end = start.add(months - 1)
    explained |= {
        "carried_months": carried_months,
        "months_entitled": months,
        "monthly_fen": int(value),
        "end_month": str(end),
        "rules": {MONTHLY_KEY: rule},
        "formula": "失业保险条例 art. 17: 1-5 years insured 12 months, 5-10 years 18, 10 or more"
        " 24; unused months of an earlier spell added, at most 24",
    }
    return UnemploymentDecision(False, insured, months, int(value), start, end, 0, 0, explained)


# --- disability allowance --------------------------------------------------------------------


def allowance_key(grade: int) -> str:
    return f"injury.allowance.grade{grade}"


def injury_refusal(person: Person, start: YearMonth) -> InvalidInput | None:
    if any(h.grant.kind == Kind.INJURY_ALLOWANCE for h in monthly_held(person.pk, start)):
        return InvalidInput.one(
            "id_number",
            "granted",
            f"{person.name} 正在领取伤残津贴，不能重复核定",
            "the person already receives a disability allowance",
        )
    return None


def decide_injury(
    book: Rulebook, person: Person, grade: int, wage_fen: int, start: YearMonth
) -> tuple[int, dict[str, Any]]:
    """The allowance: the worker's own wage before the injury × the region's rate for the
    grade, rounded once (工伤保险条例 art. 35). A grade the region pays no allowance for (art.
    36-37: grades 5-6 are paid by the employer, 7-10 get none) has no rate and is refused."""
    key = allowance_key(grade)
    found = book.find(key, person.agency_region, start.first_day())
    if found is None:
        raise InvalidInput.one(
            "grade",
            "no_allowance",
            f"{person.agency_region} 在 {start} 没有 {grade} 级伤残津贴的计发比例（{key}），"
            "该等级不由工伤保险基金按月支付伤残津贴（工伤保险条例第三十五至三十七条）",
            f"{person.agency_region} has no disability allowance rate for grade {grade} in"
            f" {start} ({key}): the fund pays no monthly allowance for it"
            " (Work Injury Insurance Regulations art. 35-37)",
        )
    value, region, valid_from, pk = found
    rule = {"value": value, "region": region, "valid_from": str(valid_from), "row": pk}
    monthly = round_fen(Decimal(wage_fen) * Decimal(value))
    return monthly, {
        "grade": grade,
        "wage_fen": wage_fen,
        "rate": value,
        "monthly_fen": monthly,
        "start_month": str(start),
        "rules": {key: rule},
        "formula": "工伤保险条例 art. 35: own monthly wage before the injury × the grade's rate,"
        " rounded to the fen once",
    }


def settled_before(person: Person, kind: str, sha: str) -> bool:
    """Whether a settlement of this kind was already granted on the same document: one
    receipt is paid once."""
    return Grant.objects.filter(person=person, kind=kind, explained__contains=sha).exists()
