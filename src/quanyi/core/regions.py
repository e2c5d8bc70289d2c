"""Administrative division codes (行政区划代码), from the table python-stdnum ships.

A region code is six digits. A region covers the codes that share its non-zero prefix:
110000 (Beijing) covers 110105 (Chaoyang); 110100 covers 110105; 110105 covers only itself.
A code counts as known if it existed at any time: people born before a district was created
carry its code (DESIGN.md, Known traps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.db.models import Q

from quanyi.core.errors import FieldError, InvalidInput

_ENTRY = re.compile(r"^\s+(\d{4}) county=\"(.*)\"$")
_TOP = re.compile(r"^(\d{2}) province=\"(.*)\"$")
_SPAN = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # the latest name, e.g. 北京市朝阳区
    first_year: int | None  # None: existed since the table begins
    last_year: int | None  # None: still exists

    @property
    def current(self) -> bool:
        return self.last_year is None


@cache
def _table() -> dict[str, Region]:
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    regions: dict[str, Region] = {}
    province_prefix, province_name = "", ""
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        top = _TOP.match(line)
        if top:
            province_prefix, province_name = top.group(1), top.group(2)
            continue
        entry = _ENTRY.match(line)
        if not entry:
            continue
        code = province_prefix + entry.group(1)
        firsts: list[int | None] = []
        lasts: list[int | None] = []
        name = ""
        for variant in entry.group(2).split(","):
            span = _SPAN.match(variant)
            if span:
                firsts.append(int(span.group(1)) if span.group(1) else None)
                lasts.append(int(span.group(2)) if span.group(2) else None)
                name = span.group(3)
            else:
                firsts.append(None)
                lasts.append(None)
                name = variant
        first = None if None in firsts else min(f for f in firsts if f is not None)
        last = None if None in lasts else max(x for x in lasts if x is not None)
        full = name if code.endswith("0000") else f"{province_name}{name}"
        regions[code] = Region(code, full, first, last)
    return regions


def lookup(code: str) -> Region | None:
    return _table().get(code)


def is_known(code: str) -> bool:
    return code in _table()


def all_regions() -> list[Region]:
    return list(_table().values())


def prefix(region: str) -> str:
    """The non-zero prefix that defines what a region covers: 110000 → 11, 110100 → 1101."""
    stripped = region
    while stripped.endswith("00") and len(stripped) > 2:
        stripped = stripped[:-2]
    return stripped


def covers(region: str, code: str) -> bool:
    """True if ``code`` lies within ``region`` (a region covers itself)."""
    return code.startswith(prefix(region))


def within(field: str, region: str) -> Q:
    """``covers`` as a query condition on ``field`` (a region code column): the same meaning,
    in SQL."""
    return Q(**{f"{field}__startswith": prefix(region)})


def validate_region(value: object, field: str) -> str:
    """Return the code if it is a six-digit division code that existed at some time."""
    code = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidInput(
            [
                FieldError(
                    field,
                    "bad_region_format",
                    "行政区划代码应为6位数字",
                    "a region code is six digits",
                )
            ]
        )
    if not is_known(code):
        raise InvalidInput(
            [
                FieldError(
                    field,
                    "unknown_region",
                    f"未知的行政区划代码 {code}",
                    f"unknown region code {code}",
                )
            ]
        )
    return code
