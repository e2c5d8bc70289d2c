"""Writing parameters: the seed from ``data/parameters.csv`` at ``quanyi init`` (rows not yet
present), and one row per approved ``parameter.change`` case. Never an edit."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.core import regions
from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.principal import Principal
from quanyi.rulebook import keys
from quanyi.rulebook.models import Parameter

DATA = Path(__file__).with_name("data") / "parameters.csv"
NATIONAL = "000000"


def seed_rows(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed(principal: Principal, path: Path = DATA) -> int:
    """Add the data file's rows that the table lacks, as one audited batch; returns how many."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    present = set(Parameter.objects.values_list("key", "region", "valid_from"))
    missing = []
    for row in seed_rows(path):
        valid_from = date.fromisoformat(row["valid_from"])
        if (row["key"], row["region"], valid_from) in present:
            continue
        missing.append(
            Parameter(
                key=row["key"],
                region=row["region"],
                valid_from=valid_from,
                value=keys.check(row["key"], row["value"]),
                source=row["source"],
                note=row["note"],
            )
        )
    if not missing:
        return 0
    seq = audit.reserve_seq()
    audit.stamp_rows(missing, seq)
    Parameter.objects.bulk_create(missing)
    audit.record_batch(principal, "rulebook.seed", Parameter, seq)
    return len(missing)


FIELDS = ("key", "region", "valid_from", "value", "source", "note")
# One parameter file is one case, reviewed as a whole: a region's history of every parameter
# fits many times over; a larger file is a mistake (DESIGN.md invariant 8: inputs bounded).
MAX_ROWS = 10_000
SOURCE_MAX = 200
NOTE_MAX = 300

Present = set[tuple[str, str, date]]


def _present() -> Present:
    return set(Parameter.objects.values_list("key", "region", "valid_from"))


def clean_change(data: Mapping[str, Any]) -> dict[str, Any]:
    """A ``parameter.change`` payload, every reason at once: one value (``key``, ``region``,
    ``valid_from``, ``value``, ``source``, ``note``) or ``rows`` of them (a parameter file,
    each row's reasons named ``rows[N].field``, N counted from 1)."""
    if "rows" in data:
        return {"rows": clean_rows(data)}
    errors = ErrorCollector()
    cleaned = _clean_one(errors, data, "", _present(), set())
    errors.raise_if_any()
    return cleaned


def clean_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    errors = ErrorCollector()
    for name in sorted(set(data) - {"rows"}):
        errors.add(
            name,
            "unknown_field",
            "参数文件的业务件只含 rows，不能同时填写单个取值",
            "a parameter file's case holds rows only, not a single value beside them",
        )
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        errors.add("rows", "required", "参数文件中没有数据行", "the parameter file has no rows")
        errors.raise_if_any()
        return []
    if len(rows) > MAX_ROWS:
        errors.add(
            "rows",
            "too_many",
            f"共 {len(rows):,} 行，一个参数文件最多 {MAX_ROWS:,} 行",
            f"{len(rows):,} rows; a parameter file holds at most {MAX_ROWS:,}",
        )
        errors.raise_if_any()
    present: Present = _present()
    seen: Present = set()
    cleaned = []
    for number, row in enumerate(rows, start=1):
        prefix = f"rows[{number}]."
        if not isinstance(row, Mapping):
            errors.add(f"rows[{number}]", "not_object", "须为 JSON 对象", "a JSON object")
            continue
        cleaned.append(_clean_one(errors, row, prefix, present, seen))
    errors.raise_if_any()
    return cleaned


def _clean_one(
    errors: ErrorCollector,
    data: Mapping[str, Any],
    prefix: str,
    present: Present,
    seen: Present,
) -> dict[str, Any]:
    """One value, its reasons added to ``errors`` under ``prefix``; ``seen`` holds the values
    of the same file before it (a day's value given twice is refused)."""
    for name in sorted(set(data) - set(FIELDS)):
        errors.add(prefix + name, "unknown_field", "未知字段", "unknown field")
    key = str(data.get("key", "")).strip()
    value = ""
    try:
        value = keys.check(key, str(data.get("value", "")))
    except InvalidInput as exc:
        errors.extend(exc, prefix)
    region = str(data.get("region", NATIONAL)).strip() or NATIONAL
    if region != NATIONAL:
        try:
            region = regions.validate_region(region, "region")
        except InvalidInput as exc:
            errors.extend(exc, prefix)
    valid_from: date | None = None
    try:
        valid_from = date.fromisoformat(str(data.get("valid_from", "")).strip())
    except ValueError:
        errors.add(
            prefix + "valid_from", "bad_date", "生效日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"
        )
    source = str(data.get("source", "")).strip()
    if not source:
        errors.add(prefix + "source", "required", "须写明依据文件", "name the source document")
    elif len(source) > SOURCE_MAX:
        errors.add(
            prefix + "source",
            "too_long",
            f"最多 {SOURCE_MAX} 个字符",
            f"at most {SOURCE_MAX} characters",
        )
    note = str(data.get("note", "") or "").strip()
    if len(note) > NOTE_MAX:
        errors.add(
            prefix + "note", "too_long", f"最多 {NOTE_MAX} 个字符", f"at most {NOTE_MAX} characters"
        )
    if valid_from and (key, region, valid_from) in present:
        errors.add(
            prefix + "valid_from",
            "exists",
            "该参数在此日期已有取值；参数只能新增，不得修改",
            "this parameter already has a value from that day; values are added, never edited",
        )
    elif valid_from and (key, region, valid_from) in seen:
        errors.add(
            prefix + "valid_from",
            "duplicate",
            "文件中同一参数、统筹区和生效日期重复",
            "the same parameter, region and day twice in the file",
        )
    if valid_from:
        seen.add((key, region, valid_from))
    return {
        "key": key,
        "region": region,
        "valid_from": valid_from,
        "value": value,
        "source": source,
        "note": note,
    }


def add_parameter(principal: Principal, data: Mapping[str, Any]) -> Parameter:
    """Applied by an approved ``parameter.change`` case only."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "rulebook.write")
    cleaned = clean_change(data)
    return audit.create_entry(
        principal, "parameter.add", Parameter, case_id=principal.case_id, **cleaned
    )


def add_parameters(principal: Principal, rows: Sequence[Mapping[str, Any]]) -> int:
    """Applied by an approved ``parameter.change`` case holding a parameter file: every row
    checked again against the table as it is now, then added together — one audited batch, in
    the approval's transaction, so all of them or none."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "rulebook.write")
    cleaned = clean_rows({"rows": list(rows)})
    made = [Parameter(case_id=principal.case_id, **row) for row in cleaned]
    seq = audit.reserve_seq()
    audit.stamp_rows(made, seq)
    Parameter.objects.bulk_create(made)
    audit.record_batch(principal, "parameter.add", Parameter, seq)
    return len(made)
