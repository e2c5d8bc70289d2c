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


def _show(args: argparse.Namespace) -> int:
    from quanyi.registry import queries

    print(json.dumps(queries.record(args.principal, args.id_number), ensure_ascii=False, indent=2))
    return 0
