"""The employer page (用人单位缴费): its staff, bills, payments and arrears with the day each
late fee runs from, and a payment taken at the counter against one of its own open bills.
Thin: services decide, queries read."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quanyi.access.errors import Refused
from quanyi.access.policy import allowed, authorize
from quanyi.access.requests import principal_of
from quanyi.contributions import (
    declare_screen,
    flows,
    legacy,
    once,
    queries,
    services,
    validation,
)
from quanyi.contributions.payment_files import positive_yuan
from quanyi.core import labels, uploads
from quanyi.core.attempt import in_words, shown
from quanyi.core.errors import (
    FieldError,
    InvalidInput,
    KeptFailure,
    QuanyiError,
    current_language,
)
from quanyi.core.uploads import Upload
from quanyi.registry.models import EMPLOYEE_INSURANCES
from quanyi.workflow import services as case_services
from quanyi.workflow import types as case_types
from quanyi.workflow.stages import Stage

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
        return None, in_words(error), {}


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
            lookup_error = in_words(problem)
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


# --- the base declaration (缴费基数申报) ---------------------------------------------------

_SHA = re.compile(r"^[0-9a-f]{64}$")


@require_http_methods(["GET"])
def declaration_template_view(request: HttpRequest) -> HttpResponse:
    """The Excel template an employer fills in: ``id_number`` and ``wage`` in yuan."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    response = HttpResponse(
        declare_screen.template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="declaration-template.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def declare_view(request: HttpRequest) -> HttpResponse:
    """Upload a declaration file, see every bad row or the bases it would set, then submit it
    as one ``contribution.declare`` case. The stored upload is carried by its SHA-256, so
    nothing typed or uploaded is lost between the preview and the submission; the form's
    one-time token makes a second submission show the case the first one made."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, case_types.get("contribution.declare").permission(Stage.INTAKE))
    post = request.POST
    values = {
        "uscc": (post.get("uscc") or request.GET.get("uscc") or "").strip().upper()[:18],
        "valid_from": (post.get("valid_from") or "").strip()[:7],
    }
    token = post.get("token", "")[:64]
    if request.method == "GET" or not once.known(request, token):
        token = once.issue(request)
    context: dict[str, Any] = {"values": values, "token": token, "problems": {}, "error": ""}
    status = 200
    if request.method == "POST":
        made = once.spent(request, token)
        if made is not None:  # sent again: the case the first submission made
            return HttpResponseRedirect(f"/cases/{made}?again=1")
        outcome = _declare_post(request, principal, values, token, context)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    return render(request, "contributions/declare.html", context, status=status)


def _declare_post(
    request: HttpRequest,
    principal: Any,
    values: dict[str, str],
    token: str,
    context: dict[str, Any],
) -> int | HttpResponse:
    upload = request.FILES.get("file")
    sha, suffix = request.POST.get("content", ""), request.POST.get("suffix", "")
    try:
        if upload is not None:
            suffix = declare_screen.suffix_of(upload.name or "")
            content = uploads.read(upload, Upload.IMPORT)
            sha = case_services.store_content(content)
        elif _SHA.match(sha) and suffix in declare_screen.SUFFIXES:
            try:
                content = case_services.read_content(sha)
            except (OSError, QuanyiError):
                raise InvalidInput.one(
                    "file", "gone", "请重新选择申报文件", "choose the file again"
                ) from None
        else:
            raise InvalidInput.one(
                "file", "required", "请选择申报文件", "choose the file to upload"
            )
    except uploads.TooLarge as refusal:
        context["error"] = in_words(refusal)
        return 413
    except QuanyiError as refused:
        _, context["error"], context["problems"] = attempt_fields(_raise(refused))
        return 400
    context.update(content=sha, suffix=suffix, file_name=upload.name if upload else "")
    reading = declare_screen.read(content, suffix)
    lang = current_language()
    if reading.problems:
        context["row_errors"] = _row_errors(reading.problems, lang)
        context["row_error_total"] = reading.total_problems
        context["error"] = _file_refused(lang)
        return 400
    payload = {**values, "rows": reading.rows}
    try:
        with transaction.atomic():
            shown = declare_screen.preview(principal, payload)
    except InvalidInput as refused:
        rows = _payload_row_errors(refused, reading, lang)
        rest = InvalidInput([e for e in refused.errors if not _ROW_FIELD.match(e.field)])
        _, context["error"], context["problems"] = attempt_fields(_raise(rest))
        if rows:
            context.update(row_errors=rows, row_error_total=len(rows))
        return 400
    except QuanyiError as refused:
        context["error"] = in_words(refused, lang)
        return 400
    context["preview"] = shown
    if request.POST.get("action") != "submit":
        return 200
    case, error, problems = attempt_fields(
        lambda: case_services.submit(
            principal,
            "contribution.declare",
            payload,
            (case_services.NewAttachment(f"declaration{suffix}", content),),
        )
    )
    if case is None:
        context.update(error=error, problems=problems)
        return 400
    once.spend(request, token, case.pk)
    return HttpResponseRedirect(f"/cases/{case.pk}")


def _raise(error: Exception) -> Callable[[], None]:
    def again() -> None:
        raise error

    return again


def _file_refused(lang: str) -> str:
    if lang == "en":
        return "The file has errors; nothing was submitted. Correct these rows and upload it again:"
    return "文件有误，未提交。请更正以下各行后重新上传："


def _row_errors(problems: list[tuple[int | str, FieldError]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "line": line,
            "field": labels.field_name(error.field, lang) if error.field else "—",
            "reason": error.en if lang == "en" else error.zh,
        }
        for line, error in problems
    ]


def _payload_row_errors(
    refused: InvalidInput, reading: declare_screen.Reading, lang: str
) -> list[dict[str, Any]]:
    """The case's own reasons about rows (not registered, not insured, declared already), by
    the file's lines and the column the file used for the wage."""
    found: list[tuple[int | str, FieldError]] = []
    for error in refused.errors:
        matched = _ROW_FIELD.match(error.field)
        if matched is None:
            continue
        column = matched["field"]
        if column == "wage_fen" and reading.in_yuan:
            column = "wage"
        line = reading.line_of(int(matched["row"]))
        found.append((line, FieldError(column, error.code, error.zh, error.en)))
    return _row_errors(found, lang)


_ROW_FIELD = re.compile(r"^rows\[(?P<row>\d+)\]\.(?P<field>\w+)$")


# --- the legacy import (历史数据导入) --------------------------------------------------------

_WHERE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+) ?(?P<field>.*)$")


@require_http_methods(["GET", "POST"])
def legacy_view(request: HttpRequest) -> HttpResponse:
    """Upload the legacy CSV files (employers, persons, relations, contributions — the ones
    ``quanyi import legacy DIR`` takes), see every bad row by file, line and field or what the
    import would load, then submit one ``import.legacy`` case; the form's one-time token makes
    a second submission show the case the first one made."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, case_types.get("import.legacy").permission(Stage.INTAKE))
    token = request.POST.get("token", "")[:64]
    if request.method == "GET" or not once.known(request, token):
        token = once.issue(request)
    context: dict[str, Any] = {"token": token, "files": legacy.FILES, "error": ""}
    if request.method == "GET":
        return render(request, "contributions/legacy.html", context)
    made = once.spent(request, token)
    if made is not None:
        return HttpResponseRedirect(f"/cases/{made}?again=1")
    lang = current_language()
    try:
        contents = _legacy_contents(request)
        if not contents:
            raise InvalidInput.one(
                "files", "required", "请选择导入文件", "choose the files to import"
            )
    except uploads.TooLarge as refusal:
        context["error"] = in_words(refusal, lang)
        return render(request, "contributions/legacy.html", context, status=413)
    except QuanyiError as refused:
        context["error"] = in_words(refused, lang)
        return render(request, "contributions/legacy.html", context, status=400)
    stored = {name: case_services.store_content(data) for name, data in contents.items()}
    context["stored"] = sorted(stored.items())
    try:
        with transaction.atomic():
            if request.POST.get("action") == "submit":
                case = _submit_legacy(principal, contents)
                once.spend(request, token, case.pk)
                return HttpResponseRedirect(f"/cases/{case.pk}")
            texts = {name: data.decode("utf-8-sig", "replace") for name, data in contents.items()}
            context["counts"] = legacy.validate(principal, texts).counts()
            return render(request, "contributions/legacy.html", context)
    except KeptFailure:
        raise
    except InvalidInput as refused:
        context["error"] = _file_refused(lang)
        context["row_errors"] = _legacy_errors(refused, lang)
    except QuanyiError as refused:
        context["error"] = in_words(refused, lang)
    return render(request, "contributions/legacy.html", context, status=400)


def _legacy_contents(request: HttpRequest) -> dict[str, bytes]:
    """The files uploaded now, or those kept from the check (``stored``: name:sha256)."""
    contents: dict[str, bytes] = {}
    for upload in request.FILES.getlist("files"):
        contents[Path(upload.name or "").name] = uploads.read(upload, Upload.IMPORT)
    if not contents:
        for kept in request.POST.getlist("stored")[: len(legacy.FILES)]:
            name, _, sha = kept.partition(":")
            if name in legacy.FILES and _SHA.match(sha):
                try:
                    contents[name] = case_services.read_content(sha)
                except (OSError, QuanyiError):
                    return {}  # removed after a refusal: choose the files again
    return contents


def _submit_legacy(principal: Any, contents: dict[str, bytes]) -> Any:
    base = Path(settings.QUANYI_DATA_DIR)
    with tempfile.TemporaryDirectory(dir=base) as folder:
        for name, data in contents.items():
            (Path(folder) / Path(name).name).write_bytes(data)
        return flows.submit_legacy(principal, Path(folder))


def _legacy_errors(refused: InvalidInput, lang: str) -> list[dict[str, Any]]:
    """Every reason the files are refused for, by file, line and field."""
    rows = []
    for error in refused.errors:
        where = _WHERE.match(error.field)
        field = where["field"] if where else error.field
        rows.append(
            {
                "file": where["file"] if where else "—",
                "line": where["line"] if where else "",
                "field": labels.field_name(field, lang) if field else "—",
                "reason": error.en if lang == "en" else error.zh,
            }
        )
    return rows


# --- a back-payment (补缴) ---------------------------------------------------------------

BACKPAY_FIELDS = ("uscc", "id_number", "from_month", "to_month", "base", "reason")


@require_http_methods(["GET", "POST"])
def backpay_view(request: HttpRequest) -> HttpResponse:
    """A back-payment typed in (the base in yuan), checked and priced — each month and
    insurance with both shares, the account's late interest and the fund's late fee — before
    it is submitted as one ``contribution.backpay`` case; the id number travels only in the
    form's body, and the one-time token makes a second submission show the case made."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, case_types.get("contribution.backpay").permission(Stage.INTAKE))
    post = request.POST
    values = {name: post.get(name, "").strip()[:200] for name in BACKPAY_FIELDS}
    values["uscc"] = (values["uscc"] or request.GET.get("uscc", "")).strip().upper()[:18]
    offered = [code for code in labels.known("insurance") if code in EMPLOYEE_INSURANCES]
    chosen = [code for code in offered if code in post.getlist("insurances")]
    token = post.get("token", "")[:64]
    if request.method == "GET" or not once.known(request, token):
        token = once.issue(request)
    context: dict[str, Any] = {"values": values, "token": token, "problems": {}, "error": ""}
    context["insurances"] = [
        (code, labels.label("insurance", code), code in chosen) for code in offered
    ]
    if request.method == "GET":
        return render(request, "contributions/backpay.html", context)
    made = once.spent(request, token)
    if made is not None:
        return HttpResponseRedirect(f"/cases/{made}?again=1")

    def payload() -> dict[str, Any]:
        fen = positive_yuan(values["base"], "base")
        kept = {k: v for k, v in values.items() if k != "base"}
        return {**kept, "base_fen": fen, **({"insurances": chosen} if chosen else {})}

    def priced() -> dict[str, Any]:
        cleaned = validation.clean_backpay(principal, payload())
        lines = cleaned.lines
        return {
            "employer": cleaned.employer.name,
            "person": cleaned.person.name,
            "lines": lines,
            "due_fen": sum(x.employer_fen + x.employee_fen for x in lines),
            "late_fee_fen": sum(x.late_fee_fen for x in lines),
            "late_interest_fen": sum(x.late_interest_fen for x in lines),
        }

    shown, error, problems = attempt_fields(priced)
    if shown is None:
        problems = {("base" if k == "base_fen" else k): v for k, v in problems.items()}
        others = [p for field, ps in problems.items() if field not in BACKPAY_FIELDS for p in ps]
        context.update(error=error, problems=problems, others=others)
        return render(request, "contributions/backpay.html", context, status=400)
    context["preview"] = shown
    if post.get("action") == "submit":
        case, error, problems = attempt_fields(
            lambda: case_services.submit(principal, "contribution.backpay", payload())
        )
        if case is not None:
            once.spend(request, token, case.pk)
            return HttpResponseRedirect(f"/cases/{case.pk}")
        context.update(error=error, problems=problems)
        return render(request, "contributions/backpay.html", context, status=400)
    return render(request, "contributions/backpay.html", context)
