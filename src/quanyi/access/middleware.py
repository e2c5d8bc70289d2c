"""Session limits and the refusal page.

- Absolute session lifetime of 12 hours (the idle limit of 30 minutes is Django's session age,
  renewed on every request).
- A session of an account that needs a second factor must have been verified with it.
- An expired password confines the session to the password page.
- ``Refused`` raised by a view becomes a 403 page quoting the rule, and an audit event written
  after the request's transaction rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from quanyi.access.errors import Refused
from quanyi.access.requests import principal_of
from quanyi.access.services import wants_second_factor
from quanyi.audit.services import record_failure
from quanyi.core.errors import KeptFailure, current_language
from quanyi.core.principal import Principal

LOGIN_AT = "quanyi_login_at"
PASSWORD_EXPIRED = "quanyi_password_expired"
OPEN_PATHS = ("/login", "/logout", "/password", "/static/", "/healthz", "/i18n/", "/api/")


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(LOGIN_AT, 0)
            too_old = time.time() - started > settings.QUANYI_SESSION_ABSOLUTE_SECONDS
            # OTPMiddleware gives every user is_verified(); the stubs do not know it.
            verified = bool(getattr(user, "is_verified", lambda: False)())
            unverified = wants_second_factor(user.pk) and not verified
            if too_old or unverified:
                logout(request)
                return HttpResponseRedirect(f"{settings.LOGIN_URL}?next={request.path}")
            if request.session.get(PASSWORD_EXPIRED) and not request.path.startswith(OPEN_PATHS):
                return HttpResponseRedirect("/password")
        return self.get_response(request)


class RefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KeptFailure):
            return None

        record_refusal(principal_of(request), exception)
        refused = isinstance(exception, Refused)
        return render(
            request,
            "access/refused.html",
            {"message": exception.message(current_language()), "refused": refused},
            status=403 if refused else 409,
        )


def record_refusal(principal: object, failure: KeptFailure) -> None:

    if isinstance(principal, Principal):
        record_failure(principal, failure)
