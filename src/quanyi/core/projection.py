"""Comparing a projection with what its ledgers give (DESIGN.md invariants 2 and 5).

A projection's owner streams what the ledgers give and what the table holds, both sorted by the
same integer key (a person id, a bill id), and ``walk`` meets them key by key: one pass over
each stream, memory bounded by one key's rows whatever the size of the region. Each row that
differs becomes a ``Difference`` that names the table, the row's key, what is stored and what
the ledgers give — in English for the operator's ``check consistency`` and in both languages
for ``audit verify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

Row = Sequence[Any]

# A forged table can differ in every row; verify names this many and counts the rest, so its
# memory stays bounded even then.
FINDINGS_PER_CHECK = 1000


@dataclass(frozen=True)
class Difference:
    """One row of ``table`` that its ledgers do not reproduce. ``stored`` is None for a row the
    ledgers give but the table lacks; ``expected`` is None for a row they do not give at all."""

    table: str
    subject_en: str  # the row's key in words: "account of person 17 in 2024"
    subject_zh: str
    stored: Mapping[str, object] | None
    expected: Mapping[str, object] | None

    @property
    def en(self) -> str:
        if self.stored is None:
            return (
                f"{self.subject_en}: no row, the ledgers give {_listed(self.expected)}"
                f" ({self.table})"
            )
        if self.expected is None:
            return (
                f"{self.subject_en}: a row ({_listed(self.stored)}) the ledgers do not give"
                f" ({self.table})"
            )
        changed = "; ".join(
            f"{name} {self.stored[name]}, the ledgers give {self.expected[name]}"
            for name in self._changed()
        )
        return f"{self.subject_en}: {changed} ({self.table})"

    @property
    def zh(self) -> str:
        if self.stored is None:
            return f"{self.subject_zh}：缺少此行，台账计得 {_listed(self.expected)}（{self.table}）"
        if self.expected is None:
            return (
                f"{self.subject_zh}：多出此行（{_listed(self.stored)}），台账中没有（{self.table}）"
            )
        changed = "；".join(
            f"{name} 为 {self.stored[name]}，台账计得 {self.expected[name]}"
            for name in self._changed()
        )
        return f"{self.subject_zh}：{changed}（{self.table}）"

    def _changed(self) -> list[str]:
        assert self.stored is not None and self.expected is not None
        return [name for name, value in self.expected.items() if self.stored.get(name) != value]


def _listed(values: Mapping[str, object] | None) -> str:
    return ", ".join(f"{name} {value}" for name, value in (values or {}).items())


def differs(
    table: str,
    subject_en: str,
    subject_zh: str,
    stored: Mapping[str, object] | None,
    expected: Mapping[str, object] | None,
) -> Difference | None:
    """The difference between a stored row and the row its ledgers give, if any."""
    if stored == expected:
        return None
    return Difference(table, subject_en, subject_zh, stored, expected)


def walk(*streams: Iterable[Row]) -> Iterator[tuple[int, list[list[Row]]]]:
    """Meet streams sorted by their rows' first item: for each key, in ascending order, the rows
    each stream holds for it (an empty list where a stream has none)."""
    groups = [groupby(stream, key=itemgetter(0)) for stream in streams]
    heads = [next(group, None) for group in groups]
    while True:
        keys = [head[0] for head in heads if head is not None]
        if not keys:
            return
        key = min(keys)
        found: list[list[Row]] = []
        for i, head in enumerate(heads):
            if head is not None and head[0] == key:
                found.append(list(head[1]))  # read the group before its iterator moves on
                heads[i] = next(groups[i], None)
            else:
                found.append([])
        yield key, found


def capped(
    differences: Iterable[Difference], limit: int = FINDINGS_PER_CHECK
) -> Iterator[tuple[str, str]]:
    """(English, Chinese) of the first ``limit`` differences, then one line counting the rest
    table by table."""
    beyond: dict[str, int] = {}
    for n, difference in enumerate(differences):
        if n < limit:
            yield difference.en, difference.zh
        else:
            beyond[difference.table] = beyond.get(difference.table, 0) + 1
    for table, count in beyond.items():
        yield (
            f"{table}: {count} more rows differ from their ledgers",
            f"{table}：另有 {count} 行与台账不符",
        )
