"""养老金测算: what the monthly pension would be at a chosen retirement month, from the record
so far and stated assumptions. Pure: no database, no clock (``today`` is given).

The projection is month by month after ``today`` up to the month before retirement: each month
is paid on ``future_base_fen`` against the average wage grown yearly from ``current_wage_fen``;
its personal-account credit is rounded per month and each calendar year's interest once, by the
national formula (``calc.yearly_interest``), as the account is kept. The part years at either
end (after ``today``, before retirement) earn the rate for the share of the year they cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.money import MAX_FEN, round_fen
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc
from quanyi.rulebook.pension import MAX_MONTHS, MonthBase, PensionDecision, PensionInputs, grant

MAX_HORIZON = 600  # months from today to retirement: fifty years
GROWTH_RANGE = (Decimal("-0.5"), Decimal(1))


@dataclass(frozen=True)
class Assumptions:
    retire: YearMonth  # default: the statutory month (caller supplies)
    future_base_fen: int  # monthly base from next month to retirement
    wage_growth: Decimal  # yearly growth of average wage and benefit base, e.g. 0.05
    crediting_rate: Decimal  # yearly crediting rate for the account, e.g. 0.03
    account_share: Decimal = Decimal("0.08")


@dataclass(frozen=True)
class EstimateYear:
    year: int
    balance_fen: int  # the account at the year's end (at retirement for the last, part year)
    months: int  # contribution months counted by then, deemed months included


@dataclass(frozen=True)
class Estimate:
    decision: PensionDecision
    assumptions: Assumptions
    years: tuple[EstimateYear, ...]


def _check(
    birth: YearMonth,
    today: YearMonth,
    bases_so_far: Sequence[MonthBase],
    deemed_months: int,
    balance_fen: int,
    current_wage_fen: int,
    benefit_base_fen: int,
    assumptions: Assumptions,
) -> None:
    errors = ErrorCollector()
    retire = assumptions.retire
    if not today < retire <= today.add(MAX_HORIZON):
        errors.add(
            "retire",
            "out_of_range",
            f"退休时间须晚于 {today} 且不超过其后 {MAX_HORIZON} 个月，收到 {retire}",
            f"the retirement month must be after {today} and within {MAX_HORIZON} months, "
            f"got {retire}",
        )
    if today < birth:
        errors.add("today", "before_birth", "测算月份早于出生年月", "today precedes the birth")
    low, high = GROWTH_RANGE
    for name, what_zh in (("wage_growth", "工资年增长率"), ("crediting_rate", "记账利率")):
        rate = getattr(assumptions, name)
        if not (rate.is_finite() and low <= rate <= high):
            errors.add(
                name,
                "out_of_range",
                f"{what_zh}须在 {low} 至 {high} 之间，收到 {rate}",
                f"a yearly rate must be {low} to {high}, got {rate}",
            )
    share = assumptions.account_share
    if not (share.is_finite() and Decimal(0) <= share <= Decimal(1)):
        errors.add(
            "account_share",
            "out_of_range",
            f"记入个人账户的比例须在 0 至 1 之间，收到 {share}",
            f"the account share must be 0 to 1, got {share}",
        )
    for name, value, least, most in (
        ("future_base_fen", assumptions.future_base_fen, 1, MAX_FEN),
        ("current_wage_fen", current_wage_fen, 1, MAX_FEN),
        ("benefit_base_fen", benefit_base_fen, 1, MAX_FEN),
        ("balance_fen", balance_fen, 0, MAX_FEN),
        ("deemed_months", deemed_months, 0, MAX_MONTHS),
    ):
        if not least <= value <= most:
            errors.add(name, "out_of_range", f"须为 {least} 至 {most} 的整数", f"{least} to {most}")
    late = [line.month for line in bases_so_far if line.month > today]
    if late:
        errors.add(
            "bases_so_far",
            "after_today",
            f"已有缴费记录不得晚于测算月份 {today}，收到 {late[0]}",
            f"the record so far cannot include months after {today}, got {late[0]}",
        )
    errors.raise_if_any()


def estimate(
    birth: YearMonth,
    today: YearMonth,
    bases_so_far: Sequence[MonthBase],
    deemed_months: int,
    balance_fen: int,
    current_wage_fen: int,
    benefit_base_fen: int,
    assumptions: Assumptions,
    transitional_coefficient: Decimal | None = None,
) -> Estimate:
    """The pension granted at ``assumptions.retire`` if the stated assumptions hold.
    ``balance_fen`` is the account at the end of ``today`` with interest credited to then."""
    _check(
        birth,
        today,
        bases_so_far,
        deemed_months,
        balance_fen,
        current_wage_fen,
        benefit_base_fen,
        assumptions,
    )
    retire = assumptions.retire
    growth = 1 + assumptions.wage_growth
    base = assumptions.future_base_fen
    credit = calc.account_share(base, assumptions.account_share)
    wages: dict[int, int] = {}

    def wage_in(year: int) -> int:
        # Compounded from today's figure and rounded once a year, never on a rounded figure.
        if year not in wages:
            wages[year] = round_fen(current_wage_fen * growth ** (year - today.year))
            if wages[year] <= 0:
                raise InvalidInput.one(
                    "wage_growth",
                    "wage_vanishes",
                    f"按年增长率 {assumptions.wage_growth}，{year} 年的社会平均工资不足 1 分",
                    f"at a yearly growth of {assumptions.wage_growth} the average wage of "
                    f"{year} falls below one fen",
                )
        return wages[year]

    lines = list(bases_so_far)
    counted = len(lines) + deemed_months
    balance = balance_fen
    credits: dict[int, int] = {}
    years: list[EstimateYear] = []
    month = today.add(1)
    while month < retire:
        lines.append(MonthBase(month, base, wage_in(month.year)))
        credits[month.month] = credit
        counted += 1
        following = month.add(1)
        if following.year != month.year or following == retire:
            rate = assumptions.crediting_rate
            if len(credits) < 12:
                rate = rate * len(credits) / 12
            interest = calc.yearly_interest(balance, credits, rate, "national")
            balance += sum(credits.values()) + interest
            years.append(EstimateYear(month.year, balance, counted))
            credits = {}
        month = following

    whole_years = (retire.index - today.index) // 12
    benefit_base = round_fen(benefit_base_fen * growth**whole_years)
    decision = grant(
        PensionInputs(
            birth=birth,
            start=retire,
            benefit_base_fen=benefit_base,
            bases=tuple(lines),
            paid_months=len(lines),
            deemed_months=deemed_months,
            balance_fen=balance,
            transitional_coefficient=transitional_coefficient,
        )
    )
    return Estimate(decision, assumptions, tuple(years))
