"""De-identified statistics (001 art. 17): the table of a year's figures by the chosen
dimensions, with small cells suppressed so that none can be told or worked back out. Pure: the
figures come in from ``queries``, nothing here touches the database.

The table is the full grid of the values observed for each dimension, cells with no one
included. A cell of fewer than ``THRESHOLD`` persons is suppressed (primary suppression). The
published totals are the grand total and, for each dimension, the margin of each value (the sum
of its slice). A suppressed cell could be worked out from a published or derivable total of a
set of cells holding it and no other suppressed cell, so, until nothing changes, every set that
has exactly one suppressed cell gets a second one (complementary suppression): the whole table,
every slice (one dimension at one value) and every line (all dimensions but one fixed). Margins
follow the same two rules among the margins of their dimension, whose sum is the grand total.
A published total that is the very same sum as a cell (a slice of one cell) or as the grand
total (a dimension with one value) is suppressed with it, so it never shows what is hidden.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

THRESHOLD = 10


class Dimension(StrEnum):
    REGION = "region"  # the person's agency region (经办统筹区)
    INSURANCE = "insurance"
    SEX = "sex"
    AGE_BAND = "age_band"  # age on 31 December of the year


# (band, youngest age in it), oldest first; younger than the last is "0-15".
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("70+", 70),
    ("60-69", 60),
    ("50-59", 50),
    ("40-49", 40),
    ("30-39", 30),
    ("20-29", 20),
    ("16-19", 16),
)
YOUNGEST_BAND = "0-15"
BAND_ORDER: tuple[str, ...] = (YOUNGEST_BAND, *(band for band, _ in reversed(AGE_BANDS)))
SEX_ORDER: tuple[str, ...] = ("M", "F")

Key = tuple[str, ...]


def age_band(age: int) -> str:
    for band, youngest in AGE_BANDS:
        if age >= youngest:
            return band
    return YOUNGEST_BAND


def parse_dimensions(text: str) -> tuple[Dimension, ...]:
    """``region,insurance,…``: at least one known dimension, none twice; ``ValueError`` with
    the reason otherwise."""
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in Dimension.__members__.values()]
    if not text.strip() or unknown:
        shown = ", ".join(repr(name) for name in unknown) or "nothing"
        raise ValueError(shown)
    if len(set(names)) != len(names):
        raise ValueError("repeated")
    return tuple(Dimension(name) for name in names)


@dataclass(frozen=True)
class Figures:
    persons: int = 0
    months: int = 0  # distinct person-months
    contributions_fen: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.persons + other.persons,
            self.months + other.months,
            self.contributions_fen + other.contributions_fen,
        )


@dataclass(frozen=True)
class Cell:
    key: Key  # one value per dimension of ``Table.by``, in that order
    figures: Figures
    suppressed: bool


@dataclass(frozen=True)
class Margin:
    value: str
    figures: Figures
    suppressed: bool


@dataclass(frozen=True)
class Table:
    by: tuple[Dimension, ...]
    values: tuple[tuple[str, ...], ...]  # the observed values of each dimension, in order
    cells: tuple[Cell, ...]  # the full grid, in the order of ``values``
    total: Figures
    total_suppressed: bool
    margins: tuple[tuple[Margin, ...], ...]  # per dimension, per value


def ordered(dimension: Dimension, observed: Iterable[str], order: Sequence[str] = ()) -> list[str]:
    """The observed values of a dimension in the order readers expect: age bands youngest
    first, sex M then F, insurances in ``order`` (the registry's), anything else by code."""
    known = {
        Dimension.AGE_BAND: BAND_ORDER,
        Dimension.SEX: SEX_ORDER,
        Dimension.INSURANCE: tuple(order),
    }.get(dimension, ())
    rank = {value: i for i, value in enumerate(known)}
    return sorted(set(observed), key=lambda value: (rank.get(value, len(rank)), value))


def constraint_sets(values: Sequence[Sequence[str]]) -> list[list[Key]]:
    """The sets of cells whose totals are published or derivable: the whole table, every
    slice (one dimension at one value) and every line (all dimensions but one fixed)."""
    keys = list(itertools.product(*values))
    sets: list[list[Key]] = [keys]
    for d, dimension_values in enumerate(values):
        sets.extend([k for k in keys if k[d] == v] for v in dimension_values)
    for d in range(len(values)):
        lines: dict[Key, list[Key]] = {}
        for k in keys:
            lines.setdefault(k[:d] + k[d + 1 :], []).append(k)
        sets.extend(lines.values())
    return sets


def _smallest(candidates: Iterable[Key], figures: Mapping[Key, Figures]) -> Key | None:
    """The cell to give up with a lone suppressed one: the smallest with anyone in it (hiding
    an empty cell protects nothing), else the smallest of the rest."""

    def size(key: Key) -> tuple[int, int, int, int, Key]:
        f = figures[key]
        return (0 if f.persons > 0 else 1, f.persons, f.months, f.contributions_fen, key)

    return min(candidates, key=size, default=None)


def _second(members: Sequence[Key], hidden: set[Key], figures: Mapping[Key, Figures]) -> bool:
    """If exactly one of ``members`` is hidden, hide one more; whether anything changed."""
    if sum(1 for k in members if k in hidden) != 1:
        return False
    pick = _smallest((k for k in members if k not in hidden), figures)
    if pick is None:
        return False
    hidden.add(pick)
    return True


def _together(names: Sequence[Key], hidden: set[Key]) -> bool:
    """The same sum published under several names is hidden under all of them or none."""
    if any(n in hidden for n in names) and not all(n in hidden for n in names):
        hidden.update(names)
        return True
    return False


TOTAL: Key = ("t",)


def _cell(key: Key) -> Key:
    return ("c", *key)


def _margin(d: int, value: str) -> Key:
    return ("m", str(d), value)


def tabulate(
    by: Sequence[Dimension],
    values: Sequence[Sequence[str]],
    observed: Mapping[Key, Figures],
    threshold: int = THRESHOLD,
) -> Table:
    """The published table: ``observed`` holds the figures of the cells with anyone in them
    (keyed by one value per dimension, each among ``values``)."""
    keys = list(itertools.product(*values))
    # Cells, margins and the grand total under names of their own ("c", …), ("m", d, value),
    # ("t",), so one set of hidden names holds them all.
    figures: dict[Key, Figures] = {_cell(k): observed.get(k, Figures()) for k in keys}
    slices: dict[Key, list[Key]] = {
        _margin(d, v): [_cell(k) for k in keys if k[d] == v]
        for d, dimension_values in enumerate(values)
        for v in dimension_values
    }
    for name, members in slices.items():
        figures[name] = sum((figures[c] for c in members), Figures())
    figures[TOTAL] = sum((figures[_cell(k)] for k in keys), Figures())
    margins_of = [[_margin(d, v) for v in dv] for d, dv in enumerate(values)]

    hidden = {name for name, f in figures.items() if f.persons < threshold}
    sets = [[_cell(k) for k in members] for members in constraint_sets(values)]
    # Totals that are the very same sum as a cell, or as the grand total.
    same = [[name, *members] for name, members in slices.items() if len(members) == 1]
    same.extend([TOTAL, *names] for names in margins_of if len(names) == 1)
    if len(keys) == 1:
        same.append([TOTAL, _cell(keys[0])])
    changed = True
    while changed:
        changed = False
        for members in sets:
            changed |= _second(members, hidden, figures)
        for names in margins_of:
            changed |= _second(names, hidden, figures)
        for names in same:
            changed |= _together(names, hidden)

    return Table(
        by=tuple(by),
        values=tuple(tuple(v) for v in values),
        cells=tuple(Cell(k, figures[_cell(k)], _cell(k) in hidden) for k in keys),
        total=figures[TOTAL],
        total_suppressed=TOTAL in hidden,
        margins=tuple(
            tuple(Margin(name[2], figures[name], name in hidden) for name in names)
            for names in margins_of
        ),
    )
