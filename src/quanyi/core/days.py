"""A calendar day given on the command line (``--on YYYY-MM-DD``), today when not given."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from quanyi.core.bounds import MAX_YEAR, MIN_YEAR
from quanyi.core.errors import InvalidInput


def day_or_today(text: str | None, field: str = "on") -> date:
    """``text`` as a date within the years a record can concern, or today in the agency's time
    zone when ``text`` is None; anything else is ``InvalidInput`` naming ``field``."""
    if text is None:
        return timezone.localdate()
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInput.one(
            field,
            "bad_date",
            f"日期应为 {MIN_YEAR}–{MAX_YEAR} 年间的 YYYY-MM-DD，收到 {text[:40]!r}",
            f"expected a date YYYY-MM-DD from {MIN_YEAR} to {MAX_YEAR}, got {text[:40]!r}",
        )
    return day
