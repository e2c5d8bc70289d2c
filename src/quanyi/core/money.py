"""Money is integer fen everywhere; this module is the one place that rounds (REFERENCE.md)
and the one place that takes an amount in (DESIGN.md invariant 8): ``parse_fen`` for fen,
``yuan_to_fen`` for yuan, both bounded by ``MAX_FEN``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from quanyi.core.errors import FieldError, InvalidInput

_ONE = Decimal(1)
_HUNDRED = Decimal(100)

# One billion yuan: beyond any wage, base, bill or payment, and far inside a 64-bit column, so
# sums of many of them cannot overflow either. A larger amount is a typing error.
MAX_FEN = 10**11
# Longest text that can be a number within the bound ("100000000000" and a few spaces/zeros);
# anything longer is refused before int() is asked to read it.
_MAX_DIGITS = 40


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


def fen_error(field: str, *, allow_zero: bool = False, code: str = "bad_fen") -> FieldError:
    """The one reason an amount in fen is refused: it says what is accepted. ``code`` keeps a
    surface's own stable code (``bad_amount``, ``bad_base``) for the programs that read it."""
    least, least_en = ("非负", "0") if allow_zero else ("正", "1")
    return FieldError(
        field,
        code,
        f"金额须为{least}整数（分），且不超过 {MAX_FEN} 分",
        f"a whole number of fen from {least_en} to {MAX_FEN}",
    )


def parse_fen(
    value: object, field: str = "amount_fen", *, allow_zero: bool = False, code: str = "bad_fen"
) -> int:
    """An amount in whole fen as typed, read or sent (``"800000"``, ``800000``), within
    ``1..MAX_FEN`` (``0..MAX_FEN`` with ``allow_zero``); anything else — a sign, a decimal
    point, a float, a bool, text, a number past the bound — is an ``InvalidInput``."""
    if isinstance(value, bool):
        raise InvalidInput([fen_error(field, allow_zero=allow_zero, code=code)])
    if isinstance(value, int):
        fen = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
            raise InvalidInput([fen_error(field, allow_zero=allow_zero, code=code)])
        fen = int(text)
    if not (0 if allow_zero else 1) <= fen <= MAX_FEN:
        raise InvalidInput([fen_error(field, allow_zero=allow_zero, code=code)])
    return fen


def yuan_to_fen(text: str, field: str = "amount") -> int:
    """Parse yuan such as ``"4243.80"``; more than two decimals is an error, never a rounding,
    and so is an amount beyond ``MAX_FEN`` either way."""
    try:
        cleaned = text.strip().replace(",", "")
        if len(cleaned) > _MAX_DIGITS:
            raise InvalidOperation
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError):
        raise InvalidInput(
            [FieldError(field, "not_a_number", "不是有效金额", "not a valid amount")]
        ) from None
    fen = value * _HUNDRED
    if abs(fen) > MAX_FEN:
        raise InvalidInput(
            [
                FieldError(
                    field,
                    "too_large",
                    f"金额不得超过 {MAX_FEN // 100} 元",
                    f"at most {MAX_FEN // 100} yuan",
                )
            ]
        )
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
