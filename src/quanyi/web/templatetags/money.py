"""``{{ amount_fen|fen }}`` shows integer fen as yuan (``123456`` → ``1,234.56``)."""

from __future__ import annotations

from django import template

from quanyi.core.money import format_fen

register = template.Library()


@register.filter
def fen(value: object) -> str:
    return format_fen(value) if isinstance(value, int) else "—"
