"""The enrollment screens: the survey list of a division (with its PDF and Excel) and the
statistics table and chart. Codes are shown by their labels, id numbers masked, and nothing
that identifies a person goes into a URL (the division code is no identity)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from quanyi.access.policy import allowed, authorize
from quanyi.access.requests import principal_of
from quanyi.core import labels, uploads
from quanyi.core.attempt import in_words
from quanyi.core.errors import InvalidInput, QuanyiError, current_language
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.core.uploads import Upload
from quanyi.enrollment import documents, queries, validation
from quanyi.enrollment.codes import COUNT_KEYS, INSURANCES
from quanyi.enrollment.models import Run
from quanyi.workflow import services as case_services
from quanyi.workflow import types as case_types
from quanyi.workflow.stages import Stage

CHART_WIDTH, BAR_HEIGHT, BAR_LEFT, BAR_ROOM = 720, 22, 130, 480


def _division(request: HttpRequest) -> str:
    code = request.GET.get("division", "").strip()
    return code if code and validation.division_ok(code) else ""


@require_GET
def survey_view(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    authorize(principal, "enrollment.read")
    run = queries.latest_run(principal)
    division = _division(request)
    context: dict[str, Any] = {"run": run, "division": division, "rows": [], "divisions": []}
    if run is not None:
        fmt = request.GET.get("format", "")
        listed = queries.survey_list(principal, run, division)
        if fmt == "pdf" and division:
            return _download(documents.survey_pdf(run, division, listed), division, "pdf")
        if fmt == "xlsx" and division:
            return _download(documents.survey_xlsx(run, division, listed), division, "xlsx")
        context["rows"] = [
            {
                "name": item.resident.name,
                "id_number": mask(item.resident.id_number),
                "division": item.finding.division,
                "status": labels.label("enrollment_status", item.finding.status),
                "situation": labels.label("enrollment_situation", item.finding.situation),
                "missing": ", ".join(
                    labels.label("insurance", m) if m in INSURANCES else _("drawing a pension")
                    for m in item.finding.missing.split(",")
                    if m
                ),
            }
            for item in listed[:500]
        ]
        context["total"] = len(listed)
        codes = queries.open_findings(principal, run).values_list("division", flat=True)
        context["divisions"] = [
            (code, documents.division_name(code)) for code in sorted(set(codes))
        ]
    return render(request, "enrollment/survey.html", context)


def _download(content: bytes, division: str, kind: str) -> HttpResponse:
    types = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="survey-{division}.{kind}"'
    return response


@require_GET
def stats_view(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    authorize(principal, "enrollment.read")
    level = request.GET.get("by", "county")
    level = level if level in queries.LEVELS else "county"
    run = queries.latest_run(principal)
    context: dict[str, Any] = {
        "run": run,
        "level": level,
        "levels": [(code, labels.label("enrollment_level", code)) for code in queries.LEVELS],
    }
    if run is not None:
        if request.GET.get("format") == "xlsx":
            return _report(principal, run, level)
        found = queries.stats(principal, run, level)
        context["stats"] = found
        context["can_report"] = allowed(principal, "enrollment.export")
        context["statuses"] = [(s, labels.label("enrollment_status", s)) for s in COUNT_KEYS]
        context["insurances"] = [(i, labels.label("insurance", i)) for i in INSURANCES]
        context["reasons"] = [
            (labels.label("not_enrolled_reason", code) if code != "unknown" else _("not stated"), n)
            for code, n in sorted(found["reasons"].items())
        ]
        context["table"] = [
            {
                "division": d["division"],
                "division_name": documents.division_name(d["division"]),
                "population": d["population"],
                "counts": [d["counts"][s] for s in COUNT_KEYS],
                "coverage": [d["coverage"][i] for i in INSURANCES],
                "rate": f"{d['registration_rate'] * 100:.2f}%",
            }
            for d in found["divisions"]
        ]
        context["chart"] = [
            {
                "label": d["division"],
                "y": n * (BAR_HEIGHT + 6),
                "width": round(d["registration_rate"] * BAR_ROOM, 1),
                "text_x": round(BAR_LEFT + d["registration_rate"] * BAR_ROOM + 6, 1),
                "text": f"{d['registration_rate'] * 100:.1f}%",
            }
            for n, d in enumerate(found["divisions"])
        ]
        context["chart_height"] = max(len(found["divisions"]), 1) * (BAR_HEIGHT + 6)
        context["bar_height"] = BAR_HEIGHT
        context["bar_left"] = BAR_LEFT
        context["chart_width"] = CHART_WIDTH
    return render(request, "enrollment/stats.html", context)


def _report(principal: Principal, run: Run, level: str) -> HttpResponse:
    """The periodic report of ``run`` as Excel (002 art. 30): on screen the detail's id numbers
    are masked (the full ones leave only by ``quanyi enrollment report``); logged as every
    report is, in the request's transaction."""
    import hashlib

    from quanyi.enrollment import outbound, services

    authorize(principal, "enrollment.export")
    content, persons = outbound.report_workbook(principal, run, level, masked=True)
    name = f"enrollment-report-{run.as_of}-run{run.pk}.xlsx"
    services.record_export(
        principal,
        "report",
        run.pk,
        run.as_of,
        name,
        run.population,
        persons,
        hashlib.sha256(content).hexdigest(),
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SOURCES = ("police", "civil_affairs", "market", "education", "health", "tax", "other")


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload another department's population file (CSV or Excel) and submit it as an
    ``enrollment.import`` case (002 art. 9); every bad row is named on the page and nothing is
    submitted. The form's key makes a second submission show the case the first one made."""
    principal = principal_of(request)
    authorize(principal, case_types.get("enrollment.import").permission(Stage.INTAKE))
    lang = current_language()
    context: dict[str, Any] = {
        "key": uuid.uuid4().hex,
        "sources": [(code, labels.label("population_source", code)) for code in SOURCES],
        "error": "",
    }
    if request.method == "GET":
        return render(request, "enrollment/import.html", context)
    key = request.POST.get("key", "")[:64]
    source = request.POST.get("source", "")
    upload = request.FILES.get("file")
    try:
        if source not in SOURCES:
            raise InvalidInput.one(
                "source", "required", "请选择数据来源", "choose the department the file is from"
            )
        if upload is None:
            raise InvalidInput.one("file", "required", "请选择人口数据文件", "choose the file")
        data = uploads.read(upload, Upload.IMPORT)
        name = Path(upload.name or "population.csv").name
        with transaction.atomic():
            sha = case_services.store_content(data)
            case = case_services.submit(
                principal,
                "enrollment.import",
                {
                    "source": labels.label("population_source", source, "zh"),
                    "file": name,
                    "sha256": sha,
                },
                (case_services.NewAttachment(name, data),),
                intake_key=f"enrollment-import-{key}" if key else None,
            )
        return HttpResponseRedirect(f"/cases/{case.pk}")
    except uploads.TooLarge as refusal:
        context["error"] = in_words(refusal, lang)
        return render(request, "enrollment/import.html", context, status=413)
    except QuanyiError as refused:
        context["error"] = in_words(refused, lang)
        if isinstance(refused, InvalidInput):
            context["rows"] = [e.message(lang) for e in refused.errors[:200]]
        return render(request, "enrollment/import.html", context, status=400)


PROMPTS = {
    "phone": ("缺少联系电话（手机）", "no mobile number"),
    "employment_status": ("缺少就业状态", "no employment status"),
    "not_enrolled_reason": ("请询问并登记未参保原因", "ask for the reason for not enrolling"),
}


@require_http_methods(["GET", "POST"])
def counter_view(request: HttpRequest) -> HttpResponse:
    """At the counter (002 art. 13): a person's enrollment entry found by id number (in the
    form's body, never in the URL), with the items missing or in doubt to collect."""
    principal = principal_of(request)
    authorize(principal, "enrollment.read")
    lang = current_language()
    context: dict[str, Any] = {"found": None, "error": ""}
    if request.method == "POST":
        number = request.POST.get("id_number", "").strip().upper()[:18]
        resident = queries.resident_by_number(principal, number) if number else None
        if resident is None:
            context["error"] = _("No one with this id number is in the enrollment registry.")
            return render(request, "enrollment/counter.html", context, status=404)
        run = queries.latest_run(principal)
        finding = queries.finding_for_number(principal, run, number) if run else None
        cleared = bool(finding and queries.is_cleared(finding.run_id, finding.resident_id))
        shown = []
        for code in queries.prompts(resident, finding, cleared):
            if code.startswith("status:"):
                status = labels.label("enrollment_status", code[7:])
                shown.append(
                    f"需调查登记：{status}" if lang == "zh" else f"to be surveyed: {status}"
                )
            else:
                zh, en = PROMPTS[code]
                shown.append(zh if lang == "zh" else en)
        context["found"] = {
            "name": resident.name,
            "id_number": mask(resident.id_number),
            "residence": documents.division_name(resident.residence_region),
            "employment": labels.label("employment_status", resident.employment_status)
            if resident.employment_status
            else "",
            "status": labels.label("enrollment_status", finding.status) if finding else "",
            "missing": ", ".join(
                labels.label("insurance", m) if m in INSURANCES else _("drawing a pension")
                for m in (finding.missing.split(",") if finding else [])
                if m
            ),
            "prompts": shown,
            "run": finding.run_id if finding and finding.needs_survey and not cleared else None,
        }
    return render(request, "enrollment/counter.html", context)
