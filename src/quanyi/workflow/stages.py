"""The review stages (001 art. 7; 003 §4): intake 受理, check 初审, review 审核, re-check 复核,
approval 审批 — each acted on by its own role (``case.<stage>`` in ``workflow/permissions.py``)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    INTAKE = "intake"
    CHECK = "check"
    REVIEW = "review"
    RECHECK = "recheck"
    APPROVAL = "approval"


LABELS: dict[Stage, tuple[str, str]] = {
    Stage.INTAKE: ("受理", "intake"),
    Stage.CHECK: ("初审", "check"),
    Stage.REVIEW: ("审核", "review"),
    Stage.RECHECK: ("复核", "re-check"),
    Stage.APPROVAL: ("审批", "approval"),
}

# Defaults (DESIGN.md): registry cases intake → review → approval; corrections all five.
REGISTRY_STAGES = (Stage.INTAKE, Stage.REVIEW, Stage.APPROVAL)
ALL_STAGES = tuple(Stage)
