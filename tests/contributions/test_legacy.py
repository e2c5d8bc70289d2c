"""The legacy import (DESIGN.md; 001 art. 9 (4) migration keeps the old data): validated whole,
one ``import.legacy`` case through five stages, loaded atomically at its final approval, with
the account's yearly closing balances by the national formula to the fen."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.core.errors import Conflict
from quanyi.core.principal import Principal
from quanyi.personal_accounts import services as accounts_service
from quanyi.personal_accounts.consistency import check
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.records import queries
from quanyi.registry.models import Person
from quanyi.workflow.models import Case
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

RATES = {2016: "0.0831", 2017: "0.0712", 2018: "0.0829", 2019: "0.0761", 2020: "0.0604",
         2021: "0.0669", 2022: "0.0612", 2023: "0.0397", 2024: "0.0262"}  # fmt: skip
GAP = {f"2019-{m:02d}" for m in range(3, 9)}  # six unpaid months


def base_of(year: int) -> int:
    return 500000 + 37000 * (year - 2016) + (123 if year % 2 else 0)  # changes every year


def write_files(folder: Path, number: str, uscc: str) -> None:
    folder.mkdir()
    (folder / "employers.csv").write_text(
        f"uscc,name,region,injury_class\n{uscc},旧系统迁移单位,110105,1\n", encoding="utf-8"
    )
    (folder / "persons.csv").write_text(
        "id_number,name,phone,hukou_region,residence_region,category\n"
        f"{number},迁移人员,13800138000,110105,110105,employee\n",
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        "id_number,uscc,insurance,start_month,end_month\n"
        f"{number},{uscc},pension,2016-01,2024-12\n",
        encoding="utf-8",
    )
    rows = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    for year in range(2016, 2025):
        for month in range(1, 13):
            ym = f"{year}-{month:02d}"
            rows.append(f"{number},{uscc},pension,{ym},{base_of(year)},{'' if ym in GAP else ym}")
    (folder / "contributions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def expected_closings() -> dict[int, int]:
    """The national formula, computed here on its own: interest = opening × r + credited × r ×
    1.083 × ½, rounded half-up to the fen once a year."""
    closing, found = 0, {}
    for year in range(2016, 2025):
        share = (Decimal(base_of(year)) * Decimal("0.08")).quantize(Decimal(1), ROUND_HALF_UP)
        paid = sum(1 for m in range(1, 13) if f"{year}-{m:02d}" not in GAP)
        credited = int(share) * paid
        rate = Decimal(RATES[year])
        interest = (
            Decimal(closing) * rate + Decimal(credited) * rate * Decimal("1.083") / 2
        ).quantize(Decimal(1), ROUND_HALF_UP)
        closing = closing + credited + int(interest)
        found[year] = closing
    return found


def test_a_legacy_import_gives_the_national_formulas_closing_balances(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = builders.id_number(birth=date(1980, 5, 5))
    write_files(tmp_path / "legacy", number, builders.uscc())
    assert main(["import", "legacy", str(tmp_path / "legacy"), "--as", "clerk"]) == 0, (
        capsys.readouterr().err
    )
    case = Case.objects.get(type="import.legacy")
    assert case.attachments.count() == 4
    assert not Person.objects.filter(id_number=number).exists()  # nothing before approval
    case = office.approve_all(case)
    assert case.status == "approved", case.result

    record = queries.read(office.reviewer, number)
    closings = {row["year"]: row["closing_fen"] for row in record["account"]["by_year"]}
    assert closings == expected_closings()
    assert record["contribution_months"] == {"pension": 9 * 12 - len(GAP)}
    owed = [c["month"] for c in record["contributions"] if c["status"] == "owed"]
    assert set(owed) == GAP
    assert check(office.clerk) == []
    assert verify().ok

    capsys.readouterr()
    assert main(["record", "explain", number, "--year", "2019", "--as", "reviewer"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["opening_fen"] == expected_closings()[2018]
    assert explained["closing_fen"] == expected_closings()[2019]
    assert len(explained["credits"]) == 12 - len(GAP)
    assert explained["credits"][0]["rule"] == f"base × account.share = {base_of(2019)} × 0.08"
    interest = explained["interest"]
    assert (interest["method"], interest["rate"], interest["agrees"]) == (
        "national",
        "0.0761",
        True,
    )
    assert "1.083" in interest["formula"]


def test_a_bad_import_names_every_row_and_submits_nothing(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "persons.csv").write_text(
        "id_number,name,phone,hukou_region,residence_region,category\n"
        "110105194912310021,甲,12345,110105,110105,employee\n"
        "11010519491231002X,,13800138000,999999,110105,worker\n",
        encoding="utf-8",
    )
    (folder / "contributions.csv").write_text(
        "id_number,uscc,insurance,month,base_fen,paid_month\n"
        "11010519491231002X,91110000600037341L,pension,2020-13,-5,\n",
        encoding="utf-8",
    )
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    for place in (
        "persons.csv:2 id_number",
        "persons.csv:3 name",
        "persons.csv:3 hukou_region",
        "persons.csv:3 category",
        "contributions.csv:2 uscc",
        "contributions.csv:2 month",
        "contributions.csv:2 base_fen",
    ):
        assert place in err, place
    assert Case.objects.count() == 0


def test_a_folder_beyond_one_imports_rows_is_refused_before_it_is_read_whole(
    office: Office,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DESIGN.md invariant 8: the rows are counted one at a time (flat memory); the limit is
    lowered here so that a small folder crosses it (bench/declaration_stream.py runs files of
    millions of rows)."""
    from quanyi.contributions import legacy

    monkeypatch.setattr(legacy, "MAX_ROWS", 100)
    write_files(tmp_path / "big", builders.id_number(), builders.uscc())  # 1 + 1 + 1 + 108 rows
    assert main(["import", "legacy", str(tmp_path / "big"), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    assert "111 rows" in err and "contributions.csv 108" in err and "at most 100" in err
    assert "Traceback" not in err and Case.objects.count() == 0
    monkeypatch.setattr(legacy, "MAX_ROWS", 111)
    assert main(["import", "legacy", str(tmp_path / "big"), "--as", "clerk"]) == 0


def test_a_file_not_in_utf8_is_named(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "gbk"
    folder.mkdir()
    (folder / "persons.csv").write_bytes(
        b"id_number,name,phone,hukou_region,residence_region,category\n"
        + "11010519491231002X,王五,13800138000,110105,110105,employee\n".encode("gbk")
    )
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 1
    err = capsys.readouterr().err
    assert "persons.csv" in err and "UTF-8" in err and Case.objects.count() == 0


def test_each_bad_contribution_row_is_named_with_its_line_field_and_reason(
    office: Office, tmp_path: Path
) -> None:
    from quanyi.contributions import legacy
    from quanyi.core.errors import InvalidInput

    number, uscc = "11010519491231002X", "91110000600037341L"
    write_files(tmp_path / "files", number, uscc)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "files").iterdir()}
    # Columns in another order, a blank line and a short row: read by name, lines counted.
    texts["contributions.csv"] = (
        "uscc,id_number,month,insurance,paid_month,base_fen\n"
        f"{uscc},{number},2016-01,pension,2016-01,500000\n"
        "\n"
        f"{uscc},{number},2016-01,pension,2016-01,500000\n"  # line 4: the same month again
        f"{uscc},{number},2025-01,pension,,500000\n"  # 5: no relation then
        f"{uscc},{number},2016-03,pension,2016-02,500000\n"  # 6: paid before its month
        f"{uscc},{number},2016-04,pension,,1000000000000\n"  # 7: a base no one earns
        f"{uscc},{number},2016-05,pension,,5_000\n"  # 8: not plain digits
        f"{uscc},{number},2016-06,resident_pension,,500000\n"  # 9: not an employee insurance
        f"{uscc},{number},16-07,pension,2016-13,500000\n"  # 10: two bad months
        f"{uscc},{number}\n"  # 11: short
    )
    clerk = Principal(actor="clerk", source="batch", region="110000", roles=frozenset({"operator"}))
    with pytest.raises(InvalidInput) as raised:
        legacy.validate(clerk, texts)
    found = {(e.field, e.code) for e in raised.value.errors}
    assert found == {
        ("contributions.csv:4 month", "duplicate"),
        ("contributions.csv:5 month", "no_relation"),
        ("contributions.csv:6 paid_month", "before_start"),
        ("contributions.csv:7 base_fen", "bad_base"),
        ("contributions.csv:8 base_fen", "bad_base"),
        ("contributions.csv:9 insurance", "bad_insurance"),
        ("contributions.csv:9 month", "no_relation"),
        ("contributions.csv:10 month", "bad_month"),
        ("contributions.csv:10 paid_month", "bad_month"),
        ("contributions.csv:11 insurance", "bad_insurance"),
        ("contributions.csv:11 month", "bad_month"),
        ("contributions.csv:11 base_fen", "bad_base"),
    }
    texts["contributions.csv"] = texts["contributions.csv"].split("\n\n")[0] + "\n"
    assert legacy.validate(clerk, texts).contributions == [
        (number, uscc, "pension", "2016-01", 500000, "2016-01")
    ]


def test_rows_of_persons_on_record_are_checked_against_their_relations(
    office: Office, principal: Principal
) -> None:
    from quanyi.contributions import legacy
    from quanyi.core.errors import InvalidInput

    with transaction.atomic():
        person = builders.person(principal)
        employer = builders.employer(principal)
        builders.relation(principal, person, employer, "medical", "2021-01", "2021-06")
    header = "id_number,uscc,insurance,month,base_fen,paid_month\n"
    row = f"{person.id_number.lower()},{employer.uscc},medical,{{}},600000,\n"
    texts = {"contributions.csv": header + row.format("2021-06")}
    assert legacy.validate(principal, texts).contributions == [
        (person.id_number, employer.uscc, "medical", "2021-06", 600000, None)
    ]
    texts = {"contributions.csv": header + row.format("2021-07")}
    with pytest.raises(InvalidInput) as raised:
        legacy.validate(principal, texts)
    assert [(e.field, e.code) for e in raised.value.errors] == [
        ("contributions.csv:2 month", "no_relation")
    ]


def test_a_later_import_into_closed_years_gives_the_same_closings_year_by_year(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first import closes 2016-2024 for the region; a second one, for someone else with
    the same history, must still give that person the national formula's closing of every
    year — their history happened then, it is not a late payment now."""
    uscc = builders.uscc()
    numbers = [builders.id_number(birth=date(1980, 5, 5 + i)) for i in range(2)]
    for i, number in enumerate(numbers):
        folder = tmp_path / f"legacy{i}"
        write_files(folder, number, uscc)
        if i:
            (folder / "employers.csv").unlink()  # the employer came with the first import
        assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0, (
            capsys.readouterr().err
        )
        case = Case.objects.filter(type="import.legacy").order_by("-pk").first()
        assert case is not None
        case = office.approve_all(case)
        assert case.status == "approved", case.result
    for number in numbers:
        record = queries.read(office.reviewer, number)
        closings = {row["year"]: row["closing_fen"] for row in record["account"]["by_year"]}
        assert closings == expected_closings(), number
    assert check(office.clerk) == []
    assert verify().ok
    with transaction.atomic():
        assert rebuild(office.clerk).differences == []
    second = Person.objects.get(id_number=numbers[1]).pk
    with pytest.raises(Conflict, match="credited already"), transaction.atomic():
        accounts_service.credit_interest_for(office.clerk, 2016, "110000", [second])
    with pytest.raises(Conflict, match="not closed"), transaction.atomic():
        accounts_service.credit_interest_for(office.clerk, 2025, "110000", [second])


def test_employers_persons_and_relations_are_checked_by_the_registrys_rules(
    office: Office, principal: Principal
) -> None:
    """The import registers as a registration case would (001 art. 2 (1)): a name longer than
    its column is a reported row error, never cut; the injury risk class is 1-8; a person holds
    one relation of an insurance group at a time (重复参保), whether the other is in the same
    file or on record."""
    from quanyi.contributions import legacy
    from quanyi.core.errors import InvalidInput

    with transaction.atomic():
        on_record = builders.person(principal)
        employer = builders.employer(principal)
        builders.relation(principal, on_record, employer, "pension", "2020-01", "2020-12")
    number, uscc = builders.id_number(), builders.uscc()
    texts = {
        "employers.csv": f"uscc,name,region,injury_class\n{uscc},{'单' * 201},110105,9\n",
        "persons.csv": "id_number,name,phone,hukou_region,residence_region,category\n"
        f"{number},{'名' * 101},13800138000,110105,110105,employee\n",
        "relations.csv": "id_number,uscc,insurance,start_month,end_month\n"
        f"{number},{uscc},pension,2016-01,2018-12\n"
        f"{number},,resident_pension,2018-06,\n"  # line 3: overlaps line 2
        f"{on_record.id_number},{uscc},pension,2020-06,2021-03\n",  # 4: overlaps the record
    }
    with pytest.raises(InvalidInput) as raised:
        legacy.validate(principal, texts)
    assert {(e.field, e.code) for e in raised.value.errors} == {
        ("employers.csv:2 name", "too_long"),
        ("employers.csv:2 injury_class", "bad_injury_class"),
        ("persons.csv:2 name", "too_long"),
        ("relations.csv:3 start_month", "overlap"),
        ("relations.csv:4 start_month", "overlap"),
    }
    texts["employers.csv"] = f"uscc,name,region,injury_class\n{uscc},{'单' * 200},110105,8\n"
    texts["persons.csv"] = texts["persons.csv"].replace("名" * 101, "名" * 100)
    texts["relations.csv"] = texts["relations.csv"].replace("2018-06", "2019-01")
    texts["relations.csv"] = texts["relations.csv"].replace("2020-06", "2021-01")
    batch = legacy.validate(principal, texts)
    assert [len(e.name) for e in batch.employers] == [200]
    assert [len(p.name) for p in batch.persons] == [100]


def test_the_load_registers_through_the_registrys_services(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Employers, persons and relations of an import are registry rows like any other: one
    audit batch event each, with every row's digest stamped (DESIGN invariant 5)."""
    from quanyi.audit.models import AuditEvent

    number = builders.id_number(birth=date(1980, 5, 5))
    write_files(tmp_path / "legacy", number, builders.uscc())
    assert main(["import", "legacy", str(tmp_path / "legacy"), "--as", "clerk"]) == 0
    case = office.approve_all(Case.objects.get(type="import.legacy"))
    assert case.status == "approved", case.result
    for action, object_type in (
        ("employer.register", "employer"),
        ("person.register", "person"),
        ("relation.start", "relation"),
    ):
        event = AuditEvent.objects.get(action=action)
        assert (event.object_type, event.rows, event.actor) == (object_type, 1, "approver")
    person = Person.objects.get(id_number=number)
    assert person.audit_seq == AuditEvent.objects.get(action="person.register").seq
    assert verify().ok
