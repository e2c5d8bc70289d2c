"""The monthly basic pension granted at retirement (国发〔2005〕38号 part 6; REFERENCE.md Basic
pension). Pure: no database, no clock.

Everything is computed exactly with ``Fraction`` and each of the three parts is rounded once,
half-up, through ``core.money``; the sum is of the rounded parts, as the parts are paid and shown
separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from quanyi.core.errors import ErrorCollector
from quanyi.core.money import MAX_FEN, round_ratio
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc

# Far above any region's 过渡系数 (1.0 %–1.4 %): a larger one is a typing error.
MAX_COEFFICIENT = Decimal("0.05")
MAX_MONTHS = 1200  # a century of months: more is a typing error


@dataclass(frozen=True)
class MonthBase:
    month: YearMonth
    base_fen: int
    wage_fen: int  # the region's average wage in force for that month's base


def average_index(bases: Sequence[MonthBase]) -> Fraction:
    """平均缴费指数: the mean over months of own base / average wage, exact."""
    if not bases:
        return Fraction(0)
    total = Fraction(0)
    for line in bases:
        if line.wage_fen <= 0:
            raise ValueError(f"average wage for {line.month} is not positive: {line.wage_fen}")
        total += Fraction(line.base_fen, line.wage_fen)
    return total / len(bases)


def age_at(birth: YearMonth, start: YearMonth) -> tuple[int, int]:
    """(years, months) completed at ``start``: a man born 1965-01 starting 2025-02 is 60y1m."""
    months = start.index - birth.index
    if months < 0:
        raise ValueError(f"start {start} precedes birth {birth}")
    years, rest = divmod(months, 12)
    return years, rest


def divisor_at(birth: YearMonth, start: YearMonth) -> Decimal:
    """计发月数 for the age at ``start``, interpolated between whole ages to 0.1."""
    years, months = age_at(birth, start)
    return calc.months_divisor(Decimal(years) + Decimal(months) / 12)


@dataclass(frozen=True)
class PensionInputs:
    birth: YearMonth
    start: YearMonth
    benefit_base_fen: int
    bases: tuple[MonthBase, ...]  # every paid month's own base with its wage
    paid_months: int
    deemed_months: int
    balance_fen: int  # personal account balance at retirement
    transitional_coefficient: Decimal | None  # region data; None → no transitional part


@dataclass(frozen=True)
class PensionDecision:
    basic_fen: int
    account_fen: int
    transitional_fen: int
    monthly_fen: int  # the sum of the three, each rounded once
    index: Fraction
    years: Fraction  # (paid + deemed) / 12, never rounded
    deemed_years: Fraction
    divisor: Decimal
    formulas: tuple[tuple[str, str, str], ...]  # (name, zh, en) with the figures substituted
    inputs: PensionInputs | None = None  # what ``grant`` was given, for ``explained``

    def explained(self) -> dict[str, Any]:
        """Every input and result, JSON-ready: fen as ints, ratios as a 4-decimal string and
        the exact fraction as ``"n/d"``."""
        result: dict[str, Any] = {
            "basic_fen": self.basic_fen,
            "account_fen": self.account_fen,
            "transitional_fen": self.transitional_fen,
            "monthly_fen": self.monthly_fen,
            "index": decimals(self.index),
            "index_fraction": exact(self.index),
            "years": decimals(self.years),
            "years_fraction": exact(self.years),
            "deemed_years": decimals(self.deemed_years),
            "deemed_years_fraction": exact(self.deemed_years),
            "divisor": str(self.divisor),
            "formulas": [{"name": n, "zh": zh, "en": en} for n, zh, en in self.formulas],
        }
        if self.inputs is not None:
            given = self.inputs
            coefficient = given.transitional_coefficient
            result["inputs"] = {
                "birth": str(given.birth),
                "start": str(given.start),
                "benefit_base_fen": given.benefit_base_fen,
                "paid_months": given.paid_months,
                "deemed_months": given.deemed_months,
                "balance_fen": given.balance_fen,
                "transitional_coefficient": None if coefficient is None else str(coefficient),
                "bases": [
                    {
                        "month": str(line.month),
                        "base_fen": line.base_fen,
                        "wage_fen": line.wage_fen,
                        "index": decimals(Fraction(line.base_fen, line.wage_fen)),
                        "index_fraction": exact(Fraction(line.base_fen, line.wage_fen)),
                    }
                    for line in given.bases
                ],
            }
        return result


def decimals(value: Fraction, places: int = 4) -> str:
    """A ratio for display, half-up to ``places`` decimals (display only, never computed on)."""
    scale = 10**places
    scaled = round_ratio(value.numerator * scale, value.denominator)
    sign = "-" if scaled < 0 else ""
    whole, rest = divmod(abs(scaled), scale)
    return f"{sign}{whole}.{rest:0{places}d}"


def exact(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _percent(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"


def _fen(value: Fraction) -> int:
    return round_ratio(value.numerator, value.denominator)


def _check(inputs: PensionInputs) -> None:
    errors = ErrorCollector()
    limits = {"paid_months": MAX_MONTHS, "deemed_months": MAX_MONTHS, "balance_fen": MAX_FEN}
    for name, most in limits.items():
        value = getattr(inputs, name)
        if not 0 <= value <= most:
            errors.add(name, "out_of_range", f"须为 0 至 {most} 的整数", f"0 to {most}")
    if not 0 < inputs.benefit_base_fen <= MAX_FEN:
        errors.add(
            "benefit_base_fen", "out_of_range", f"须为 1 至 {MAX_FEN} 的整数", f"1 to {MAX_FEN}"
        )
    if len(inputs.bases) != inputs.paid_months:
        errors.add(
            "bases",
            "bases_mismatch",
            f"缴费基数须逐月列出：{inputs.paid_months} 个实际缴费月，收到 {len(inputs.bases)} 条",
            f"one base per paid month: {inputs.paid_months} paid months, "
            f"{len(inputs.bases)} bases given",
        )
    months = [line.month for line in inputs.bases]
    if len(set(months)) != len(months):
        errors.add("bases", "duplicate_month", "同一月份的基数重复", "a month's base is repeated")
    if any(line.wage_fen <= 0 or not 0 <= line.base_fen <= MAX_FEN for line in inputs.bases):
        errors.add(
            "bases",
            "out_of_range",
            "基数须为非负整数（分），社会平均工资须为正数",
            "bases must be non-negative fen and average wages positive",
        )
    coefficient = inputs.transitional_coefficient
    if coefficient is not None and not Decimal(0) <= coefficient <= MAX_COEFFICIENT:
        errors.add(
            "transitional_coefficient",
            "out_of_range",
            f"过渡系数须在 0 至 {_percent(MAX_COEFFICIENT)} 之间，收到 {coefficient}",
            f"the transitional coefficient must be 0 to {_percent(MAX_COEFFICIENT)}, "
            f"got {coefficient}",
        )
    try:
        divisor_at(inputs.birth, inputs.start)
    except ValueError:
        errors.add(
            "start",
            "no_divisor",
            f"退休时间 {inputs.start} 对应的年龄不在计发月数表（40 至 70 岁）内",
            f"the age at {inputs.start} is outside the months divisor table (40 to 70)",
        )
    errors.raise_if_any()


def grant(inputs: PensionInputs) -> PensionDecision:
    """基本养老金 = 基础养老金 + 个人账户养老金 + 过渡性养老金, each part rounded once."""
    _check(inputs)
    base = inputs.benefit_base_fen
    index = average_index(inputs.bases)
    years = Fraction(inputs.paid_months + inputs.deemed_months, 12)
    deemed_years = Fraction(inputs.deemed_months, 12)
    divisor = divisor_at(inputs.birth, inputs.start)

    basic = _fen(base * (1 + index) / 2 * years / 100)
    account = _fen(Fraction(inputs.balance_fen) / Fraction(divisor))
    coefficient = inputs.transitional_coefficient
    transitional = (
        0
        if coefficient is None or not inputs.deemed_months
        else _fen(base * index * deemed_years * Fraction(coefficient))
    )
    monthly = basic + account + transitional

    formulas: list[tuple[str, str, str]] = [
        (
            "basic",
            f"基础养老金 = 计发基数 {_yuan(base)} × (1 + 平均缴费指数 {decimals(index)}) ÷ 2 × "
            f"缴费年限 {decimals(years)} × 1% = {_yuan(basic)}",
            f"basic pension = benefit base {_yuan(base)} × (1 + average contribution index "
            f"{decimals(index)}) ÷ 2 × contribution years {decimals(years)} × 1% = {_yuan(basic)}",
        ),
        (
            "account",
            f"个人账户养老金 = 个人账户储存额 {_yuan(inputs.balance_fen)} ÷ 计发月数 {divisor} = "
            f"{_yuan(account)}",
            f"personal account pension = account balance {_yuan(inputs.balance_fen)} ÷ months "
            f"divisor {divisor} = {_yuan(account)}",
        ),
    ]
    if coefficient is not None and inputs.deemed_months:
        formulas.append(
            (
                "transitional",
                f"过渡性养老金 = 计发基数 {_yuan(base)} × 平均缴费指数 {decimals(index)} × "
                f"视同缴费年限 {decimals(deemed_years)} × 过渡系数 {_percent(coefficient)} = "
                f"{_yuan(transitional)}",
                f"transitional pension = benefit base {_yuan(base)} × average contribution index "
                f"{decimals(index)} × deemed years {decimals(deemed_years)} × transitional "
                f"coefficient {_percent(coefficient)} = {_yuan(transitional)}",
            )
        )
    formulas.append(
        (
            "monthly",
            f"月基本养老金 = {_yuan(basic)} + {_yuan(account)} + {_yuan(transitional)} = "
            f"{_yuan(monthly)}",
            f"monthly basic pension = {_yuan(basic)} + {_yuan(account)} + {_yuan(transitional)} "
            f"= {_yuan(monthly)}",
        )
    )
    return PensionDecision(
        basic_fen=basic,
        account_fen=account,
        transitional_fen=transitional,
        monthly_fen=monthly,
        index=index,
        years=years,
        deemed_years=deemed_years,
        divisor=divisor,
        formulas=tuple(formulas),
        inputs=inputs,
    )
