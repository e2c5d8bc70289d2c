"""The final approval of a case is the one way to write registered data (001 art. 6; DESIGN.md
invariant 1). A principal counts as "applying a case" only inside ``granted``, which the
workflow enters at a case's final approval and leaves when the apply ends; a principal built
with a ``case_id`` anywhere else holds no grant and is refused like anyone else.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from quanyi.core.principal import Principal

_LIVE: contextvars.ContextVar[frozenset[tuple[int, str]]] = contextvars.ContextVar(
    "quanyi_applying", default=frozenset()
)


@contextmanager
def granted(principal: Principal, case_id: int) -> Iterator[Principal]:
    """The approver as the applier of ``case_id`` while the block runs."""
    applier = replace(principal, case_id=case_id)
    token = _LIVE.set(_LIVE.get() | {(case_id, principal.request_id)})
    try:
        yield applier
    finally:
        _LIVE.reset(token)


def is_applying(principal: Principal) -> bool:
    return (
        principal.case_id is not None and (principal.case_id, principal.request_id) in _LIVE.get()
    )
