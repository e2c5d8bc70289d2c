"""Reading a parameter file (``quanyi rulebook import FILE``): the columns of
``data/parameters.csv`` — ``key,region,valid_from,value,source,note`` — UTF-8 CSV (or .xlsx),
money in whole fen and rates as decimals, as the data file keeps them.

The file is read one row at a time; its rows become the ``rows`` of one ``parameter.change``
case, whose intake checks each of them (``services.clean_rows``) and names a bad one
``rows[N].field``, which the report turns back into the file's line (``line_of``).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path

from quanyi.core.errors import FieldError
from quanyi.core.report import RowReport
from quanyi.core.tables import stream
from quanyi.rulebook.services import FIELDS, MAX_ROWS

REQUIRED = ("key", "region", "valid_from", "value", "source")  # a blank note is no note


@dataclass
class ParameterFile:
    name: str
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("q"))
    read: int = 0

    def line_of(self, row: int) -> int:
        """The file's line of the payload's ``rows[row]`` (counted from 1)."""
        return self.lines[row - 1]


def read(path: str | Path, report: RowReport) -> ParameterFile:
    """The file's rows as text (checked by the case's intake), up to ``MAX_ROWS``; a missing
    column, an empty file or a longer one goes to ``report``."""
    found = ParameterFile(Path(path).name)
    with stream(path) as (header, rows):
        if report.missing_columns(found.name, header, REQUIRED):
            return found
        for line, raw in rows:
            found.read += 1
            if found.read <= MAX_ROWS:
                found.rows.append({name: raw.get(name, "") or "" for name in FIELDS})
                found.lines.append(line)
    if not found.read:
        report.add(
            found.name,
            "",
            FieldError("rows", "required", "参数文件中没有数据行", "the file has no rows"),
        )
    elif found.read > MAX_ROWS:
        report.add(
            found.name,
            "",
            FieldError(
                "rows",
                "too_many",
                f"共 {found.read:,} 行，一个参数文件最多 {MAX_ROWS:,} 行，请分成多个文件",
                f"{found.read:,} rows; a parameter file holds at most {MAX_ROWS:,}: split it",
            ),
        )
    return found
