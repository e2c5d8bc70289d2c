"""Sealed periods (封存, 003 §5): data of a closed period is changed only by a ``record.correct``
case through all five stages, with a maintenance-log entry.

A month seals once posted and a year once its interest is credited.
Registry data seals ``QUANYI_SEAL_AFTER_DAYS`` after it was last written (default 30).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Model

from quanyi.audit.models import AuditEvent
from quanyi.core.errors import InvalidInput


def written_at(row: Model) -> datetime | None:
    seq = getattr(row, "audit_seq", None)
    if seq is None:
        return None
    return AuditEvent.objects.filter(seq=seq).values_list("time", flat=True).first()


def is_sealed(row: Model, now: datetime | None = None) -> bool:
    written = written_at(row)
    window = timedelta(days=settings.QUANYI_SEAL_AFTER_DAYS)
    return written is not None and written <= (now or datetime.now(UTC)) - window


def refuse_if_sealed(row: Model, touched: Iterable[str], sealable: Iterable[str]) -> None:
    """Refuse an ordinary change of sealed fields: it takes a correction case."""
    fields = sorted(set(touched) & set(sealable))
    if not fields or not is_sealed(row):
        return
    written = written_at(row)
    day = written.date().isoformat() if written else "?"
    raise InvalidInput.one(
        fields[0],
        "sealed",
        f"该记录已封存（{day} 登记，超过 {settings.QUANYI_SEAL_AFTER_DAYS} 天），"
        f"更改 {', '.join(fields)} 须办理更正业务（record.correct）",
        f"sealed (written {day}, over {settings.QUANYI_SEAL_AFTER_DAYS} days ago): changing"
        f" {', '.join(fields)} takes a record.correct case",
    )
