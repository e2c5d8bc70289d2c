"""The history of the parameters the pension formula needs (average wages since 1992, crediting
rates before the national rate of 2016, benefit bases since 2000), for a demo: plausible values
for Beijing, each row's source saying they are not official (REFERENCE.md Basic pension).

They go in as the agency takes a parameter file — ``rulebook import``'s path
(``rulebook.flows.submit_file``): one ``parameter.change`` case taken in by the demo's operator
and approved at each later stage by its own member of the demo staff (001 art. 7), never seeded
behind the workflow's back."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from quanyi.access.services import principal_for
from quanyi.core.principal import Principal
from quanyi.core.report import open_report
from quanyi.rulebook import flows
from quanyi.rulebook.models import Parameter
from quanyi.workflow import services as cases

HISTORY = Path(__file__).with_name("parameters_history.csv")
SOURCE = "演示数据：近似值，非官方公布"  # every row of HISTORY names it
STAGE_ROLES = {
    "check": "checker",
    "review": "reviewer",
    "recheck": "rechecker",
    "approval": "approver",
}


def staff(role: str) -> Principal:
    return principal_for(User.objects.get(username=role), "batch")


def load_history(path: Path = HISTORY) -> int:
    """The file as one approved case; returns how many rows it added (0 when an earlier demo
    on this database added them)."""
    if Parameter.objects.filter(source=SOURCE).exists():
        return 0
    report_path = Path(settings.QUANYI_DATA_DIR) / "parameters_history.errors.csv"
    with open_report(path, report_path) as report, transaction.atomic():
        case = flows.submit_file(staff("operator"), path, report)
        while case.status == "open":
            case = cases.act(staff(STAGE_ROLES[case.stage]), case.pk, "approve", "同意")
    return Parameter.objects.filter(case_id=case.pk).count()
