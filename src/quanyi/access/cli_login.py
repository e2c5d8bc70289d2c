"""``--as USER`` on the command line: the same login as the web (axes needs a request)."""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import authentication
from quanyi.access.errors import AuthenticationFailed
from quanyi.access.services import principal_for
from quanyi.core.crypto import login_name
from quanyi.core.principal import Principal, Source, new_request_id

_typed: dict[str, str] = {}


def _secret(variable: str, prompt: str) -> str | None:
    """From the environment, or asked once per command on a terminal."""
    value = os.environ.get(variable) or _typed.get(variable)
    if value is None and sys.stdin.isatty():
        value = _typed[variable] = getpass.getpass(prompt)
    return value


def cli_request() -> HttpRequest:
    """The request a command's login (and django-axes) sees."""
    made = HttpRequest()
    made.method = "POST"
    made.META.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "quanyi-cli"})
    made.quanyi_request_id = new_request_id()  # type: ignore[attr-defined]
    return made


def login_password(username: str) -> str:
    """The user's password: the one this command logged in with, which is the current password
    a password change asks for."""
    return _secret("QUANYI_PASSWORD", f"{username} 的密码 (password): ") or ""


def login(username: str, *, batch: bool = False, allow_expired: bool = False) -> Principal:
    request = cli_request()
    password = login_password(username)
    otp = None
    if TOTPDevice.objects.filter(user__username=login_name(username), confirmed=True).exists():
        otp = _secret("QUANYI_OTP", "动态口令 (one-time code): ")
    with transaction.atomic():  # the outcome is kept whether or not the login succeeds
        result = authentication.attempt(request, username, password, otp, "cli")
    if not result.ok:
        zh, en = authentication.MESSAGES[result.outcome]
        raise AuthenticationFailed(zh, en)
    if result.password_expired and not allow_expired:
        raise AuthenticationFailed(
            "密码已过期，请先修改：quanyi user passwd --as " + username,
            "the password has expired; change it first: quanyi user passwd --as " + username,
        )
    assert isinstance(result.user, User)
    source: Source = "batch" if batch else "cli"
    request_id: str = request.quanyi_request_id  # type: ignore[attr-defined]
    return principal_for(result.user, source, request_id)
