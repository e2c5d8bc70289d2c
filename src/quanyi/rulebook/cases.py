"""``parameter.change``: a new parameter value, through all five stages (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.core.principal import Principal
from quanyi.rulebook import services
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.stages import ALL_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    services.clean_change(payload)
    return dict(payload)


def _diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    cleaned = services.clean_change(payload)
    current = Rulebook.load().find(cleaned["key"], cleaned["region"], cleaned["valid_from"])
    label = f"parameter {cleaned['key']}@{cleaned['region']}"
    return [
        Change(label, "valid_from", None, cleaned["valid_from"].isoformat()),
        Change(label, "value", current[0] if current else None, cleaned["value"]),
    ]


def _apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    return f"parameter {services.add_parameter(principal, payload).pk}"


register(
    CaseType(
        "parameter.change",
        "政策参数调整",
        "parameter change",
        ALL_STAGES,
        _check,
        _diff,
        _apply,
        (
            FormField("key", "参数", "parameter", True),
            FormField("region", "统筹区（000000 为全国）", "region (000000: national)", True),
            FormField("valid_from", "生效日期", "valid from (YYYY-MM-DD)", True),
            FormField("value", "取值", "value", True),
            FormField("source", "依据文件", "source document", True),
            FormField("note", "备注", "note", False),
        ),
    )
)
