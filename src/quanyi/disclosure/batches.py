"""Reading many records at once (001 art. 22): only under a statutory basis — the annual
statements, the reports to the upper level — or an approved ``disclosure.export`` case, once.
Anything else is refused before the first record is read."""

from __future__ import annotations

import re

from quanyi.access.errors import Refused
from quanyi.disclosure.models import ExportRun
from quanyi.workflow.models import Case

# Bases the regulations themselves give (000 §3 statements; 002 art. 27-31 reports).
STATUTORY = ("annual statements", "insurance statements", "upper-level report", "statistics")
EXPORT = re.compile(r"^export: case (\d+)$")


def export_basis(case_id: int) -> str:
    return f"export: case {case_id}"


def check_basis(basis: str) -> None:
    text = basis.strip()
    if any(text.startswith(prefix) for prefix in STATUTORY):
        return
    found = EXPORT.match(text)
    if found and _export_open(int(found.group(1))):
        return
    raise Refused(
        "批量读取个人权益记录须有法定依据（年度对账单、上报报表）或经审批的批量提供业务件"
        "（disclosure.export），不得整库交换（001 第二十二条）",
        "refused: records are read in bulk only under a statutory basis (annual statements,"
        " reports to the upper level) or an approved disclosure.export case, never as a"
        " whole-database exchange (001 art. 22)",
        "record.batch",
    )


def _export_open(case_id: int) -> bool:
    approved = Case.objects.filter(pk=case_id, type="disclosure.export", status="approved").exists()
    return approved and not ExportRun.objects.filter(case_id=case_id).exists()
