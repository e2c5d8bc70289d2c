"""``quanyi accounts rebuild``: recompute every projection from the ledgers and report what
differed (nothing, when all is well). The ledgers are the truth (DESIGN invariant 2); what they
give, and how it is compared, is ``projections`` — shared with ``check consistency`` and
``audit verify``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model

from quanyi.access.policy import authorize
from quanyi.audit import bulk
from quanyi.audit import services as audit
from quanyi.core.principal import Principal
from quanyi.personal_accounts import projections
from quanyi.personal_accounts.models import PaidMonths, YearBalance

BATCH = 10000


@dataclass
class RebuildReport:
    balances: int = 0
    months: int = 0
    differences: list[str] = field(default_factory=list)


def rebuild(principal: Principal) -> RebuildReport:
    """Compare first; a table that differs is then rewritten whole from its ledgers, in
    batches as the ledgers stream (a table that agrees is left alone)."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "accounts.close")
    report = RebuildReport()
    balances = [d.en for d in projections.balance_differences()]
    months = [d.en for d in projections.month_differences()]
    report.differences = balances + months
    report.balances = (
        _rewrite(YearBalance, ("person_id", "year", *projections.BALANCE_FIELDS), _balance_rows())
        if balances
        else YearBalance.objects.count()
    )
    report.months = (
        _rewrite(PaidMonths, ("person_id", "insurance", "months"), _month_rows())
        if months
        else PaidMonths.objects.count()
    )
    audit.record(
        principal,
        "account.rebuild",
        "projection",
        "",
        rows=report.balances + report.months,
        result="ok" if not report.differences else "differed",
    )
    return report


def _balance_rows() -> Iterator[tuple[int, ...]]:
    for person_id, years in projections.expected_balances():
        for year, balance in years.items():
            yield (person_id, year, *balance)


def _month_rows() -> Iterator[tuple[int, str, int]]:
    for person_id, counts in projections.expected_months():
        for insurance, months in counts.items():
            yield person_id, insurance, months


def _rewrite(
    model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]
) -> int:
    model._default_manager.all().delete()
    written = 0
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            bulk.insert_rows(model._meta.db_table, columns, batch)
            written, batch = written + len(batch), []
    bulk.insert_rows(model._meta.db_table, columns, batch)
    return written + len(batch)
