"""Reading an employer's base declaration file (缴费基数申报, 004 part 5 art. 5-6; CSV or Excel:
``id_number`` and the wage, either ``wage`` in yuan — as people fill in the template — or
``wage_fen`` in whole fen, as programs write it) given to ``quanyi contributions declare`` or
uploaded on the declaration screen, of any size.

The file is read one row at a time (DESIGN.md invariant 8): each row's id number and wage are
checked as they pass and every bad one goes to the command's error report (``core.report``);
what is kept is the payload of one ``contribution.declare`` case, at most ``MAX_ROWS`` rows (a
larger employer splits its declaration), so memory stays flat however long the file. Whether
each person is registered, insured and not declared already is the case's own check
(``validation.clean_declaration``), run on the kept rows when the case is taken in; its
reasons are named by the file's lines (``lines``).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from quanyi.contributions.payment_files import positive_yuan
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.identifiers import parse_id_number
from quanyi.core.money import parse_fen
from quanyi.core.report import RowReport
from quanyi.core.tables import stream

COLUMNS = ("id_number", "wage_fen")
YUAN_COLUMNS = ("id_number", "wage")  # the template's: the wage typed in yuan
# One case's rows: an employer's whole staff in a pooling region, with room to spare. Its
# payload is checked and reviewed as one, so a larger file is split, not taken whole.
MAX_ROWS = 100_000


@dataclass
class DeclarationFile:
    """The rows to submit and the line each came from; ``read`` counts every data row."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("q"))
    read: int = 0
    in_yuan: bool = False  # the wage came in yuan (``wage``), not in fen

    def line_of(self, row: int) -> int:
        """The file's line of the payload's ``rows[row]`` (counted from 1)."""
        return self.lines[row - 1]


def read(path: str | Path, report: RowReport) -> DeclarationFile:
    """Every row checked, every bad one in ``report``; the good rows kept up to ``MAX_ROWS``."""
    found = DeclarationFile(Path(path).name)
    name = found.name
    # Each id number as one 64-bit integer with its line: duplicates are found by sorting
    # these at the end, 16 bytes a row instead of a set of strings.
    codes: array[int] = array("q")
    code_lines: array[int] = array("q")
    with stream(path) as (header, rows):
        in_yuan = found.in_yuan = "wage" in header and "wage_fen" not in header
        if report.missing_columns(name, header, YUAN_COLUMNS if in_yuan else COLUMNS):
            return found
        for line, raw in rows:
            found.read += 1
            number = ""
            try:
                number = parse_id_number(raw.get("id_number")).number
                codes.append(_code(number))
                code_lines.append(line)
            except InvalidInput as refused:
                for error in refused.errors:
                    report.add(name, line, error)
            try:
                if in_yuan:
                    wage = positive_yuan(raw.get("wage"), "wage")
                else:
                    wage = parse_fen(raw.get("wage_fen"), "wage_fen", code="bad_wage")
            except InvalidInput as refused:
                for error in refused.errors:
                    report.add(name, line, error)
                continue
            if number and found.read <= MAX_ROWS:
                found.rows.append({"id_number": number, "wage_fen": wage})
                found.lines.append(line)
    if not found.read:
        report.add(
            name, "", FieldError("rows", "required", "须至少申报一人", "declare at least one row")
        )
    if found.read > MAX_ROWS:
        report.add(
            name,
            "",
            FieldError(
                "rows",
                "too_many",
                f"共 {found.read} 行，一次申报最多 {MAX_ROWS} 行，请分成多个文件",
                f"{found.read} rows; a declaration holds at most {MAX_ROWS}: split the file",
            ),
        )
    _repeats(name, codes, code_lines, report)
    return found


def _code(number: str) -> int:
    """An 18-character id number as one integer below 2**63, one to one: 17 digits and a
    check character of 11 values."""
    last = number[17]
    return int(number[:17]) * 11 + (10 if last == "X" else int(last))


def _repeats(name: str, codes: array[int], lines: array[int], report: RowReport) -> None:
    """Each row that declares a person an earlier row declared, by its line."""
    ordered = sorted(codes)
    twice = {a for a, b in pairwise(ordered) if a == b}
    del ordered
    if not twice:
        return
    seen: set[int] = set()
    for code, line in zip(codes, lines, strict=True):
        if code not in twice:
            continue
        if code in seen:
            report.add(
                name,
                line,
                FieldError(
                    "id_number", "duplicate", "同一人重复申报", "this person is declared twice"
                ),
            )
        seen.add(code)
