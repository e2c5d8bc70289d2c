"""The person page, shaped from the record ``records.read`` returned: no database here.

- the header: age (never the birth date beside a masked id number, DESIGN.md), labels;
- the relations as a timeline, one row per employer and span;
- contributions as a year × month grid per insurance with the annual statement's marks
  (REFERENCE.md: ● paid, △ owed, ○ transferred in, - not due) and yearly totals;
- the pension personal account by year and its chart (an inline SVG drawn here);
- contribution years per insurance with how they add up (paid + deemed months);
- prompts for missing or suspicious registration items (002 art. 13).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from quanyi.core import labels, regions
from quanyi.core.errors import QuanyiError, current_language
from quanyi.core.money import format_fen
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import EMPLOYEE_INSURANCES, RESIDENT_INSURANCES
from quanyi.rulebook import retirement

MARKS = {"paid": "●", "owed": "△", "transferred_in": "○"}
NOT_DUE = "-"
ADULT_AGE = 18


def age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- relations -------------------------------------------------------------------------------


@dataclass
class Span:
    """Relations with one employer (or none) over the same months, whatever their insurances."""

    employer: str | None
    uscc: str | None
    start_month: str
    end_month: str | None
    insurances: list[str] = field(default_factory=list)
    left: float = 0.0  # where the bar starts and how wide it is, in % of the whole timeline
    width: float = 0.0


def timeline(relations: list[dict[str, Any]], now: str) -> list[Span]:
    spans: dict[tuple[str | None, str, str | None], Span] = {}
    for row in relations:
        key = (row["uscc"], row["start_month"], row["end_month"])
        if key not in spans:
            spans[key] = Span(row["employer"], row["uscc"], row["start_month"], row["end_month"])
        spans[key].insurances.append(row["insurance"])
    ordered = sorted(spans.values(), key=lambda s: (s.start_month, s.end_month or "9999-99"))
    if not ordered:
        return ordered
    for span in ordered:
        span.insurances = [code for code, _ in in_label_order(dict.fromkeys(span.insurances))]
    first = _index(min(s.start_month for s in ordered))
    last = max(_index(s.end_month or now) for s in ordered) + 1
    total = max(last - first, 1)
    for span in ordered:
        start, end = _index(span.start_month), _index(span.end_month or now) + 1
        span.left = round(100 * (start - first) / total, 2)
        span.width = round(max(100 * (end - start) / total, 0.5), 2)
    return ordered


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


# --- contributions ---------------------------------------------------------------------------


@dataclass
class YearRow:
    year: int
    marks: list[str]  # 12 marks, January first
    base_fen: int = 0
    employer_fen: int = 0
    employee_fen: int = 0


@dataclass
class InsuranceGrid:
    insurance: str
    years: list[YearRow]


def in_label_order(by_insurance: object) -> list[tuple[str, Any]]:
    """``{insurance: value}`` as pairs in the insurances' declared order (养老 first)."""
    if not isinstance(by_insurance, dict):
        return []
    order = list(labels.known("insurance"))
    return sorted(by_insurance.items(), key=lambda i: order.index(i[0]) if i[0] in order else 99)


def grid(contributions: list[dict[str, Any]]) -> list[InsuranceGrid]:
    """A year × month grid per insurance (in the order of the record's insurances). A month
    with lines of several statuses shows △ when any is owed (what the counter must act on)."""
    statuses: dict[str, dict[int, dict[int, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    totals: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in contributions:
        year, month = int(row["month"][:4]), int(row["month"][5:7])
        statuses[row["insurance"]][year][month].add(row["status"])
        total = totals[(row["insurance"], year)]
        total[0] += row["base_fen"]
        total[1] += row["employer_fen"]
        total[2] += row["employee_fen"]
    grids = []
    for insurance, _ in in_label_order(statuses):
        years = []
        for year in range(min(statuses[insurance]), max(statuses[insurance]) + 1):
            months = statuses[insurance].get(year, {})
            base, employer, employee = totals.get((insurance, year), (0, 0, 0))
            marks = [_mark(months.get(m, set())) for m in range(1, 13)]
            years.append(YearRow(year, marks, base, employer, employee))
        grids.append(InsuranceGrid(insurance, years))
    return grids


def _mark(statuses: set[str]) -> str:
    for status in ("owed", "paid", "transferred_in"):
        if status in statuses:
            return MARKS[status]
    return NOT_DUE


# --- the account chart -----------------------------------------------------------------------


@dataclass
class Bar:
    year: int
    x: float
    label_x: float
    opening: tuple[float, float]  # y, height
    credited: tuple[float, float]
    interest: tuple[float, float]
    closing: str  # yuan, for the bar's title


@dataclass
class Chart:
    width: int
    height: int
    baseline: float
    bar_width: float
    top_label: str
    bars: list[Bar]


CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 220, 24, 28, 8


def chart(by_year: list[dict[str, Any]]) -> Chart | None:
    """Each year's closing balance as a bar stacked from its opening balance, credits and
    interest: drawn here as plain SVG geometry (no script, nothing fetched)."""
    if not by_year:
        return None
    peak = max(max(y["closing_fen"] for y in by_year), 1)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_HEIGHT - CHART_BOTTOM
    slot = (CHART_WIDTH - 2 * CHART_LEFT) / len(by_year)
    width = min(slot * 0.6, 60)
    bars = []
    for number, row in enumerate(by_year):
        x = CHART_LEFT + number * slot + (slot - width) / 2
        heights = [max(row[key], 0) * plot / peak for key in ("opening_fen", "credited_fen")]
        heights.append(max(row["interest_fen"], 0) * plot / peak)
        tops = []
        level = baseline
        for height in heights:
            level -= height
            tops.append((round(level, 1), round(height, 1)))
        bars.append(
            Bar(
                row["year"],
                round(x, 1),
                round(x + width / 2, 1),
                tops[0],
                tops[1],
                tops[2],
                format_fen(row["closing_fen"]),
            )
        )
    return Chart(CHART_WIDTH, CHART_HEIGHT, baseline, round(width, 1), format_fen(peak), bars)


# --- contribution years (缴费年限) ---------------------------------------------------------------


@dataclass(frozen=True)
class YearsLine:
    insurance: str
    years: str  # two decimals, as the record gives them
    paid: int
    deemed: int
    text: str  # the explanation, in the user's language


def years_lines(record: dict[str, Any]) -> list[YearsLine]:
    """Each insurance's contribution years and how they are counted (DESIGN.md inv. 2: a
    figure explains itself): the pension's paid months plus its deemed months (视同缴费月数,
    REFERENCE.md Basic pension), the others' paid months alone."""
    years = record.get("contribution_years")
    if not isinstance(years, dict):
        return []
    months = record.get("contribution_months")
    paid_by = months if isinstance(months, dict) else {}
    deemed_all = record.get("deemed_months")
    zh = current_language() == "zh"
    lines = []
    for insurance, shown in in_label_order(years):
        paid = int(paid_by.get(insurance, 0))
        deemed = int(deemed_all or 0) if insurance == "pension" else 0
        if deemed and zh:
            how = f"（实际缴费 {paid} 个月 + 视同缴费 {deemed} 个月 = {paid + deemed} 个月）"
        elif deemed:
            how = f" (paid {paid} months + deemed {deemed} months = {paid + deemed} months)"
        else:
            how = f"（实际缴费 {paid} 个月）" if zh else f" (paid {paid} months)"
        text = f"缴费年限 {shown} 年{how}" if zh else f"contribution years {shown}{how}"
        lines.append(YearsLine(insurance, str(shown), paid, deemed, text))
    return lines


# --- prompts (002 art. 13) -------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    code: str
    text: str


def prompts(record: dict[str, Any], today: date) -> list[Prompt]:
    """What the counter should ask about: registration items missing or suspicious.

    - no phone on file;
    - hukou or residence region missing, unknown, or a code no longer in use;
    - a minor without a guardian;
    - a date of death while the status is still active;
    - insurance relations still open after the date of death;
    - an open relation whose insurance does not fit the person's category (an employee in a
      resident insurance, a resident in an employee insurance).
    """
    person = record.get("person")
    if not person:
        return []
    zh = current_language() == "zh"
    found: list[Prompt] = []

    def say(code: str, chinese: str, english: str) -> None:
        found.append(Prompt(code, chinese if zh else english))

    if not person.get("phone"):
        say("no_phone", "未登记联系电话", "no phone number on file")
    for key, chinese, english in (
        ("hukou_region", "户口所在地", "hukou region"),
        ("residence_region", "常住所在地", "residence region"),
    ):
        code = person.get(key) or ""
        known = regions.lookup(code) if code else None
        if not code:
            say(f"{key}_missing", f"未登记{chinese}", f"no {english} on file")
        elif known is None:
            say(
                f"{key}_unknown",
                f"{chinese}代码 {code} 不是有效的行政区划代码",
                f"the {english} code {code} is not a known division code",
            )
        elif not known.current:
            say(
                f"{key}_outdated",
                f"{chinese}代码 {code}（{known.name}）已于 {known.last_year} 年停用，"
                "请核实现行代码",
                f"the {english} code {code} ({known.name}) went out of use in {known.last_year};"
                " check the current code",
            )
    birth = as_date(person.get("birth_date"))
    if birth and age(birth, today) < ADULT_AGE and not person.get("guardian"):
        say("minor_without_guardian", "未成年人未登记监护人", "a minor with no guardian on file")
    deceased = as_date(person.get("deceased_date"))
    if deceased and person.get("status") == "active":
        say(
            "deceased_but_active",
            f"已登记死亡日期 {deceased}，但参保状态仍为正常",
            f"a date of death ({deceased}) is on file but the status is still active",
        )
    relations = record.get("relations") or []
    if deceased:
        after = f"{deceased:%Y-%m}"
        if any((r["end_month"] or "9999-99") > after for r in relations):
            say(
                "open_after_death",
                "死亡后仍有未终止的参保关系",
                "insurance relations continue after the date of death",
            )
    fitting = EMPLOYEE_INSURANCES if person.get("category") == "employee" else RESIDENT_INSURANCES
    if any(r["end_month"] is None and r["insurance"] not in fitting for r in relations):
        say(
            "insurance_category",
            "有与人员类别不符的参保关系",
            "an open insurance relation does not fit the person's category",
        )
    due = _retirement_prompt(record, person, today, zh)
    if due is not None:
        found.append(due)
    return found


def _retirement_prompt(
    record: dict[str, Any], person: dict[str, Any], today: date, zh: bool
) -> Prompt | None:
    """An employee past the statutory retirement age (the 2025 schedule, a woman's post taken
    as a cadre's) with no pension on record: say when the age was reached and how the months
    stand against the minimum, so the counter can take in a grant or 延长缴费."""
    birth = as_date(person.get("birth_date"))
    benefits = record.get("benefits")
    if birth is None or benefits is None or person.get("category") != "employee":
        return None
    if person.get("status") != "active" or any(b.get("kind") == "pension" for b in benefits):
        return None
    try:
        track = retirement.track_of(str(person.get("sex", "")))
    except QuanyiError:
        return None
    reached = retirement.statutory_month(track, YearMonth.of(birth))
    if reached > YearMonth.of(today):
        return None
    months = int((record.get("contribution_months") or {}).get("pension", 0))
    months += int(record.get("deemed_months") or 0)
    minimum = retirement.minimum_months(reached)
    if zh:
        text = (
            f"已于 {reached} 达到法定退休年龄，尚未核定基本养老金；"
            f"累计缴费 {months} 个月（最低 {minimum} 个月）"
        )
    else:
        text = (
            f"reached the statutory retirement age in {reached} and has no pension granted;"
            f" {months} contribution months (the minimum is {minimum})"
        )
    return Prompt("retirement_due", text)


def as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
