"""Lists of region size taken a chunk at a time: one SQL statement binds a bounded number of
variables (SQLite: 250,000 in Debian's build, 999 in the smallest), so ``pk__in`` a million ids
is refused by the database. Django splits only its own bulk inserts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

# Under the smallest limit SQLite is built with (999), which Django's bulk_create assumes too.
LOOKUP_CHUNK = 900


def in_chunks(values: Iterable[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size``, in order."""
    items = iter(values)
    while chunk := list(islice(items, size)):
        yield chunk
