"""What goes up to the upper-level registry (002 art. 10, 30): this region's exchange file,
read back by another region's match as its ``--exchange`` file, finds the persons insured here
(enrolled elsewhere there, duplicates where a third region holds them too); the periodic report
holds the statistics and the person-level detail of everyone flagged. Both are private files,
never written over, each logged with an audit event; bad input writes nothing."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.enrollment import flows, outbound
from quanyi.enrollment.models import Export
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.conftest import applying_as
from tests.enrollment import builders
from tests.registry import builders as reg
from tests.workflow.builders import Office

SHANGHAI = "310000"
SH_COMMUNITY = "310101001001"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "zh")
    code = main([*args, "--as", "upclerk"])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_export_read_back_by_another_region_finds_who_is_insured_here(
    clerk: Principal, built: builders.Population, tmp_path: Path
) -> None:
    """002 art. 10: the exchange file in the format the match reads; Shanghai's match over its
    own population with Beijing's file (CSV or Parquet alike) and a third region's file."""
    ids = built.by_label
    out = tmp_path / "exchange-110000.csv"
    with transaction.atomic():
        written = outbound.write_exchange(clerk, out, builders.AS_OF)
    assert _mode(out) == 0o600
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == builders.EXCHANGE_HEADER
    assert written.rows == len(rows) and written.sha256
    # every relation of the 17 persons registered here, full id numbers, open ends blank
    assert written.persons == 17 == len({r["id_number"] for r in rows})
    partly = [r for r in rows if r["id_number"] == ids["partly0"]]
    assert {(r["insurance"], r["region"], r["start_month"], r["end_month"]) for r in partly} == {
        ("pension", "110000", "2020-01", ""),
        ("medical", "110000", "2020-01", ""),
    }
    assert ids["none0"] not in {r["id_number"] for r in rows}  # insured nowhere
    logged = Export.objects.get()
    assert (logged.kind, logged.rows, logged.file_sha256) == ("exchange", len(rows), written.sha256)
    parquet = tmp_path / "exchange-110000.parquet"
    with transaction.atomic():
        outbound.write_exchange(clerk, parquet, builders.AS_OF)

    # Shanghai: its own insured person and a population naming some of Beijing's insured
    shanghai = Office(region=SHANGHAI, suffix="sh")
    with transaction.atomic():
        for applier in applying_as("approver-sh", SHANGHAI):
            own = reg.person(applier, name="沪民", category="resident")
            for insurance in ("resident_pension", "resident_medical"):
                reg.relation(applier, own, None, insurance, "2022-01")
    third = tmp_path / "exchange-440106.csv"
    builders._write(
        third,
        builders.EXCHANGE_HEADER,
        [[ids["partly0"], "部分0", "pension", builders.REGION_B, "2025-01", ""]],
    )
    people = tmp_path / "shanghai.csv"
    listed = {
        "employee0": "职工0",  # insured in Beijing only: enrolled elsewhere
        "partly0": "部分0",  # Beijing and Guangzhou, pension, the same months: duplicate
        "none0": "未保0",  # nowhere: not enrolled
    }
    rows_sh = [
        [ids[label], name, SHANGHAI[:2] + "0101", SH_COMMUNITY, "11", "13900000000"]
        for label, name in listed.items()
    ]
    rows_sh.append([own.id_number, own.name, "310101", SH_COMMUNITY, "22", "13900000001"])
    builders._write(people, builders.HEADER[:6], rows_sh)
    builders.import_file(shanghai, people)
    for exchange in (out, parquet):
        with transaction.atomic():
            outcome = flows.run_match(shanghai.clerk, builders.AS_OF, "duckdb", [exchange, third])
        assert outcome.run.population == 4
        assert outcome.counts == {
            "enrolled": 1,
            "partly_enrolled": 0,
            "not_enrolled": 1,
            "enrolled_elsewhere": 1,
            "duplicate": 1,
            "inaccurate": 0,
        }
    # Shanghai's own export holds its own insured only
    with transaction.atomic():
        mine = outbound.write_exchange(shanghai.clerk, tmp_path / "sh.csv", builders.AS_OF)
    assert (mine.rows, mine.persons) == (2, 1)


def test_as_of_writes_a_period_as_it_stood_then(
    clerk: Principal, built: builders.Population, tmp_path: Path
) -> None:
    """A period begun after the month is left out; one ending after it is written open."""
    ids = built.by_label
    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            who = reg.person(applier, name="旧居民", category="resident")
            reg.relation(applier, who, None, "resident_medical", "2019-01", "2026-03")
    out = tmp_path / "then.csv"
    with transaction.atomic():
        outbound.write_exchange(clerk, out, "2025-12")
    with out.open(encoding="utf-8") as handle:
        rows = {r["id_number"]: r for r in csv.DictReader(handle)}
    assert rows[who.id_number]["end_month"] == ""  # still open in 2025-12
    assert ids["dup_here_a"] in rows
    early = tmp_path / "early.csv"
    with transaction.atomic():
        outbound.write_exchange(clerk, early, "2019-06")
    with early.open(encoding="utf-8") as handle:
        assert {r["id_number"] for r in csv.DictReader(handle)} == {who.id_number}


def test_the_commands_refuse_bad_input_in_one_line_and_write_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clerk: Principal,
    built: builders.Population,
    tmp_path: Path,
) -> None:
    accounts.account("upclerk", "operator")
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me", encoding="utf-8")
    report_dir = tmp_path / "report"
    full = tmp_path / "full"
    full.mkdir()
    (full / "other.txt").write_text("x", encoding="utf-8")
    # no match yet: no report
    code, _, err = _cli(monkeypatch, capsys, "enrollment", "report", "--out", str(report_dir))
    assert code == 1 and "尚无比对结果" in err
    with transaction.atomic():
        flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    for args in (
        ["enrollment", "export", "--out", str(taken)],
        ["enrollment", "export", "--out", str(tmp_path / "x.json")],
        ["enrollment", "export", "--out", "/nonexistent/dir/x.csv"],
        ["enrollment", "export", "--out", str(tmp_path / "early.csv"), "--as-of", "2000-01"],
        ["enrollment", "report", "--run", "999", "--out", str(report_dir)],
        ["enrollment", "report", "--as-of", "2020-01", "--out", str(report_dir)],
        ["enrollment", "report", "--out", str(full)],
        ["enrollment", "report", "--out", "/nonexistent/dir/report"],
    ):
        code, out, err = _cli(monkeypatch, capsys, *args)
        assert code == 1, (args, out, err)
        line = err.strip()
        assert line and "\n" not in line and "Traceback" not in line
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line), line
    assert taken.read_text(encoding="utf-8") == "keep me"
    assert not report_dir.exists() and sorted(p.name for p in full.iterdir()) == ["other.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "taken.csv"]  # no leftovers
    assert not Export.objects.exists()
    for args in (
        ["enrollment", "export", "--out", str(tmp_path / "a.csv"), "--as-of", "2026-13"],
        ["enrollment", "report", "--run", "abc", "--out", str(report_dir)],
        ["enrollment", "report", "--run", "1", "--as-of", "2026-06", "--out", str(report_dir)],
    ):
        with pytest.raises(SystemExit) as usage:
            _cli(monkeypatch, capsys, *args)
        assert usage.value.code == 2


def test_the_periodic_report_holds_the_figures_and_each_flagged_person(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clerk: Principal,
    office: Office,
    built: builders.Population,
    tmp_path: Path,
) -> None:
    """002 art. 30: the statistics tables with the person-level detail of everyone flagged,
    as CSV and Excel; art. 31: the registration rate; the survey outcome once approved."""
    accounts.account("upclerk", "operator")
    ids = built.by_label
    with transaction.atomic():
        run = flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange).run
    survey = {
        "id_number": ids["none0"],
        "run_id": run.pk,
        "outcome": "not_enrolling",
        "surveyed_on": "2026-06-20",
        "not_enrolled_reason": "02",
    }
    office.approve_all(office.submit("enrollment.survey", survey))
    code, stats_out, _ = _cli(monkeypatch, capsys, "enrollment", "stats", "--by", "community")
    stats = json.loads(stats_out)
    out = tmp_path / "report-2026-06"
    code, printed, err = _cli(
        monkeypatch, capsys, "enrollment", "report", "--as-of", "2026-06", "--out", str(out)
    )
    assert code == 0, err
    summary = json.loads(printed)
    assert summary["run"] == run.pk and summary["population"] == 26
    assert summary["needs_survey"] == 16
    assert summary["registration_rate"] == stats["registration_rate"] == round(10 / 26, 4)
    assert _mode(out) == 0o700
    names = sorted(p.name for p in out.iterdir())
    assert (
        names
        == sorted(summary["files"])
        == [
            "divisions.csv",
            "months.csv",
            "persons.csv",
            "reasons.csv",
            "report.xlsx",
            "summary.csv",
        ]
    )
    assert all(_mode(out / name) == 0o600 for name in names)
    with (out / "divisions.csv").open(encoding="utf-8") as handle:
        divisions = {r["division"]: r for r in csv.DictReader(handle)}
    for d in stats["divisions"]:
        row = divisions[d["division"]]
        assert int(row["population"]) == d["population"]
        assert int(row["not_enrolled"]) == d["counts"]["not_enrolled"]
        assert int(row["pension"]) == d["coverage"]["pension"]
    with (out / "reasons.csv").open(encoding="utf-8") as handle:
        reasons = {r["not_enrolled_reason"]: int(r["persons"]) for r in csv.DictReader(handle)}
    assert reasons == stats["reasons"]
    with (out / "persons.csv").open(encoding="utf-8") as handle:
        persons = {r["id_number"]: r for r in csv.DictReader(handle)}
    assert len(persons) == 16 and ids["employee0"] not in persons  # enrolled: not flagged
    assert persons[ids["partly0"]]["status"] == "partly_enrolled"
    assert persons[ids["partly0"]]["missing"] == "unemployment,injury,maternity"
    assert persons[ids["partly0"]]["not_enrolled_reason"] == "06"
    assert persons[ids["none0"]]["surveyed"] == "not_enrolling"
    assert persons[ids["none0"]]["division"] == builders.COMMUNITY_A

    from openpyxl import load_workbook

    book = load_workbook(out / "report.xlsx", read_only=True)
    assert book.sheetnames == ["汇总", "分区划统计", "未参保原因", "逐月登记率", "人员明细"]
    detail = list(book["人员明细"].iter_rows(values_only=True))
    assert detail[0][0] == "公民身份号码" and len(detail) == 17
    shown = {row[0]: row for row in detail[1:]}
    assert shown[ids["partly0"]][8] == "未参全" and "失业" in shown[ids["partly0"]][9]
    reason_rows = list(book["未参保原因"].iter_rows(values_only=True))
    assert ("单位未办理参保", 3) in reason_rows

    logged = Export.objects.get()
    assert (logged.kind, logged.run_id, logged.persons) == ("report", run.pk, 16)
    assert logged.file_sha256 == summary["sha256"]
    assert Case.objects.filter(type="enrollment.survey", status="approved").count() == 1
    # the same folder again: refused, the report untouched
    code, _, err = _cli(monkeypatch, capsys, "enrollment", "report", "--out", str(out))
    assert code == 1 and "已存在" in err
    assert Export.objects.count() == 1
