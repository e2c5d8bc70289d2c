"""``contribution.declare``: an employer's yearly base declaration as a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.contributions import declarations
from quanyi.core.principal import Principal
from quanyi.registry.identifiers import mask
from quanyi.workflow.stages import REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, register


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    declarations.clean(principal, payload)
    return dict(payload)


def _diff(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    """One line per declared person; clamped wages show the wage before and the base after."""
    cleaned = declarations.clean(principal, payload)
    return [
        Change(
            f"declaration {mask(row.person.id_number)}",
            f"base_fen ({row.base.clamped})" if row.base.clamped else "base_fen",
            row.wage_fen if row.base.clamped else None,
            row.base.base_fen,
        )
        for row in cleaned.rows
    ]


def _apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    return f"declarations {declarations.declare(principal, payload)}"


register(
    CaseType(
        "contribution.declare",
        "缴费基数申报",
        "contribution base declaration",
        REGISTRY_STAGES,
        _check,
        _diff,
        _apply,
    )
)
