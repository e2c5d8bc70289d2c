"""``quanyi stats --year Y --by DIMS [--format json|csv]``: de-identified statistics
(001 art. 17)."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from quanyi.core.bounds import MAX_YEAR, MIN_YEAR, argument
from quanyi.core.commands import command, print_json
from quanyi.core.errors import current_language
from quanyi.reports import calc, queries
from quanyi.reports.calc import Dimension
from quanyi.reports.schemas import stats_out

YEAR = argument(MIN_YEAR, MAX_YEAR)
CHOICES = ",".join(d.value for d in Dimension)
SUPPRESSED = "*"


def dimensions(text: str) -> tuple[Dimension, ...]:
    """``--by``: a bad list is a usage error (exit 2) that says what is allowed."""
    try:
        return calc.parse_dimensions(text)
    except ValueError:
        if current_language() == "en":
            reason = f"one or more of {CHOICES}, comma-separated, each at most once"
        else:
            reason = f"须为 {CHOICES} 中的一项或多项，以逗号分隔，不得重复"
        raise argparse.ArgumentTypeError(f"{reason}: {text!r}") from None


dimensions.__name__ = "dimensions"  # argparse names the type in its message


def register(sub: Any) -> None:
    stats = command(
        sub,
        "stats",
        _stats,
        permission="stats.read",
        help="de-identified statistics (统计) of a year's contributions: persons, months and"
        " amounts by dimension, cells under 10 persons suppressed (001 art. 17)",
    )
    stats.add_argument("--year", required=True, type=YEAR, metavar="YYYY")
    stats.add_argument(
        "--by", required=True, type=dimensions, metavar="DIMS", help=f"any of {CHOICES}"
    )
    stats.add_argument("--format", choices=("json", "csv"), default="json")


def _stats(args: argparse.Namespace) -> int:
    table = queries.stats(args.principal, args.year, args.by)
    if args.format == "json":
        print_json(stats_out(args.year, calc.THRESHOLD, table), indent=1)
        return 0
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([*(d.value for d in table.by), "persons", "months", "contributions_fen"])
    for cell in table.cells:
        f = cell.figures
        shown = [SUPPRESSED] * 3 if cell.suppressed else [f.persons, f.months, f.contributions_fen]
        out.writerow([*cell.key, *shown])
    return 0
