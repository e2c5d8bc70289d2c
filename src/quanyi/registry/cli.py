"""``quanyi record show ID_NUMBER``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from quanyi.cli import command


def register(sub: Any) -> None:
    record = sub.add_parser("record", help="a person's rights record")
    record_sub = record.add_subparsers(dest="record_command", required=True, metavar="COMMAND")
    show = command(record_sub, "show", _show, help="print a person's record as JSON")
    show.add_argument("id_number")
    explain = command(
        record_sub, "explain", _explain, help="how a year's account figures were computed (JSON)"
    )
    explain.add_argument("id_number")
    explain.add_argument("--year", type=int, required=True)


def _show(args: argparse.Namespace) -> int:
    from quanyi.registry import queries

    print(json.dumps(queries.record(args.principal, args.id_number), ensure_ascii=False, indent=2))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from quanyi.personal_accounts.explain import explain

    body = explain(args.principal, args.id_number, args.year)
    print(json.dumps(body, ensure_ascii=False, indent=2))
    return 0
