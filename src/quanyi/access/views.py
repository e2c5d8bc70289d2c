"""Login, logout, password change, and the sysadmin's account screens. Thin: services decide."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from quanyi.access import authentication, services
from quanyi.access.forms import LoginForm, PasswordForm
from quanyi.access.middleware import LOGIN_AT, PASSWORD_EXPIRED
from quanyi.access.requests import principal_of
from quanyi.core.attempt import in_words
from quanyi.core.errors import QuanyiError, current_language


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = authentication.attempt(
            request, data["username"], data["password"], data["otp"] or None, "web"
        )
        if result.ok and result.user is not None:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            if result.device is not None:
                otp_login(request, result.device)
            request.session[LOGIN_AT] = time.time()
            request.session[PASSWORD_EXPIRED] = result.password_expired
            if result.password_expired:
                return HttpResponseRedirect("/password")
            target = request.GET.get("next", "/")
            safe = url_has_allowed_host_and_scheme(target, {request.get_host()})
            return HttpResponseRedirect(target if safe else "/")
        error = result.message(current_language())
    return render(
        request, "access/login.html", {"form": form, "error": error}, status=401 if error else 200
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/login")


@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/login?next=/password")
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_password(
                principal_of(request), data["current_password"], data["new_password"], request
            )
        except QuanyiError as refusal:
            # Not rolled back: a wrong current password stays counted, as a failed login is.
            error = in_words(refusal)
            if getattr(request, "axes_locked_out", False):
                logout(request)  # locked now: this session ends too
                return HttpResponseRedirect("/login")
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)  # keep this session, end no other
            request.session[PASSWORD_EXPIRED] = False
            messages.success(request, _("Password changed."))
            return HttpResponseRedirect("/")
    expired = bool(request.session.get(PASSWORD_EXPIRED))
    return render(
        request, "access/password.html", {"form": form, "error": error, "expired": expired}
    )
