"""Which parameters exist and what their values look like."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from quanyi.core.errors import InvalidInput

INSURANCES = ("pension", "medical", "maternity", "unemployment", "injury")
RATE = re.compile(r"rate\.(employer|employee)\.(pension|medical|maternity|unemployment|injury)")
INJURY_CLASS = re.compile(r"rate\.injury\.class[1-8]")
# 伤残津贴 as a fraction of the worker's own wage: grades 1-4 (工伤保险条例 art. 35) and 5-6
# (art. 36); grades 7-10 receive no allowance, so they have no parameter.
INJURY_ALLOWANCE = re.compile(r"injury\.allowance\.grade[1-6]")
FEN_KEYS = frozenset(
    {
        "wage.average",
        "base.lower",
        "base.upper",
        "benefit.base",
        "benefit.funeral",  # 丧葬补助金
        "benefit.survivor",  # 一次性抚恤金
        "unemployment.monthly",  # 失业保险金月标准
        "unemployment.farmer_year",  # 农民合同制工人一次性生活补助, per full year
    }
)
FRACTION_KEYS = frozenset(
    {
        "account.share",
        "interest.rate",
        "late_fee.daily",
        "benefit.transitional",  # 过渡性养老金计发系数
    }
)


class InterestMethod(StrEnum):
    """How a year's interest is computed (``interest.method``)."""

    NATIONAL = "national"  # 年度计息: credited × r × 1.083 × ½
    MONTHLY = "monthly"  # 月积数法


METHODS = frozenset(InterestMethod)


def kind_of(key: str) -> str | None:
    if (
        RATE.fullmatch(key)
        or INJURY_CLASS.fullmatch(key)
        or INJURY_ALLOWANCE.fullmatch(key)
        or key in FRACTION_KEYS
    ):
        return "fraction"
    if key in FEN_KEYS:
        return "fen"
    if key == "interest.method":
        return "method"
    return None


def check(key: str, value: str) -> str:
    """The value as stored (canonical text), or InvalidInput naming the reason."""
    kind = kind_of(key)
    if kind is None:
        raise InvalidInput.one("key", "unknown_key", f"未知参数 {key}", f"unknown parameter {key}")
    text = str(value).strip()
    if kind == "method":
        if text not in METHODS:
            raise InvalidInput.one(
                "value",
                "bad_method",
                "计息方法须为 national 或 monthly",
                "the method is national or monthly",
            )
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidInput.one("value", "not_a_number", "不是有效数值", "not a number") from None
    if kind == "fen":
        if number != number.to_integral_value() or number <= 0:
            raise InvalidInput.one(
                "value", "bad_fen", "金额以分为单位，须为正整数", "amounts are positive whole fen"
            )
        return str(int(number))
    if not Decimal(0) <= number < Decimal(1):
        raise InvalidInput.one(
            "value", "bad_fraction", "比例须在 0 与 1 之间（如 0.16）", "a rate is between 0 and 1"
        )
    return text
