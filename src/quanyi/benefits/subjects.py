"""Whom a benefit case is about: the person by id number, refused once their registration is
closed, and how a diff line names them (masked)."""

from __future__ import annotations

from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.registry import services as registry
from quanyi.registry.models import Person, PersonStatus
from quanyi.workflow.types import FormField

ID = FormField("id_number", "公民身份号码", "id number", True, "id_number")


def beneficiary(principal: Principal, id_number: str) -> Person:
    person = registry.person_by_id_number(principal, id_number)
    if person.status == PersonStatus.CANCELLED:
        raise InvalidInput.one(
            "id_number",
            "cancelled",
            f"{person.name} 已注销登记，不能办理待遇业务",
            "the person's registration is closed",
        )
    return person


def subject_label(person: Person, what: str = "") -> str:
    return f"person {person.pk} {mask(person.id_number)}" + (f" {what}" if what else "")
