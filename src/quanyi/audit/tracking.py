"""Models whose rows the audit chain vouches for (registry rows, ledgers, cases, accounts).

A tracked model declares its object type and the fields that make up its content. The digest
of a row (a Merkle leaf) is the SHA-256 of the canonical JSON of ``{"type", "id", <fields>}``;
the row's ``audit_seq`` column names the event that wrote its current content, and its
``row_digest`` column (32 raw bytes, added by ``@tracked`` itself so no model can forget it)
holds that leaf, so a row changed behind the application's back is named by its own id
(decision 0009). The digest is over the plaintext values, never over how a column is stored.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.operations.base import Operation
from django.db.models import Model

from quanyi.audit import appendonly
from quanyi.core.canonical import canonical_json

M = TypeVar("M", bound=type[Model])

DIGEST_COLUMN = "row_digest"
DIGEST_BYTES = 32

_TRACKED: dict[str, type[Model]] = {}


class DigestField(models.Field):
    """A row's digest: 32 raw bytes, ``bytea`` on PostgreSQL, ``BLOB`` on SQLite. Not Django's
    ``BinaryField``: that one has a ``get_placeholder`` (for other databases), which turns off
    the ``UNNEST`` form of ``bulk_create`` on PostgreSQL, and a demo's bulk loads then bind
    every value in client-side SQL (a 5,000-person demo took 60 % longer, measured)."""

    description = "row digest (32 raw bytes)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return None if value is None else bytes(value)


def digest_field() -> DigestField:
    """The column every tracked model carries. Nullable so a row can be inserted before the
    service that audits it stamps it (registry rows); verify names a row whose digest is
    missing."""
    return DigestField(max_length=DIGEST_BYTES, null=True)


def tracked(object_type: str, fields: Sequence[str]) -> Callable[[M], M]:
    def register(model: M) -> M:
        # Verify finds rows by their type: two models under one name would hide each other.
        if object_type in _TRACKED and _TRACKED[object_type] is not model:
            raise ImproperlyConfigured(
                f"object type {object_type!r} is tracked for {_TRACKED[object_type].__name__}"
                f" already; {model.__name__} needs a name of its own"
            )
        model.audit_object_type = object_type  # type: ignore[attr-defined]
        model.audit_fields = tuple(fields)  # type: ignore[attr-defined]
        if not any(field.name == DIGEST_COLUMN for field in model._meta.local_fields):
            model.add_to_class(DIGEST_COLUMN, digest_field())
        _TRACKED[object_type] = model
        return model

    return register


def tracked_models() -> dict[str, type[Model]]:
    return dict(_TRACKED)


def object_type_of(model: type[Model]) -> str:
    return str(model.audit_object_type)  # type: ignore[attr-defined]


def fields_of(model: type[Model]) -> tuple[str, ...]:
    return tuple(model.audit_fields)  # type: ignore[attr-defined]


def leaf_bytes(object_type: str, fields: Sequence[str], pk: int, values: Sequence[Any]) -> bytes:
    """The row's digest, raw: what ``row_digest`` stores and the Merkle tree hashes."""
    content = dict(zip(fields, values, strict=True))
    content["type"] = object_type
    content["id"] = pk
    return hashlib.sha256(canonical_json(content)).digest()


def leaf(object_type: str, fields: Sequence[str], pk: int, values: Sequence[Any]) -> str:
    return leaf_bytes(object_type, fields, pk, values).hex()


def leaf_of(obj: Model) -> bytes:
    """The digest of a row not yet inserted (its id already chosen), from its values as the
    database will return them: each passes through its field's ``to_python`` (a date given as
    a moment becomes that day, a code given as a number becomes text, a choice its plain code).
    A test holds this equal to the digest of the stored row for every tracked model; a foreign
    key must name a saved row (``record_batch`` refuses a row stored without its digest)."""
    model = type(obj)
    if obj.pk is None:
        raise ValueError("a row's digest names its id: choose the id before inserting")
    values = []
    for attname, plain, to_python in _normalisers(model):
        value = getattr(obj, attname)
        values.append(value if value is None or type(value) is plain else to_python(value))
    return leaf_bytes(object_type_of(model), fields_of(model), int(obj.pk), values)


@functools.cache
def _normalisers(model: type[Model]) -> tuple[tuple[str, type | None, Callable[[Any], Any]], ...]:
    """Per content field: its attribute, the type a value read back has (a value already of
    that exact type needs no conversion: most of a bulk load), and its ``to_python``."""
    found = []
    for name in fields_of(model):
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name} is not a column"
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        plain: type | None = None
        if isinstance(target, models.CharField | models.TextField):
            plain = str
        elif isinstance(target, models.IntegerField | models.AutoField):
            plain = int
        found.append((field.attname, plain, field.to_python))
    return tuple(found)


def stored_digest(value: bytes | memoryview | None) -> bytes | None:
    """``row_digest`` as read back (PostgreSQL gives a memoryview, SQLite bytes)."""
    return None if value is None else bytes(value)


def stored_leaves(
    model: type[Model], pks: Iterable[int] | None = None, audit_seq: int | None = None
) -> Iterator[tuple[int, str]]:
    """``(pk, leaf)`` for rows as the database holds them, in primary-key order."""
    for pk, raw, _ in stored_rows(model, pks, audit_seq):
        yield pk, raw.hex()


def stored_rows(
    model: type[Model], pks: Iterable[int] | None = None, audit_seq: int | None = None
) -> Iterator[tuple[int, bytes, bytes | None]]:
    """``(pk, leaf recomputed from the content, stored row_digest)`` in primary-key order."""
    fields = fields_of(model)
    object_type = object_type_of(model)
    queryset = model._default_manager.all()
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    if audit_seq is not None:
        queryset = queryset.filter(audit_seq=audit_seq)
    rows = queryset.order_by("pk").values_list("pk", DIGEST_COLUMN, *fields)
    for row in rows.iterator(chunk_size=5000):
        yield row[0], leaf_bytes(object_type, fields, row[0], row[2:]), stored_digest(row[1])


def write_stored_digests(
    model: type[Model],
    object_type: str,
    fields: Sequence[str],
    connection: BaseDatabaseWrapper,
    chunk: int = 5000,
) -> int:
    """Set every row's ``row_digest`` from its current content (the migration that adds the
    column). An append-only table's triggers are dropped for the rewrite and put back, in the
    migration's transaction. Pages by id so no read is open while its table is updated."""
    table = model._meta.db_table
    armed = appendonly.armed_triggers(table, connection)
    if armed:
        appendonly.disarm(table, connection)
    queryset = model._default_manager.using(connection.alias).order_by("pk")
    done, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            page = list(queryset.filter(pk__gt=last).values_list("pk", *fields)[:chunk])
            if not page:
                break
            cursor.executemany(
                f"UPDATE {table} SET {DIGEST_COLUMN} = %s WHERE id = %s",
                [(leaf_bytes(object_type, fields, row[0], row[1:]), row[0]) for row in page],
            )
            done, last = done + len(page), page[-1][0]
    if armed:
        appendonly.arm(table, connection)
    return done


class StoreRowDigests(Operation):
    """Migration operation: ``StoreRowDigests("person", "person", (fields…))`` fills the new
    ``row_digest`` column of an existing table. The type and fields are frozen in the
    migration, as the content of a leaf was when it ran."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, object_type: str, fields: Sequence[str]) -> None:
        self.model_name = model_name
        self.object_type = object_type
        self.fields = tuple(fields)

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        write_stored_digests(model, self.object_type, self.fields, schema_editor.connection)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass  # the column itself goes with the AddField it follows

    def describe(self) -> str:
        return f"Store the row digests of {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            "quanyi.audit.tracking.StoreRowDigests",
            [self.model_name, self.object_type, list(self.fields)],
            {},
        )
