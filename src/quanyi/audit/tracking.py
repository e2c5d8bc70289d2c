"""Models whose rows the audit chain vouches for (the registry now; ledgers later).

A tracked model declares its object type and the fields that make up its content. The digest
of a row (a Merkle leaf) is the canonical JSON of ``{"type", "id", <fields>}``; the row's
``audit_seq`` column names the event that wrote its current content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db.models import Model

from quanyi.core.canonical import digest

M = TypeVar("M", bound=type[Model])

_TRACKED: dict[str, type[Model]] = {}


def tracked(object_type: str, fields: Sequence[str]) -> Callable[[M], M]:
    def register(model: M) -> M:
        model.audit_object_type = object_type  # type: ignore[attr-defined]
        model.audit_fields = tuple(fields)  # type: ignore[attr-defined]
        _TRACKED[object_type] = model
        return model

    return register


def tracked_models() -> dict[str, type[Model]]:
    return dict(_TRACKED)


def object_type_of(model: type[Model]) -> str:
    return str(model.audit_object_type)  # type: ignore[attr-defined]


def fields_of(model: type[Model]) -> tuple[str, ...]:
    return tuple(model.audit_fields)  # type: ignore[attr-defined]


def leaf(object_type: str, fields: Sequence[str], pk: int, values: Sequence[Any]) -> str:
    content = dict(zip(fields, values, strict=True))
    content["type"] = object_type
    content["id"] = pk
    return digest(content)


def stored_leaves(
    model: type[Model], pks: Iterable[int] | None = None, audit_seq: int | None = None
) -> Iterator[tuple[int, str]]:
    """``(pk, leaf)`` for rows as the database holds them, in primary-key order."""
    fields = fields_of(model)
    object_type = object_type_of(model)
    queryset = model._default_manager.all()
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    if audit_seq is not None:
        queryset = queryset.filter(audit_seq=audit_seq)
    for row in queryset.order_by("pk").values_list("pk", *fields).iterator(chunk_size=5000):
        yield row[0], leaf(object_type, fields, row[0], row[1:])
