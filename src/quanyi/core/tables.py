"""Reading an agency's tabular files: CSV (UTF-8, with or without BOM) or Excel (.xlsx, the
first sheet). Employers keep their wage lists in Excel, so both are taken as they come; every
cell is handed on as text and the caller's validation decides what it means."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from quanyi.core.errors import InvalidInput

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a file as header → text; a file that cannot be read is an InvalidInput."""
    return read_table(path)[1]


def read_table(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a file (CSV or Excel)."""
    source = Path(path)
    if source.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_rows(source)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(source, error) from None
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _excel_rows(source: Path) -> tuple[list[str], list[dict[str, str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise _unreadable(source, error) from None
    try:
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = [_text(value) for value in next(cells, ())]
        rows = []
        for values in cells:
            texts = [_text(value) for value in values]
            if not any(texts):
                continue  # Excel leaves formatted but empty rows behind
            rows.append(dict(zip(header, texts, strict=False)))
        return header, rows
    finally:
        book.close()


def _text(value: object) -> str:
    """A cell as the text a person would read in it: 800000.0 typed as a number is "800000"
    (a wage in fen is whole), a date is ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _unreadable(source: Path, error: Exception) -> InvalidInput:
    return InvalidInput.one(
        "file",
        "unreadable",
        f"无法读取 {source.name}：{error}",
        f"cannot read {source.name}: {error}",
    )
