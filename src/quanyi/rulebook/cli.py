"""``quanyi rulebook import FILE``: a parameter file submitted as one ``parameter.change``
case (DESIGN.md, CLI; REFERENCE.md: values change only by an approved case)."""

from __future__ import annotations

import argparse
from typing import Any

from quanyi.core.commands import command, print_json
from quanyi.core.report import open_report
from quanyi.rulebook import flows
from quanyi.workflow import queries as case_queries


def register(sub: Any) -> None:
    rulebook = sub.add_parser("rulebook", help="policy parameters (政策参数)")
    rulebook_sub = rulebook.add_subparsers(
        dest="rulebook_command", required=True, metavar="COMMAND"
    )
    importer = command(
        rulebook_sub,
        "import",
        _import,
        atomic=True,
        writes=True,
        help="submit a parameter file (CSV: key,region,valid_from,value,source,note; at most"
        " 10,000 rows) as one parameter.change case",
    )
    importer.add_argument("file")
    importer.add_argument(
        "--report",
        metavar="PATH",
        default=None,
        help="where every bad row goes (CSV: file, line, field, reason); default: next to the"
        " input, named after it with .errors.csv",
    )


def _import(args: argparse.Namespace) -> int:
    with open_report(args.file, args.report) as report:
        case = flows.submit_file(args.principal, args.file, report)
    print_json(case_queries.case(args.principal, case.pk), indent=1)
    return 0
