"""Household survey documents (002 art. 17-19): the list of persons to survey in a division,
the community summary table (全民参保登记个人信息汇总表, attachment 2) and one registration form
(全民参保登记表, attachment 1) per person, as a printable PDF and as Excel.

Identities are masked on paper too (id number as 110105********123X, phone as 138****1234,
no birth date): the surveyor asks the household, the form carries what to confirm.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache

from quanyi.core.identifiers import mask, mask_phone
from quanyi.core.labels import label
from quanyi.core.regions import lookup
from quanyi.enrollment.codes import EMPLOYMENT, INSURANCES, REASONS
from quanyi.enrollment.models import Run
from quanyi.enrollment.queries import Listed

LIST_TITLE = "全民参保登记入户调查对象名单"
SUMMARY_TITLE = "全民参保登记个人信息汇总表"
FORM_TITLE = "全民参保登记表"
MAX_FORMS = 2000


def _zh(code_set: str, code: str) -> str:
    return label(code_set, code, "zh") if code else ""


def _missing(text: str) -> str:
    names = {
        "pension_drawn": "领取养老金",
        **{name: _zh("insurance", name) for name in INSURANCES},
    }
    return "、".join(names.get(part, part) for part in text.split(",") if part)


def division_name(code: str) -> str:
    found = lookup(code[:6])
    name = getattr(found, "name", "") if found else ""
    return f"{name}（{code}）" if name else code


def list_rows(listed: Sequence[Listed]) -> list[list[str]]:
    return [
        [
            str(n),
            item.resident.name,
            mask(item.resident.id_number),
            item.resident.hukou_region,
            item.finding.division,
            _zh("employment_status", item.resident.employment_status),
            _zh("enrollment_status", item.finding.status),
            _missing(item.finding.missing),
            mask_phone(item.resident.phone) if item.resident.phone else "",
        ]
        for n, item in enumerate(listed, start=1)
    ]


LIST_HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "户口所在地",
    "常住地",
    "就业状态",
    "比对结果",
    "未参险种",
    "联系电话",
]
SUMMARY_HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "就业状态",
    "现参保情况",
    "未参保原因",
    "异地参保地",
    "调查结论",
    "调查员",
]


# --- PDF --------------------------------------------------------------------------------------


@cache
def font_name() -> str:
    """A TrueType CJK font embedded in the PDF (QUANYI_PDF_FONT, else WenQuanYi Micro Hei found
    by fontconfig), or ReportLab's built-in STSong-Light CID font when none is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    path = os.environ.get("QUANYI_PDF_FONT", "")
    if not path and shutil.which("fc-match"):
        try:
            path = subprocess.run(
                ["fc-match", "-f", "%{file}", "WenQuanYi Micro Hei"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            path = ""
    if path and ("wqy" in path.lower() or os.environ.get("QUANYI_PDF_FONT")):
        try:
            pdfmetrics.registerFont(TTFont("QuanyiCJK", path, subfontIndex=0))
            return "QuanyiCJK"
        except Exception:  # a font ReportLab cannot embed: fall back below
            pass
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def survey_pdf(run: Run, division: str, listed: Sequence[Listed]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = font_name()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=LIST_TITLE,
    )
    where = division_name(division)
    story: list[object] = [
        Paragraph(LIST_TITLE, title),
        Paragraph(
            f"调查区域：{where}；比对年月：{run.as_of}；比对批次：{run.pk}；"
            f"需调查登记人员：{len(listed)} 人（《全民参保登记办法》第十、十七条）",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [[Paragraph(text, cell) for text in row] for row in list_rows(listed)]
    widths = [10, 22, 40, 22, 30, 24, 22, 70, 25]
    table = Table([LIST_HEADER, *rows], colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(grid)
    story.append(table)
    story.append(PageBreak())
    story.append(Paragraph(SUMMARY_TITLE + "（附件2）", title))
    story.append(Paragraph(f"社区（村）：{where}；调查员：＿＿＿＿；填表日期：＿＿＿＿", body))
    story.append(Spacer(1, 4 * mm))
    summary = [
        [
            str(n),
            item.resident.name,
            mask(item.resident.id_number),
            _zh("employment_status", item.resident.employment_status),
            _zh("enrollment_status", item.finding.status),
            "",
            "",
            "",
            "",
        ]
        for n, item in enumerate(listed, start=1)
    ]
    table = Table(
        [SUMMARY_HEADER, *summary],
        colWidths=[w * mm for w in (10, 24, 42, 26, 30, 36, 30, 40, 25)],
        repeatRows=1,
    )
    table.setStyle(grid)
    story.append(table)
    for item in listed[:MAX_FORMS]:
        story.append(PageBreak())
        story.extend(_form(item, where, title, body, font, grid, mm))
    doc.build(story)
    return buffer.getvalue()


def _form(
    item: Listed, where: str, title: object, body: object, font: str, grid: object, mm: float
) -> list[object]:
    from reportlab.platypus import Paragraph, Spacer, Table

    r = item.resident
    box = "□"
    employment = "　".join(f"{box}{zh}" for zh, _, _ in EMPLOYMENT.values())
    insured = "　".join(f"{box}{_zh('insurance', name)}" for name in INSURANCES)
    reasons = "　".join(f"{box}{zh}" for zh, _ in REASONS.values())
    rows = [
        ["姓名", r.name, "公民身份号码", mask(r.id_number)],
        ["户口所在地", r.hukou_region, "常住所在地", r.residence_region],
        [
            "联系电话（手机）",
            mask_phone(r.phone) if r.phone else "",
            "异地参保地",
            r.elsewhere_region,
        ],
        ["就业状态", employment, "", ""],
        ["现参保情况", insured, "", ""],
        ["未参保原因", reasons, "", ""],
        [
            "比对结果",
            _zh("enrollment_status", item.finding.status),
            "未参险种",
            _missing(item.finding.missing),
        ],
        ["调查员签名", "", "调查日期", ""],
        ["被调查人签名", "", "基层平台审核", ""],
    ]
    from reportlab.lib.styles import ParagraphStyle

    cell = ParagraphStyle("fc", fontName=font, fontSize=9, leading=13)
    wrapped = [[Paragraph(str(text), cell) for text in row] for row in rows]
    table = Table(wrapped, colWidths=[35 * mm, 110 * mm, 35 * mm, 90 * mm])
    table.setStyle(grid)
    spans = [("SPAN", (1, n), (3, n)) for n in (3, 4, 5)]
    from reportlab.platypus import TableStyle

    table.setStyle(TableStyle(spans))
    return [
        Paragraph(FORM_TITLE + "（附件1）", title),
        Paragraph(f"调查区域：{where}", body),
        Spacer(1, 4 * mm),
        table,
    ]


# --- Excel ------------------------------------------------------------------------------------


def survey_xlsx(run: Run, division: str, listed: Sequence[Listed]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "调查对象名单"
    sheet.append([LIST_TITLE])
    sheet.append(
        [f"调查区域：{division_name(division)}", f"比对年月：{run.as_of}", f"批次：{run.pk}"]
    )
    sheet.append(LIST_HEADER)
    for row in list_rows(listed):
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    summary = book.create_sheet(SUMMARY_TITLE)
    summary.append([SUMMARY_TITLE])
    summary.append(SUMMARY_HEADER)
    for n, item in enumerate(listed, start=1):
        summary.append(
            [
                n,
                item.resident.name,
                mask(item.resident.id_number),
                _zh("employment_status", item.resident.employment_status),
                _zh("enrollment_status", item.finding.status),
                "",
                "",
                "",
                "",
            ]
        )
    form = book.create_sheet(FORM_TITLE)
    form.append([FORM_TITLE])
    form.append(
        [
            "姓名",
            "公民身份号码",
            "户口所在地",
            "常住所在地",
            "联系电话",
            "就业状态（代码）",
            "现参保情况",
            "未参保原因（代码）",
            "异地参保地",
            "调查员",
            "调查日期",
        ]
    )
    for item in listed:
        r = item.resident
        form.append(
            [
                r.name,
                mask(r.id_number),
                r.hukou_region,
                r.residence_region,
                mask_phone(r.phone) if r.phone else "",
                r.employment_status,
                item.finding.held,
                r.not_enrolled_reason,
                r.elsewhere_region,
                "",
                "",
            ]
        )
    codes = book.create_sheet("代码表")
    codes.append(["就业状态代码（LD/T 92-2013）", "名称", "", "未参保原因代码", "名称"])
    employment = list(EMPLOYMENT.items())
    reasons = list(REASONS.items())
    for n in range(max(len(employment), len(reasons))):
        left = [employment[n][0], employment[n][1][0]] if n < len(employment) else ["", ""]
        right = [reasons[n][0], reasons[n][1][0]] if n < len(reasons) else ["", ""]
        codes.append([*left, "", *right])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
