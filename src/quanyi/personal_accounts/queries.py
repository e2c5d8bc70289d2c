"""Reading the account for the record: balances by year, contribution months and years."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from quanyi.core.bulkwork import chunks
from quanyi.personal_accounts.models import Entry, EntryKind, PaidMonths, YearBalance
from quanyi.registry.queries import deemed_by_person, deemed_months
from quanyi.rulebook.calc import contribution_years

# Entries of money leaving the account, and of money recovered into it after leaving.
OUTGOING = (EntryKind.WITHDRAWAL, EntryKind.RECOVERED)


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``account``, ``contribution_months``, ``contribution_years`` and ``deemed_months``
    parts of the record."""
    part: dict[str, Any] = {}
    if "account" in items:
        part["account"] = account_part(person_id)
    months = months_part(person_id) if items & YEARS_ITEMS else {}
    if "contribution_months" in items:
        part["contribution_months"] = months
    deemed = deemed_months(person_id) if items & {"contribution_years", "deemed_months"} else 0
    if "contribution_years" in items:
        part["contribution_years"] = years_part(months, deemed)
    if "deemed_months" in items:
        part["deemed_months"] = deemed
    return part


YEARS_ITEMS = frozenset({"contribution_months", "contribution_years"})


def record_parts(person_ids: Sequence[int], items: frozenset[str]) -> dict[int, dict[str, Any]]:
    """``record_part`` for many persons, a chunk of them per query."""
    wanted = sorted(set(person_ids))
    years: dict[int, list[YearBalance]] = defaultdict(list)
    withdrawn: dict[int, dict[int, int]] = defaultdict(dict)
    months: dict[int, dict[str, int]] = defaultdict(dict)
    for chunk in chunks(wanted):
        if "account" in items:
            for row in YearBalance.objects.filter(person_id__in=chunk).order_by(
                "person_id", "year"
            ):
                years[row.person_id].append(row)
            sums = (
                Entry.objects.filter(person_id__in=chunk, kind__in=OUTGOING)
                .values("person_id", "year")
                .annotate(total=Sum("amount_fen"))
                .values_list("person_id", "year", "total")
            )
            for person_id, year, total in sums:
                withdrawn[person_id][year] = total
        if items & YEARS_ITEMS:
            found = (
                PaidMonths.objects.filter(person_id__in=chunk)
                .order_by("person_id", "insurance")
                .values_list("person_id", "insurance", "months")
            )
            for person_id, insurance, count in found:
                months[person_id][insurance] = count
    deemed = deemed_by_person(wanted) if items & {"contribution_years", "deemed_months"} else {}
    parts: dict[int, dict[str, Any]] = {}
    for pk in wanted:
        part: dict[str, Any] = {}
        if "account" in items:
            part["account"] = _account(years[pk], withdrawn[pk])
        if "contribution_months" in items:
            part["contribution_months"] = dict(months[pk])
        if "contribution_years" in items:
            part["contribution_years"] = years_part(months[pk], deemed.get(pk, 0))
        if "deemed_months" in items:
            part["deemed_months"] = deemed.get(pk, 0)
        parts[pk] = part
    return parts


def years_part(months: dict[str, int], deemed: int) -> dict[str, str]:
    """缴费年限 per insurance, to two decimals, shown only (the pension formula takes months /
    12 unrounded: REFERENCE.md Basic pension): the pension counts its deemed months
    (视同缴费月数) with the paid ones, the other insurances their paid months alone."""
    counted = dict(months)
    if deemed:
        counted["pension"] = counted.get("pension", 0) + deemed
    return {insurance: str(contribution_years(n)) for insurance, n in sorted(counted.items())}


def account_part(person_id: int) -> dict[str, Any]:
    """Each year's figures; what left the account (a pension's account part, a balance paid
    to heirs, less what was recovered) is shown apart from what was credited, as the annual
    statement lists them (REFERENCE.md Annual statement), though the projection keeps one sum."""
    years = list(YearBalance.objects.filter(person_id=person_id).order_by("year"))
    withdrawn = dict(
        Entry.objects.filter(person_id=person_id, kind__in=OUTGOING)
        .values("year")
        .annotate(total=Sum("amount_fen"))
        .values_list("year", "total")
    )
    return _account(years, withdrawn)


def _account(years: list[YearBalance], withdrawn: dict[int, int]) -> dict[str, Any]:
    return {
        "balance_fen": years[-1].closing_fen if years else 0,
        "by_year": [
            {
                "year": y.year,
                "opening_fen": y.opening_fen,
                "credited_fen": y.credited_fen + -withdrawn.get(y.year, 0),
                "withdrawn_fen": -withdrawn.get(y.year, 0),
                "interest_fen": y.interest_fen,
                "closing_fen": y.closing_fen,
            }
            for y in years
        ],
    }


def months_part(person_id: int) -> dict[str, int]:
    return dict(
        PaidMonths.objects.filter(person_id=person_id)
        .order_by("insurance")
        .values_list("insurance", "months")
    )
