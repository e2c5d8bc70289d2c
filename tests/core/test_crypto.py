"""Envelope encryption, blind indexes and sealed files (DESIGN.md invariant 9; GB/T 22239-2019
8.1.4.8; PIPL art. 51): the pure functions of ``core.crypto``, no database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyi.core import crypto

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def ring(*seal_ids: int) -> crypto.Keyring:
    return crypto.Keyring({key_id: bytes([key_id]) * 32 for key_id in seal_ids or (1,)}, OTHER)


@given(st.binary(max_size=300))
def test_a_sealed_value_opens_to_itself_and_shows_nothing_of_it(plain: bytes) -> None:
    keys = ring()
    sealed = keys.seal(plain)
    assert keys.open(sealed) == plain
    assert len(sealed) == len(plain) + 33  # format, key id, nonce, tag
    if len(plain) >= 4:
        assert plain not in sealed


def test_equal_values_seal_differently_but_index_alike() -> None:
    keys = ring()
    number = "11010519491231002X"
    assert keys.seal(number.encode()) != keys.seal(number.encode())
    assert keys.index("id_number", number) == keys.index("id_number", number)
    # The purpose separates columns; another index key gives other indexes.
    assert keys.index("phone", number) != keys.index("id_number", number)
    assert crypto.Keyring({1: KEY}, KEY).index("id_number", number) != keys.index(
        "id_number", number
    )
    assert len(keys.index("id_number", number)) == 32


def test_any_changed_byte_makes_a_sealed_value_unreadable() -> None:
    keys = ring()
    sealed = keys.seal(b"13800138000")
    for position in range(len(sealed)):
        changed = bytearray(sealed)
        changed[position] ^= 0x01
        with pytest.raises(crypto.Unreadable):
            keys.open(bytes(changed))
    with pytest.raises(crypto.Unreadable):
        keys.open(b"13800138000")  # plaintext where a sealed value belongs


def test_several_data_keys_coexist_each_value_names_its_own() -> None:
    old, both = ring(1), ring(1, 2)
    earlier = old.seal(b"old value")
    assert both.seal_id == 2 and crypto.key_id_of(both.seal(b"x")) == 2
    assert both.open(earlier) == b"old value"
    with pytest.raises(crypto.Unreadable):
        old.open(both.seal(b"new value"))  # a key this keyring does not hold


def test_a_wrapped_key_opens_only_with_its_master_id_and_purpose() -> None:
    wrapped = crypto.wrap(KEY, 3, crypto.SEAL, OTHER)
    assert crypto.unwrap(KEY, 3, crypto.SEAL, wrapped) == OTHER
    for master, key_id, purpose in ((OTHER, 3, crypto.SEAL), (KEY, 4, crypto.SEAL)):
        with pytest.raises(InvalidTag):
            crypto.unwrap(master, key_id, purpose, wrapped)
    with pytest.raises(InvalidTag):
        crypto.unwrap(KEY, 3, crypto.INDEX, wrapped)  # a seal key passed off as the index key


def test_a_keyring_refuses_a_master_that_does_not_wrap_its_keys(tmp_path: Path) -> None:
    rows = [
        crypto.DataKeyRow(1, crypto.SEAL, crypto.wrap(KEY, 1, crypto.SEAL, OTHER), "a"),
        crypto.DataKeyRow(2, crypto.INDEX, crypto.wrap(KEY, 2, crypto.INDEX, OTHER), "a"),
    ]
    assert crypto.build_keyring(rows, {"a": KEY}, tmp_path).seal_id == 1
    with pytest.raises(crypto.KeyProblem, match="not the one that wraps"):
        crypto.build_keyring(rows, {"a": OTHER}, tmp_path)
    with pytest.raises(crypto.KeyProblem, match="wrapped by master key a"):
        crypto.build_keyring(rows, {"b": KEY}, tmp_path)
    with pytest.raises(crypto.KeyProblem, match="no data keys"):
        crypto.build_keyring(rows[:1], {"a": KEY}, tmp_path)


def test_master_key_file_missing_or_not_a_key_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "data.key"
    with pytest.raises(crypto.KeyProblem) as missing:
        crypto.read_master(path)
    assert "restore it from its backup" in missing.value.message("en")
    assert "从备份恢复" in missing.value.message("zh")
    crypto.write_master(path, KEY)
    assert crypto.read_master(path) == KEY
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    path.write_text("not a key\n")
    with pytest.raises(crypto.KeyProblem, match="not a quanyi master key"):
        crypto.read_master(path)


def test_both_master_files_are_tried_while_a_rotation_is_unfinished(tmp_path: Path) -> None:
    path = tmp_path / "data.key"
    crypto.write_master(path, KEY)
    assert set(crypto.available_masters(path).values()) == {KEY}
    crypto.write_master(crypto.pending_path(path), OTHER)
    found = crypto.available_masters(path)
    assert found == {crypto.master_id(KEY): KEY, crypto.master_id(OTHER): OTHER}


# --- sealed files -----------------------------------------------------------------------------

CHUNK = crypto.CHUNK
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17]


def sealed_file(plain: bytes, piece: int = 1000) -> bytes:
    pieces = (plain[i : i + piece] for i in range(0, len(plain), piece))
    return b"".join(crypto.seal_stream(AESGCM(KEY), 7, pieces))


def opened(data: bytes) -> bytes:
    return b"".join(crypto.open_stream(AESGCM(KEY), io.BytesIO(data).read))


@pytest.mark.parametrize("size", SIZES)
def test_a_sealed_file_opens_to_itself(size: int) -> None:
    plain = bytes(i % 251 for i in range(size))
    data = sealed_file(plain)
    assert crypto.stream_key_id(data) == 7
    assert opened(data) == plain
    chunks = -(-size // CHUNK) or 1
    assert len(data) == crypto.STREAM_HEADER.size + size + chunks * crypto.TAG_BYTES


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=3 * CHUNK), st.integers(min_value=1, max_value=CHUNK * 2))
def test_how_a_file_is_cut_into_pieces_does_not_matter(plain: bytes, piece: int) -> None:
    assert opened(sealed_file(plain, piece)) == plain


@pytest.mark.parametrize("size", [CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 5])
def test_a_sealed_file_cut_short_moved_or_changed_does_not_open(size: int) -> None:
    plain = bytes(size)
    data = sealed_file(plain)
    header, body = data[: crypto.STREAM_HEADER.size], data[crypto.STREAM_HEADER.size :]
    step = CHUNK + crypto.TAG_BYTES
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    cut_at_a_boundary = header + b"".join(chunks[:-1])
    swapped = header + b"".join([chunks[1], chunks[0], *chunks[2:]])
    flipped = bytearray(data)
    flipped[-1] ^= 1
    for damaged in (cut_at_a_boundary, swapped, bytes(flipped), data[:-1]):
        with pytest.raises(InvalidTag):
            opened(damaged)
    other_file = sealed_file(plain)  # its own nonce prefix: chunks do not splice
    with pytest.raises(InvalidTag):
        opened(header + other_file[crypto.STREAM_HEADER.size :])


def test_sealing_a_file_is_a_stream() -> None:
    """Flat memory: each chunk is sealed and handed on before the next is asked for."""
    asked = 0

    def source() -> object:
        nonlocal asked
        while True:
            asked += 1
            yield bytes(CHUNK)

    out = crypto.seal_stream(AESGCM(KEY), 1, source())  # type: ignore[arg-type]
    next(out)  # the header
    assert len(next(out)) == CHUNK + crypto.TAG_BYTES
    assert asked == 2  # one chunk read ahead, to know it was not the last
