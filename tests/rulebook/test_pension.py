"""The pension granted at retirement against REFERENCE.md's check values. No database.

Source: 国发〔2005〕38号 part 6; REFERENCE.md Basic pension and Months divisor."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.core.money import round_fen
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc
from quanyi.rulebook.pension import (
    MonthBase,
    PensionInputs,
    age_at,
    average_index,
    decimals,
    divisor_at,
    grant,
)

ym = YearMonth.parse
BIRTH = ym("1965-01")  # a man reaching 60y1m in 2025-02
START = ym("2025-02")


def bases(count: int, base: int = 800000, wage: int = 1000000) -> tuple[MonthBase, ...]:
    first = ym("1990-01")
    return tuple(MonthBase(first.add(i), base, wage) for i in range(count))


def inputs(**changes: object) -> PensionInputs:
    fields: dict[str, object] = {
        "birth": BIRTH,
        "start": START,
        "benefit_base_fen": 1204900,
        "bases": bases(360),
        "paid_months": 360,
        "deemed_months": 0,
        "balance_fen": 0,
        "transitional_coefficient": None,
    }
    fields.update(changes)
    return PensionInputs(**fields)  # type: ignore[arg-type]


def test_reference_basic_pension_check() -> None:
    """REFERENCE.md Basic pension: 12049 × (1 + 0.8) / 2 × 30 × 1% = 3253.23."""
    decision = grant(inputs())
    assert decision.index == Fraction(4, 5)
    assert decision.years == 30
    assert decision.basic_fen == 325323
    assert (decision.account_fen, decision.transitional_fen) == (0, 0)
    assert decision.monthly_fen == 325323
    name, zh, en = decision.formulas[0]
    assert name == "basic"
    assert zh == (
        "基础养老金 = 计发基数 12049.00 × (1 + 平均缴费指数 0.8000) ÷ 2 × 缴费年限 30.0000 "
        "× 1% = 3253.23"
    )
    assert en.endswith("= 3253.23")


def test_years_are_months_over_twelve_unrounded() -> None:
    """REFERENCE.md Basic pension: 179 months = 14.9167 years, kept exact."""
    decision = grant(inputs(bases=bases(179), paid_months=179))
    assert decision.years == Fraction(179, 12)
    assert decimals(decision.years) == "14.9167"
    # Rounding the years first would give 12049 × 0.9 × 14.92 % = 1617.94; exact gives 1617.58.
    exact = Fraction(1204900) * Fraction(9, 5) / 2 * Fraction(179, 12) / 100
    assert decision.basic_fen == round_fen(Decimal(exact.numerator) / exact.denominator)
    assert decision.basic_fen == 161758


@pytest.mark.parametrize(
    ("birth", "start", "age", "divisor"),
    [
        ("1965-01", "2025-01", (60, 0), "139"),
        ("1965-01", "2025-02", (60, 1), "138.4"),  # 139 − 7/12 = 138.42
        ("1965-01", "2025-07", (60, 6), "135.5"),
        ("1965-01", "2025-04", (60, 3), "137.3"),  # 137.25, half-up
        ("1975-03", "2025-05", (50, 2), "194.2"),  # 195 − 5 × 2/12 = 194.17
        ("1980-01", "2043-01", (63, 0), "117"),
    ],
)
def test_divisor_with_months(birth: str, start: str, age: tuple[int, int], divisor: str) -> None:
    """REFERENCE.md Months divisor: ages with months interpolate linearly, to 0.1."""
    assert age_at(ym(birth), ym(start)) == age
    assert divisor_at(ym(birth), ym(start)) == Decimal(divisor)


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_at(ym("2000-01"), ym("1999-12"))


def test_account_pension_over_the_divisor() -> None:
    """REFERENCE.md Basic pension: the balance over the months divisor, rounded once."""
    decision = grant(inputs(balance_fen=13840000))
    assert decision.divisor == Decimal("138.4")
    assert decision.account_fen == 100000
    decision = grant(inputs(balance_fen=10000000))  # 72254.33… fen
    assert decision.account_fen == 72254
    assert decision.monthly_fen == 325323 + 72254


def test_transitional_part() -> None:
    """REFERENCE.md Basic pension; 国发〔2005〕38号: base × index × deemed years × coefficient.
    12049 × 0.8 × 5 × 1.2% = 578.352 → 578.35."""
    decision = grant(
        inputs(
            bases=bases(300),
            paid_months=300,
            deemed_months=60,
            transitional_coefficient=Decimal("0.012"),
        )
    )
    assert decision.deemed_years == 5
    assert decision.years == 30
    assert decision.transitional_fen == 57835
    assert decision.basic_fen == 325323
    assert decision.monthly_fen == 325323 + 57835
    names = [name for name, _, _ in decision.formulas]
    assert names == ["basic", "account", "transitional", "monthly"]
    assert "过渡系数 1.2%" in decision.formulas[2][1]


def test_no_transitional_part_without_coefficient_or_deemed_months() -> None:
    """REFERENCE.md Basic pension: the transitional part is region data, for deemed years."""
    no_coefficient = grant(inputs(bases=bases(300), paid_months=300, deemed_months=60))
    no_deemed = grant(inputs(transitional_coefficient=Decimal("0.012")))
    assert no_coefficient.transitional_fen == no_deemed.transitional_fen == 0
    assert "transitional" not in [name for name, _, _ in no_deemed.formulas]


def test_average_index_is_exact() -> None:
    """REFERENCE.md Basic pension: the mean over months of own base / that month's wage."""
    lines = [
        MonthBase(ym("2020-01"), 600000, 900000),  # 2/3
        MonthBase(ym("2020-02"), 900000, 900000),  # 1
        MonthBase(ym("2021-01"), 3000000, 1000000),  # 3
    ]
    assert average_index(lines) == Fraction(14, 9)
    assert average_index([]) == 0
    with pytest.raises(ValueError):
        average_index([MonthBase(ym("2020-01"), 1, 0)])


@given(
    st.lists(st.tuples(st.integers(1, 10**7), st.integers(1, 10**7)), min_size=1, max_size=40),
    st.integers(1, 10**7),
    st.integers(0, 120),
    st.integers(0, 10**9),
)
def test_each_part_is_rounded_once(
    pairs: list[tuple[int, int]], benefit_base: int, deemed: int, balance: int
) -> None:
    """REFERENCE.md Money and rounding: each monthly benefit amount rounded once, half-up."""
    lines = tuple(MonthBase(ym("2000-01").add(i), b, w) for i, (b, w) in enumerate(pairs))
    coefficient = Decimal("0.013")
    decision = grant(
        inputs(
            benefit_base_fen=benefit_base,
            bases=lines,
            paid_months=len(lines),
            deemed_months=deemed,
            balance_fen=balance,
            transitional_coefficient=coefficient,
        )
    )
    index = sum((Fraction(b, w) for b, w in pairs), Fraction(0)) / len(pairs)
    years = Fraction(len(lines) + deemed, 12)

    def rounded(value: Fraction) -> int:
        return round_fen(Decimal(value.numerator) / Decimal(value.denominator))

    assert decision.basic_fen == rounded(benefit_base * (1 + index) / 2 * years / 100)
    assert decision.account_fen == calc.account_pension(balance, Decimal("138.4"))
    expected = rounded(benefit_base * index * Fraction(deemed, 12) * Fraction(coefficient))
    assert decision.transitional_fen == (expected if deemed else 0)
    assert decision.monthly_fen == (
        decision.basic_fen + decision.account_fen + decision.transitional_fen
    )


def test_explained_is_json_ready() -> None:
    """Every input and result: fen as ints, ratios with 4 decimals and as n/d."""
    decision = grant(
        inputs(
            bases=bases(179),
            paid_months=179,
            deemed_months=1,
            balance_fen=5000000,
            transitional_coefficient=Decimal("0.012"),
        )
    )
    shown = json.loads(json.dumps(decision.explained()))
    assert shown["basic_fen"] == decision.basic_fen
    assert shown["monthly_fen"] == decision.monthly_fen
    assert (shown["index"], shown["index_fraction"]) == ("0.8000", "4/5")
    assert (shown["years"], shown["years_fraction"]) == ("15.0000", "15/1")
    assert (shown["deemed_years"], shown["deemed_years_fraction"]) == ("0.0833", "1/12")
    assert shown["divisor"] == "138.4"
    assert shown["inputs"]["birth"] == "1965-01"
    assert shown["inputs"]["transitional_coefficient"] == "0.012"
    assert len(shown["inputs"]["bases"]) == 179
    assert shown["inputs"]["bases"][0] == {
        "month": "1990-01",
        "base_fen": 800000,
        "wage_fen": 1000000,
        "index": "0.8000",
        "index_fraction": "4/5",
    }
    assert [f["name"] for f in shown["formulas"]] == [
        "basic",
        "account",
        "transitional",
        "monthly",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"paid_months": 359},  # one base per paid month
        {"bases": bases(359) + bases(1), "paid_months": 360},  # a month twice
        {"benefit_base_fen": 0},
        {"balance_fen": -1},
        {"deemed_months": -1},
        {"transitional_coefficient": Decimal("0.5")},
        {"start": ym("2004-12")},  # aged 39: no divisor
        {"bases": (MonthBase(ym("2000-01"), 800000, 0),), "paid_months": 1},
    ],
)
def test_refused_inputs(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        grant(inputs(**changes))


def test_decimals_rounds_half_up_for_display() -> None:
    assert decimals(Fraction(1, 8), 2) == "0.13"
    assert decimals(Fraction(-1, 8), 2) == "-0.13"
    assert decimals(Fraction(179, 12)) == "14.9167"
