"""Identities encrypted at rest by envelope encryption (DESIGN.md invariant 9; GB/T 22239-2019
8.1.4.8; PIPL art. 51).

- The **master key** (32 random bytes, base64 in ``QUANYI_DATA_KEY_FILE``, mode 600) lives
  outside the database and does one thing: wrap the data keys.
- **Data keys** (32 random bytes each) live in the database (``core_datakey``), each wrapped by
  the master key with AES-256-GCM, its id and purpose as associated data (a row cannot be passed
  off as another). ``seal`` keys encrypt values; the one ``index`` key computes blind indexes.
  Rotating the master re-wraps them and changes no ciphertext and no index.
- A **sealed value** is ``format (1 byte) | key id (4) | nonce (12) | AES-256-GCM ciphertext and
  tag``; the first five bytes are associated data. Several seal keys may coexist: new values use
  the newest, every value names its own.
- A **blind index** is HMAC-SHA256(index key, purpose NUL value): equal values of one purpose have
  equal indexes, so a row is found by ``<column>_index = ?`` without decrypting anything, and
  nothing about the value can be read from the index without the key.
- **Files** (attachments) are sealed in chunks of 64 KiB (``seal_stream``/``open_stream``):
  each chunk's nonce holds its number and whether it is the last, so a file cut short, a chunk
  moved or two files spliced do not open (the STREAM construction).

The keyring (data keys unwrapped) is loaded once per process and database from the key file and
``core_datakey``; only ``quanyi init`` creates a master key and only ``quanyi keys rotate``
(``core.keys``) changes one, so a reader never writes a key file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from quanyi.core.errors import QuanyiError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT = 1
HEADER = struct.Struct(">BI")  # format, key id
SEAL, INDEX = "seal", "index"
PENDING_SUFFIX = ".new"  # a master key being rotated in (core.keys)


# --- errors -----------------------------------------------------------------------------------


class KeyProblem(QuanyiError):
    """The master key file is missing, unreadable or not the one that wraps the data keys."""

    code = "data_key"


class Unreadable(QuanyiError):
    """A stored sealed value does not open: changed behind the application's back."""

    code = "sealed_value"

    def __init__(self) -> None:
        super().__init__(
            "加密存储的数据无法解密：该值已被绕过应用修改（请运行 quanyi audit verify）",
            "a value stored encrypted does not decrypt: it was changed behind the application's"
            " back (run quanyi audit verify)",
        )


def _missing(path: Path) -> KeyProblem:
    return KeyProblem(
        f"主密钥文件 {path} 不存在：请从备份恢复（或设置 QUANYI_DATA_KEY_FILE）；"
        "新实例请先运行 quanyi init",
        f"the master key file {path} is missing: restore it from its backup (or set"
        " QUANYI_DATA_KEY_FILE); a new instance runs quanyi init first",
    )


# --- pure functions ---------------------------------------------------------------------------


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def master_id(master: bytes) -> str:
    """A master key's name in ``core_datakey.master``: which master wraps a data key, without
    revealing anything of the key."""
    return hmac.new(master, b"quanyi master key id", hashlib.sha256).hexdigest()[:16]


def _wrap_aad(key_id: int, purpose: str) -> bytes:
    return f"quanyi data key {key_id} {purpose}".encode()


def wrap(master: bytes, key_id: int, purpose: str, key: bytes) -> bytes:
    """``nonce | AES-GCM(master, key)`` with the key's id and purpose as associated data."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, key, _wrap_aad(key_id, purpose))


def unwrap(master: bytes, key_id: int, purpose: str, wrapped: bytes) -> bytes:
    """The data key, or ``InvalidTag`` if this master did not wrap it (or the row changed)."""
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    return AESGCM(master).decrypt(nonce, body, _wrap_aad(key_id, purpose))


def seal_with(aead: AESGCM, key_id: int, plaintext: bytes) -> bytes:
    header = HEADER.pack(FORMAT, key_id)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return header + nonce + aead.encrypt(nonce, plaintext, header)


def key_id_of(sealed: bytes) -> int | None:
    """The data key a sealed value names, or None if it is not a sealed value at all."""
    if len(sealed) < HEADER.size + NONCE_BYTES + TAG_BYTES or sealed[0] != FORMAT:
        return None
    return int(HEADER.unpack_from(sealed)[1])


def open_with(aead: AESGCM, sealed: bytes) -> bytes:
    start = HEADER.size
    nonce = sealed[start : start + NONCE_BYTES]
    return aead.decrypt(nonce, sealed[start + NONCE_BYTES :], sealed[:start])


def blind_index(mac: Any, purpose: str, value: str) -> bytes:
    """HMAC-SHA256 of ``purpose NUL value`` from a keyed ``hmac`` object (copied, not reused)."""
    copy = mac.copy()
    copy.update(purpose.encode() + b"\0" + value.encode())
    return bytes(copy.digest())


# --- files: chunked AES-GCM (STREAM) ----------------------------------------------------------

STREAM_MAGIC = b"QYS1"
STREAM_HEADER = struct.Struct(">4sI7s")  # magic, key id, nonce prefix
CHUNK = 64 * 1024


def _chunk_nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, 1 if last else 0)


def seal_stream(aead: AESGCM, key_id: int, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The sealed form of the bytes ``chunks`` yields, piece by piece (memory stays flat)."""
    prefix = secrets.token_bytes(7)
    header = STREAM_HEADER.pack(STREAM_MAGIC, key_id, prefix)
    yield header
    buffer = bytearray()
    number = 0
    for piece in chunks:
        buffer += piece
        # Strictly more than a chunk: the last chunk is known only once the input ends.
        while len(buffer) > CHUNK:
            yield aead.encrypt(_chunk_nonce(prefix, number, False), bytes(buffer[:CHUNK]), header)
            del buffer[:CHUNK]
            number += 1
    yield aead.encrypt(_chunk_nonce(prefix, number, True), bytes(buffer), header)


def stream_key_id(head: bytes) -> int | None:
    """The data key a sealed file names (from its first bytes), or None if it is not sealed."""
    if len(head) < STREAM_HEADER.size or not head.startswith(STREAM_MAGIC):
        return None
    return int(STREAM_HEADER.unpack_from(head)[1])


def open_stream(aead: AESGCM, read: Callable[[int], bytes]) -> Iterator[bytes]:
    """The plaintext of a sealed file read through ``read(n)``, chunk by chunk; ``InvalidTag``
    if any chunk was changed, moved, dropped or the file cut short."""
    header = read(STREAM_HEADER.size)
    _, _, prefix = STREAM_HEADER.unpack(header)
    size = CHUNK + TAG_BYTES
    number = 0
    current = read(size)
    while True:
        following = read(size) if len(current) == size else b""
        last = not following
        yield aead.decrypt(_chunk_nonce(prefix, number, last), current, header)
        if last:
            return
        current, number = following, number + 1


# --- the master key file ----------------------------------------------------------------------


def read_master(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise _missing(path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyProblem(
            f"无法读取主密钥文件 {path}：{error}",
            f"cannot read the master key file {path}: {error}",
        ) from None
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyProblem(
            f"{path} 不是 quanyi 主密钥文件", f"{path} is not a quanyi master key file"
        )
    return key


def write_master(path: Path, key: bytes) -> None:
    """Write a key file whole or not at all: a temporary file (mode 600, synced) renamed into
    place, then the directory synced, so a crash leaves the old file or the new one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pending_path(path: Path) -> Path:
    return path.with_name(path.name + PENDING_SUFFIX)


def available_masters(path: Path) -> dict[str, bytes]:
    """The master key, and the one being rotated in if a rotation was cut short: data keys name
    the master that wraps them, so either may be the current one (``core.keys``)."""
    found = {}
    pending = pending_path(path)
    if pending.exists():
        key = read_master(pending)
        found[master_id(key)] = key
    if path.exists() or not found:
        key = read_master(path)
        found[master_id(key)] = key
    return found


# --- the keyring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataKeyRow:
    id: int
    purpose: str
    wrapped: bytes
    master: str


class Keyring:
    """The data keys of one database, unwrapped: seal with the newest seal key, open with the key
    a value names, index with the index key."""

    def __init__(self, seal_keys: Mapping[int, bytes], index_key: bytes) -> None:
        self.seal_id = max(seal_keys)
        self._aeads = {key_id: AESGCM(key) for key_id, key in seal_keys.items()}
        self._mac = hmac.new(index_key, digestmod=hashlib.sha256)
        self._sealer = self._aeads[self.seal_id]

    def knows(self, key_id: int) -> bool:
        return key_id in self._aeads

    def seal(self, plaintext: bytes) -> bytes:
        return seal_with(self._sealer, self.seal_id, plaintext)

    def open(self, sealed: bytes) -> bytes:
        key_id = key_id_of(sealed)
        aead = self._aeads.get(key_id) if key_id is not None else None
        if aead is None:
            raise Unreadable()
        try:
            return open_with(aead, sealed)
        except InvalidTag:
            raise Unreadable() from None

    def index(self, purpose: str, value: str) -> bytes:
        return blind_index(self._mac, purpose, value)

    def seal_stream(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        return seal_stream(self._sealer, self.seal_id, chunks)

    def open_stream(self, key_id: int, read: Callable[[int], bytes]) -> Iterator[bytes]:
        aead = self._aeads.get(key_id)
        if aead is None:
            raise Unreadable()
        try:
            yield from open_stream(aead, read)
        except (InvalidTag, struct.error):
            raise Unreadable() from None


def build_keyring(rows: Iterable[DataKeyRow], masters: Mapping[str, bytes], path: Path) -> Keyring:
    seal_keys: dict[int, bytes] = {}
    index_key: bytes | None = None
    for row in rows:
        master = masters.get(row.master)
        try:
            if master is None:
                raise InvalidTag
            key = unwrap(master, row.id, row.purpose, row.wrapped)
        except InvalidTag:
            raise KeyProblem(
                f"主密钥文件 {path} 不是加密本数据库数据密钥的主密钥（数据密钥 {row.id} 由主密钥"
                f" {row.master} 加密）：请使用正确的密钥文件",
                f"the master key in {path} is not the one that wraps this database's data keys"
                f" (data key {row.id} is wrapped by master key {row.master}): use the right key"
                " file",
            ) from None
        if row.purpose == SEAL:
            seal_keys[row.id] = key
        elif row.purpose == INDEX and index_key is None:
            index_key = key
    if not seal_keys or index_key is None:
        raise KeyProblem(
            "数据库中没有数据密钥：请先运行 quanyi init",
            "the database holds no data keys: run quanyi init first",
        )
    return Keyring(seal_keys, index_key)


TABLE = "core_datakey"
_CACHE: dict[tuple[str, str], Keyring] = {}


def key_file() -> Path:
    from django.conf import settings

    return Path(settings.QUANYI_DATA_KEY_FILE)


def stored_keys(connection: Any) -> list[DataKeyRow]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, purpose, wrapped, master FROM {TABLE} ORDER BY id")
        return [DataKeyRow(int(i), p, bytes(w), m) for i, p, w, m in cursor.fetchall()]


def keyring(connection: Any = None) -> Keyring:
    """The keyring of ``connection``'s database (default: the default one), loaded once."""
    if connection is None:
        from django.db import connection as default

        connection = default
    name = (connection.alias, str(connection.settings_dict["NAME"]))
    ring = _CACHE.get(name)
    if ring is None:
        path = key_file()
        ring = _CACHE[name] = build_keyring(stored_keys(connection), available_masters(path), path)
    return ring


def forget() -> None:
    """Drop every loaded keyring (after a rotation added a data key)."""
    _CACHE.clear()


def keyring_knowing(key_id: int | None, connection: Any = None) -> Keyring:
    """The keyring, reloaded once if it lacks ``key_id`` (another process added a data key
    since this one loaded it)."""
    ring = keyring(connection)
    if key_id is not None and not ring.knows(key_id):
        forget()
        ring = keyring(connection)
    return ring


def open_value(sealed: bytes, connection: Any = None) -> bytes:
    return keyring_knowing(key_id_of(sealed), connection).open(sealed)


def open_values(
    sealed: Iterable[bytes | memoryview | None], connection: Any = None
) -> Iterator[str | None]:
    """Many sealed texts opened in one loop (None stays None): the keyring is looked up once,
    not once a value as a sealed field's ``from_db_value`` must — which cost a bank file of
    300,000 id numbers more than the decryption itself."""
    ring = keyring(connection)
    for value in sealed:
        if value is None:
            yield None
            continue
        if not isinstance(value, bytes | memoryview):
            raise Unreadable()  # plain text where a sealed value belongs
        raw = bytes(value)
        key_id = key_id_of(raw)
        if key_id is not None and not ring.knows(key_id):
            ring = keyring_knowing(key_id, connection)
        yield ring.open(raw).decode()


# --- logins by id number ----------------------------------------------------------------------

_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
LOGIN_PREFIX = "id:"
# An employer logs in with its unified social credit code: its account is ``employer-<uscc>``.
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
EMPLOYER_PREFIX = "employer-"


def login_name(typed: str) -> str:
    """The user name stored for what was typed: an id number becomes ``id:`` and its blind
    index, so an account a person logs into with their id number never holds the number (nor
    do the lockout records, the audit events it acts in or the sessions)."""
    text = (typed or "").strip()
    if _ID_NUMBER.fullmatch(text):
        return LOGIN_PREFIX + keyring().index("id_number", text.upper()).hex()
    if _USCC.fullmatch(text.upper()):
        return EMPLOYER_PREFIX + text.upper()
    return typed


def axes_username(request: Any, credentials: Mapping[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: django-axes records the blind index, never an id number."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = getattr(request, "POST", {}).get("username", "")
    return login_name(str(typed or ""))
