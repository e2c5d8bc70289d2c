"""A case's diff kept with it (``CaseDiff``): as intake saw it, each round, and as the approval
applied it; and the sentence that says in words what the case did ("王平 的联系电话已变更")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from quanyi.audit import services as audit
from quanyi.core import labels
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.workflow import types
from quanyi.workflow.models import Case, CaseDiff, DiffKind

# Past this many objects a sentence counts them instead of naming each.
NAMED_OBJECTS = 3


def nothing_to_change() -> InvalidInput:
    return InvalidInput.one(
        "data",
        "no_change",
        "填写的内容与现有记录相同，没有需要变更的内容",
        "nothing would change: what was filled in is what the record already holds",
    )


def at_intake(
    principal: Principal, case: Case, case_type: types.CaseType[Any], payload: dict[str, Any]
) -> None:
    """Intake's diff, kept for the round; an empty one is refused (a change that changes
    nothing is no case)."""
    if not case_type.diff_at_intake:
        return
    changes = case_type.changes(principal, case_type.load(payload))
    if not changes:
        raise nothing_to_change()
    keep(principal, case, case_type, DiffKind.INTAKE, changes)


def keep(
    principal: Principal,
    case: Case,
    case_type: types.CaseType[Any],
    kind: DiffKind,
    changes: Sequence[types.Change],
) -> CaseDiff:
    return audit.create_entry(
        principal,
        "case.diff",
        CaseDiff,
        case=case,
        round=case.round,
        kind=kind,
        changes=[change.stored() for change in changes],
        summary=summary(case_type, changes),
        taken_at=datetime.now(UTC),
    )


def _object_name(change: types.Change, lang: str) -> str:
    return change.name or labels.object_name(change.object, lang)


def summary(case_type: types.CaseType[Any], changes: Sequence[types.Change]) -> dict[str, str]:
    """What the case does, in both languages: each object by its name with the fields it
    changes by their labels; a new object is registered; many objects are counted."""
    by_object: dict[str, list[types.Change]] = {}
    for change in changes:
        by_object.setdefault(change.object, []).append(change)
    if not by_object or len(by_object) > NAMED_OBJECTS:
        return {
            "zh": f"{case_type.zh}：共 {len(by_object)} 项",
            "en": f"{case_type.en}: {len(by_object)} items",
        }
    zh_parts, en_parts = [], []
    for group in by_object.values():
        zh_name, en_name = _object_name(group[0], "zh"), _object_name(group[0], "en")
        if all(change.before is None for change in group):
            zh_parts.append(f"{zh_name} 已登记")
            en_parts.append(f"{en_name} registered")
            continue
        zh_fields = "、".join(labels.field_name(c.field.split(" ")[0], "zh") for c in group)
        en_fields = ", ".join(labels.field_name(c.field.split(" ")[0], "en") for c in group)
        zh_parts.append(f"{zh_name} 的{zh_fields}已变更")
        en_parts.append(f"{en_fields} of {en_name} changed")
    return {"zh": "；".join(zh_parts), "en": "; ".join(en_parts)}
