from __future__ import annotations

from quanyi.core.errors import Conflict, KeptFailure, NotFound


class ApplyFailed(KeptFailure):
    """The final approval could not be applied: neither the data nor the decision is kept, the
    case stays at approval, and the attempt is an audit event of its own."""

    code = "apply_failed"

    def __init__(self, case_id: int, zh: str, en: str) -> None:
        super().__init__(
            f"审批未能办结，未作任何变更：{zh}", f"approval not applied, nothing changed: {en}"
        )
        self.case_id = case_id

    def audit_entry(self) -> tuple[str, str, str, str]:
        return "case.apply_failed", "case", str(self.case_id), "failed"


def case_not_found() -> NotFound:
    return NotFound("没有该业务件", "no such case")


def wrong_state(zh: str, en: str) -> Conflict:
    return Conflict(zh, en)
