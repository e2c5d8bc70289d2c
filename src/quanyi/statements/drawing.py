"""Statements and certificates drawn on a ReportLab canvas: the form of each kind (title,
borders, labels, legend, seal area) is drawn once per file as a reusable form object and each
page only adds its values, so a batch of thousands costs little more than its text.

Every string drawn above the footer is remembered in drawing order: the digest of their
characters (whitespace removed) is the "printed" digest the signed code carries, and
``verification`` recomputes it from the PDF's text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, BinaryIO, cast

import zxingcpp
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from quanyi.core.labels import label
from quanyi.statements import fonts, tokens
from quanyi.statements.content import LEGEND, Sheet, insurance_name, yuan

WIDTH, HEIGHT = A4
LEFT, RIGHT = 36.0, WIDTH - 36.0
FOOTER_TOP = 104.0  # the footer: the codes, the date of issue, the page number
TITLES = {
    "employee": ("社会保险个人权益记录单", "（城镇职工）"),
    "resident": ("社会保险个人权益记录单", "（城乡居民）"),
    "certificate": ("社会保险参保证明", ""),
}
NOTE = "如对本单所列信息有异议，请自本单日期起三个月内持本人有效身份证件向社会保险经办机构提出。"
ROW = 15.0


# One string as printed: where (its origin, in hundredths of a point), how large (hundredths
# of a point) and what (whitespace removed, as text extraction may split or join spaces).
Printed = tuple[int, int, int, str]


def printed_item(x: float, y: float, size: float, value: str) -> Printed:
    return (round(x * 100), round(y * 100), round(size * 100), "".join(value.split()))


def printed_digest(items: Iterable[Printed]) -> str:
    lines = "\n".join(f"{x} {y} {size} {text}" for x, y, size, text in items)
    return hashlib.sha256(lines.encode()).hexdigest()


class Glyphs:
    """Each string set once per file: ReportLab's text object for it at the origin (its font
    subsets chosen once per file, so the same bytes serve every later page) and its width.
    A page then places it with a translation, which costs a string format, not a text object
    (ReportLab's own drawString was two thirds of a page's drawing)."""

    def __init__(self, canvas: Canvas, font: str) -> None:
        self.canvas = canvas
        self.font = font
        self.set: dict[tuple[str, float], tuple[str, float]] = {}

    def __call__(self, value: str, size: float) -> tuple[str, float]:
        found = self.set.get((value, size))
        if found is None:
            text = self.canvas.beginText(0, 0)
            text.setFont(self.font, size)
            text.textOut(value)
            found = (text.getCode(), pdfmetrics.stringWidth(value, self.font, size))
            self.set[(value, size)] = found
        return found


class Pen:
    """Draws text and remembers it, in order."""

    def __init__(self, canvas: Canvas, glyphs: Glyphs) -> None:
        self.canvas = canvas
        self.glyphs = glyphs
        self.printed: list[Printed] = []

    def text(
        self,
        x: float,
        y: float,
        value: str,
        size: float = 8.0,
        align: str = "l",
        signed: bool = True,
    ) -> None:
        """Draw ``value``; ``signed``: part of the printed digest (all but the code lines)."""
        if not value:
            return
        code, width = self.glyphs(value, size)
        if align == "c":
            x -= width / 2
        elif align == "r":
            x -= width
        x, y = round(x, 2), round(y, 2)
        self.canvas._code.append(f"q 1 0 0 1 {x:.2f} {y:.2f} cm {code} Q")
        if signed:
            self.printed.append(printed_item(x, y, size, value))

    def cells(self, top: float, rows: int, edges: list[float]) -> None:
        """A bordered table: ``rows`` rows of ``ROW`` points from ``top``, columns at
        ``edges``."""
        c = self.canvas
        bottom = top - rows * ROW
        for row in range(rows + 1):
            c.line(edges[0], top - row * ROW, edges[-1], top - row * ROW)
        for x in edges:
            c.line(x, top, x, bottom)


# --- the forms -------------------------------------------------------------------------------

IDENTITY_EDGES = [LEFT, 100.0, 230.0, 300.0, 420.0, 480.0, RIGHT]
ACCOUNT_EDGES = [LEFT + i * (RIGHT - LEFT) / 6 for i in range(7)]
GRID_TOP = 636.0
MONTH_WIDTH = 56.0
GRID_ROWS = 17  # header, 12 months, enrolled since, status, months, years
ACCOUNT_LABELS = (
    "上年末累计储存额",
    "本年记账额",
    "本年利息",
    "本年支取",
    "本年末累计储存额",
    "累计记账月数",
)
GRID_LABELS = (
    "月份",
    *(f"{m}月" for m in range(1, 13)),
    "参保时间",
    "参保状态",
    "累计缴费月数",
    "缴费年限",
)


def _title(pen: Pen, kind: str) -> None:
    title, sub = TITLES[kind]
    pen.text(WIDTH / 2, HEIGHT - 44, title, 16, "c")
    pen.text(WIDTH / 2, HEIGHT - 62, sub, 10, "c")


def _identity_labels(pen: Pen, top: float, kind: str) -> None:
    pen.cells(top, 4, IDENTITY_EDGES)
    names = [
        ("姓名", "性别", "记录期间" if kind != "certificate" else "证明期间"),
        ("公民身份号码", "社会保障号码", "首次参保"),
        ("单位名称", "", ""),
        ("通讯地址", "", "邮政编码"),
    ]
    for row, triple in enumerate(names):
        y = top - (row + 1) * ROW + 4
        for col, name in enumerate(triple):
            pen.text(IDENTITY_EDGES[col * 2] + 3, y, name)


def _seal_and_legend(pen: Pen, kind: str) -> None:
    c = pen.canvas
    c.saveState()
    c.setDash(2, 2)
    c.circle(RIGHT - 60, FOOTER_TOP + 52, 42)
    c.restoreState()
    pen.text(RIGHT - 60, FOOTER_TOP + 56, "社会保险经办机构", 7, "c")
    pen.text(RIGHT - 60, FOOTER_TOP + 44, "（业务专用章）", 7, "c")
    if kind != "certificate":
        pen.text(LEFT, FOOTER_TOP + 60, "标记：" + LEGEND, 7.5)
        pen.text(LEFT, FOOTER_TOP + 46, NOTE, 7)
    c.line(LEFT, FOOTER_TOP, RIGHT, FOOTER_TOP)


def statement_form(pen: Pen, kind: str) -> None:
    _title(pen, kind)
    _identity_labels(pen, HEIGHT - 74, kind)
    top = HEIGHT - 74 - 4 * ROW - 8
    pen.text(LEFT, top - 10, "个人账户（元）", 9)
    pen.cells(top - 14, 2, ACCOUNT_EDGES)
    for col, name in enumerate(ACCOUNT_LABELS):
        pen.text(
            (ACCOUNT_EDGES[col] + ACCOUNT_EDGES[col + 1]) / 2, top - 14 - ROW + 4, name, 7.5, "c"
        )
    pen.text(LEFT, GRID_TOP + 6, "各险种缴费情况（标记  缴费基数，元）", 9)
    for row, name in enumerate(GRID_LABELS):
        pen.text(LEFT + 3, GRID_TOP - (row + 1) * ROW + 4, name, 7.5)
    pen.text(LEFT, GRID_TOP - GRID_ROWS * ROW - 14, "待遇享受情况", 9)
    _seal_and_legend(pen, kind)


CERT_ENROL_TOP = HEIGHT - 74 - 4 * ROW - 22
CERT_ENROL_EDGES = [LEFT, 150.0, 250.0, 350.0, 450.0, RIGHT]
CERT_ENROL_LABELS = ("险种", "参保时间", "参保状态", "期间缴费月数", "期间缴费年限")


def certificate_form(pen: Pen, kind: str) -> None:
    _title(pen, kind)
    _identity_labels(pen, HEIGHT - 74, kind)
    pen.text(LEFT, CERT_ENROL_TOP + 4, "参保情况", 9)
    for col, name in enumerate(CERT_ENROL_LABELS):
        pen.text(CERT_ENROL_EDGES[col] + 3, CERT_ENROL_TOP - ROW + 4, name, 7.5)
    _seal_and_legend(pen, kind)


FORMS = {"employee": statement_form, "resident": statement_form, "certificate": certificate_form}


# --- the values ------------------------------------------------------------------------------


def _identity_values(pen: Pen, sheet: Sheet) -> None:
    top = HEIGHT - 74
    period = (
        sheet.period_from[:4] + "年度"
        if sheet.kind != "certificate"
        else f"{sheet.period_from} 至 {sheet.period_to}"
    )
    values = [
        (sheet.name, sheet.sex, period),
        (sheet.masked_id, sheet.masked_id, sheet.first_month or "—"),
        (sheet.employer or "—", "", ""),
        (sheet.address or "—", "", sheet.postcode or "—"),
    ]
    for row, triple in enumerate(values):
        y = top - (row + 1) * ROW + 4
        for col, value in enumerate(triple):
            pen.text(IDENTITY_EDGES[col * 2 + 1] + 3, y, value, 8)


def _statement_values(pen: Pen, sheet: Sheet) -> None:
    _identity_values(pen, sheet)
    top = HEIGHT - 74 - 4 * ROW - 8 - 14 - ROW
    account = sheet.account
    values = (
        [
            yuan(account["opening_fen"]),
            yuan(account["credited_fen"]),
            yuan(account["interest_fen"]),
            yuan(account.get("withdrawn_fen", 0)),
            yuan(account["closing_fen"]),
            str(sheet.account_months),
        ]
        if account
        else ["—"] * 5 + [str(sheet.account_months)]
    )
    for col, value in enumerate(values):
        pen.text((ACCOUNT_EDGES[col] + ACCOUNT_EDGES[col + 1]) / 2, top - ROW + 4, value, 8, "c")
    columns = sheet.columns
    count = max(len(columns), 1)
    width = (RIGHT - LEFT - MONTH_WIDTH) / count
    edges = [
        LEFT,
        LEFT + MONTH_WIDTH,
        *(LEFT + MONTH_WIDTH + width * (i + 1) for i in range(count)),
    ]
    pen.cells(GRID_TOP, GRID_ROWS, edges)
    for index, column in enumerate(columns):
        x = edges[index + 1] + 3
        pen.text(x, GRID_TOP - ROW + 4, insurance_name(column.insurance), 7.5)
        for month, cell in enumerate(column.months):
            y = GRID_TOP - (month + 2) * ROW + 4
            pen.text(x, y - 1, cell.mark, 11)
            pen.text(edges[index + 2] - 3, y, yuan(cell.base_fen), 7.5, "r")
        tail = [
            column.enrolled or "—",
            column.status,
            str(sheet.months.get(column.insurance, 0)),
            sheet.years.get(column.insurance, "0.00"),
        ]
        for offset, value in enumerate(tail):
            pen.text(x, GRID_TOP - (14 + offset) * ROW + 4, value, 7.5)
    _benefit_rows(pen, sheet, GRID_TOP - GRID_ROWS * ROW - 18)


def _benefit_rows(pen: Pen, sheet: Sheet, top: float) -> None:
    edges = [LEFT, 150.0, 250.0, 340.0, 420.0, 490.0, RIGHT]
    heads = ("待遇项目", "险种", "月标准（元）", "起始年月", "终止年月", "状态")
    rows = sheet.benefits[:4]
    pen.cells(top, len(rows) + 1, edges)
    for col, head in enumerate(heads):
        pen.text(edges[col] + 3, top - ROW + 4, head, 7.5)
    if not rows:
        pen.cells(top - ROW, 1, [LEFT, RIGHT])
        pen.text(LEFT + 3, top - 2 * ROW + 4, "无", 7.5)
        return
    for index, row in enumerate(rows):
        y = top - (index + 2) * ROW + 4
        values = (
            label("benefit_kind", row.get("kind"), "zh"),
            insurance_name(row.get("insurance", "")),
            yuan(row.get("monthly_fen")),
            row.get("start_month") or "—",
            row.get("end_month") or "—",
            label("benefit_status", row.get("status"), "zh"),
        )
        for col, value in enumerate(values):
            pen.text(edges[col] + 3, y, value, 7.5)


def _certificate_values(pen: Pen, sheet: Sheet) -> None:
    _identity_values(pen, sheet)
    columns = sheet.columns
    pen.cells(CERT_ENROL_TOP, len(columns) + 1, CERT_ENROL_EDGES)
    for index, column in enumerate(columns):
        y = CERT_ENROL_TOP - (index + 2) * ROW + 4
        months = sheet.months.get(column.insurance, 0)
        values = (
            insurance_name(column.insurance),
            column.enrolled,
            column.status,
            str(months),
            sheet.years.get(column.insurance, "0.00"),
        )
        for col, value in enumerate(values):
            pen.text(CERT_ENROL_EDGES[col] + 3, y, value, 7.5)
    top = CERT_ENROL_TOP - (len(columns) + 1) * ROW - 22
    insurances = [c.insurance for c in columns] or ["pension"]
    pen.text(LEFT, top + 4, "各年度缴费月数", 9)
    width = (RIGHT - LEFT - MONTH_WIDTH) / len(insurances)
    edges = [
        LEFT,
        LEFT + MONTH_WIDTH,
        *(LEFT + MONTH_WIDTH + width * (i + 1) for i in range(len(insurances))),
    ]
    yearly = sheet.yearly[-24:]
    pen.cells(top, len(yearly) + 1, edges)
    pen.text(LEFT + 3, top - ROW + 4, "年度", 7.5)
    for col, insurance in enumerate(insurances):
        pen.text(edges[col + 1] + 3, top - ROW + 4, insurance_name(insurance), 7.5)
    for index, (year, counts) in enumerate(yearly):
        y = top - (index + 2) * ROW + 4
        pen.text(LEFT + 3, y, str(year), 7.5)
        for col, insurance in enumerate(insurances):
            pen.text(edges[col + 1] + 3, y, str(counts.get(insurance, 0)), 7.5)
    bottom = top - (len(yearly) + 1) * ROW - 18
    _benefit_rows(pen, sheet, bottom)
    pen.text(
        LEFT,
        FOOTER_TOP + 70,
        f"兹证明上述人员在本经办机构参加社会保险情况如上。出具日期：{sheet.issued_on.isoformat()}",
        8,
    )


VALUES = {
    "employee": _statement_values,
    "resident": _statement_values,
    "certificate": _certificate_values,
}


# --- the footer ------------------------------------------------------------------------------


def _qr(canvas: Canvas, token: str, x: float, y: float, size: float) -> None:
    """The code as a one-bit inline image, one pixel a module (zxing-cpp encodes in C++:
    0.7 ms, where segno's pure Python took 14 ms a page; decision 0021)."""
    width, height, bits = qr_bits(token)
    canvas._code.append(
        f"q {size:.2f} 0 0 {size:.2f} {x:.2f} {y:.2f} cm"
        f" BI /W {width} /H {height} /BPC 1 /CS /G /F /AHx ID {bits}> EI Q"
    )


URL_LINE = "真伪查验：登录社会保险经办机构网站“/verify”页面，上传本文件或输入验证码。"
CODE_PREFIX = "验证码："
QR_PLACE = (RIGHT - 84, 18.0, 84.0)  # x, y, size


def _footer(pen: Pen, issued: str, page: str) -> None:
    """The footer's signed lines: the date of issue (the objection window runs from it) and
    the page, and where to verify."""
    pen.text(LEFT, FOOTER_TOP - 28, f"出具日期：{issued}", 8)
    pen.text(LEFT, FOOTER_TOP - 42, URL_LINE, 8)
    if page:
        pen.text(WIDTH / 2, 24, page, 8, "c")


def _codes(pen: Pen, token: str) -> None:
    """The two lines the signature itself vouches for: the short code and the signed code."""
    pen.text(LEFT, FOOTER_TOP - 14, CODE_PREFIX + tokens.short_code(token), 8, signed=False)
    _qr(pen.canvas, token, *QR_PLACE)
    pen.text(LEFT, 12, token, 3, signed=False)


def qr_bits(token: str) -> tuple[int, int, str]:
    """(width, height, hex of the one-bit rows) of the QR code of ``token``."""
    symbol = zxingcpp.create_barcode(token, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = symbol.to_image(scale=1, add_quiet_zones=True)
    height, width = image.shape[0], image.shape[1]
    pixels = bytes(memoryview(cast(Any, image)))
    gray = Image.frombuffer("L", (width, height), pixels, "raw", "L", 0, 1)
    return width, height, gray.convert("1").tobytes().hex()


class Book:
    """One PDF of many pages; each page one statement or certificate."""

    def __init__(self, out: BinaryIO, title: str) -> None:
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("quanyi")
        self.canvas.setCreator("quanyi")
        self.font = fonts.cjk()
        self.glyphs = Glyphs(self.canvas, self.font)
        self._forms: dict[str, list[Printed]] = {}
        self.pages = 0

    def _form(self, kind: str) -> list[Printed]:
        if kind not in self._forms:
            pen = Pen(self.canvas, self.glyphs)
            self.canvas.beginForm(f"form-{kind}")
            FORMS[kind](pen, kind)
            self.canvas.endForm()
            self._forms[kind] = pen.printed
        return self._forms[kind]

    def draw(self, sheet: Sheet, sign: Any, page_label: str = "") -> tuple[str, str]:
        """Draw one page; ``sign(printed_sha256) -> token``. Returns (printed digest, token)."""
        printed = list(self._form(sheet.kind))
        self.canvas.doForm(f"form-{sheet.kind}")
        pen = Pen(self.canvas, self.glyphs)
        VALUES[sheet.kind](pen, sheet)
        _footer(pen, sheet.issued_on.isoformat(), page_label)
        digest = printed_digest(printed + pen.printed)
        token = sign(digest)
        _codes(pen, token)
        self.canvas.showPage()
        self.pages += 1
        return digest, token

    def close(self) -> None:
        self.canvas.save()
