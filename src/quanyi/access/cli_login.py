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


def _secret(variable: str, prompt: str) -> str | None:
    value = os.environ.get(variable)
    if value is None and sys.stdin.isatty():
        value = getpass.getpass(prompt)
    return value


def login(username: str, *, batch: bool = False, allow_expired: bool = False) -> Principal:
    request = HttpRequest()
    request.method = "POST"
    request.META.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "quanyi-cli"})
    request.quanyi_request_id = new_request_id()  # type: ignore[attr-defined]
    password = _secret("QUANYI_PASSWORD", f"{username} 的密码 (password): ") or ""
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
