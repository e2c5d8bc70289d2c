"""Signed checkpoints of the chain head, kept outside the database (invariant 5).

A checkpoint is a small JSON file ``<seq>.json`` in ``QUANYI_CHECKPOINT_DIR`` holding the seq,
hash and time of the chain head and an Ed25519 signature over their canonical form. Whoever
rewrites the database cannot rewrite these without the signing key, so a truncated tail or a
re-computed chain shows up against the latest checkpoint.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from quanyi.audit import services
from quanyi.core.canonical import canonical_json, format_time

PRIVATE_KEY = "audit-ed25519.key"
PUBLIC_KEY = "audit-ed25519.pub"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    signature: str

    def signed_bytes(self) -> bytes:
        return canonical_json({"seq": self.seq, "hash": self.hash, "time": self.time})


def key_dir() -> Path:
    return Path(settings.QUANYI_DATA_DIR) / "keys"


def checkpoint_dir() -> Path:
    return Path(settings.QUANYI_CHECKPOINT_DIR)


def _write_private(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_keys() -> bool:
    """Generate the signing key pair if absent; True if it was created now."""
    private_path = key_dir() / PRIVATE_KEY
    if private_path.exists():
        return False
    key = Ed25519PrivateKey.generate()
    _write_private(
        private_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        0o600,
    )
    _write_private(
        key_dir() / PUBLIC_KEY,
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        0o644,
    )
    return True


def _private_key() -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((key_dir() / PRIVATE_KEY).read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def public_key() -> Ed25519PublicKey:
    key = serialization.load_pem_public_key((key_dir() / PUBLIC_KEY).read_bytes())
    assert isinstance(key, Ed25519PublicKey)
    return key


def latest() -> Checkpoint | None:
    directory = checkpoint_dir()
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("*.json"))
    if not files:
        return None
    data = json.loads(files[-1].read_text(encoding="utf-8"))
    return Checkpoint(int(data["seq"]), data["hash"], data["time"], data["signature"])


def is_authentic(checkpoint: Checkpoint) -> bool:
    try:
        public_key().verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def write() -> Checkpoint | None:
    """Sign the current head if it moved since the last checkpoint; return the new checkpoint."""
    seq, head_hash = services.head()
    previous = latest()
    if seq == 0 or (previous and previous.seq == seq and previous.hash == head_hash):
        return None
    ensure_keys()
    unsigned = Checkpoint(seq, head_hash, format_time(datetime.now(UTC)), "")
    signature = base64.b64encode(_private_key().sign(unsigned.signed_bytes())).decode()
    checkpoint = Checkpoint(seq, head_hash, unsigned.time, signature)
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{seq:015d}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(checkpoint.__dict__, indent=1), encoding="utf-8")
    os.replace(temporary, target)
    return checkpoint
