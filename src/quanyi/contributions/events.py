"""The facts contributions announces (``core.events``) for the domains above it — the personal
account credits a paid month, replays imported history, prices a back-payment's late interest —
which contributions never imports (DESIGN.md layers). Published inside the writing transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from quanyi.contributions.bulk import LineRow
from quanyi.core.principal import Principal

BILLS_PAID = "contributions.bills_paid"
HISTORY_LOADED = "contributions.history_loaded"
BACKPAY_PRICED = "contributions.backpay_priced"


@dataclass(frozen=True)
class BillsPaid:
    """Bills just paid in full for the first time (a payment, a back-payment), on ``paid_on``:
    their months count toward contribution months and their pension shares are due to the
    accounts. Money paid beyond a bill already paid is no such fact: it waits for a refund."""

    principal: Principal
    bill_ids: tuple[int, ...]
    paid_on: date


@dataclass(frozen=True)
class HistoryLoaded:
    """Past bills an import wrote whole, with their lines (ids from ``first_line``, in order)
    and the day each paid bill was paid: the accounts of ``person_ids`` get that history year by
    year as it happened."""

    principal: Principal
    lines: Sequence[LineRow]
    first_line: int
    paid_on: Mapping[int, date]  # bill id → the day it was paid in full
    person_ids: frozenset[int]


@dataclass(frozen=True)
class BackpayPriced:
    """Back-payment lines priced for a case, nothing written: ``(month, account share in
    fen)`` each, for a person of ``region`` paying in ``paid_year``. A subscriber answers with
    what it adds to each line, in order (the account: the interest missed in closed years,
    补记利息), shown to the reviewers."""

    region: str
    paid_year: int
    lines: tuple[tuple[str, int], ...]


LINES_CORRECTED = "contributions.lines_corrected"


@dataclass(frozen=True)
class LinesCorrected:
    """A correction reversed lines and wrote them as they should have been
    (``models.LineCorrection``): the accounts of ``person_ids`` follow — the reversed credit
    taken back, the corrected line credited once paid, the interest of closed years put
    right — and their contribution months are counted again."""

    principal: Principal
    person_ids: tuple[int, ...]
