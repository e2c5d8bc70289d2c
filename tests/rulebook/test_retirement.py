"""Statutory retirement age after the 2025 reform and the conditions to start a pension.
No database.

Source: NPC Standing Committee decision 2024-09-13 (in force 2025-01-01) and its implementing
measures; REFERENCE.md Basic pension (minimum contribution years, retirement ages)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quanyi.core.errors import InvalidInput
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import retirement
from quanyi.rulebook.retirement import Track

ym = YearMonth.parse


@pytest.mark.parametrize(
    ("sex", "original", "track"),
    [
        ("M", None, Track.MALE),
        ("1", None, Track.MALE),
        ("M", 60, Track.MALE),
        ("F", None, Track.FEMALE_CADRE),
        ("2", 55, Track.FEMALE_CADRE),
        ("F", 50, Track.FEMALE_WORKER),
        ("2", 50, Track.FEMALE_WORKER),
    ],
)
def test_track_of_registry_and_gb_codes(sex: str, original: int | None, track: Track) -> None:
    """The registry's "M"/"F" and GB/T 2261.1's "1"/"2" name the same tracks; women are
    cadre (55) unless their original age is 50."""
    assert retirement.track_of(sex, original) is track


@pytest.mark.parametrize(
    ("sex", "original"),
    [("M", 55), ("M", 50), ("F", 60), ("F", 45), ("0", None), ("9", None), ("", None)],
)
def test_track_of_refuses_bad_combinations(sex: str, original: int | None) -> None:
    with pytest.raises(InvalidInput):
        retirement.track_of(sex, original)


def test_original_ages() -> None:
    assert [retirement.original_age_months(t) for t in Track] == [720, 660, 600]


@pytest.mark.parametrize(
    ("track", "birth", "age", "month"),
    [
        (Track.MALE, "1964-12", 720, "2024-12"),  # before the reform: 60
        (Track.MALE, "1965-01", 721, "2025-02"),  # 60y1m
        (Track.MALE, "1965-04", 721, "2025-05"),
        (Track.MALE, "1965-05", 722, "2025-07"),  # 60y2m
        (Track.MALE, "1976-08", 755, "2039-07"),
        (Track.MALE, "1976-09", 756, "2039-09"),  # 63y reached
        (Track.MALE, "1976-12", 756, "2039-12"),
        (Track.MALE, "1990-06", 756, "2053-06"),  # capped at 63
        (Track.FEMALE_CADRE, "1969-12", 660, "2024-12"),
        (Track.FEMALE_CADRE, "1970-01", 661, "2025-02"),  # 55y1m
        (Track.FEMALE_CADRE, "1981-12", 696, "2039-12"),  # capped at 58
        (Track.FEMALE_WORKER, "1974-12", 600, "2024-12"),
        (Track.FEMALE_WORKER, "1975-01", 601, "2025-02"),  # 50y1m
        (Track.FEMALE_WORKER, "1975-02", 601, "2025-03"),
        (Track.FEMALE_WORKER, "1975-03", 602, "2025-05"),  # 50y2m
        (Track.FEMALE_WORKER, "1984-12", 660, "2039-12"),  # 55y
        (Track.FEMALE_WORKER, "1995-01", 660, "2050-01"),  # capped at 55
    ],
)
def test_reform_table(track: Track, birth: str, age: int, month: str) -> None:
    """NPC Standing Committee decision 2024-09-13, attachment tables: one month later per
    four months of birth (women workers: per two), up to 63 / 58 / 55."""
    assert retirement.statutory_age_months(track, ym(birth)) == age
    assert retirement.statutory_month(track, ym(birth)) == ym(month)


@given(st.sampled_from(list(Track)), st.integers(1900 * 12, 2100 * 12))
def test_age_never_falls_and_stays_in_bounds(track: Track, index: int) -> None:
    """A later birth never retires younger; the age lies between the original and the cap."""
    birth = YearMonth.from_index(index)
    age = retirement.statutory_age_months(track, birth)
    later = retirement.statutory_age_months(track, birth.add(1))
    original = retirement.original_age_months(track)
    cap = original + (60 if track is Track.FEMALE_WORKER else 36)
    assert original <= age <= later <= cap


@pytest.mark.parametrize(
    ("track", "birth", "earliest", "latest"),
    [
        (Track.MALE, "1965-01", "2025-01", "2028-02"),  # only 1 month early: never before 60
        (Track.MALE, "1970-01", "2030-01", "2034-05"),  # 61y4m → 2031-05; 60 is the floor
        (Track.MALE, "1980-01", "2040-01", "2046-01"),  # 63 → 2043-01; 36 months early is 60
        (Track.FEMALE_CADRE, "1985-07", "2040-07", "2046-07"),
        (Track.FEMALE_WORKER, "1990-01", "2042-01", "2048-01"),  # 55 → 2045-01; 52 at most
    ],
)
def test_flexible_window(track: Track, birth: str, earliest: str, latest: str) -> None:
    """弹性提前退休 up to three years early, never before the original age; 弹性延迟 up to
    three years late (国务院关于渐进式延迟法定退休年龄的办法, 弹性退休)."""
    assert retirement.earliest_flexible(track, ym(birth)) == ym(earliest)
    assert retirement.latest_flexible(track, ym(birth)) == ym(latest)


@pytest.mark.parametrize(
    ("month", "minimum"),
    [
        ("2025-01", 180),
        ("2029-12", 180),
        ("2030-01", 186),
        ("2031-06", 192),
        ("2038-12", 234),
        ("2039-01", 240),
        ("2045-06", 240),
    ],
)
def test_minimum_months(month: str, minimum: int) -> None:
    """REFERENCE.md Basic pension: 15 years through 2029, +6 months a year from 2030 to 20."""
    assert retirement.minimum_months(ym(month)) == minimum


def test_179_months_is_one_month_short() -> None:
    """REFERENCE.md Basic pension: a man born 1965-01 reaches 60y1m in 2025-02 and needs 180
    months; with 179 he is one short and may keep contributing (延长缴费)."""
    refusal = retirement.check_retirement(Track.MALE, ym("1965-01"), ym("2025-02"), 179)
    assert refusal is not None
    assert refusal.code == "short_months"
    assert refusal.missing_months == 1
    assert refusal.zh == (
        "缴费年限不足：已累计缴费（含视同缴费）179 个月，按规定最低须 180 个月（15 年），"
        "尚差 1 个月；可申请延长缴费至满最低年限后再按月领取基本养老金。"
    )
    assert "1 month short" in refusal.en and "180 months (15 years)" in refusal.en


def test_180_months_may_retire() -> None:
    """REFERENCE.md Basic pension: 15 years suffice in 2025."""
    assert retirement.check_retirement(Track.MALE, ym("1965-01"), ym("2025-02"), 180) is None


def test_short_months_after_2030_names_the_half_year() -> None:
    """REFERENCE.md Basic pension: 2030 needs 15.5 years (186 months)."""
    refusal = retirement.check_retirement(Track.MALE, ym("1969-12"), ym("2031-03"), 180)
    assert retirement.statutory_month(Track.MALE, ym("1969-12")) == ym("2031-03")
    assert refusal is not None and refusal.code == "short_months"
    assert refusal.missing_months == 12
    assert "192 个月（16 年）" in refusal.zh and "延长缴费" in refusal.zh


def test_too_early_names_the_earliest_month() -> None:
    """国务院关于渐进式延迟法定退休年龄的办法, 弹性提前退休: at most 36 months early, never
    before the original age."""
    refusal = retirement.check_retirement(Track.MALE, ym("1970-01"), ym("2029-12"), 400)
    assert refusal is not None
    assert refusal.code == "too_early"
    assert "2030-01" in refusal.zh and "2030-01" in refusal.en
    assert "60 岁" in refusal.zh and "36 个月" in refusal.zh


def test_early_retirement_needs_the_minimum_first() -> None:
    """国务院关于渐进式延迟法定退休年龄的办法: flexible early retirement needs the minimum first."""
    birth = ym("1970-01")
    refusal = retirement.check_retirement(Track.MALE, birth, ym("2030-01"), 185)
    assert refusal is not None
    assert (refusal.code, refusal.missing_months) == ("early_needs_minimum", 1)
    assert "2031-05" in refusal.zh  # the statutory month
    assert retirement.check_retirement(Track.MALE, birth, ym("2030-01"), 186) is None


def test_a_late_claim_is_not_refused() -> None:
    """Only the start month counts: a pension may be claimed after the latest flexible month."""
    birth = ym("1965-01")
    late = retirement.latest_flexible(Track.MALE, birth).add(24)
    assert retirement.check_retirement(Track.MALE, birth, late, 200) is None


def test_negative_months_are_refused() -> None:
    with pytest.raises(InvalidInput):
        retirement.check_retirement(Track.MALE, ym("1965-01"), ym("2025-02"), -1)


def test_age_text() -> None:
    assert retirement.age_text(721) == ("60 岁 1 个月", "60 years 1 month")
    assert retirement.age_text(602) == ("50 岁 2 个月", "50 years 2 months")
    assert retirement.age_text(756) == ("63 岁", "63 years")
