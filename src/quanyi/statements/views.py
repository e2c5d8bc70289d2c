"""Screens: ``/verify`` (anyone, no login: upload a PDF or type its code; only the verdict,
the code, the period and the masked name are shown) and ``/statements/`` where staff at the
counter, a person in the portal or a delegate download a signed statement or certificate. The
id number travels only in the form's body."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.core import labels
from quanyi.core.attempt import attempt_form
from quanyi.core.errors import InvalidInput, current_language
from quanyi.registry.models import Person
from quanyi.statements import keys, services, verification


def _verdict_context(verdict: verification.Verdict) -> dict[str, Any]:
    return {
        "result": verdict.result,
        "label": labels.label("verdict", verdict.result),
        "reason": verdict.en if current_language() == "en" else verdict.zh,
        "code": verdict.code,
        "kind": labels.label("document_kind", verdict.kind) if verdict.kind else "",
        "period": verdict.period,
        "masked_name": verdict.masked_name,
    }


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "public_key": keys.public_pem(),
        "fingerprint": keys.fingerprint(),
        "verdicts": [],
        "error": "",
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        code = request.POST.get("code", "").strip()[:60]
        if upload is not None and code:
            context["error"] = _say(
                "请上传文件或输入验证码，二者选其一", "upload a file or type a code, not both"
            )
        elif upload is not None:
            if upload.size is None or upload.size > verification.MAX_FILE:
                context["error"] = _say(
                    "文件过大（最大 20 MB）", "the file is too large (20 MB at most)"
                )
            else:
                found = verification.verify_pdf(upload.read())
                context["verdicts"] = [_verdict_context(v) for v in found]
        elif code:
            context["verdicts"] = [_verdict_context(verification.verify_code(code))]
        else:
            context["error"] = _say("请上传 PDF 文件或输入验证码", "upload a PDF or type its code")
        status = 400 if context["error"] else 200
        return render(request, "statements/verify.html", context, status=status)
    return render(request, "statements/verify.html", context)


def _say(zh: str, en: str) -> str:
    return en if current_language() == "en" else zh


@require_http_methods(["GET", "POST"])
def documents_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    principal = principal_of(request)
    authorize(principal, "statements.issue")
    today = timezone.localdate()
    own = principal.kind == "person"
    post = request.POST
    values = {
        "what": post.get("what", "certificate"),
        "year": post.get("year", str(today.year - 1))[:4],
        "start": post.get("start", f"{today.year - 1}-01")[:7],
        "end": post.get("end", f"{today.year - 1}-12")[:7],
    }
    context: dict[str, Any] = {
        "own": own,
        "values": values,
        "years": [str(y) for y in range(today.year - 1, today.year - 11, -1)],
        "problems": {},
        "error": "",
    }
    if request.method == "GET":
        return render(request, "statements/documents.html", context)

    def work() -> tuple[bytes, str]:
        number = (
            Person.objects.get(pk=principal.person_id).id_number
            if own and principal.person_id
            else post.get("id_number", "").strip()[:40]
        )
        if values["what"] == "statement":
            if not values["year"].isdigit():
                raise InvalidInput.one("year", "bad_year", "请选择年度", "choose a year")
            pdf, issued = services.statement_pdf(principal, number, int(values["year"]))
        elif values["what"] == "certificate":
            pdf, issued = services.certificate_pdf(
                principal, number, values["start"], values["end"]
            )
        else:
            raise InvalidInput.one("what", "bad_choice", "请选择文书种类", "choose a document")
        return pdf, issued.code

    done, error, problems, by_field = attempt_form(work)
    if done is None:
        context.update(error=error, problems=by_field, others=problems)
        return render(request, "statements/documents.html", context, status=400)
    pdf, code = done
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}.pdf"'
    return response
