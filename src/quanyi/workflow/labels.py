"""The workflow's code sets as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets
from quanyi.workflow.models import CaseStatus, Decision
from quanyi.workflow.stages import LABELS as STAGE_LABELS

_ENGLISH_STATUS = {
    "open": "in progress",
    "returned": "returned",
    "approved": "approved",
    "withdrawn": "withdrawn",
}
_ENGLISH_DECISION = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "returned",
    "resubmit": "resubmitted",
    "withdraw": "withdrawn",
}

LABELS: CodeSets = {
    "case_status": {
        str(code): (str(zh), _ENGLISH_STATUS[str(code)]) for code, zh in CaseStatus.choices
    },
    "decision": {
        str(code): (str(zh), _ENGLISH_DECISION[str(code)]) for code, zh in Decision.choices
    },
    "stage": {str(stage): pair for stage, pair in STAGE_LABELS.items()},
}
