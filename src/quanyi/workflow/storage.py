"""Attachments on disk (DESIGN.md invariant 9): each file is kept once under the SHA-256 of its
content, sealed in 64 KiB chunks (``core.crypto.seal_stream``), written and read as a stream so
memory stays flat whatever the size. The digest is over the plaintext, so the attachment rows
(append-only) name the same file before and after encryption."""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

from quanyi.core import crypto, filemodes

READ = crypto.CHUNK


def root() -> Path:
    return Path(settings.QUANYI_DATA_DIR) / "attachments"


def path_of(sha: str) -> Path:
    return root() / sha[:2] / sha


def store(chunks: Iterable[bytes], *, replace: bool = False) -> tuple[str, int]:
    """Seal the bytes ``chunks`` yields into a temporary file while hashing them, then rename it
    to its SHA-256 (once, however often the same content is stored, unless ``replace``).
    Returns (sha, size)."""
    ring = crypto.keyring()
    filemodes.private_dir(root())
    temporary = root() / f"incoming.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    digest = hashlib.sha256()
    size = 0

    def plain() -> Iterator[bytes]:
        nonlocal size
        for piece in chunks:
            digest.update(piece)
            size += len(piece)
            yield piece

    try:
        with open(temporary, "wb") as out:
            for part in ring.seal_stream(plain()):
                out.write(part)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        target = path_of(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if replace or not target.exists():
            os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return sha, size


def file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while piece := handle.read(READ):
            yield piece


def content(sha: str) -> Iterator[bytes]:
    """The plaintext of a stored file, chunk by chunk; ``crypto.Unreadable`` if the file was
    changed (a chunk, or the whole file swapped for another: its digest is checked at the end).
    A file stored before attachments were sealed is read as it is."""
    digest = hashlib.sha256()
    with open(path_of(sha), "rb") as handle:
        head = handle.read(crypto.STREAM_HEADER.size)
        key_id = crypto.stream_key_id(head)
        if key_id is None:
            pieces: Iterator[bytes] = itertools.chain([head], iter(lambda: handle.read(READ), b""))
        else:
            handle.seek(0)
            pieces = crypto.keyring_knowing(key_id).open_stream(key_id, handle.read)
        for piece in pieces:
            digest.update(piece)
            yield piece
    if digest.hexdigest() != sha:
        raise crypto.Unreadable()


def read(sha: str) -> bytes:
    return b"".join(content(sha))


def seal_in_place(sha: str) -> bool:
    """Seal a file stored in plaintext (before attachments were sealed); True if it was."""
    path = path_of(sha)
    with open(path, "rb") as handle:
        if crypto.stream_key_id(handle.read(crypto.STREAM_HEADER.size)) is not None:
            return False
    stored, _ = store(file_chunks(path), replace=True)
    assert stored == sha, f"{path} does not hold the content its name says"
    return True
