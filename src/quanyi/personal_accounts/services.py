"""Writing the personal account: credits when a month is paid, yearly interest, and the
projections kept beside the ledger. The ledger is the truth; ``rebuild`` recomputes the rest.

A credit belongs to its month's year while that year is open. Once the year's interest is
credited (the year is closed), a late credit belongs to the year it is paid, with a
late-interest entry for the closed years between (补记利息, REFERENCE.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection
from django.db.models import Model, QuerySet

from quanyi.access.policy import authorize
from quanyi.audit import bulk
from quanyi.audit import services as audit
from quanyi.contributions.models import BillStatus, Line, LineCorrection, LineKind
from quanyi.core import regions
from quanyi.core.bulkwork import among, by_key, chunks, int_array, missing_ids
from quanyi.core.errors import Conflict
from quanyi.core.principal import Principal
from quanyi.core.regions import covers
from quanyi.personal_accounts.models import Entry, EntryKind, InterestYear, PaidMonths, YearBalance
from quanyi.registry.models import Person
from quanyi.rulebook import calc
from quanyi.rulebook.queries import Rulebook

INTEREST_KINDS = frozenset({EntryKind.INTEREST, EntryKind.LATE_INTEREST})


class Credit(NamedTuple):
    """A paid month's personal-account share, to be credited (a tuple: imports make millions)."""

    person_id: int
    month: str  # YYYY-MM of the contribution
    amount_fen: int
    line_id: int
    region: str  # the person's agency region (rates, method)


def closed_years(region: str) -> set[int]:
    """Years whose interest is credited for the region (by it or by a region covering it)."""
    return {
        year
        for year, closed_for in InterestYear.objects.values_list("year", "region")
        if covers(closed_for, region)
    }


def late_placement(
    book: Rulebook | None,
    region: str,
    month: str,
    amount_fen: int,
    paid_year: int,
    closed: set[int],
) -> tuple[int, int]:
    """(account year, late interest) of a credit for ``month`` paid in ``paid_year``: its own
    year while open; otherwise the first open year, with the interest it missed in the closed
    years between, at their rates, by the region's method."""
    year = int(month[:4])
    if year not in closed:
        return year, 0
    book = book or Rulebook.load()
    target = max(paid_year, max(closed) + 1)
    rates = [
        (y, book.fraction("interest.rate", region, date(y, 1, 1)))
        for y in range(year, target)
        if y in closed
    ]
    method = book.text("interest.method", region, date(year, 1, 1))
    return target, calc.late_credit_interest(amount_fen, int(month[5:]), rates, method)


def credit(
    principal: Principal,
    credits: Iterable[Credit],
    paid_on: date,
    closed_for_these: set[int] | None = None,
) -> int:
    """Credit paid months to their accounts (one batch event); returns entries written.
    ``closed_for_these``: the years to treat as closed for these accounts instead of their
    region's — for history replayed year by year into accounts that had nothing then."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    book = None  # read only when a credit falls in a closed year
    closed_by_region: dict[str, set[int]] = {}
    entries: list[NewEntry] = []
    for item in credits:
        if item.amount_fen <= 0:
            continue
        closed = closed_for_these
        if closed is None:
            closed = closed_by_region.get(item.region)
        if closed is None:
            closed = closed_by_region[item.region] = closed_years(item.region)
        if book is None and int(item.month[:4]) in closed:
            book = Rulebook.load()
        year, late = late_placement(
            book, item.region, item.month, item.amount_fen, paid_on.year, closed
        )
        for kind, amount in ((EntryKind.CREDIT, item.amount_fen), (EntryKind.LATE_INTEREST, late)):
            if amount:
                entries.append(
                    NewEntry(item.person_id, year, item.month, kind, amount, item.line_id)
                )
    if not entries:
        return 0
    _write_entries(principal, "account.credit", entries)
    _project(entries)
    return len(entries)


class Withdrawal(NamedTuple):
    """Money leaving an account (a pension's account part, a balance paid to heirs): the
    amount, positive, and the benefit month it is for."""

    person_id: int
    month: str
    amount_fen: int


def withdraw(
    principal: Principal, withdrawals: Iterable[Withdrawal], paid_in: int, *, back: bool = False
) -> int:
    """Take (or, with ``back``, put back — an overpayment recovered) amounts
    from accounts in one batch event; they belong to the year they are paid in, or the first
    open year after it. Returns entries written."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    kind, sign = (EntryKind.RECOVERED, 1) if back else (EntryKind.WITHDRAWAL, -1)
    items = [w for w in withdrawals if w.amount_fen > 0]
    regions_of: dict[int, str] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(sorted({w.person_id for w in items})):
            where, params = among("id", chunk)
            cursor.execute(
                f"SELECT id, agency_region FROM {Person._meta.db_table} WHERE {where}", params
            )
            regions_of.update(cursor.fetchall())
    closed_by_region: dict[str, set[int]] = {}
    entries = []
    for item in items:
        region = regions_of.get(item.person_id, "")
        closed = closed_by_region.get(region)
        if closed is None:
            closed = closed_by_region[region] = closed_years(region)
        year = max(paid_in, max(closed) + 1) if closed and paid_in in closed else paid_in
        entries.append(
            NewEntry(item.person_id, year, item.month, kind, sign * item.amount_fen, None)
        )
    if not entries:
        return 0
    # The persons' regions were just read by key in this transaction: that read is the
    # look-up ``_write_entries`` would otherwise make again.
    _write_entries(
        principal, "account.reverse" if back else "account.withdraw", entries, set(regions_of)
    )
    _project(entries)
    return len(entries)


class NewEntry(NamedTuple):
    """An account entry about to be written, in ``Entry``'s audit-field order."""

    person_id: int
    year: int
    month: str
    kind: str
    amount_fen: int
    line_id: int | None


def post_entries(principal: Principal, action: str, entries: list[NewEntry]) -> None:
    """Write entries computed elsewhere (a correction's, ``corrections``) under one batch
    event, and fold them into the year balances."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    if entries:
        _write_entries(principal, action, entries)
        _project(entries)


def _write_entries(
    principal: Principal,
    action: str,
    entries: list[NewEntry],
    persons_found: set[int] | None = None,
) -> None:
    """One unit's entries by the bulk writer, with one batch event carrying their root, after
    checking the persons they name exist — the table has no foreign-key trigger (decision
    0019): a missing one raises ``IntegrityError`` and the unit rolls back. A caller that has
    read the persons by key in this transaction passes the ids it found."""
    if persons_found is None:
        missing = missing_ids(Person._meta.db_table, (e.person_id for e in entries))
    else:
        missing = {e.person_id for e in entries} - persons_found
    if missing:
        raise IntegrityError(
            f"account entries name {Person._meta.db_table} ids that do not exist:"
            f" {sorted(missing)[:10]}"
        )
    seq = audit.reserve_seq()
    _, digests = bulk.write_rows(Entry, [(*e[:3], str(e.kind), *e[4:]) for e in entries], seq)
    audit.record_batch_leaves(principal, action, Entry, seq, digests)


def _project(
    entries: list[NewEntry], ensure_year: int | None = None, persons: Iterable[int] = ()
) -> None:
    """Fold new entries into the year balances — the entry's year and every later year on
    record — with a few set-based statements whatever the number of accounts. ``ensure_year``
    gives each of ``persons`` a row for that year even when nothing was entered in it."""
    deltas: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for entry in entries:
        deltas[entry.person_id][entry.year][1 if entry.kind in INTEREST_KINDS else 0] += (
            entry.amount_fen
        )
    if ensure_year is not None:
        for person_id in persons:
            deltas[person_id][ensure_year]
    if not deltas:
        return
    # [id (0 while new), opening, credited, interest, closing] per person and year, as plain
    # lists: the ORM's objects cost more than the arithmetic at a million accounts.
    rows: dict[int, dict[int, list[int]]] = defaultdict(dict)
    with by_key(), connection.cursor() as cursor:
        for chunk in chunks(list(deltas)):
            where, params = among("person_id", chunk)
            cursor.execute(
                "SELECT id, person_id, year, opening_fen, credited_fen, interest_fen, closing_fen"
                f" FROM {YearBalance._meta.db_table} WHERE {where}",
                params,
            )
            for pk, person_id, year, *amounts in cursor.fetchall():
                rows[person_id][year] = [pk, *amounts]
    changed: list[tuple[int, ...]] = []
    created: list[tuple[int, ...]] = []
    for person_id, years in deltas.items():
        mine = rows[person_id]
        for year in sorted(years):
            if year not in mine:
                before = [y for y in mine if y < year]
                opening = mine[max(before)][4] if before else 0
                mine[year] = [0, opening, 0, 0, opening]
        for year, (credited, interest) in sorted(years.items()):
            row = mine[year]
            row[2] += credited
            row[3] += interest
            row[4] += credited + interest
            for later in (mine[y] for y in mine if y > year):
                later[1] += credited + interest
                later[4] += credited + interest
        for year, (pk, *amounts) in mine.items():
            if pk:
                changed.append((*amounts, pk))
            else:
                created.append((person_id, year, *amounts))
    bulk.insert_rows(
        YearBalance._meta.db_table,
        ("person_id", "year", "opening_fen", "credited_fen", "interest_fen", "closing_fen"),
        created,
    )
    _update_by_id(
        YearBalance, ("opening_fen", "credited_fen", "interest_fen", "closing_fen"), changed
    )


def count_paid_months(pairs: Iterable[tuple[int, str]]) -> None:
    """Add one paid month to each (person, insurance) given — set-based."""
    wanted: dict[tuple[int, str], int] = defaultdict(int)
    for pair in pairs:
        wanted[pair] += 1
    if not wanted:
        return
    existing = {
        (row.person_id, row.insurance): row
        for row in PaidMonths.objects.filter(person_id__in={p for p, _ in wanted})
    }
    changed = []
    created = []
    for pair, count in wanted.items():
        row = existing.get(pair)
        if row is None:
            created.append(PaidMonths(person_id=pair[0], insurance=pair[1], months=count))
        else:
            row.months += count
            changed.append(row)
    PaidMonths.objects.bulk_create(created, batch_size=5000)
    _update_by_id(PaidMonths, ("months",), [(r.months, r.pk) for r in changed])


def _update_by_id(
    model: type[Model], columns: tuple[str, ...], rows: list[tuple[int, ...]]
) -> None:
    """Set integer ``columns`` of many projection rows by id, the values first and the id last
    in each row: one UPDATE over arrays on PostgreSQL, one prepared UPDATE run many times on
    SQLite (Django's bulk_update builds a CASE per column whose size grows with the batch,
    which costs far more here)."""
    if not rows:
        return
    table = model._meta.db_table
    with by_key(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement, the values as arrays
            names = [*columns, "id"]
            unnested = ", ".join(f"unnest(%s::bigint[]) AS {name}" for name in names)
            assignments = ", ".join(f"{column} = v.{column}" for column in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (SELECT {unnested}) v"
                f" WHERE {table}.id = v.id",
                [int_array(values) for values in zip(*rows, strict=True)],
            )
            return
        assignments = ", ".join(f"{column} = %s" for column in columns)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)


# --- yearly interest -------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestOutcome:
    year: int
    rate: Decimal
    method: str
    persons: int
    interest_fen: int


def credit_interest(principal: Principal, year: int, region: str) -> InterestOutcome:
    """Credit year ``year``'s interest to every account of the region and close the year.
    Refused if it was credited already, or while an earlier year with credits is still open."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "accounts.close")
    if year >= date.today().year:
        raise Conflict(
            f"{year} 年度尚未结束，不能计息", f"{year} is not over: its interest comes after it"
        )
    if InterestYear.objects.filter(year=year, region=region).exists():
        raise Conflict(
            f"{year} 年度利息已记入，不能重复计息", f"interest for {year} is credited already"
        )
    done = closed_years(region)
    mine = Entry.objects.filter(regions.within("person__agency_region", region))
    still_open = set(mine.filter(year__lt=year).values_list("year", flat=True).distinct()) - done
    if still_open:
        earlier = min(still_open)
        raise Conflict(
            f"{earlier} 年度尚未计息，须先计 {earlier} 年利息",
            f"{earlier} is not closed yet: credit its interest first",
        )
    book = Rulebook.load()
    rate = book.fraction("interest.rate", region, date(year, 1, 1))
    method = book.text("interest.method", region, date(year, 1, 1))
    entries, accounts = _year_interest(
        year,
        rate,
        method,
        mine,
        YearBalance.objects.filter(regions.within("person__agency_region", region)),
    )
    total = sum(e.amount_fen for e in entries)
    if entries:
        _write_entries(principal, "account.interest", entries)
        _project(entries, ensure_year=year, persons=accounts)
    audit.create_entry(
        principal,
        "account.close_year",
        InterestYear,
        year=year,
        region=region,
        rate=str(rate),
        method=method,
        persons=len(entries),
        interest_fen=total,
    )
    return InterestOutcome(year, rate, method, len(entries), total)


def _year_interest(
    year: int,
    rate: Decimal,
    method: str,
    entries: QuerySet[Entry],
    balances: QuerySet[YearBalance],
) -> tuple[list[NewEntry], set[int]]:
    """The year's interest entries for the accounts the two querysets hold, and every account
    that had money in the year (whose year row must exist even when the interest is zero)."""
    opening = dict(balances.filter(year=year - 1).values_list("person_id", "closing_fen"))
    credits: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for person_id, month, amount in (
        entries.filter(year=year)
        .exclude(kind__in=INTEREST_KINDS)
        .values_list("person_id", "month", "amount_fen")
    ):
        # A late credit (of an earlier year's month) earns as if credited in December.
        number = int(month[5:]) if month.startswith(str(year)) else 12
        credits[person_id][number] += amount
    found = []
    for person_id in sorted(set(opening) | set(credits)):
        interest = calc.yearly_interest(
            opening.get(person_id, 0), credits.get(person_id, {}), rate, method
        )
        if interest:
            found.append(NewEntry(person_id, year, "", EntryKind.INTEREST, interest, None))
    return found, set(opening) | set(credits)


def credit_interest_for(
    principal: Principal, year: int, region: str, person_ids: Iterable[int]
) -> int:
    """The interest of a year already closed for the region, for accounts whose history of that
    year arrived afterwards, whole (a legacy import of persons who had no account here):
    computed as the year's closing computed everyone else's, at the rate and by the method it
    recorded. Returns the interest credited. Refused for an account that has that year's
    interest already, and for a year that is not closed."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "accounts.close")
    closing = next(
        (
            (rate, method)
            for closed_for, rate, method in InterestYear.objects.filter(year=year).values_list(
                "region", "rate", "method"
            )
            if covers(closed_for, region)
        ),
        None,
    )
    if closing is None:
        raise Conflict(f"{year} 年度尚未计息", f"{year} is not closed")
    rate, method = Decimal(closing[0]), closing[1]
    total = 0
    for chunk in chunks(sorted(set(person_ids))):
        mine = Entry.objects.filter(person_id__in=chunk)
        if mine.filter(year=year, kind=EntryKind.INTEREST).exists():
            raise Conflict(
                f"{year} 年度利息已记入，不能重复计息", f"interest for {year} is credited already"
            )
        entries, accounts = _year_interest(
            year, rate, method, mine, YearBalance.objects.filter(person_id__in=chunk)
        )
        if entries:
            _write_entries(principal, "account.interest", entries)
        _project(entries, ensure_year=year, persons=accounts)
        total += sum(e.amount_fen for e in entries)
    return total


def reversed_months(person_ids: Iterable[int] | None = None) -> dict[tuple[int, str], int]:
    """(person, insurance) → paid months that counting the distinct months of paid lines
    counts although every paid line of the month has been reversed by a correction (a
    reversal sits in the bill of the line it reverses). Read from the corrections' own small
    ledger, never by a scan of the lines."""
    corrections = LineCorrection.objects.all()
    if person_ids is not None:
        corrections = corrections.filter(person_id__in=sorted(set(person_ids)))
    reversals = [pk for (pk,) in corrections.values_list("reversal_line_id")]
    keys = {
        key
        for chunk in chunks(reversals)
        for key in Line.objects.filter(pk__in=chunk, bill__status=BillStatus.PAID).values_list(
            "person_id", "insurance", "month"
        )
    }
    if not keys:
        return {}
    net: dict[tuple[int, str, str], int] = defaultdict(int)
    for person_id, insurance, month, kind in Line.objects.filter(
        person_id__in={k[0] for k in keys},
        month__in={k[2] for k in keys},
        bill__status=BillStatus.PAID,
    ).values_list("person_id", "insurance", "month", "kind"):
        if (person_id, insurance, month) in keys:
            net[(person_id, insurance, month)] += -1 if kind == LineKind.REVERSAL else 1
    found: dict[tuple[int, str], int] = defaultdict(int)
    for (person_id, insurance, _), count in net.items():
        if count <= 0:
            found[(person_id, insurance)] += 1
    return dict(found)


def recount_months(person_ids: Iterable[int]) -> None:
    """Set the contribution months of these persons from their paid lines: one statement that
    counts the distinct paid months per person and insurance, in chunks of persons, less the
    months a correction took away (``reversed_months``)."""
    table = PaidMonths._meta.db_table
    person_ids = sorted(set(person_ids))
    less = reversed_months(person_ids)
    for chunk in chunks(person_ids):
        PaidMonths.objects.filter(person_id__in=chunk).delete()
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (person_id, insurance, months)"
                " SELECT line.person_id, line.insurance, COUNT(DISTINCT line.month)"
                " FROM contributions_line line"
                " JOIN contributions_bill bill ON bill.id = line.bill_id"
                f" WHERE bill.status = %s AND line.person_id IN ({marks})"
                " GROUP BY line.person_id, line.insurance",
                [BillStatus.PAID.value, *chunk],
            )
    for (person_id, insurance), months in less.items():
        row = PaidMonths.objects.get(person_id=person_id, insurance=insurance)
        if row.months > months:
            _update_by_id(PaidMonths, ("months",), [(row.months - months, row.pk)])
        else:
            row.delete()
