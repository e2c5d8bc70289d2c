"""A legacy month the rulebook cannot price is refused at intake, row by row, naming what it
lacks — never found only when the final approval fails (001 art. 9 (4); DESIGN.md legacy
import: every bad row is reported and nothing is submitted)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from quanyi.cli import main
from quanyi.workflow.models import Case
from tests.contributions.test_legacy import write_files
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_months_without_rates_or_a_crediting_rate_are_named_at_intake(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = builders.id_number(birth=date(1960, 5, 5))
    folder = tmp_path / "legacy"
    write_files(folder, number, builders.uscc())
    uscc = (folder / "employers.csv").read_text().splitlines()[1].split(",")[0]
    (folder / "relations.csv").write_text(
        f"id_number,uscc,insurance,start_month,end_month\n{number},{uscc},pension,1995-01,2024-12\n",
        encoding="utf-8",
    )
    with (folder / "contributions.csv").open("a", encoding="utf-8") as rows:
        rows.write(f"{number},{uscc},pension,1995-03,300000,1995-03\n")  # no pension rate yet
        rows.write(f"{number},{uscc},pension,2010-03,300000,2010-03\n")  # no crediting rate
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    assert "rate.employer.pension" in err and "1995-03" in err
    assert "interest.rate" in err and "2010-03" in err
    assert not Case.objects.filter(type="import.legacy").exists()
