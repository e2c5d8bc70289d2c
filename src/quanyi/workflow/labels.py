"""The workflow's code sets as users read them (core.labels)."""

from __future__ import annotations

from quanyi.core.labels import CodeSets
from quanyi.workflow.stages import LABELS as STAGE_LABELS

LABELS: CodeSets = {
    "case_status": {
        "open": ("办理中", "open"),
        "returned": ("已退回", "returned"),
        "approved": ("已办结", "approved"),
        "withdrawn": ("已撤回", "withdrawn"),
    },
    "decision": {
        "submit": ("受理提交", "submitted"),
        "approve": ("通过", "approved"),
        "reject": ("退回", "rejected"),
        "resubmit": ("重新提交", "resubmitted"),
        "withdraw": ("撤回", "withdrawn"),
    },
    "stage": {str(stage): pair for stage, pair in STAGE_LABELS.items()},
    "object": {"maintenance": ("维护日志条目", "maintenance entry")},
    "field": {
        "values": ("内容", "values"),
        "number": ("业务件编号", "case number"),
        "subject": ("公民身份号码或统一社会信用代码", "id number or credit code"),
        "submitted_from": ("受理日期自", "submitted from"),
        "submitted_to": ("受理日期至", "submitted to"),
        "decision": ("处理结果", "decision"),
        "data": ("业务数据", "data"),
        "intake_key": ("表单", "form"),
    },
}
