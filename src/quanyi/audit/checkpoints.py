"""The checkpoint log: signed heads of the chain, kept outside the database (invariant 5).

Every entry is one line of canonical JSON appended to ``<QUANYI_CHECKPOINT_DIR>/<UTC day>.jsonl``
and to the same file in every witness directory (``QUANYI_CHECKPOINT_WITNESSES``). Entries are
never rewritten: each carries the digest of the line before it (``prev``) and an Ed25519
signature over everything else, so the log is a chain of its own (RFC 9162's lesson: a verifier
that trusts only the latest signed state proves nothing).

Kinds of entry:
- ``checkpoint``: the chain head (``seq``, ``hash``) at ``time``;
- ``alert``: a refusal to sign or to write (``reason``), with the head the database showed;
- ``fork_proposal`` / ``fork``: a restore from backup said out loud — the abandoned head, the
  restored head and the reason, proposed by the auditor, approved by the security
  administrator (decision 0010).

Before anything is signed the signer checks that the database chain still passes through the
last signed head (``guard``); if it does not, nothing is signed and an alert is written instead,
so a rewrite or a truncation is never laundered by a later signature.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import DatabaseError

from quanyi.audit import services
from quanyi.audit.models import AuditEvent
from quanyi.core import filemodes
from quanyi.core.canonical import canonical_json, format_time, sha256_hex

PRIVATE_KEY = "audit-ed25519.key"
PUBLIC_KEY = "audit-ed25519.pub"
LOG_SUFFIX = ".jsonl"
HEAD_KINDS = frozenset({"checkpoint", "fork"})
# The server signs at least once a minute and every command signs when it ends, so only events
# this young may lawfully stand beyond the last signed head (decision 0002).
UNSIGNED_GRACE = timedelta(seconds=120)

log = logging.getLogger("quanyi.audit.checkpoints")


@dataclass(frozen=True)
class Entry:
    """One line of the checkpoint log. ``seq``/``hash``: the head it vouches for (a checkpoint),
    the restored head (a fork), or the head the database showed (an alert)."""

    kind: str
    seq: int
    hash: str
    time: str
    prev: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "seq": self.seq,
            "hash": self.hash,
            "time": self.time,
            "prev": self.prev,
            "details": self.details,
        }

    def signed_bytes(self) -> bytes:
        return canonical_json(self.body())

    def line(self) -> bytes:
        return canonical_json({**self.body(), "signature": self.signature})

    @property
    def digest(self) -> str:
        """What the next entry's ``prev`` must be."""
        return sha256_hex(self.line())

    @classmethod
    def parse(cls, text: str) -> Entry:
        data = json.loads(text)
        return cls(
            kind=str(data["kind"]),
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            time=str(data["time"]),
            prev=str(data.get("prev", "")),
            details=dict(data.get("details") or {}),
            signature=str(data.get("signature", "")),
        )


# Kept for callers that only need a signed head.
Checkpoint = Entry


@dataclass(frozen=True)
class Refusal:
    """Why the chain no longer passes through the last signed head."""

    en: str
    zh: str

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


# --- keys -----------------------------------------------------------------------------------


def key_dir() -> Path:
    return Path(settings.QUANYI_DATA_DIR) / "keys"


def private_key_path() -> Path:
    """``QUANYI_SIGNING_KEY_FILE`` lets the key live outside the data dir (readable by the service
    account only), so whoever copies the data dir cannot sign."""
    configured = getattr(settings, "QUANYI_SIGNING_KEY_FILE", "") or os.environ.get(
        "QUANYI_SIGNING_KEY_FILE", ""
    )
    return Path(configured) if configured else key_dir() / PRIVATE_KEY


def checkpoint_dir() -> Path:
    return Path(settings.QUANYI_CHECKPOINT_DIR)


def witness_dirs() -> list[Path]:
    configured = getattr(settings, "QUANYI_CHECKPOINT_WITNESSES", None)
    if configured is None:
        configured = os.environ.get("QUANYI_CHECKPOINT_WITNESSES", "")
    if isinstance(configured, str):
        configured = [part for part in configured.split(os.pathsep) if part.strip()]
    return [Path(part) for part in configured]


def _write_private(path: Path, data: bytes, mode: int) -> None:
    filemodes.private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_keys() -> bool:
    """Generate the signing key pair if absent; True if it was created now. The public key is
    always written to the data dir, where verifiers read it."""
    private_path = private_key_path()
    created = False
    if not private_path.exists():
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
        created = True
    public_path = key_dir() / PUBLIC_KEY
    if not public_path.exists():
        _write_private(
            public_path,
            _private_key()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            0o644,
        )
    return created


def _private_key() -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(private_key_path().read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def public_key() -> Ed25519PublicKey:
    key = serialization.load_pem_public_key((key_dir() / PUBLIC_KEY).read_bytes())
    assert isinstance(key, Ed25519PublicKey)
    return key


def key_fingerprint() -> str:
    """SHA-256 of the raw public key: what the auditor writes down beside the head."""
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw)


def is_authentic(entry: Entry) -> bool:
    try:
        public_key().verify(base64.b64decode(entry.signature), entry.signed_bytes())
    except (InvalidSignature, ValueError, OSError):
        return False
    return True


# --- the log --------------------------------------------------------------------------------


def read_log(directory: Path | None = None) -> list[Entry]:
    """Every entry of a log directory, oldest first. A line that is not an entry is kept as an
    entry of kind ``unreadable`` so verification names it instead of skipping it."""
    directory = checkpoint_dir() if directory is None else directory
    entries: list[Entry] = []
    if not directory.is_dir():
        return entries
    for path in sorted(directory.glob(f"*{LOG_SUFFIX}")):
        text_of_file = path.read_text(encoding="utf-8", errors="replace")
        for number, text in enumerate(text_of_file.splitlines(), start=1):
            if not text.strip():
                continue
            try:
                entries.append(Entry.parse(text))
            except (ValueError, KeyError, TypeError):
                entries.append(
                    Entry("unreadable", 0, "", "", details={"file": path.name, "line": number})
                )
    return entries


def _entries_backwards(directory: Path, limit: int | None = 1000) -> Iterator[Entry]:
    """The newest entries first (at most ``limit``), skipping lines that are not entries."""
    if not directory.is_dir():
        return
    count = 0
    for path in sorted(directory.glob(f"*{LOG_SUFFIX}"), reverse=True):
        for text in _lines_backwards(path):
            try:
                entry = Entry.parse(text)
            except (ValueError, KeyError, TypeError):
                continue
            yield entry
            count += 1
            if limit is not None and count >= limit:
                return


def _tail(directory: Path) -> tuple[Entry | None, Entry | None]:
    """(last entry, last head entry) of a log, reading the newest day files first."""
    last: Entry | None = None
    for entry in _entries_backwards(directory, limit=None):
        last = last or entry
        if entry.kind in HEAD_KINDS:
            return last, entry
    return last, None


def _lines_backwards(path: Path, block: int = 65536) -> Iterator[str]:
    """The non-empty lines of a file, last first, reading from the end: the guard runs before
    every write and must not read a whole day's log each time."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        position = handle.tell()
        rest = b""
        while position > 0:
            step = min(block, position)
            position -= step
            handle.seek(position)
            chunk = handle.read(step) + rest
            lines = chunk.split(b"\n")
            rest = lines.pop(0)
            for line in reversed(lines):
                if line.strip():
                    # A torn or foreign line must not stop the guard: it fails to parse instead.
                    yield line.decode("utf-8", errors="replace")
        if rest.strip():
            yield rest.decode("utf-8", errors="replace")


def latest() -> Entry | None:
    """The last signed head (a checkpoint, or the restored head of a fork)."""
    return _tail(checkpoint_dir())[1]


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _append_line(directory: Path, day: str, line: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / f"{day}{LOG_SUFFIX}", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)


def _append(kind: str, seq: int, head_hash: str, details: dict[str, Any]) -> Entry:
    """Sign and append one entry to the log and every witness, linked to the entry before it."""
    ensure_keys()
    now = datetime.now(UTC)
    directory = checkpoint_dir()
    with _locked(directory):
        previous, _ = _tail(directory)
        unsigned = Entry(
            kind,
            seq,
            head_hash,
            format_time(now),
            previous.digest if previous else "",
            details,
        )
        signature = base64.b64encode(_private_key().sign(unsigned.signed_bytes())).decode()
        entry = Entry(**{**unsigned.__dict__, "signature": signature})
        day = now.strftime("%Y-%m-%d")
        _append_line(directory, day, entry.line())
    for witness in witness_dirs():
        try:
            with _locked(witness):
                _append_line(witness, day, entry.line())
        except OSError as error:
            # A witness that is away is itself worth an alert, but must not stop the signing.
            log.error("checkpoint witness %s unreachable: %s", witness, error)
    return entry


# --- the guard ------------------------------------------------------------------------------


FUTURE_SKEW = timedelta(seconds=60)


def guard(started: datetime | None = None) -> Refusal | None:
    """Does the database chain still pass through the last signed head? The event at its seq must
    have the signed hash, every later event must link to it with its content intact, and none of
    them may be older than the grace (decision 0002) — unless the command asking (``started``)
    wrote it — nor dated in the future. With no signed head at all, the chain must be young."""
    return _guard(latest(), started)


def _guard(head: Entry | None, started: datetime | None) -> Refusal | None:
    try:
        if head is None:
            return _unsigned_tail(0, started)
        return passes_through(head.seq, head.hash) or _unsigned_tail(head.seq, started)
    except DatabaseError:
        if head is None:
            return None  # no chain yet (before the first migrate) and nothing signed
        return Refusal(
            f"the audit table cannot be read but event {head.seq} was signed",
            f"无法读取审计表，但事件 {head.seq} 已签名",
        )


def _unsigned_tail(after: int, started: datetime | None) -> Refusal | None:
    now = datetime.now(UTC)
    cutoff = now - UNSIGNED_GRACE
    if started is not None:
        cutoff = min(cutoff, started)
    tail = AuditEvent.objects.filter(seq__gt=after)
    stale = tail.filter(time__lt=cutoff).order_by("seq").values_list("seq", flat=True).first()
    if stale is not None:
        where_en = (
            "after the last signed head" if after else "and the checkpoint log has no signed head"
        )
        where_zh = "在最后签名链头之后" if after else "且检查点日志中没有已签名链头"
        return Refusal(
            f"event {stale} is older than any unsigned event may be {where_en}"
            " (appended behind the application's back, or the log was cut; the auditor may"
            " accept it: quanyi audit checkpoint --accept REASON)",
            f"事件 {stale} 早于签名宽限期仍未签名，{where_zh}（疑似绕过应用追加或日志被截断；"
            "安全审计员核实后可接受：quanyi audit checkpoint --accept 原因）",
        )
    future = (
        tail.filter(time__gt=now + FUTURE_SKEW)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if future is not None:
        return Refusal(
            f"event {future} is dated in the future (forged?)",
            f"事件 {future} 的时间在未来（疑似伪造）",
        )
    return None


def passes_through(seq: int, head_hash: str) -> Refusal | None:
    if seq == 0:
        return None
    names = (*services.HASHED_FIELDS, "hash")
    anchor = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if anchor is None:
        last_seq = services.head()[0]
        span = f"{last_seq + 1}-{seq}" if seq > last_seq + 1 else str(seq)
        return Refusal(
            f"the chain ends at event {last_seq} but event {seq} was signed:"
            f" {'events' if seq > last_seq + 1 else 'event'} {span}"
            f" {'were' if seq > last_seq + 1 else 'was'} removed (restore from backup? record it"
            " as a fork: quanyi audit fork)",
            f"链止于事件 {last_seq}，但事件 {seq} 已签名：事件 {span} 被删除"
            "（若为备份恢复，须登记分叉：quanyi audit fork）",
        )
    if anchor != head_hash:
        return Refusal(
            f"event {seq} differs from its signed checkpoint (the chain was rewritten)",
            f"事件 {seq} 与已签名检查点不符（链被改写）",
        )
    previous_seq, previous_hash = seq, head_hash
    rows = AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list(*names)
    for row in rows.iterator(chunk_size=5000):
        event = dict(zip(names, row, strict=True))
        if event["seq"] != previous_seq + 1:
            return Refusal(
                f"event {previous_seq + 1} after the signed head is missing",
                f"已签名链头之后的事件 {previous_seq + 1} 缺失",
            )
        if event["prev_hash"] != previous_hash or services.event_hash(event) != event["hash"]:
            return Refusal(
                f"event {event['seq']} does not link to the signed head at event {seq}"
                " (altered or inserted behind the application's back)",
                f"事件 {event['seq']} 未链接到已签名链头（事件 {seq}）：绕过应用被修改或插入",
            )
        previous_seq, previous_hash = event["seq"], event["hash"]
    return None


# --- writing ----------------------------------------------------------------------------------


def write(
    *,
    source: str = "command",
    dedupe: bool = False,
    started: datetime | None = None,
    accept: tuple[str, str] | None = None,
    logged: bool = True,
) -> Entry | None:
    """Sign the current head if it moved since the last signed head and the chain still passes
    through that head. Returns the new checkpoint; None if there was nothing to sign. Raises
    ``ChainBroken`` (after writing an alert) when it refuses. ``started``: when the signing
    command began (its own events may be older than the grace). ``accept``: (auditor, reason)
    — the auditor has looked at unsigned events older than the grace (a server killed between
    two ticks, an upgrade) and signs them, which verify reports ever after."""
    seq, head_hash = services.head()
    previous = latest()
    if seq == 0 or (previous and previous.seq == seq and previous.hash == head_hash):
        return None
    if accept is None:
        refusal = _guard(previous, started)
    else:
        refusal = passes_through(previous.seq, previous.hash) if previous else None
    if refusal is not None:
        raise_alert(refusal, source=source, dedupe=dedupe, logged=logged)
    details = {"accepted_by": accept[0], "reason": accept[1]} if accept else {}
    return _append("checkpoint", seq, head_hash, details)


class ChainBroken(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.en)
        self.refusal = refusal


def alert(
    refusal: Refusal,
    *,
    source: str,
    actor: str = "",
    dedupe: bool = False,
    logged: bool = True,
    kind: str = "chain_broken",
) -> Entry | None:
    """Append an alert (the auditor's list, ``quanyi audit alerts``). With ``dedupe`` an alert
    with the same reason as the log's last alert is not repeated (the server's timer, web
    requests anyone can send). ``logged``: also at ERROR in the service log (not for the CLI,
    which tells its user itself)."""
    try:
        seq, head_hash = services.head()
    except Exception:  # the database may be the very thing that is broken
        seq, head_hash = 0, ""
    details = {
        "reason": refusal.en,
        "reason_zh": refusal.zh,
        "source": source,
        "actor": actor,
        "kind": kind,
    }
    if dedupe:
        last_alert = next(
            (entry for entry in _entries_backwards(checkpoint_dir()) if entry.kind == "alert"),
            None,
        )
        if last_alert and last_alert.details.get("reason") == refusal.en:
            return None
    if logged:
        what = "audit chain" if kind == "chain_broken" else kind
        log.error("%s: %s (%s)", what, refusal.en, source)
    return _append("alert", seq, head_hash, details)


def raise_alert(
    refusal: Refusal, *, source: str, actor: str = "", dedupe: bool = False, logged: bool = True
) -> None:
    alert(refusal, source=source, actor=actor, dedupe=dedupe, logged=logged)
    raise ChainBroken(refusal)


def alerts() -> list[Entry]:
    return [entry for entry in read_log() if entry.kind == "alert"]


def propose_fork(
    actor: str, reason: str, restored: tuple[int, str], point: tuple[int, str]
) -> Entry:
    """The auditor names a restore: the head the log last signed is abandoned, ``restored`` is
    the head of the database as restored, ``point`` the last signed head both share. Nothing is
    signed over the restored chain until the security administrator approves."""
    abandoned = latest()
    if abandoned is None:
        raise ValueError("no signed head to abandon")
    details = {
        "abandoned_seq": abandoned.seq,
        "abandoned_hash": abandoned.hash,
        "fork_point": point[0],
        "reason": reason,
        "proposed_by": actor,
    }
    return _append("fork_proposal", restored[0], restored[1], details)


def pending_fork() -> Entry | None:
    """The last fork proposal, if no head was signed after it."""
    for entry in reversed(read_log()):
        if entry.kind in HEAD_KINDS:
            return None
        if entry.kind == "fork_proposal":
            return entry
    return None


def approve_fork(actor: str, proposal: Entry) -> Entry:
    details = {**proposal.details, "approved_by": actor, "proposal": proposal.digest}
    return _append("fork", proposal.seq, proposal.hash, details)
