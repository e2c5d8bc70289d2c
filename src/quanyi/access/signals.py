"""Audit every lockout django-axes declares (the failed attempts are audited by ``attempt``)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from quanyi.access.authentication import safe_name
from quanyi.audit import services as audit
from quanyi.core.principal import Principal, Source


@receiver(user_locked_out, dispatch_uid="quanyi-audit-lockout")
def audit_lockout(sender: Any, request: Any = None, username: str | None = None, **_: Any) -> None:
    source: Source = getattr(request, "quanyi_source", "web") if request is not None else "web"
    principal = Principal(
        actor=safe_name(username or "?"),
        source=source,
        region="",
        request_id=getattr(request, "quanyi_request_id", "") or "login",
    )
    audit.record(principal, "auth.lockout", "session", "", result="locked")
