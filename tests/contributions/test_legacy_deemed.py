"""The legacy import's optional ``deemed_months`` column of ``persons.csv`` (DESIGN.md, legacy
import; 视同缴费月数, REFERENCE.md Basic pension): 0-600 whole months, blank for none, each bad
value named by file, line and field; loaded through the registry's service at approval, and
counted in the pension's contribution years of the record (``record show``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.registry import queries
from quanyi.registry.models import DeemedMonths, Person
from quanyi.workflow.models import Case
from tests.contributions.test_legacy import write_files
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

HEADER = "id_number,name,phone,hukou_region,residence_region,category,deemed_months\n"


def test_deemed_months_load_at_approval_and_count_in_the_pension_years(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files pay 2016-2024 less a six-month gap (102 months); with 72 deemed the record
    shows both and the years they make."""
    number = builders.id_number(date(1965, 5, 5))
    other = builders.id_number(date(1970, 1, 2))
    folder = tmp_path / "legacy"
    write_files(folder, number, builders.uscc())
    (folder / "persons.csv").write_text(
        HEADER + f"{number},迁移人员,13800138000,110105,110105,employee,72\n"
        f"{other},无视同人员,13800138001,110105,110105,employee,\n",
        encoding="utf-8",
    )
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0, capsys.readouterr().err
    case = Case.objects.get(type="import.legacy")
    assert not DeemedMonths.objects.exists()  # nothing before the approval
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    assert "deemed_months=1" in case.result
    person, nobody = Person.objects.get(id_number=number), Person.objects.get(id_number=other)
    (row,) = DeemedMonths.objects.all()
    assert (row.person_id, row.months, row.case_id) == (person.pk, 72, case.pk)
    assert queries.deemed_by_person([person.pk, nobody.pk]) == {person.pk: 72, nobody.pk: 0}
    assert verify().ok

    capsys.readouterr()
    assert main(["record", "show", number, "--as", "reviewer"]) == 0
    record = json.loads(capsys.readouterr().out)
    paid = record["contribution_months"]["pension"]
    assert paid == 9 * 12 - 6
    assert record["deemed_months"] == 72
    assert record["contribution_years"] == {"pension": f"{(paid + 72) / 12:.2f}"}  # "14.50"


def test_bad_deemed_months_are_named_by_line_and_nothing_is_submitted(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    rows = [builders.id_number(date(1960 + n, 1, 1)) for n in range(5)]
    values = ["601", "-3", "12.5", "七十二", "600"]
    (folder / "persons.csv").write_text(
        HEADER
        + "".join(
            f"{n},某人,13800138000,110105,110105,employee,{v}\n"
            for n, v in zip(rows, values, strict=True)
        ),
        encoding="utf-8",
    )
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    for line in (2, 3, 4, 5):
        assert f"persons.csv:{line} deemed_months" in err, line
    assert "persons.csv:6" not in err  # 600 is the most there can be
    assert "from 0 to 600" in err
    assert Case.objects.count() == 0
