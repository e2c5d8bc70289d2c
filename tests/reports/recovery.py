"""The check that no suppressed cell of a ``quanyi stats`` table can be told or worked back out
(001 art. 17), written against the printed JSON alone so that it judges the output, not the
code that made it."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

FIGURES = ("persons", "months", "contributions_fen")


def problems(out: Mapping[str, Any]) -> list[str]:
    """Every way the table gives away what it hides: a figure shown for a suppressed cell or
    a cell under the threshold shown, and every set of cells whose total is published or
    derivable (the grand total, each slice "dimension = value", each line "all dimensions but
    one fixed") holding exactly one suppressed cell. Empty when there is none."""
    by: list[str] = list(out["by"])
    threshold: int = out["threshold"]
    cells: list[dict[str, Any]] = out["cells"]
    found: list[str] = []
    keys = [tuple(cell[d] for d in by) for cell in cells]
    values = [list(dict.fromkeys(key[i] for key in keys)) for i in range(len(by))]
    if sorted(keys) != sorted(itertools.product(*values)):
        found.append("the cells are not the full grid of the observed values")
    hidden = {key: bool(cell["suppressed"]) for key, cell in zip(keys, cells, strict=True)}
    for key, cell in zip(keys, cells, strict=True):
        found.extend(_shown_wrongly(f"cell {key}", cell, threshold))

    totals = out["totals"]
    found.extend(_shown_wrongly("the grand total", totals, threshold))
    total_shown = not totals["suppressed"]
    if total_shown:
        found.extend(_sum_differs("the grand total", totals, [c for c in cells]))

    def lone(name: str, members: Sequence[tuple[str, ...]], total_known: bool) -> None:
        suppressed = sum(hidden[key] for key in members)
        # A set of one cell gives it away only if that very total is known.
        if suppressed == 1 and (len(members) >= 2 or total_known):
            found.append(f"{name}: its one suppressed cell follows from the total")

    lone("the whole table", keys, total_shown)
    for i, name in enumerate(by):
        margins = {m["value"]: m for m in out["margins"][name]}
        if list(margins) != values[i]:
            found.append(f"margins of {name} are not its observed values")
            continue
        for value, margin in margins.items():
            found.extend(_shown_wrongly(f"margin {name}={value}", margin, threshold))
        hidden_margins = [v for v, m in margins.items() if m["suppressed"]]
        if total_shown and len(hidden_margins) == 1:
            found.append(f"margin {name}={hidden_margins[0]} follows from the grand total")
        for value, margin in margins.items():
            members = [key for key in keys if key[i] == value]
            known = not margin["suppressed"] or (total_shown and hidden_margins == [value])
            lone(f"slice {name}={value}", members, known)
            if not margin["suppressed"]:
                slice_cells = [c for key, c in zip(keys, cells, strict=True) if key[i] == value]
                found.extend(_sum_differs(f"margin {name}={value}", margin, slice_cells))
    for i, name in enumerate(by):
        lines: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for key in keys:
            lines[key[:i] + key[i + 1 :]].append(key)
        for rest, members in lines.items():
            lone(f"line along {name} at {rest}", members, False)
    return found


def _shown_wrongly(name: str, row: Mapping[str, Any], threshold: int) -> list[str]:
    if row["suppressed"]:
        shown = [f for f in FIGURES if row[f] is not None]
        return [f"{name} is suppressed but shows {shown}"] if shown else []
    if row["persons"] < threshold:
        return [f"{name} shows {row['persons']} persons, under {threshold}"]
    return []


def _sum_differs(
    name: str, row: Mapping[str, Any], cells: Sequence[Mapping[str, Any]]
) -> list[str]:
    """A published total adds up its cells wherever they are all shown."""
    if any(cell["suppressed"] for cell in cells):
        return []
    return [
        f"{name}: {f} {row[f]} is not the sum of its cells"
        for f in FIGURES
        if row[f] != sum(cell[f] for cell in cells)
    ]
