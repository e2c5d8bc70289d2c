"""The account after a correction of contribution lines (更正, 003 §5; REFERENCE.md "Pension
personal account"), and the re-establishment of credits an account lacks (补建个人帐户).

A corrected line is never edited, in contributions or here: the credit of the line a
correction reversed is taken back by a ``reversal`` entry, the corrected line is credited once
its bill is paid, and the interest of the years already closed is put right by one
``late_int`` entry in the year of the correction (both signs). That amount is exact to the fen:
the closed years are computed again from the entries as they should have been (the reversed
credit gone, the corrected one where it would have been credited: in its own year when the
reversed one was credited on time, in the same year when it was credited late), each year's
interest rounded once as the closing rounded it, at the rate and by the method the closing
recorded; the same computation over the entries as they are gives what the account holds now,
and the difference is posted. So however many times a line is corrected, the account ends with
what it would have held had the line been right from the start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from quanyi.access.policy import authorize
from quanyi.contributions.models import BillStatus, Line, LineCorrection, LineKind
from quanyi.core.principal import Principal
from quanyi.core.regions import covers
from quanyi.personal_accounts import services
from quanyi.personal_accounts.models import Entry, EntryKind, InterestYear
from quanyi.registry.models import Person
from quanyi.rulebook import calc

PENSION = "pension"
# Lines whose late interest the computation below derives itself (never read from entries).
DERIVED = frozenset({LineKind.REVERSAL.value, LineKind.CORRECTION.value})


def closings(region: str) -> dict[int, tuple[Decimal, str]]:
    """Each closed year of the region with the rate and method its closing used."""
    found: dict[int, tuple[Decimal, str]] = {}
    for year, closed_for, rate, method in InterestYear.objects.order_by("-region").values_list(
        "year", "region", "rate", "method"
    ):
        if covers(closed_for, region) and year not in found:
            found[year] = (Decimal(rate), method)
    return found


def first_open_year(closed: Iterable[int], today: date) -> int:
    """Where a late entry goes: this year, or the first year after the last closed one."""
    years = list(closed)
    return max(today.year, max(years) + 1) if years else today.year


Item = tuple[int, str, int, bool]  # year, month, amount, earns interest that year


def balance(items: Iterable[Item], closed: dict[int, tuple[Decimal, str]]) -> int:
    """The balance the items give with every closed year's interest computed as the closing
    computes it (``services._year_interest``): the opening and each credit by its month (a
    month of another year as December), rounded once a year."""
    by_year: dict[int, list[tuple[str, int, bool]]] = defaultdict(list)
    for year, month, amount, earns in items:
        by_year[year].append((month, amount, earns))
    if not by_year:
        return 0
    first = min(by_year)
    total = 0
    for year in sorted(set(by_year) | {y for y in closed if y >= first}):
        credits: dict[int, int] = defaultdict(int)
        added = 0
        for month, amount, earns in by_year.get(year, []):
            added += amount
            if earns:
                credits[int(month[5:]) if month.startswith(str(year)) else 12] += amount
        interest = 0
        if year in closed:
            rate, method = closed[year]
            interest = calc.yearly_interest(total, credits, rate, method)
        total += added + interest
    return total


@dataclass
class _Account:
    """One person's entries and corrections, read once."""

    person: Person
    entries: list[tuple[int, str, str, int, int | None]]  # year, month, kind, amount, line
    lines: dict[int, tuple[str, str, int, str, str]]  # id → insurance, month, account, kind, status
    by_old: dict[int, LineCorrection]
    by_new: dict[int, LineCorrection]
    closed: dict[int, tuple[Decimal, str]]
    today: date

    @classmethod
    def read(cls, person_id: int, today: date) -> _Account:
        person = Person.objects.get(pk=person_id)
        corrections = list(LineCorrection.objects.filter(person_id=person_id))
        entries = list(
            Entry.objects.filter(person_id=person_id).values_list(
                "year", "month", "kind", "amount_fen", "line_id"
            )
        )
        wanted = {c.old_line_id for c in corrections} | {c.new_line_id for c in corrections}
        wanted |= {c.reversal_line_id for c in corrections}
        wanted |= {e[4] for e in entries if e[4] is not None and e[2] == EntryKind.LATE_INTEREST}
        lines = {
            pk: (insurance, month, account, kind, status)
            for pk, insurance, month, account, kind, status in Line.objects.filter(
                pk__in=sorted(wanted)
            ).values_list("pk", "insurance", "month", "account_fen", "kind", "bill__status")
        }
        return cls(
            person,
            entries,
            lines,
            {c.old_line_id: c for c in corrections},
            {c.new_line_id: c for c in corrections},
            closings(person.agency_region),
            today,
        )

    def credited(self) -> dict[int, tuple[int, int]]:
        """Line → (year of its credit entry, amount credited)."""
        found: dict[int, tuple[int, int]] = {}
        for year, _, kind, amount, line_id in self.entries:
            if kind == EntryKind.CREDIT and line_id is not None:
                before = found.get(line_id, (year, 0))
                found[line_id] = (before[0], before[1] + amount)
        return found

    def reversed(self) -> set[int]:
        return {e[4] for e in self.entries if e[2] == EntryKind.REVERSAL and e[4] is not None}

    def late_year(self) -> int:
        return first_open_year(self.closed, self.today)

    def placement(self, line_id: int) -> int:
        """The year a corrected line would have been credited in had it been right: as the
        line it replaced was (on time, or late in that same year), or in the year the
        correction says it was paid; a line never credited before is a late payment now."""
        correction = self.by_new[line_id]
        own = int(self.lines[line_id][1][:4])
        if correction.paid_on is not None:
            return max(correction.paid_on.year, own)
        old = correction.old_line_id
        credited = self.credited()
        if old in credited:
            was = self.placement(old) if old in self.by_new else credited[old][0]
            return own if was == int(self.lines[old][1][:4]) else max(was, own)
        if line_id in credited:
            return credited[line_id][0]
        return own if own not in self.closed else self.late_year()

    def late_interest(self, line_id: int, year: int, amount: int) -> int:
        """What a credit placed in ``year`` for an earlier year's month missed (补记利息)."""
        month = self.lines[line_id][1]
        own = int(month[:4])
        if year <= own:
            return 0
        rates = [(y, self.closed[y][0]) for y in range(own, year) if y in self.closed]
        if not rates:
            return 0
        method = self.closed[rates[0][0]][1]
        return calc.late_credit_interest(amount, int(month[5:]), rates, method)

    def items(self, reversed_lines: set[int], corrected: dict[int, int]) -> list[Item]:
        """The entries as they should have been: credits of reversed lines out, corrected
        lines (``corrected``: line → amount) where they would have been credited with what
        they would have missed, every closed year's interest left to ``balance``."""
        found: list[Item] = []
        for year, month, kind, amount, line_id in self.entries:
            if kind in (EntryKind.INTEREST, EntryKind.REVERSAL):
                continue
            if kind == EntryKind.CREDIT and (line_id in reversed_lines or line_id in self.by_new):
                continue
            if kind == EntryKind.LATE_INTEREST:
                if line_id in reversed_lines or self.lines.get(line_id or 0, ("",) * 4)[3] in (
                    DERIVED
                ):
                    continue
                found.append((year, month, amount, False))
                continue
            found.append((year, month, amount, True))
        for line_id, amount in corrected.items():
            if line_id in reversed_lines:
                continue
            year = self.placement(line_id)
            month = self.lines[line_id][1]
            found.append((year, month, amount, True))
            late = self.late_interest(line_id, year, amount)
            if late:
                found.append((year, month, late, False))
        return found


def reconcile(principal: Principal, person_id: int, today: date | None = None) -> int:
    """Bring a person's account in line with the corrections of their lines: take back the
    credit of each reversed line, credit each corrected pension line whose bill is paid, and
    post what the closed years' interest should have been. Idempotent (what is posted already
    is not posted again); returns entries written."""
    account = _Account.read(person_id, today or date.today())
    credited = account.credited()
    done = account.reversed()
    to_reverse = [old for old in account.by_old if old in credited and old not in done]
    to_credit = [
        new
        for new, correction in account.by_new.items()
        if new not in credited
        and new not in account.by_old
        and account.lines[new][0] == PENSION
        and account.lines[new][2] > 0
        and account.lines[new][4] == BillStatus.PAID
    ]
    if not to_reverse and not to_credit:
        return 0
    held = {new: credited[new][1] for new in account.by_new if new in credited}
    before = balance(account.items(done, held), account.closed)
    after = balance(
        account.items(
            done | set(to_reverse), {**held, **{n: account.lines[n][2] for n in to_credit}}
        ),
        account.closed,
    )
    late_year = account.late_year()
    entries: list[services.NewEntry] = []
    for old in to_reverse:
        year, amount = credited[old]
        entries.append(
            services.NewEntry(
                person_id,
                year if year not in account.closed else late_year,
                account.lines[old][1],
                EntryKind.REVERSAL,
                -amount,
                old,
            )
        )
    for new in to_credit:
        year = account.placement(new)
        entries.append(
            services.NewEntry(
                person_id,
                year if year not in account.closed else late_year,
                account.lines[new][1],
                EntryKind.CREDIT,
                account.lines[new][2],
                new,
            )
        )
    interest = after - before - sum(e.amount_fen for e in entries)
    if interest:
        first = to_credit[0] if to_credit else to_reverse[0]
        correction = account.by_new.get(first) or account.by_old[first]
        entries.append(
            services.NewEntry(
                person_id,
                entries[-1].year,
                account.lines[first][1],
                EntryKind.LATE_INTEREST,
                interest,
                correction.reversal_line_id,
            )
        )
    services.post_entries(principal, "account.correct", entries)
    return len(entries)


# --- 补建个人帐户: re-establishing credits an account lacks -----------------------------------


def missing(person: Person) -> tuple[list[services.Credit], list[int]]:
    """The paid pension lines of the person whose account share was never credited: ordinary
    lines as credits, and corrected lines (credited by ``reconcile``)."""
    lines = list(
        Line.objects.filter(
            person=person,
            insurance=PENSION,
            bill__status=BillStatus.PAID,
            account_fen__gt=0,
        )
        .exclude(kind=LineKind.REVERSAL)
        .order_by("month", "pk")
        .values_list("pk", "month", "account_fen", "kind")
    )
    ids = [pk for pk, *_ in lines]
    gone = set(
        LineCorrection.objects.filter(old_line_id__in=ids).values_list("old_line_id", flat=True)
    )
    credited = set(
        Entry.objects.filter(person=person, kind=EntryKind.CREDIT, line_id__in=ids).values_list(
            "line_id", flat=True
        )
    )
    credits: list[services.Credit] = []
    corrected: list[int] = []
    for pk, month, amount, kind in lines:
        if pk in gone or pk in credited:
            continue
        if kind == LineKind.CORRECTION:
            corrected.append(pk)
        else:
            credits.append(services.Credit(person.pk, month, amount, pk, person.agency_region))
    return credits, corrected


def reestablish(principal: Principal, person: Person, today: date | None = None) -> int:
    """Credit every paid pension month the account lacks, as late credits with the interest
    they missed in the closed years (``services.credit``, as a back-payment is credited);
    returns entries written."""
    authorize(principal, "registry.write")
    today = today or date.today()
    credits, corrected = missing(person)
    written = services.credit(principal, credits, today)
    if corrected:
        written += reconcile(principal, person.pk, today)
    return written
