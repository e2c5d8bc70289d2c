"""``quanyi stats`` on a fresh demo as a child process (001 art. 17): what issue 15 asks it to
show — no cell under 10, no suppressed cell recoverable from the totals, no identity."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from tests.conftest import Instance
from tests.helpers import plain_query, quanyi
from tests.reports.recovery import problems

pytestmark = pytest.mark.subprocess

BY = (
    "region,insurance,sex,age_band",
    "insurance,age_band",
    "sex,age_band",
    "age_band",
    "region,sex",
    "insurance",
)


def test_stats_on_the_demo_hide_small_cells_and_every_identity(instance: Instance) -> None:
    """001 art. 17: for the demo's last full year, every table a querier asks for shows no
    cell under 10 persons and no suppressed cell that its table's total, a slice or a line
    gives away; neither JSON nor CSV holds an id number, a name or a birth date; the
    sysadmin is refused (001 art. 26)."""
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "300", "--employers", "10")
    year = str(date.today().year - 1)
    printed = []
    suppressed = 0
    for by in BY:
        done = quanyi(instance, "stats", "--year", year, "--by", by, "--as", "querier")
        printed.append(done.stdout)
        table = json.loads(done.stdout)
        assert table["by"] == by.split(",") and table["threshold"] == 10
        assert table["totals"]["persons"] > 100  # the demo's year, not an empty one
        assert problems(table) == [], (by, problems(table))
        suppressed += sum(cell["suppressed"] for cell in table["cells"])
    assert suppressed > 0  # the demo has small cells: the check above had work to do

    done = quanyi(
        instance, "stats", "--year", year, "--by", BY[0], "--format", "csv", "--as", "querier"
    )
    printed.append(done.stdout)
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["region", "insurance", "sex", "age_band", "persons", "months",
                       "contributions_fen"]  # fmt: skip
    for row in rows[1:]:
        assert row[4] == "*" or int(row[4]) >= 10

    everything = "".join(printed)
    persons = plain_query(instance, "SELECT id_number, name, birth_date FROM registry_person")
    assert len(persons) >= 300
    for id_number, name, birth in persons:
        assert id_number not in everything
        assert name not in everything
        assert str(birth)[:10] not in everything

    refused = quanyi(
        instance, "stats", "--year", year, "--by", "sex", "--as", "sysadmin", check=False
    )
    assert refused.returncode == 1 and refused.stdout == ""
    assert "de-identified statistics" in refused.stderr
