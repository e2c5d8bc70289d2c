"""Suppression of small cells, pure (001 art. 17): no database."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyi.core.schemas import dump
from quanyi.reports import calc
from quanyi.reports.calc import Dimension, Figures
from quanyi.reports.schemas import stats_out
from tests.reports.recovery import problems


def published(
    by: list[Dimension], values: list[list[str]], persons: dict[tuple[str, ...], int]
) -> dict:
    observed = {key: Figures(n, 3 * n, 1000 * n + 7) for key, n in persons.items() if n}
    return dump(stats_out(2025, calc.THRESHOLD, calc.tabulate(by, values, observed)))


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-15"), (15, "0-15"), (16, "16-19"), (19, "16-19"), (20, "20-29"), (39, "30-39"),
     (59, "50-59"), (60, "60-69"), (69, "60-69"), (70, "70+"), (104, "70+")],
)  # fmt: skip
def test_age_bands(age: int, band: str) -> None:
    """001 art. 17: ages are shown only in bands."""
    assert calc.age_band(age) == band


@pytest.mark.parametrize("text", ["", "sex,sex", "region,name", "birth_date", "id_number", ","])
def test_a_bad_dimension_list_is_refused(text: str) -> None:
    """001 art. 17: only the four de-identified dimensions, each once."""
    with pytest.raises(ValueError):
        calc.parse_dimensions(text)


def test_dimensions_keep_their_order() -> None:
    assert calc.parse_dimensions("sex,region") == (Dimension.SEX, Dimension.REGION)


def test_a_cell_under_ten_and_its_complement_are_suppressed() -> None:
    """001 art. 17: one small cell in a row hides the smallest other cell with persons, not
    a larger one; the margins that equal a hidden cell are hidden with it."""
    out = published([Dimension.SEX], [["M", "F"]], {("M",): 50, ("F",): 9})
    assert [(c["sex"], c["persons"], c["suppressed"]) for c in out["cells"]] == [
        ("M", None, True),
        ("F", None, True),
    ]
    assert out["totals"] == {
        "persons": 59, "months": 177, "contributions_fen": 59014, "suppressed": False
    }  # fmt: skip
    assert [m["suppressed"] for m in out["margins"]["sex"]] == [True, True]
    three = published([Dimension.INSURANCE], [["a", "b", "c"]], {("a",): 40, ("b",): 2, ("c",): 12})
    assert [c["persons"] for c in three["cells"]] == [40, None, None]
    assert problems(out) == [] and problems(three) == []


def test_a_single_small_cell_of_two_by_two_takes_its_slices_with_it() -> None:
    """001 art. 17: in a 2 × 2 table one small cell leaves no cell that can be shown, but the
    margins and the grand total stay published."""
    out = published(
        [Dimension.REGION, Dimension.SEX],
        [["110105", "110108"], ["M", "F"]],
        {("110105", "M"): 13, ("110105", "F"): 1, ("110108", "F"): 12},
    )
    assert all(c["suppressed"] for c in out["cells"])
    assert not out["totals"]["suppressed"] and out["totals"]["persons"] == 26
    assert [m["persons"] for m in out["margins"]["region"]] == [14, 12]
    assert [m["persons"] for m in out["margins"]["sex"]] == [13, 13]
    assert problems(out) == []


def test_empty_cells_of_the_grid_are_listed_and_suppressed() -> None:
    """001 art. 17: the grid is every combination of observed values; an empty cell is hidden
    like any small one."""
    out = published(
        [Dimension.SEX, Dimension.AGE_BAND],
        [["M", "F"], ["20-29", "30-39"]],
        {("M", "20-29"): 30, ("M", "30-39"): 40, ("F", "20-29"): 25},
    )
    assert len(out["cells"]) == 4
    empty = out["cells"][3]
    assert (empty["sex"], empty["age_band"], empty["suppressed"]) == ("F", "30-39", True)
    assert problems(out) == []


def test_a_table_without_small_cells_hides_nothing() -> None:
    """001 art. 17: suppression only where a cell is small or would give one away."""
    out = published(
        [Dimension.SEX, Dimension.INSURANCE],
        [["M", "F"], ["pension", "medical"]],
        {("M", "pension"): 10, ("M", "medical"): 11, ("F", "pension"): 30, ("F", "medical"): 12},
    )
    assert not any(c["suppressed"] for c in out["cells"])
    assert problems(out) == []


def test_the_checker_finds_a_recoverable_cell() -> None:
    """001 art. 17: the recovery check itself fails on a table that gives a cell away."""
    out = published([Dimension.SEX], [["M", "F"]], {("M",): 50, ("F",): 20})
    out["cells"][1].update(persons=None, months=None, contributions_fen=None, suppressed=True)
    assert any("follows from the total" in p for p in problems(out))
    out["cells"][1].update(persons=5, months=15, contributions_fen=5007, suppressed=False)
    assert any("under 10" in p for p in problems(out))


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Dimension], list[list[str]], dict[tuple[str, ...], int]]:
    dims = draw(st.integers(min_value=1, max_value=3))
    by = list(Dimension)[:dims]
    values = [[f"v{i}" for i in range(draw(st.integers(1, 4)))] for _ in by]
    small = st.integers(min_value=0, max_value=12)
    large = st.integers(min_value=10, max_value=200)
    persons = {key: draw(st.one_of(small, large)) for key in itertools.product(*values)}
    return by, values, persons


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_recovered(
    table: tuple[list[Dimension], list[list[str]], dict[tuple[str, ...], int]],
) -> None:
    """001 art. 17: whatever the figures, no cell under 10 is shown and every set of cells
    whose total is published or derivable holds no suppressed cell or at least two."""
    by, values, persons = table
    out = published(by, values, persons)
    assert problems(out) == []
    shown = [c for c in out["cells"] if not c["suppressed"]]
    assert all(c["persons"] >= calc.THRESHOLD for c in shown)
