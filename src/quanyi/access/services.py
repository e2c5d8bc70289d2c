"""Accounts, grants, second factors and tokens: the only code that writes them.

Every function takes the acting principal, authorizes it (``account.manage`` unless noted), runs
inside the caller's transaction and appends audit events; a change to what lets a user log in
(user row, tokens, second factor, lockout) ends with the user's ``credentials`` event, which
``audit verify`` holds the stored state to. Separation of duties is enforced at grant time
(001 art. 26).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import hashers, password_validation
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import credentials
from quanyi.access import roles as role_rules
from quanyi.access.errors import DutyConflict, Refused
from quanyi.access.models import Account, AccountKind, ApiToken, RoleGrant, TokenScope
from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.core import regions
from quanyi.core.errors import InvalidInput, NotFound
from quanyi.core.principal import Principal, Source, new_request_id

TOKEN_SCOPES = frozenset(TokenScope.values)


def _assert_transaction() -> None:
    assert connection.in_atomic_block, "access services run inside the caller's transaction"


def live_roles(user_id: int) -> frozenset[str]:
    return frozenset(
        RoleGrant.objects.filter(user_id=user_id, revoked_at__isnull=True).values_list(
            "role", flat=True
        )
    )


def principal_for(
    user: User, source: Source, request_id: str | None = None, scopes: frozenset[str] | None = None
) -> Principal:
    account = Account.objects.get(user=user)
    return Principal(
        actor=user.username,
        source=source,
        region=account.region,
        request_id=request_id or new_request_id(),
        roles=live_roles(user.pk),
        user_id=user.pk,
        kind=account.kind,
        employer_id=account.employer_id,
        person_id=account.person_id,
        scopes=scopes,
    )


def user_by_name(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None or not hasattr(user, "account"):
        raise NotFound(f"没有账户 {username}", f"no account named {username}")
    return user


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput.one(
            "password", "weak_password", "；".join(error.messages), "; ".join(error.messages)
        ) from None


def _check_duties(roles: Iterable[str]) -> None:
    found = role_rules.violations(roles)
    if found:
        raise DutyConflict(
            "违反职责分离：" + "；".join(v.message("zh") for v in found),
            "separation of duties: " + "; ".join(v.message("en") for v in found),
        )


# --- accounts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    roles: tuple[str, ...] = ()
    kind: str = AccountKind.STAFF
    region: str = ""
    organisation: str = ""
    employer_id: int | None = None
    person_id: int | None = None


def add_user(principal: Principal, new: NewAccount) -> User:
    authorize(principal, "account.manage")
    region = new.region or principal.region
    if not regions.covers(principal.region, region):
        raise Refused(
            f"无权在统筹区 {region} 开设账户",
            f"refused: region {region} is outside yours",
            "account.manage",
        )
    return create_account(principal, NewAccount(**{**new.__dict__, "region": region}))


def create_account(actor: Principal, new: NewAccount) -> User:
    """Create a user with its account and roles. Callers authorize (add_user), or are system
    commands (``init --admin``, ``demo``)."""
    _assert_transaction()
    if not new.username or len(new.username) > 150 or not new.username.isascii():
        raise InvalidInput.one(
            "username",
            "bad_username",
            "用户名须为1至150个ASCII字符",
            "a user name is 1 to 150 ASCII characters",
        )
    if User.objects.filter(username=new.username).exists():
        raise InvalidInput.one("username", "taken", "用户名已存在", "the user name is taken")
    unknown = set(new.roles) - {r.value for r in role_rules.Role}
    if unknown:
        raise InvalidInput.one(
            "role",
            "unknown_role",
            f"未知角色：{', '.join(sorted(unknown))}",
            f"unknown role: {', '.join(sorted(unknown))}",
        )
    if new.kind not in AccountKind.values:
        raise InvalidInput.one("kind", "bad_kind", "账户类型错误", "unknown account kind")
    regions.validate_region(new.region, "region")
    _check_duties(new.roles)
    _check_password(new.password, User(username=new.username))
    user = User.objects.create_user(username=new.username, password=new.password)
    account = Account.objects.create(
        user=user,
        kind=new.kind,
        region=new.region,
        organisation=new.organisation,
        employer_id=new.employer_id,
        person_id=new.person_id,
        password_changed_at=timezone.now(),
    )
    audit.record_row(actor, "account.create", account)
    for role in new.roles:
        _grant(actor, user, role)
    credentials.record(actor, "credentials.create", user, credentials.CREATED)
    return user


def grant(principal: Principal, username: str, role: str) -> RoleGrant:
    authorize(principal, "account.manage")
    user = user_by_name(username)
    if role not in {r.value for r in role_rules.Role}:
        raise InvalidInput.one("role", "unknown_role", f"未知角色：{role}", f"unknown role: {role}")
    if role in live_roles(user.pk):
        raise InvalidInput.one(
            "role", "already_granted", "已持有该角色", "the role is already held"
        )
    _check_duties(live_roles(user.pk) | {role})
    return _grant(principal, user, role)


def _grant(actor: Principal, user: User, role: str) -> RoleGrant:
    row = RoleGrant.objects.create(
        user=user, role=role, granted_by=actor.actor, granted_at=timezone.now()
    )
    audit.record_row(actor, "account.grant", row)
    return row


def revoke(principal: Principal, username: str, role: str) -> RoleGrant:
    authorize(principal, "account.manage")
    user = user_by_name(username)
    row = RoleGrant.objects.filter(user=user, role=role, revoked_at__isnull=True).first()
    if row is None:
        raise InvalidInput.one("role", "not_held", "未持有该角色", "the role is not held")
    return audit.update_row(principal, "account.revoke", row, revoked_at=timezone.now())


def set_disabled(principal: Principal, username: str, disabled: bool) -> User:
    """Disabling ends every session and token of the account at once."""
    authorize(principal, "account.manage")
    user = user_by_name(username)
    if user.pk == principal.user_id and disabled:
        raise InvalidInput.one(
            "username", "self", "不能停用自己的账户", "you cannot disable yourself"
        )
    prior = credentials.before(user)
    action = "account.disable" if disabled else "account.enable"
    audit.update_row(principal, action, user.account, disabled=disabled)
    user.is_active = not disabled
    user.save(update_fields=["is_active"])
    if disabled:
        end_sessions(user)
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    credentials.record(principal, f"credentials.{'disable' if disabled else 'enable'}", user, prior)
    return user


def end_sessions(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def unlock(principal: Principal, username: str) -> int:
    """Lift a lockout (django-axes) — an audited act of the sysadmin."""
    from axes.utils import reset

    authorize(principal, "account.manage")
    user = user_by_name(username)
    prior = credentials.before(user)
    cleared = int(reset(username=username) or 0)
    audit.record(principal, "account.unlock", "account", str(user.account.pk))
    credentials.record(principal, "credentials.unlock", user, prior)
    return cleared


def setup_second_factor(principal: Principal, username: str) -> TOTPDevice:
    authorize(principal, "account.manage")
    return create_second_factor(principal, user_by_name(username))


def create_second_factor(actor: Principal, user: User) -> TOTPDevice:
    """A new TOTP secret for the user, replacing any other (django-otp)."""
    _assert_transaction()
    prior = credentials.before(user)
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="quanyi", confirmed=True)
    audit.record(actor, "account.otp", "account", str(user.account.pk))
    credentials.record(actor, "credentials.otp", user, prior)
    return device


def otp_secret(device: TOTPDevice) -> str:
    """The base32 secret authenticator apps take."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def change_password(
    principal: Principal, current_password: str, new_password: str, request: HttpRequest
) -> None:
    """Change the acting user's own password, given the current one (OWASP ASVS 5.0 V6.2.3). A
    wrong current password counts as a failed login with django-axes — the account locks after
    as many as a login would allow — and is refused with an event carrying the lockout state it
    leaves; the caller keeps both (the web screen shows the refusal and commits)."""
    _assert_transaction()
    if principal.user_id is None:
        raise Refused("仅登录用户可修改密码", "only a logged-in user changes a password")
    user = User.objects.get(pk=principal.user_id)
    prior = credentials.before(user)
    # Not ``user.check_password``: on a match it may re-hash and save the old password, a
    # change no credentials event would cover when a later check refuses the new one.
    given = {"username": user.username}
    if AxesProxyHandler.is_locked(request, given) or not hashers.check_password(
        current_password, user.password
    ):
        user_login_failed.send(sender=__name__, credentials=given, request=request)
        credentials.record(principal, "credentials.password_refused", user, prior)
        raise InvalidInput.one(
            "current_password",
            "wrong_password",
            "当前密码错误（计为一次登录失败）",
            "the current password is wrong (counted as a failed login)",
        )
    if hashers.check_password(new_password, user.password):
        raise InvalidInput.one(
            "password",
            "unchanged",
            "新密码不能与原密码相同",
            "the new password must differ from the old one",
        )
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    Account.objects.filter(user=user).update(password_changed_at=timezone.now())
    audit.record(principal, "account.password", "account", str(user.account.pk))
    credentials.record(principal, "credentials.password", user, prior)


# --- API tokens ----------------------------------------------------------------------------------


def create_token(
    principal: Principal, username: str, name: str, scopes: Iterable[str], days: int
) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, shown once: ``qy_<prefix>_<secret>``."""
    authorize(principal, "account.manage")
    user = user_by_name(username)
    wanted = frozenset(scopes)
    if not wanted or wanted - TOKEN_SCOPES:
        raise InvalidInput.one(
            "scope",
            "bad_scope",
            f"权限范围须为 {', '.join(sorted(TOKEN_SCOPES))} 之一或多个",
            f"scopes are one or more of {', '.join(sorted(TOKEN_SCOPES))}",
        )
    if not 1 <= days <= 366:
        raise InvalidInput.one(
            "days", "bad_days", "有效期为1至366天", "a token lives 1 to 366 days"
        )
    prior = credentials.before(user)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        scopes=" ".join(sorted(wanted)),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit.record(principal, "token.create", "token", str(token.pk))
    credentials.record(principal, "credentials.token", user, prior)
    return token, f"qy_{prefix}_{secret}"


def revoke_token(principal: Principal, prefix: str) -> ApiToken:
    authorize(principal, "account.manage")
    token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("没有该令牌（或已撤销）", "no such live token")
    prior = credentials.before(token.user)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(principal, "token.revoke", "token", str(token.pk))
    credentials.record(principal, "credentials.token", token.user, prior)
    return token


def user_for_token(presented: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The active user and live token a bearer string belongs to, or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "qy":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None:
        return None
    digest = hashlib.sha256(parts[2].encode()).hexdigest()
    if not hmac.compare_digest(digest, token.key_hash):
        return None
    if token.revoked_at is not None or token.expires_at <= (now or timezone.now()):
        return None
    if not token.user.is_active:
        return None
    return token.user, token
