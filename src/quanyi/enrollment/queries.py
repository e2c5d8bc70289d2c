"""Every read of the enrollment registry, and the reads of the registry and benefits the match
needs (this app sits above them: it reads their tables, never writes them). Reads are limited
to the principal's region: residents by the agency whose registry holds them, persons and their
relations by their agency region."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet

from quanyi.access.policy import authorize
from quanyi.benefits import queries as benefits
from quanyi.core import regions
from quanyi.core.principal import Principal
from quanyi.enrollment.models import Finding, Resident, Run, Survey
from quanyi.registry import queries as registry

CHUNK = 20_000


def residents(principal: Principal) -> QuerySet[Resident]:
    """The current version of everyone in the principal's region still in the population."""
    latest = Resident.objects.values("id_number_index").annotate(last=Max("id")).values("last")
    return Resident.objects.filter(id__in=latest, exit_reason="").filter(
        regions.within("agency_region", principal.region)
    )


def resident_by_number(principal: Principal, id_number: str) -> Resident | None:
    authorize(principal, "enrollment.read")
    return residents(principal).filter(id_number=id_number).order_by("-id").first()


def _chunks(queryset: QuerySet[Any], *fields: str) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in key order, a chunk at a time (memory stays flat over millions)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:CHUNK])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def population_rows(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(rid, k, name_d, birth, emp, division) of the population, by chunk."""
    yield from _chunks(
        residents(principal),
        "id_number_index",
        "name_index",
        "birth_date",
        "employment_status",
        "residence_region",
    )


def registry_rows(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, k, name, birth) of our registry's persons: the name is digested by the caller."""
    persons = registry.persons_of_region(principal.region)
    yield from _chunks(persons, "id_number_index", "name", "birth_date")


def relation_rows(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, k, insurance, employer id, start, end) of our insurance relations."""
    relations = registry.relations_of_region(principal.region)
    yield from _chunks(
        relations, "person__id_number_index", "insurance", "employer_id", "start_month", "end_month"
    )


def payment_rows(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, k, benefit kind, month, grant) of monthly benefit payments (002 art. 29)."""
    payments = benefits.monthly_payments_of_region(principal.region)
    yield from _chunks(payments, "person__id_number_index", "grant__kind", "month", "grant_id")


def pension_rows(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, k, start, end) of pension grants."""
    grants = benefits.pension_grants_of_region(principal.region)
    yield from _chunks(grants, "person__id_number_index", "start_month", "end_month")


# --- after a match ---------------------------------------------------------------------------


def latest_run(principal: Principal) -> Run | None:
    authorize(principal, "enrollment.read")
    return Run.objects.order_by("-id").first()


@dataclass(frozen=True)
class Listed:
    """A person on a survey list: what the form shows (the id number masked elsewhere)."""

    resident: Resident
    finding: Finding


def open_findings(principal: Principal, run: Run, division: str = "") -> QuerySet[Finding]:
    """The run's persons still flagged "needs survey": no approved survey result for that run
    (002 art. 10, 19), within ``division`` (a county, street or community code prefix)."""
    authorize(principal, "enrollment.read")
    cleared = Survey.objects.filter(run_id=run.pk).values("resident_id")
    found = Finding.objects.filter(run_id=run.pk, needs_survey=1).exclude(resident_id__in=cleared)
    found = found.filter(regions.within("resident__agency_region", principal.region))
    if division:
        found = found.filter(division__startswith=division)
    return found.order_by("division", "resident_id")


def survey_list(principal: Principal, run: Run, division: str = "") -> list[Listed]:
    findings = list(open_findings(principal, run, division)[:10_000])
    by_id = Resident.objects.in_bulk([f.resident_id for f in findings])
    return [Listed(by_id[f.resident_id], f) for f in findings if f.resident_id in by_id]


def finding_of(principal: Principal, run: Run, resident_id: int) -> Finding | None:
    authorize(principal, "enrollment.read")
    return Finding.objects.filter(run_id=run.pk, resident_id=resident_id).first()


def finding_for_number(principal: Principal, run: Run, id_number: str) -> Finding | None:
    """The run's finding of whichever version of this person it read."""
    authorize(principal, "enrollment.read")
    versions = Resident.objects.filter(id_number=id_number).values("id")
    return Finding.objects.filter(run_id=run.pk, resident_id__in=versions).first()


def is_cleared(run_id: int, resident_id: int) -> bool:
    return Survey.objects.filter(run_id=run_id, resident_id=resident_id).exists()


# --- statistics (002 art. 27-31) ------------------------------------------------------------

LEVELS = {"county": 6, "street": 9, "community": 12}
COUNTED = ("enrolled", "enrolled_elsewhere")


def run_as_of(principal: Principal, as_of: str | None) -> Run | None:
    """The latest run, or the latest of month ``as_of``."""
    authorize(principal, "enrollment.read")
    runs = Run.objects.order_by("-id")
    return (runs.filter(as_of=as_of) if as_of else runs).first()


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def stats(principal: Principal, run: Run, level: str) -> dict[str, Any]:
    """Registration rate, coverage by insurance and reasons for not enrolling, by division
    (county, street or community) for one run, and the registration rate of each month's
    latest run. Counts only: nobody is named."""
    from django.db.models import CharField, Count, Value
    from django.db.models.functions import Concat, Substr

    from quanyi.enrollment.codes import COUNT_KEYS, INSURANCES

    authorize(principal, "enrollment.read")
    findings = Finding.objects.filter(
        regions.within("resident__agency_region", principal.region), run_id=run.pk
    ).annotate(
        part=Substr("division", 1, LEVELS[level]),
        wrapped=Concat(Value(","), "held", Value(","), output_field=CharField()),
    )
    aggregates: dict[str, Any] = {
        status: Count("id", filter=Q(status=status)) for status in COUNT_KEYS
    }
    aggregates.update(
        {f"ins_{name}": Count("id", filter=Q(wrapped__contains=f",{name},")) for name in INSURANCES}
    )
    divisions: list[dict[str, Any]] = []
    grouped: Any = findings.values("part").annotate(**aggregates).order_by("part")
    for row in grouped:
        population = sum(row[s] for s in COUNT_KEYS)
        divisions.append(
            {
                "division": row["part"],
                "population": population,
                "counts": {s: row[s] for s in COUNT_KEYS},
                "registration_rate": rate(sum(row[s] for s in COUNTED), population),
                "coverage": {name: row[f"ins_{name}"] for name in INSURANCES},
            }
        )
    reasons: dict[str, int] = {}
    why: Any = (
        findings.filter(status__in=("not_enrolled", "partly_enrolled"))
        .values("resident__not_enrolled_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for found in why:
        reasons[found["resident__not_enrolled_reason"] or "unknown"] = found["n"]
    months: list[dict[str, Any]] = []
    latest_ids = Run.objects.values("as_of").annotate(last=Max("id")).values("last")
    for month_run in Run.objects.filter(id__in=latest_ids).order_by("as_of"):
        counts = json.loads(month_run.counts)
        months.append(
            {
                "as_of": month_run.as_of,
                "run": month_run.pk,
                "population": month_run.population,
                "registration_rate": rate(
                    sum(counts.get(s, 0) for s in COUNTED), month_run.population
                ),
            }
        )
    population = sum(d["population"] for d in divisions)
    return {
        "run": run.pk,
        "as_of": run.as_of,
        "level": level,
        "population": population,
        "registration_rate": rate(
            sum(d["counts"][s] for d in divisions for s in COUNTED), population
        ),
        "divisions": divisions,
        "reasons": reasons,
        "months": months,
    }


def prompts(resident: Resident, finding: Finding | None, cleared: bool) -> list[str]:
    """What the counter asks for (002 art. 13): the items missing or in doubt, as codes the
    screen shows by label."""
    found = []
    if not resident.phone:
        found.append("phone")
    if not resident.employment_status:
        found.append("employment_status")
    if finding is not None and finding.needs_survey and not cleared:
        found.append(f"status:{finding.status}")
        if finding.status in ("not_enrolled", "partly_enrolled") and not (
            resident.not_enrolled_reason
        ):
            found.append("not_enrolled_reason")
    return found


# --- for the upper level (002 art. 10, 30) ---------------------------------------------------


def _periods(principal: Principal, as_of: str) -> QuerySet[Any]:
    authorize(principal, "enrollment.export")
    return registry.relations_of_region(principal.region).filter(start_month__lte=as_of)


def exchange_rows(principal: Principal, as_of: str) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, id_number, name, insurance, region, start, end) of the region's insurance
    relations begun by ``as_of``, by chunk: the exchange file's rows (the id number in full,
    decrypted here for the file the upper level matches on)."""
    yield from _chunks(
        _periods(principal, as_of),
        "person__id_number",
        "person__name",
        "insurance",
        "person__agency_region",
        "start_month",
        "end_month",
    )


def exchange_persons(principal: Principal, as_of: str) -> int:
    return _periods(principal, as_of).values("person_id").distinct().count()


def run_by_id(principal: Principal, run_id: int) -> Run | None:
    authorize(principal, "enrollment.read")
    return Run.objects.filter(pk=run_id).first()


def report_persons(principal: Principal, run: Run) -> Iterator[tuple[Listed, str]]:
    """Everyone ``run`` flagged "needs survey" in the principal's region, whether surveyed
    since or not, with the approved survey's outcome (or ""), in division order: the
    person-level detail of the periodic report (002 art. 30)."""
    authorize(principal, "enrollment.read")
    found = (
        Finding.objects.filter(run_id=run.pk, needs_survey=1)
        .filter(regions.within("resident__agency_region", principal.region))
        .order_by("division", "resident_id")
    )
    last = ("", 0)
    while True:
        division, resident_id = last
        page = list(
            found.filter(
                Q(division__gt=division) | Q(division=division, resident_id__gt=resident_id)
            )[:CHUNK]
        )
        if not page:
            return
        ids = [f.resident_id for f in page]
        by_id = Resident.objects.in_bulk(ids)
        outcomes = dict(
            Survey.objects.filter(run_id=run.pk, resident_id__in=ids).values_list(
                "resident_id", "outcome"
            )
        )
        for finding in page:
            if finding.resident_id in by_id:
                yield (
                    Listed(by_id[finding.resident_id], finding),
                    outcomes.get(finding.resident_id, ""),
                )
        last = (page[-1].division, page[-1].resident_id)


@dataclass(frozen=True)
class Own:
    """A person's own entry in the registry and what the latest match asks of them."""

    resident: Resident
    finding: Finding | None
    prompts: list[str]


def own_entry(principal: Principal, id_number: str) -> Own | None:
    """The person's own latest entry (002 art. 14, 23): for the portal, by their own id
    number only — the principal is the person, bound to that record."""
    authorize(principal, "enrollment.own")
    resident = (
        Resident.objects.filter(id_number=id_number, exit_reason="")
        .filter(regions.within("agency_region", principal.region))
        .order_by("-id")
        .first()
    )
    if resident is None:
        return None
    run = Run.objects.order_by("-id").first()
    finding = None
    if run is not None:
        versions = Resident.objects.filter(id_number=id_number).values("id")
        finding = Finding.objects.filter(run_id=run.pk, resident_id__in=versions).first()
    cleared = bool(finding and is_cleared(finding.run_id, finding.resident_id))
    return Own(resident, finding, prompts(resident, finding, cleared))


# --- the standing feed from the insurance records (002 art. 20-22) ---------------------------

EMPLOYEE_INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


def known_keys(principal: Principal) -> set[Any]:
    """The blind-index keys of everyone the region's population has ever held, whatever their
    latest version says (one another department reported gone is known, not new)."""
    found = Resident.objects.filter(regions.within("agency_region", principal.region))
    return set(found.values_list("id_number_index", flat=True).distinct())


def registered_keys(principal: Principal) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, k, status, deceased date) of the region's registered persons, by chunk: keys only,
    nothing decrypted (the registry's rows are read, never written)."""
    persons = registry.persons_of_region(principal.region)
    yield from _chunks(persons, "id_number_index", "status", "deceased_date")


def registered_persons(principal: Principal, person_ids: list[int]) -> list[Any]:
    """The region's registered persons by row number, in that order (details decrypted)."""
    found = registry.persons_of_region(principal.region).in_bulk(person_ids)
    return [found[pk] for pk in person_ids if pk in found]


def employed_by_unit(principal: Principal, person_ids: list[int], as_of: str) -> set[int]:
    """Those insured in an employee insurance with an employer in month ``as_of``: 单位就业."""
    covering = (
        registry.relations_of_region(principal.region)
        .filter(
            person_id__in=person_ids,
            employer__isnull=False,
            insurance__in=EMPLOYEE_INSURANCES,
            start_month__lte=as_of,
        )
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=as_of))
    )
    return set(covering.values_list("person_id", flat=True))


def drawing_pension(principal: Principal, person_ids: list[int], as_of: str) -> set[int]:
    """Those drawing a pension granted here in month ``as_of``: 离退休."""
    grants = (
        benefits.pension_grants_of_region(principal.region)
        .filter(person_id__in=person_ids, start_month__lte=as_of)
        .filter(Q(end_month="") | Q(end_month__gte=as_of))
    )
    return set(grants.values_list("person_id", flat=True))


def current_of_keys(principal: Principal, keys: list[Any]) -> list[Resident]:
    """The current version of each of these persons still in the population."""
    return list(residents(principal).filter(id_number_index__in=keys).order_by("id"))


def feed_in_flight(principal: Principal, source: str) -> Any:
    """The region's ``enrollment.import`` case from ``source`` still open or returned (not yet
    approved nor withdrawn), if any: a second feed waits for it."""
    from quanyi.workflow.models import Case, CaseStatus

    candidates = Case.objects.filter(
        type="enrollment.import",
        region=principal.region,
        status__in=(CaseStatus.OPEN, CaseStatus.RETURNED),
    ).order_by("pk")
    for case in candidates:
        if (case.payload or {}).get("source") == source:
            return case
    return None
