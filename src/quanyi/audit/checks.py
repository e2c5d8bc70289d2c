"""Checks that domains add to ``quanyi audit verify`` (DESIGN.md invariant 5: whatever the record
shows is under verify).

``audit`` imports only ``core``: a domain registers, from its ``AppConfig.ready``, a function
that recomputes what it shows (projections from their ledgers, access state from its tracked
events) and returns every difference it finds, each named in English and Chinese. Verify runs
them after the chain and the rows, in registration order, and reports every finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One difference, naming the table and row: ``personal_accounts_yearbalance person 17
    year 2024: closing 1200 fen, ledger says 1100``."""

    en: str
    zh: str


Check = Callable[[], Iterable[Finding]]

_CHECKS: dict[str, tuple[Check, bool]] = {}


def register(name: str, check: Check, *, daily: bool = False) -> None:
    """Add (or replace, so ``ready`` may run twice) the check called ``name``. ``daily`` checks
    are cheap enough for ``audit verify --since`` too; the others (O(ledger rows)) run in the
    full verify only."""
    _CHECKS[name] = (check, daily)


def registered(*, daily_only: bool = False) -> dict[str, Check]:
    return {name: check for name, (check, daily) in _CHECKS.items() if daily or not daily_only}
