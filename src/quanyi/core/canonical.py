"""Canonical content and digests, so SQLite and PostgreSQL hash the same bytes (invariant 5).

Canonical JSON: sorted keys, no spaces, UTF-8, integers for money, dates as ISO ``YYYY-MM-DD``,
times as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fractional digits).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in canonical content")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not canonical: {type(value).__name__}")


def canonical_json(content: Any) -> bytes:
    """Floats and Decimals are refused: money is integer fen, rates are strings."""
    _refuse_floats(content)
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode("utf-8")


def _refuse_floats(content: Any) -> None:
    if isinstance(content, float):
        raise TypeError("float in canonical content")
    if isinstance(content, dict):
        for item in content.values():
            _refuse_floats(item)
    elif isinstance(content, list | tuple):
        for item in content:
            _refuse_floats(item)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(content: Any) -> str:
    return sha256_hex(canonical_json(content))


def merkle_root(leaves: Sequence[str]) -> str:
    """Root of hex leaf digests in the given order; a lone leaf is its own root.

    Pairs hash as sha256(left || right) over raw bytes; an odd node at the end of a level is
    carried up unchanged (so no leaf is ever counted twice).
    """
    return merkle_root_of_digests([bytes.fromhex(leaf) for leaf in leaves])


def merkle_root_of_digests(digests: Sequence[bytes]) -> str:
    """``merkle_root`` of raw 32-byte digests (bulk writers keep them raw: no hex round trip)."""
    if not digests:
        return ""
    sha256 = hashlib.sha256
    level = list(digests)
    while len(level) > 1:
        paired = [sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
