"""Codes, regions and times as users read them: ``{{ r.insurance|label:"insurance" }}`` →
企业职工基本养老保险, ``{{ code|region }}`` → 北京市朝阳区 (110105), ``{{ stamp|when }}`` → the
agency's local time to the minute."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from quanyi.core import labels, regions

register = template.Library()


@register.filter
def label(code: object, code_set: str) -> str:
    return labels.label(code_set, code)


@register.filter
def field_label(path: object) -> str:
    return labels.field_name(str(path))


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
