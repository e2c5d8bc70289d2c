"""Authorization in one place: every view, endpoint and command asks ``authorize(principal,
permission, obj)``. Apps declare their permissions as data (``core.permissions``, named in
their ``Plugin``); each becomes one predicate of the ``rules`` library here. Every read of
person records goes through ``readable(principal, queryset)``.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import rules
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from quanyi.access.applying import is_applying
from quanyi.access.errors import Refused
from quanyi.access.roles import ADMINISTRATIVE
from quanyi.core import plugins, regions
from quanyi.core.permissions import Permission
from quanyi.core.principal import Principal

M = TypeVar("M", bound=Model)


def _holds(roles: frozenset[str]) -> Any:
    @rules.predicate(name=f"holds any of {sorted(roles)}")
    def predicate(principal: Principal) -> bool:
        return bool(principal.roles & roles)

    return predicate


@rules.predicate
def is_administrative(principal: Principal) -> bool:
    return bool(principal.roles & ADMINISTRATIVE)


@rules.predicate
def in_region(principal: Principal, obj: Any) -> bool:
    if obj is None:
        return True
    region = getattr(obj, "agency_region", None) or getattr(obj, "region", None)
    return region is not None and regions.covers(principal.region, region)


def _scoped(scope: str) -> Any:
    @rules.predicate(name=f"token allows {scope}")
    def predicate(principal: Principal) -> bool:
        return principal.scopes is None or scope in principal.scopes

    return predicate


@rules.predicate
def applying_a_case(principal: Principal) -> bool:
    return is_applying(principal)


def predicate_of(rule: Permission) -> Any:
    """One ``rules`` predicate for a declared permission (``core.permissions``)."""
    held = _holds(rule.roles)
    if rule.business:
        held = held & ~is_administrative
    if rule.scope:
        held = held & _scoped(rule.scope)
    if rule.applying_only:
        held = held & applying_a_case
    if rule.applying:
        held = held | (applying_a_case & ~is_administrative)
    return held & in_region if rule.region else held


@functools.cache
def declared() -> dict[str, tuple[Permission, Any]]:
    """Every permission the installed apps declare, with its predicate."""
    found: dict[str, tuple[Permission, Any]] = {}
    for label, plugin in plugins.installed():
        if plugin.permissions is None:
            continue
        for name, rule in plugins.resolve(plugin.permissions).items():
            if name in found:
                raise ImproperlyConfigured(f"permission {name} declared twice ({label})")
            found[name] = (rule, predicate_of(rule))
    return found


def allowed(principal: Principal, permission: str, obj: Any = None) -> bool:
    """``permission`` is a declared name: a member of an app's permission enum, or its value."""
    predicate = declared()[permission][1]
    return bool(predicate.test(principal, obj))


def authorize(principal: Principal, permission: str, obj: Any = None) -> None:
    """Raise ``Refused`` (naming the rule) unless the principal may."""
    if not allowed(principal, permission, obj):
        rule = declared()[permission][0]
        zh, en = rule.zh, rule.en
        ref = f"{type(obj).__name__.lower()} {obj.pk}" if isinstance(obj, Model) else ""
        raise Refused(f"无权操作：{zh}", f"refused: {en}", permission, ref)


# Where each scoped model keeps the region it belongs to, nearest first.
_REGION_FIELDS = ("agency_region", "region", "person__agency_region", "employer__agency_region")


def scope(queryset: QuerySet[M], principal: Principal, field: str | None = None) -> QuerySet[M]:
    """The rows of ``queryset`` in a region the principal's agency covers — the one meaning of
    "region covers" (``core.regions.covers``) for every scoped read. Rows outside answer
    exactly like absent ones. ``field`` names the region column when the model's is not one
    of the usual ones."""
    return queryset.filter(regions.within(field or _region_field(queryset.model), principal.region))


def _region_field(model: type[Model]) -> str:
    names = {f.name for f in model._meta.get_fields()}
    for path in _REGION_FIELDS:
        if path.split("__")[0] in names:
            return path
    raise ImproperlyConfigured(f"{model.__name__} has no region to scope by")


def readable(principal: Principal, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` (persons, or rows with a ``person``) the principal may read.

    Refuses outright — never an empty answer — when the principal may read no records at all.
    """
    authorize(principal, "record.read")
    return scope(queryset, principal)
