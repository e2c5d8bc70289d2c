"""The counter screen (缴费窗口): an employer's bills with what each still owes or was paid
beyond, and a payment taken at the counter. Thin: services decide, queries read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quanyi.access.errors import Refused
from quanyi.access.policy import allowed, authorize
from quanyi.access.requests import principal_of
from quanyi.contributions import queries, services
from quanyi.core.attempt import attempt
from quanyi.core.errors import QuanyiError, current_language

FORM_FIELDS = ("bill_id", "amount_fen", "paid_at", "bank_ref")


@require_http_methods(["GET", "POST"])
def bills_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.get_full_path()}")
    principal = principal_of(request)
    authorize(principal, "record.read")
    uscc = (request.GET.get("uscc") or request.POST.get("uscc") or "").strip().upper()
    values = {name: request.POST.get(name, "").strip() for name in FORM_FIELDS}
    values["paid_at"] = values["paid_at"] or date.today().isoformat()
    error, problems = "", list[str]()
    if request.method == "POST":
        done, error, problems = attempt(lambda: services.take_at_counter(principal, values))
        if done is not None:
            return HttpResponseRedirect(
                f"/contributions/bills?uscc={uscc}&paid={values['bill_id']}"
            )
    found: dict[str, Any] | None = None
    lookup_error = ""
    if uscc:
        try:
            found = queries.employer_bills(principal, uscc)
        except Refused:
            raise
        except QuanyiError as problem:
            lookup_error = problem.message(current_language())
    return render(
        request,
        "contributions/bills.html",
        {
            "uscc": uscc,
            "found": found,
            "lookup_error": lookup_error,
            "may_pay": allowed(principal, "contributions.pay"),
            "values": values,
            "paid": request.GET.get("paid", ""),
            "error": error,
            "problems": problems,
        },
        status=400 if error else 404 if lookup_error else 200,
    )
