"""Population files come in as cases (002 art. 9, 19), a bad one refused whole with every bad
row named in Chinese; a survey result clears a "needs survey" flag only once the county has
reviewed and approved it (002 art. 13, 19, 21); the commands print JSON and refuse bad input
with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.enrollment import flows, queries
from quanyi.enrollment.models import Resident, Survey
from quanyi.workflow import services as workflow
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.enrollment import builders
from tests.registry import builders as reg
from tests.workflow.builders import Office


def _file(folder: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    path = folder / "people.csv"
    builders._write(path, header or builders.HEADER[:6], rows)
    return path


def test_a_file_with_bad_rows_is_refused_naming_each_and_nothing_is_written(
    office: Office, tmp_path: Path
) -> None:
    """002 art. 7: items in LD/T 92 codes; every bad row is reported at once, nothing kept."""
    good = reg.id_number()
    path = _file(
        tmp_path,
        [
            [good, "张三", "110105", "110105001001", "11", "13900000000"],
            ["110105198506151234", "李四", "110105", "110105", "11", ""],
            [reg.id_number(), "", "999999", "110105", "在职人员甲类", "123"],
            [good, "张三", "110105", "110105", "11", ""],
        ],
    )
    with pytest.raises(InvalidInput) as refused:
        builders.import_file(office, path)
    text = refused.value.zh
    assert "第 3 行 id_number: 公民身份号码校验位错误" in text
    assert "第 4 行 name: 姓名不能为空" in text
    assert "第 4 行 hukou_region" in text and "未知的就业状态代码 '在职人员甲类'" in text
    assert "第 4 行 phone" in text
    assert "people.csv:5 id_number: 与第 2 行重复" in text
    assert not Resident.objects.exists()
    assert not Case.objects.filter(type="enrollment.import").exists()


def test_missing_columns_and_an_empty_file_are_refused(office: Office, tmp_path: Path) -> None:
    path = _file(tmp_path, [["x", "y"]], header=["id_number", "name"])
    with pytest.raises(InvalidInput) as refused:
        builders.import_file(office, path)
    assert "缺少列：hukou_region, residence_region, employment_status, phone" in refused.value.zh
    path.write_text("")
    with pytest.raises(InvalidInput) as empty:
        builders.import_file(office, path)
    assert "为空" in empty.value.zh


def test_rows_take_effect_only_at_final_approval(office: Office, tmp_path: Path) -> None:
    """DESIGN invariant 1: the case's final approval applies it; id numbers sealed at rest."""
    number = reg.id_number()
    path = _file(tmp_path, [[number, "张三", "110105", "110105001001", "employee", ""]])
    data = path.read_bytes()
    with transaction.atomic():
        case = workflow.submit(
            office.clerk,
            "enrollment.import",
            {"source": "公安户籍", "file": path.name, "sha256": workflow.store_content(data)},
            (workflow.NewAttachment(path.name, data),),
        )
    assert not Resident.objects.exists()
    office.approve_all(case)
    resident = Resident.objects.get()
    assert (resident.id_number, resident.employment_status, resident.sex) == (number, "11", "M")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM enrollment_resident")
        (stored,) = cursor.fetchone()
    assert number.encode() not in bytes(stored)


def test_a_survey_result_clears_the_flag_through_county_review(
    office: Office, clerk: Principal, built: builders.Population
) -> None:
    """002 art. 19: results entered by community staff, reviewed and approved at the county;
    the flag stays until the approval, and the corrected items make a new version."""
    with transaction.atomic():
        run = flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange).run
    number = built.by_label["none0"]
    listed = {item.resident.id_number for item in queries.survey_list(clerk, run)}
    assert number in listed
    payload = {
        "id_number": number,
        "run_id": run.pk,
        "outcome": "not_enrolling",
        "surveyed_on": "2026-06-20",
        "not_enrolled_reason": "02",
        "employment_status": "12",
    }
    case = office.submit("enrollment.survey", payload)
    assert case.status == "open" and case.stage == "review"
    still = {item.resident.id_number for item in queries.survey_list(clerk, run)}
    assert number in still and not Survey.objects.exists()
    office.approve_all(case)
    after = {item.resident.id_number for item in queries.survey_list(clerk, run)}
    assert after == listed - {number}
    current = queries.resident_by_number(clerk, number)
    assert current is not None
    assert (current.employment_status, current.not_enrolled_reason) == ("12", "02")
    with pytest.raises(InvalidInput) as again:
        office.submit("enrollment.survey", payload)
    assert "已审定" in again.value.zh
    enrolled = dict(payload, id_number=built.by_label["employee0"])
    with pytest.raises(InvalidInput) as unflagged:
        office.submit("enrollment.survey", enrolled)
    assert "未标识为需调查登记人员" in unflagged.value.zh


def test_the_commands_print_json_and_refuse_bad_input_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    built: builders.Population,
    tmp_path: Path,
) -> None:
    """The CLI contract of issue 17: counts under all six keys; a PDF and Excel list."""
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "zh")
    accounts.account("enrolclerk", "operator")
    exchange = [a for path in built.exchange for a in ("--exchange", str(path))]
    as_op = ["--as", "enrolclerk"]
    assert main(["enrollment", "match", *exchange, "--as-of", "2026-06", *as_op]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"] == builders.EXPECTED
    assert list(printed["counts"]) == list(builders.EXPECTED)

    assert main(["enrollment", "stats", "--by", "community", *as_op]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["population"] == 26
    assert {d["division"] for d in stats["divisions"]} == {
        builders.COMMUNITY_A,
        builders.COMMUNITY_B,
        builders.ELSEWHERE,  # the agency's population wherever its people live now
    }
    assert stats["reasons"]["06"] == 3  # the partly enrolled: their employer did not enrol them
    assert stats["registration_rate"] == round(10 / 26, 4)

    pdf, xlsx = tmp_path / "list.pdf", tmp_path / "list.xlsx"
    for out in (pdf, xlsx):
        args = ["enrollment", "list", "--division", builders.COMMUNITY_B, "--out", str(out)]
        assert main([*args, *as_op]) == 0
        assert json.loads(capsys.readouterr().out)["persons"] == 4
    assert pdf.read_bytes().startswith(b"%PDF")
    _render_first_page(pdf)
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    assert "全民参保登记个人信息汇总表" in book.sheetnames

    bad = tmp_path / "bad.csv"
    bad.write_text("id_number,name\n1,2\n", encoding="utf-8")
    for args in (
        ["enrollment", "match", "--exchange", str(bad), *as_op],
        ["enrollment", "match", "--exchange", str(tmp_path / "absent.parquet"), *as_op],
        ["enrollment", "import", str(tmp_path / "absent.csv"), "--source", "公安", *as_op],
        ["enrollment", "list", "--division", "110105", "--out", "/nonexistent/x.pdf", *as_op],
        ["enrollment", "list", "--division", "1101", "--out", str(pdf), *as_op],
    ):
        assert main(args) == 1
        err = capsys.readouterr().err.strip()
        assert err and "\n" not in err and "Traceback" not in err
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err)
    with pytest.raises(SystemExit) as usage:
        main(["enrollment", "match", "--engine", "oracle", *as_op])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as month:
        main(["enrollment", "match", "--as-of", "2026-13", *as_op])
    assert month.value.code == 2


DOCS = Path(__file__).resolve().parents[2] / "docs"


def _render_first_page(pdf: Path) -> None:
    """Page 1 of a community's survey list as docs/enrollment-survey-list.png (002 art. 17),
    and the CJK font embedded, not left to the reader's machine."""
    import shutil
    import subprocess

    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "WenQuanYi" in fonts or "STSong" in fonts
    if shutil.which("pdftoppm"):
        target = DOCS / "enrollment-survey-list"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(target),
            ],
            check=True,
        )
        assert target.with_suffix(".png").stat().st_size > 10_000


def test_bad_exchange_files_are_refused_naming_their_rows(
    clerk: Principal, built: builders.Population, tmp_path: Path
) -> None:
    """002 art. 10: another region's file is checked row by row; a damaged one is refused whole
    and no run is kept."""
    from quanyi.enrollment.models import Run

    rows = tmp_path / "bad-rows.csv"
    builders._write(
        rows,
        builders.EXCHANGE_HEADER,
        [
            [reg.id_number(), "甲", "pension", "310101", "2026-13", ""],
            [reg.id_number(), "乙", "pension_plus", "31", "2020-01", "2019-01"],
        ],
    )
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"PAR1 not really")
    with pytest.raises(InvalidInput) as refused:
        flows.run_match(clerk, builders.AS_OF, "duckdb", [rows])
    text = refused.value.zh
    assert "bad-rows.csv:2 start_month: 开始年月应为 YYYY-MM" in text
    assert "bad-rows.csv:3 insurance: 未知险种 'pension_plus'" in text
    assert "bad-rows.csv:3 region" in text and "bad-rows.csv:3 end_month" in text
    with pytest.raises(InvalidInput) as broken:
        flows.run_match(clerk, builders.AS_OF, "duckdb", [damaged])
    assert "不是有效的 Parquet 文件" in broken.value.zh
    assert not Run.objects.exists()


def test_an_excel_population_file_is_taken_as_it_comes(office: Office, tmp_path: Path) -> None:
    """002 art. 9: departments send Excel as often as CSV."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(builders.HEADER[:6])
    number = reg.id_number()
    sheet.append([number, "赵六", "110105", "110105001001", "31", 13900000000])
    path = tmp_path / "education.xlsx"
    book.save(path)
    builders.import_file(office, path, source="教育")
    resident = Resident.objects.get()
    assert (resident.id_number, resident.employment_status, resident.phone) == (
        number,
        "31",
        "13900000000",
    )
    assert resident.source == "教育"
