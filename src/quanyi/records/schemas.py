"""The person record as the CLI prints it and the API serves it (DESIGN.md, ``record show``).

Each part is optional: a part the user may not see is absent, never null. A part an installed
domain adds beyond these passes through as it is."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict

from quanyi.benefits.schemas import BenefitRow
from quanyi.contributions.schemas import ContributionRow
from quanyi.personal_accounts.schemas import AccountPart
from quanyi.registry.schemas import PersonPart, RelationRow


class Record(Schema):
    model_config = ConfigDict(extra="allow")

    person: PersonPart | None = None
    relations: list[RelationRow] | None = None
    contributions: list[ContributionRow] | None = None
    account: AccountPart | None = None
    contribution_months: dict[str, int] | None = None
    benefits: list[BenefitRow] | None = None
    # 缴费年限 per insurance as text with two decimals ("14.92"), the pension's with its
    # deemed months; shown only, never calculated with (REFERENCE.md Basic pension).
    contribution_years: dict[str, str] | None = None
    deemed_months: int | None = None  # 视同缴费月数 on record now


class AccessRow(Schema):
    """One read of a record by someone other than the person (001 art. 21)."""

    time: datetime
    actor: str  # the reader's account ("person account" for a person's, never its id number)
    organisation: str
    source: str  # web | api | cli | batch
    purpose: str
    basis: str
    items: list[str]
    result: str  # shown | partial | refused


class ExportDone(Schema):
    """What ``record export`` wrote: the case, how many persons, the file's SHA-256."""

    case_id: int
    persons: int
    sha256: str
