"""``quanyi rulebook import FILE``: a parameter file as one ``parameter.change`` case through
the five stages, every row added together at the approval; a bad file names every bad row by
line, field and reason and submits nothing (REFERENCE.md: values change only by an approved
case; DESIGN.md invariant 8)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.rulebook import keys, services
from quanyi.rulebook.models import Parameter
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

HEADER = "key,region,valid_from,value,source,note\n"


@pytest.fixture
def office(monkeypatch: pytest.MonkeyPatch) -> Office:
    with transaction.atomic():
        services.seed(Principal.system("system:init"))
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "en")
    return Office()


def test_a_good_file_is_one_case_whose_approval_adds_every_row(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "params.csv"
    file.write_text(
        HEADER + "benefit.base,110000,2026-01-01,1221000,北京市 2026 计发基数,\n"
        "unemployment.monthly,110000,2026-01-01,240000,北京市 2026,"
        '"演示值，非官方 / demo value, not official"\n'
        "benefit.transitional,110000,2006-01-01,0.01,京政发〔2006〕2号,\n",
        encoding="utf-8",
    )
    before = Parameter.objects.count()
    assert main(["rulebook", "import", str(file), "--as", "clerk"]) == 0, capsys.readouterr().err
    printed = json.loads(capsys.readouterr().out)
    assert (printed["type"], printed["status"], printed["stage"]) == (
        "parameter.change",
        "open",
        "check",
    )
    assert {"id", "decisions"} <= set(printed)
    assert Parameter.objects.count() == before  # nothing before the approval
    case = office.approve_all(Case.objects.get(pk=printed["id"]))
    assert case.status == "approved", case.result
    assert [d.stage for d in case.decisions.all()][-1] == "approval"
    added = Parameter.objects.filter(case_id=case.pk)
    assert added.count() == 3 and Parameter.objects.count() == before + 3
    book = Rulebook.load()
    assert book.fen("benefit.base", "110105", date(2026, 1, 1)) == 1221000
    assert book.fen("benefit.base", "110105", date(2025, 12, 31)) == 1204900  # the old stands
    assert book.text("benefit.transitional", "110105", date(2020, 1, 1)) == "0.01"
    assert verify().ok


def test_a_bad_file_names_every_bad_row_and_submits_nothing(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(
        HEADER + "benefit.base,110000,2026-01-01,1221000,北京市,\n"  # good
        "benefit.base,110000,2026-01-01,12.5,,\n"  # not fen; no source; twice in the file
        "no.such.key,110000,2026-13-01,1,某文件,\n"
        "wage.average,110000,2024-07-01,1176100,北京市,\n"  # a value that day already
        "rate.employer.pension,999999,2027-01-01,1.5,文件,\n",
        encoding="utf-8",
    )
    assert main(["rulebook", "import", str(file), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    for place in (
        "bad.csv:3 value",
        "bad.csv:3 source",
        "bad.csv:3 valid_from",
        "bad.csv:4 key",
        "bad.csv:4 valid_from",
        "bad.csv:5 valid_from",
        "bad.csv:6 region",
        "bad.csv:6 value",
    ):
        assert place in err, place
    assert "bad.csv:2" not in err
    assert "8 errors" in err and "never edited" in err and "twice in the file" in err
    report = (tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8")
    assert report.startswith("file,line,field,reason") and len(report.splitlines()) == 9
    assert Case.objects.count() == 0


def test_a_file_without_its_columns_or_rows_or_too_long_is_refused(
    office: Office,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = tmp_path / "columns.csv"
    columns.write_text("key,value\nbenefit.base,1\n", encoding="utf-8")
    assert main(["rulebook", "import", str(columns), "--as", "clerk"]) == 1
    assert "columns.csv:1 region,valid_from,source" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    assert main(["rulebook", "import", str(empty), "--as", "clerk"]) == 1
    assert "no rows" in capsys.readouterr().err
    monkeypatch.setattr(services, "MAX_ROWS", 2)
    from quanyi.rulebook import files

    monkeypatch.setattr(files, "MAX_ROWS", 2)
    long = tmp_path / "long.csv"
    long.write_text(
        HEADER + "".join(f"benefit.base,110000,203{n}-01-01,1,文件,\n" for n in range(3)),
        encoding="utf-8",
    )
    assert main(["rulebook", "import", str(long), "--as", "clerk"]) == 1
    assert "at most 2" in capsys.readouterr().err
    assert Case.objects.count() == 0


def test_a_rows_payload_refuses_a_single_value_beside_it(office: Office) -> None:
    from quanyi.core.errors import InvalidInput

    row = {
        "key": "benefit.base",
        "region": "110000",
        "valid_from": "2027-01-01",
        "value": "1",
        "source": "x",
    }
    with pytest.raises(InvalidInput) as refused:
        office.submit("parameter.change", {"rows": [row], "key": "benefit.base"})
    assert [e.field for e in refused.value.errors] == ["key"]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("benefit.transitional", "fraction"),
        ("benefit.funeral", "fen"),
        ("benefit.survivor", "fen"),
        ("unemployment.monthly", "fen"),
        ("unemployment.farmer_year", "fen"),
        ("injury.allowance.grade1", "fraction"),
        ("injury.allowance.grade6", "fraction"),
        ("injury.allowance.grade7", None),  # grades 7-10 receive no allowance
    ],
)
def test_the_benefit_parameters_are_known(key: str, kind: str | None) -> None:
    assert keys.kind_of(key) == kind


@pytest.mark.parametrize(
    ("grade", "share"),
    [(1, "0.90"), (2, "0.85"), (3, "0.80"), (4, "0.75"), (5, "0.70"), (6, "0.60")],
)
def test_the_disability_allowances_are_seeded(office: Office, grade: int, share: str) -> None:
    """工伤保险条例 art. 35-36."""
    book = Rulebook.load()
    assert book.text(f"injury.allowance.grade{grade}", "110105", date(2025, 1, 1)) == share


def test_the_demo_history_file_is_a_valid_parameter_file(office: Office) -> None:
    """Every row of the demo's history would pass intake: known keys, sources, no clash with
    the seeded values; marked as not official."""
    from quanyi.core.tables import read_rows
    from quanyi.demo import parameters
    from quanyi.rulebook.services import clean_rows

    rows = read_rows(parameters.HISTORY)
    assert clean_rows({"rows": rows})
    assert all(row["source"] == parameters.SOURCE for row in rows)
    wages = [int(r["value"]) for r in rows if r["key"] == "wage.average"]
    assert len(wages) == 2023 - 1992 + 1 and wages == sorted(wages) and wages[-1] < 1176100
