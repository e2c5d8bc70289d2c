"""The employer page (用人单位缴费): its staff, bills, payments and arrears with the day each
late fee runs from, and a payment taken at the counter against one of its own open bills.
Thin: services decide, queries read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quanyi.access.errors import Refused
from quanyi.access.policy import allowed, authorize
from quanyi.access.requests import principal_of
from quanyi.contributions import queries, services
from quanyi.core.attempt import shown
from quanyi.core.errors import InvalidInput, KeptFailure, QuanyiError, current_language

FORM_FIELDS = ("bill_id", "amount", "paid_at", "bank_ref")
T = TypeVar("T")


def attempt_fields(work: Callable[[], T]) -> tuple[T | None, str, dict[str, list[str]]]:
    """Run a service in a savepoint: ``(result, message, reasons by field)``; a field's
    reasons are shown next to it, named by its label (``core.attempt.shown``). Reasons for a
    row of a list (``rows[3].wage``) are kept under the list's name."""
    try:
        with transaction.atomic():
            return work(), "", {}
    except KeptFailure:
        raise
    except InvalidInput as error:
        lang = current_language()
        by_field: dict[str, list[str]] = {}
        for problem in error.errors:
            by_field.setdefault(problem.field.split("[")[0], []).append(shown(problem, lang))
        summary = "请更正以下内容：" if lang == "zh" else "Please correct the following:"
        return None, summary, by_field
    except QuanyiError as error:
        return None, error.message(current_language()), {}


@require_http_methods(["GET", "POST"])
def bills_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.get_full_path()}")
    principal = principal_of(request)
    authorize(principal, "record.read")
    uscc = (request.GET.get("uscc") or request.POST.get("uscc") or "").strip().upper()[:18]
    values = {name: request.POST.get(name, "").strip()[:100] for name in FORM_FIELDS}
    values["paid_at"] = values["paid_at"] or date.today().isoformat()
    error, problems = "", dict[str, list[str]]()
    if request.method == "POST":
        done, error, problems = attempt_fields(
            lambda: services.take_at_counter(principal, {**values, "uscc": uscc})
        )
        if done is not None:
            query = urlencode({"uscc": uscc, "paid": values["bill_id"]})
            return HttpResponseRedirect(f"/contributions/bills?{query}")
    found: dict[str, Any] | None = None
    lookup_error = ""
    if uscc:
        try:
            found = queries.employer_page(principal, uscc)
        except Refused:
            raise
        except QuanyiError as problem:
            lookup_error = problem.message(current_language())
    if problems.get("uscc") and not lookup_error:
        lookup_error = " ".join(problems.pop("uscc"))
    return render(
        request,
        "contributions/bills.html",
        {
            "uscc": uscc,
            "found": found,
            "lookup_error": lookup_error,
            "may_pay": allowed(principal, "contributions.pay"),
            "values": values,
            "paid": request.GET.get("paid", "")[:20],
            "error": error,
            "problems": problems,
            "others": [p for f, ps in problems.items() if f not in FORM_FIELDS for p in ps],
        },
        status=400 if error else 404 if lookup_error else 200,
    )
