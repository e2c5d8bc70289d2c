"""The only code that writes the enrollment registry. Each service checks the permission, writes
its own tables and appends the audit event in the caller's transaction (CONTRIBUTING: one
transaction boundary); bulk rows go in under one batch event holding their Merkle root."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from quanyi.access.policy import authorize
from quanyi.audit import bulk as audit_bulk
from quanyi.audit import services as audit
from quanyi.core.principal import Principal
from quanyi.enrollment.models import RESIDENT_FIELDS, Export, Finding, Resident, Run, Survey
from quanyi.enrollment.validation import Row


def _assert_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("enrollment services run inside the caller's transaction")


def add_residents(principal: Principal, source: str, rows: Sequence[Row]) -> int:
    """Applied by an approved ``enrollment.import`` case: one new version of each person."""
    _assert_transaction()
    authorize(principal, "enrollment.write")
    seq = audit.reserve_seq()
    made = [
        Resident(
            id_number=row.id_number,
            name=row.name,
            sex=row.sex,
            birth_date=row.birth_date,
            hukou_region=row.hukou_region,
            residence_region=row.residence_region,
            employment_status=row.employment_status,
            phone=row.phone,
            not_enrolled_reason=row.not_enrolled_reason,
            elsewhere_region=row.elsewhere_region,
            exit_reason=row.exit_reason,
            source=source,
            agency_region=principal.region,
            case_id=principal.case_id,
        )
        for row in rows
    ]
    for start in range(0, len(made), 5000):
        chunk = made[start : start + 5000]
        audit.stamp_rows(chunk, seq)
        Resident.objects.bulk_create(chunk)
    audit.record_batch(principal, "enrollment.import", Resident, seq)
    return len(made)


def amend_resident(principal: Principal, current: Resident, changes: Mapping[str, Any]) -> Resident:
    """A new version of one person with ``changes`` (a survey's corrections, 002 art. 21)."""
    _assert_transaction()
    authorize(principal, "enrollment.write")
    values = {name: getattr(current, name) for name in _VERSIONED}
    values.update(changes)
    values["case_id"] = principal.case_id
    return audit.create_entry(principal, "enrollment.amend", Resident, **values)


# What a new version of a resident carries over; the case that made it is its own.
_VERSIONED = tuple(name for name in RESIDENT_FIELDS if name != "case_id")


def record_run(
    principal: Principal,
    as_of: str,
    engine: str,
    counts: Mapping[str, int],
    population: int,
    exchange: Iterable[tuple[str, str]],
    findings: Iterable[Sequence[tuple[int, str, str, str, str, int, str]]],
) -> Run:
    """One match run and its findings (resident id, status, situation, missing, held, needs
    survey, division), given batch by batch and written in bulk under one batch event."""
    _assert_transaction()
    authorize(principal, "enrollment.match")
    run = audit.create_entry(
        principal,
        "enrollment.match",
        Run,
        as_of=as_of,
        engine=engine,
        population=population,
        counts=json.dumps(dict(counts), sort_keys=True),
        exchange=json.dumps([[name, sha] for name, sha in exchange], ensure_ascii=False),
        actor=principal.actor,
        ran_at=timezone.now(),
    )
    seq = audit.reserve_seq()
    digests: list[bytes] = []
    for batch in findings:
        _, leaves = audit_bulk.write_rows(Finding, [(run.pk, *f) for f in batch], seq)
        digests.extend(leaves)
    if len(digests) != population:
        raise RuntimeError(f"the run found {population} persons but wrote {len(digests)}")
    audit.record_batch_leaves(principal, "enrollment.findings", Finding, seq, digests)
    return run


def record_survey(
    principal: Principal,
    resident: Resident,
    run_id: int,
    outcome: str,
    note: str,
    surveyed_on: date,
) -> Survey:
    """The county's approval of a survey result (002 art. 19): the flag of that run is
    cleared."""
    _assert_transaction()
    authorize(principal, "enrollment.write")
    return audit.create_entry(
        principal,
        "enrollment.survey",
        Survey,
        resident=resident,
        run_id=run_id,
        outcome=outcome,
        note=note,
        surveyed_on=surveyed_on,
        case_id=principal.case_id,
    )


def record_export(
    principal: Principal,
    kind: str,
    run_id: int | None,
    as_of: str,
    file: str,
    rows: int,
    persons: int,
    sha256: str,
) -> Export:
    """A file for the upper-level registry, written by ``principal``: the bulk disclosure's
    log row and audit event, in the command's transaction (002 art. 10, 30; 001 art. 22)."""
    _assert_transaction()
    authorize(principal, "enrollment.export")
    return audit.create_entry(
        principal,
        f"enrollment.{kind}",
        Export,
        kind=kind,
        run_id=run_id,
        as_of=as_of,
        region=principal.region,
        file=file[:255],
        rows=rows,
        persons=persons,
        file_sha256=sha256,
        actor=principal.actor,
    )
