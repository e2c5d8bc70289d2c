"""Pure rules of the enrollment registry, no database: the employment codes a file may use
(002 art. 7, LD/T 92-2013) and the SQL both engines run (one text, literals checked)."""

from __future__ import annotations

import pytest

from quanyi.enrollment import match
from quanyi.enrollment.codes import employment_code


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("11", "11"),
        (" employee ", "11"),
        ("单位就业", "11"),
        ("灵活就业", "12"),
        ("", ""),
        ("a7", "A7"),  # another department's own code, kept
        ("在职人员甲类", None),
        ("12345", None),
        ("1;drop", None),
    ],
)
def test_employment_codes(cell: str, code: str | None) -> None:
    assert employment_code(cell) == code


def test_the_sql_takes_only_a_checked_month() -> None:
    assert "'2026-06'" in match.sql("2026-06") and "DATE '2010-06-01'" in match.sql("2026-06")
    for bad in ("2026-13", "2026-6", "x' OR 1=1 --"):
        with pytest.raises(ValueError):
            match.sql(bad)
