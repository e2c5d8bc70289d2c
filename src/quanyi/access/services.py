"""Accounts, grants, second factors and tokens: the only code that writes them.

Every function takes the acting principal, authorizes it (``account.manage`` unless noted), runs
inside the caller's transaction and appends audit events; a change to what lets a user log in
(user row, tokens, second factor, lockout) ends with the user's ``credentials`` event, which
``audit verify`` holds the stored state to. Staff accounts and role grants are written only at
the approval of an ``access.grant`` case (``staff/cases.py``), where separation of duties is
checked again (001 art. 26; DESIGN.md invariant 4). Accounts of another region answer like
absent ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

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
from quanyi.access.models import Account, AccountKind, ApiToken, RoleGrant
from quanyi.access.permissions import AccessPermission
from quanyi.access.policy import authorize, scope
from quanyi.audit import services as audit
from quanyi.audit.bulk import next_ids as bulk_ids
from quanyi.core import regions
from quanyi.core.chunks import in_chunks
from quanyi.core.errors import InvalidInput, NotFound
from quanyi.core.permissions import Scope
from quanyi.core.principal import Principal, Source, new_request_id

TOKEN_SCOPES = frozenset(Scope)
# Scopes that no longer exist, and what a token holding one holds instead.
LEGACY_SCOPES = {"records:write": Scope.CASES_SUBMIT}


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


def user_by_name(principal: Principal, username: str) -> User:
    """The account's user, if the account is in a region the principal covers; an account of
    another region answers exactly like an absent one."""
    account = (
        scope(Account.objects.select_related("user"), principal)
        .filter(user__username=username)
        .first()
    )
    if account is None:
        raise NotFound(f"没有账户 {username}", f"no account named {username}")
    return account.user


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
    password: str = ""
    roles: tuple[str, ...] = ()
    kind: str = AccountKind.STAFF
    region: str = ""
    organisation: str = ""
    employer_id: int | None = None
    person_id: int | None = None
    # Instead of ``password``: the hash an ``access.grant`` case carries (its proposer chose
    # the password; the case never holds it in clear).
    password_hash: str = ""


def add_user(principal: Principal, new: NewAccount) -> User:
    """An employer, person or external account, opened by the sysadmin directly. Staff accounts
    are opened only by an ``access.grant`` case (DESIGN.md invariant 4)."""
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    if new.kind == AccountKind.STAFF:
        raise Refused(
            "无权操作：工作人员账户须经授权业务件开设（系统管理员提出，安全管理员审批）",
            "refused: staff accounts are opened by an access.grant case (the sysadmin proposes,"
            " the security administrator approves)",
            AccessPermission.ACCOUNT_MANAGE,
        )
    region = new.region or principal.region
    _check_region(principal, region)
    return create_account(principal, replace(new, region=region))


def _check_region(principal: Principal, region: str) -> None:
    if not regions.covers(principal.region, region):
        raise Refused(
            f"无权在统筹区 {region} 开设账户",
            f"refused: region {region} is outside yours",
            AccessPermission.ACCOUNT_MANAGE,
        )


def _check_username(username: str) -> None:
    if not username or len(username) > 150 or not username.isascii():
        raise InvalidInput.one(
            "username",
            "bad_username",
            "用户名须为1至150个ASCII字符",
            "a user name is 1 to 150 ASCII characters",
        )
    if User.objects.filter(username=username).exists():
        raise InvalidInput.one("username", "taken", "用户名已存在", "the user name is taken")


def _check_roles(roles: Iterable[str], allowed: Iterable[str] = role_rules.EVERY) -> None:
    unknown = set(roles) - set(allowed)
    if unknown:
        raise InvalidInput.one(
            "role",
            "unknown_role",
            f"未知角色：{', '.join(sorted(unknown))}",
            f"unknown role: {', '.join(sorted(unknown))}",
        )


def create_account(actor: Principal, new: NewAccount) -> User:
    """Create a user with its account and roles. Callers authorize (``add_user``, the approval
    of an ``access.grant`` case), or are system commands (``init --admin``, ``demo``)."""
    _assert_transaction()
    _check_username(new.username)
    _check_roles(new.roles)
    if new.kind not in AccountKind.values:
        raise InvalidInput.one("kind", "bad_kind", "账户类型错误", "unknown account kind")
    regions.validate_region(new.region, "region")
    _check_duties(new.roles)
    if new.password_hash:
        _check_hash(new.password_hash)
        user = User.objects.create(username=new.username, password=new.password_hash)
    else:
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


def create_outside_accounts(actor: Principal, new: Sequence[NewAccount]) -> int:
    """Many employer, person or external accounts at once (the demo's, one per person), each
    with a prepared password hash: one insert per table, one audit event for the accounts and
    one for their role grants (each the Merkle root of its rows), and the credentials event
    every user needs. Checked as ``create_account`` checks one."""
    _assert_transaction()
    if not new:
        return 0
    names = [n.username for n in new]
    for n in new:
        if n.kind == AccountKind.STAFF or n.kind not in AccountKind.values:
            raise InvalidInput.one(
                "kind", "bad_kind", "只可批量开设外部账户", "only outside accounts are made in bulk"
            )
        if not n.username or len(n.username) > 150 or not n.username.isascii():
            _check_username(n.username)
    for roles in {n.roles for n in new}:
        _check_roles(roles, role_rules.OUTSIDE)
        _check_duties(roles)
    for region in {n.region for n in new}:
        regions.validate_region(region, "region")
    for hashed in {n.password_hash for n in new}:
        _check_hash(hashed)
    taken = any(User.objects.filter(username__in=chunk).exists() for chunk in in_chunks(names))
    if taken or len(set(names)) != len(names):
        raise InvalidInput.one("username", "taken", "用户名已存在", "the user name is taken")
    now = timezone.now()
    first = bulk_ids("auth_user", len(new))
    users = [
        User(pk=first + i, username=n.username, password=n.password_hash, date_joined=now)
        for i, n in enumerate(new)
    ]
    User.objects.bulk_create(users)
    seq = audit.reserve_seq()
    accounts = [
        Account(
            user_id=user.pk,
            kind=n.kind,
            region=n.region,
            organisation=n.organisation,
            employer_id=n.employer_id,
            person_id=n.person_id,
            password_changed_at=now,
        )
        for user, n in zip(users, new, strict=True)
    ]
    audit.stamp_rows(accounts, seq)
    Account.objects.bulk_create(accounts)
    audit.record_batch(actor, "account.create", Account, seq)
    seq = audit.reserve_seq()
    grants = [
        RoleGrant(user_id=user.pk, role=role, granted_by=actor.actor, granted_at=now)
        for user, n in zip(users, new, strict=True)
        for role in n.roles
    ]
    audit.stamp_rows(grants, seq)
    RoleGrant.objects.bulk_create(grants)
    audit.record_batch(actor, "account.grant", RoleGrant, seq)
    for chunk in in_chunks(user.pk for user in users):
        for pk, _, value in credentials.digests(chunk):
            audit.record(
                actor,
                "credentials.create",
                credentials.OBJECT_TYPE,
                object_id=str(pk),
                digest=value,
                rows=1,
                prior_seq=None,
                prior_digest="",
            )
    return len(users)


def _grant(actor: Principal, user: User, role: str) -> RoleGrant:
    row = RoleGrant.objects.create(
        user=user, role=role, granted_by=actor.actor, granted_at=timezone.now()
    )
    audit.record_row(actor, "account.grant", row)
    return row


# --- staff accounts and role grants, by access.grant case (DESIGN.md invariant 4) ---------------


class Change(StrEnum):
    CREATE = "create"
    GRANT = "grant"
    REVOKE = "revoke"


@dataclass(frozen=True)
class AccountChange:
    """What an ``access.grant`` case asks: open a staff account with ``roles``, or grant or
    revoke ``roles`` on one."""

    action: Change
    username: str
    roles: tuple[str, ...]
    region: str = ""  # create: the account's agency region (default: the proposer's)
    password_hash: str = ""  # create: the initial password, hashed at intake

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "action": str(self.action),
            "username": self.username,
            "roles": list(self.roles),
        }
        if self.action is Change.CREATE:
            payload.update(region=self.region, password_hash=self.password_hash)
        return payload


def initial_password_hash(username: str, password: str) -> str:
    """The argon2 hash of an initial password, checked against the policy first."""
    _check_password(password, User(username=username))
    return hashers.make_password(password)


def _check_hash(value: str) -> None:
    try:
        usable = hashers.identify_hasher(value).algorithm == "argon2"
    except ValueError:
        usable = False
    if not usable:
        raise InvalidInput.one(
            "password_hash", "bad_hash", "初始密码摘要无效", "the initial password hash is unusable"
        )


def check_account_change(principal: Principal, change: AccountChange) -> User | None:
    """Everything an account change must satisfy, as the acting principal (the proposer at
    intake, the security administrator at approval) finds the accounts now: never one's own
    account, staff roles only, separation of duties (``roles.RULES``, the refusal naming the
    rule). Returns the existing user (None for a new account). Writes nothing."""
    if change.username == principal.actor:
        raise Refused(
            "无权操作：任何人不得为自己的账户开设、授予或撤销角色（三员分立）",
            "refused: nobody acts on their own account (three administrators)",
            AccessPermission.ACCOUNT_APPLY,
            f"account {change.username}",
        )
    if not change.roles:
        raise InvalidInput.one("roles", "required", "须指定角色", "name at least one role")
    _check_roles(change.roles, role_rules.STAFF)
    if change.action is Change.CREATE:
        _check_username(change.username)
        regions.validate_region(change.region, "region")
        _check_region(principal, change.region)
        _check_hash(change.password_hash)
        _check_duties(change.roles)
        return None
    user = user_by_name(principal, change.username)
    if user.account.kind != AccountKind.STAFF:
        raise InvalidInput.one(
            "username",
            "not_staff",
            "授权业务件只办理工作人员账户",
            "access.grant cases are for staff accounts",
        )
    held = live_roles(user.pk)
    if change.action is Change.GRANT:
        if set(change.roles) & held:
            raise InvalidInput.one(
                "roles", "already_granted", "已持有该角色", "the role is already held"
            )
        _check_duties(held | set(change.roles))
    elif not set(change.roles) <= held:
        raise InvalidInput.one("roles", "not_held", "未持有该角色", "the role is not held")
    return user


def apply_account_change(principal: Principal, change: AccountChange) -> str:
    """At the final approval of an ``access.grant`` case, by the security administrator
    (``account.apply``): checked again against the accounts as they are now, then written."""
    _assert_transaction()
    authorize(principal, AccessPermission.ACCOUNT_APPLY)
    user = check_account_change(principal, change)
    if user is None:
        create_account(
            principal,
            NewAccount(
                username=change.username,
                roles=change.roles,
                region=change.region,
                password_hash=change.password_hash,
            ),
        )
    elif change.action is Change.GRANT:
        for role in change.roles:
            _grant(principal, user, role)
    else:
        now = timezone.now()
        for row in RoleGrant.objects.filter(
            user=user, role__in=change.roles, revoked_at__isnull=True
        ):
            audit.update_row(principal, "account.revoke", row, revoked_at=now)
    return f"account {change.username}: {change.action} {' '.join(change.roles)}"


def set_disabled(principal: Principal, username: str, disabled: bool) -> User:
    """Disabling ends every session and token of the account at once."""
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    user = user_by_name(principal, username)
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

    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    user = user_by_name(principal, username)
    prior = credentials.before(user)
    cleared = int(reset(username=username) or 0)
    audit.record(principal, "account.unlock", "account", str(user.account.pk))
    credentials.record(principal, "credentials.unlock", user, prior)
    return cleared


def setup_second_factor(principal: Principal, username: str) -> TOTPDevice:
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    return create_second_factor(principal, user_by_name(principal, username))


def create_second_factor(actor: Principal, user: User) -> TOTPDevice:
    """A new TOTP secret for the user, replacing any other (django-otp)."""
    _assert_transaction()
    prior = credentials.before(user)
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="quanyi", confirmed=True)
    audit.record(actor, "account.otp", "account", str(user.account.pk))
    credentials.record(actor, "credentials.otp", user, prior)
    return device


def wants_second_factor(user_id: int) -> bool:
    """Whether logging in takes a one-time code: the roles ask for one, or the user turned one
    on (a person or employer may, DESIGN.md portals)."""
    return (
        role_rules.needs_second_factor(live_roles(user_id))
        or TOTPDevice.objects.filter(user_id=user_id, confirmed=True).exists()
    )


def start_second_factor(actor: Principal, user: User) -> TOTPDevice:
    """A new TOTP secret the user is to confirm with a code from their app; until then the
    login does not ask for it (a lost setup locks nobody out)."""
    _assert_transaction()
    prior = credentials.before(user)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="quanyi-self", confirmed=False)
    credentials.record(actor, "credentials.otp_start", user, prior)
    return device


def confirm_second_factor(actor: Principal, user: User, code: str) -> bool:
    """Turn on the secret started with ``start_second_factor`` if ``code`` is its current
    one; it then replaces any earlier second factor. False (nothing changed) otherwise."""
    _assert_transaction()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not code.strip().isdigit() or not device.verify_token(code.strip()):
        return False
    prior = credentials.before(user)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor, "account.otp", "account", str(user.account.pk))
    credentials.record(actor, "credentials.otp", user, prior)
    return True


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
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    user = user_by_name(principal, username)
    wanted = frozenset(scopes)
    if not wanted or wanted - TOKEN_SCOPES:
        renamed = "".join(f"; {old} → {new}" for old, new in LEGACY_SCOPES.items() if old in wanted)
        raise InvalidInput.one(
            "scope",
            "bad_scope",
            f"权限范围须为 {', '.join(sorted(TOKEN_SCOPES))} 之一或多个{renamed}",
            f"scopes are one or more of {', '.join(sorted(TOKEN_SCOPES))}{renamed}",
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


def upgrade_token_scopes(actor: Principal, token_ids: Iterable[int]) -> int:
    """Rename legacy scopes on these tokens; each changed user's credentials event keeps
    ``audit verify`` satisfied (the scopes are part of the credentials digest). Returns how many
    tokens changed."""
    _assert_transaction()
    changed = 0
    for token in ApiToken.objects.select_related("user").filter(pk__in=list(token_ids)):
        renamed = {str(LEGACY_SCOPES.get(s, s)) for s in token.scope_set}
        if renamed == set(token.scope_set):
            continue
        prior = credentials.before(token.user)
        token.scopes = " ".join(sorted(renamed))
        token.save(update_fields=["scopes"])
        audit.record(actor, "token.scopes", "token", str(token.pk))
        credentials.record(actor, "credentials.token", token.user, prior)
        changed += 1
    return changed


def revoke_token(principal: Principal, prefix: str) -> ApiToken:
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    live = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    token = scope(live, principal, "user__account__region").first()
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
