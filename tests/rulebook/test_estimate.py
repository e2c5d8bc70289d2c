"""养老金测算 from the record so far and stated assumptions. No database, no clock.

Source: REFERENCE.md Basic pension (the grant), Pension personal account (8 % credit, national
interest formula), Months divisor."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc
from quanyi.rulebook.estimate import Assumptions, Estimate, EstimateYear, estimate
from quanyi.rulebook.pension import MonthBase, PensionInputs, grant

ym = YearMonth.parse
BIRTH = ym("1965-01")
SO_FAR = tuple(MonthBase(ym("2000-01").add(i), 800000, 1000000) for i in range(300))  # to 2024-12


def assume(retire: str, base: int = 800000, **changes: object) -> Assumptions:
    fields: dict[str, object] = {
        "retire": ym(retire),
        "future_base_fen": base,
        "wage_growth": Decimal("0.05"),
        "crediting_rate": Decimal("0.03"),
    }
    fields.update(changes)
    return Assumptions(**fields)  # type: ignore[arg-type]


def run(today: str, assumptions: Assumptions, **changes: object) -> Estimate:
    fields: dict[str, object] = {
        "birth": BIRTH,
        "today": ym(today),
        "bases_so_far": SO_FAR,
        "deemed_months": 0,
        "balance_fen": 10000000,
        "current_wage_fen": 1000000,
        "benefit_base_fen": 1204900,
        "assumptions": assumptions,
    }
    fields.update(changes)
    return estimate(**fields)  # type: ignore[arg-type]


def test_nothing_to_project_is_the_grant_itself() -> None:
    """REFERENCE.md Basic pension: retiring next month, the estimate is the grant today."""
    result = run("2025-01", assume("2025-02"))
    assert result.years == ()
    expected = grant(PensionInputs(BIRTH, ym("2025-02"), 1204900, SO_FAR, 300, 0, 10000000, None))
    assert result.decision == expected
    assert result.decision.divisor == Decimal("138.4")


def test_projection_by_hand() -> None:
    """REFERENCE.md Pension personal account: 8 % of each month's base credited, rounded per
    month; interest by the national formula once a year (part years for their share)."""
    so_far = SO_FAR[:-2]  # to 2024-10
    result = run("2024-10", assume("2025-03"), bases_so_far=so_far)
    credit = 64000  # 8 % of 8000.00
    first = calc.yearly_interest(
        10000000, {11: credit, 12: credit}, Decimal("0.03") * 2 / 12, "national"
    )
    after_2024 = 10000000 + 2 * credit + first
    second = calc.yearly_interest(
        after_2024, {1: credit, 2: credit}, Decimal("0.03") * 2 / 12, "national"
    )
    at_retirement = after_2024 + 2 * credit + second
    assert result.years == (
        EstimateYear(2024, after_2024, 300),
        EstimateYear(2025, at_retirement, 302),
    )
    used = result.decision.inputs
    assert used is not None
    assert used.balance_fen == at_retirement
    assert used.paid_months == 302
    # 2025's months against the wage grown once; the benefit base not yet (5 months ahead).
    assert [line.wage_fen for line in used.bases[-4:]] == [1000000, 1000000, 1050000, 1050000]
    assert used.benefit_base_fen == 1204900


def test_full_years_use_the_whole_rate_and_benefit_base_grows_per_whole_year() -> None:
    """REFERENCE.md Pension personal account (national formula); Basic pension (the benefit
    base is the region's figure, here grown by the assumed wage growth)."""
    result = run("2020-12", assume("2023-01"), bases_so_far=SO_FAR[:-48])
    twelve = dict.fromkeys(range(1, 13), 64000)
    closing_2021 = calc.close_year(2021, 10000000, twelve, Decimal("0.03")).closing_fen
    closing_2022 = calc.close_year(2022, closing_2021, twelve, Decimal("0.03")).closing_fen
    assert [y.balance_fen for y in result.years] == [closing_2021, closing_2022]
    used = result.decision.inputs
    assert used is not None
    assert used.benefit_base_fen == 1328402  # 12049.00 × 1.05², rounded once
    assert used.start == ym("2023-01")


def test_deemed_months_count_in_years_and_transitional_part() -> None:
    """REFERENCE.md Basic pension: deemed months count as years and feed the transitional part."""
    result = run(
        "2024-12",
        assume("2026-01"),
        deemed_months=60,
        transitional_coefficient=Decimal("0.012"),
    )
    assert result.years[-1] == EstimateYear(2025, result.years[-1].balance_fen, 372)
    assert result.decision.deemed_years == 5
    assert result.decision.transitional_fen > 0


@settings(max_examples=25, deadline=None)
@given(st.integers(100000, 5000000), st.integers(0, 3000000), st.integers(1, 120))
def test_monotone_in_future_base(base: int, more: int, months: int) -> None:
    """A higher future base never gives a lower pension nor a lower balance: every part of the
    grant (REFERENCE.md Basic pension) grows with the base."""
    retire = str(ym("2024-12").add(months))
    low = run("2024-12", assume(retire, base))
    high = run("2024-12", assume(retire, base + more))
    assert low.decision.monthly_fen <= high.decision.monthly_fen
    assert low.decision.basic_fen <= high.decision.basic_fen
    assert low.decision.account_fen <= high.decision.account_fen
    assert all(a.balance_fen <= b.balance_fen for a, b in zip(low.years, high.years, strict=True))


@pytest.mark.parametrize(
    ("today", "changes", "field"),
    [
        ("2024-12", {"retire": ym("2024-12")}, "retire"),  # not after today
        ("2024-12", {"retire": ym("2024-12").add(601)}, "retire"),  # beyond fifty years
        ("2024-12", {"wage_growth": Decimal("1.01")}, "wage_growth"),
        ("2024-12", {"wage_growth": Decimal("-0.51")}, "wage_growth"),
        ("2024-12", {"crediting_rate": Decimal("2")}, "crediting_rate"),
        ("2024-12", {"account_share": Decimal("1.5")}, "account_share"),
        ("2024-12", {"future_base_fen": 0}, "future_base_fen"),
        ("2024-11", {}, "bases_so_far"),  # the record so far runs past today
    ],
)
def test_refused_assumptions(today: str, changes: dict[str, object], field: str) -> None:
    fields = dict(changes)
    retire = fields.pop("retire", ym("2030-01"))
    with pytest.raises(InvalidInput) as refused:
        run(today, assume(str(retire), **fields))
    assert refused.value.fields() == [field]


def test_refused_figures() -> None:
    for changes in ({"current_wage_fen": 0}, {"balance_fen": -1}, {"deemed_months": -1}):
        with pytest.raises(InvalidInput):
            run("2024-12", assume("2026-01"), **changes)
