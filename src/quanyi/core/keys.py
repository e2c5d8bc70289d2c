"""The master key's life: created by ``quanyi init``, rotated by ``quanyi keys rotate``; the data
keys created with the database (``core`` migration 0002) — ``core.crypto`` describes the scheme.

Rotation re-wraps every data key under a new master key and changes no ciphertext and no blind
index. It survives ``kill -9`` at any point and is finished by running it again:

1. the new master key is written whole to ``<key file>.new`` (a rerun reuses it);
2. one transaction re-wraps every data key with it, each row naming the master that wraps it,
   and appends the ``keys.rotate`` audit event;
3. ``<key file>.new`` is renamed over the key file (atomic), and the directory synced.

Between 2 and 3 the rows name the new key while the key file still holds the old one: readers
try both files (``crypto.available_masters``) and never write either; only this command renames.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from quanyi.core import crypto
from quanyi.core.models import DataKey
from quanyi.core.principal import Principal

# Sent inside the rotation's transaction with ``principal``, ``keys`` (how many data keys the
# new master wraps) and ``master`` (its id): the audit app records the event.
rotated = Signal()

# Test hook: ``written`` or ``committed`` stops the rotation there for a minute, so a test can
# kill it at that point.
PAUSE_VARIABLE = "QUANYI_KEYS_ROTATE_PAUSE"


@dataclass(frozen=True)
class Rotation:
    keys: int
    master: str
    resumed: bool
    added: int | None = None  # a seal key added by ``--new-data-key``


def database_has_keys() -> bool:
    if crypto.TABLE not in connection.introspection.table_names():
        return False
    return bool(crypto.stored_keys(connection))


def ensure_master_key() -> bool:
    """``quanyi init``: create the master key file if there is none — only for a database with
    no data keys yet: one that has some needs the key that wraps them, from its backup."""
    path = crypto.key_file()
    if path.exists() or crypto.pending_path(path).exists():
        return False
    if database_has_keys():
        crypto.read_master(path)  # raises: the key file is missing
    crypto.write_master(path, crypto.new_key())
    return True


def create_data_keys(model: Any) -> int:
    """Create the seal key and the index key a database lacks (its ``core`` migration), wrapped
    by the master key. ``model`` is the migration's ``DataKey``."""
    path = crypto.key_file()
    master = crypto.read_master(path)
    have = set(model.objects.values_list("purpose", flat=True))
    made = 0
    for purpose in (crypto.SEAL, crypto.INDEX):
        if purpose not in have:
            _add(model, master, purpose)
            made += 1
    return made


def _add(model: Any, master: bytes, purpose: str) -> int:
    key_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = timezone.now()
    model.objects.create(
        pk=key_id,
        purpose=purpose,
        wrapped=crypto.wrap(master, key_id, purpose, crypto.new_key()),
        master=crypto.master_id(master),
        created_at=now,
        wrapped_at=now,
    )
    return key_id


def rotate(principal: Principal, *, new_data_key: bool = False) -> Rotation:
    """Re-wrap every data key under a new master key (module docstring); with ``new_data_key``
    also add a seal key that new values use from then on (old values keep theirs)."""

    path = crypto.key_file()
    pending = crypto.pending_path(path)
    with _exclusive(path):
        current = crypto.read_master(path)
        resumed = pending.exists()
        if resumed:
            new = crypto.read_master(pending)
        else:
            new = crypto.new_key()
            crypto.write_master(pending, new)
        _pause("written")
        masters = {crypto.master_id(current): current, crypto.master_id(new): new}
        new_id = crypto.master_id(new)
        added = None
        with transaction.atomic():
            rows = list(DataKey.objects.select_for_update().order_by("pk"))
            now = timezone.now()
            for row in rows:
                key = _unwrapped(masters, row, path)
                row.wrapped = crypto.wrap(new, row.pk, row.purpose, key)
                row.master = new_id
                row.wrapped_at = now
                row.save(update_fields=["wrapped", "master", "wrapped_at"])
            if new_data_key:
                added = _add(DataKey, new, crypto.SEAL)
            count = len(rows) + (1 if added else 0)
            rotated.send(DataKey, principal=principal, keys=count, master=new_id)
        _pause("committed")
        os.replace(pending, path)
        crypto.sync_directory(path.parent)
    crypto.forget()
    return Rotation(count, new_id, resumed, added)


def _unwrapped(masters: dict[str, bytes], row: Any, path: Path) -> bytes:
    master = masters.get(row.master)
    if master is None:
        raise crypto.KeyProblem(
            f"数据密钥 {row.pk} 由主密钥 {row.master} 加密，但 {path} 及其 .new 文件中都没有该密钥",
            f"data key {row.pk} is wrapped by master key {row.master}, which is neither {path}"
            " nor its .new file",
        )
    try:
        return crypto.unwrap(master, row.pk, row.purpose, bytes(row.wrapped))
    except InvalidTag:
        raise crypto.KeyProblem(
            f"数据密钥 {row.pk} 无法用主密钥 {row.master} 解开（该行已被修改）",
            f"data key {row.pk} does not open with master key {row.master} (the row was changed)",
        ) from None


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One rotation at a time (a second waits for the first)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _pause(point: str) -> None:
    if os.environ.get(PAUSE_VARIABLE) == point:
        print(f"keys rotate: paused {point}", file=sys.stderr, flush=True)
        time.sleep(60)
