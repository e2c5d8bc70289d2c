"""An insured person loaded by a legacy import — pension and medical from 2024, every month
paid but one owed — a minor with a guardian, and helpers to read a PDF's text."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pdfplumber
from django.db import transaction

from quanyi.registry.models import Employer, Person
from quanyi.statements import services
from quanyi.workflow.models import Case
from tests.benefits.builders import months
from tests.registry import builders
from tests.workflow.builders import Office

BASE_FEN = 800_000
OWED = "2025-11"
ADDRESS = ("北京市朝阳区建国路1号院3单元", "100020")


@dataclass(frozen=True)
class Insured:
    id_number: str
    person: Person
    employer: Employer


def insured(office: Office, folder: Path, owed: str = OWED, address: bool = True) -> Insured:
    number = builders.id_number(birth=date(1980, 3, 1))
    uscc = builders.uscc()
    folder.mkdir()
    (folder / "employers.csv").write_text(
        f"uscc,name,region,injury_class\n{uscc},对账单测试有限公司,110105,1\n", encoding="utf-8"
    )
    (folder / "persons.csv").write_text(
        "id_number,name,phone,hukou_region,residence_region,category\n"
        f"{number},钱对账,13800138000,110105,110105,employee\n",
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        "id_number,uscc,insurance,start_month,end_month\n"
        f"{number},{uscc},pension,2024-01,\n{number},{uscc},medical,2024-01,\n",
        encoding="utf-8",
    )
    rows = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    for insurance in ("pension", "medical"):
        for month in months("2024-01", "2025-12"):
            paid = "" if str(month) == owed else str(month)
            rows.append(f"{number},{uscc},{insurance},{month},{BASE_FEN},{paid}")
    (folder / "contributions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    from quanyi.cli import main

    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0
    case = Case.objects.filter(type="import.legacy").order_by("-pk").first()
    assert case is not None and office.approve_all(case).status == "approved"
    if address:
        with transaction.atomic():
            services.set_address(office.clerk, number, *ADDRESS)
    return Insured(number, Person.objects.get(id_number=number), Employer.objects.get(uscc=uscc))


def page_text(pdf: bytes, page: int = 0) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return document.pages[page].extract_text() or ""


def line_of(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))
