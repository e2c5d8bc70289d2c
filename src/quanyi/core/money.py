"""Money is integer fen everywhere; this module is the one place that rounds (REFERENCE.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from quanyi.core.errors import FieldError, InvalidInput

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def round_fen(amount_fen: Decimal) -> int:
    """Round an amount expressed in fen to a whole fen, half away from zero (四舍五入)."""
    return int(amount_fen.quantize(_ONE, rounding=ROUND_HALF_UP))


def round_ratio(numerator: int, denominator: int) -> int:
    """Integer-only twin of ``round_fen(Decimal(numerator) / denominator)`` for bulk paths.

    Exact for any integers, so hot loops need not build Decimals; a property test keeps the
    two in agreement.
    """
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def yuan_to_fen(text: str, field: str = "amount") -> int:
    """Parse yuan such as ``"4243.80"``; more than two decimals is an error, never a rounding."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise InvalidInput(
            [FieldError(field, "not_a_number", "不是有效金额", "not a valid amount")]
        ) from None
    fen = value * _HUNDRED
    if fen != fen.to_integral_value():
        raise InvalidInput(
            [FieldError(field, "too_precise", "金额最多两位小数", "at most two decimal places")]
        )
    return int(fen)


def format_fen(fen: int) -> str:
    """``123456`` → ``"1,234.56"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"
