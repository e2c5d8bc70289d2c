"""Whole numbers that are not money — row ids, years, counts — taken in within their bounds
(DESIGN.md invariant 8): a number the database cannot hold is refused with a clear error where
it enters, never passed on to fail as an ``OverflowError`` in the driver. Money is
``core.money.parse_fen``.

The same rule serves each surface: ``parse_int`` in services and files, ``schemas.RowId`` in
API schemas, ``argument`` for the command line, the ``id`` path converter for web addresses.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from quanyi.core.errors import FieldError, InvalidInput

# Row ids are 64-bit (``BigAutoField``); a larger number names no row.
MAX_ID = 2**63 - 1
# Years a record can concern (``YearMonth`` takes 1900-2200).
MIN_YEAR, MAX_YEAR = 1900, 2200
_MAX_DIGITS = 19  # len(str(MAX_ID))


def bound_error(field: str, low: int, high: int) -> FieldError:
    return FieldError(
        field,
        "out_of_range",
        f"须为 {low} 至 {high} 之间的整数",
        f"a whole number from {low} to {high}",
    )


def parse_int(value: object, field: str, low: int, high: int) -> int:
    """``value`` (an int, or its decimal digits as text) within ``low..high``, or an
    ``InvalidInput`` that names the range."""
    if isinstance(value, bool):
        raise InvalidInput([bound_error(field, low, high)])
    if isinstance(value, int):
        number = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS):
            raise InvalidInput([bound_error(field, low, high)])
        number = int(text)
    if not low <= number <= high:
        raise InvalidInput([bound_error(field, low, high)])
    return number


def parse_id(value: object, field: str = "id") -> int:
    """A row's id: ``1..MAX_ID``."""
    return parse_int(value, field, 1, MAX_ID)


def argument(low: int, high: int) -> Callable[[str], int]:
    """An ``argparse`` ``type=`` for a whole number within ``low..high``: out of range, it is
    a usage error (exit status 2) in the user's language, never a traceback."""

    def convert(text: str) -> int:
        try:
            return parse_int(text, "", low, high)
        except InvalidInput as refused:
            reason = refused.errors[0].message().removeprefix(": ")
            raise argparse.ArgumentTypeError(reason) from None

    convert.__name__ = "integer"  # argparse names the type in its message
    return convert


class IdConverter:
    """``<id:case_id>`` in a web address: at most 19 digits, and a number past ``MAX_ID``
    matches no row (404) instead of reaching the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # Django answers 404: no page is there
        return number

    def to_url(self, value: int) -> str:
        return str(value)
