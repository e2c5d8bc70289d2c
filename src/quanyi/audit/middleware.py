"""Fail closed on the web: a request that would write (any unsafe method) is refused while the
audit chain no longer passes through its last signed head, and the refusal becomes an alert.
Logging in stays open so the auditor can reach the alerts and verify."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.http import HttpRequest, HttpResponse, JsonResponse

from quanyi.audit import checkpoints
from quanyi.core.errors import current_language

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
OPEN_PATHS = ("/login", "/logout", "/i18n/")


class ChainGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS or request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        refusal = checkpoints.guard()
        if refusal is None:
            return self.get_response(request)
        user = getattr(request, "user", None)
        actor = user.get_username() if user is not None and user.is_authenticated else ""
        # Anyone can send requests: one alert per reason, not one per request.
        checkpoints.alert(
            refusal, source=f"web {request.method} {request.path}"[:200], actor=actor, dedupe=True
        )
        lang = current_language()
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": refusal.message(lang), "code": "audit_chain_broken"}, status=503
            )
        title = "Writing is suspended" if lang == "en" else "暂停写入"
        body = (
            "The audit chain no longer passes through its last signed head; nothing was"
            " written. The security auditor has been alerted."
            if lang == "en"
            else "审计链已不经过最后一个已签名链头，本次操作未写入任何数据，已告警安全审计员。"
        )
        return HttpResponse(
            f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1>"
            f"<p>{body}</p><p>{escape(refusal.message(lang))}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
