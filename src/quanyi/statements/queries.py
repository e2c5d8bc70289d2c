"""Reads of what was issued: a document's verification code, a year's tally and deadline,
and a person's own documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from quanyi.access.policy import authorize, scope
from quanyi.core.identifiers import mask_name
from quanyi.core.principal import Principal
from quanyi.registry.models import Person
from quanyi.statements import tokens
from quanyi.statements.flows import deadline_of
from quanyi.statements.models import Issued, Returned


def claim_of(issued: Issued) -> tokens.Claim:
    """The claim the document's signed code carries, from what is recorded of it."""
    person_name = Person.objects.values_list("name", flat=True).get(pk=issued.person_id)
    return tokens.Claim(
        issued.code,
        issued.kind,
        issued.period_from,
        issued.period_to,
        issued.printed_sha256,
        issued.facts_sha256,
        mask_name(person_name),
    )


def verification_code(issued: Issued) -> str:
    """The short code printed on the document (Ed25519 signs the same claim the same way)."""
    return tokens.short_code(tokens.sign(claim_of(issued)))


def year_status(principal: Principal, year: int) -> dict[str, Any]:
    authorize(principal, "statements.generate")
    persons = scope(Person.objects.all(), principal).values("pk")
    issued = Issued.objects.filter(
        period_from=f"{year}-01", kind__in=("employee", "resident"), person_id__in=persons
    )
    tally = issued.aggregate(
        statements=Count("pk"),
        mailed=Count("pk", filter=~Q(batch="") & ~Q(postcode="")),
        to_guardian=Count("pk", filter=Q(recipient="guardian")),
        batches=Count("batch", distinct=True, filter=~Q(batch="")),
    )
    return {
        "year": year,
        "deadline": deadline_of(year).isoformat(),
        "statements": tally["statements"],
        "mailed": tally["mailed"],
        # At the counter: printed for those without an address, and copies asked for there.
        "handed_out": tally["statements"] - tally["mailed"],
        "returned": Returned.objects.filter(issued__in=issued).count(),
        "to_guardian": tally["to_guardian"],
        "batches": tally["batches"],
    }


def issued_to(code: str) -> tuple[int, date] | None:
    """(person id, date) of the statement with this code (an objection's window runs from
    it)."""
    found = (
        Issued.objects.filter(code=code, kind__in=("employee", "resident"))
        .values_list("person_id", "issued_on")
        .first()
    )
    return (int(found[0]), found[1]) if found else None


def own_documents(person_id: int) -> list[Issued]:
    return list(Issued.objects.filter(person_id=person_id).order_by("-issued_on", "-pk")[:20])
