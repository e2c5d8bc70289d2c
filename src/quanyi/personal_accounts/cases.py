"""``record.correct`` of a personal account (``"object": "account"``): 补建个人帐户 (003 §5) —
the credits a person's paid pension months never brought to the account, re-established as
late credits with the interest they missed. Registered with the registry's one correction
type (``registry.cases.correction_object``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from quanyi.core.errors import FieldError, InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.personal_accounts import corrections, services
from quanyi.registry import services as registry
from quanyi.registry.cases import correction_object
from quanyi.registry.models import Person
from quanyi.workflow.types import Change

FIELDS: tuple[str, ...] = ("reestablish",)


def _person(principal: Principal, key: Any, changes: Mapping[str, Any]) -> Person:
    """The person, with every reason at once: the key, unknown fields, ``reestablish``."""
    errors = [
        FieldError(f"changes.{name}", "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(changes) - set(FIELDS))
    ]
    if changes.get("reestablish") is not True:
        errors.append(
            FieldError(
                "changes.reestablish",
                "required",
                '补建个人帐户须填写 "reestablish": true',
                'to re-establish the account give "reestablish": true',
            )
        )
    person: Person | None = None
    try:
        person = registry.person_by_id_number(principal, str(key or ""))
    except QuanyiError as exc:
        errors.append(exc.at("key"))
    if errors or person is None:
        raise InvalidInput(errors)
    return person


class AccountObject:
    fields = FIELDS

    def clean(
        self, principal: Principal, key: Any, changes: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        person = _person(principal, key, changes)
        credits, corrected = corrections.missing(person)
        if not credits and not corrected:
            raise InvalidInput.one(
                "changes.reestablish",
                "nothing_missing",
                "该人员已缴费月份的个人账户记账齐全，无需补建",
                "every paid month of the person is credited to the account: nothing to"
                " re-establish",
            )
        return person.id_number, {"reestablish": True}

    def changes(self, principal: Principal, key: str, changes: Mapping[str, Any]) -> list[Change]:
        """Each month to credit with its account share and the late interest it brings."""
        person = _person(principal, key, changes)
        credits, corrected = corrections.missing(person)
        closed = services.closed_years(person.agency_region)
        paid_year = date.today().year
        label = f"account {person.pk}"
        found = []
        for credit in credits:
            _, late = services.late_placement(
                None, credit.region, credit.month, credit.amount_fen, paid_year, closed
            )
            found.append(
                Change(label, f"credit {credit.month}", None, credit.amount_fen, person.name)
            )
            if late:
                found.append(
                    Change(label, f"late_interest {credit.month}", None, late, person.name)
                )
        for line_id in corrected:
            found.append(
                Change(label, f"credit line {line_id}", None, "corrected line", person.name)
            )
        return found

    def apply(self, principal: Principal, key: str, changes: Mapping[str, Any]) -> str:
        person = _person(principal, key, changes)
        written = corrections.reestablish(principal, person)
        if not written:
            raise InvalidInput.one(
                "changes.reestablish",
                "nothing_missing",
                "该人员已缴费月份的个人账户记账齐全，无需补建",
                "every paid month of the person is credited to the account: nothing to"
                " re-establish",
            )
        return f"account of person {person.pk}: {written} entries re-established"


correction_object("account", AccountObject())
