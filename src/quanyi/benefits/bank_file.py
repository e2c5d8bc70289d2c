"""The bank's payment file of a month's run (CSV, one transfer per beneficiary, full id numbers
as the bank needs them, readable by the service account only). It is always written from what
is stored for the run, so a resumed run still writes it whole.

Opening 300,000 sealed id numbers and reading the run's payments back is a seventh of a run, all
on the one core the run itself uses. So while the run pays, a forked process writes the file
beside it from each unit as the unit commits, on the other core; the run waits for it only at
the end. Inside an outer transaction (tests), where a second connection would not see the
unit's rows, the file is written afterwards in this process."""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from quanyi.benefits.models import Payment, PaymentKind
from quanyi.core import crypto
from quanyi.core.bulkwork import among
from quanyi.core.filemodes import private_dir
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import Person

COLUMNS = ("id_number", "name", "amount_yuan", "payments", "months", "paid_in")


def path_of(month: YearMonth) -> Path:
    folder = Path(settings.QUANYI_DATA_DIR) / "benefits"
    private_dir(folder)
    return folder / f"payments-{month}.csv"


def rows(month: YearMonth, person_ids: Sequence[int] | None = None) -> Iterator[tuple[str, ...]]:
    """One transfer per beneficiary (of ``person_ids``, or all) for everything the run of
    ``month`` paid (arrears and one-off grants included; a recovery is a claim, not a
    transfer), by person."""
    where, params = ("1 = 1", []) if person_ids is None else among("pay.person_id", person_ids)
    with connection.cursor() as cursor:
        # One read joining the persons, in person order: the run's payments are few per person
        # (one, or a few with arrears), so repeating the person's columns costs less than a
        # second look-up of every beneficiary.
        cursor.execute(
            "SELECT pay.person_id, pay.month, pay.amount_fen, person.id_number, person.name"
            f" FROM {Payment._meta.db_table} pay"
            f" JOIN {Person._meta.db_table} person ON person.id = pay.person_id"
            f" WHERE {where} AND pay.paid_in = %s AND pay.kind <> %s"
            " ORDER BY pay.person_id, pay.month",
            [*params, str(month), PaymentKind.RECOVERY.value],
        )
        found = cursor.fetchall()
    # (first row, rows) per person; the id numbers opened in one loop, one per person.
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(found) + 1):
        if index == len(found) or found[index][0] != found[start][0]:
            spans.append((start, index))
            start = index
    numbers = crypto.open_values(found[first][3] for first, _ in spans)
    paid_in = str(month)
    for (first, end), id_number in zip(spans, numbers, strict=True):
        paid = found[first:end]
        amount = sum(row[2] for row in paid)
        yield (
            id_number or "",
            paid[0][4],
            f"{amount // 100}.{amount % 100:02d}",
            str(len(paid)),
            " ".join(sorted({row[1] for row in paid})),
            paid_in,
        )


def write(month: YearMonth) -> Path:
    """The whole file, from what is stored, in this process."""
    path = path_of(month)
    temporary = _temporary(path)
    with _open(temporary) as out:
        csv.writer(out).writerows(rows(month))
    temporary.replace(path)
    return path


class Writer:
    """The file written unit by unit while the run pays (see the module's note): ``add`` each
    unit's persons once the unit has committed, then ``finish``. If the forked writer fails,
    ``finish`` writes the whole file here instead; a run killed half-way leaves no file, and
    the writer ends when it finds the run gone."""

    def __init__(self, month: YearMonth) -> None:
        self.month = month
        self.path = path_of(month)
        self._sender: Connection | None = None
        self._process: Any = None
        if not _apart_possible():
            return
        # No connection may be shared across the fork: each side opens its own.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_write_as_told,
            args=(month, _temporary(self.path), receiver, sender),
            daemon=True,
        )
        self._process.start()
        receiver.close()
        self._sender = sender

    def add(self, person_ids: list[int]) -> None:
        if self._sender is not None:
            try:
                self._sender.send(person_ids)
            except OSError:  # the writer failed; ``finish`` writes the file here
                self._sender = None

    def finish(self) -> Path:
        if self._sender is None or self._process is None:
            self.abandon()
            return write(self.month)
        with contextlib.suppress(OSError):  # a writer gone is seen by its exit code
            self._sender.send(None)
        self._sender.close()
        self._sender = None
        self._process.join()
        if self._process.exitcode != 0:
            return write(self.month)
        _temporary(self.path).replace(self.path)
        return self.path

    def abandon(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._process = None


def _write_as_told(
    month: YearMonth, temporary: Path, receiver: Connection, sender: Connection
) -> None:
    """In the forked writer: each unit's transfers as its persons arrive; ``None`` ends the
    file. A closed pipe (the run killed) ends the writer with nothing renamed."""
    import os

    sender.close()  # else this process's own copy keeps the pipe open after the run is gone
    try:
        with _open(temporary) as out:
            writer = csv.writer(out)
            while True:
                try:
                    unit = receiver.recv()
                except EOFError:
                    os._exit(3)
                if unit is None:
                    break
                writer.writerows(rows(month, unit))
        connection.close()
    except BaseException:
        os._exit(4)


def _apart_possible() -> bool:
    """A second connection sees what a unit commits: not inside an outer transaction, nor in
    a database held in this process's memory."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


def _temporary(path: Path) -> Path:
    return path.with_suffix(".tmp")


def _open(temporary: Path) -> Any:
    out = open(temporary, "w", newline="", encoding="utf-8")  # noqa: SIM115 (a context manager)
    temporary.chmod(0o600)
    csv.writer(out).writerow(COLUMNS)
    return out
