"""The record screen: look up a person by id number (front-desk query)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.core.errors import QuanyiError, current_language
from quanyi.records import queries


def record_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.get_full_path()}")
    principal = principal_of(request)
    authorize(principal, "record.read")  # a refusal, never an empty page (001 art. 26)
    number = request.GET.get("id_number", "").strip()
    record, error = None, ""
    if number:
        try:
            record = queries.read(principal, number, purpose="counter query")
        except Refused:
            raise
        except QuanyiError as problem:
            error = problem.message(current_language())
    return render(
        request,
        "records/record.html",
        {"record": record, "error": error, "id_number": number},
        status=404 if error else 200,
    )
