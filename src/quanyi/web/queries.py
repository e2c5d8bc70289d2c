"""Instance-wide figures for the front page: counts only, nothing that identifies anyone."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from quanyi.audit.models import AuditEvent
from quanyi.core import regions
from quanyi.registry.models import Employer, InsuranceRelation, Person


@dataclass(frozen=True)
class InstanceStatus:
    region: str
    region_name: str
    persons: int
    employers: int
    relations: int
    events: int


def instance_status() -> InstanceStatus:
    region = settings.QUANYI_REGION
    found = regions.lookup(region)
    return InstanceStatus(
        region=region,
        region_name=found.name if found else "",
        persons=Person.objects.count(),
        employers=Employer.objects.count(),
        relations=InsuranceRelation.objects.count(),
        events=AuditEvent.objects.count(),
    )
