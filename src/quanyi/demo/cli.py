"""``quanyi demo``: a realistic demo region and its accounts."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from typing import Any

from django.utils import timezone

from quanyi import initialise
from quanyi.core.bounds import argument
from quanyi.core.commands import command
from quanyi.core.errors import current_language
from quanyi.demo import accounts, generate, pensioners

# A demo region as large as a province; more is a typing error (DESIGN.md invariant 8).
MAX_PERSONS = 50_000_000
MAX_EMPLOYERS = 5_000_000
MAX_YEARS = 60


def register(sub: Any) -> None:
    demo = command(
        sub,
        "demo",
        _demo,
        writes=True,
        anonymous=True,
        guarded=lambda args: not args.otp,  # printing a demo one-time code writes nothing
        needs_init=lambda args: bool(args.otp),  # building a demo initialises first
        help="build a realistic demo region and demo accounts (refused on real data)",
    )
    demo.add_argument("--persons", type=argument(0, MAX_PERSONS), default=1000)
    demo.add_argument("--employers", type=argument(1, MAX_EMPLOYERS), default=50)
    demo.add_argument(
        "--years",
        type=argument(1, MAX_YEARS),
        default=5,
        help="years of relations, and of contribution history up to the month before last",
    )
    demo.add_argument(
        "--without-history",
        action="store_true",
        help="registry only: no bills, payments or account history (for very large demos)",
    )
    demo.add_argument(
        "--seed", type=argument(0, 2**32 - 1), default=None, help="random seed (repeatable demo)"
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the database already holds persons"
    )
    demo.add_argument(
        "--otp",
        metavar="USER",
        help="print an unused one-time code for a demo account (from demo-accounts.json), and"
        " on stderr when it is valid",
    )


def _print_code(username: str) -> None:
    """The code and its window in the agency's time zone, at once (never waiting for the next
    step); captured, as in ``QUANYI_OTP=$(quanyi demo --otp USER)``, the code alone on stdout and
    the window on stderr."""

    found = accounts.next_code(username)
    zone = timezone.get_default_timezone()

    def clock(moment: float) -> str:
        return datetime.fromtimestamp(moment, zone).strftime("%H:%M:%S")

    until, since = clock(found.valid_until), clock(found.valid_from)
    zh = current_language() == "zh"
    if found.valid_from <= time.time():
        window = f"有效至 {until}" if zh else f"valid until {until}"
    else:
        window = (
            f"当前口令已用过；此口令 {since} 起有效，有效至 {until}"
            if zh
            else f"this step's code was used; this one is valid from {since} until {until}"
        )
    if sys.__stdout__ is not None and sys.__stdout__.isatty():
        print(f"{found.code}  ({window})")
    else:
        print(found.code)
        print(window, file=sys.stderr)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {n}" for status, n in counts.items() if n)


def _demo(args: argparse.Namespace) -> int:

    if args.otp:
        _print_code(args.otp)
        return 0

    if not initialise.initialised():
        initialise.initialise()
    if args.if_empty and generate.has_persons():
        print("quanyi demo: the database already holds persons; nothing done")

        if accounts.accounts_path().exists():
            print(f"demo accounts: {accounts.accounts_path()}")
        return 0
    summary = generate.build(
        persons=args.persons,
        employers=args.employers,
        years=args.years,
        seed=args.seed,
        progress=sys.stderr.isatty(),
        history=not args.without_history,
    )
    history = summary.history
    print(
        f"quanyi demo: {summary.persons} persons, {summary.employers} employers,"
        f" {summary.relations} relations"
        + (
            f"; {history.months} months of contributions: {history.bills} bills"
            f" ({history.unpaid_bills} unpaid), {history.lines} lines,"
            f" {history.years_closed} years closed with interest,"
            f" {history.declarations} bases declared for this year"
            if history
            else ""
        )
        + (
            f"; {summary.parameters} rows of parameter history (one approved case)"
            if summary.parameters
            else ""
        )
        + (
            f"; {pensions.pensioners} pensioners granted by cases ({pensions.verified} verified"
            f" this year), {pensions.payments} monthly payments"
            if (pensions := summary.pensions) and pensions.pensioners
            else ""
        )
        + (
            f"; {summary.outside_accounts} portal accounts (employer-<uscc>, each person by id"
            " number, court, unit)"
            if summary.outside_accounts
            else ""
        )
        + (f"; {summary.addresses} mailing addresses" if summary.addresses else "")
        + (
            f"; a population of {people.listed} ({people.unregistered} insured nowhere) imported"
            " by an approved case"
            + (f" and matched: {_counts(people.matched)}" if people.matched else "")
            if (people := summary.population)
            else ""
        )
        + f" in {summary.seconds:.1f} s"
    )
    # What the README's tour uses, so it works on this demo as printed.
    print(
        f"tour: employee {generate.TOUR_ID_NUMBER}, employer {generate.TOUR_USCC}"
        + (f", month to post {history.to_post}" if history and history.to_post else "")
        + (
            f", pensioner {pensioners.TOUR_PENSIONER}"
            if summary.pensions and summary.pensions.pensioners
            else ""
        )
    )
    if summary.accounts_file:
        print(
            f"demo accounts: {summary.accounts_file}"
            + (
                f" (password: {summary.generated_password})"
                if summary.generated_password
                else " (password: $QUANYI_DEMO_PASSWORD)"
            )
        )
    return 0
