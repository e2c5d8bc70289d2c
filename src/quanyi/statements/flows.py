"""``quanyi statements generate --year Y --out DIR``: the region's annual statements (000 §3),
both kinds, read through ``records.read_batch`` under the statutory basis (each statement a
logged disclosure to its person), drawn into print-ready PDFs batched by postal district, with
a mailing list and a summary. One batch file is one unit of work: its PDF is written and its
statements recorded together, so a run stopped anywhere is finished by running it again."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from quanyi.access.policy import authorize, scope
from quanyi.audit import services as audit
from quanyi.core.errors import Conflict, InvalidInput
from quanyi.core.principal import Principal
from quanyi.records.page import ADULT_AGE
from quanyi.records.queries import read_many
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.statements import content
from quanyi.statements.drawing import Book
from quanyi.statements.models import Issued, MailingAddress
from quanyi.statements.services import ITEMS, check_year, new_code, out_folder, signer_for

UNIT = 500
NO_ADDRESS = "0000"
READ_CHUNK = 2000  # rows fetched at a time from the streams of a run
MAILING_LIST = "mailing-list.csv"
SUMMARY = "summary.json"
MAILING_COLUMNS = (
    "recipient",
    "recipient_kind",
    "address",
    "postcode",
    "statement",
    "kind",
    "batch",
    "page",
)


@dataclass
class Run:
    year: int
    out: str
    deadline: str
    late: bool
    statements: int = 0
    issued_before: int = 0
    employee: int = 0
    resident: int = 0
    to_guardian: int = 0
    without_address: int = 0
    batches: list[str] = field(default_factory=list)


def deadline_of(year: int) -> date:
    """Mailed within three months after the business year (000 §3)."""
    return date(year + 1, 3, 31)


def _chunked(rows: QuerySet[Any, Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows.iterator(chunk_size=READ_CHUNK):
        chunk.append(row)
        if len(chunk) == READ_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _adult_cutoff(today: date) -> date:
    """Born after this day: under ``ADULT_AGE`` today (``records.page.age``)."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February, and that year had none
        return date(today.year - ADULT_AGE, 2, 28)


def _issued(year: int) -> QuerySet[Issued]:
    return Issued.objects.filter(
        period_from=f"{year}-01", kind__in=("employee", "resident")
    ).exclude(batch="")


def _insured(principal: Principal, year: int) -> QuerySet[Person]:
    """The persons of the principal's region insured at some time in ``year``."""
    relations = InsuranceRelation.objects.filter(start_month__lte=f"{year}-12").filter(
        Q(end_month__isnull=True) | Q(end_month__gte=f"{year}-01")
    )
    return scope(Person.objects.all(), principal).filter(pk__in=relations.values("person_id"))


@dataclass(frozen=True)
class Mailing:
    person_id: int
    recipient_id: int
    recipient_kind: str  # person | guardian
    address: str
    postcode: str

    @property
    def district(self) -> str:
        return self.postcode[:4] if self.postcode else NO_ADDRESS


def _mailings(todo: QuerySet[Person], today: date) -> Iterator[Mailing]:
    """Each person's mailing — a minor's to the guardian, at the guardian's address — in the
    order of the batches (district, postcode, person), read as a stream: a region of a million
    is never held at once."""
    minor = Q(birth_date__gt=_adult_cutoff(today), guardian__isnull=False)
    at = MailingAddress.objects.filter(person_id=OuterRef("to"))
    rows = (
        todo.annotate(to=Case(When(minor, then=F("guardian_id")), default=F("pk")))
        .annotate(
            address=Coalesce(Subquery(at.values("address")[:1]), Value("")),
            postcode=Coalesce(Subquery(at.values("postcode")[:1]), Value("")),
        )
        .annotate(
            district=Case(
                When(postcode="", then=Value(NO_ADDRESS)), default=Substr("postcode", 1, 4)
            )
        )
        .order_by("district", "postcode", "pk")
        .values_list("pk", "to", "address", "postcode")
    )
    for pk, to, address, postcode in rows.iterator(chunk_size=READ_CHUNK):
        yield Mailing(pk, to, "person" if to == pk else "guardian", address, postcode)


def _units(
    mailings: Iterable[Mailing], year: int, size: int
) -> Iterator[tuple[str, list[Mailing]]]:
    """Batches of at most ``size`` within a district, numbered after the district's batches
    of earlier runs."""
    district, batch, number = "", "", 0
    rows: list[Mailing] = []
    for mailing in mailings:
        if mailing.district != district or len(rows) == size:
            if rows:
                yield batch, rows
            if mailing.district != district:
                district = mailing.district
                number = (
                    Issued.objects.filter(batch__startswith=f"{year}-{district}-")
                    .values("batch")
                    .distinct()
                    .count()
                )
            number += 1
            batch, rows = f"{year}-{district}-{number:04d}", []
        rows.append(mailing)
    if rows:
        yield batch, rows


def generate(
    principal: Principal,
    year: int,
    out: Path,
    *,
    unit: int = UNIT,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    authorize(principal, "statements.generate")
    today = timezone.localdate()
    check_year(year, today)
    if out.exists() and not out.is_dir():
        raise InvalidInput.one("out", "not_a_folder", f"{out} 不是目录", f"{out} is not a folder")
    insured = _insured(principal, year)
    todo = insured.exclude(pk__in=_issued(year).values("person_id"))
    total, left = insured.count(), todo.count()
    run = Run(
        year, str(out), deadline_of(year).isoformat(), today > deadline_of(year),
        issued_before=total - left,
    )  # fmt: skip
    if not left and total and not any(out.glob(f"statements-{year}-*.pdf")):
        raise Conflict(
            f"{year} 年度的权益记录单已全部出具（{total} 份），批次文件在最初生成的目录中",
            f"every statement of {year} is issued already ({total}); its batch files are"
            " in the folder of the run that made them",
        )
    out_folder(out)
    written = 0
    jobs = (
        (principal, year, batch, rows, out, today)
        for batch, rows in _units(_mailings(todo, today), year, unit)
    )
    for batch, counts in _done(jobs, workers):
        for key, value in counts.items():
            setattr(run, key, getattr(run, key) + value)
        run.batches.append(batch)
        written += counts["statements"]
        if progress:
            progress(written, left)
    run.batches.sort()
    _write_mailing_list(year, out)
    (out / SUMMARY).write_text(json.dumps(asdict(run), ensure_ascii=False, indent=1))
    return run


Job = tuple[Principal, int, str, list["Mailing"], Path, date]


def _done(jobs: Iterable[Job], workers: int) -> Iterator[tuple[str, dict[str, int]]]:
    """Each batch file made, in this process or — both cores used — in ``workers`` forked
    ones, each with its own database connection (closed here first, so none is shared). The
    workers are forked before the mailings are read, and at most two batches a worker wait
    for one, so memory stays flat however large the region."""
    if workers <= 1 or connection.in_atomic_block:
        for job in jobs:
            yield _job(job)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        waiting: deque[Any] = deque()
        for job in jobs:
            waiting.append(pool.apply_async(_job, (job,)))
            if len(waiting) >= 2 * workers:
                yield waiting.popleft().get()
        while waiting:
            yield waiting.popleft().get()


def _job(job: Job) -> tuple[str, dict[str, int]]:
    principal, year, batch, rows, out, today = job
    return batch, _unit(principal, year, batch, rows, out, today)


def _unit(
    principal: Principal, year: int, batch: str, rows: list[Mailing], out: Path, today: date
) -> dict[str, int]:
    """One batch file: the records read (and logged) in one transaction, drawn outside any —
    another worker's unit may write meanwhile — and the statements recorded with the file
    renamed into place in another, so the file exists only when they are recorded."""
    basis = f"annual statements {year}"
    with transaction.atomic():
        records = list(read_many(principal, [m.person_id for m in rows], basis, ITEMS))
    by_person = {m.person_id: m for m in rows}
    part = out / f"statements-{batch}.pdf.part"
    counts = {"statements": 0, "employee": 0, "resident": 0, "to_guardian": 0, "without_address": 0}
    issued = []
    with part.open("wb") as handle:
        book = Book(handle, f"权益记录单 {batch}")
        for person_id, record in records:
            mailing = by_person[person_id]
            sheet = content.statement(
                record, year, new_code("S", year), today, (mailing.address, mailing.postcode)
            )
            page = book.pages + 1
            printed, _ = book.draw(sheet, signer_for(sheet), f"{batch}  第 {page} 页")
            issued.append(
                Issued(
                    code=sheet.code,
                    kind=sheet.kind,
                    person_id=mailing.person_id,
                    period_from=sheet.period_from,
                    period_to=sheet.period_to,
                    issued_on=today,
                    printed_sha256=printed,
                    facts_sha256=sheet.facts_sha256,
                    recipient=mailing.recipient_kind,
                    postcode=mailing.postcode,
                    batch=batch,
                    page=page,
                )
            )
            counts["statements"] += 1
            counts[sheet.kind] += 1
            counts["to_guardian"] += mailing.recipient_kind == "guardian"
            counts["without_address"] += not mailing.postcode
        book.close()
    with transaction.atomic():
        seq = audit.reserve_seq()
        audit.stamp_rows(issued, seq)
        Issued.objects.bulk_create(issued)
        audit.record_batch(principal, "statements.generate", Issued, seq)
        os.replace(part, out / f"statements-{batch}.pdf")
    return counts


def _write_mailing_list(year: int, out: Path) -> None:
    """The whole year's mailing list, from what is recorded (so a resumed run lists all), read
    and written a chunk at a time. The recipient is the one recorded at issue; their name and
    address are looked up per chunk."""
    issued = (
        _issued(year)
        .order_by("batch", "page")
        .values_list("person_id", "recipient", "postcode", "code", "kind", "batch", "page")
    )
    part = out / (MAILING_LIST + ".part")
    with part.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MAILING_COLUMNS)
        for chunk in _chunked(issued):
            guardians = dict(
                Person.objects.filter(pk__in=[row[0] for row in chunk]).values_list(
                    "pk", "guardian_id"
                )
            )
            to = {
                row[0]: (guardians.get(row[0]) if row[1] == "guardian" else None) or row[0]
                for row in chunk
            }
            recipients = set(to.values())
            names = dict(Person.objects.filter(pk__in=recipients).values_list("pk", "name"))
            addresses = dict(
                MailingAddress.objects.filter(person_id__in=recipients).values_list(
                    "person_id", "address"
                )
            )
            for person_id, recipient, postcode, code, kind, batch, page in chunk:
                writer.writerow(
                    (
                        names.get(to[person_id], ""),
                        recipient,
                        addresses.get(to[person_id], ""),
                        postcode,
                        code,
                        kind,
                        batch,
                        page,
                    )
                )
    os.replace(part, out / MAILING_LIST)
