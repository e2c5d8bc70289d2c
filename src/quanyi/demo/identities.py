"""Valid demo identifiers. Faker's ``ssn()`` fails validation about two times in three, so id
numbers are built here from the region table with a correct check digit (DESIGN.md)."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from stdnum.cn import ric, uscc

from quanyi.core import regions

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def county_codes(within: str | None = None) -> list[str]:
    """Current county-level codes (not the 'xx0000'/'xxxx00' aggregates), optionally in a region."""
    codes = [
        r.code
        for r in regions.all_regions()
        if r.current and not r.code.endswith("00") and "市辖区" not in r.name
    ]
    if within is not None:
        codes = [c for c in codes if regions.covers(within, c)]
        if not codes:
            codes = [within]
    return sorted(codes)


def id_number(rng: random.Random, region: str, birth: date, male: bool, used: set[str]) -> str:
    """An unused valid number for the region, birth date and sex: a random sequence number
    first, then the first one free (there are 500 a day per sex); ``NumbersExhausted`` when
    none is."""
    body = f"{region}{birth:%Y%m%d}"
    for _ in range(32):
        sequence = rng.randrange(0, 999)
        if (sequence % 2 == 1) != male:
            sequence += 1
        number = _with_check_digit(f"{body}{sequence:03d}")
        if number not in used:
            used.add(number)
            return number
    for sequence in range(1 if male else 0, 1000, 2):
        number = _with_check_digit(f"{body}{sequence:03d}")
        if number not in used:
            used.add(number)
            return number
    raise NumbersExhausted(f"every id number of {body} ({'male' if male else 'female'}) is used")


class NumbersExhausted(ValueError):
    pass


def _with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def birth_date(rng: random.Random, youngest: int, oldest: int, today: date) -> date:
    earliest = date(today.year - oldest - 1, today.month, 1) + timedelta(days=1)
    latest = date(today.year - youngest, today.month, 1) - timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def credit_code(rng: random.Random, region: str, used: set[str]) -> str:
    while True:
        organisation = "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
        body = f"91{region}{organisation}"
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("35789") + "".join(rng.choice(string.digits) for _ in range(9))
