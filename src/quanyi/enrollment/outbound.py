"""What goes up to the upper-level registry (002 art. 10, 30): the exchange file of this region's
insured periods, in the very format ``enrollment match --exchange`` reads, and the periodic
report — the summary tables of ``enrollment stats`` with the person-level detail of everyone a
run flagged "needs survey" — as CSV and Excel.

Both hold full id numbers: each file is written as the service account's alone (600), beside
its target under a temporary name, and put in place only once complete and logged
(``services.record_export``): an existing file or a non-empty folder is never overwritten, and
a refused or failed run leaves nothing behind."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanyi.access.policy import authorize
from quanyi.core import filemodes, labels
from quanyi.core.errors import Conflict, InvalidInput, QuanyiError
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.enrollment import queries, services
from quanyi.enrollment.codes import COUNT_KEYS, INSURANCES
from quanyi.enrollment.exchange import COLUMNS, file_sha256
from quanyi.enrollment.models import Run

EXCHANGE_KINDS = (".csv", ".parquet")


@dataclass(frozen=True)
class Written:
    file: str
    rows: int
    persons: int
    sha256: str


# --- writing privately, never over anything -------------------------------------------------


def _exists(path: Path) -> Conflict:
    return Conflict(f"{path} 已存在，不会覆盖", f"{path} exists: it is not overwritten")


def _no_folder(out: Path) -> InvalidInput:
    return InvalidInput.one(
        "out",
        "unwritable",
        f"无法写入 {out}：目录 {out.parent} 不存在",
        f"cannot write {out}: no folder {out.parent}",
    )


def _check_target(out: Path) -> None:
    if out.exists() or out.is_symlink():
        raise _exists(out)
    if not out.parent.is_dir():
        raise _no_folder(out)


def _private_temp(out: Path) -> Path:
    """A new file beside ``out``, readable by the service account only."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def _put_in_place(temporary: Path, out: Path) -> None:
    """``temporary`` becomes ``out`` only if nothing is there (a hard link never replaces)."""
    try:
        os.link(temporary, out)
    except FileExistsError:
        raise _exists(out) from None
    except OSError as error:
        raise filemodes.unwritable(out, error) from None


# --- the exchange file (002 art. 10) ---------------------------------------------------------


def _csv_writer(
    path: Path,
) -> tuple[Callable[[Sequence[tuple[Any, ...]]], None], Callable[[], None]]:
    handle = path.open("w", encoding="utf-8", newline="")
    out = csv.writer(handle)
    out.writerow(COLUMNS)

    def write(rows: Sequence[tuple[Any, ...]]) -> None:
        out.writerows((*row[:-1], row[-1] or "") for row in rows)

    return write, handle.close


def _parquet_writer(
    path: Path,
) -> tuple[Callable[[Sequence[tuple[Any, ...]]], None], Callable[[], None]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise QuanyiError(
            "未安装 pyarrow：Parquet 需安装 quanyi[scale]（pip install 'quanyi[scale]'），"
            "或改用 .csv",
            "pyarrow is not installed: install quanyi[scale] for Parquet, or write .csv",
            "engine_missing",
        ) from None
    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    writer = pq.ParquetWriter(path, schema)

    def write(rows: Sequence[tuple[Any, ...]]) -> None:
        columns = list(zip(*rows, strict=True))
        writer.write_table(
            pa.table({name: list(col) for name, col in zip(COLUMNS, columns, strict=True)}, schema)
        )

    return write, writer.close


def write_exchange(principal: Principal, out: Path, as_of: str) -> Written:
    """The region's insured periods begun by ``as_of`` as ``out`` (.csv or .parquet); a period
    ending after ``as_of`` is written open, as it stood then."""
    authorize(principal, "enrollment.export")
    kind = out.suffix.lower()
    if kind not in EXCHANGE_KINDS:
        raise InvalidInput.one(
            "out", "bad_kind", "交换文件须为 .csv 或 .parquet", "write .csv or .parquet"
        )
    _check_target(out)
    temporary = _private_temp(out)
    try:
        write, close = (_csv_writer if kind == ".csv" else _parquet_writer)(temporary)
        rows = 0
        try:
            for chunk in queries.exchange_rows(principal, as_of):
                batch = [
                    (number, name, insurance, region, start, end if end and end <= as_of else None)
                    for _, number, name, insurance, region, start, end in chunk
                ]
                write(batch)
                rows += len(batch)
        finally:
            close()
        if rows == 0:
            raise InvalidInput.one(
                "rows",
                "empty",
                f"截至 {as_of} 本统筹区没有参保记录，未生成交换文件",
                f"no insured period here by {as_of}: no file written",
            )
        sha = file_sha256(temporary)
        persons = queries.exchange_persons(principal, as_of)
        services.record_export(principal, "exchange", None, as_of, out.name, rows, persons, sha)
        _put_in_place(temporary, out)
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    finally:
        temporary.unlink(missing_ok=True)
    return Written(str(out), rows, persons, sha)


# --- the periodic report (002 art. 27-31) ----------------------------------------------------

DETAIL = (
    ("id_number", "公民身份号码"),
    ("name", "姓名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("hukou_region", "户口所在地"),
    ("division", "常住所在地（区划）"),
    ("employment_status", "就业状态"),
    ("situation", "应参保情形"),
    ("status", "比对结论"),
    ("missing", "未参险种"),
    ("held", "已参险种"),
    ("not_enrolled_reason", "未参保原因"),
    ("elsewhere_region", "异地参保地"),
    ("surveyed", "调查结论"),
)


@dataclass(frozen=True)
class Report:
    directory: str
    run: int
    as_of: str
    population: int
    registration_rate: float
    needs_survey: int
    files: list[str]
    sha256: str


def _ins(codes: str) -> str:
    """Insurance codes as their Chinese labels (``pension_drawn``: a pension not drawn)."""
    return "、".join(
        labels.label("insurance", c, "zh") if c in INSURANCES else "领取养老金"
        for c in codes.split(",")
        if c
    )


def detail_rows(
    principal: Principal, run: Run, masked: bool = False
) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """Each flagged person as (codes, Chinese labels) by column."""
    for item, surveyed in queries.report_persons(principal, run):
        resident, finding = item.resident, item.finding
        number = mask(resident.id_number) if masked else resident.id_number
        codes = {
            "id_number": number,
            "name": resident.name,
            "sex": resident.sex,
            "birth_date": resident.birth_date.isoformat(),
            "hukou_region": resident.hukou_region,
            "division": finding.division,
            "employment_status": resident.employment_status,
            "situation": finding.situation,
            "status": finding.status,
            "missing": finding.missing,
            "held": finding.held,
            "not_enrolled_reason": resident.not_enrolled_reason,
            "elsewhere_region": resident.elsewhere_region,
            "surveyed": surveyed,
        }

        def label(code_set: str, code: str) -> str:
            return labels.label(code_set, code, "zh") if code else ""

        shown = dict(
            codes,
            sex={"M": "男", "F": "女"}.get(resident.sex, resident.sex),
            employment_status=label("employment_status", resident.employment_status),
            situation=label("enrollment_situation", finding.situation),
            status=label("enrollment_status", finding.status),
            missing=_ins(finding.missing),
            held=_ins(finding.held),
            not_enrolled_reason=label("not_enrolled_reason", resident.not_enrolled_reason),
            surveyed=label("survey_outcome", surveyed),
        )
        yield codes, shown


def _tables(found: dict[str, Any]) -> dict[str, tuple[list[str], list[str], list[list[Any]]]]:
    """The summary tables of ``enrollment stats``: name -> (CSV header, Chinese header, rows)."""
    statuses = list(COUNT_KEYS)
    divisions = [
        [
            d["division"],
            d["population"],
            *(d["counts"][s] for s in statuses),
            d["registration_rate"],
            *(d["coverage"][i] for i in INSURANCES),
        ]
        for d in found["divisions"]
    ]
    total = [
        found["run"],
        found["as_of"],
        found["level"],
        found["population"],
        found["registration_rate"],
        *(sum(d["counts"][s] for d in found["divisions"]) for s in statuses),
    ]
    return {
        "summary": (
            ["run", "as_of", "level", "population", "registration_rate", *statuses],
            [
                "比对批次",
                "比对年月",
                "统计层级",
                "登记人数",
                "参保登记率",
                *(labels.label("enrollment_status", s, "zh") for s in statuses),
            ],
            [total],
        ),
        "divisions": (
            ["division", "population", *statuses, "registration_rate", *INSURANCES],
            [
                "区划",
                "登记人数",
                *(labels.label("enrollment_status", s, "zh") for s in statuses),
                "参保登记率",
                *(labels.label("insurance", i, "zh") for i in INSURANCES),
            ],
            divisions,
        ),
        "reasons": (
            ["not_enrolled_reason", "persons"],
            ["未参保原因", "人数"],
            [[code, n] for code, n in sorted(found["reasons"].items())],
        ),
        "months": (
            ["as_of", "run", "population", "registration_rate"],
            ["比对年月", "比对批次", "登记人数", "参保登记率"],
            [
                [m["as_of"], m["run"], m["population"], m["registration_rate"]]
                for m in found["months"]
            ],
        ),
    }


SHEETS = {
    "summary": "汇总",
    "divisions": "分区划统计",
    "reasons": "未参保原因",
    "months": "逐月登记率",
    "persons": "人员明细",
}


def report_workbook(principal: Principal, run: Run, level: str, masked: bool) -> tuple[bytes, int]:
    """The report as one Excel workbook (Chinese headers and labels), and how many persons its
    detail sheet lists."""
    from openpyxl import Workbook

    found = queries.stats(principal, run, level)
    book = Workbook(write_only=True)
    for name, (_, header, rows) in _tables(found).items():
        sheet = book.create_sheet(SHEETS[name])
        sheet.append(header)
        for row in rows:
            if name == "reasons":
                code = row[0]
                row = [
                    "未说明"
                    if code == "unknown"
                    else labels.label("not_enrolled_reason", code, "zh"),
                    row[1],
                ]
            sheet.append(row)
    sheet = book.create_sheet(SHEETS["persons"])
    sheet.append([zh for _, zh in DETAIL])
    persons = 0
    for _, shown in detail_rows(principal, run, masked):
        sheet.append([shown[key] for key, _ in DETAIL])
        persons += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), persons


def write_report(principal: Principal, run: Run, out: Path, level: str = "community") -> Report:
    """The report of ``run`` as a new folder ``out`` (or an empty one): ``summary.csv``,
    ``divisions.csv``, ``reasons.csv``, ``months.csv``, ``persons.csv`` and ``report.xlsx``."""
    authorize(principal, "enrollment.export")
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise _exists(out)
    if not out.parent.is_dir():
        raise _no_folder(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    try:
        found = queries.stats(principal, run, level)
        written: list[str] = []

        def open_private(name: str) -> io.TextIOWrapper:
            fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(name)
            return io.TextIOWrapper(os.fdopen(fd, "wb"), encoding="utf-8", newline="")

        for name, (header, _, rows) in _tables(found).items():
            with open_private(f"{name}.csv") as handle:
                table = csv.writer(handle)
                table.writerow(header)
                table.writerows(rows)
        persons = 0
        with open_private("persons.csv") as handle:
            table = csv.writer(handle)
            table.writerow([key for key, _ in DETAIL])
            for codes, _ in detail_rows(principal, run):
                table.writerow([codes[key] for key, _ in DETAIL])
                persons += 1
        content, _ = report_workbook(principal, run, level, masked=False)
        fd = os.open(staging / "report.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            raw.write(content)
        written.append("report.xlsx")
        digest = hashlib.sha256()
        for name in written:
            digest.update(f"{name} {file_sha256(staging / name)}\n".encode())
        sha = digest.hexdigest()
        services.record_export(
            principal, "report", run.pk, run.as_of, out.name, found["population"], persons, sha
        )
        try:
            os.rename(staging, out)  # onto nothing or an empty folder only
        except OSError as error:
            if out.exists():
                raise _exists(out) from None
            raise filemodes.unwritable(out, error) from None
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    out.chmod(0o700)
    return Report(
        str(out),
        run.pk,
        run.as_of,
        found["population"],
        found["registration_rate"],
        persons,
        written,
        sha,
    )
