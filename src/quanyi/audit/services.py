"""Appending to the audit chain. Called by services inside the caller's transaction.

The chain is serialised: on PostgreSQL an advisory transaction lock, on SQLite the IMMEDIATE
transaction mode (settings) already gives one writer at a time; ``seq`` is the primary key, so
a fork is impossible either way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

from quanyi.audit import bulk, tracking
from quanyi.audit.models import AuditEvent
from quanyi.core.canonical import digest as content_digest
from quanyi.core.canonical import format_time, merkle_root_of_digests
from quanyi.core.errors import KeptFailure
from quanyi.core.principal import Principal

GENESIS = "0" * 64
_CHAIN_LOCK = 0x7175_616E_7969  # "quanyi"
# An 18-character resident id number; it must never reach the log in clear.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

HASHED_FIELDS = (
    "seq",
    "time",
    "actor",
    "source",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "rows",
    "result",
    "digest",
    "prior_seq",
    "prior_digest",
    "prev_hash",
)


M = TypeVar("M", bound=Model)


def event_hash(values: dict[str, Any]) -> str:
    content = {name: values[name] for name in HASHED_FIELDS}
    content["time"] = format_time(content["time"])
    return content_digest(content)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the caller's transaction")


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def head() -> tuple[int, str]:
    """(seq, hash) of the last event; (0, GENESIS) on an empty chain."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], last[1]) if last else (0, GENESIS)


def reserve_seq() -> int:
    """Lock the chain and return the seq the next event will get (for batches that stamp rows
    with it before the event exists)."""
    _require_transaction()
    _lock_chain()
    return head()[0] + 1


def _refuse_secrets(*texts: str) -> None:
    for text in texts:
        if _ID_NUMBER.search(text):
            raise ValueError("an id number must not be written to the audit log in clear")


def record(
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str = "",
    *,
    digest: str = "",
    rows: int = 0,
    result: str = "ok",
    prior_seq: int | None = None,
    prior_digest: str = "",
    expect_seq: int | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction and return it."""
    _require_transaction()
    _refuse_secrets(principal.actor, action, object_type, object_id)
    _lock_chain()
    last_seq, last_hash = head()
    seq = last_seq + 1
    if expect_seq is not None and seq != expect_seq:
        raise RuntimeError(f"audit chain moved: reserved {expect_seq}, next is {seq}")
    values: dict[str, Any] = {
        "seq": seq,
        "time": datetime.now(UTC),
        "actor": principal.actor,
        "source": principal.source,
        "request_id": principal.request_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "rows": rows,
        "result": result,
        "digest": digest,
        "prior_seq": prior_seq,
        "prior_digest": prior_digest,
        "prev_hash": last_hash,
    }
    _check_lengths(values)
    values["hash"] = event_hash(values)
    return AuditEvent.objects.create(**values)


def _check_lengths(values: dict[str, Any]) -> None:
    # SQLite would keep an over-long value that PostgreSQL refuses: fail alike on both.
    for field in AuditEvent._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = values.get(field.name)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ValueError(f"audit {field.name} longer than {limit}: {value[:limit]}…")


def current_leaf(obj: Model) -> str:
    model = type(obj)
    return next(iter(tracking.stored_leaves(model, pks=[obj.pk])))[1]


def prior_version(obj: Model) -> tuple[int, str]:
    """(audit_seq, leaf) of a tracked row as stored now, taken before a service changes it."""
    return int(obj.audit_seq), current_leaf(obj)  # type: ignore[attr-defined]


def record_row(
    principal: Principal, action: str, obj: Model, prior: tuple[int, str] | None = None
) -> AuditEvent:
    """Audit one saved row of a tracked model and stamp the row with the event's seq and its
    digest, read back from the row as stored."""
    model = type(obj)
    leaf = current_leaf(obj)
    event = record(
        principal,
        action,
        tracking.object_type_of(model),
        str(obj.pk),
        digest=leaf,
        rows=1,
        prior_seq=prior[0] if prior else None,
        prior_digest=prior[1] if prior else "",
    )
    raw = bytes.fromhex(leaf)
    model._default_manager.filter(pk=obj.pk).update(audit_seq=event.seq, row_digest=raw)
    obj.audit_seq = event.seq  # type: ignore[attr-defined]
    obj.row_digest = raw  # type: ignore[attr-defined]
    return event


def update_row(principal: Principal, action: str, row: M, **changes: Any) -> M:
    """Write ``changes`` to a tracked row and audit it with the version it replaces."""
    prior = prior_version(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=list(changes))
    record_row(principal, action, row, prior)
    return row


def stamp_rows(rows: Sequence[M], seq: int) -> list[bytes]:
    """Ready unsaved rows of one tracked model for ``bulk_create`` in the unit ``seq`` (from
    ``reserve_seq``, whose lock is held): fresh ids, the seq and each row's digest, which must
    be in the INSERT (an append-only row can never be updated). Call it right before each
    ``bulk_create`` of the unit, then ``record_batch``. Returns the digests in id order."""
    if not rows:
        return []
    model = type(rows[0])
    first = bulk.next_ids(model._meta.db_table, len(rows))
    digests = []
    for pk, row in enumerate(rows, start=first):
        row.pk = pk
        row.audit_seq = seq  # type: ignore[attr-defined]
        row.row_digest = digest = tracking.leaf_of(row)  # type: ignore[attr-defined]
        digests.append(digest)
    return digests


def create_entry(principal: Principal, action: str, model: type[M], **values: Any) -> M:
    """Insert one row of an append-only ledger already stamped with the seq of the event that
    audits it and with its digest (the row can never be updated afterwards)."""
    seq = reserve_seq()
    row = model(**values)
    (digest,) = stamp_rows([row], seq)
    row.save(force_insert=True)
    stored = current_leaf(row)
    if stored != digest.hex():
        raise RuntimeError(
            f"{tracking.object_type_of(model)} {row.pk}: the digest computed before insert"
            " differs from the stored row's (a value the database changes on the way in)"
        )
    record(
        principal,
        action,
        tracking.object_type_of(model),
        str(row.pk),
        digest=stored,
        rows=1,
        expect_seq=seq,
    )
    return row


def record_batch(principal: Principal, action: str, model: type[Model], seq: int) -> AuditEvent:
    """One event for every row of ``model`` a unit of work inserted stamped with ``seq``
    (from ``reserve_seq``, rows readied by ``stamp_rows``): its digest is the Merkle root of
    their leaves in key order, recomputed from the stored rows, each of which must already
    store that leaf as its digest."""
    leaves = []
    for pk, leaf, stored in tracking.stored_rows(model, audit_seq=seq):
        if stored != leaf:
            raise RuntimeError(
                f"{tracking.object_type_of(model)} {pk} was inserted without its digest"
                " (stamp_rows before bulk_create)"
            )
        leaves.append(leaf)
    return record(
        principal,
        action,
        tracking.object_type_of(model),
        "",
        digest=merkle_root_of_digests(leaves),
        rows=len(leaves),
        expect_seq=seq,
    )


def record_batch_leaves(
    principal: Principal, action: str, model: type[Model], seq: int, digests: list[bytes]
) -> AuditEvent:
    """``record_batch`` for a unit that computed its rows' leaf digests (raw bytes, in key
    order) while writing them into each row's ``row_digest`` (``bulk.write_rows``,
    ``contributions.bulk.write_lines``), so nothing is read back. ``audit verify`` recomputes
    them from the stored rows."""
    return record(
        principal,
        action,
        tracking.object_type_of(model),
        "",
        digest=merkle_root_of_digests(digests),
        rows=len(digests),
        expect_seq=seq,
    )


def record_failure(principal: Principal, failure: KeptFailure) -> AuditEvent:
    """Keep a refusal or failed apply as an event, in a transaction of its own: the work that
    failed has rolled back, the fact that it was tried has not."""
    from django.db import transaction

    action, object_type, object_id, result = failure.audit_entry()
    with transaction.atomic():
        return record(principal, action, object_type, object_id, result=result)


def record_key_rotation(
    sender: Any, *, principal: Principal, keys: int, master: str, **_: Any
) -> AuditEvent:
    """``quanyi keys rotate`` re-wrapped ``keys`` data keys under master key ``master`` (its id,
    not the key), in this transaction (``core.keys.rotated``)."""
    return record(principal, "keys.rotate", "data_key", master, rows=keys)
