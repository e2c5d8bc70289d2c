"""The review screens: the queue per stage, intake forms, a case with its history and diff,
and the auditor's modification log. Thin: services decide, queries read."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from quanyi.access.middleware import record_refusal
from quanyi.access.policy import allowed, authorize
from quanyi.access.requests import principal_of
from quanyi.core import labels, regions, uploads
from quanyi.core.attempt import attempt, attempt_form
from quanyi.core.errors import InvalidInput, current_language
from quanyi.core.principal import Principal
from quanyi.core.schemas import parse
from quanyi.core.uploads import Upload
from quanyi.workflow import queries, schemas, services, types
from quanyi.workflow.errors import ApplyFailed
from quanyi.workflow.forms import payload_from_form
from quanyi.workflow.models import CaseStatus
from quanyi.workflow.stages import Stage

STAGE_NAMES = tuple(str(stage) for stage in Stage)


def _login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.get_full_path()}")
    return None


SEARCH_FIELDS = ("number", "type", "status", "subject", "submitted_from", "submitted_to")


@require_http_methods(["GET", "POST"])
def queue_view(request: HttpRequest) -> HttpResponse:
    """Waiting for me, taken in by me and still in flight, and case search — by POST, as a
    search may name a person's id number, which never goes into a URL."""
    if (redirect := _login(request)) is not None:
        return redirect
    principal = principal_of(request)
    stage = request.GET.get("stage") or None
    if stage not in (None, *STAGE_NAMES):
        stage = None
    criteria = {k: request.POST.get(k, "").strip() for k in SEARCH_FIELDS}
    found, error, problems, searched = None, "", list[str](), request.method == "POST"
    by_field: dict[str, str] = {}
    if searched:
        given = {k: v for k, v in criteria.items() if v}
        found, error, problems, by_field = attempt_form(
            lambda: queries.search(principal, parse(schemas.CaseSearch, given))
        )
    lang = current_language()
    return render(
        request,
        "workflow/queue.html",
        {
            "rows": queries.queue(principal, stage),
            "mine": queries.mine(principal),
            "found": found,
            "searched": searched,
            "criteria": {**criteria, "subject": ""},  # an id number is not echoed back
            "type_choices": [(t.name, t.label(lang)) for t in types.all_types()],
            "status_choices": labels.choices("case_status", lang),
            "types": [t for t in types.all_types() if allowed(principal, t.permission("intake"))],
            "may_submit": any(
                allowed(principal, t.permission("intake")) for t in types.all_types()
            ),
            "error": error,
            "problems": problems,
            "search_errors": by_field,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def new_case_view(request: HttpRequest) -> HttpResponse:
    if (redirect := _login(request)) is not None:
        return redirect
    principal = principal_of(request)
    try:
        case_type = types.get(request.GET.get("type") or request.POST.get("type") or "")
    except InvalidInput:
        return _choose_type(request, principal)
    # The form only for one who may take the case in: a refusal, not a form whose submit fails.
    authorize(principal, case_type.permission(Stage.INTAKE))
    if case_type.screen and request.method == "GET":
        return HttpResponseRedirect(reverse(case_type.screen))
    values = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    opinion = values.get("opinion", "")
    error, problems, too_large = "", list[str](), False
    by_field: dict[str, str] = {}
    preview: list[schemas.ChangeOut] | None = None
    if request.method == "POST" and request.POST.get("step") == "preview":
        # Checked as intake checks it, written nowhere: what submitting would change.
        found, error, problems, by_field = attempt_form(
            lambda: services.preview(
                principal, case_type.name, payload_from_form(case_type, request.POST)
            )
        )
        preview = queries.shown_changes(found) if found is not None else None
    elif request.method == "POST":
        try:
            attachments = tuple(
                services.NewAttachment(upload.name or "", uploads.read(upload, Upload.ATTACHMENT))
                for upload in request.FILES.getlist("attachments")
            )
        except uploads.TooLarge as refusal:
            error, too_large = refusal.message(current_language()), True
        else:
            case, error, problems, by_field = attempt_form(
                lambda: services.submit(
                    principal,
                    case_type.name,
                    payload_from_form(case_type, request.POST),
                    attachments,
                    opinion,
                    intake_key=_intake_key(request.POST.get("intake_key", "")),
                    once=True,
                )
            )
            if case is not None:
                return HttpResponseRedirect(f"/cases/{case.pk}")
    lang = current_language()
    fields = [
        {
            "name": f.name,
            "label": f.zh if lang == "zh" else f.en,
            "required": f.required,
            "kind": f.kind,
            "error": by_field.get(f.name, ""),
            "choices": labels.choices(f.choices, lang) if f.choices else [],
            # An id number typed is sent back only to be corrected, never shown in a URL.
            "value": values.get(f.name, ""),
            "chosen": request.POST.getlist(f.name) if f.kind == "choices" else [],
        }
        for f in case_type.fields
    ]
    return render(
        request,
        "workflow/new.html",
        {
            "case_type": case_type,
            "label": case_type.label(lang),
            "fields": fields,
            "correction": case_type.name == "record.correct",
            "correctable": [
                (
                    labels.label("object", kind, lang),
                    [(f, labels.field_name(f, lang)) for f in names],
                )
                for kind, names in case_type.correctable.items()
            ],
            "values": values,
            "error": error,
            "problems": problems,
            "attachment_mb": uploads.limit_mb(Upload.ATTACHMENT),
            "preview": preview,
            "regions": _regions_near(principal.region)
            if any(f.kind == "region" for f in case_type.fields)
            else [],
            # One key per form shown: sent twice (back and submit again), it makes one case.
            "intake_key": request.POST.get("intake_key") or secrets.token_urlsafe(24),
        },
        status=413 if too_large else 400 if error else 200,
    )


def _regions_near(region: str) -> list[tuple[str, str]]:
    """The current division codes of the agency's province, offered by name (any other code
    may still be typed)."""
    province = region[:2]
    return [
        (found.code, found.name)
        for found in regions.all_regions()
        if found.current and found.code.startswith(province)
    ]


def _intake_key(sent: str) -> str | None:
    """The form's one-time key as sent, if it is one this server could have made."""
    sent = sent.strip()
    return (
        sent if 16 <= len(sent) <= 64 and sent.replace("-", "").replace("_", "").isalnum() else None
    )


def _choose_type(request: HttpRequest, principal: Principal) -> HttpResponse:
    """No case type, or one that does not exist: the list to choose from, never an error
    page."""
    lang = current_language()
    offered = [t for t in types.all_types() if allowed(principal, t.permission("intake"))]
    asked = request.GET.get("type") or request.POST.get("type") or ""
    return render(
        request,
        "workflow/choose.html",
        {"types": [(t.name, t.label(lang)) for t in offered], "unknown": bool(asked)},
        status=404 if asked else 200,
    )


@require_http_methods(["GET", "POST"])
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    if (redirect := _login(request)) is not None:
        return redirect
    principal = principal_of(request)
    error, problems, failed = "", list[str](), False
    if request.method == "POST":
        action = request.POST.get("action", "")
        opinion = request.POST.get("opinion", "")
        try:
            if action == "resubmit":
                done, error, problems = attempt(
                    lambda: services.resubmit(principal, case_id, None, opinion)
                )
            else:
                done, error, problems = attempt(
                    lambda: services.act(principal, case_id, action, opinion)
                )
        except ApplyFailed as failure:
            # Its savepoint has rolled back; the failure is kept by the request, which commits,
            # and shown on the case, still waiting at approval.
            record_refusal(principal, failure)
            done, error, failed = None, failure.message(current_language()), True
        if done is not None:
            return HttpResponseRedirect(f"/cases/{case_id}")
    body = queries.case(principal, case_id)
    stage = body.stage
    return render(
        request,
        "workflow/case.html",
        {
            "case": body,
            "may_act": bool(
                stage
                and body.status == CaseStatus.OPEN
                and allowed(principal, types.get(body.type).permission(stage))
            ),
            "is_submitter": body.submitted_by == principal.actor,
            "error": error,
            "problems": problems,
        },
        status=409 if failed else 400 if error else 200,
    )


def modifications_view(request: HttpRequest) -> HttpResponse:
    if (redirect := _login(request)) is not None:
        return redirect
    month = request.GET.get("month") or timezone.localtime().strftime("%Y-%m")
    rows, error, problems = attempt(lambda: queries.modifications(principal_of(request), month))
    return render(
        request,
        "workflow/modifications.html",
        {"rows": rows or [], "month": month, "error": error, "problems": problems},
        status=400 if error else 200,
    )
