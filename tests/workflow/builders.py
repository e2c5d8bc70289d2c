"""Staff for cases, made through the account services, and small helpers to run a case."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from quanyi.core.principal import Principal
from quanyi.workflow import services
from quanyi.workflow.models import Case
from tests.access import builders as accounts


def staff(username: str, *roles: str, region: str = "110000") -> Principal:
    return accounts.principal(accounts.account(username, *roles, region=region))


class Office:
    """One of each stage role, as a small agency has them."""

    def __init__(self, region: str = "110000", suffix: str = "") -> None:
        self.clerk = staff(f"clerk{suffix}", "operator", region=region)
        self.checker = staff(f"checker{suffix}", "checker", region=region)
        self.reviewer = staff(f"reviewer{suffix}", "reviewer", region=region)
        self.rechecker = staff(f"rechecker{suffix}", "rechecker", region=region)
        self.approver = staff(f"approver{suffix}", "approver", region=region)

    def by_stage(self, stage: str) -> Principal:
        return {
            "check": self.checker,
            "review": self.reviewer,
            "recheck": self.rechecker,
            "approval": self.approver,
        }[stage]

    def submit(self, type_name: str, payload: dict[str, Any]) -> Case:
        with transaction.atomic():
            return services.submit(self.clerk, type_name, payload)

    def approve_all(self, case: Case) -> Case:
        """Each remaining stage approved by its own person."""
        while case.status == "open":
            with transaction.atomic():
                case = services.act(self.by_stage(case.stage), case.pk, "approve", "同意")
        return case
