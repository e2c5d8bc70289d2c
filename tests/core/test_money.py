"""Money: integer fen, one half-up rounding (REFERENCE.md, Money and rounding). No database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.core.money import format_fen, round_fen, round_ratio, yuan_to_fen


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", 1),
        ("1.5", 2),
        ("2.5", 3),
        ("2.4999", 2),
        ("-0.5", -1),
        ("-2.5", -3),
        ("0", 0),
        # 4243.80 yuan × 8% = 33950.4 fen → 33950
        ("33950.4", 33950),
        ("33950.5", 33951),
    ],
)
def test_round_fen_is_half_up(value: str, expected: int) -> None:
    assert round_fen(Decimal(value)) == expected


@given(
    st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=1, max_value=10**9)
)
def test_integer_rounding_agrees_with_decimal(numerator: int, denominator: int) -> None:
    exact = Decimal(numerator) / Decimal(denominator)
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(numerator) / Decimal(denominator)
        assert round_ratio(numerator, denominator) == round_fen(exact)


def test_yuan_parsing_refuses_sub_fen_precision() -> None:
    assert yuan_to_fen("4243.80") == 424380
    assert yuan_to_fen("7,066.2") == 706620
    with pytest.raises(InvalidInput) as refused:
        yuan_to_fen("1.005", "base")
    assert refused.value.fields() == ["base"]
    with pytest.raises(InvalidInput):
        yuan_to_fen("abc")


def test_format_fen() -> None:
    assert format_fen(11235620) == "112,356.20"
    assert format_fen(-5) == "-0.05"
