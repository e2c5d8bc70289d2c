"""The employer's yearly notice to its staff (004 part 5 art. 14): each employee's months,
bases and contributions of the year, as a PDF to post and an Excel workbook."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from quanyi.access.policy import authorize, scope
from quanyi.contributions.models import Bill, Line
from quanyi.core.errors import Conflict, NotFound
from quanyi.core.identifiers import mask, validate_uscc
from quanyi.core.money import format_fen
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, Person
from quanyi.statements import fonts
from quanyi.statements.content import EMPLOYEE_ORDER, insurance_name
from quanyi.statements.services import check_year, out_folder

HEADS = (
    "姓名",
    "公民身份号码",
    "险种",
    "缴费月数",
    "缴费基数（元）",
    "单位缴费（元）",
    "个人缴费（元）",
)
PER_PAGE = 32
SUFFIXES = ("pdf", "xlsx")
MONEY = 4  # the columns from here on are amounts in fen


def _rows(employer: Employer, year: int) -> list[tuple[Any, ...]]:
    bills = Bill.objects.filter(employer=employer, month__gte=f"{year}-01", month__lte=f"{year}-12")
    found = (
        Line.objects.filter(bill_id__in=bills.values("pk"), month__startswith=f"{year}-")
        .values("person_id", "insurance")
        .annotate(
            months=Count("month", distinct=True),
            base=Max("base_fen"),
            employer_fen=Sum("employer_fen"),
            employee_fen=Sum("employee_fen"),
        )
    )
    people = {p.pk: p for p in Person.objects.filter(pk__in={r["person_id"] for r in found})}
    order = {code: index for index, code in enumerate(EMPLOYEE_ORDER)}
    rows = []
    for row in sorted(
        found,
        key=lambda r: (people[r["person_id"]].name, r["person_id"], order.get(r["insurance"], 9)),
    ):
        person = people[row["person_id"]]
        rows.append(
            (
                person.name,
                mask(person.id_number),
                insurance_name(row["insurance"]),
                row["months"],
                row["base"] or 0,
                row["employer_fen"] or 0,
                row["employee_fen"] or 0,
            )
        )
    return rows


def _pdf(employer: Employer, year: int, rows: list[tuple[Any, ...]]) -> bytes:
    buffer = io.BytesIO()
    size = landscape(A4)
    canvas = Canvas(buffer, pagesize=size, pageCompression=1)
    canvas.setTitle(f"{employer.name} {year} 年度社会保险缴费情况告知")
    font = fonts.cjk()
    edges = [36, 110, 220, 350, 410, 510, 630, 750]
    pages = max(1, -(-len(rows) // PER_PAGE))
    for page in range(pages):
        canvas.setFont(font, 14)
        canvas.drawCentredString(size[0] / 2, size[1] - 40, f"{year} 年度社会保险缴费情况告知")
        canvas.setFont(font, 9)
        canvas.drawString(
            36, size[1] - 62, f"单位名称：{employer.name}    统一社会信用代码：{employer.uscc}"
        )
        top = size[1] - 80
        chunk = rows[page * PER_PAGE : (page + 1) * PER_PAGE]
        for index, values in enumerate([HEADS, *chunk]):
            y = top - index * 14
            canvas.line(edges[0], y, edges[-1], y)
            for col, value in enumerate(values):
                shown = format_fen(value) if index and col >= MONEY else str(value)
                canvas.drawString(edges[col] + 3, y - 10, shown)
        bottom = top - (len(chunk) + 1) * 14
        canvas.line(edges[0], bottom, edges[-1], bottom)
        for x in edges:
            canvas.line(x, top, x, bottom)
        canvas.drawString(
            36,
            40,
            "依据：社会保险个人权益记录管理办法第五部分第十四条，用人单位每年向职工告知缴费情况。",
        )
        canvas.drawCentredString(size[0] / 2, 24, f"第 {page + 1} / {pages} 页")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _xlsx(employer: Employer, year: int, rows: list[tuple[Any, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年度缴费告知"
    sheet.append([f"{employer.name}（{employer.uscc}）{year} 年度社会保险缴费情况告知"])
    sheet.append(list(HEADS))
    for row in rows:
        sheet.append([*row[:MONEY], *(Decimal(fen) / 100 for fen in row[MONEY:])])
        for cell in sheet[sheet.max_row][MONEY:]:
            cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_notices(
    principal: Principal, year: int, out: Path, uscc: str | None = None
) -> dict[str, Any]:
    authorize(principal, "statements.generate")
    check_year(year, timezone.localdate())
    employers = scope(Employer.objects.all(), principal).order_by("uscc")
    if uscc is not None:
        employers = employers.filter(uscc=validate_uscc(uscc))
        if not employers.exists():
            raise NotFound("未找到该用人单位", "no such employer")
    targets = [out / f"notice-{year}-{e.uscc}.{suffix}" for e in employers for suffix in SUFFIXES]
    there = [path for path in targets if path.exists()]
    if there:
        raise Conflict(
            f"{there[0]} 等 {len(there)} 个文件已存在，不会覆盖",
            f"{there[0]} and {len(there) - 1} more exist: nothing is overwritten",
        )
    out_folder(out)
    files = []
    for employer in employers:
        rows = _rows(employer, year)
        if not rows:
            continue
        made = {"pdf": _pdf(employer, year, rows), "xlsx": _xlsx(employer, year, rows)}
        for suffix, data in made.items():
            path = out / f"notice-{year}-{employer.uscc}.{suffix}"
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            os.replace(part, path)
            files.append(str(path))
    return {"year": year, "employers": len(files) // 2, "files": files}
