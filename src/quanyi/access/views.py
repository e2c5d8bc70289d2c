"""Login, logout, password change, and the sysadmin's account screens. Thin: services decide."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from quanyi.access import authentication, cases, queries, services
from quanyi.access.forms import AddUserForm, LoginForm, PasswordForm, RoleForm
from quanyi.access.middleware import LOGIN_AT, PASSWORD_EXPIRED
from quanyi.access.permissions import AccessPermission
from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
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
            error = refusal.message(current_language())
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


def _staff_screen(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"/login?next={request.path}")
    authorize(principal_of(request), AccessPermission.ACCOUNT_MANAGE)
    return None


@require_http_methods(["GET", "POST"])
def users_view(request: HttpRequest) -> HttpResponse:
    if (redirect := _staff_screen(request)) is not None:
        return redirect
    principal = principal_of(request)
    form = AddUserForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = cases.propose(
                principal,
                {
                    "action": "create",
                    "username": data["username"],
                    "password": data["password"],
                    "roles": list(data["roles"]),
                    "region": data["region"] or principal.region,
                },
            )
        except QuanyiError as refusal:
            error = refusal.message(current_language())
        else:
            messages.success(request, _("Proposed: the security administrator approves it."))
            return HttpResponseRedirect(f"/cases/{case.id}")
    return render(
        request,
        "access/users.html",
        {"users": queries.users(principal), "form": form, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def user_view(request: HttpRequest, username: str) -> HttpResponse:
    if (redirect := _staff_screen(request)) is not None:
        return redirect
    principal = principal_of(request)
    error, qr_svg, secret = "", "", ""
    case: Any = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = RoleForm(request.POST)
        try:
            if action in ("grant", "revoke") and form.is_valid():
                case = cases.propose(
                    principal,
                    {"action": action, "username": username, "roles": [form.cleaned_data["role"]]},
                )
            elif action in ("disable", "enable"):
                services.set_disabled(principal, username, action == "disable")
            elif action == "unlock":
                services.unlock(principal, username)
            elif action == "otp":
                device = services.setup_second_factor(principal, username)
                secret = services.otp_secret(device)
                qr_svg = segno.make(device.config_url).svg_inline(scale=4)
            else:
                error = _("Unknown action.")
        except QuanyiError as refusal:
            error = refusal.message(current_language())
        else:
            if case is not None:
                messages.success(request, _("Proposed: the security administrator approves it."))
                return HttpResponseRedirect(f"/cases/{case.id}")
            if not error and not secret:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(f"/access/users/{username}")
    row = next((u for u in queries.users(principal) if u.username == username), None)
    if row is None:
        return render(
            request, "access/refused.html", {"message": _("No such account.")}, status=404
        )
    return render(
        request,
        "access/user.html",
        {"row": row, "form": RoleForm(), "error": error, "qr_svg": qr_svg, "secret": secret},
        status=400 if error else 200,
    )
