"""Submitting a parameter file as one ``parameter.change`` case (``quanyi rulebook import``,
and the demo's parameter history)."""

from __future__ import annotations

from pathlib import Path

from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.report import RowReport
from quanyi.rulebook import files
from quanyi.workflow import services as cases
from quanyi.workflow.models import Case


def submit_file(principal: Principal, path: str | Path, report: RowReport) -> Case:
    """Every bad row of the file, by its line, field and reason, goes to ``report`` and
    nothing is submitted; a good file becomes one case holding all its rows, added together
    when its final approval applies it."""
    found = files.read(path, report)
    if report.total:
        raise report.refusal()
    try:
        return cases.submit(principal, "parameter.change", {"rows": found.rows})
    except InvalidInput as refused:
        report.add_rows(found.name, refused, found.line_of)
        raise report.refusal() from None
