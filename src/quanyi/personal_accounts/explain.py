"""``quanyi record explain ID_NUMBER --year Y``: how each figure of a year was computed — the
inputs, the rule and its source, the formula and the exact value before rounding (001 art. 6 ¶4;
DESIGN invariant 2: every figure can explain itself)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from quanyi.access.policy import readable
from quanyi.contributions.models import Line
from quanyi.core.identifiers import mask, parse_id_number
from quanyi.core.money import round_fen
from quanyi.core.principal import Principal
from quanyi.personal_accounts.models import Entry, EntryKind, YearBalance
from quanyi.personal_accounts.schemas import Explanation
from quanyi.registry.errors import person_not_found
from quanyi.registry.models import Person
from quanyi.rulebook import calc
from quanyi.rulebook.models import Parameter
from quanyi.rulebook.queries import Rulebook

FORMULAS = {
    "national": "interest = opening × r + credited × r × 1.083 × ½ (年度计息)",
    "monthly": "interest = opening × r + Σ credit_m × r × (13 − m) / 12 (月积数法)",
}


def explained_year(principal: Principal, id_number: str, year: int) -> Explanation:
    """``record explain ID_NUMBER --year Y``."""
    return Explanation.model_validate(explain(principal, id_number, year))


def explain(principal: Principal, id_number: str, year: int) -> dict[str, Any]:
    number = parse_id_number(id_number).number
    person = readable(principal, Person.objects.all()).filter(id_number=number).first()
    if person is None:
        raise person_not_found()
    book = Rulebook.load()
    on = date(year, 1, 1)
    balance = YearBalance.objects.filter(person=person, year=year).first()
    previous = YearBalance.objects.filter(person=person, year=year - 1).first()
    opening = previous.closing_fen if previous else 0
    entries = list(Entry.objects.filter(person=person, year=year).order_by("month", "pk"))
    lines = {
        line.pk: line
        for line in Line.objects.filter(pk__in=[e.line_id for e in entries if e.line_id])
    }
    credits: list[dict[str, Any]] = []
    by_month: dict[int, int] = {}
    for entry in entries:
        if entry.kind == EntryKind.INTEREST:
            continue
        line = lines.get(entry.line_id or 0)
        row: dict[str, Any] = {
            "kind": entry.kind,
            "month": entry.month,
            "amount_fen": entry.amount_fen,
        }
        if line is not None and entry.kind == EntryKind.CREDIT:
            share = book.fraction(
                "account.share",
                person.agency_region,
                date(int(line.month[:4]), int(line.month[5:]), 1),
            )
            row.update(
                base_fen=line.base_fen,
                share=str(share),
                rule=f"base × account.share = {line.base_fen} × {share}",
            )
        credits.append(row)
        if entry.kind != EntryKind.LATE_INTEREST:
            number_of_month = int(entry.month[5:]) if entry.month.startswith(str(year)) else 12
            by_month[number_of_month] = by_month.get(number_of_month, 0) + entry.amount_fen
    interest_rows = [e.amount_fen for e in entries if e.kind == EntryKind.INTEREST]
    found = book.find("interest.rate", person.agency_region, on)
    body: dict[str, Any] = {
        "person": mask(person.id_number),
        "year": year,
        "opening_fen": opening,
        "opening_rule": f"closing of {year - 1}" if previous else "no earlier balance",
        "credits": credits,
        "credited_fen": sum(by_month.values()),
        "closing_fen": balance.closing_fen if balance else opening,
    }
    if interest_rows and found is not None:
        rate = Decimal(found[0])
        method = book.text("interest.method", person.agency_region, on)
        exact = calc.exact_interest(opening, by_month, rate, method)
        source = Parameter.objects.filter(pk=found[3]).values_list("source", "note").first()
        body["interest"] = {
            "method": method,
            "formula": FORMULAS[method],
            "rate": str(rate),
            "rate_source": " — ".join(s for s in (source or ()) if s),
            "exact_fen": str(exact.quantize(Decimal("0.0001"))),
            "rounded_fen": round_fen(exact),
            "credited_fen": sum(interest_rows),
        }
        body["interest"]["agrees"] = body["interest"]["rounded_fen"] == sum(interest_rows)
    return body
