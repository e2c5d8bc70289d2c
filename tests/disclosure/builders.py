"""A person with a career at two employers, and the outside accounts that may ask about them:
the person, both employers, a court, another unit and a delegate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from quanyi.access import services as access
from quanyi.core import crypto
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import Employer, Person
from quanyi.workflow import services as workflow
from quanyi.workflow.models import Case
from tests.access.builders import PASSWORD, SYSTEM
from tests.benefits.builders import months
from tests.registry import builders
from tests.workflow.builders import Office

REGION = "110000"
FORMER = ("2024-01", "2024-12")  # the first employer, left at the end of 2024
CURRENT = ("2025-01", "2025-06")  # the second, still employing
BASE_FEN = 800_000


@dataclass(frozen=True)
class Career:
    id_number: str
    person: Person
    former: Employer
    current: Employer


def career(office: Office, folder: Path) -> Career:
    """One person, employed by ``former`` in 2024 and by ``current`` from 2025, every month
    paid, loaded by an approved legacy import."""
    number = builders.id_number(birth=date(1980, 3, 1))
    first, second = builders.uscc(), builders.uscc()
    folder.mkdir()
    (folder / "employers.csv").write_text(
        "uscc,name,region,injury_class\n"
        f"{first},旧东家有限公司,110105,1\n{second},新东家有限公司,110105,1\n",
        encoding="utf-8",
    )
    (folder / "persons.csv").write_text(
        "id_number,name,phone,hukou_region,residence_region,category\n"
        f"{number},赵查询,13800138000,110105,110105,employee\n",
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        "id_number,uscc,insurance,start_month,end_month\n"
        f"{number},{first},pension,{FORMER[0]},{FORMER[1]}\n"
        f"{number},{second},pension,{CURRENT[0]},\n",
        encoding="utf-8",
    )
    rows = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    for uscc, (start, end) in ((first, FORMER), (second, CURRENT)):
        for month in months(start, end):
            rows.append(f"{number},{uscc},pension,{month},{BASE_FEN},{month}")
    (folder / "contributions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    from quanyi.cli import main

    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0
    case = Case.objects.filter(type="import.legacy").order_by("-pk").first()
    assert case is not None and office.approve_all(case).status == "approved"
    return Career(
        number,
        Person.objects.get(id_number=number),
        Employer.objects.get(uscc=first),
        Employer.objects.get(uscc=second),
    )


def outside(username: str, kind: str, role: str, **bound: Any) -> User:
    with transaction.atomic():
        return access.create_account(
            SYSTEM,
            access.NewAccount(
                username=crypto.login_name(username),
                password=PASSWORD,
                roles=(role,),
                kind=kind,
                region=REGION,
                **bound,
            ),
        )


def document() -> tuple[workflow.NewAttachment, ...]:
    return (workflow.NewAttachment("申请书.pdf", b"%PDF-1.4 written application"),)


def permit_case(office: Office, type_name: str, payload: dict[str, Any]) -> Case:
    with transaction.atomic():
        case = workflow.submit(office.clerk, type_name, payload, document())
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    return case


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def month_range(rows: list[dict[str, Any]]) -> tuple[str, str]:
    found = sorted(str(row["month"]) for row in rows)
    return found[0], found[-1]


def span(first: str, last: str) -> int:
    return YearMonth.parse(last).index - YearMonth.parse(first).index + 1
