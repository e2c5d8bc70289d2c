"""The record screen: look up a person by id number (front-desk query), then their page.

The id number is posted, never put in a URL (and so never in the access log): the lookup
answers with a redirect to the person's page under an opaque reference — the person's row
number signed for this user, expiring after ``REFERENCE_SECONDS``. Following it is the logged
read (``records.read``, purpose "counter query"); the lookup itself reads nothing of the record.
"""

from __future__ import annotations

from datetime import date

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.core.attempt import in_words
from quanyi.core.errors import QuanyiError, current_language
from quanyi.records import page, queries
from quanyi.registry.queries import person_by_reference
from quanyi.workflow import queries as cases

REFERENCE_SECONDS = 30 * 60
PURPOSE = "counter query"


def _salt(request: HttpRequest) -> str:
    # Bound to the user: a reference copied from one clerk's screen opens nothing for another.
    return f"quanyi.records.person:{request.user.pk}"


def reference(request: HttpRequest, person_id: int) -> str:
    return signing.dumps(person_id, salt=_salt(request))


def _login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"/login?next={request.path}")


@require_http_methods(["GET", "POST"])
def record_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    principal = principal_of(request)
    authorize(principal, "record.read")  # a refusal, never an empty page (001 art. 26)
    if request.method != "POST":
        return _lookup_form(request)
    number = request.POST.get("id_number", "").strip()
    if not number:
        return _lookup_form(request)
    try:
        person_id = queries.locate(principal, number)
    except Refused:
        raise
    except QuanyiError as problem:
        return _lookup_form(request, in_words(problem), status=404)
    target = reverse("record-person", args=[reference(request, person_id)])
    return HttpResponseRedirect(target, status=303)


def _lookup_form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    # The box is never refilled with the number looked up (it would sit in the page and cache).
    return render(request, "records/record.html", {"error": error}, status=status)


@require_http_methods(["GET"])
def person_view(request: HttpRequest, ref: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    principal = principal_of(request)
    authorize(principal, "record.read")
    try:
        person_id = signing.loads(ref, salt=_salt(request), max_age=REFERENCE_SECONDS)
    except signing.BadSignature:  # expired too (SignatureExpired is one)
        person_id = None
    if not isinstance(person_id, int):
        zh = current_language() == "zh"
        message = (
            "查询链接无效或已过期，请重新输入公民身份号码查询"
            if zh
            else "this link is invalid or has expired; look the person up again"
        )
        return _lookup_form(request, message, status=404)
    try:
        record = queries.read_by_reference(principal, person_id, purpose=PURPOSE)
    except Refused:
        raise
    except QuanyiError as problem:
        return _lookup_form(request, in_words(problem), status=404)
    record["cases"] = cases.about(principal, person_by_reference(principal, person_id).id_number)
    return render(request, "records/person.html", page_context(record, date.today()))


def page_context(record: dict[str, object], today: date) -> dict[str, object]:
    person = record.get("person")
    born = page.as_date(person.get("birth_date")) if isinstance(person, dict) else None
    died = page.as_date(person.get("deceased_date")) if isinstance(person, dict) else None
    account = record.get("account")
    by_year = account.get("by_year", []) if isinstance(account, dict) else []
    relations = record.get("relations")
    contributions = record.get("contributions")
    return {
        "record": record,
        "age": page.age(born, min(died or today, today)) if born else None,  # at death
        "timeline": page.timeline(
            relations if isinstance(relations, list) else [], f"{today:%Y-%m}"
        ),
        "grids": page.grid(contributions if isinstance(contributions, list) else []),
        "chart": page.chart(by_year),
        "this_year": today.year,
        "months": page.in_label_order(record.get("contribution_months")),
        "years": page.years_lines(record),
        "prompts": page.prompts(record, today),
    }
