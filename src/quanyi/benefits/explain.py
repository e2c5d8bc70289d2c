"""``quanyi record explain ID_NUMBER --benefit``: each grant's decision as it was made."""

from __future__ import annotations

import json

from quanyi.access.policy import authorize
from quanyi.benefits.models import Grant
from quanyi.benefits.schemas import BenefitExplanation, GrantExplained
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.registry import services as registry


def explained_benefits(principal: Principal, id_number: str, _: object) -> BenefitExplanation:
    authorize(principal, "record.read")
    person = registry.person_by_id_number(principal, id_number)
    authorize(principal, "record.read", person)
    return BenefitExplanation(
        id_number=mask(person.id_number),
        grants=[
            GrantExplained(
                id=grant.pk,
                kind=grant.kind,
                start_month=grant.start_month,
                monthly_fen=grant.monthly_fen,
                case_id=grant.case_id,
                explained=json.loads(grant.explained or "{}"),
            )
            for grant in Grant.objects.filter(person=person).order_by("pk")
        ],
    )
