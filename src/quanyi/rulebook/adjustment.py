"""The yearly pension adjustment (调待) as data: a percentage of the current amount, a fixed
amount per person, an amount per contribution year and extra amounts by age. Pure: no database,
no clock. The caller applies it to every pensioner set-based."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quanyi.core.errors import ErrorCollector
from quanyi.core.money import MAX_FEN, round_fen

MAX_PERCENT = Decimal("0.2")  # yearly rises have been 2 %–10 %; above 20 % is a typing error
MAX_AGE = 150


@dataclass(frozen=True)
class AdjustmentRule:
    percent: Decimal = Decimal(0)  # of the current monthly amount, e.g. Decimal("0.02")
    fixed_fen: int = 0  # 定额调整, per person
    per_year_fen: int = 0  # 挂钩调整: per whole contribution year
    age_tilts: tuple[tuple[int, int], ...] = ()  # 倾斜: (minimum age in years, extra fen)

    def validate(self) -> None:
        errors = ErrorCollector()
        if not (self.percent.is_finite() and Decimal(0) <= self.percent <= MAX_PERCENT):
            errors.add(
                "percent",
                "out_of_range",
                f"调整比例须在 0 至 {MAX_PERCENT} 之间，收到 {self.percent}",
                f"the percentage must be 0 to {MAX_PERCENT}, got {self.percent}",
            )
        for name in ("fixed_fen", "per_year_fen"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_FEN:
                errors.add(name, "out_of_range", f"须为 0 至 {MAX_FEN} 分", f"0 to {MAX_FEN} fen")
        ages = [age for age, _ in self.age_tilts]
        if len(set(ages)) != len(ages):
            errors.add("age_tilts", "duplicate_age", "倾斜年龄段重复", "an age band is repeated")
        for age, extra in self.age_tilts:
            if not (0 <= age <= MAX_AGE and 0 <= extra <= MAX_FEN):
                errors.add(
                    "age_tilts",
                    "out_of_range",
                    f"倾斜年龄须为 0 至 {MAX_AGE} 岁、金额 0 至 {MAX_FEN} 分，"
                    f"收到 ({age}, {extra})",
                    f"a tilt's age must be 0 to {MAX_AGE} and its amount 0 to {MAX_FEN} fen, "
                    f"got ({age}, {extra})",
                )
        errors.raise_if_any()


def raise_for(
    rule: AdjustmentRule, monthly_fen: int, contribution_months: int, age_years: int
) -> int:
    """The monthly increase of one pensioner, rounded once: percent × current amount + fixed
    + per whole contribution year + the extra of the highest age band reached."""
    rule.validate()
    errors = ErrorCollector()
    for name, value in (
        ("monthly_fen", monthly_fen),
        ("contribution_months", contribution_months),
        ("age_years", age_years),
    ):
        if value < 0:
            errors.add(name, "negative", f"不得为负数，收到 {value}", f"negative: {value}")
    if monthly_fen > MAX_FEN:
        errors.add("monthly_fen", "too_large", f"不得超过 {MAX_FEN} 分", f"at most {MAX_FEN}")
    errors.raise_if_any()
    reached = [(age, extra) for age, extra in rule.age_tilts if age_years >= age]
    tilt = max(reached)[1] if reached else 0
    linked = rule.per_year_fen * (contribution_months // 12)
    return round_fen(Decimal(monthly_fen) * rule.percent + rule.fixed_fen + linked + tilt)
