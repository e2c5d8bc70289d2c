"""Careers for benefit tests: the rulebook's history back to 1995 and persons built by a real
legacy import, every month's base a chosen share of the average wage in force that month."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from pathlib import Path

from django.db import transaction

from quanyi.access import applying
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook import services as rulebook
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.models import Case
from tests.registry import builders
from tests.workflow.builders import Office

REGION = "110000"


def wage_of(year: int) -> int:
    """A plausible average monthly wage (fen) for the year from July, divisible by 5 so that
    0.8 of it is whole fen."""
    return 50000 + 38000 * (year - 1994)


def add_history() -> None:
    """What the pension formula needs back to 1995: pension rates and the account share from
    1995 (national), and the region's average wage for every year from 1994 to 2023 (the
    seeded rulebook holds 2024 on)."""
    rows = [
        ("rate.employer.pension", "000000", "1995-01-01", "0.20"),
        ("rate.employee.pension", "000000", "1995-01-01", "0.08"),
        ("account.share", "000000", "1995-01-01", "0.11"),
        ("interest.method", "000000", "1995-01-01", "national"),
        *(("interest.rate", "000000", f"{y}-01-01", "0.03") for y in range(1995, 2016)),
        *(("wage.average", REGION, f"{y}-07-01", str(wage_of(y))) for y in range(1994, 2024)),
    ]
    staff = Principal(actor="history", source="cli", region=REGION, roles=frozenset({"approver"}))
    with transaction.atomic(), applying.granted(staff, 0) as applier:
        for key, region, valid_from, value in rows:
            rulebook.add_parameter(
                applier,
                {"key": key, "region": region, "valid_from": valid_from, "value": value,
                 "source": "test history"},
            )  # fmt: skip


def months(first: str, last: str) -> list[YearMonth]:
    start, end = YearMonth.parse(first), YearMonth.parse(last)
    return [YearMonth.from_index(i) for i in range(start.index, end.index + 1)]


def legacy_person(
    office: Office,
    folder: Path,
    birth: date,
    paid: Iterable[YearMonth],
    share: Fraction = Fraction(4, 5),
    male: bool = True,
    deemed_months: int | None = None,
) -> str:
    """A person whose history comes through an approved ``import.legacy`` case: every month in
    ``paid`` paid on ``share`` of the average wage in force that month. Returns the id number."""
    number = builders.id_number(birth=birth, male=male)
    uscc = builders.uscc()
    book = Rulebook.load()
    folder.mkdir()
    (folder / "employers.csv").write_text(
        f"uscc,name,region,injury_class\n{uscc},老国企,110105,1\n", encoding="utf-8"
    )
    deemed_header = ",deemed_months" if deemed_months is not None else ""
    deemed_value = f",{deemed_months}" if deemed_months is not None else ""
    (folder / "persons.csv").write_text(
        f"id_number,name,phone,hukou_region,residence_region,category{deemed_header}\n"
        f"{number},王退休,13800138000,110105,110105,employee{deemed_value}\n",
        encoding="utf-8",
    )
    listed = sorted(paid)
    (folder / "relations.csv").write_text(
        "id_number,uscc,insurance,start_month,end_month\n"
        f"{number},{uscc},pension,{listed[0]},{listed[-1]}\n",
        encoding="utf-8",
    )
    rows = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    for month in listed:
        wage = book.fen("wage.average", REGION, month.first_day())
        base = wage * share
        assert base.denominator == 1, f"{month}: {wage} × {share} is not whole fen"
        rows.append(f"{number},{uscc},pension,{month},{base.numerator},{month}")
    (folder / "contributions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    from quanyi.cli import main

    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0
    case = Case.objects.filter(type="import.legacy").order_by("-pk").first()
    assert case is not None
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    return number


def approved(office: Office, type_name: str, payload: dict[str, object]) -> Case:
    case = office.submit(type_name, payload)
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    return case


def verified() -> None:
    """``audit verify`` finds nothing (and says what it found otherwise)."""
    from quanyi.audit.verify import verify

    report = verify()
    assert report.ok, (report.problem, report.findings[:3])


def pensioner(office: Office, folder: Path) -> str:
    """A man born 1965-01 with 108 paid and 72 deemed months, his pension granted from his
    statutory month, 2025-02. Returns his id number."""
    number = legacy_person(
        office, folder, date(1965, 1, 9), months("2016-01", "2024-12"), deemed_months=72
    )
    approved(
        office,
        "benefit.grant",
        {"id_number": number, "insurance": "pension", "start_month": "2025-02"},
    )
    return number
