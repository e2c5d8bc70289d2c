"""The yearly pension adjustment (调待) as data. No database.

Source: the yearly notices of 人力资源社会保障部 and 财政部 on adjusting retirees' basic pensions
(定额调整, 挂钩调整, 适当倾斜): a fixed amount, a part linked to contribution years and to the
current amount, extra for the oldest; each province sets the figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.rulebook.adjustment import AdjustmentRule, raise_for

RULE = AdjustmentRule(
    percent=Decimal("0.01"),
    fixed_fen=5000,  # 50.00 yuan each
    per_year_fen=200,  # 2.00 yuan per whole contribution year
    age_tilts=((70, 3000), (80, 6000), (75, 4500)),  # bands in any order
)


@pytest.mark.parametrize(
    ("monthly", "months", "age", "increase"),
    [
        (400000, 360, 65, 4000 + 5000 + 6000),  # no tilt below 70
        (400000, 360, 70, 4000 + 5000 + 6000 + 3000),
        (400000, 360, 79, 4000 + 5000 + 6000 + 4500),  # the highest band reached, not a sum
        (400000, 371, 85, 4000 + 5000 + 6000 + 6000),  # 30 whole years of 371 months
        (123456, 0, 60, 1235 + 5000),  # 1234.56 → 1235, rounded once
    ],
)
def test_raise_with_tilts(monthly: int, months: int, age: int, increase: int) -> None:
    """调待 notice: percent of the current amount + fixed + per year + the age band's extra."""
    assert raise_for(RULE, monthly, months, age) == increase


def test_rounded_once_not_per_part() -> None:
    """REFERENCE.md Money and rounding: 0.5 + 0.5 fen from two parts is one fen, not two."""
    rule = AdjustmentRule(percent=Decimal("0.015"))
    assert raise_for(rule, 100, 0, 60) == 2  # 1.5 → 2
    assert raise_for(AdjustmentRule(), 100000, 600, 90) == 0


@pytest.mark.parametrize(
    "rule",
    [
        AdjustmentRule(percent=Decimal("-0.01")),
        AdjustmentRule(percent=Decimal("0.21")),
        AdjustmentRule(percent=Decimal("NaN")),
        AdjustmentRule(fixed_fen=-1),
        AdjustmentRule(per_year_fen=10**11 + 1),
        AdjustmentRule(age_tilts=((70, -1),)),
        AdjustmentRule(age_tilts=((200, 100),)),
        AdjustmentRule(age_tilts=((70, 100), (70, 200))),
    ],
)
def test_absurd_rules_are_refused(rule: AdjustmentRule) -> None:
    with pytest.raises(InvalidInput):
        rule.validate()
    with pytest.raises(InvalidInput):
        raise_for(rule, 100000, 120, 70)


def test_negative_person_figures_are_refused() -> None:
    for args in ((-1, 0, 60), (100, -1, 60), (100, 0, -1)):
        with pytest.raises(InvalidInput):
            raise_for(RULE, *args)


@given(st.integers(0, 10**8), st.integers(0, 600), st.integers(0, 110), st.integers(0, 12))
def test_never_falls_with_amount_years_or_age(
    monthly: int, months: int, age: int, more: int
) -> None:
    """A larger pension, a longer record or an older person never gets a smaller rise."""
    base = raise_for(RULE, monthly, months, age)
    assert base <= raise_for(RULE, monthly + more, months, age)
    assert base <= raise_for(RULE, monthly, months + more, age)
    assert base <= raise_for(RULE, monthly, months, age + more)
