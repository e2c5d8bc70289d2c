"""The account's reactions to contributions' facts (``contributions.events``), subscribed in
``apps.py``: each runs in the transaction that wrote the fact, so a bill paid and the account
credited for it are one unit of work. Contributions, below, never imports the account.

- a bill paid in full for the first time credits its pension lines (in the year paid, with late
  interest if that month's year is closed) and counts its months (001 art. 2 (3));
- history an import wrote is replayed into the accounts year by year, as it happened;
- a back-payment being priced learns the late interest each month would bring (补记利息);
- a correction of lines puts the account right (``corrections.reconcile``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from quanyi.contributions.bulk import LineRow
from quanyi.contributions.events import BackpayPriced, BillsPaid, HistoryLoaded, LinesCorrected
from quanyi.contributions.models import BillStatus, Line, LineCorrection
from quanyi.core.bulkwork import chunks
from quanyi.personal_accounts import corrections
from quanyi.personal_accounts import services as accounts
from quanyi.personal_accounts.models import Entry
from quanyi.registry.models import Person
from quanyi.rulebook.queries import Rulebook


def credit_paid_bills(event: BillsPaid) -> None:
    """Credit the pension lines of the bills just paid, and count each person's month once
    per insurance — not again where another bill of that month was paid already. Lines a
    correction touched (a reversed line, its reversal, a corrected line) are the correction's:
    those persons' accounts are reconciled with it and their months counted again."""
    lines = list(
        Line.objects.filter(bill_id__in=event.bill_ids).values_list(
            "pk", "person_id", "insurance", "month", "account_fen", "kind"
        )
    )
    region_of = _regions({person_id for _, person_id, *_ in lines})
    touched = set(
        LineCorrection.objects.filter(person_id__in=sorted(region_of)).values_list(
            "person_id", flat=True
        )
    )
    gone = set(
        LineCorrection.objects.filter(
            old_line_id__in=[pk for pk, person_id, *_ in lines if person_id in touched]
        ).values_list("old_line_id", flat=True)
    )
    accounts.credit(
        event.principal,
        [
            accounts.Credit(person_id, month, amount, pk, region_of[person_id])
            for pk, person_id, insurance, month, amount, kind in lines
            if insurance == "pension" and pk not in gone and kind not in corrections.DERIVED
        ],
        event.paid_on,
    )
    for person_id in sorted(touched):
        corrections.reconcile(event.principal, person_id, event.paid_on)
    accounts.recount_months(touched)
    lines = [line for line in lines if line[1] not in touched]
    already = set(
        Line.objects.filter(
            person_id__in={person_id for _, person_id, *_ in lines},
            month__in={month for _, _, _, month, *_ in lines},
            bill__status=BillStatus.PAID,
        )
        .exclude(bill_id__in=event.bill_ids)
        .values_list("person_id", "insurance", "month")
    )
    counted = {
        (person_id, insurance, month)
        for _, person_id, insurance, month, *_ in lines
        if (person_id, insurance, month) not in already
    }
    accounts.count_paid_months((person_id, insurance) for person_id, insurance, _ in counted)


def correct_accounts(event: LinesCorrected) -> None:
    """After a correction of these persons' lines: their accounts reconciled with it (the
    reversed credit taken back, the corrected line credited if paid, closed years' interest put
    right) and their contribution months counted again."""
    for person_id in event.person_ids:
        corrections.reconcile(event.principal, person_id)
    accounts.recount_months(event.person_ids)


def credits_by_year(
    lines: Sequence[LineRow],
    first_line: int,
    paid_on: Mapping[int, date],
    region_of: Callable[[int], str],
) -> dict[int, list[accounts.Credit]]:
    """The paid pension lines of written history (ids from ``first_line``, in order) as
    account credits, by the year they were paid."""
    found: dict[int, list[accounts.Credit]] = defaultdict(list)
    for offset, (bill_id, person_id, insurance, month, *_, account_fen, _) in enumerate(lines):
        on = paid_on.get(bill_id)
        if on is None or insurance != "pension":
            continue
        found[on.year].append(
            accounts.Credit(
                person_id, month, account_fen, first_line + offset, region_of(person_id)
            )
        )
    return found


def replay_history(event: HistoryLoaded) -> None:
    """The account, year by year as it happened: the credits of each year (late ones with
    their late interest), then the year's interest if the year is over; then the contribution
    months of everyone the history names."""
    principal = event.principal
    region_of = _regions(event.person_ids)
    by_year = credits_by_year(event.lines, event.first_line, event.paid_on, region_of.__getitem__)
    if by_year:
        closed = accounts.closed_years(principal.region)
        first = min(by_year)
        # Accounts that had nothing here get their history as it happened, even in years the
        # region has closed since: each year's credits, then that year's interest for them.
        # Others already have money in closed years, so their months of those years are late
        # credits.
        fresh = set(region_of) - _with_entries(set(region_of))
        for year in range(first, max(by_year) + 1):
            due = by_year.get(year, [])
            end = date(year, 12, 31)
            accounts.credit(principal, [c for c in due if c.person_id not in fresh], end)
            accounts.credit(
                principal,
                [c for c in due if c.person_id in fresh],
                end,
                closed_for_these={y for y in closed if y < first} | set(range(first, year)),
            )
            if year >= date.today().year:
                continue
            if year in closed:
                accounts.credit_interest_for(principal, year, principal.region, fresh)
            else:
                accounts.credit_interest(principal, year, principal.region)
    if event.paid_on:
        accounts.recount_months(event.person_ids)


def price_backpay(event: BackpayPriced) -> list[int]:
    """The late interest each back-paid month brings the account: nothing while its year is
    open, else what it missed in the closed years, at their rates, by the region's method."""
    closed = accounts.closed_years(event.region)
    book = Rulebook.load() if closed else None
    return [
        accounts.late_placement(book, event.region, month, amount, event.paid_year, closed)[1]
        for month, amount in event.lines
    ]


def _regions(person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's agency region (the rates and method of their account)."""
    return {
        pk: region
        for chunk in chunks(sorted(set(person_ids)))
        for pk, region in Person.objects.filter(pk__in=chunk).values_list("pk", "agency_region")
    }


def _with_entries(person_ids: set[int]) -> set[int]:
    """Those of these persons whose account has any entry."""
    return {
        person_id
        for chunk in chunks(sorted(person_ids))
        for person_id in Entry.objects.filter(person_id__in=chunk)
        .values_list("person_id", flat=True)
        .distinct()
    }
