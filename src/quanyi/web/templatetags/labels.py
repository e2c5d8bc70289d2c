"""Codes, regions and times as users read them: ``{{ r.insurance|label:"insurance" }}`` →
企业职工基本养老保险, ``{{ code|region }}`` → 北京市朝阳区 (110105), ``{{ stamp|when }}`` → the
agency's local time to the minute."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from quanyi.core import labels, regions
from quanyi.core.money import format_fen

register = template.Library()


@register.filter
def label(code: object, code_set: str) -> str:
    return labels.label(code_set, code)


@register.filter
def field_label(path: object) -> str:
    return labels.field_name(str(path))


# Fields whose values are codes of the code set of the same name.
_CODED = ("insurance", "category", "sex", "kind", "parameter", "role", "object", "clamped")
_REGIONS = frozenset({"region", "hukou_region", "residence_region", "agency_region"})


@register.filter
def value_for(value: object, field: object) -> str:
    """A case's value as a user reads it: codes by label, regions by name, fen as yuan, nothing
    as —, a mapping or a list item by item."""
    name = str(field).split(" ")[0]
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        separator = "; " if labels.current_language() == "en" else "；"
        colon = ": " if labels.current_language() == "en" else "："
        return separator.join(
            f"{labels.field_name(str(k))}{colon}{value_for(v, k)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ("; " if labels.current_language() == "en" else "；").join(
            value_for(item, name) for item in value
        )
    if name.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return format_fen(value)
    if name in _REGIONS:
        return region(value)
    if name == "key":
        return labels.label("parameter", value)
    if name in _CODED:
        return labels.label(name, value)
    return str(value)


@register.filter
def object_label(reference: object) -> str:
    return labels.object_name(str(reference))


@register.filter
def region(code: object) -> str:
    if not code:
        return "—"
    found = regions.lookup(str(code))
    return f"{found.name} ({code})" if found else str(code)


@register.filter
def when(value: object) -> str:
    """An instant (a datetime or its ISO text) in the agency's time zone, to the minute."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if not isinstance(value, datetime):
        return "—" if value is None else str(value)
    if timezone.is_naive(value):
        return value.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
