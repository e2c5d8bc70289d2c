"""Typed contracts refuse bad input as every other refusal does: each field with a stable code
and its reason in Chinese and English (DESIGN.md: bad input names every field)."""

from __future__ import annotations

from datetime import date

import pytest
from ninja import Schema

from quanyi.core.errors import InvalidInput
from quanyi.core.schemas import IsoDate, Month, Payload, dump, parse


class Row(Payload):
    id_number: str
    wage_fen: int


class Sample(Payload):
    name: str
    month: Month
    since: IsoDate
    rows: list[Row]


def test_every_field_is_named_with_its_reason_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(
            Sample,
            {
                "month": "2025-13",
                "since": "2025-02-30",
                "rows": [{"id_number": "x", "wage_fen": 1}, {"id_number": "y", "wage_fen": "z"}],
                "sex": "F",
            },
        )
    found = {(e.field, e.code) for e in refused.value.errors}
    assert found == {
        ("name", "required"),
        ("month", "bad_month"),  # the project's own rule and message (YearMonth.parse)
        ("since", "bad_date"),
        ("rows[2].wage_fen", "not_integer"),  # rows count from 1, as users count them
        ("sex", "unknown_field"),
    }
    month = next(e for e in refused.value.errors if e.field == "month")
    assert "YYYY-MM" in month.en and "年月" in month.zh
    assert "必填" in refused.value.message("zh") and "required" in refused.value.message("en")


def test_clean_input_is_typed_and_normalised() -> None:
    sample = parse(
        Sample,
        {"name": "李梅", "month": " 2025-01", "since": "2025-02-01", "rows": []},
    )
    assert (sample.month, sample.since) == ("2025-01", date(2025, 2, 1))


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(Sample, ["not", "an", "object"])
    assert refused.value.fields() == ["data"]


class Part(Schema):
    shown: int | None = None
    withheld: int | None = None


def test_a_field_never_set_is_absent_not_null() -> None:
    """A part of the record the user may not see is absent (DESIGN.md, ``record show``)."""
    assert dump(Part(shown=None)) == {"shown": None}
    assert dump([Part.model_validate({"withheld": 1})]) == [{"withheld": 1}]
