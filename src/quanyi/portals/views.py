"""The portals' screens. Every read goes through ``records.read`` (the disclosure decision: the
person sees all of their own record, an employer its own months of its staff) or the employer's
own bills; an id number is never in a URL — an employee's page is an opaque reference signed
for this user."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import segno
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quanyi.access import services as access
from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.contributions import queries as contributions
from quanyi.core import labels, uploads
from quanyi.core.attempt import in_words, shown
from quanyi.core.errors import InvalidInput, QuanyiError, current_language
from quanyi.core.principal import Principal
from quanyi.core.uploads import Upload
from quanyi.enrollment import prompts as enrollment
from quanyi.records import queries as records
from quanyi.records.views import page_context
from quanyi.registry.models import Employer, Person
from quanyi.workflow import queries as cases
from quanyi.workflow import services as workflow

REFERENCE_SECONDS = 30 * 60
OBJECTION = "record.objection"


def _login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"/login?next={request.path}")


def _person(request: HttpRequest) -> tuple[Principal, Person] | None:
    if not request.user.is_authenticated:
        return None
    principal = principal_of(request)
    authorize(principal, "portal.person")
    person = Person.objects.filter(pk=principal.person_id or 0).first()
    if person is None:
        raise _unbound()
    return principal, person


@require_http_methods(["GET"])
def me_view(request: HttpRequest) -> HttpResponse:
    found = _person(request)
    if found is None:
        return _login(request)
    principal, person = found
    record = records.read_by_reference(principal, person.pk, purpose="personal portal")
    context = page_context(record, date.today())
    context["prompts"] = []  # what the counter checks is the clerk's, not the person's
    # The enrollment items missing or in doubt are the person's to supply (002 art. 14, 23).
    context["enrollment_prompts"] = enrollment.for_person(principal, person.id_number)
    context["objections"] = cases.filed_by(principal, OBJECTION)
    return render(request, "portals/me.html", context)


@require_http_methods(["GET"])
def accesses_view(request: HttpRequest) -> HttpResponse:
    found = _person(request)
    if found is None:
        return _login(request)
    principal, person = found
    rows = records.accesses(principal, person.id_number)
    return render(request, "portals/accesses.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def objection_view(request: HttpRequest) -> HttpResponse:
    found = _person(request)
    if found is None:
        return _login(request)
    principal, person = found
    lang = current_language()
    problems: list[str] = []
    values = {
        "items": request.POST.getlist("items"),
        "month": request.POST.get("month", "").strip()[:7],
        "description": request.POST.get("description", "").strip()[:2000],
    }
    if request.method == "POST":
        payload: dict[str, Any] = {"id_number": person.id_number, **values}
        if not payload["month"]:
            payload.pop("month")
        try:
            evidence = request.FILES.get("evidence")
            attachments = (
                (
                    workflow.NewAttachment(
                        evidence.name or "evidence", uploads.read(evidence, Upload.ATTACHMENT)
                    ),
                )
                if evidence
                else ()
            )
            with transaction.atomic():
                case = workflow.submit(principal, OBJECTION, payload, attachments)
            return HttpResponseRedirect(f"/me/?objection={case.pk}")
        except InvalidInput as error:
            problems = [shown(problem, lang) for problem in error.errors]
        except QuanyiError as error:
            problems = [in_words(error)]
    return render(
        request,
        "portals/objection.html",
        {
            "choices": labels.choices("record_item", lang),
            "values": values,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    """A second factor the person (or employer) may turn on: a secret shown once as a QR code
    for an authenticator app, switched on only when the app's first code is typed back."""
    if not request.user.is_authenticated:
        return _login(request)
    principal = principal_of(request)
    if principal.kind not in ("person", "employer"):
        return HttpResponseRedirect("/")
    user = request.user
    context: dict[str, Any] = {"on": access.wants_second_factor(user.pk), "error": ""}
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "start":
        device = access.start_second_factor(principal, user)
        buffer = io.BytesIO()
        segno.make(device.config_url).save(buffer, kind="svg", scale=4)
        context.update(
            qr=buffer.getvalue().decode(), secret=access.otp_secret(device), started=True
        )
    elif request.method == "POST" and action == "confirm":
        code = request.POST.get("code", "").strip()[:10]
        if access.confirm_second_factor(principal, user, code):
            context["on"] = True
            context["confirmed"] = True
        else:
            context["error"] = (
                "动态口令不正确，请重新开启"
                if current_language() == "zh"
                else "wrong code: start again"
            )
    return render(request, "portals/otp.html", context, status=400 if context["error"] else 200)


def _employer(request: HttpRequest) -> tuple[Principal, Employer] | None:
    if not request.user.is_authenticated:
        return None
    principal = principal_of(request)
    authorize(principal, "portal.employer")
    employer = Employer.objects.filter(pk=principal.employer_id or 0).first()
    if employer is None:
        raise _unbound()
    return principal, employer


def _unbound() -> Refused:
    return Refused(
        "该账户未绑定参保人员或用人单位，请联系经办机构",
        "refused: this account is bound to no person or employer; ask the agency",
        "portal",
    )


def _salt(request: HttpRequest) -> str:
    return f"quanyi.portals.employee:{request.user.pk}"


@require_http_methods(["GET"])
def employer_view(request: HttpRequest) -> HttpResponse:
    found = _employer(request)
    if found is None:
        return _login(request)
    principal, employer = found
    page = contributions.employer_page(principal, employer.uscc)
    for row in [*page["staff"], *page["former_staff"]]:
        row["ref"] = signing.dumps(row.pop("person_id"), salt=_salt(request))
    return render(request, "portals/employer.html", {"found": page})


@require_http_methods(["GET"])
def employee_view(request: HttpRequest, ref: str) -> HttpResponse:
    found = _employer(request)
    if found is None:
        return _login(request)
    principal, _ = found
    try:
        person_id = signing.loads(ref, salt=_salt(request), max_age=REFERENCE_SECONDS)
    except signing.BadSignature:
        person_id = None
    if not isinstance(person_id, int):
        return HttpResponseRedirect("/employer/")
    record = records.read_by_reference(principal, person_id, purpose="employer portal")
    context = page_context(record, date.today())
    context["prompts"] = []
    return render(request, "portals/employee.html", context)
