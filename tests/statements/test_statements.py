"""Annual statements (000 §3; 004 part 5 art. 13): printed from the record as ``records.read``
returns it — name, masked id number, the year's account figures and each month's mark — batched
by postal district with a mailing list on which a minor's statement goes to the guardian."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.cli import main
from quanyi.core.identifiers import mask
from quanyi.core.money import format_fen
from quanyi.records.models import QueryLogEntry
from quanyi.records.queries import read
from quanyi.statements.models import Issued, Returned
from tests.registry import builders as registry
from tests.statements import builders
from tests.statements.builders import Insured
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def insured(office: Office, tmp_path: Path) -> Insured:
    return builders.insured(office, tmp_path / "legacy")


def generate(out: Path, year: str = "2025") -> dict[str, object]:
    from io import StringIO
    from unittest import mock

    printed = StringIO()
    with mock.patch("sys.stdout", printed):
        assert (
            main(["statements", "generate", "--year", year, "--out", str(out), "--as", "clerk"])
            == 0
        )
    return dict(json.loads(printed.getvalue()))


def test_a_statement_prints_what_the_record_says(
    office: Office, insured: Insured, tmp_path: Path
) -> None:
    """000 §3: the statement's items are the record's — name, masked id number, the year's
    account figures, each month's mark (● paid, △ owed) and contribution months."""
    run = generate(tmp_path / "out")
    assert run["statements"] == 1 and run["deadline"] == "2026-03-31"
    (pdf,) = (tmp_path / "out").glob("statements-2025-1000-*.pdf")
    text = builders.page_text(pdf.read_bytes())
    record = read(office.clerk, insured.id_number)
    assert "社会保险个人权益记录单" in text and "（城镇职工）" in text
    assert record["person"]["name"] in text
    assert mask(insured.id_number) in text
    assert insured.id_number not in text and "1980-03-01" not in text
    year = next(row for row in record["account"]["by_year"] if row["year"] == 2025)
    account_line = builders.line_of(text, format_fen(year["opening_fen"]))
    for figure in ("opening_fen", "credited_fen", "interest_fen", "closing_fen"):
        assert format_fen(year[figure]) in account_line
    for month in range(1, 13):
        line = builders.line_of(text, f"{month}月")
        mark = "△" if f"2025-{month:02d}" == builders.OWED else "●"
        assert line.count(mark) == 2, (month, line)  # pension and medical
        assert line.count(format_fen(builders.BASE_FEN)) == 2
    paid = sum(
        1 for r in record["contributions"] if r["insurance"] == "pension" and r["status"] == "paid"
    )
    assert builders.line_of(text, "累计缴费月数").split()[1] == str(paid)
    # Each statement is a disclosure to its person, logged under the statutory basis.
    logged = QueryLogEntry.objects.filter(person_id=insured.person.pk, purpose__startswith="batch")
    assert logged.filter(basis="annual statements 2025").exists()


def test_a_minors_statement_goes_to_the_guardian(office: Office, tmp_path: Path) -> None:
    """000 §3: a minor's statement is mailed to the guardian, at the guardian's address."""
    guardian_number = registry.id_number(birth=date(1975, 1, 1))
    minor_number = registry.id_number(birth=date(2015, 5, 1))
    for payload in (
        registry.person_payload(id_number=guardian_number, name="孙监护"),
        registry.person_payload(
            id_number=minor_number,
            name="孙小明",
            category="resident",
            guardian_id_number=guardian_number,
        ),
    ):
        assert office.approve_all(office.submit("person.register", payload)).status == "approved"
    relation = {
        "id_number": minor_number,
        "uscc": "",
        "insurance": "resident_medical",
        "start_month": "2025-01",
        "end_month": "",
    }
    assert office.approve_all(office.submit("relation.start", relation)).status == "approved"
    from quanyi.statements import services

    with transaction.atomic():
        services.set_address(office.clerk, guardian_number, "北京市海淀区中关村1号", "100080")
    run = generate(tmp_path / "out")
    assert run["to_guardian"] == 1 and run["resident"] == 1
    with (tmp_path / "out" / "mailing-list.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["recipient"] == "孙监护" and row["recipient_kind"] == "guardian"
    assert row["address"] == "北京市海淀区中关村1号" and row["postcode"] == "100080"
    (pdf,) = (tmp_path / "out").glob(f"statements-{row['batch']}.pdf")
    text = builders.page_text(pdf.read_bytes(), int(row["page"]) - 1)
    assert "孙小明" in text and "（城乡居民）" in text and row["statement"] in text


def test_a_run_is_resumed_not_repeated(office: Office, insured: Insured, tmp_path: Path) -> None:
    """Run again, nothing is issued twice; the mailing list still lists every statement."""
    generate(tmp_path / "out")
    again = generate(tmp_path / "out")
    assert again["statements"] == 0 and again["issued_before"] == 1
    assert Issued.objects.filter(person=insured.person).count() == 1
    with (tmp_path / "out" / "mailing-list.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 1


def test_without_an_address_it_waits_at_the_counter(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No mailing address: batched under district 0000 to be handed out, counted as such, and
    never "returned"; a finished year run again into another folder is refused."""
    person = builders.insured(office, tmp_path / "legacy", address=False)
    run = generate(tmp_path / "out")
    assert run["without_address"] == 1 and run["batches"] == ["2025-0000-0001"]
    code = Issued.objects.get(person=person.person).code
    capsys.readouterr()
    assert main(["statements", "returned", code, "--reason", "查无此人", "--as", "clerk"]) == 1
    assert main(["statements", "status", "--year", "2025", "--as", "clerk"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["mailed"], status["handed_out"], status["returned"]) == (0, 1, 0)
    args = ["statements", "generate", "--year", "2025", "--out", str(tmp_path / "elsewhere")]
    assert main([*args, "--as", "clerk"]) == 1
    assert "issued already" in capsys.readouterr().err


def test_a_returned_letter_is_recorded_once(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(tmp_path / "out")
    code = Issued.objects.get(person=insured.person).code
    args = ["statements", "returned", code, "--reason", "查无此人", "--as", "clerk"]
    capsys.readouterr()
    assert main([*args, "--on", "2025-02-30"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main([*args, "--on", "9999-12-31"]) == 1
    assert not Returned.objects.exists()
    assert main(args) == 0
    assert main(args) == 1
    assert "already" in capsys.readouterr().err
    status = ["statements", "status", "--year", "2025", "--as", "clerk"]
    capsys.readouterr()
    assert main(status) == 0
    assert json.loads(capsys.readouterr().out)["returned"] == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--year", "2099"], "finished business year"),
        (["--year", "20x5"], "1900 to 2200"),
        (["--year", "２０２５"], "1900 to 2200"),  # full-width digits are no year
        (["--year", "99999999999999999999"], "1900 to 2200"),
        (["--year", "1900"], "finished business year"),
        (["--year", "2025", "--workers", "0"], "1"),
        (["--year", "2025", "--workers", "65"], "64"),
    ],
)
def test_bad_years_are_refused_in_words(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    code = None
    try:
        code = main(
            ["statements", "generate", *args, "--out", str(tmp_path / "o"), "--as", "clerk"]
        )
    except SystemExit as usage:
        code = usage.code
    assert code in (1, 2)
    assert said in capsys.readouterr().err
    assert not Issued.objects.exists()


@pytest.mark.parametrize("year", ["9999", "２０２５", "0", ""])
def test_every_command_refuses_a_year_out_of_bounds_as_usage(
    office: Office, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    """``status --year 9999`` ended in a traceback (no 31 March of year 10000)."""
    for args in (
        ["status"],
        ["generate", "--out", "o"],
        ["notices", "--out", "o"],
        ["statement", "110105198506150022", "--out", "o.pdf"],
    ):
        with pytest.raises(SystemExit) as usage:
            main(["statements", *args, "--year", year, "--as", "clerk"])
        assert usage.value.code == 2
        assert "1900 to 2200" in capsys.readouterr().err


def test_an_out_that_cannot_be_written_is_refused_in_words(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder under a file, or a file where none can be made, ended in a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    certificate = ["certificate", insured.id_number, "--from", "2025-01", "--to", "2025-12"]
    for args in (
        ["generate", "--year", "2025", "--out", str(blocker / "statements")],
        ["notices", "--year", "2025", "--out", str(blocker / "notices")],
        [*certificate, "--out", "/proc/certificate.pdf"],
    ):
        capsys.readouterr()
        assert main(["statements", *args, "--as", "clerk"]) == 1
        said = capsys.readouterr().err
        assert "cannot write" in said and "Traceback" not in said
    assert not Issued.objects.exists()


def test_a_refused_run_makes_no_folder(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    args = ["statements", "generate", "--year", "2025", "--out", str(elsewhere), "--as", "clerk"]
    assert main(args) == 1
    assert "issued already" in capsys.readouterr().err
    assert not elsewhere.exists()


def test_a_postcode_is_six_ascii_digits(office: Office, insured: Insured) -> None:
    from quanyi.core.errors import InvalidInput
    from quanyi.statements import services

    for postcode in ("１０００２０", "10002", "1000200", "10002x"):
        with pytest.raises(InvalidInput) as refused, transaction.atomic():
            services.set_address(office.clerk, insured.id_number, "北京市朝阳区1号", postcode)
        assert refused.value.errors[0].code == "bad_postcode"


def test_the_certificate_screen_names_its_fields_in_words() -> None:
    """The counter's summary said ``to：终止年月早于起始年月``: a code, not the field's name."""
    from quanyi.core.attempt import in_words
    from quanyi.core.errors import InvalidInput
    from quanyi.statements import services

    for start, end, field in [
        ("2025-12", "2025-01", "证明期间止："),
        ("", "", "证明期间起："),
        ("1800-01", "2025-12", "证明期间起："),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services._period(start, end)
        assert in_words(refused.value, "zh").startswith(field)
    with pytest.raises(InvalidInput) as refused:
        services.check_year(1985, date(2026, 1, 1))
    assert in_words(refused.value, "zh").startswith("年度：")


def test_only_operators_generate(office: Office, tmp_path: Path) -> None:
    from quanyi.access.errors import Refused
    from quanyi.statements import flows

    with pytest.raises(Refused), transaction.atomic():
        flows.generate(office.reviewer, 2025, tmp_path / "o")
    assert not Issued.objects.exists()


def test_the_employers_yearly_notice(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """004 part 5 art. 14: each employer's staff, with the year's months, bases and
    contributions, as PDF and Excel."""
    from openpyxl import load_workbook

    uscc = insured.employer.uscc
    args = ["statements", "notices", "--year", "2025", "--out", str(tmp_path / "n")]
    capsys.readouterr()
    assert main([*args, "--employer", uscc, "--as", "clerk"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["employers"] == 1
    sheet = load_workbook(tmp_path / "n" / f"notice-2025-{uscc}.xlsx").active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    pension = next(r for r in rows if r[2] == "企业职工基本养老保险")
    assert pension[0] == "钱对账" and pension[1] == mask(insured.id_number)
    assert pension[3] == 12 and pension[4] == builders.BASE_FEN / 100  # a number, in yuan
    text = builders.page_text((tmp_path / "n" / f"notice-2025-{uscc}.pdf").read_bytes())
    assert "2025 年度社会保险缴费情况告知" in text and "钱对账" in text
    assert main([*args, "--employer", "not-a-code", "--as", "clerk"]) == 1
    capsys.readouterr()
    assert main([*args, "--employer", uscc, "--as", "clerk"]) == 1  # never overwritten
    assert "exist" in capsys.readouterr().err


def test_a_batch_reads_each_record_as_one_read_would(
    office: Office, insured: Insured, tmp_path: Path
) -> None:
    """``records.read_many`` loads each part for many persons at once: the same record as
    ``read`` gives, person by person, and each read logged."""
    from quanyi.records.parts import declared, many_loaders
    from quanyi.records.queries import read_many
    from quanyi.registry.models import Person

    other = Person.objects.exclude(pk=insured.person.pk).first()
    ids = [insured.person.pk, *([other.pk] if other else [])]
    with transaction.atomic():
        many = dict(read_many(office.clerk, ids, "annual statements 2025"))
    for pk in ids:
        number = Person.objects.get(pk=pk).id_number
        with transaction.atomic():
            assert many[pk] == read(office.clerk, number)
    for part, load in declared():
        items = frozenset(part.items)
        assert many_loaders()[part.name](ids, items) == {pk: load(pk, items) for pk in ids}
    assert QueryLogEntry.objects.filter(basis="annual statements 2025").count() == len(ids)
