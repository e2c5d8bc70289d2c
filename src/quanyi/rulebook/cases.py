"""``parameter.change``: a new parameter value — or a parameter file's rows, all added
together — through all five stages (DESIGN.md; 001 art. 6 ¶4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

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


class ParameterChangeData(Payload):
    """One value (the fields of ``ParameterValue``), or ``rows`` of them from a parameter file
    (``quanyi rulebook import``); intake refuses a payload that mixes the two."""

    key: str = ""
    region: str = ""
    valid_from: IsoDate | None = None
    value: str = ""
    source: str = ""
    note: str = ""
    rows: list[ParameterValue] | None = Field(default=None, max_length=services.MAX_ROWS)

    def values(self) -> list[ParameterValue]:
        if self.rows is not None:
            return self.rows
        assert self.valid_from is not None, "intake requires the day a single value starts"
        return [
            ParameterValue(
                key=self.key,
                region=self.region,
                valid_from=self.valid_from,
                value=self.value,
                source=self.source,
                note=self.note,
            )
        ]


@register
class ParameterChange(CaseType[ParameterChangeData]):
    name = "parameter.change"
    zh = "政策参数调整"
    en = "parameter change"
    stages = ALL_STAGES
    payload = ParameterChangeData
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

    def check(self, principal: Principal, data: Mapping[str, Any]) -> ParameterChangeData:
        return self.parse(services.clean_change(data))

    def changes(self, principal: Principal, payload: ParameterChangeData) -> list[Change]:
        book = Rulebook.load()
        found = []
        for row in payload.values():
            current = book.find(row.key, row.region, row.valid_from)
            label = f"parameter {row.key}@{row.region}"
            found += [
                Change(label, "valid_from", None, row.valid_from.isoformat()),
                Change(label, "value", current[0] if current else None, row.value),
            ]
        return found

    def apply(self, principal: Principal, payload: ParameterChangeData) -> str:
        if payload.rows is not None:
            rows = [self.dump(row) for row in payload.rows]
            return f"parameters {services.add_parameters(principal, rows)}"
        return f"parameter {services.add_parameter(principal, self.dump(payload)).pk}"
