"""Writing, sealing and checking the query log (001 art. 21).

``log`` inserts one row in the reader's transaction, with its digest, taking no chain lock.
``seal`` (after every CLI command, once a minute in the server) takes the chain lock, then on
PostgreSQL a SHARE lock on the log so that no read still in flight holds an id below the ones
it seals, and appends one ``records.seal`` event: object id ``FIRST-LAST``, ``rows`` the count
and ``digest`` the Merkle root of the rows' digests in id order. ``check`` (run by ``audit
verify``) recomputes every sealed range from the stored rows and names each row changed,
removed or slipped into a sealed range behind the application's back. Rows not sealed yet are
the window DESIGN.md invariant 5 accepts for the chain's own tail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from quanyi.access.models import Account
from quanyi.audit import services as audit
from quanyi.audit import tracking
from quanyi.audit.checks import Finding
from quanyi.audit.models import AuditEvent
from quanyi.core.canonical import merkle_root_of_digests
from quanyi.core.crypto import LOGIN_PREFIX
from quanyi.core.principal import Principal
from quanyi.records.models import FIELDS, OBJECT_TYPE, QueryLogEntry

SEAL_ACTION = "records.seal"


def _leaf(entry: QueryLogEntry) -> bytes:
    return tracking.leaf_bytes(
        OBJECT_TYPE, FIELDS, entry.pk, [getattr(entry, name) for name in FIELDS]
    )


def log(
    principal: Principal,
    person_id: int,
    *,
    items: Sequence[str],
    purpose: str,
    basis: str,
    result: str,
) -> QueryLogEntry:
    entry = QueryLogEntry(
        time=datetime.now(UTC),
        actor=principal.actor,
        source=principal.source,
        request_id=principal.request_id,
        person_id=person_id,
        items=",".join(items),
        purpose=purpose[:200],
        basis=basis[:200],
        result=result,
    )
    # The id is known only after the insert, and an append-only row cannot be updated: take it
    # first, as every tracked writer does.
    # One transaction from the id drawn to the row stored, even for a caller in autocommit.
    with transaction.atomic():
        entry.pk = _next_id()
        entry.row_digest = _leaf(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Entry:
    """One read of a batch, logged with the others (``log_many``)."""

    person_id: int
    items: list[str]
    basis: str
    result: str


def log_many(principal: Principal, entries: Sequence[Entry], purpose: str) -> None:
    """``log`` for a batch's reads, in one insert (their ids drawn as ``log`` draws one)."""
    if not entries:
        return
    now = datetime.now(UTC)
    rows = [
        QueryLogEntry(
            time=now,
            actor=principal.actor,
            source=principal.source,
            request_id=principal.request_id,
            person_id=entry.person_id,
            items=",".join(entry.items),
            purpose=purpose[:200],
            basis=entry.basis[:200],
            result=entry.result,
        )
        for entry in entries
    ]
    with transaction.atomic():
        for row, pk in zip(rows, _next_ids(len(rows)), strict=True):
            row.pk = pk
            row.row_digest = _leaf(row)
        QueryLogEntry.objects.bulk_create(rows)


def _next_ids(count: int) -> list[int]:
    """``count`` fresh ids: from the sequence on PostgreSQL (where other readers draw theirs
    at the same time), past the largest on SQLite (one writer at a time)."""
    if connection.vendor != "postgresql":
        first = _next_id()
        return list(range(first, first + count))
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {QueryLogEntry._meta.db_table} IN ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [QueryLogEntry._meta.db_table, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _next_id() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Held from before the id is drawn, so a seal's SHARE lock waits for this read.
            cursor.execute(f"LOCK TABLE {QueryLogEntry._meta.db_table} IN ROW EXCLUSIVE MODE")
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                [QueryLogEntry._meta.db_table],
            )
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {QueryLogEntry._meta.db_table}")
        return int(cursor.fetchone()[0])


def accesses(person_id: int, limit: int = 1000) -> list[dict[str, object]]:
    """The reads of one person's record, newest first: who (their organisation for an
    outside account; never an id number a person logs in with), when, by which channel, on
    what basis, which items, and whether they were shown."""
    rows = list(QueryLogEntry.objects.filter(person_id=person_id).order_by("-time", "-pk")[:limit])
    organisations = dict(
        Account.objects.filter(user__username__in={row.actor for row in rows}).values_list(
            "user__username", "organisation"
        )
    )
    return [
        {
            "time": row.time,
            "actor": _reader(row.actor),
            "organisation": organisations.get(row.actor, ""),
            "source": row.source,
            "purpose": row.purpose,
            "basis": row.basis,
            "items": [item for item in row.items.split(",") if item],
            "result": row.result,
        }
        for row in rows
    ]


def _reader(actor: str) -> str:
    # A person account's user name is the blind index of its id number: say what it is.
    return "person account" if actor.startswith(LOGIN_PREFIX) else actor


@dataclass(frozen=True)
class Seal:
    seq: int
    first: int
    last: int
    rows: int
    root: str


def _seals() -> Iterator[Seal]:
    for seq, object_id, rows, digest in (
        AuditEvent.objects.filter(action=SEAL_ACTION)
        .order_by("seq")
        .values_list("seq", "object_id", "rows", "digest")
    ):
        first, _, last = object_id.partition("-")
        yield Seal(seq, int(first), int(last), rows, digest)


def last_sealed() -> int:
    found = (
        AuditEvent.objects.filter(action=SEAL_ACTION)
        .order_by("-seq")
        .values_list("object_id", flat=True)
        .first()
    )
    return int(found.partition("-")[2]) if found else 0


def seal(principal: Principal | None = None) -> int:
    """Seal every row not yet sealed; returns how many (0: nothing written)."""
    after = last_sealed()
    if not QueryLogEntry.objects.filter(pk__gt=after).exists():
        return 0
    seq = audit.reserve_seq()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {QueryLogEntry._meta.db_table} IN SHARE MODE")
    after = last_sealed()
    rows = list(QueryLogEntry.objects.filter(pk__gt=after).order_by("pk"))
    if not rows:
        return 0
    leaves = [_leaf(row) for row in rows]
    audit.record(
        principal or Principal.system("system:seal"),
        SEAL_ACTION,
        OBJECT_TYPE,
        f"{rows[0].pk}-{rows[-1].pk}",
        digest=merkle_root_of_digests(leaves),
        rows=len(rows),
        expect_seq=seq,
    )
    return len(rows)


def check() -> Iterator[Finding]:
    """Every sealed range recomputed from the rows stored now."""
    covered = 0
    for found in _seals():
        rows = list(
            QueryLogEntry.objects.filter(pk__gte=found.first, pk__lte=found.last).order_by("pk")
        )
        # Ids need not be contiguous (a PostgreSQL sequence skips the ids of rolled-back
        # reads), but each seal takes every row above the previous one: a row stored now
        # between two sealed ranges came in after them.
        slipped = list(
            QueryLogEntry.objects.filter(pk__gt=covered, pk__lt=found.first)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if slipped:
            yield Finding(
                f"query_log: rows {_ids(slipped)} lie between the seals ending at row {covered}"
                f" and the one at seq {found.seq}, which did not take them",
                f"查询日志：第 {_ids(slipped)} 行位于止于第 {covered} 行的封存与序号"
                f" {found.seq} 的封存之间，未被封存",
            )
        covered = found.last
        for row in rows:
            stored = tracking.stored_digest(row.row_digest)
            if stored != _leaf(row):
                yield Finding(
                    f"query_log {row.pk}: content differs from its digest (sealed at seq"
                    f" {found.seq})",
                    f"查询日志第 {row.pk} 行：内容与其摘要不符（序号 {found.seq} 封存）",
                )
        root = merkle_root_of_digests([_leaf(row) for row in rows])
        if len(rows) != found.rows or root != found.root:
            yield _range_differs(found, [row.pk for row in rows])


def _range_differs(found: Seal, present: list[int]) -> Finding:
    gone = found.rows - len(present)
    if gone <= 0:
        return Finding(
            f"query_log rows {found.first}-{found.last}: {len(present)} rows stored,"
            f" {found.rows} sealed at seq {found.seq}; the Merkle root differs",
            f"查询日志第 {found.first}-{found.last} 行：现存 {len(present)} 行，序号"
            f" {found.seq} 封存 {found.rows} 行；默克尔根不符",
        )
    stored = set(present)
    absent = [pk for pk in range(found.first, found.last + 1) if pk not in stored]
    # A sequence may have skipped ids; when exactly as many are absent as are gone, they are
    # the removed rows, otherwise the removed ones are among them.
    among = "" if len(absent) == gone else f"{gone} of "
    among_zh = "" if len(absent) == gone else f"其中 {gone} 行属于 "
    return Finding(
        f"query_log rows {found.first}-{found.last}: {len(present)} rows stored, {found.rows}"
        f" sealed at seq {found.seq}; missing {among}{_ids(absent)}",
        f"查询日志第 {found.first}-{found.last} 行：现存 {len(present)} 行，序号 {found.seq}"
        f" 封存 {found.rows} 行；缺少 {among_zh}{_ids(absent)}",
    )


def _ids(pks: list[int]) -> str:
    shown = ", ".join(str(pk) for pk in pks[:10])
    return shown + (f" … ({len(pks)} in all)" if len(pks) > 10 else "")
