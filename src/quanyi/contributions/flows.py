"""Posting a month (月报): one bill per employer from its relations active in the month, with a
line per person and insurance. Employers are taken in units of work — one transaction each,
written by ``services.bill_unit`` with one audit event for the bills and one for their lines
(the Merkle root of their digests). Posting is resumable (employers already billed are
skipped) and refused once the month is complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quanyi.access.policy import authorize
from quanyi.contributions import legacy, queries, services
from quanyi.core.errors import Conflict, InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import EMPLOYEE_INSURANCES
from quanyi.rulebook.calc import Rates
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow import services as cases
from quanyi.workflow.models import Case


@dataclass
class PostOutcome:
    month: str
    bills: int = 0
    lines: int = 0
    skipped: int = 0  # employers billed by an earlier, interrupted run
    at_lower_bound: int = 0  # lines with no declaration: the lower bound was used


def post_month(
    principal: Principal,
    month_text: str,
    region: str,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> PostOutcome:
    """Post every employer's bill for the month. Employers are taken in units of about
    ``QUANYI_POST_UNIT_LINES`` lines; each unit commits on its own, so an interrupted run
    leaves whole bills and the next run continues with the employers not yet billed."""
    authorize(principal, "contributions.post")
    month = YearMonth.parse(month_text, "month")
    book = Rulebook.load()
    rates = postable(book, region, month)
    if queries.is_posted(month, region):
        raise Conflict(f"{month} 已记账，不能重复记账", f"{month} is posted already")
    outcome = PostOutcome(str(month))
    sizes = queries.relation_counts(month, region)
    employer_ids = sorted(sizes)
    billed = queries.billed_employers(month)
    outcome.skipped = len(billed & set(employer_ids))
    units = _units([e for e in employer_ids if e not in billed], sizes)
    done = outcome.skipped
    if progress:
        progress(done, len(employer_ids))  # the bar knows its length before the first unit
    for unit in units:
        with transaction.atomic():
            bills, lines, at_lower = services.bill_unit(principal, unit, month, rates)
        outcome.bills += bills
        outcome.lines += lines
        outcome.at_lower_bound += at_lower
        done += len(unit)
        if progress:
            progress(done, len(employer_ids))
        if stop_after is not None and outcome.bills >= stop_after:
            return outcome
    with transaction.atomic():
        services.record_posted(principal, str(month), region, employer_ids)
    return outcome


def postable(book: Rulebook, region: str, month: YearMonth) -> Rates:
    """The month's rates, if the month may be posted: it has begun (a bill is made in its own
    month, 004 part 5 art. 8) and the rulebook has its rates. Otherwise the refusal says, in
    words, which months may be posted."""
    current = YearMonth.of(timezone.localdate())
    first = first_postable(book, region)
    if first is None or not first <= month <= current:
        span = f"{first} — {current}" if first is not None else "—"
        zh = f"{month} 不能记账：可记账的月份为 {span}"
        en = f"{month} cannot be posted: the months that may be posted are {span}"
        if month > current:
            zh += "（该月尚未开始）"
            en += " (that month has not begun)"
        elif first is not None and month < first:
            zh += "（该月没有缴费费率）"
            en += " (the rulebook has no rates for that month)"
        raise InvalidInput.one("month", "not_postable", zh, en)
    return Rates.of(book, region, month, EMPLOYEE_INSURANCES)


def first_postable(book: Rulebook, region: str) -> YearMonth | None:
    """The first month for which the rulebook holds every rate a bill needs."""
    starts = sorted(
        {
            YearMonth.of(valid_from)
            for (key, _), rows in book.rows.items()
            if key.startswith("rate.") or key == "account.share"
            for valid_from, _, _ in rows
        }
    )
    for month in [*starts, *(start.add(1) for start in starts)]:
        try:
            Rates.of(book, region, month, EMPLOYEE_INSURANCES)
        except QuanyiError:
            continue
        return month
    return None


# At least this many units when a run is long enough, so its progress moves as it goes.
PROGRESS_STEPS = 50
MIN_UNIT_LINES = 500


def _units(employer_ids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    units: list[list[int]] = []
    current: list[int] = []
    lines = 0
    total = sum(sizes[e] for e in employer_ids)
    limit = min(settings.QUANYI_POST_UNIT_LINES, max(MIN_UNIT_LINES, total // PROGRESS_STEPS))
    for employer_id in employer_ids:
        if current and lines + sizes[employer_id] > limit:
            units.append(current)
            current, lines = [], 0
        current.append(employer_id)
        lines += sizes[employer_id]
    if current:
        units.append(current)
    return units


def submit_legacy(principal: Principal, folder: Path) -> Case:
    """Submit a folder of legacy CSV files as one ``import.legacy`` case (the command line's
    ``import legacy DIR`` and the upload screen): counted before any is read whole, each
    stored under its SHA-256 and attached; the case's intake validates every row."""
    found = {p.name: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}
    if not found:
        raise InvalidInput.one(
            "directory", "empty", f"{folder} 中没有 CSV 文件", f"no CSV files in {folder}"
        )
    legacy.refuse_too_large(found)  # counted one row at a time, before any is read whole
    contents = {name: path.read_bytes() for name, path in found.items()}
    # Submitting validates every row of the stored files once; if it refuses, files no case
    # refers to are removed again.
    files = {name: cases.store_content(data) for name, data in contents.items()}
    try:
        return cases.submit(
            principal,
            "import.legacy",
            {"files": files},
            tuple(cases.NewAttachment(name, data) for name, data in contents.items()),
        )
    except QuanyiError:
        cases.discard_unreferenced(files.values())
        raise
