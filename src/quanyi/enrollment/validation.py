"""Population files (002 art. 7, 9): every row checked, every bad one reported at once, nothing
written. A file is UTF-8 CSV with a header (or Excel, its first sheet); columns ``id_number,
name, hukou_region, residence_region, employment_status, phone`` in any order, more allowed,
cells empty but for id number and name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from quanyi.core import regions
from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.identifiers import parse_id_number
from quanyi.core.tables import stream
from quanyi.enrollment.codes import REASONS, employment_code

REQUIRED_COLUMNS = (
    "id_number",
    "name",
    "hukou_region",
    "residence_region",
    "employment_status",
    "phone",
)
MAX_ROWS = 2_000_000
MAX_ERRORS_SHOWN = 1000
EXITS = ("deceased", "emigrated")
SOURCE = re.compile(r"^[\w\-\.\u4e00-\u9fff]{1,60}$")


@dataclass(frozen=True)
class Row:
    line: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    hukou_region: str
    residence_region: str
    employment_status: str
    phone: str
    not_enrolled_reason: str
    elsewhere_region: str
    exit_reason: str


def division_ok(code: str) -> bool:
    """A county code (6 digits), or a street (9) or community (12) code within a known one."""
    return bool(re.fullmatch(r"\d{6}(\d{3}){0,2}", code)) and regions.is_known(code[:6])


def check_source(source: str) -> str:
    cleaned = source.strip()
    if not SOURCE.fullmatch(cleaned):
        raise InvalidInput.one(
            "source",
            "bad_source",
            "数据来源须为 1 至 60 个字母、数字或汉字（如 公安户籍）",
            "the source is 1 to 60 letters, digits or Chinese characters (e.g. police)",
        )
    return cleaned


def read(path: Path) -> list[Row]:
    """Every row of the file, or ``InvalidInput`` naming each bad row (line, column, reason)."""
    errors = ErrorCollector(limit=MAX_ERRORS_SHOWN)
    rows: list[Row] = []
    seen: dict[str, int] = {}
    if not path.is_file() or path.stat().st_size == 0:
        raise InvalidInput.one(
            "file", "empty", f"文件 {path.name} 不存在或为空", f"{path.name} is missing or empty"
        )
    with stream(path) as (header, lines):
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InvalidInput.one(
                "file",
                "missing_columns",
                f"{path.name} 缺少列：{', '.join(missing)}",
                f"{path.name} lacks the columns {', '.join(missing)}",
            )
        for line, cells in lines:
            if len(rows) >= MAX_ROWS:
                raise InvalidInput.one(
                    "file",
                    "too_many_rows",
                    f"一个文件至多 {MAX_ROWS} 行，请分批导入",
                    f"at most {MAX_ROWS} rows a file: split it",
                )
            row = _row(line, cells, errors)
            if row is None:
                continue
            if row.id_number in seen:
                errors.add(
                    f"{path.name}:{line} id_number",
                    "repeated",
                    f"与第 {seen[row.id_number]} 行重复",
                    f"repeats line {seen[row.id_number]}",
                )
                continue
            seen[row.id_number] = line
            rows.append(row)
    errors.raise_if_any()
    if not rows:
        raise InvalidInput.one(
            "file", "empty", f"{path.name} 中没有数据行", f"{path.name} holds no rows"
        )
    return rows


def _row(line: int, cells: dict[str, str], errors: ErrorCollector) -> Row | None:
    where = f"第 {line} 行 "
    bad = len(errors.errors) + errors.more

    def add(field: str, code: str, zh: str, en: str) -> None:
        errors.add(f"{where}{field}", code, zh, en)

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    number = None
    try:
        number = parse_id_number(cell("id_number"))
    except InvalidInput as refused:
        for e in refused.errors:
            add("id_number", e.code, e.zh, e.en)
    name = cell("name")
    if not name:
        add("name", "required", "姓名不能为空", "the name is required")
    elif len(name) > 100:
        add("name", "too_long", "姓名至多 100 个字", "a name has at most 100 characters")
    for column in ("hukou_region", "residence_region"):
        if cell(column) and not division_ok(cell(column)):
            add(
                column,
                "bad_region",
                "行政区划代码应为已知的 6 位县级代码，或其下 9 位街道、12 位社区代码",
                "a known 6-digit county code, or a 9-digit street or 12-digit community code",
            )
    employment = employment_code(cell("employment_status"))
    if employment is None:
        add(
            "employment_status",
            "bad_code",
            f"未知的就业状态代码 {cell('employment_status')!r}（LD/T 92-2013）",
            f"unknown employment status code {cell('employment_status')!r} (LD/T 92-2013)",
        )
    phone = cell("phone")
    if phone and not re.fullmatch(r"1\d{10}", phone):
        add(
            "phone",
            "bad_phone",
            "手机号码应为以 1 开头的 11 位数字",
            "a mobile number is 11 digits",
        )
    reason = cell("not_enrolled_reason")
    if reason and reason not in REASONS:
        add(
            "not_enrolled_reason",
            "bad_code",
            f"未知的未参保原因 {reason!r}",
            f"unknown reason {reason!r}",
        )
    elsewhere = cell("elsewhere_region")
    if elsewhere and not division_ok(elsewhere):
        add(
            "elsewhere_region",
            "bad_region",
            "异地参保地应为 6 位行政区划代码",
            "a 6-digit region code",
        )
    exit_reason = cell("exit_reason")
    if exit_reason and exit_reason not in EXITS:
        add(
            "exit_reason", "bad_code", "减少原因须为 deceased 或 emigrated", "deceased or emigrated"
        )
    birth = number.birth_date if number else None
    given = cell("birth_date")
    if given:
        try:
            birth = date.fromisoformat(given)
        except ValueError:
            add("birth_date", "bad_date", "出生日期应为 YYYY-MM-DD", "a birth date is YYYY-MM-DD")
    if len(errors.errors) + errors.more > bad or number is None or birth is None:
        return None
    return Row(
        line=line,
        id_number=number.number,
        name=name,
        sex=number.sex,
        birth_date=birth,
        hukou_region=cell("hukou_region"),
        residence_region=cell("residence_region") or cell("hukou_region") or number.region,
        employment_status=employment or "",
        phone=phone,
        not_enrolled_reason=reason,
        elsewhere_region=elsewhere[:6],
        exit_reason=exit_reason,
    )
