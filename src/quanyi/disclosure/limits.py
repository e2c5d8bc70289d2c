"""Enumeration stopped (001 art. 22: never a whole-database exchange): a reader who looks up
more distinct id numbers — found or not — than their role allows in a window is first slowed,
then refused, and the auditor gets an alert. Statutory batches read under a declared basis and
do not pass here.

The limits are data: ``LIMITS`` per role (the most generous role held counts), overridable by
``QUANYI_LOOKUP_LIMITS`` (``role=count,…``) and ``QUANYI_LOOKUP_WINDOW`` (seconds)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from quanyi.access.errors import Refused
from quanyi.audit import checkpoints
from quanyi.core import crypto, kept
from quanyi.core.principal import Principal
from quanyi.disclosure.models import Lookup

LIMITS: dict[str, int] = {
    "querier": 100,
    "operator": 300,
    "checker": 300,
    "reviewer": 300,
    "rechecker": 300,
    "approver": 300,
    "employer": 500,
    "external": 20,
    "person": 20,
}
DEFAULT_LIMIT = 100
WINDOW_SECONDS = 3600
# From this share of the limit on, every new id number waits ``QUANYI_LOOKUP_DELAY`` seconds.
SLOW_FROM = 0.8
ALERT_KIND = "enumeration"


@dataclass(frozen=True)
class Admitted:
    distinct: int  # distinct id numbers in the window, this one included
    limit: int
    delay: float  # seconds this look-up was held back


def limit_of(principal: Principal) -> int:
    limits = {**LIMITS, **_configured()}
    held = [limits[role] for role in principal.roles if role in limits]
    return max(held) if held else DEFAULT_LIMIT


def _configured() -> dict[str, int]:
    text = str(getattr(settings, "QUANYI_LOOKUP_LIMITS", "") or "")
    found: dict[str, int] = {}
    for pair in text.split(","):
        role, _, count = pair.partition("=")
        if role.strip() and count.strip().isdigit():
            found[role.strip()] = int(count)
    return found


def window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "QUANYI_LOOKUP_WINDOW", WINDOW_SECONDS)))


def key_of(id_number: str) -> str:
    return crypto.keyring().index("id_number", id_number.strip().upper()).hex()


def admit(principal: Principal, id_number: str) -> Admitted:
    """Count this look-up (kept even if the read then fails) and hold it back or refuse it."""
    key = key_of(id_number)
    now = timezone.now()
    recent = Lookup.objects.filter(actor=principal.actor, time__gte=now - window())
    seen = set(recent.values_list("key", flat=True).distinct())
    distinct = len(seen | {key})
    limit = limit_of(principal)
    kept.keep(lambda: Lookup.objects.create(actor=principal.actor, key=key, time=now))
    if key in seen:
        return Admitted(distinct, limit, 0.0)
    if distinct > limit:
        if distinct == limit + 1:
            _alert(principal, limit)
        raise Refused(
            f"查询过于频繁：{_hours()}内已查询 {limit} 个不同的身份号码，已达上限；"
            "批量提供须办理业务件（001 第二十二条）",
            f"refused: {limit} distinct id numbers looked up within {_hours_en()}, the limit"
            " for your role; bulk provision takes a reviewed case (001 art. 22)",
            "record.lookup_limit",
        )
    delay = 0.0
    if distinct >= limit * SLOW_FROM:
        delay = float(getattr(settings, "QUANYI_LOOKUP_DELAY", 1.0))
        if delay > 0:
            time.sleep(delay)
    return Admitted(distinct, limit, delay)


def _alert(principal: Principal, limit: int) -> None:
    checkpoints.alert(
        checkpoints.Refusal(
            en=f"{principal.actor} looked up more than {limit} distinct id numbers within"
            f" {_hours_en()} ({principal.source}); further look-ups refused (001 art. 22)",
            zh=f"{principal.actor} 在{_hours()}内查询超过 {limit} 个不同身份号码"
            f"（{principal.source}），其后查询已拒绝（001 第二十二条）",
        ),
        source=principal.source,
        actor=principal.actor,
        kind=ALERT_KIND,
    )


def _hours() -> str:
    seconds = int(window().total_seconds())
    return f"{seconds // 3600} 小时" if seconds % 3600 == 0 else f"{seconds} 秒"


def _hours_en() -> str:
    seconds = int(window().total_seconds())
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds} s"
