"""The accounts screens: staff accounts of the region, proposing an account or a role grant
(an ``access.grant`` case), and an account's page (disable, unlock, second factor)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quanyi.access import queries, services
from quanyi.access.forms import AddUserForm, RoleForm
from quanyi.access.models import AccountKind
from quanyi.access.permissions import AccessPermission
from quanyi.access.policy import authorize
from quanyi.access.requests import principal_of
from quanyi.core import regions
from quanyi.core.attempt import in_words
from quanyi.core.errors import QuanyiError
from quanyi.staff import cases


def _regions_within(region: str) -> list[tuple[str, str]]:
    """The current regions an account may be opened in: the sysadmin's and those it covers."""
    return [
        (found.code, f"{found.name} ({found.code})")
        for found in regions.all_regions()
        if found.current and regions.covers(region, found.code)
    ][:400]


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
    form = AddUserForm(request.POST or None, regions=_regions_within(principal.region))
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["kind"] not in ("", AccountKind.STAFF):
            try:
                with transaction.atomic():
                    services.add_user(
                        principal,
                        services.NewAccount(
                            username=data["username"],
                            password=data["password"],
                            roles=(str(data["kind"]),),
                            kind=str(data["kind"]),
                            region=data["region"] or principal.region,
                            organisation=data["organisation"],
                        ),
                    )
            except QuanyiError as refusal:
                error = in_words(refusal)
            else:
                messages.success(request, _("The account is open."))
                return HttpResponseRedirect(f"/access/users/{data['username']}")
    if request.method == "POST" and form.is_valid() and not error:
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
            error = in_words(refusal)
        else:
            messages.success(request, _("Proposed: the security administrator approves it."))
            return HttpResponseRedirect(f"/cases/{case.id}")
    return render(
        request,
        "staff/users.html",
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
            error = in_words(refusal)
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
        "staff/user.html",
        {"row": row, "form": RoleForm(), "error": error, "qr_svg": qr_svg, "secret": secret},
        status=400 if error else 200,
    )
