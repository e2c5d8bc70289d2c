"""Rows that must outlive the work they were written in: a lookup of an id number counts
against its reader's limit, and a refused read stays in the query log, even when the command or
request that made them fails and its transaction rolls back (001 art. 21-22).

``keep(write)`` runs ``write`` now, in the caller's transaction. If that transaction commits,
nothing more happens; if it rolls back, the surface that ran the work (the CLI command, the web
or API request) calls ``settle()`` once the work is over, and ``write`` runs again in a
transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.db import transaction

_pending: ContextVar[list[Callable[[], object]] | None] = ContextVar("kept", default=None)


def keep(write: Callable[[], object]) -> None:
    write()
    pending = _pending.get()
    if pending is None:
        pending = []
        _pending.set(pending)
    pending.append(write)
    # Committed with the work: nothing left to replay. Dropped on rollback by Django.
    transaction.on_commit(lambda: _forget(write))


def _forget(write: Callable[[], object]) -> None:
    pending = _pending.get()
    if pending is not None and write in pending:
        pending.remove(write)


def settle() -> int:
    """Write again what a rolled-back transaction took with it; returns how many."""
    pending = _pending.get()
    if not pending:
        return 0
    _pending.set(None)
    for write in pending:
        with transaction.atomic():
            write()
    return len(pending)


def discard() -> None:
    """Forget what is pending (the start of a new request or command)."""
    _pending.set(None)
