"""UI language: Simplified Chinese unless the user chose another (DESIGN.md, UI language).

Django's LocaleMiddleware would follow the browser's Accept-Language; an agency's screens
default to Chinese whatever the browser says, and English is an explicit choice (cookie).

A refusal a screen did not catch (a case that does not exist, a bad parameter) is a page in
the user's language with its status — 404, 400, 409 — never a 500.

Upload limits: a request too large for ``QUANYI_MAX_UPLOAD_MB`` is answered 413 unread.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

from quanyi.core import kept, uploads
from quanyi.core.attempt import shown
from quanyi.core.errors import (
    Conflict,
    InvalidInput,
    KeptFailure,
    NotFound,
    QuanyiError,
    current_language,
)


class KeptMiddleware:
    """What a failed request must not take with it (``core.kept``) is written again once the
    request's transaction has rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kept.discard()
        try:
            return self.get_response(request)
        finally:
            kept.settle()


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.known else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class UploadLimitMiddleware:
    """A request larger than ``QUANYI_MAX_UPLOAD_MB`` is refused before its body is read, and a
    body Django refuses to read (``DATA_UPLOAD_MAX_MEMORY_SIZE``) is refused the same way: 413,
    as JSON on the API and as a page on the web — never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        try:
            uploads.check_length(uploads.Upload.REQUEST, size)
        except uploads.TooLarge as refusal:
            return _too_large(request, refusal)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return _too_large(request, uploads.too_large(uploads.Upload.REQUEST))
        return None


def _too_large(request: HttpRequest, refusal: uploads.TooLarge) -> HttpResponse:
    message = refusal.message(current_language())
    if request.path.startswith("/api/"):
        return JsonResponse({"code": refusal.code, "detail": message}, status=413)
    return render(request, "web/too_large.html", {"message": message}, status=413)


class ProblemMiddleware:
    """A ``QuanyiError`` a view let through becomes a page saying why, with its status. Kept
    failures (refusals, failed applies) are the refusal middleware's: it records them first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, QuanyiError) or isinstance(exception, KeptFailure):
            return None
        lang = current_language()
        status = (
            404
            if isinstance(exception, NotFound)
            else 409
            if isinstance(exception, Conflict)
            else 400
        )
        problems = (
            [shown(error, lang) for error in exception.errors]
            if isinstance(exception, InvalidInput)
            else []
        )
        message = "" if problems else exception.message(lang)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": exception.code, "detail": message or "; ".join(problems)}, status=status
            )
        return render(
            request,
            "web/problem.html",
            {"message": message, "problems": problems, "status": status},
            status=status,
        )
