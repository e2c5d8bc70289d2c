"""Rows that must outlive the work they were written in: a look-up of an id number counts
against its reader's limit, and a refused read stays in the query log, even when the command or
request that made them fails and its transaction rolls back (001 art. 21-22).

``keep(write)`` runs ``write`` now, in the caller's transaction, and remembers the row it
returns. The surface that ran the work (the CLI command, the web or API request) calls
``settle()`` once the work is over: a row the database no longer holds — its transaction rolled
back — is written again, in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Model

Write = Callable[[], Model]
_pending: ContextVar[list[tuple[Write, Model]] | None] = ContextVar("kept", default=None)


def keep(write: Write) -> None:
    row = write()
    pending = _pending.get()
    if pending is None:
        pending = []
        _pending.set(pending)
    pending.append((write, row))


def _still_there(row: Model) -> bool:
    # Every stored value compared: an id reused after a rollback is not the row written.
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    return type(row)._default_manager.filter(**values).exists()


def settle() -> int:
    """Write again what a rolled-back transaction took with it; returns how many."""
    pending = _pending.get()
    _pending.set(None)
    if not pending:
        return 0
    again = 0
    for write, row in pending:
        if not _still_there(row):
            with transaction.atomic():
                write()
            again += 1
    return again


def discard() -> None:
    """Forget what is pending (the start of a new request or command)."""
    _pending.set(None)
