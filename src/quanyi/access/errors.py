from __future__ import annotations

from quanyi.core.errors import KeptFailure, QuanyiError


class Refused(KeptFailure):
    """An authorization refusal. Surfaces record it as an audit event (result ``refused``)."""

    code = "refused"

    def __init__(self, zh: str, en: str, permission: str = "", object_ref: str = "") -> None:
        super().__init__(zh, en)
        self.permission = permission
        self.object_ref = object_ref

    def audit_entry(self) -> tuple[str, str, str, str]:
        return (
            f"refused:{self.permission or 'unknown'}",
            "authorization",
            self.object_ref,
            "refused",
        )


class AuthenticationFailed(QuanyiError):
    code = "authentication_failed"


class DutyConflict(QuanyiError):
    """A grant that would break separation of duties; the message quotes the rule."""

    code = "duty_conflict"
