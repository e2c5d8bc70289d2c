"""The declaration screen's reading and preview (缴费基数申报, 004 part 5 art. 5-6): an uploaded
CSV or Excel file read as ``declaration_files`` reads one for the command line, every bad row
kept for the screen (its line, field and reason), and what the case would change — each
person's base as computed, clamped to the region's bounds, beside the base in force now."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import Workbook

from quanyi.contributions import declaration_files, queries, validation
from quanyi.core.errors import FieldError, InvalidInput, QuanyiError
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.core.report import RowReport
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook.queries import Rulebook

SUFFIXES = (".csv", ".xlsx")
PREVIEW_ROWS = 500  # rows listed on screen; the counts cover all of them


class ScreenReport(RowReport):
    """A row report kept in memory for a screen, not written to a file."""

    def __init__(self) -> None:
        super().__init__(Path("-"))
        self.rows: list[tuple[int | str, FieldError]] = []

    def add(self, file: str, line: int | str, error: FieldError) -> None:
        self.total += 1
        if len(self.rows) < 1000:
            self.rows.append((line, error))


@dataclass
class Reading:
    """An uploaded declaration: the payload's rows, or every bad row by its line."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[int | str, FieldError]] = field(default_factory=list)
    total_problems: int = 0
    in_yuan: bool = True
    lines: Any = None

    def line_of(self, row: int) -> int:
        return int(self.lines[row - 1])


def suffix_of(name: str) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput.one(
            "file",
            "bad_type",
            "请上传 CSV（UTF-8）或 Excel（.xlsx）文件",
            "upload a CSV (UTF-8) or Excel (.xlsx) file",
        )
    return suffix


def read(content: bytes, suffix: str) -> Reading:
    """The file's rows, each checked as on the command line (a file is read from a private
    temporary copy in the data dir, removed at once)."""
    report = ScreenReport()
    base = Path(settings.QUANYI_DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as folder:
        path = Path(folder) / f"declaration{suffix}"
        path.write_bytes(content)
        try:
            found = declaration_files.read(path, report)
        except InvalidInput as refused:  # unreadable at its start or halfway
            for error in refused.errors:
                report.add("", "", error)
            return Reading(problems=report.rows, total_problems=report.total)
    return Reading(
        rows=found.rows,
        problems=report.rows,
        total_problems=report.total,
        in_yuan=found.in_yuan,
        lines=found.lines,
    )


def preview(principal: Principal, payload: dict[str, Any]) -> dict[str, Any]:
    """What the case would change, checked as its intake checks it (raises ``InvalidInput``
    with ``rows[N].field`` reasons): the bounds, and per person the wage, the base and whether
    the bounds moved it, beside the base in force now."""
    cleaned = validation.clean_declaration(principal, payload)
    employer = cleaned.employer
    on = YearMonth.parse(cleaned.valid_from).first_day()
    book = Rulebook.load()
    lower: int | None = None
    upper: int | None = None
    try:
        lower = book.fen("base.lower", employer.agency_region, on)
        upper = book.fen("base.upper", employer.agency_region, on)
    except QuanyiError:
        pass
    now = queries.declared_bases([employer.pk], YearMonth.parse(cleaned.valid_from))
    rows = [
        {
            "name": row.person.name,
            "id_number": mask(row.person.id_number),
            "wage_fen": row.wage_fen,
            "base_fen": row.base.base_fen,
            "clamped": row.base.clamped,
            "before_fen": now.get((employer.pk, row.person.pk)),
        }
        for row in cleaned.rows
    ]
    return {
        "employer": {"uscc": employer.uscc, "name": employer.name},
        "valid_from": cleaned.valid_from,
        "lower_fen": lower,
        "upper_fen": upper,
        "count": len(rows),
        "lower_count": sum(1 for r in rows if r["clamped"] == "lower"),
        "upper_count": sum(1 for r in rows if r["clamped"] == "upper"),
        "rows": rows[:PREVIEW_ROWS],
    }


def template() -> bytes:
    """The Excel template people fill in: ``id_number`` and ``wage`` in yuan, two decimals, on
    the first sheet; what each column means on the second."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "declaration"
    sheet.append(["id_number", "wage"])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 16
    for cell in sheet["A"]:
        cell.number_format = "@"  # an id number is text: Excel would round 18 digits
    notes = book.create_sheet("说明 notes")
    notes.append(["列 column", "填写 what to enter"])
    notes.append(["id_number", "公民身份号码（18 位，按文本填写） / resident id number, as text"])
    notes.append(
        [
            "wage",
            "上年度月平均工资，单位元，最多两位小数，如 8500.00 / last year's average monthly"
            " wage in yuan, at most two decimals",
        ]
    )
    notes.append(["", "缴费基数按统筹区上下限自动调整 / bases are clamped to the region's bounds"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
