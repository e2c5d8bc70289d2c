"""``parameter.change``: a new parameter value, through all five stages (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.core.money import yuan_to_fen
from quanyi.core.principal import Principal
from quanyi.core.schemas import IsoDate, Payload
from quanyi.rulebook import services
from quanyi.rulebook.keys import FEN_KEYS
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.stages import ALL_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, fields, register


class ParameterValue(Payload):
    """A parameter's value from a day on, in a region (000000: national), with its source."""

    key: str
    region: str
    valid_from: IsoDate
    value: str
    source: str
    note: str = ""


@register
class ParameterChange(CaseType[ParameterValue]):
    name = "parameter.change"
    zh = "政策参数调整"
    en = "parameter change"
    stages = ALL_STAGES
    payload = ParameterValue
    fields = (
        FormField("key", "参数", "parameter", True, "choice", "parameter"),
        *fields(
            ("region", "统筹区（000000 为全国）", "region (000000: national)", True),
            ("valid_from", "生效日期", "valid from", True),
            (
                "value",
                "取值（金额填元，比例填小数如 0.16，计息方法填 national 或 monthly）",
                "value (amounts in yuan, rates as decimals such as 0.16, the interest method"
                " national or monthly)",
                True,
            ),
            ("source", "依据文件", "source document", True),
            ("note", "备注", "note", False),
        ),
    )

    def from_form(self, payload: dict[str, Any]) -> dict[str, Any]:
        """On screen an amount is typed in yuan; the parameter, like every machine contract,
        keeps fen."""
        if payload.get("key") in FEN_KEYS and payload.get("value"):
            return {**payload, "value": str(yuan_to_fen(str(payload["value"]), "value"))}
        return payload

    def check(self, principal: Principal, data: Mapping[str, Any]) -> ParameterValue:
        return self.parse(services.clean_change(data))

    def changes(self, principal: Principal, payload: ParameterValue) -> list[Change]:
        current = Rulebook.load().find(payload.key, payload.region, payload.valid_from)
        label = f"parameter {payload.key}@{payload.region}"
        return [
            Change(label, "valid_from", None, payload.valid_from.isoformat()),
            Change(label, "value", current[0] if current else None, payload.value),
        ]

    def apply(self, principal: Principal, payload: ParameterValue) -> str:
        return f"parameter {services.add_parameter(principal, self.dump(payload)).pk}"
