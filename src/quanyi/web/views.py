from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render

from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.audit import checkpoints
from quanyi.audit.alerts import alert_rows
from quanyi.core.errors import current_language
from quanyi.web import queries


def home(request: HttpRequest) -> HttpResponse:
    # Outside accounts have a portal of their own; the agency's counts are not theirs to see.
    kind = principal_of(request).kind if request.user.is_authenticated else ""
    if kind in PORTALS:
        return HttpResponseRedirect(PORTALS[kind])
    return render(request, "web/home.html", {"status": queries.instance_status()})


PORTALS = {"person": "/me/", "employer": "/employer/"}


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def alerts(request: HttpRequest) -> HttpResponse:
    """The auditor's alerts: refusals to sign or to write over a broken audit chain."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.get_full_path()}")
    authorize(principal_of(request), "audit.read")
    head = checkpoints.latest()
    return render(
        request,
        "web/alerts.html",
        {"rows": alert_rows(), "head": head, "zh": current_language() == "zh"},
    )
