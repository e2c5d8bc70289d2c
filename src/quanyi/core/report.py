"""The error report of a file given to the command line (DESIGN.md invariant 8): every bad row
of a file of any size is named, none is dropped, and memory stays flat.

Each reason goes to a CSV report file (``file,line,field,reason``) as it is found; only the
first ``MAX_SHOWN`` are also kept, for the screen, with the total and where the report is. A
command opens one with ``open_report`` and turns what it found into one refusal with
``refusal()``. While a report is open, every ``ErrorCollector`` with a ``limit`` (the bulk
checks of the legacy import) writes each reason it is given here too, before counting it
past its limit.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TextIO

from quanyi.core.errors import FieldError, InvalidInput, QuanyiError, current_language

MAX_SHOWN = 1000
COLUMNS = ("file", "line", "field", "reason")
SUFFIX = ".errors.csv"
# "persons.csv:7 name": where the bulk checks say a reason is.
_WHERE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+) ?(?P<field>.*)$")

# "rows[7].wage_fen": where a payload's checks say a reason is.
_ROW = re.compile(r"^rows\[(?P<row>\d+)\]\.?(?P<field>.*)$")

_active: ContextVar[RowReport | None] = ContextVar("quanyi_row_report", default=None)


def default_path(source: str | Path) -> Path:
    """Next to the input: ``decl.csv`` → ``decl.csv.errors.csv``, a directory ``legacy/`` →
    ``legacy.errors.csv`` beside it (never inside: the next import would read it)."""
    source = Path(source)
    return source.with_name(source.name + SUFFIX)


class RowsRefused(InvalidInput):
    """A file's bad rows: the first ``MAX_SHOWN`` listed one a line, then the total and the
    report that holds every one."""

    def __init__(self, shown: list[FieldError], total: int, path: Path) -> None:
        self.total = total
        self.path = path
        super().__init__(shown)
        self.zh = self._text("zh")
        self.en = self._text("en")

    def _text(self, lang: str) -> str:
        if lang == "en":
            head = f"{self.total} errors; every one is in {self.path}"
            tail = f"… {self.total - len(self.errors)} more in {self.path}"
        else:
            head = f"共 {self.total} 处错误，全部列于 {self.path}"
            tail = f"… 另有 {self.total - len(self.errors)} 处，见 {self.path}"
        lines = [head, *(error.message(lang) for error in self.errors)]
        if self.total > len(self.errors):
            lines.append(tail)
        return "\n".join(lines)


class RowReport:
    """Reasons as they are found, written at once (the file is created at the first one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0
        self.shown: list[FieldError] = []
        self._out: TextIO | None = None
        self._writer: Any = None
        self._lang = current_language()

    def add(self, file: str, line: int | str, error: FieldError) -> None:
        """One reason: ``error.field`` is the column (or ``""`` for the whole row)."""
        if self._writer is None:
            try:
                self._out = self.path.open("w", encoding="utf-8", newline="")
            except OSError as failure:
                raise QuanyiError(
                    f"无法写入错误报告 {self.path}：{failure.strerror}（可用 --report 指定位置）",
                    f"cannot write the error report {self.path}: {failure.strerror}"
                    " (choose another with --report)",
                ) from None
            self._writer = csv.writer(self._out)
            self._writer.writerow(COLUMNS)
        reason = error.en if self._lang == "en" else error.zh
        self._writer.writerow((file, line, error.field, reason))
        self.total += 1
        if len(self.shown) < MAX_SHOWN:
            where = f"{file}:{line} {error.field}".rstrip()
            self.shown.append(FieldError(where, error.code, error.zh, error.en))

    def missing_columns(self, file: str, header: Sequence[str], columns: Sequence[str]) -> bool:
        """Report the columns ``header`` lacks as line 1 of ``file``; True if any is missing."""
        missing = [column for column in columns if column not in header]
        if missing:
            self.add(file, 1, FieldError(",".join(missing), "columns", "缺少列", "missing columns"))
        return bool(missing)

    def add_named(self, error: FieldError) -> None:
        """A reason whose field says where it is (``persons.csv:7 name``), as bulk checks
        name them; one that names no line is reported for the whole file."""
        found = _WHERE.match(error.field)
        if found is None:
            self.add("", "", error)
            return
        column = FieldError(found["field"], error.code, error.zh, error.en)
        self.add(found["file"], int(found["line"]), column)

    def add_rows(self, file: str, refused: InvalidInput, line_of: Callable[[int], int]) -> None:
        """A payload's refusal, its ``rows[N].field`` reasons named by the file's lines
        (``line_of(N)``); a reason about no row is about the whole file."""
        for error in refused.errors:
            found = _ROW.match(error.field)
            if found is None:
                self.add(file, "", error)
                continue
            column = FieldError(found["field"], error.code, error.zh, error.en)
            self.add(file, line_of(int(found["row"])), column)

    def refusal(self) -> RowsRefused:
        return RowsRefused(self.shown, self.total, self.path)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def active() -> RowReport | None:
    """The report the running command writes its rows' reasons to, if any."""
    return _active.get()


@contextlib.contextmanager
def open_report(source: str | Path, path: str | Path | None = None) -> Iterator[RowReport]:
    """A report for the file (or directory) ``source``, at ``path`` or ``default_path``. A
    report left by an earlier run of the same file is removed first: what is there afterwards
    is this run's. If the work refuses with reasons the report holds, the refusal becomes one
    that names the report."""
    target = Path(path) if path else default_path(source)
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        target.unlink()
    report = RowReport(target)
    token = _active.set(report)
    try:
        yield report
    except RowsRefused:
        raise
    except InvalidInput:
        # A bulk check's refusal lists what it wrote here; the report has them all.
        if not report.total:
            raise
        raise report.refusal() from None
    finally:
        _active.reset(token)
        report.close()
