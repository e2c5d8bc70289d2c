"""Pure calculations of the rights record (REFERENCE.md). No database, no clock.

Amounts are integer fen; rates are ``Decimal``, or exact ``Fraction``s of them where a bulk
path computes millions of lines (``Rates``). Rounding (half-up to the fen) happens exactly at
the points REFERENCE.md names — each monthly amount, each year's interest, each monthly benefit
— and only through ``core.money``: ``round_fen`` on a Decimal, or its integer twin
``round_ratio`` on a fraction's numerator and denominator (``Rates.amounts``, used by posting,
back-payment, the legacy import and the demo's history). The two round alike; a property test
holds them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Protocol, TypeVar

from quanyi.core.errors import NotFound
from quanyi.core.money import round_fen, round_ratio
from quanyi.core.yearmonth import YearMonth

K = TypeVar("K", str, int)
NATIONAL_FACTOR = Decimal("1.083") / 2  # 年度计息: credits of the year earn 1.083 × ½ of r
LATE_FEE_DAILY = Decimal("0.0005")  # 社会保险法 art. 86: 0.05 % a day
MONTHS_DIVISOR: dict[int, int] = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207,
    48: 204, 49: 199, 50: 195, 51: 190, 52: 185, 53: 180, 54: 175, 55: 170,
    56: 164, 57: 158, 58: 152, 59: 145, 60: 139, 61: 132, 62: 125, 63: 117,
    64: 109, 65: 101, 66: 93, 67: 84, 68: 75, 69: 65, 70: 56,
}  # fmt: skip


# --- contributions -------------------------------------------------------------------------


def monthly_amount(base_fen: int, rate: Decimal) -> int:
    """One share (employer or employee) of one insurance for one month: base × rate, rounded."""
    return round_fen(Decimal(base_fen) * rate)


@dataclass(frozen=True)
class Base:
    base_fen: int
    clamped: str  # "" | "lower" | "upper"


def bounded_base(wage_fen: int, lower_fen: int, upper_fen: int) -> Base:
    """The contribution base: last year's average monthly wage clamped to the region's bounds."""
    if lower_fen > upper_fen:
        raise ValueError("the lower bound exceeds the upper bound")
    if wage_fen < lower_fen:
        return Base(lower_fen, "lower")
    if wage_fen > upper_fen:
        return Base(upper_fen, "upper")
    return Base(wage_fen, "")


def account_share(base_fen: int, share: Decimal) -> int:
    """The part of a month's employee contribution credited to the personal account
    (8 % of the base since 2006, 11 % before)."""
    return monthly_amount(base_fen, share)


class Parameters(Protocol):
    """What ``Rates.of`` reads: the rulebook's parameters as of a day (``rulebook.queries.
    Rulebook``, a snapshot already read)."""

    def find(self, key: str, region: str, on: date) -> tuple[str, str, date, int] | None: ...

    def fraction(self, key: str, region: str, on: date) -> Decimal: ...

    def fen(self, key: str, region: str, on: date) -> int: ...


@dataclass(frozen=True)
class Rates:
    """One region's rates for one month, as exact fractions (integer arithmetic per line)."""

    employer: dict[str, Fraction]
    employee: dict[str, Fraction]
    injury: dict[int, Fraction]  # the employer's injury rate by its risk class (1-8)
    account: Fraction  # the share of the base credited to the pension personal account
    lower_fen: int | None  # None where the rulebook has no bounds for the month
    month: str = ""
    has_account: bool = True
    _cache: dict[tuple[str, int, int], tuple[int, int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(
        cls, book: Parameters, region: str, month: YearMonth, insurances: Iterable[str]
    ) -> Rates:
        """The rates of ``insurances`` (employee insurances; ``injury`` is paid by the
        employer at its class's rate) in force in ``region`` on the month's first day."""
        on = month.first_day()

        def rates(keys: Iterable[tuple[K, str]]) -> dict[K, Fraction]:
            # A rate the month lacks is left out (a 1995 month has a pension rate and no
            # injury one); ``amounts`` refuses a line that needs it, naming the parameter.
            found = {}
            for name, key in keys:
                if book.find(key, region, on) is not None:
                    found[name] = Fraction(book.fraction(key, region, on))
            return found

        kinds = sorted(set(insurances) - {"injury"})
        shares = rates([("account", "account.share")])
        return cls(
            employer=rates((k, f"rate.employer.{k}") for k in kinds),
            employee=rates((k, f"rate.employee.{k}") for k in [*kinds, "injury"]),
            injury=rates((c, f"rate.injury.class{c}") for c in range(1, 9)),
            account=shares.get("account", Fraction(0)),
            lower_fen=book.fen("base.lower", region, on)
            if book.find("base.lower", region, on)
            else None,
            month=str(month),
            has_account="account" in shares,
        )

    def missing(self, insurance: str, injury_class: int) -> str | None:
        """The parameter a line of ``insurance`` needs and the month lacks, if any."""
        if insurance == "injury":
            if injury_class not in self.injury:
                return f"rate.injury.class{injury_class}"
        elif insurance not in self.employer:
            return f"rate.employer.{insurance}"
        if insurance not in self.employee:
            return f"rate.employee.{insurance}"
        if insurance == "pension" and not self.has_account:
            return "account.share"
        return None

    def amounts(self, insurance: str, base_fen: int, injury_class: int) -> tuple[int, int, int]:
        """(employer, employee, personal-account) fen for one line, each rounded half-up once.
        Bases repeat (bounds, common wages), so results are kept per month's rates."""
        key = (insurance, base_fen, injury_class)
        found = self._cache.get(key)
        if found is None:
            lacking = self.missing(insurance, injury_class)
            if lacking is not None:
                raise NotFound(
                    f"参数 {lacking} 在 {self.month} 无取值",
                    f"parameter {lacking} has no value for {self.month}",
                )
            employer_rate = (
                self.injury[injury_class] if insurance == "injury" else self.employer[insurance]
            )
            share = self.account if insurance == "pension" else Fraction(0)
            found = (
                _times(base_fen, employer_rate),
                _times(base_fen, self.employee[insurance]),
                _times(base_fen, share),
            )
            self._cache[key] = found
        return found


def _times(base_fen: int, rate: Fraction) -> int:
    return round_ratio(base_fen * rate.numerator, rate.denominator)


def late_fee(owed_fen: int, days: int, daily: Decimal = LATE_FEE_DAILY) -> int:
    """滞纳金 on an amount owed for ``days`` days; it goes to the fund, never to the account."""
    if days <= 0 or owed_fen <= 0:
        return 0
    return round_fen(Decimal(owed_fen) * daily * days)


# --- the personal account ------------------------------------------------------------------


def exact_interest(
    opening_fen: int,
    credits_by_month: Mapping[int, int],
    rate: Decimal,
    method: str = "national",
) -> Decimal:
    """A year's interest before rounding.

    ``national`` (年度计息): opening × r + credited × r × 1.083 × ½.
    ``monthly`` (月积数法): opening × r + Σ credit_m × r × (13 − m) / 12.
    """
    if method == "national":
        credited = sum(credits_by_month.values())
        return Decimal(opening_fen) * rate + Decimal(credited) * rate * NATIONAL_FACTOR
    if method == "monthly":
        weighted = sum(Decimal(amount) * (13 - month) for month, amount in credits_by_month.items())
        return Decimal(opening_fen) * rate + weighted * rate / 12
    raise ValueError(f"unknown interest method {method!r}")


def yearly_interest(
    opening_fen: int,
    credits_by_month: Mapping[int, int],
    rate: Decimal,
    method: str = "national",
) -> int:
    """A year's interest, rounded once."""
    return round_fen(exact_interest(opening_fen, credits_by_month, rate, method))


@dataclass(frozen=True)
class YearClose:
    year: int
    opening_fen: int
    credited_fen: int
    interest_fen: int

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.credited_fen + self.interest_fen


def close_year(
    year: int,
    opening_fen: int,
    credits_by_month: Mapping[int, int],
    rate: Decimal,
    method: str = "national",
) -> YearClose:
    return YearClose(
        year,
        opening_fen,
        sum(credits_by_month.values()),
        yearly_interest(opening_fen, credits_by_month, rate, method),
    )


def late_credit_interest(
    amount_fen: int,
    month: int,
    rates_by_year: Iterable[tuple[int, Decimal]],
    method: str = "national",
) -> int:
    """补记利息: interest a credit for ``month`` of the first listed (closed) year would have
    earned through every closed year listed, compounding as the account would have."""
    balance = Decimal(amount_fen)
    earned = Decimal(0)
    for index, (_, rate) in enumerate(rates_by_year):
        if index == 0:
            factor = NATIONAL_FACTOR if method == "national" else Decimal(13 - month) / 12
            interest = balance * rate * factor
        else:
            interest = (balance + earned) * rate
        earned += interest
    return round_fen(earned)


# --- contribution months and years -----------------------------------------------------------


def contribution_months(paid_months: Iterable[str]) -> int:
    """Months that count: each distinct paid month once, whatever its insurances."""
    return len(set(paid_months))


def contribution_years(months: int) -> Decimal:
    """缴费年限 in years, to the month (months / 12, kept exact to 2 places for display)."""
    return (Decimal(months) / 12).quantize(Decimal("0.01"))


# --- benefits --------------------------------------------------------------------------------


def basic_pension(benefit_base_fen: int, average_index: Decimal, years: Decimal) -> int:
    """基础养老金 (国发〔2005〕38号): (base + base × index) / 2 × years × 1 %, rounded."""
    return round_fen(Decimal(benefit_base_fen) * (1 + average_index) / 2 * years / Decimal(100))


def months_divisor(age_years: Decimal) -> Decimal:
    """计发月数 for a retirement age; between whole ages interpolated linearly to 0.1 month."""
    whole = int(age_years)
    if whole < 40 or whole > 70 or (whole == 70 and age_years != 70):
        raise ValueError(f"no months divisor for age {age_years}")
    low = Decimal(MONTHS_DIVISOR[whole])
    if age_years == whole:
        return low
    high = Decimal(MONTHS_DIVISOR[whole + 1])
    # Half-up like every other rounding here: the context's default (half-even) would give
    # 137.2 instead of 137.3 for 60 years 3 months, where the interpolation ends in .x5.
    return (low + (high - low) * (age_years - whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def account_pension(balance_fen: int, divisor: Decimal) -> int:
    """个人账户养老金: the balance at retirement over the months divisor, rounded."""
    return round_fen(Decimal(balance_fen) / divisor)


def minimum_contribution_years(retirement: date) -> Decimal:
    """15 years for retirement in 2029 or earlier, then +6 months a year to 20 from 2039."""
    if retirement.year <= 2029:
        return Decimal(15)
    return min(Decimal(20), Decimal(15) + Decimal("0.5") * (retirement.year - 2029))
