"""A user's credentials state under ``audit verify`` (001 art. 25, 26; DESIGN.md invariant 5).

Django's ``auth_user``, the API tokens, django-otp's TOTP devices and django-axes' lockout rows
decide who may log in and as what, yet are not tracked rows of their own. Every change to them
goes through a service of this app, and the change appends an event carrying the digest of the
user's whole credentials state as it stands afterwards (a ``credentials`` event; a login puts it
on its own ``auth.login`` event), and as ``prior_seq``/``prior_digest`` the user's previous such
event and the state found just before the change. Verify recomputes every user's state and
compares it with the latest event, and checks that each event found the state the previous one
left: a password hash copied, a name changed, ``is_superuser`` set, a token widened, a TOTP
secret swapped or lockout rows deleted behind the application's back is named, and stays named
after the next login or lawful change.

Left out is what changes on every login and vouches for nothing: ``last_login``, and from
django-otp's ``verify_token`` the accepted step (``last_t``), the clock ``drift`` it re-learns
and ``last_used_at``. Throttling stays in: a wrong code raises it and a good one clears it, and
both are logins that record the state they leave.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Max, Sum
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access.models import Account, ApiToken
from quanyi.audit import services as audit
from quanyi.audit.checks import Finding
from quanyi.audit.models import AuditEvent
from quanyi.core.canonical import digest
from quanyi.core.identifiers import mask_text
from quanyi.core.principal import Principal

OBJECT_TYPE = "credentials"
LOGIN_OBJECT_TYPE = "session"
# Events whose object id is a user's pk and whose digest is that user's credentials state.
CARRIERS = (OBJECT_TYPE, LOGIN_OBJECT_TYPE)

USER_FIELDS = ("username", "password", "is_active", "is_superuser", "is_staff")
TOKEN_FIELDS = (
    "name",
    "prefix",
    "key_hash",
    "scopes",
    "created_at",
    "expires_at",
    "revoked_at",
)
DEVICE_FIELDS = (
    "name",
    "key",
    "confirmed",
    "step",
    "t0",
    "digits",
    "tolerance",
    "throttling_failure_count",
    "throttling_failure_timestamp",
)


def _rows_by_user(
    model: Any, fields: Sequence[str], user_ids: Sequence[int] | None
) -> dict[int, list[dict[str, Any]]]:
    queryset = model._default_manager.all()
    if user_ids is not None:
        queryset = queryset.filter(user_id__in=user_ids)
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in queryset.order_by("user_id", "pk").values_list("user_id", "pk", *fields):
        found[row[0]].append({"id": row[1], **dict(zip(fields, row[2:], strict=True))})
    return found


def _failures_by_name(usernames: Sequence[str] | None) -> dict[str, int]:
    """django-axes' failure count per user name (the sum it compares with the limit)."""
    queryset = AccessAttempt.objects.all()
    if usernames is not None:
        queryset = queryset.filter(username__in=usernames)
    grouped = queryset.values("username").annotate(total=Sum("failures_since_start"))
    return {row["username"]: int(row["total"] or 0) for row in grouped}


def digests(user_ids: Sequence[int] | None = None) -> Iterator[tuple[int, str, str]]:
    """``(pk, username, digest)`` of the users' credentials as the database holds them now, in
    pk order; every user when ``user_ids`` is None. One query per table whatever the count."""
    users = User.objects.order_by("pk").values_list("pk", *USER_FIELDS)
    rows: Iterable[tuple[Any, ...]]
    if user_ids is None:
        rows, names = users.iterator(chunk_size=5000), None
    else:
        rows = list(users.filter(pk__in=user_ids))
        names = [row[1] for row in rows]
    tokens = _rows_by_user(ApiToken, TOKEN_FIELDS, user_ids)
    devices = _rows_by_user(TOTPDevice, DEVICE_FIELDS, user_ids)
    failures = _failures_by_name(names)
    accounts = Account.objects.all()
    if user_ids is not None:
        accounts = accounts.filter(user_id__in=user_ids)
    # When the password last changed decides when it expires: set forward, it never would.
    changed = dict(accounts.values_list("user_id", "password_changed_at"))
    for row in rows:
        pk, username = row[0], row[1]
        state = {
            "type": OBJECT_TYPE,
            "user": {"id": pk, **dict(zip(USER_FIELDS, row[1:], strict=True))},
            "tokens": tokens.get(pk, []),
            "devices": devices.get(pk, []),
            "lockout": {"failures": failures.get(username, 0)},
            "password_changed_at": changed.get(pk),
        }
        yield pk, username, digest(state)


def digest_of(user_id: int) -> str:
    found = [value for _, _, value in digests([user_id])]
    if not found:
        raise LookupError(f"no user {user_id}")
    return found[0]


Prior = tuple[int | None, str]
CREATED: Prior = (None, "")


def before(user: User) -> Prior:
    """Lock the user's row, then read their credentials as they stand before a change: the
    latest event carrying them and their digest now. The event recording the change names both
    (``prior_seq``, ``prior_digest``), so a change made behind the application's back between
    two events breaks that link for good: the next lawful change cannot launder it.

    The lock makes a concurrent change to the same user (a failed login from another address
    writes another axes row) commit before this one reads, so each event finds the state the
    previous one left; it is the user's row and not the whole chain, so a login's password
    hashing holds up no one else (SQLite has one writer at a time anyway)."""
    if not connection.in_atomic_block:
        raise RuntimeError("credentials change inside the caller's transaction")
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    last = (
        AuditEvent.objects.filter(object_type__in=CARRIERS, object_id=str(user.pk))
        .exclude(digest="")
        .aggregate(last=Max("seq"))["last"]
    )
    return last, digest_of(user.pk)


def carried(user: User, prior: Prior) -> dict[str, Any]:
    """The event fields that carry ``user``'s credentials after a change from ``prior``."""
    return {
        "object_id": str(user.pk),
        "digest": digest_of(user.pk),
        "prior_seq": prior[0],
        "prior_digest": prior[1],
    }


def record(actor: Principal, action: str, user: User, prior: Prior) -> AuditEvent:
    """Append the ``credentials`` event of ``user`` after a service changed them."""
    return audit.record(actor, action, OBJECT_TYPE, rows=1, **carried(user, prior))


def walk() -> tuple[list[tuple[int, int, int]], dict[int, tuple[int, str]]]:
    """Walk every event carrying credentials in chain order (one query). Returns each broken
    link ``(user pk, previous seq, seq)`` and each user's latest ``(seq, digest)``."""
    latest: dict[int, tuple[int, str]] = {}
    broken: list[tuple[int, int, int]] = []
    events = (
        AuditEvent.objects.filter(object_type__in=CARRIERS)
        .exclude(digest="")
        .order_by("seq")
        .values_list("object_id", "seq", "digest", "prior_seq", "prior_digest")
        .iterator(chunk_size=10000)
    )
    for object_id, seq, value, prior_seq, prior_digest in events:
        pk = int(object_id)
        last = latest.get(pk)
        # A user's first event has nothing to link to (created, or older than this check).
        if last is not None and (prior_seq, prior_digest) != last:
            broken.append((pk, last[0], seq))
        latest[pk] = (seq, value)
    return broken, latest


def _future_steps() -> Iterator[Finding]:
    """``last_t`` is left out of the digest (it moves on every login), but set in the future it
    refuses every code until then: a device whose last used step lies ahead of the clock."""
    now = time.time()
    devices = TOTPDevice.objects.values_list("user_id", "user__username", "last_t", "t0", "step")
    for user_id, name, last_t, t0, step in devices.iterator(chunk_size=5000):
        username = mask_text(name)  # the auditor reads it: a person logs in by id number
        if step and last_t > (now - t0) // step + 1:
            yield Finding(
                f"auth_user {user_id} ({username}): the second factor's last used step lies in"
                " the future (set behind the application's back; every code would be refused)",
                f"auth_user {user_id}（{username}）：第二因素最近使用的时间步在未来"
                "（系绕过应用设置，所有动态口令都将被拒绝）",
            )


def check() -> Iterator[Finding]:
    """Verify's check: each user's credentials changed only by the events that carry them, and
    as stored now equal to the latest one. One query per table and one over the events."""
    yield from _future_steps()
    broken, recorded = walk()
    seen: set[int] = set()
    names: dict[int, str] = {}
    current: list[Finding] = []
    for pk, name, value in digests():
        username = mask_text(name)  # the auditor reads it: a person logs in by id number
        seen.add(pk)
        names[pk] = username
        claim = recorded.get(pk)
        if claim is None:
            current.append(
                Finding(
                    f"auth_user {pk} ({username}): credentials have no audit event"
                    " (the user was inserted behind the application's back)",
                    f"auth_user {pk}（{username}）：凭据无对应审计事件（该用户系绕过应用插入）",
                )
            )
        elif claim[1] != value:
            current.append(
                Finding(
                    f"auth_user {pk} ({username}): credentials differ from audit event"
                    f" {claim[0]} ({_WHAT_EN})",
                    f"auth_user {pk}（{username}）：凭据与审计事件 {claim[0]} 不符（{_WHAT_ZH}）",
                )
            )
    for pk, previous, seq in broken:
        name = names.get(pk, "?")
        yield Finding(
            f"auth_user {pk} ({name}): credentials changed between audit events {previous} and"
            f" {seq} with no event of their own ({_WHAT_EN})",
            f"auth_user {pk}（{name}）：凭据在审计事件 {previous} 与 {seq} 之间被改动且无对应事件"
            f"（{_WHAT_ZH}）",
        )
    yield from current
    for pk in sorted(set(recorded) - seen):
        yield Finding(
            f"auth_user {pk} is missing (deleted behind the application's back; its credentials"
            f" were last written by audit event {recorded[pk][0]})",
            f"auth_user {pk} 缺失（绕过应用删除；其凭据最后由审计事件 {recorded[pk][0]} 写入）",
        )


_WHAT_EN = (
    "password, role flags, tokens, second factor or lockout changed behind the application's back"
)
_WHAT_ZH = "密码、角色标志、令牌、第二因素或锁定状态被绕过应用修改"
