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
    """The acting user, as authenticated by ``access``: name, roles, the agency region whose
    records they may act on, and for outside accounts what they are bound to.

    System commands that need no login (init, demo) act under fixed names with no roles.
    """

    actor: str
    source: Source
    region: str
    request_id: str = field(default_factory=new_request_id)
    roles: frozenset[str] = frozenset()
    user_id: int | None = None
    kind: str = "staff"
    employer_id: int | None = None
    person_id: int | None = None
    scopes: frozenset[str] | None = None  # an API token's scopes; None: not limited by a token
    # The case whose final approval this principal is applying; it counts only inside
    # ``access.applying.granted``, which the workflow enters (001 art. 6; DESIGN invariant 1).
    case_id: int | None = None

    @classmethod
    def system(cls, actor: str, source: Source = "cli") -> Principal:
        from django.conf import settings

        return cls(actor=actor, source=source, region=settings.QUANYI_REGION)

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))
