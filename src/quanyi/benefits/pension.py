"""The pension grant read from the record (国发〔2005〕38号; REFERENCE.md Basic pension): the
person's paid months with their own bases, the average wage each base was set from, the deemed
months, the account balance and the region's figures — handed to the pure calculation in
``rulebook.pension``. Every input and the rule row it came from go into the decision."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from quanyi.contributions.models import BillStatus, Line
from quanyi.core.errors import InvalidInput
from quanyi.core.yearmonth import YearMonth
from quanyi.personal_accounts.models import Entry
from quanyi.registry.models import Person
from quanyi.registry.queries import deemed_months
from quanyi.rulebook import pension, retirement
from quanyi.rulebook.queries import Rulebook

PENSION = "pension"


@dataclass(frozen=True)
class Facts:
    """What the grant is computed from, with where each region figure came from."""

    person: Person
    track: retirement.Track
    birth: YearMonth
    start: YearMonth
    paid_months: int
    deemed_months: int
    balance_fen: int
    inputs: pension.PensionInputs
    rules: dict[str, Any]

    @property
    def months(self) -> int:
        return self.paid_months + self.deemed_months


def paid_bases(person_id: int, before: YearMonth) -> dict[YearMonth, int]:
    """Each paid pension month before ``before`` with its own base (two employers in one month:
    the bases added, as the month's contribution was; a corrected base as corrected)."""
    bases: dict[YearMonth, int] = defaultdict(int)
    for month, base in (
        Line.objects.filter(
            person_id=person_id,
            insurance=PENSION,
            bill__status=BillStatus.PAID,
            month__lt=str(before),
        )
        .values_list("month", "base_fen")
        .iterator()
    ):
        bases[YearMonth.parse(month)] += base
    # A line a correction reversed and its reversal add up to nothing: no month of its own.
    return {month: base for month, base in bases.items() if base > 0}


def balance_of(person_id: int) -> int:
    """The personal account's balance now: every entry, interest and withdrawals included."""
    total = Entry.objects.filter(person_id=person_id).aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def facts(book: Rulebook, person: Person, start: YearMonth, original_age: int | None) -> Facts:
    """The inputs of a pension starting in ``start``, or ``InvalidInput`` naming each figure
    the rulebook lacks (a year's average wage, the benefit base)."""
    track = retirement.track_of(person.sex, original_age)
    birth = YearMonth.of(person.birth_date)
    region = person.agency_region
    bases = paid_bases(person.pk, start)
    wages: dict[int, tuple[int, str]] = {}
    missing: list[str] = []
    rows = []
    for month in sorted(bases):
        found = book.find("wage.average", region, month.first_day())
        if found is None:
            missing.append(str(month))
            continue
        rows.append(pension.MonthBase(month, bases[month], int(found[0])))
        wages.setdefault(month.year, (int(found[0]), str(found[2])))
    if missing:
        raise InvalidInput.one(
            "start_month",
            "no_average_wage",
            f"规则库缺少 {missing[0]} 起 {len(missing)} 个缴费月份所适用的社会平均工资，"
            "须先经政策参数调整导入历年平均工资",
            f"the rulebook has no average wage for {len(missing)} paid months from {missing[0]}:"
            " import the yearly average wages by a parameter change first",
        )
    base_row = book.find("benefit.base", region, start.first_day())
    if base_row is None:
        raise InvalidInput.one(
            "start_month",
            "no_benefit_base",
            f"规则库缺少 {start} 适用的基本养老金计发基数",
            f"the rulebook has no pension benefit base for {start}",
        )
    coefficient_row = book.find("benefit.transitional", region, start.first_day())
    deemed = deemed_months(person.pk)
    balance = balance_of(person.pk)
    inputs = pension.PensionInputs(
        birth=birth,
        start=start,
        benefit_base_fen=int(base_row[0]),
        bases=tuple(rows),
        paid_months=len(rows),
        deemed_months=deemed,
        balance_fen=balance,
        transitional_coefficient=Decimal(coefficient_row[0]) if coefficient_row else None,
    )
    rules = {
        "benefit.base": _rule(base_row),
        "benefit.transitional": _rule(coefficient_row) if coefficient_row else None,
        "wage.average": {str(y): {"value": w, "valid_from": f} for y, (w, f) in wages.items()},
        "retirement": f"全国人大常委会 2024-09-13 决定（{track.value}）",
        "formula": "国发〔2005〕38号",
    }
    return Facts(person, track, birth, start, len(rows), deemed, balance, inputs, rules)


def _rule(found: tuple[str, str, Any, int]) -> dict[str, Any]:
    value, region, valid_from, pk = found
    return {"value": value, "region": region, "valid_from": str(valid_from), "row": pk}


def refusal(found: Facts) -> InvalidInput | None:
    """The statutory age and minimum years, checked for the start month."""
    refused = retirement.check_retirement(found.track, found.birth, found.start, found.months)
    if refused is None:
        return None
    return InvalidInput.one("start_month", refused.code, refused.zh, refused.en)


def decide(found: Facts) -> tuple[pension.PensionDecision, dict[str, Any]]:
    """The decision and its explanation (every input, rule and formula), JSON-ready."""
    decision = pension.grant(found.inputs)
    explained = {
        **decision.explained(),
        "paid_months": found.paid_months,
        "deemed_months": found.deemed_months,
        "contribution_months": found.months,
        "statutory_month": str(retirement.statutory_month(found.track, found.birth)),
        "track": found.track.value,
        "rules": found.rules,
    }
    return decision, explained
