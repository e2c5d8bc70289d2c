"""``quanyi accounts credit-interest|rebuild`` and ``quanyi check consistency``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.conf import settings

from quanyi.core.bounds import MAX_YEAR, MIN_YEAR, argument
from quanyi.core.commands import command, fail, group, print_json
from quanyi.personal_accounts import consistency, services
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.personal_accounts.schemas import InterestRun, RebuildRun
from quanyi.rulebook.keys import InterestMethod

YEAR = argument(MIN_YEAR, MAX_YEAR)


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
    interest.add_argument("--year", type=YEAR, required=True)
    command(
        accounts_sub,
        "rebuild",
        _rebuild,
        atomic=True,
        writes=True,
        batch=True,
        help="recompute balances and contribution months from the ledgers; report differences",
    )
    command(
        group(sub, "check", "consistency checks (勾稽校验)"),
        "consistency",
        _consistency,
        help="bills = their lines, payments = paid totals, balances and months = ledgers",
    )


def _credit_interest(args: argparse.Namespace) -> int:
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
    report = rebuild(args.principal)
    print_json(
        RebuildRun(
            balances=report.balances, months=report.months, differences=len(report.differences)
        )
    )
    for line in report.differences[:50]:
        print(line)
    return 0


def _consistency(args: argparse.Namespace) -> int:
    problems = consistency.check(args.principal)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return fail(f"check consistency: {len(problems)} mismatches")
    print("check consistency: OK")
    return 0
