"""The registry's typed contracts: the payloads of its case types, as intake cleaned them, and
its parts of the person record (``person``, ``relations``).

Payload fields are the column names of the legacy CSV files (DESIGN.md).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from ninja import Schema

from quanyi.core.identifiers import parse_id_number, validate_uscc
from quanyi.core.schemas import IsoDate, Month, Payload, checked
from quanyi.registry.models import Category, EmployerStatus, Insurance, PersonStatus

IdNumber = Annotated[str, checked(lambda value: parse_id_number(value).number)]
Uscc = Annotated[str, checked(validate_uscc)]

# --- case payloads ---------------------------------------------------------------------------


class EmployerRegistration(Payload):
    uscc: str
    name: str
    region: str
    address: str = ""
    injury_class: int


class EmployerChange(Payload):
    """The employer and the fields that change (only those given)."""

    uscc: str
    name: str | None = None
    region: str | None = None
    address: str | None = None
    injury_class: int | None = None
    status: EmployerStatus | None = None

    def changed(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, exclude={"uscc"})


class EmployerCancellation(Payload):
    uscc: Uscc
    cancelled_on: IsoDate


class PersonRegistration(Payload):
    id_number: str
    name: str
    phone: str = ""
    hukou_region: str
    residence_region: str
    category: Category
    guardian_id_number: str | None = None


class PersonChange(Payload):
    """The person and the fields that change (only those given)."""

    id_number: str
    name: str | None = None
    phone: str | None = None
    hukou_region: str | None = None
    residence_region: str | None = None
    category: Category | None = None
    guardian_id_number: str | None = None

    def changed(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, exclude={"id_number"})


class PersonCancellation(Payload):
    id_number: IdNumber
    deceased_date: IsoDate | None = None
    end_month: Month | None = None


class RelationStart(Payload):
    id_number: str
    uscc: str | None = None
    insurance: Insurance
    start_month: str
    end_month: str | None = None


class RelationEnd(Payload):
    """The open relation intake found (by its number, or the person's open relation of the
    insurance) and the month it ends."""

    relation_id: int
    id_number: str
    insurance: Insurance
    end_month: str


class Correction(Payload):
    """A correction of sealed data (更正, 003 §5): the row, the fields as corrected, why and on
    what basis (001 art. 12)."""

    # person, employer, relation; and the objects the domains above register
    # (``cases.correction_object``): contribution, account.
    object: str
    key: str
    changes: dict[str, Any]
    reason: str
    method: str


class DeemedFinding(Payload):
    """视同缴费认定: a person's deemed months as an archive document establishes them."""

    id_number: str
    deemed_months: int
    source: str


# --- parts of the person record --------------------------------------------------------------


class PersonPart(Schema):
    id_number: str  # masked unless the user may see it in full
    name: str
    sex: Literal["M", "F"]
    birth_date: date
    category: Category
    region: str
    status: PersonStatus
    deceased_date: date | None


class RelationRow(Schema):
    uscc: str | None
    employer: str | None
    insurance: Insurance
    start_month: str
    end_month: str | None
