"""The person page's shapes, without a database: the annual statement's marks (REFERENCE.md:
● paid, △ owed, ○ transferred in, - not due), yearly totals, the account chart and the
counter's prompts (002 art. 13)."""

from __future__ import annotations

from datetime import date

from quanyi.records import page


def line(month: str, status: str = "paid", insurance: str = "pension") -> dict[str, object]:
    return {
        "insurance": insurance,
        "month": month,
        "base_fen": 700000,
        "employer_fen": 112000,
        "employee_fen": 56000,
        "status": status,
    }


def test_the_grid_marks_each_month_and_totals_each_year() -> None:
    rows = [line("2024-11"), line("2024-12", "owed"), line("2025-01", "transferred_in")]
    rows.append(line("2025-01", insurance="medical"))
    (pension, medical) = page.grid(rows)
    assert (pension.insurance, medical.insurance) == ("pension", "medical")
    y2024, y2025 = pension.years
    assert y2024.marks == ["-"] * 10 + ["●", "△"]
    assert y2025.marks == ["○"] + ["-"] * 11
    assert (y2024.base_fen, y2024.employer_fen, y2024.employee_fen) == (1400000, 224000, 112000)


def test_a_year_without_lines_between_two_with_shows_as_not_due() -> None:
    (grid,) = page.grid([line("2022-05"), line("2024-05")])
    assert [y.year for y in grid.years] == [2022, 2023, 2024]
    assert grid.years[1].marks == ["-"] * 12 and grid.years[1].base_fen == 0


def test_the_chart_stacks_opening_credits_and_interest_to_the_closing_balance() -> None:
    years = [
        {
            "year": 2024,
            "opening_fen": 0,
            "credited_fen": 600000,
            "interest_fen": 0,
            "closing_fen": 600000,
        },
        {
            "year": 2025,
            "opening_fen": 600000,
            "credited_fen": 600000,
            "interest_fen": 20000,
            "closing_fen": 1220000,
        },
    ]
    chart = page.chart(years)
    assert chart is not None and chart.top_label == "12,200.00"
    last = chart.bars[1]
    top = last.interest[0]
    assert abs((chart.baseline - top) - (chart.height - page.CHART_TOP - page.CHART_BOTTOM)) < 0.2
    assert page.chart([]) is None


def test_prompts_name_missing_and_suspicious_registration_items() -> None:
    """002 art. 13: the counter prompts for missing or wrong registration items."""
    today = date(2026, 11, 30)
    person = {
        "phone": "",
        "hukou_region": "110103",  # 北京市崇文区, merged away in 2010
        "residence_region": "",
        "birth_date": "2015-01-01",
        "guardian": None,
        "deceased_date": "2026-01-05",
        "status": "active",
        "category": "resident",
    }
    relations = [{"insurance": "pension", "end_month": None, "start_month": "2025-01"}]
    codes = [p.code for p in page.prompts({"person": person, "relations": relations}, today)]
    assert codes == [
        "no_phone",
        "hukou_region_outdated",
        "residence_region_missing",
        "minor_without_guardian",
        "deceased_but_active",
        "open_after_death",
        "insurance_category",
    ]
    whole = {
        "phone": "139****5678",
        "hukou_region": "110105",
        "residence_region": "110105",
        "birth_date": "1986-03-21",
        "guardian": None,
        "deceased_date": None,
        "status": "active",
        "category": "employee",
    }
    assert page.prompts({"person": whole, "relations": relations}, today) == []
    unknown = dict(whole, hukou_region="119999")
    assert [p.code for p in page.prompts({"person": unknown}, today)] == ["hukou_region_unknown"]


def test_the_timeline_joins_one_employer_s_insurances_of_the_same_months() -> None:
    rows = [
        {
            "uscc": "X",
            "employer": "甲",
            "insurance": i,
            "start_month": "2020-01",
            "end_month": "2021-12",
        }
        for i in ("pension", "medical")
    ]
    rows.append(
        {
            "uscc": "Y",
            "employer": "乙",
            "insurance": "pension",
            "start_month": "2022-01",
            "end_month": None,
        }
    )
    first, second = page.timeline(rows, "2023-12")
    assert first.insurances == ["pension", "medical"] and (first.left, first.width) == (0, 50)
    assert (second.left, second.width, second.end_month) == (50, 50, None)


def test_a_cases_part_when_a_domain_registers_one_is_listed_with_links() -> None:
    """The page lists the person's cases from a ``cases`` record part (rows of id, type,
    status, stage, submitted_at), linking each case; without the part there is no section."""
    from django.template.loader import render_to_string

    from quanyi.records.views import page_context

    case = {
        "id": 7,
        "type": "person.change",
        "status": "open",
        "stage": "review",
        "submitted_at": "2026-11-30T04:24:34.507409Z",
    }
    shown = render_to_string("records/person.html", page_context({"cases": [case]}, date.today()))
    assert 'href="/cases/7"' in shown and "2026-11-30 12:24" in shown
    assert 'id="cases"' not in render_to_string(
        "records/person.html", page_context({}, date.today())
    )


def test_the_age_of_a_deceased_person_is_their_age_at_death() -> None:
    from quanyi.records.views import page_context

    person = {"birth_date": "1950-05-01", "deceased_date": "2020-04-30", "status": "cancelled"}
    assert page_context({"person": person}, date(2026, 11, 30))["age"] == 69
    alive = {"birth_date": "1950-05-01", "deceased_date": None, "status": "active"}
    assert page_context({"person": alive}, date(2026, 11, 30))["age"] == 76


def test_an_employee_past_retirement_age_without_a_pension_is_prompted() -> None:
    """002 art. 13 with the 2025 reform (REFERENCE.md Basic pension): a man born 1965-01 reached
    the statutory age in 2025-02; the counter is told, with his months against the minimum,
    until a pension is granted."""
    today = date(2026, 11, 30)
    person = {
        "phone": "139****5678",
        "hukou_region": "110105",
        "residence_region": "110105",
        "birth_date": "1965-01-09",
        "sex": "M",
        "guardian": None,
        "deceased_date": None,
        "status": "active",
        "category": "employee",
    }
    record: dict[str, object] = {
        "person": person,
        "benefits": [],
        "contribution_months": {"pension": 108},
        "deemed_months": 71,
    }
    (prompt,) = page.prompts(record, today)
    assert prompt.code == "retirement_due"
    assert "2025-02" in prompt.text and "179" in prompt.text and "180" in prompt.text
    granted = {**record, "benefits": [{"kind": "pension"}]}
    assert page.prompts(granted, today) == []
    younger = {**record, "person": {**person, "birth_date": "1980-01-01"}}
    assert page.prompts(younger, today) == []
