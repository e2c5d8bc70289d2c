"""养老金测算 (what the national public service platform offers): the pension a person would be
granted at a chosen retirement month if stated assumptions hold — the record so far (every paid
month's base over the average wage it was set from, the deemed months, the account balance) and
assumptions for the rest (the future base, wage growth, crediting rate). Marked as an estimate
wherever it is shown; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from quanyi.access.policy import authorize
from quanyi.benefits import pension
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import Person
from quanyi.rulebook import estimate, retirement
from quanyi.rulebook.pension import MonthBase
from quanyi.rulebook.queries import Rulebook

DEFAULT_GROWTH = Decimal("0.05")


@dataclass(frozen=True)
class Asked:
    """What the user states; what is not stated takes the default named beside it."""

    retire: str | None = None  # default: the statutory month
    wage_growth: str | None = None  # default 0.05
    future_base_fen: int | None = None  # default: the last month's base, else the wage now
    crediting_rate: str | None = None  # default: the latest rate in the rulebook
    original_age: int | None = None


def _decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput.one(
            field, "not_a_number", f"不是有效的小数：{text!r}", f"not a decimal: {text!r}"
        ) from None
    if not value.is_finite():
        raise InvalidInput.one(field, "not_a_number", "不是有效的小数", "not a decimal")
    return value


def _figure(book: Rulebook, key: str, region: str, month: YearMonth) -> str:
    found = book.find(key, region, month.first_day())
    if found is None:
        raise InvalidInput.one(
            "retire",
            "no_parameter",
            f"规则库缺少 {key}，无法测算",
            f"the rulebook has no {key}: no estimate can be made",
        )
    return found[0]


def pension_estimate(
    principal: Principal, person: Person, asked: Asked, today: YearMonth
) -> dict[str, Any]:
    authorize(principal, "record.read", person)
    book = Rulebook.load()
    region = person.agency_region
    track = retirement.track_of(person.sex, asked.original_age)
    birth = YearMonth.of(person.birth_date)
    statutory = retirement.statutory_month(track, birth)
    retire = YearMonth.parse(asked.retire, "retire") if asked.retire else statutory
    if retire <= today:
        raise InvalidInput.one(
            "retire",
            "not_future",
            f"退休年月 {retire} 须晚于本月 {today}；已到退休年龄的请办理待遇核定",
            f"the retirement month {retire} must come after {today}; past it, apply for a grant",
        )
    bases = pension.paid_bases(person.pk, today.add(1))
    lines = []
    for month in sorted(bases):
        lines.append(
            MonthBase(month, bases[month], int(_figure(book, "wage.average", region, month)))
        )
    wage_now = int(_figure(book, "wage.average", region, today))
    future = asked.future_base_fen or (bases[max(bases)] if bases else wage_now)
    growth = _decimal(asked.wage_growth, "wage_growth") if asked.wage_growth else DEFAULT_GROWTH
    rate = (
        _decimal(asked.crediting_rate, "crediting_rate")
        if asked.crediting_rate
        else Decimal(_figure(book, "interest.rate", region, today))
    )
    coefficient = book.find("benefit.transitional", region, today.first_day())
    assumptions = estimate.Assumptions(
        retire=retire, future_base_fen=future, wage_growth=growth, crediting_rate=rate
    )
    found = estimate.estimate(
        birth,
        today,
        lines,
        pension.deemed_months(person.pk),
        pension.balance_of(person.pk),
        wage_now,
        int(_figure(book, "benefit.base", region, today)),
        assumptions,
        Decimal(coefficient[0]) if coefficient else None,
    )
    minimum = retirement.minimum_months(retire)
    counted = (
        found.years[-1].months if found.years else len(lines) + pension.deemed_months(person.pk)
    )
    return {
        "estimate": True,
        "statutory_month": str(statutory),
        "retire": str(retire),
        "assumptions": {
            "future_base_fen": future,
            "wage_growth": str(growth),
            "crediting_rate": str(rate),
            "account_share": str(assumptions.account_share),
        },
        "contribution_months_at_retirement": counted,
        "minimum_months": minimum,
        "short_months": max(0, minimum - counted),
        "basic_fen": found.decision.basic_fen,
        "account_fen": found.decision.account_fen,
        "transitional_fen": found.decision.transitional_fen,
        "monthly_fen": found.decision.monthly_fen,
        "divisor": str(found.decision.divisor),
        "years": [
            {"year": y.year, "balance_fen": y.balance_fen, "months": y.months} for y in found.years
        ],
        "formulas": [{"name": n, "zh": zh, "en": en} for n, zh, en in found.decision.formulas],
    }
