"""The calculators against every check value in REFERENCE.md. No database."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import NotFound
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc
from quanyi.rulebook.queries import Rulebook

TWELVE = {month: 80000 for month in range(1, 13)}  # 12 × 800.00 yuan


@pytest.mark.parametrize(
    ("method", "interest", "closing"),
    [("national", 275620, 11235620), ("monthly", 275624, 11235624)],
)
def test_reference_interest_check(method: str, interest: int, closing: int) -> None:
    """REFERENCE.md: opening 100000.00, 12 × 800.00, r = 2.62 % → 2756.20 (national),
    closing 112356.20; 2756.24 by monthly accumulation."""
    closed = calc.close_year(2024, 10000000, TWELVE, Decimal("0.0262"), method)
    assert (closed.interest_fen, closed.closing_fen) == (interest, closing)


def test_reference_basic_pension_check() -> None:
    """REFERENCE.md: 12049 × (1 + 0.8) / 2 × 30 × 1 % = 3253.23."""
    assert calc.basic_pension(1204900, Decimal("0.8"), Decimal(30)) == 325323


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        (1000000, "0.16", 160000),  # pension, employer (国办发〔2019〕13号)
        (1000000, "0.08", 80000),  # pension, employee
        (1000000, "0.098", 98000),  # medical, employer, Beijing
        (1000000, "0.005", 5000),  # unemployment, reduced
        (1000000, "0.002", 2000),  # injury class 1
        (1000000, "0.019", 19000),  # injury class 8
        (682100, "0.005", 3411),  # 3410.5 fen rounds half up
        (12345, "0.08", 988),  # 987.6 → 988
        (12345, "0.02", 247),  # 246.9 → 247
    ],
)
def test_monthly_amounts_round_half_up_once(base: int, rate: str, expected: int) -> None:
    assert calc.monthly_amount(base, Decimal(rate)) == expected


@pytest.mark.parametrize(
    ("wage", "lower", "upper", "expected"),
    [
        (500000, 682100, 3528300, calc.Base(682100, "lower")),  # Beijing 2024-07
        (4000000, 682100, 3528300, calc.Base(3528300, "upper")),
        (1176100, 682100, 3528300, calc.Base(1176100, "")),
        (100000, 706620, 3533100, calc.Base(706620, "lower")),  # Tibet keeps 7066.2
        (424400, 424400, 2121900, calc.Base(424400, "")),  # Shanxi 2026, at the bound
    ],
)
def test_bounded_base(wage: int, lower: int, upper: int, expected: calc.Base) -> None:
    assert calc.bounded_base(wage, lower, upper) == expected


def test_bounds_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        calc.bounded_base(1, 10, 5)


def test_account_share_is_8_percent_since_2006_and_11_before() -> None:
    assert calc.account_share(1000000, Decimal("0.08")) == 80000
    assert calc.account_share(1000000, Decimal("0.11")) == 110000


@pytest.mark.parametrize(("owed", "days", "fee"), [(100000, 10, 500), (100000, 0, 0), (3333, 1, 2)])
def test_late_fee_is_half_a_permille_a_day(owed: int, days: int, fee: int) -> None:
    assert calc.late_fee(owed, days) == fee


@pytest.mark.parametrize(
    ("age", "months"),
    [
        ("40", "233"),
        ("47", "207"),
        ("50", "195"),
        ("55", "170"),
        ("60", "139"),
        ("70", "56"),
        ("60.5", "135.5"),
        ("63.25", "115.0"),
        ("60.25", "137.3"),  # 137.25: half-up, not half-even
        ("61.75", "126.8"),  # 126.75
    ],
)
def test_months_divisor(age: str, months: str) -> None:
    assert calc.months_divisor(Decimal(age)) == Decimal(months)


def test_months_divisor_outside_the_table() -> None:
    for age in ("39", "70.5"):
        with pytest.raises(ValueError):
            calc.months_divisor(Decimal(age))


def test_account_pension() -> None:
    assert calc.account_pension(13900000, Decimal(139)) == 100000


@pytest.mark.parametrize(
    ("year", "years"),
    [(2025, "15"), (2029, "15"), (2030, "15.5"), (2034, "17.5"), (2039, "20"), (2050, "20")],
)
def test_minimum_contribution_years(year: int, years: str) -> None:
    assert calc.minimum_contribution_years(date(year, 6, 1)) == Decimal(years)


def test_contribution_months_count_each_paid_month_once() -> None:
    months = calc.contribution_months(["2024-01", "2024-01", "2024-02"])
    assert months == 2
    assert calc.contribution_years(30) == Decimal("2.50")


def test_late_credit_interest_compounds_through_closed_years() -> None:
    # 800.00 for December 2022, paid in 2025: 2022 national factor, then 2023 and 2024 whole.
    rates = [(2022, Decimal("0.0612")), (2023, Decimal("0.0397")), (2024, Decimal("0.0262"))]
    first = Decimal(80000) * Decimal("0.0612") * calc.NATIONAL_FACTOR
    second = (80000 + first) * Decimal("0.0397")
    third = (80000 + first + second) * Decimal("0.0262")
    exact = (first + second + third).quantize(Decimal(1), ROUND_HALF_UP)
    assert calc.late_credit_interest(80000, 12, rates) == int(exact)
    monthly = calc.late_credit_interest(80000, 12, rates[:1], "monthly")
    assert monthly == 408  # 800 × 6.12 % × 1/12 = 4.08


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=10**7))
def test_twelve_equal_credits_differ_only_by_the_factor(opening: int, credit: int) -> None:
    credits = {m: credit for m in range(1, 13)}
    rate = Decimal("0.0312")
    national = calc.yearly_interest(opening, credits, rate, "national")
    monthly = calc.yearly_interest(opening, credits, rate, "monthly")
    # 78/144 = 0.54166… against 1.083 × ½ = 0.5415: monthly never pays less.
    assert monthly >= national
    assert monthly - national <= 12 * credit * rate * Decimal("0.0002") + 1


def test_unknown_interest_method_is_an_error() -> None:
    with pytest.raises(ValueError):
        calc.yearly_interest(0, {}, Decimal("0.01"), "daily")


# --- a month's rates as fractions (posting, back-payment, the legacy import) ---------------

EMPLOYEE_INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


def book_of(values: dict[str, str], region: str = "000000") -> Rulebook:
    """A rulebook snapshot with these values in force from 2019-05 (no database: the
    snapshot is what ``Rulebook.load`` reads from the parameter table)."""
    book = Rulebook()
    for pk, (key, value) in enumerate(sorted(values.items()), start=1):
        book.rows[(key, region)].append((date(2019, 5, 1), value, pk))
    return book


BEIJING_2025 = {
    "rate.employer.pension": "0.16",
    "rate.employee.pension": "0.08",
    "rate.employer.medical": "0.098",
    "rate.employee.medical": "0.02",
    "rate.employer.unemployment": "0.005",
    "rate.employee.unemployment": "0.005",
    "rate.employer.maternity": "0",
    "rate.employee.maternity": "0",
    "rate.employee.injury": "0",
    **{f"rate.injury.class{c}": f"0.00{c + 1}" for c in range(1, 9)},
    "account.share": "0.08",
    "base.lower": "682100",
}


def test_a_months_rates_give_each_share_of_a_line() -> None:
    """004 part 5: employer and employee shares of each insurance; the pension's personal
    account share (8 % of the base); injury at the employer's risk class, nothing from the
    employee."""
    rates = calc.Rates.of(book_of(BEIJING_2025), "110105", YearMonth(2025, 1), EMPLOYEE_INSURANCES)
    assert rates.lower_fen == 682100
    assert rates.amounts("pension", 1000000, 2) == (160000, 80000, 80000)
    assert rates.amounts("medical", 1000000, 2) == (98000, 20000, 0)
    assert rates.amounts("unemployment", 1000000, 2) == (5000, 5000, 0)
    assert rates.amounts("injury", 1000000, 2) == (3000, 0, 0)  # class 2 here: 0.3 %
    assert rates.amounts("injury", 1000000, 8) == (9000, 0, 0)
    assert rates.amounts("maternity", 1000000, 2) == (0, 0, 0)
    assert rates.amounts("unemployment", 682100, 1) == (3411, 3411, 0)  # 3410.5 rounds up


def test_rates_without_bounds_say_so() -> None:
    values = {k: v for k, v in BEIJING_2025.items() if k != "base.lower"}
    rates = calc.Rates.of(book_of(values), "110105", YearMonth(2025, 1), EMPLOYEE_INSURANCES)
    assert rates.lower_fen is None


def test_rates_are_read_as_of_the_months_first_day() -> None:
    """A month before the rulebook's rates has none: a line of it is refused, naming the
    parameter it lacks (a legacy import reports it per row at intake)."""
    rates = calc.Rates.of(book_of(BEIJING_2025), "110105", YearMonth(2019, 4), EMPLOYEE_INSURANCES)
    assert rates.missing("pension", 1) == "rate.employer.pension"
    with pytest.raises(NotFound, match="no value for 2019-04"):
        rates.amounts("pension", 500000, 1)


@given(
    st.integers(min_value=0, max_value=10**9),
    st.decimals(min_value=0, max_value=1, places=5),
    st.sampled_from(EMPLOYEE_INSURANCES),
    st.integers(min_value=1, max_value=8),
)
def test_integer_shares_round_as_the_decimal_calculator(
    base: int, rate: Decimal, insurance: str, injury_class: int
) -> None:
    """One rounding rule (DESIGN invariant 8): the bulk path's integer arithmetic on
    fractions gives what ``monthly_amount`` gives on Decimals, for every share of a line."""
    exact = Fraction(rate)
    rates = calc.Rates(
        employer={k: exact for k in EMPLOYEE_INSURANCES if k != "injury"},
        employee={k: exact for k in EMPLOYEE_INSURANCES},
        injury={c: exact for c in range(1, 9)},
        account=exact,
        lower_fen=None,
    )
    expected = calc.monthly_amount(base, rate)
    share = expected if insurance == "pension" else 0
    assert rates.amounts(insurance, base, injury_class) == (expected, expected, share)
