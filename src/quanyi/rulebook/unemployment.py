"""Unemployment benefit entitlement (失业保险条例 art. 14, 17, 21). Pure: no database, no clock."""

from __future__ import annotations

from dataclasses import dataclass

from quanyi.core.errors import InvalidInput
from quanyi.core.money import MAX_FEN

MOST_MONTHS = 24  # art. 17: at most 24 months, carried months included
# art. 17: (insured months from, months of benefit); half-open bands, the highest reached applies
_BANDS: tuple[tuple[int, int], ...] = ((120, 24), (60, 18), (12, 12))


def _not_negative(field: str, value: int) -> None:
    if value < 0:
        raise InvalidInput.one(
            field,
            "negative",
            f"不得为负数，收到 {value}",
            f"cannot be negative, got {value}",
        )


def entitled_months(insured_months: int, carried_months: int = 0) -> int:
    """Months of unemployment benefit: 1 to 5 years insured → 12, 5 to 10 → 18, 10 or more
    → 24; plus the months left unused from an earlier spell, at most 24 in all (art. 17).
    Under a year insured only the carried months remain (失业保险金申领发放办法)."""
    _not_negative("insured_months", insured_months)
    _not_negative("carried_months", carried_months)
    own = next((months for least, months in _BANDS if insured_months >= least), 0)
    return min(MOST_MONTHS, own + carried_months)


@dataclass(frozen=True)
class UnemploymentRefusal:
    code: str  # "short_insurance" | "voluntary" | "not_registered"
    zh: str
    en: str


def unemployment_refusals(
    insured_months: int, involuntary: bool, registered: bool
) -> tuple[UnemploymentRefusal, ...]:
    """Every condition of art. 14 not met, in the article's order."""
    _not_negative("insured_months", insured_months)
    found: list[UnemploymentRefusal] = []
    if insured_months < 12:
        found.append(
            UnemploymentRefusal(
                "short_insurance",
                f"参加失业保险且单位和本人已缴费满 1 年方可领取失业保险金（失业保险条例第十四条）："
                f"已缴费 {insured_months} 个月，尚差 {12 - insured_months} 个月。",
                f"Unemployment benefit requires at least one year of contributions by the "
                f"employer and the person (Unemployment Insurance Regulations art. 14): "
                f"{insured_months} months paid, {12 - insured_months} short.",
            )
        )
    if not involuntary:
        found.append(
            UnemploymentRefusal(
                "voluntary",
                "非因本人意愿中断就业的方可领取失业保险金（失业保险条例第十四条）。",
                "Unemployment benefit requires that the employment ended against the person's "
                "will (Unemployment Insurance Regulations art. 14).",
            )
        )
    if not registered:
        found.append(
            UnemploymentRefusal(
                "not_registered",
                "须已办理失业登记并有求职要求方可领取失业保险金（失业保险条例第十四条）。",
                "Unemployment benefit requires registration as unemployed and a wish to find "
                "work (Unemployment Insurance Regulations art. 14).",
            )
        )
    return tuple(found)


def check_unemployment(
    insured_months: int, involuntary: bool, registered: bool
) -> UnemploymentRefusal | None:
    """The first condition of art. 14 not met, or None (``unemployment_refusals`` has all)."""
    found = unemployment_refusals(insured_months, involuntary, registered)
    return found[0] if found else None


def one_off_farmer(full_years: int, per_year_fen: int) -> int:
    """农民合同制工人一次性生活补助 (art. 21): the province's amount per full year worked and
    contributed; nothing under one full year."""
    _not_negative("full_years", full_years)
    _not_negative("per_year_fen", per_year_fen)
    if per_year_fen > MAX_FEN:
        raise InvalidInput.one(
            "per_year_fen",
            "too_large",
            f"金额不得超过 {MAX_FEN} 分",
            f"at most {MAX_FEN} fen",
        )
    return full_years * per_year_fen
