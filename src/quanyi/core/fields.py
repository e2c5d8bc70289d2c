"""Model fields that keep identities encrypted at rest (``core.crypto``), so the rest of the code
barely notices: a model reads and writes plain strings, and ``filter(id_number=x)`` or
``filter(id_number__in=[…])`` still finds its rows.

- ``SealedText``: the column holds the sealed value (``bytea`` on PostgreSQL, ``BLOB`` on
  SQLite); a sibling column ``<name>_index`` (``BlindIndex``, 32 bytes, indexed — unique where
  the field is declared unique) holds its blind index, added and kept up to date by the field
  itself. ``exact`` and ``in`` look up the index; ``isnull`` the column; any other lookup is an
  error, for an encrypted column cannot be compared, ordered or searched in SQL.
- ``SealedJSON``: a JSON column whose whole value is sealed into ``{"$sealed": "<base64>"}``.
  The column stays JSON, so an append-only table that holds plain JSON from before keeps its
  rows as they are (never rewritten): a value without the envelope is read as it is.

Rows must change by saving them: ``save(update_fields=[name])`` writes the index too (the
model's ``save`` is wrapped to add it), but ``QuerySet.update`` on a sealed field would leave
its index stale and is not used.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from django.apps import apps as global_apps
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In

from quanyi.core import crypto

INDEX_BYTES = 32
ENVELOPE = "$sealed"


class _Bytes(models.Field):
    """A raw bytes column. Not Django's ``BinaryField``: its ``get_placeholder`` turns off the
    ``UNNEST`` form of ``bulk_create`` on PostgreSQL (see ``audit.tracking.DigestField``)."""

    def get_internal_type(self) -> str:
        return "BinaryField"


class BlindIndex(_Bytes):
    """HMAC-SHA256 of its ``source`` field's value (``crypto.blind_index``), computed whenever
    the row is written."""

    description = "blind index (HMAC-SHA256, 32 raw bytes)"

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs["editable"] = False
        kwargs.setdefault("max_length", INDEX_BYTES)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        value = getattr(model_instance, self.source)
        index = None if value is None else crypto.keyring().index(self.purpose, str(value))
        setattr(model_instance, self.attname, index)
        return index

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return None if value is None else bytes(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        return None if value is None else bytes(value)


class SealedText(_Bytes):
    """A text value stored sealed, found through its blind index (module docstring).

    ``purpose`` names what the value is (``id_number``, ``phone``): equal values of one purpose
    have equal indexes wherever they are stored."""

    description = "text sealed with AES-256-GCM, looked up by a blind index"

    def __init__(self, *args: Any, purpose: str, unique: bool = False, **kwargs: Any) -> None:
        self.purpose = purpose
        self.index_unique = unique  # the index is unique; ciphertexts differ anyway
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.index_unique:
            kwargs["unique"] = True
        return name, path, args, kwargs

    @property
    def index_name(self) -> str:
        return f"{self.name}_index"

    def contribute_to_class(self, cls: type[models.Model], name: str, *args: Any) -> None:
        super().contribute_to_class(cls, name, *args)
        if cls._meta.abstract:
            return
        _save_indexes_too(cls)
        # A migration's historical model declares the sibling itself (its own AddField).
        if cls._meta.apps is global_apps and not any(
            field.name == self.index_name for field in cls._meta.local_fields
        ):
            cls.add_to_class(
                self.index_name,
                BlindIndex(
                    source=name,
                    purpose=self.purpose,
                    unique=self.index_unique,
                    db_index=not self.index_unique,
                ),
            )

    def to_python(self, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else str(value)

    def get_prep_value(self, value: Any) -> Any:
        return self.to_python(super().get_prep_value(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return crypto.keyring(connection).seal(value.encode())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, bytes | memoryview):
            raise crypto.Unreadable()  # plain text where a sealed value belongs
        return crypto.open_value(bytes(value), connection).decode()

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in _ON_INDEX:
            return _ON_INDEX[lookup_name]
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(max_length=self.max_length, required=not self.blank, **kwargs)


def _on_index(lookup_name: str, lhs: Any, rhs: Any) -> Any:
    """``exact``/``in`` on a sealed column, answered by its sibling index column."""
    field = lhs.output_field
    if not isinstance(lhs, Col) or not isinstance(field, SealedText):
        raise FieldError(f"{field} is encrypted: compare it only as a column")
    index_field = field.model._meta.get_field(field.index_name)
    assert isinstance(index_field, BlindIndex)
    column = Col(lhs.alias, index_field)
    ring = crypto.keyring()
    value: bytes | list[bytes] | None
    if lookup_name == "exact":
        value = None if rhs is None else ring.index(field.purpose, str(field.to_python(rhs)))
    else:
        if hasattr(rhs, "resolve_expression") or isinstance(rhs, str | bytes):
            raise FieldError(f"{field.name}__in takes a list of values, not a query")
        value = [
            ring.index(field.purpose, str(field.to_python(item)))
            for item in rhs
            if item is not None
        ]
    lookup = index_field.get_lookup(lookup_name)
    assert lookup is not None
    return lookup(column, value)


class _IndexExact(Exact):
    """``exact`` as Django (and the type checker's plugin) sees it; built on the index."""

    def __new__(cls, lhs: Any, rhs: Any) -> Any:
        return _on_index("exact", lhs, rhs)


class _IndexIn(In):
    def __new__(cls, lhs: Any, rhs: Any) -> Any:
        return _on_index("in", lhs, rhs)


_ON_INDEX: dict[str, type] = {"exact": _IndexExact, "in": _IndexIn}


def _save_indexes_too(cls: type[models.Model]) -> None:
    """``save(update_fields=[…])`` of a sealed field writes its index too."""
    if "_quanyi_saves_indexes" in cls.__dict__:
        return
    original = cls.save

    @functools.wraps(original)
    def save(self: models.Model, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            for field in type(self)._meta.concrete_fields:
                if isinstance(field, SealedText) and field.name in names:
                    names.add(field.index_name)
            kwargs["update_fields"] = names
        original(self, *args, **kwargs)

    cls.save = save  # type: ignore[method-assign]
    cls._quanyi_saves_indexes = True  # type: ignore[attr-defined]


class SealedJSON(models.JSONField):
    """A JSON value stored sealed whole (module docstring)."""

    description = "JSON sealed with AES-256-GCM"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or hasattr(value, "as_sql") or hasattr(value, "resolve_expression"):
            return super().get_db_prep_value(value, connection, prepared)
        text = json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))
        sealed = crypto.keyring(connection).seal(text.encode())
        envelope = {ENVELOPE: base64.b64encode(sealed).decode("ascii")}
        return super().get_db_prep_value(envelope, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        found = super().from_db_value(value, expression, connection)
        if isinstance(found, dict) and len(found) == 1 and ENVELOPE in found:
            try:
                sealed = base64.b64decode(found[ENVELOPE], validate=True)
            except (TypeError, ValueError):
                raise crypto.Unreadable() from None
            return json.loads(crypto.open_value(sealed, connection), cls=self.decoder)
        return found

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None
