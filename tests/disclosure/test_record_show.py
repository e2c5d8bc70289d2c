"""Who may see what of a record (001 art. 14-22): ``quanyi record show ID --as USER`` for each
kind of user returns exactly the allowed parts and items, and every read by anyone but the
person is in the query log the person sees (``record accesses``), a refusal too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quanyi.cli import main
from quanyi.records.models import QueryLogEntry
from tests.access.builders import account
from tests.disclosure import builders
from tests.disclosure.builders import CURRENT, FORMER, Career
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

EVERYTHING = {
    "person",
    "relations",
    "contributions",
    "account",
    "contribution_months",
    "contribution_years",
    "deemed_months",
    "benefits",
}


@pytest.fixture
def career(office: Office, tmp_path: Path) -> Career:
    found = builders.career(office, tmp_path / "legacy")
    builders.outside(found.id_number, "person", "person", person_id=found.person.pk)
    builders.outside(
        f"employer-{found.former.uscc}", "employer", "employer", employer_id=found.former.pk
    )
    builders.outside(
        f"employer-{found.current.uscc}", "employer", "employer", employer_id=found.current.pk
    )
    builders.outside("court", "external", "external", organisation="某区人民法院")
    builders.outside("unit", "external", "external", organisation="某公司")
    builders.outside("delegate", "external", "external", organisation="委托代理人")
    account("querier", "querier")
    account("sysadmin", "sysadmin")
    return found


def show(
    capsys: pytest.CaptureFixture[str], number: str, user: str, *extra: str
) -> tuple[int, Any]:
    capsys.readouterr()
    status = main(["record", "show", number, "--as", user, *extra])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if status == 0 else captured.err


def court_request(office: Office, career: Career) -> int:
    case = builders.permit_case(
        office,
        "disclosure.request",
        {
            "requester_account": "court",
            "requester": "某区人民法院",
            "requester_kind": "court",
            "credentials": "介绍信（2026）第31号；法官证 110101",
            "purpose": "劳动争议案件审理",
            "legal_basis": "(2026)京0105民初1234号；民事诉讼法第六十七条",
            "id_number": career.id_number,
            "items": ["person", "contributions"],
            "from_month": "2024-03",
            "to_month": "2024-08",
            "valid_until": builders.in_days(30),
        },
    )
    return case.pk


def test_each_kind_of_user_sees_exactly_its_view(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 14-19 (table): staff and the person see everything; an employer its own
    months only, a former employer included; a court only what its approved request names."""
    request = court_request(office, career)
    number = career.id_number
    former = f"employer-{career.former.uscc}"
    current = f"employer-{career.current.uscc}"
    table: list[tuple[str, tuple[str, ...], set[str], tuple[str, str] | None, str]] = [
        ("querier", (), EVERYTHING, ("2024-01", "2025-06"), ""),
        (number, (), EVERYTHING, ("2024-01", "2025-06"), ""),
        (former, (), {"person", "relations", "contributions"}, FORMER, career.former.uscc),
        (current, (), {"person", "relations", "contributions"}, CURRENT, career.current.uscc),
        ("court", ("--request", str(request)), {"person", "contributions"}, None, ""),
    ]
    for user, extra, keys, months, uscc in table:
        status, body = show(capsys, number, user, *extra)
        assert status == 0, (user, body)
        assert set(body) == keys, user
        if months is not None:
            assert builders.month_range(body["contributions"]) == months, user
        if uscc:
            assert {row["uscc"] for row in body["contributions"]} == {uscc}, user
            assert {row["uscc"] for row in body["relations"]} == {uscc}, user
    status, body = show(capsys, number, "court", "--request", str(request))
    # The request's period, 2024-03 to 2024-08: six months and nothing else.
    assert builders.month_range(body["contributions"]) == ("2024-03", "2024-08")
    assert len(body["contributions"]) == builders.span("2024-03", "2024-08")


def test_refusals_say_why_and_are_logged(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 18-19, 21: a unit without an approved request is refused with the rule, and
    the refusal is in the query log the person sees; so is the court's read without its
    request, and a sysadmin's attempt is refused outright (001 art. 26)."""
    number = career.id_number
    status, error = show(capsys, number, "unit")
    assert status == 1 and "disclosure.request" in error
    status, error = show(capsys, number, "court")
    assert status == 1
    status, error = show(capsys, number, "sysadmin")
    assert status == 1
    refused = QueryLogEntry.objects.filter(person=career.person, result="refused")
    assert sorted(refused.values_list("actor", flat=True)) == ["court", "unit"]
    capsys.readouterr()
    assert main(["record", "accesses", number, "--as", number]) == 0
    seen = json.loads(capsys.readouterr().out)
    assert {(row["actor"], row["result"]) for row in seen} >= {
        ("unit", "refused"),
        ("court", "refused"),
    }
    assert all(row["organisation"] for row in seen if row["actor"] in ("unit", "court"))


def test_a_request_lets_only_its_reader_read_only_its_person(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 18-19: the request is the court's, about this person — the unit cannot borrow
    it, and the person's employer cannot either."""
    request = court_request(office, career)
    status, _ = show(capsys, career.id_number, "unit", "--request", str(request))
    assert status == 1
    status, _ = show(capsys, career.id_number, "court", "--request", str(request + 999))
    assert status == 1


def test_a_delegate_sees_what_the_authorisation_names(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 15: a delegate with a written authorisation, attached and digested, sees the
    items it names and nothing else; without one, nothing."""
    status, _ = show(capsys, career.id_number, "delegate")
    assert status == 1
    case = builders.permit_case(
        office,
        "disclosure.delegate",
        {
            "id_number": career.id_number,
            "delegate_account": "delegate",
            "delegate_name": "钱代理",
            "items": "account,contribution_months",
            "valid_until": builders.in_days(10),
        },
    )
    assert case.payload["document_sha256"]
    status, body = show(capsys, career.id_number, "delegate")
    assert status == 0
    assert set(body) == {"account", "contribution_months"}


def test_the_person_reads_their_own_record_unlogged_but_no_one_elses(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """001 art. 14-15: the person sees all of their own record, and those reads are not third-
    party queries; another person's record is refused."""
    other = builders.career(office, tmp_path / "other")
    before = QueryLogEntry.objects.count()
    status, _ = show(capsys, career.id_number, career.id_number)
    assert status == 0 and QueryLogEntry.objects.count() == before
    status, _ = show(capsys, other.id_number, career.id_number)
    assert status == 1
    capsys.readouterr()
    assert main(["record", "accesses", other.id_number, "--as", career.id_number]) == 1


def test_an_employer_cannot_read_a_stranger(
    office: Office, career: Career, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """001 art. 16: an employer reads its own staff only."""
    other = builders.career(office, tmp_path / "other")
    status, error = show(capsys, other.id_number, f"employer-{career.former.uscc}")
    assert status == 1 and "001" in error
