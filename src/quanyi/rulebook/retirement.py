"""Statutory retirement age and the conditions to start a monthly pension. Pure: no database,
no clock.

Source: NPC Standing Committee decision of 2024-09-13 on gradually raising the statutory
retirement age, in force 2025-01-01, and its implementing measures (国务院关于渐进式延迟法定
退休年龄的办法): the age rises by one month per four months of birth date (women workers: per
two months) up to 63 / 58 / 55; flexible early retirement up to three years before it, never
before the original age; flexible delay up to three years after it; the minimum contribution
period for a monthly pension rises from 15 years by six months a year from 2030 to 20 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from quanyi.core.errors import InvalidInput
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import calc

FLEXIBLE_MONTHS = 36  # 弹性提前 / 弹性延迟: at most three years either way


class Track(StrEnum):
    MALE = "male60"  # men, original age 60 → 63: +1 month per 4 months of birth from births 1965-01
    FEMALE_CADRE = "female55"  # women cadre 55 → 58: +1 month per 4 months from births 1970-01
    FEMALE_WORKER = "female50"  # women worker 50 → 55: +1 month per 2 months from births 1975-01


@dataclass(frozen=True)
class _Schedule:
    original_months: int
    first_birth: YearMonth  # the first birth month whose age is raised
    step: int  # months of birth per month of delay
    most: int  # the delay once fully phased in


_SCHEDULES: dict[Track, _Schedule] = {
    Track.MALE: _Schedule(60 * 12, YearMonth(1965, 1), 4, 36),
    Track.FEMALE_CADRE: _Schedule(55 * 12, YearMonth(1970, 1), 4, 36),
    Track.FEMALE_WORKER: _Schedule(50 * 12, YearMonth(1975, 1), 2, 60),
}

# The registry stores sex as "M"/"F" (derived from the id number); other systems send the
# GB/T 2261.1 codes "1"/"2". Both mean the same person.
_MALE = frozenset({"M", "1"})
_FEMALE = frozenset({"F", "2"})


def track_of(sex: str, original_age: int | None = None) -> Track:
    """The track of a person: men 60; women 55 (cadre) unless their original age is 50
    (worker). ``original_age`` is the pre-reform statutory age of the person's post."""
    if sex in _MALE:
        if original_age in (None, 60):
            return Track.MALE
        raise InvalidInput.one(
            "original_age",
            "bad_original_age",
            f"男职工原法定退休年龄为 60 岁，收到 {original_age}",
            f"a man's original retirement age is 60, got {original_age}",
        )
    if sex in _FEMALE:
        if original_age in (None, 55):
            return Track.FEMALE_CADRE
        if original_age == 50:
            return Track.FEMALE_WORKER
        raise InvalidInput.one(
            "original_age",
            "bad_original_age",
            f"女职工原法定退休年龄为 50 岁或 55 岁，收到 {original_age}",
            f"a woman's original retirement age is 50 or 55, got {original_age}",
        )
    raise InvalidInput.one(
        "sex",
        "bad_sex",
        f"性别须为男（M 或 1）或女（F 或 2），收到 {sex!r}",
        f"sex must be male (M or 1) or female (F or 2), got {sex!r}",
    )


def original_age_months(track: Track) -> int:
    """The pre-reform statutory age in months: 720, 660 or 600."""
    return _SCHEDULES[track].original_months


def statutory_age_months(track: Track, birth: YearMonth) -> int:
    """The statutory retirement age in months for a birth month."""
    schedule = _SCHEDULES[track]
    since = birth.index - schedule.first_birth.index
    if since < 0:
        return schedule.original_months
    return schedule.original_months + min(schedule.most, since // schedule.step + 1)


def statutory_month(track: Track, birth: YearMonth) -> YearMonth:
    """The month the statutory age is reached (and the pension may start)."""
    return birth.add(statutory_age_months(track, birth))


def earliest_flexible(track: Track, birth: YearMonth) -> YearMonth:
    """弹性提前退休: up to 36 months before the statutory month, never before the original age."""
    statutory = statutory_month(track, birth).add(-FLEXIBLE_MONTHS)
    return max(statutory, birth.add(original_age_months(track)))


def latest_flexible(track: Track, birth: YearMonth) -> YearMonth:
    """弹性延迟退休: up to 36 months after the statutory month (agreed with the employer)."""
    return statutory_month(track, birth).add(FLEXIBLE_MONTHS)


def minimum_months(retirement: YearMonth) -> int:
    """最低缴费年限 in months for a pension starting in ``retirement``: 180 through 2029, then
    +6 a year to 240 from 2039."""
    return int(calc.minimum_contribution_years(retirement.first_day()) * 12)


@dataclass(frozen=True)
class Refusal:
    code: str  # "too_early" | "too_late" (reserved) | "short_months" | "early_needs_minimum"
    zh: str
    en: str
    missing_months: int = 0  # for short_months and early_needs_minimum


def age_text(months: int) -> tuple[str, str]:
    """An age in months as ``("60 岁 1 个月", "60 years 1 month")``."""
    years, rest = divmod(months, 12)
    zh = f"{years} 岁" + (f" {rest} 个月" if rest else "")
    en = f"{years} years" + (f" {rest} month{'s' if rest > 1 else ''}" if rest else "")
    return zh, en


def _years_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return str(years) if not rest else f"{months / 12:g}"


def check_retirement(
    track: Track, birth: YearMonth, start: YearMonth, months: int
) -> Refusal | None:
    """Why a monthly pension cannot start in ``start``, or None. ``months`` are the
    contribution months counted (paid and deemed). A start after the latest flexible month is
    not refused: a pension may be claimed late, and only the start month counts."""
    if months < 0:
        raise InvalidInput.one(
            "months",
            "bad_months",
            f"缴费月数不得为负数，收到 {months}",
            f"contribution months cannot be negative, got {months}",
        )
    statutory = statutory_month(track, birth)
    age_zh, age_en = age_text(statutory_age_months(track, birth))
    original_zh, original_en = age_text(original_age_months(track))
    earliest = earliest_flexible(track, birth)
    if start < earliest:
        return Refusal(
            "too_early",
            f"申请的退休时间 {start} 早于最早可退休时间 {earliest}：弹性提前退休最多比法定"
            f"退休年龄（{age_zh}，即 {statutory}）提前 {FLEXIBLE_MONTHS} 个月，且不得早于原"
            f"法定退休年龄 {original_zh}。",
            f"The requested start {start} is before the earliest possible month {earliest}: "
            f"flexible early retirement is at most {FLEXIBLE_MONTHS} months before the "
            f"statutory age ({age_en}, reached in {statutory}) and never before the original "
            f"statutory age of {original_en}.",
        )
    minimum = minimum_months(start)
    missing = minimum - months
    if missing <= 0:
        return None
    rule_zh = f"{start.year} 年退休最低须缴费 {minimum} 个月（{_years_text(minimum)} 年）"
    rule_en = (
        f"the minimum for a pension starting in {start.year} is {minimum} months "
        f"({_years_text(minimum)} years)"
    )
    if start < statutory:
        return Refusal(
            "early_needs_minimum",
            f"弹性提前退休须已达到最低缴费年限：已累计缴费（含视同缴费）{months} 个月，"
            f"{rule_zh}，尚差 {missing} 个月；可在缴满最低年限后再申请提前退休（不早于 "
            f"{earliest}），或于法定退休时间 {statutory} 申请。",
            f"Flexible early retirement requires the minimum contribution period: {months} "
            f"months counted so far (deemed months included); {rule_en}, {missing} "
            f"month{'s' if missing > 1 else ''} short. Early retirement may be requested once "
            f"the minimum is reached (no earlier than {earliest}), or at the statutory month "
            f"{statutory}.",
            missing,
        )
    return Refusal(
        "short_months",
        f"缴费年限不足：已累计缴费（含视同缴费）{months} 个月，按规定最低须 {minimum} 个月"
        f"（{_years_text(minimum)} 年），尚差 {missing} 个月；可申请延长缴费至满最低年限后再"
        f"按月领取基本养老金。",
        f"Contribution period too short: {months} months counted so far (deemed months "
        f"included); {rule_en}, {missing} month{'s' if missing > 1 else ''} short. The person "
        f"may keep contributing (extended contribution) until the minimum is reached and then "
        f"draw the basic pension monthly.",
        missing,
    )
