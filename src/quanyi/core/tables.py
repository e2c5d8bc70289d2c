"""Reading an agency's tabular files: CSV (UTF-8, with or without BOM) or Excel (.xlsx, the
first sheet). Employers keep their wage lists in Excel, so both are taken as they come; every
cell is handed on as text and the caller's validation decides what it means. Files are read
one row at a time (``stream``), whatever their size."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from quanyi.core.errors import InvalidInput

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


# A row: its line in the file (as a person counts them, the header is line 1) and its cells.
Row = tuple[int, dict[str, str]]


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows of a small file as header → text; a file that cannot be read is an
    InvalidInput. Files of any size are read with ``stream``."""
    with stream(path) as (_, rows):
        return [row for _, row in rows]


@contextmanager
def stream(path: str | Path) -> Iterator[tuple[list[str], Iterator[Row]]]:
    """The header and the rows of a file (CSV or Excel), one row at a time: memory does not
    grow with the file (DESIGN.md invariant 8). Blank rows are skipped; a file that cannot be
    read — at its start or halfway — is an InvalidInput."""
    source = Path(path)
    if source.suffix.lower() in EXCEL_SUFFIXES:
        with _excel(source) as table:
            yield table
        return
    try:
        handle = source.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise _unreadable(source, error) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [column.strip() for column in next(reader, [])]
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(source, error) from None
        yield header, _csv_rows(source, reader, header)


def _csv_rows(source: Path, reader: Any, header: list[str]) -> Iterator[Row]:
    width = len(header)
    try:
        for values in reader:
            if not values:
                continue  # a blank line, as csv.DictReader skips it
            if len(values) < width:
                values += [""] * (width - len(values))
            yield reader.line_num, dict(zip(header, values, strict=False))
    except (UnicodeDecodeError, csv.Error) as error:
        raise _unreadable(source, error) from None


@contextmanager
def _excel(source: Path) -> Iterator[tuple[list[str], Iterator[Row]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise _unreadable(source, error) from None
    try:
        cells = book.worksheets[0].iter_rows(values_only=True)
        header = [_text(value) for value in next(cells, ())]

        def rows() -> Iterator[Row]:
            for line, values in enumerate(cells, start=2):
                texts = [_text(value) for value in values]
                if not any(texts):
                    continue  # Excel leaves formatted but empty rows behind
                yield line, dict(zip(header, texts, strict=False))

        yield header, rows()
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
    """Why a file cannot be read, in words a clerk can act on (the decoder's own text says
    nothing to them)."""
    if isinstance(error, UnicodeDecodeError):
        zh = "不是 UTF-8 编码的 CSV：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或上传 .xlsx"
        en = "not a UTF-8 CSV: save it from Excel as CSV UTF-8 (comma delimited), or upload .xlsx"
    elif source.suffix.lower() in EXCEL_SUFFIXES:
        zh, en = "不是有效的 Excel（.xlsx）文件", "not a valid Excel (.xlsx) file"
    elif isinstance(error, csv.Error):
        zh, en = f"CSV 格式错误（{error}）", f"not a well-formed CSV ({error})"
    else:
        zh, en = "文件无法打开", "the file cannot be opened"
    return InvalidInput.one(
        "file", "unreadable", f"无法读取 {source.name}：{zh}", f"cannot read {source.name}: {en}"
    )
