"""``quanyi benefits pay|verify|estimate|unverified``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import timezone

from quanyi.benefits import estimates, payments, services, verification
from quanyi.benefits.models import Channel, Result
from quanyi.benefits.schemas import EstimateOut, PastDueList, PastDueOut, PayRun, VerificationOut
from quanyi.core.commands import command, print_json
from quanyi.core.days import day_or_today
from quanyi.core.identifiers import mask, mask_name
from quanyi.core.money import parse_fen
from quanyi.core.progress import bars
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry


def register(sub: Any) -> None:
    benefits = sub.add_parser("benefits", help="benefit payments and eligibility verification")
    benefits_sub = benefits.add_subparsers(
        dest="benefits_command", required=True, metavar="COMMAND"
    )
    pay = command(
        benefits_sub,
        "pay",
        _pay,
        writes=True,
        batch=True,
        help="pay a month's benefits, arrears and one-off grants; write the bank file"
        " (resumable; a month is never paid twice)",
    )
    pay.add_argument("--month", required=True, metavar="YYYY-MM")
    verify = command(
        benefits_sub,
        "verify",
        _verify,
        atomic=True,
        writes=True,
        help="record an eligibility verification (资格认证) of a beneficiary",
    )
    verify.add_argument("id_number")
    verify.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    verify.add_argument("--result", default=Result.PASSED, choices=[r.value for r in Result])
    verify.add_argument("--on", default=None, metavar="YYYY-MM-DD", help="default today")
    verify.add_argument("--note", default="")
    estimated = command(
        benefits_sub,
        "estimate",
        _estimate,
        help="estimate a person's pension (养老金测算) from the record so far and stated"
        " assumptions (JSON; writes nothing)",
    )
    estimated.add_argument("id_number")
    estimated.add_argument("--retire", metavar="YYYY-MM", help="default: the statutory month")
    estimated.add_argument("--wage-growth", metavar="RATE", help="yearly, default 0.05")
    estimated.add_argument("--crediting-rate", metavar="RATE", help="default: the latest rate")
    estimated.add_argument(
        "--future-base-fen", metavar="FEN", help="default: the last month's base"
    )
    estimated.add_argument("--original-age", type=int, choices=(50, 55, 60), default=None)
    command(
        benefits_sub,
        "unverified",
        _unverified,
        atomic=True,
        writes=True,
        help="list beneficiaries past due for verification and open a suspension case for each",
    )


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    with bars({"pay": label}) as update:
        yield (lambda done, total: update("pay", done, total)) if update else None


def _pay(args: argparse.Namespace) -> int:
    with _bar(f"待遇发放 {args.month}") as progress:
        outcome = payments.pay_month(
            args.principal, args.month, settings.QUANYI_REGION, progress=progress
        )
    print_json(PayRun.model_validate(outcome, from_attributes=True))
    return 0


def _estimate(args: argparse.Namespace) -> int:
    person = registry.person_by_id_number(args.principal, args.id_number)
    found = estimates.pension_estimate(
        args.principal,
        person,
        estimates.Asked(
            retire=args.retire,
            wage_growth=args.wage_growth,
            crediting_rate=args.crediting_rate,
            future_base_fen=parse_fen(args.future_base_fen, "future_base_fen")
            if args.future_base_fen
            else None,
            original_age=args.original_age,
        ),
        YearMonth.of(timezone.localdate()),
    )
    print_json(EstimateOut.model_validate({"id_number": mask(person.id_number), **found}), indent=1)
    return 0


def _verify(args: argparse.Namespace) -> int:
    person = registry.person_by_id_number(args.principal, args.id_number)
    row = services.verify(
        args.principal, person, day_or_today(args.on), args.channel, args.result, args.note
    )
    print_json(
        VerificationOut(
            id=row.pk,
            id_number=mask(person.id_number),
            verified_on=row.verified_on.isoformat(),
            channel=row.channel,
            result=row.result,
            by=row.by,
        )
    )
    return 0


def _unverified(args: argparse.Namespace) -> int:
    opened = verification.open_suspensions(args.principal, timezone.localdate())
    print_json(
        PastDueList(
            past_due=[
                PastDueOut(
                    id_number=verification.masked(due),
                    name=mask_name(due.person.name),
                    since=due.since.isoformat(),
                    case_id=due.case_id,
                    refused=due.refused,
                )
                for due in opened
            ]
        ),
        indent=1,
    )
    return 0
