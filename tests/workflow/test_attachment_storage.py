"""Attachments sealed on disk and streamed (DESIGN.md invariant 9; GB/T 22239-2019 8.1.4.8):
a scan of an identity card is kept encrypted under the SHA-256 of its plaintext, written and read
in chunks with flat memory, and a file changed or swapped on disk does not open."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.core import crypto
from quanyi.workflow import services, storage
from tests.registry import builders as payloads
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def scan(size: int) -> bytes:
    line = f"居民身份证 {NUMBER} ".encode()
    return (line * (size // len(line) + 1))[:size]


def test_a_large_attachment_is_sealed_as_a_stream(tmp_path: Path) -> None:
    content = scan(8 * 1024 * 1024 + 5)
    source = tmp_path / "身份证.pdf"
    source.write_bytes(content)
    clerk = Office().clerk
    with transaction.atomic():
        case = services.submit(clerk, "person.register", payloads.person_payload())
    tracemalloc.start()
    try:
        with transaction.atomic():
            services.attach(clerk, case, services.NewAttachment(str(source), source))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes for an 8 MB file"
    row = case.attachments.get()
    assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    stored = services.attachment_path(row).read_bytes()
    assert NUMBER.encode() not in stored and crypto.stream_key_id(stored) is not None
    assert b"".join(storage.content(row.sha256)) == content


def test_a_sealed_file_changed_or_swapped_on_disk_does_not_open() -> None:
    first, second = scan(100_000), scan(70_000)
    sha = services.store_content(first)
    other = services.store_content(second)
    path = storage.path_of(sha)
    swapped = storage.path_of(other).read_bytes()
    data = bytearray(path.read_bytes())
    data[500] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(crypto.Unreadable):
        services.read_content(sha)
    path.write_bytes(swapped)  # a whole sealed file put in another's place
    with pytest.raises(crypto.Unreadable):
        services.read_content(sha)


def test_a_file_stored_before_sealing_is_read_and_then_sealed_in_place() -> None:
    content = scan(200_000)
    sha = hashlib.sha256(content).hexdigest()
    storage.path_of(sha).parent.mkdir(parents=True, exist_ok=True)
    storage.path_of(sha).write_bytes(content)
    assert services.read_content(sha) == content
    assert storage.seal_in_place(sha)
    assert NUMBER.encode() not in storage.path_of(sha).read_bytes()
    assert services.read_content(sha) == content
    assert not storage.seal_in_place(sha)  # once only
    assert not list(storage.root().glob("*.tmp"))
