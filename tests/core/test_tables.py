"""Employers' files come as CSV or Excel (004 part 5 art. 5: the yearly base declaration)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from quanyi.core.errors import InvalidInput
from quanyi.core.tables import read_rows


def test_an_excel_sheet_reads_as_text_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["id_number", "wage_fen"])
    sheet.append(["11010519491231002X", 800000.0])  # a wage typed as a number
    sheet.append([None, None])  # a formatted but empty row
    sheet.append([" 110105194912310037 ", "1200000"])
    path = tmp_path / "bases.xlsx"
    book.save(path)
    assert read_rows(path) == [
        {"id_number": "11010519491231002X", "wage_fen": "800000"},
        {"id_number": "110105194912310037", "wage_fen": "1200000"},
    ]


def test_a_csv_with_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("\ufeffid_number,wage_fen\n11010519491231002X,800000\n", encoding="utf-8")
    assert read_rows(path) == [{"id_number": "11010519491231002X", "wage_fen": "800000"}]


def test_a_file_that_is_not_a_workbook_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "bases.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InvalidInput) as refused:
        read_rows(path)
    assert refused.value.errors[0].code == "unreadable"
    assert "bases.xlsx" in refused.value.errors[0].zh
