"""``quanyi accounts credit-interest|rebuild`` and ``quanyi record explain``."""

from __future__ import annotations

import argparse
from typing import Any

from quanyi.core.commands import command, group, print_json


def register(sub: Any) -> None:
    accounts = sub.add_parser("accounts", help="the pension personal account")
    accounts_sub = accounts.add_subparsers(
        dest="accounts_command", required=True, metavar="COMMAND"
    )
    interest = command(
        accounts_sub,
        "credit-interest",
        _credit_interest,
        atomic=True,
        writes=True,
        batch=True,
        help="credit a year's interest and close the year (refused if done already)",
    )
    interest.add_argument("--year", type=int, required=True)
    command(
        accounts_sub,
        "rebuild",
        _rebuild,
        atomic=True,
        writes=True,
        batch=True,
        help="recompute balances and contribution months from the ledgers; report differences",
    )
    explain = command(
        group(sub, "record", "a person's rights record"),
        "explain",
        _explain,
        help="how a year's account figures were computed (JSON)",
    )
    explain.add_argument("id_number")
    explain.add_argument("--year", type=int, required=True)


def _credit_interest(args: argparse.Namespace) -> int:
    from django.conf import settings

    from quanyi.personal_accounts import services
    from quanyi.personal_accounts.schemas import InterestRun
    from quanyi.rulebook.keys import InterestMethod

    outcome = services.credit_interest(args.principal, args.year, settings.QUANYI_REGION)
    print_json(
        InterestRun(
            year=outcome.year,
            rate=str(outcome.rate),
            method=InterestMethod(outcome.method),
            persons=outcome.persons,
            interest_fen=outcome.interest_fen,
        )
    )
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from quanyi.personal_accounts.rebuild import rebuild
    from quanyi.personal_accounts.schemas import RebuildRun

    report = rebuild(args.principal)
    print_json(
        RebuildRun(
            balances=report.balances, months=report.months, differences=len(report.differences)
        )
    )
    for line in report.differences[:50]:
        print(line)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from quanyi.personal_accounts.explain import explain
    from quanyi.personal_accounts.schemas import Explanation

    body = explain(args.principal, args.id_number, args.year)
    print_json(Explanation.model_validate(body), indent=2)
    return 0
