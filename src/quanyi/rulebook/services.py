"""Writing parameters: the seed from ``data/parameters.csv`` at ``quanyi init`` (rows not yet
present), and one row per approved ``parameter.change`` case. Never an edit."""

from __future__ import annotations

import csv
from collections.abc import Mapping
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


def clean_change(data: Mapping[str, Any]) -> dict[str, Any]:
    """A ``parameter.change`` payload, every reason at once."""
    errors = ErrorCollector()
    for name in sorted(set(data) - {"key", "region", "valid_from", "value", "source", "note"}):
        errors.add(name, "unknown_field", "未知字段", "unknown field")
    key = str(data.get("key", "")).strip()
    value = ""
    try:
        value = keys.check(key, str(data.get("value", "")))
    except InvalidInput as exc:
        errors.extend(exc)
    region = str(data.get("region", NATIONAL)).strip() or NATIONAL
    if region != NATIONAL:
        try:
            region = regions.validate_region(region, "region")
        except InvalidInput as exc:
            errors.extend(exc)
    valid_from: date | None = None
    try:
        valid_from = date.fromisoformat(str(data.get("valid_from", "")))
    except ValueError:
        errors.add("valid_from", "bad_date", "生效日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD")
    source = str(data.get("source", "")).strip()
    if not source:
        errors.add("source", "required", "须写明依据文件", "name the source document")
    if valid_from and Parameter.objects.filter(key=key, region=region, valid_from=valid_from):
        errors.add(
            "valid_from",
            "exists",
            "该参数在此日期已有取值；参数只能新增，不得修改",
            "this parameter already has a value from that day; values are added, never edited",
        )
    errors.raise_if_any()
    return {
        "key": key,
        "region": region,
        "valid_from": valid_from,
        "value": value,
        "source": source[:200],
        "note": str(data.get("note", "")).strip()[:300],
    }


def add_parameter(principal: Principal, data: Mapping[str, Any]) -> Parameter:
    """Applied by an approved ``parameter.change`` case only."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "rulebook.write")
    cleaned = clean_change(data)
    return audit.create_entry(
        principal, "parameter.add", Parameter, case_id=principal.case_id, **cleaned
    )
