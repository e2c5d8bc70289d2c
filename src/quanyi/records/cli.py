"""``quanyi record show ID_NUMBER``."""

from __future__ import annotations

import argparse
from typing import Any

from quanyi.core.commands import command, group, print_json
from quanyi.records import queries
from quanyi.records.schemas import Record


def register(sub: Any) -> None:
    record = group(sub, "record", "a person's rights record")
    show = command(record, "show", _show, help="print a person's record as JSON")
    show.add_argument("id_number")
    show.add_argument(
        "--purpose",
        default="record show",
        help="why the record is read; kept in the query log the person may see",
    )


def _show(args: argparse.Namespace) -> int:

    body = queries.read(args.principal, args.id_number, purpose=args.purpose)
    print_json(Record.model_validate(body), indent=2)
    return 0
