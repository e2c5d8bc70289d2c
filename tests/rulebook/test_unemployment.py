"""Unemployment benefit entitlement. No database.

Source: 失业保险条例 art. 14 (conditions), art. 17 (months), art. 21 (farmer contract workers)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.rulebook.unemployment import (
    check_unemployment,
    entitled_months,
    one_off_farmer,
    unemployment_refusals,
)


@pytest.mark.parametrize(
    ("insured", "months"),
    [(0, 0), (11, 0), (12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (480, 24)],
)
def test_bands(insured: int, months: int) -> None:
    """失业保险条例 art. 17: 1 to 5 years → 12 months, 5 to 10 → 18, 10 or more → 24."""
    assert entitled_months(insured) == months


@pytest.mark.parametrize(
    ("insured", "carried", "months"),
    [(12, 6, 18), (60, 6, 24), (60, 10, 24), (120, 12, 24), (11, 7, 7), (0, 30, 24)],
)
def test_carried_months_are_added_up_to_24(insured: int, carried: int, months: int) -> None:
    """失业保险条例 art. 17: months left from the earlier spell add up, at most 24 in all."""
    assert entitled_months(insured, carried) == months


@given(st.integers(0, 600), st.integers(0, 600), st.integers(0, 600))
def test_never_more_than_24_nor_fewer_for_more_insurance(
    insured: int, more: int, carried: int
) -> None:
    """失业保险条例 art. 17."""
    months = entitled_months(insured, carried)
    assert months <= 24
    assert months <= entitled_months(insured + more, carried)


def test_negative_months_are_refused() -> None:
    with pytest.raises(InvalidInput):
        entitled_months(-1)
    with pytest.raises(InvalidInput):
        entitled_months(12, -1)


@pytest.mark.parametrize(
    ("insured", "involuntary", "registered", "code"),
    [
        (12, True, True, None),
        (11, True, True, "short_insurance"),
        (11, False, False, "short_insurance"),
        (24, False, True, "voluntary"),
        (24, False, False, "voluntary"),
        (24, True, False, "not_registered"),
    ],
)
def test_conditions(insured: int, involuntary: bool, registered: bool, code: str | None) -> None:
    """失业保险条例 art. 14: a year paid, not by one's own will, registered as unemployed."""
    refusal = check_unemployment(insured, involuntary, registered)
    assert (refusal.code if refusal else None) == code


def test_every_unmet_condition_is_named() -> None:
    """失业保险条例 art. 14, each condition in both languages."""
    found = unemployment_refusals(3, False, False)
    assert [r.code for r in found] == ["short_insurance", "voluntary", "not_registered"]
    assert "尚差 9 个月" in found[0].zh and "9 short" in found[0].en
    assert all("第十四条" in r.zh and "art. 14" in r.en for r in found)


@pytest.mark.parametrize(
    ("years", "per_year", "fen"),
    [(0, 50000, 0), (1, 50000, 50000), (7, 45000, 315000)],
)
def test_one_off_for_farmer_contract_workers(years: int, per_year: int, fen: int) -> None:
    """失业保险条例 art. 21: a one-off allowance by full years worked, at the province's rate."""
    assert one_off_farmer(years, per_year) == fen


def test_one_off_refuses_negative_or_absurd_amounts() -> None:
    for years, per_year in ((-1, 100), (1, -1), (1, 10**12)):
        with pytest.raises(InvalidInput):
            one_off_farmer(years, per_year)
