"""``quanyi record show ID_NUMBER`` and ``quanyi record explain ID_NUMBER --OPTION``, whose
options the apps declare (``Plugin.explanations``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from quanyi.core import plugins
from quanyi.core.bounds import MAX_ID, MAX_YEAR, MIN_YEAR, argument
from quanyi.core.commands import command, group, print_json
from quanyi.core.plugins import Explanation
from quanyi.records import exports, queries
from quanyi.records.schemas import AccessRow, ExportDone, Record

YEAR = argument(MIN_YEAR, MAX_YEAR)
CASE_ID = argument(1, MAX_ID)


def register(sub: Any) -> None:
    record = group(sub, "record", "a person's rights record")
    show = command(record, "show", _show, help="print a person's record as JSON")
    show.add_argument("id_number")
    show.add_argument(
        "--purpose",
        default="record show",
        help="why the record is read; kept in the query log the person may see",
    )
    show.add_argument(
        "--request",
        type=CASE_ID,
        help="the approved disclosure.request case an outside requester reads under",
    )
    accesses = command(
        record, "accesses", _accesses, help="who read a person's record, newest first (JSON)"
    )
    accesses.add_argument("id_number")
    export = command(
        record,
        "export",
        _export,
        atomic=True,
        writes=True,
        help="write the records an approved disclosure.export case names, once (JSON lines)",
    )
    export.add_argument("case_id", type=CASE_ID)
    export.add_argument("--out", required=True, type=Path, metavar="FILE")
    explain = command(
        record, "explain", _explain, help="how a figure of the record was computed (JSON)"
    )
    explain.add_argument("id_number")
    which = explain.add_mutually_exclusive_group(required=True)
    for explanation in _explanations():
        if explanation.year:
            which.add_argument(f"--{explanation.option}", type=YEAR, help=explanation.help)
        else:
            which.add_argument(
                f"--{explanation.option}", action="store_true", help=explanation.help
            )


def _explanations() -> list[Explanation]:
    return [e for _, plugin in plugins.installed() for e in plugin.explanations]


def _explain(args: argparse.Namespace) -> int:
    for explanation in _explanations():
        value = getattr(args, explanation.option)
        if value not in (None, False):
            load = plugins.resolve(explanation.load)
            print_json(load(args.principal, args.id_number, value), indent=2)
            return 0
    return 2  # argparse requires one option; unreachable


def _show(args: argparse.Namespace) -> int:

    body = queries.read(args.principal, args.id_number, purpose=args.purpose, request=args.request)
    print_json(Record.model_validate(body), indent=2)
    return 0


def _accesses(args: argparse.Namespace) -> int:
    rows = queries.accesses(args.principal, args.id_number)
    print_json([AccessRow.model_validate(row) for row in rows], indent=2)
    return 0


def _export(args: argparse.Namespace) -> int:
    persons, sha = exports.run_export(args.principal, args.case_id, args.out)
    print_json(ExportDone(case_id=args.case_id, persons=persons, sha256=sha))
    return 0
