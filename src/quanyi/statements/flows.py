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
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from quanyi.access.policy import authorize, scope
from quanyi.audit import services as audit
from quanyi.core import filemodes
from quanyi.core.errors import Conflict, InvalidInput
from quanyi.core.principal import Principal
from quanyi.records.page import ADULT_AGE, age
from quanyi.records.queries import read_many
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.statements import content
from quanyi.statements.drawing import Book
from quanyi.statements.models import Issued, MailingAddress
from quanyi.statements.services import ITEMS, check_year, new_code, signer_for

UNIT = 500
NO_ADDRESS = "0000"
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


def _insured_in(principal: Principal, year: int) -> list[int]:
    relations = InsuranceRelation.objects.filter(start_month__lte=f"{year}-12").filter(
        Q(end_month__isnull=True) | Q(end_month__gte=f"{year}-01")
    )
    persons = scope(Person.objects.all(), principal).filter(pk__in=relations.values("person_id"))
    return list(persons.values_list("pk", flat=True).order_by("pk"))


def _already(year: int) -> set[int]:
    return set(
        Issued.objects.filter(period_from=f"{year}-01", kind__in=("employee", "resident"))
        .exclude(batch="")
        .values_list("person_id", flat=True)
    )


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


def _mailings(person_ids: list[int], today: date) -> list[Mailing]:
    persons = {
        p.pk: p
        for p in Person.objects.filter(pk__in=person_ids).only("pk", "birth_date", "guardian_id")
    }
    guardians = {p.guardian_id for p in persons.values() if p.guardian_id}
    addresses = {
        a.person_id: (a.address, a.postcode)
        for a in MailingAddress.objects.filter(person_id__in=set(person_ids) | guardians)
    }
    found = []
    for pk in person_ids:
        person = persons[pk]
        guardian = person.guardian_id if age(person.birth_date, today) < ADULT_AGE else None
        to = guardian or pk
        address, postcode = addresses.get(to, ("", ""))
        found.append(Mailing(pk, to, "guardian" if guardian else "person", address, postcode))
    return found


def _units(mailings: list[Mailing], year: int, size: int) -> Iterator[tuple[str, list[Mailing]]]:
    by_district: dict[str, list[Mailing]] = {}
    for mailing in sorted(mailings, key=lambda m: (m.district, m.postcode, m.person_id)):
        by_district.setdefault(mailing.district, []).append(mailing)
    for district, rows in by_district.items():
        taken = (
            Issued.objects.filter(batch__startswith=f"{year}-{district}-")
            .values("batch")
            .distinct()
            .count()
        )
        for index in range(0, len(rows), size):
            yield f"{year}-{district}-{taken + index // size + 1:04d}", rows[index : index + size]


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
    filemodes.private_dir(out)
    insured = _insured_in(principal, year)
    done = _already(year)
    todo = [pk for pk in insured if pk not in done]
    run = Run(
        year, str(out), deadline_of(year).isoformat(), today > deadline_of(year),
        issued_before=len(insured) - len(todo),
    )  # fmt: skip
    if not todo and done and not any(out.glob(f"statements-{year}-*.pdf")):
        raise Conflict(
            f"{year} 年度的权益记录单已全部出具（{len(done)} 份），批次文件在最初生成的目录中",
            f"every statement of {year} is issued already ({len(done)}); its batch files are"
            " in the folder of the run that made them",
        )
    mailings = _mailings(todo, today)
    written = 0
    jobs = [
        (principal, year, batch, rows, out, today) for batch, rows in _units(mailings, year, unit)
    ]
    for batch, counts in _done(jobs, workers):
        for key, value in counts.items():
            setattr(run, key, getattr(run, key) + value)
        run.batches.append(batch)
        written += counts["statements"]
        if progress:
            progress(written, len(todo))
    run.batches.sort()
    _write_mailing_list(year, out)
    (out / SUMMARY).write_text(json.dumps(asdict(run), ensure_ascii=False, indent=1))
    return run


Job = tuple[Principal, int, str, list["Mailing"], Path, date]


def _done(jobs: list[Job], workers: int) -> Iterator[tuple[str, dict[str, int]]]:
    """Each batch file made, in this process or — both cores used — in ``workers`` forked
    ones, each with its own database connection (closed here first, so none is shared)."""
    if workers <= 1 or len(jobs) <= 1 or connection.in_atomic_block:
        for job in jobs:
            yield _job(job)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
        yield from pool.imap_unordered(_job, jobs)


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
    """The whole year's mailing list, from what is recorded (so a resumed run lists all)."""
    issued = list(
        Issued.objects.filter(period_from=f"{year}-01", kind__in=("employee", "resident"))
        .exclude(batch="")
        .order_by("batch", "page")
    )
    mailings = {
        m.person_id: m for m in _mailings([i.person_id for i in issued], timezone.localdate())
    }
    names = dict(
        Person.objects.filter(pk__in={m.recipient_id for m in mailings.values()}).values_list(
            "pk", "name"
        )
    )
    part = out / (MAILING_LIST + ".part")
    with part.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MAILING_COLUMNS)
        for row in issued:
            mailing = mailings[row.person_id]
            writer.writerow(
                (
                    names.get(mailing.recipient_id, ""),
                    row.recipient,
                    mailing.address,
                    row.postcode,
                    row.code,
                    row.kind,
                    row.batch,
                    row.page,
                )
            )
    os.replace(part, out / MAILING_LIST)
