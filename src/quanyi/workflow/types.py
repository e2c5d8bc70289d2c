"""Case types (业务类型) declare their stages as data, how to validate a payload at intake, what
it will change (the reviewers' diff), and how to apply it at the final approval.

Apps register their types at start-up (``registry/cases.py``); the workflow knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.workflow.permissions import CasePermission
from quanyi.workflow.stages import Stage


@dataclass(frozen=True)
class Change:
    """One line of a case's diff: what a field holds now and what it will hold."""

    object: str  # e.g. "person 110105********002X"
    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class FormField:
    """A payload field as the intake screen asks for it."""

    name: str
    zh: str
    en: str
    required: bool = False


@dataclass(frozen=True)
class CaseType:
    name: str
    zh: str
    en: str
    stages: tuple[Stage, ...]
    # Check the payload as the acting principal sees the data now: raise InvalidInput with every
    # reason, or return the payload to keep (normalised). Writes nothing.
    validate: Callable[[Principal, Mapping[str, Any]], dict[str, Any]]
    # The diff the reviewers see.
    changes: Callable[[Principal, Mapping[str, Any]], list[Change]]
    # Write the change (inside the approval's transaction); returns what was written.
    apply: Callable[[Principal, Mapping[str, Any]], str]
    fields: tuple[FormField, ...] = field(default_factory=tuple)
    # Writes a maintenance-log entry for each change (corrections of sealed data).
    maintenance: bool = False
    # Permissions in place of the workflow's defaults, by stage ("intake": submitting,
    # resubmitting and withdrawing) or "read" — for cases that are not business cases, such as
    # account grants (sysadmin proposes, security administrator approves).
    permissions: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def permission(self, step: str) -> str:
        """The permission acting at ``step`` (a stage, or "read") needs."""
        return self.permissions.get(step) or _DEFAULT_PERMISSIONS.get(step, f"case.{step}")


_DEFAULT_PERMISSIONS: dict[str, str] = {
    Stage.INTAKE: CasePermission.SUBMIT,
    "read": CasePermission.READ,
}


_TYPES: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    if case_type.stages[0] is not Stage.INTAKE or case_type.stages[-1] is not Stage.APPROVAL:
        raise ValueError(f"{case_type.name}: stages run from intake to approval")
    _TYPES[case_type.name] = case_type
    return case_type


def get(name: str) -> CaseType:
    found = _TYPES.get(name)
    if found is None:
        known = ", ".join(sorted(_TYPES))
        raise InvalidInput.one(
            "type",
            "unknown_type",
            f"未知的业务类型（可选：{known}）",
            f"unknown case type ({known})",
        )
    return found


def all_types() -> list[CaseType]:
    return [_TYPES[name] for name in sorted(_TYPES)]
