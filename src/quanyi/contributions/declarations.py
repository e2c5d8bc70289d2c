"""Base declarations (缴费基数申报, 004 part 5 art. 5-6): an employer's file of last year's
average monthly wages, one row per person; bases are the wages clamped to the region's bounds.
A ``contribution.declare`` case carries the rows; its approval writes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions.models import Declaration
from quanyi.core.errors import FieldError, InvalidInput, QuanyiError
from quanyi.core.identifiers import parse_id_number
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry
from quanyi.registry.models import Employer, Person
from quanyi.rulebook import calc
from quanyi.rulebook.queries import Rulebook


@dataclass(frozen=True)
class DeclaredRow:
    person: Person
    wage_fen: int
    base: calc.Base


@dataclass(frozen=True)
class CleanDeclaration:
    employer: Employer
    valid_from: str
    rows: list[DeclaredRow]

    @property
    def clamped(self) -> list[DeclaredRow]:
        return [row for row in self.rows if row.base.clamped]


def clean(principal: Principal, payload: Mapping[str, Any]) -> CleanDeclaration:
    """Every bad row is reported (``rows[N].field``), nothing is kept on error."""
    errors: list[FieldError] = []
    unknown = sorted(set(payload) - {"uscc", "valid_from", "rows"})
    errors += [FieldError(name, "unknown_field", "未知字段", "unknown field") for name in unknown]
    employer: Employer | None = None
    try:
        employer = registry.employer_by_uscc(principal, str(payload.get("uscc", "")))
    except InvalidInput as exc:
        errors += exc.errors
    except QuanyiError as exc:  # not found, or another region's
        errors.append(exc.at("uscc"))
    valid_from = ""
    try:
        valid_from = str(YearMonth.parse(str(payload.get("valid_from", "")), "valid_from"))
    except InvalidInput as exc:
        errors += exc.errors
    raw_rows = payload.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        errors.append(FieldError("rows", "required", "须至少申报一人", "declare at least one row"))
        raw_rows = []
    bounds = None
    if employer is not None and valid_from:
        book = Rulebook.load()
        on = YearMonth.parse(valid_from).first_day()
        try:
            bounds = (
                book.fen("base.lower", employer.agency_region, on),
                book.fen("base.upper", employer.agency_region, on),
            )
        except QuanyiError as exc:
            errors.append(exc.at("valid_from", "no_bounds"))
    numbers = []
    parsed: list[tuple[int, str, int]] = []
    for index, row in enumerate(raw_rows, start=1):
        where = f"rows[{index}]"
        if not isinstance(row, Mapping):
            errors.append(FieldError(where, "not_object", "每行须为对象", "each row is an object"))
            continue
        number = ""
        try:
            number = parse_id_number(row.get("id_number"), f"{where}.id_number").number
        except InvalidInput as exc:
            errors += exc.errors
        try:
            wage = int(str(row.get("wage_fen", "")).strip())
            if wage <= 0:
                raise ValueError
        except ValueError:
            errors.append(
                FieldError(
                    f"{where}.wage_fen",
                    "bad_wage",
                    "工资须为正整数（分）",
                    "the wage is a positive whole number of fen",
                )
            )
            wage = 0
        if number and number in numbers:
            errors.append(
                FieldError(
                    f"{where}.id_number",
                    "duplicate",
                    "同一人重复申报",
                    "this person is declared twice",
                )
            )
        numbers.append(number)
        parsed.append((index, number, wage))
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=numbers)}
    rows: list[DeclaredRow] = []
    for index, number, wage in parsed:
        person = persons.get(number)
        if number and person is None:
            errors.append(
                FieldError(
                    f"rows[{index}].id_number",
                    "not_registered",
                    "该人员尚未登记",
                    "this person is not registered",
                )
            )
        if person is not None and wage and bounds is not None:
            rows.append(DeclaredRow(person, wage, calc.bounded_base(wage, *bounds)))
    if employer is not None and valid_from and rows:
        taken = set(
            Declaration.objects.filter(
                employer=employer, valid_from=valid_from, person__in=[r.person for r in rows]
            ).values_list("person_id", flat=True)
        )
        for index, row in enumerate(rows, start=1):
            if row.person.pk in taken:
                errors.append(
                    FieldError(
                        f"rows[{index}].id_number",
                        "declared",
                        "该月起的缴费基数已申报",
                        "already declared from that month",
                    )
                )
    if errors:
        raise InvalidInput(errors)
    assert employer is not None
    return CleanDeclaration(employer, valid_from, rows)


def declare(principal: Principal, payload: Mapping[str, Any]) -> int:
    """Applied by an approved ``contribution.declare`` case: one batch of declarations."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "registry.write")
    cleaned = clean(principal, payload)
    seq = audit.reserve_seq()
    declarations = [
        Declaration(
            person=row.person,
            employer=cleaned.employer,
            valid_from=cleaned.valid_from,
            wage_fen=row.wage_fen,
            base_fen=row.base.base_fen,
            clamped=row.base.clamped,
            case_id=principal.case_id,
        )
        for row in cleaned.rows
    ]
    audit.stamp_rows(declarations, seq)
    Declaration.objects.bulk_create(declarations, batch_size=5000)
    audit.record_batch(principal, "contribution.declare", Declaration, seq)
    return len(cleaned.rows)
