"""Logging in, on the web and on the CLI: password (argon2) with lockout after 5 failures
(django-axes), a TOTP second factor for sysadmin, DBA and auditor (django-otp), password expiry
by policy. Every outcome is an audit event; the caller commits it even when login fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from axes.utils import reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import credentials, passwords
from quanyi.access.models import Account
from quanyi.access.services import wants_second_factor
from quanyi.audit import services as audit
from quanyi.core import crypto
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal, Source


class Outcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    NO_SECOND_FACTOR = "no_second_factor"
    BAD_SECOND_FACTOR = "bad_otp"


MESSAGES: dict[Outcome, tuple[str, str]] = {
    Outcome.OK: ("登录成功", "logged in"),
    Outcome.BAD_CREDENTIALS: ("用户名或密码错误", "wrong user name or password"),
    Outcome.LOCKED: (
        "连续登录失败次数过多，账户已锁定，请联系系统管理员解锁",
        "too many failed logins: the account is locked; ask the sysadmin to unlock it",
    ),
    Outcome.NO_SECOND_FACTOR: (
        "该账户须使用动态口令（第二因素），但尚未设置，请联系系统管理员",
        "this account needs a second factor (TOTP) that is not set up; ask the sysadmin",
    ),
    Outcome.BAD_SECOND_FACTOR: ("动态口令错误或缺失", "the one-time code is wrong or missing"),
}


@dataclass
class LoginAttempt:
    outcome: Outcome
    user: User | None = None
    device: TOTPDevice | None = None
    password_expired: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def message(self, lang: str = "zh") -> str:
        zh, en = MESSAGES[self.outcome]
        return en if lang == "en" else zh


def safe_name(username: str) -> str:
    """What a failed login may write to the log: never an id number typed as a user name."""
    text = (username or "?")[:150]
    return mask(text) if len(text) == 18 and text[:17].isdigit() else text


def attempt(
    request: HttpRequest, username: str, password: str, otp: str | None, source: Source
) -> LoginAttempt:
    """Check credentials and second factor; record the outcome. Never raises for a bad login."""
    request.quanyi_source = source  # type: ignore[attr-defined]
    # A person logs in with their id number; the account holds its blind index (DESIGN.md
    # invariant 9), and so do the lockout records and the events this login writes.
    username = crypto.login_name(username)
    # Even a failed attempt on an existing user name changes that user's lockout (or TOTP
    # throttling) state, and a good one may re-hash the password: the event names the user and
    # links the state it found to the state it left.
    target = User.objects.filter(username=username).first()
    prior = credentials.before(target) if target is not None else None
    user = authenticate(request=request, username=username, password=password)
    result: LoginAttempt
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        result = LoginAttempt(Outcome.LOCKED if locked else Outcome.BAD_CREDENTIALS)
    else:
        assert isinstance(user, User)
        result = _second_factor(user, otp)
    if result.ok and result.user is not None and settings.AXES_RESET_ON_SUCCESS:
        # Here rather than in axes' own handler, which runs only from ``django.contrib.auth.login``
        # (the web, after this attempt is recorded; never the CLI): the login event must carry
        # the lockout state the login leaves.
        reset(username=result.user.username)
    _record(username, result, source, request, target, prior)
    return result


def _second_factor(user: User, otp: str | None) -> LoginAttempt:
    account = Account.objects.get(user=user)
    expired = passwords.expired(account.password_changed_at, timezone.now())
    if not wants_second_factor(user.pk):
        return LoginAttempt(Outcome.OK, user, password_expired=expired)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return LoginAttempt(Outcome.NO_SECOND_FACTOR, user)
    if not otp or not device.verify_token(otp.strip()):
        return LoginAttempt(Outcome.BAD_SECOND_FACTOR, user)
    return LoginAttempt(Outcome.OK, user, device, password_expired=expired)


def _record(
    username: str,
    result: LoginAttempt,
    source: Source,
    request: HttpRequest,
    target: User | None,
    prior: credentials.Prior | None,
) -> None:
    region = result.user.account.region if result.user else ""
    actor = result.user.username if result.user else safe_name(username)
    principal = Principal(
        actor=actor,
        source=source,
        region=region,
        request_id=getattr(request, "quanyi_request_id", "") or "login",
    )
    carried = credentials.carried(target, prior) if target is not None and prior is not None else {}
    audit.record(
        principal,
        "auth.login",
        credentials.LOGIN_OBJECT_TYPE,
        result="ok" if result.ok else result.outcome.value,
        **carried,
    )
