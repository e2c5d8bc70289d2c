"""The benefit screens at the counter: the pension estimate (养老金测算) with its assumptions and
a chart of the account until retirement, and recording an eligibility verification. The id
number travels only in the form's body and is never put back into the page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.benefits import estimates, services
from quanyi.core import labels
from quanyi.core.attempt import attempt_form
from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.core.money import format_fen, yuan_to_fen
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry

ESTIMATE_FIELDS = ("retire", "wage_growth", "crediting_rate", "future_base", "original_age")
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 640, 200, 20, 24


def _percent(text: str, field: str) -> str | None:
    """A rate typed in percent ("5" or "4.5") as the decimal the service takes ("0.05")."""
    if not text:
        return None
    try:
        value = Decimal(text.rstrip("%")) / 100
    except InvalidOperation:
        raise InvalidInput.one(
            field,
            "not_a_number",
            f"请填写百分数，如 5，收到 {text!r}",
            f"a percentage such as 5, got {text!r}",
        ) from None
    if not value.is_finite():
        raise InvalidInput.one(
            field, "not_a_number", "请填写百分数，如 5", "a percentage such as 5"
        )
    return str(value)


def chart(years: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The account at each year's end until retirement, as plain SVG geometry."""
    if not years:
        return None
    peak = max(max(y["balance_fen"] for y in years), 1)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_HEIGHT - CHART_BOTTOM
    slot = CHART_WIDTH / len(years)
    width = round(min(slot * 0.7, 40), 1)
    bars = []
    for number, row in enumerate(years):
        height = round(max(row["balance_fen"], 0) * plot / peak, 1)
        x = round(number * slot + (slot - width) / 2, 1)
        bars.append(
            {
                "year": row["year"],
                "x": x,
                "y": round(baseline - height, 1),
                "height": height,
                "label_x": round(x + width / 2, 1),
                "title": format_fen(row["balance_fen"]),
                "labelled": number == 0 or number == len(years) - 1 or row["year"] % 5 == 0,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline": baseline,
        "bar_width": width,
        "top": format_fen(peak),
        "bars": bars,
    }


@require_http_methods(["GET", "POST"])
def estimate_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, "record.read")
    post = request.POST
    values = {name: post.get(name, "").strip()[:20] for name in ESTIMATE_FIELDS}
    context: dict[str, Any] = {
        "values": values,
        "problems": {},
        "error": "",
        "tracks": [(code, labels.label("retirement_track", code)) for code in ("55", "50")],
    }
    if request.method == "GET":
        return render(request, "benefits/estimate.html", context)
    number = post.get("id_number", "").strip()[:40]

    def work() -> dict[str, Any]:
        person = registry.person_by_id_number(principal, number)
        age = values["original_age"]
        found = estimates.pension_estimate(
            principal,
            person,
            estimates.Asked(
                retire=values["retire"] or None,
                wage_growth=_percent(values["wage_growth"], "wage_growth"),
                crediting_rate=_percent(values["crediting_rate"], "crediting_rate"),
                future_base_fen=yuan_to_fen(values["future_base"], "future_base")
                if values["future_base"]
                else None,
                original_age=int(age) if age in ("50", "55") else None,
            ),
            YearMonth.of(timezone.localdate()),
        )
        return {**found, "name": person.name, "id_number": mask(person.id_number)}

    found, error, problems, by_field = attempt_form(work)
    if found is None:
        context.update(error=error, problems=by_field, others=problems)
        return render(request, "benefits/estimate.html", context, status=400)
    assumptions = found["assumptions"]
    context["result"] = {
        **found,
        "growth_percent": Decimal(assumptions["wage_growth"]) * 100,
        "rate_percent": Decimal(assumptions["crediting_rate"]) * 100,
    }
    context["chart"] = chart(found["years"])
    return render(request, "benefits/estimate.html", context)


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """资格认证 at the counter: who, how, with what result (the clerk is recorded as ``by``)."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, "benefits.verify")
    post = request.POST
    context: dict[str, Any] = {
        "channels": [
            (c, labels.label("verification_channel", c))
            for c in labels.known("verification_channel")
        ],
        "results": [
            (c, labels.label("verification_result", c)) for c in labels.known("verification_result")
        ],
        "values": {
            "channel": post.get("channel", "counter"),
            "result": post.get("result", "passed"),
        },
        "problems": {},
        "error": "",
    }
    if request.method == "GET":
        return render(request, "benefits/verify.html", context)
    number = post.get("id_number", "").strip()[:40]

    def work() -> dict[str, str]:
        if context["values"]["channel"] not in labels.known("verification_channel"):
            raise InvalidInput.one("channel", "bad_choice", "请选择认证方式", "choose a channel")
        if context["values"]["result"] not in labels.known("verification_result"):
            raise InvalidInput.one("result", "bad_choice", "请选择认证结果", "choose a result")
        person = registry.person_by_id_number(principal, number)
        row = services.verify(
            principal,
            person,
            timezone.localdate(),
            context["values"]["channel"],
            context["values"]["result"],
            post.get("note", "").strip()[:200],
        )
        return {
            "name": person.name,
            "id_number": mask(person.id_number),
            "on": row.verified_on.isoformat(),
        }

    done, error, problems, by_field = attempt_form(work)
    if done is None:
        context.update(error=error, problems=by_field, others=problems)
        return render(request, "benefits/verify.html", context, status=400)
    context["done"] = done
    return render(request, "benefits/verify.html", context)
