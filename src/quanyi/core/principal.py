"""Who is acting: every service takes a principal and the audit event records it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

Source = Literal["web", "api", "cli", "batch"]


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Principal:
    """The acting user. ``region`` is the agency region whose records the user may act on.

    The accounts issue binds this to a logged-in user with roles; until then system commands
    (init, demo) act under their own fixed names.
    """

    actor: str
    source: Source
    region: str
    request_id: str = field(default_factory=new_request_id)

    @classmethod
    def system(cls, actor: str, source: Source = "cli") -> Principal:
        from django.conf import settings

        return cls(actor=actor, source=source, region=settings.QUANYI_REGION)
