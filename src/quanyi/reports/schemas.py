"""What ``quanyi stats`` prints (001 art. 17): codes only, and a suppressed figure is null with
``suppressed`` true — never a number that was held back."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from quanyi.reports.calc import Dimension, Figures, Table


class StatsCell(Schema):
    """A cell of the grid: one value per chosen dimension (the others are absent)."""

    region: str | None = None
    insurance: str | None = None
    sex: str | None = None
    age_band: str | None = None
    persons: int | None
    months: int | None
    contributions_fen: int | None
    suppressed: bool


class StatsTotals(Schema):
    persons: int | None
    months: int | None
    contributions_fen: int | None
    suppressed: bool


class StatsMargin(Schema):
    value: str
    persons: int | None
    months: int | None
    contributions_fen: int | None
    suppressed: bool


class Stats(Schema):
    year: int
    by: list[Dimension]
    threshold: int
    cells: list[StatsCell]
    totals: StatsTotals
    margins: dict[str, list[StatsMargin]]


def _shown(figures: Figures, suppressed: bool) -> dict[str, Any]:
    if suppressed:
        return {"persons": None, "months": None, "contributions_fen": None, "suppressed": True}
    return {
        "persons": figures.persons,
        "months": figures.months,
        "contributions_fen": figures.contributions_fen,
        "suppressed": False,
    }


def stats_out(year: int, threshold: int, table: Table) -> Stats:
    names = [d.value for d in table.by]
    return Stats.model_validate(
        {
            "year": year,
            "by": names,
            "threshold": threshold,
            "cells": [
                {**dict(zip(names, cell.key, strict=True)), **_shown(cell.figures, cell.suppressed)}
                for cell in table.cells
            ],
            "totals": _shown(table.total, table.total_suppressed),
            "margins": {
                name: [{"value": m.value, **_shown(m.figures, m.suppressed)} for m in margins]
                for name, margins in zip(names, table.margins, strict=True)
            },
        }
    )
