"""Every input bounded (DESIGN.md invariant 8; issue #12): an amount past ``MAX_FEN`` (10¹¹
fen), an id or count the database cannot hold, a negative, text or nothing is refused where it
enters — command line, API, web form, file — with a clear error in the user's language: exit
status non-zero or HTTP 4xx (never 500), no traceback, and nothing written."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from quanyi.cli import main
from quanyi.contributions import flows
from quanyi.contributions.models import (
    BANK_REF_MAX,
    REASON_MAX,
    Bill,
    Declaration,
    Payment,
    Refund,
)
from quanyi.core.errors import InvalidInput
from quanyi.core.money import MAX_FEN, parse_fen, yuan_to_fen
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, Person
from quanyi.workflow import services as cases
from quanyi.workflow.models import Case
from quanyi.workflow.services import OPINION_MAX
from tests.access import builders as accounts
from tests.registry import builders
from tests.workflow.builders import Office
from tests.workflow.test_api import client_for

pytestmark = pytest.mark.django_db

# Past the bound, far past it, the largest 64-bit integer, negative, not a number, nothing.
BAD_FEN = [str(MAX_FEN + 1), str(10**30), str(2**63 - 1), "-1", "abc", ""]
BAD_ID = [str(10**30), "-1", "abc", "99999999999999999999"]
INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


def test_parse_fen_takes_exactly_what_is_in_bounds() -> None:
    """DESIGN.md invariant 8: one parse for every amount; 10¹¹ fen is the last one taken."""
    assert parse_fen(str(MAX_FEN)) == MAX_FEN == parse_fen(MAX_FEN)
    assert parse_fen(" 1 ") == 1
    for bad in [*BAD_FEN, MAX_FEN + 1, 10**30, -1, 0, True, 1.0, None, "1.5", "1e3", "０"]:
        with pytest.raises(InvalidInput) as refused:
            parse_fen(bad, "amount_fen")
        assert refused.value.fields() == ["amount_fen"]
        assert "100000000000" in refused.value.en and "100000000000" in refused.value.zh


@pytest.mark.parametrize("text", ["1000000000.01", "1e30", "9223372036854775807", "-1000000001"])
def test_yuan_past_the_bound_is_refused(text: str) -> None:
    """DESIGN.md invariant 8: yuan typed in are bounded like fen."""
    with pytest.raises(InvalidInput, match="at most 1000000000 yuan"):
        yuan_to_fen(text)
    assert yuan_to_fen("1000000000.00") == MAX_FEN


# --- a bill to pay -------------------------------------------------------------------------


@pytest.fixture
def insured(office: Office, principal: Principal) -> tuple[Employer, Person]:
    employer = builders.employer(principal, injury_class=2)
    person = builders.person(principal, name="甲")
    for insurance in INSURANCES:
        builders.relation(principal, person, employer, insurance, "2024-01")
    return employer, person


@pytest.fixture
def bill(office: Office, insured: tuple[Employer, Person]) -> Bill:
    flows.post_month(office.clerk, "2025-01", "110000")
    return Bill.objects.get()


def declare(
    file: Path, employer: Employer, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, str]:
    """``quanyi contributions declare FILE`` for the employer from 2025-01, as the clerk."""
    argv = ["contributions", "declare", str(file), "--uscc", employer.uscc, "--from", "2025-01"]
    return run([*argv, *more, "--as", "clerk"], capsys)


def counts() -> tuple[int, ...]:
    """What a refused input must leave as it was."""
    return (
        Payment.objects.count(),
        Refund.objects.count(),
        Declaration.objects.count(),
        Case.objects.count(),
        sum(Bill.objects.values_list("paid_fen", flat=True)),
    )


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``quanyi ARGV`` in this process: its exit status (argparse's usage error included) and
    stderr."""
    try:
        status = main(argv)
    except SystemExit as stopped:
        status = int(stopped.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "OverflowError" not in err, err
    return status, err


# --- command line --------------------------------------------------------------------------


@pytest.mark.parametrize("amount", BAD_FEN)
def test_a_counter_payment_past_the_bound_is_refused_on_the_command_line(
    bill: Bill, amount: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: ``contributions counter --amount-fen`` (issue #12: 2⁶³-1 was
    taken and broke every later payment; 10³⁰ was a traceback)."""
    before = counts()
    status, err = run(
        [
            "contributions",
            "counter",
            "--uscc",
            bill.employer.uscc,
            "--bill",
            str(bill.pk),
            "--amount-fen",
            amount,
            "--receipt",
            "R-1",
            "--as",
            "clerk",
        ],
        capsys,
    )
    assert status == 1 and "amount_fen" in err and str(MAX_FEN) in err
    assert counts() == before


@pytest.mark.parametrize("bill_id", BAD_ID)
def test_a_counter_payment_to_an_impossible_bill_is_refused(
    bill: Bill, bill_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: a bill id the database cannot hold is an error, not an overflow."""
    before = counts()
    status, err = run(
        [
            "contributions",
            "counter",
            "--uscc",
            bill.employer.uscc,
            "--bill",
            bill_id,
            "--amount-fen",
            "100",
            "--receipt",
            "R-1",
            "--as",
            "clerk",
        ],
        capsys,
    )
    assert status == 1 and "bill_id" in err
    assert counts() == before


def test_exactly_the_bound_is_paid_and_the_next_payment_still_works(
    bill: Bill, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: 10¹¹ fen is taken from a bank file (the counter takes no more
    than a bill owes), and the bill stays payable after it."""
    file = tmp_path / "bank.csv"
    file.write_text(
        f"bill_id,amount_fen,paid_at,bank_ref\n{bill.pk},{MAX_FEN},2025-02-01,B-1\n"
        f"{bill.pk},1,2025-02-01,B-2\n",
        encoding="utf-8",
    )
    status, err = run(["contributions", "pay", str(file), "--as", "clerk"], capsys)
    assert status == 0, err
    bill.refresh_from_db()
    assert bill.paid_fen == MAX_FEN + 1


@pytest.mark.parametrize("amount", BAD_FEN)
def test_a_bank_file_row_past_the_bound_is_refused(
    bill: Bill, amount: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: ``contributions pay FILE`` names the line and writes nothing."""
    file = tmp_path / "bank.csv"
    file.write_text(
        "bill_id,amount_fen,paid_at,bank_ref\n"
        f"{bill.pk},100,2025-02-01,B-1\n{bill.pk},{amount},2025-02-01,B-2\n",
        encoding="utf-8",
    )
    before = counts()
    status, err = run(["contributions", "pay", str(file), "--as", "clerk"], capsys)
    assert status == 1 and "bank.csv:3 amount_fen" in err
    assert counts() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["case", "show", "{}"],
        ["case", "act", "{}", "approve"],
        ["case", "resubmit", "{}"],
        ["record", "explain", "110105194912310021", "--year", "{}"],
        ["accounts", "credit-interest", "--year", "{}"],
        ["demo", "--persons", "{}"],
        ["demo", "--employers", "{}"],
    ],
    ids=lambda argv: " ".join(a for a in argv if a != "{}"),
)
@pytest.mark.parametrize("value", BAD_ID)
def test_ids_years_and_counts_out_of_range_are_usage_errors(
    office: Office, argv: list[str], value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: a case id, year or ``--persons`` of 10³⁰ or -1 is a usage error
    (exit 2) naming the range, before anything runs."""
    args = [value if a == "{}" else a for a in argv]
    if args[0] != "demo":
        args += ["--as", "clerk"]
    before = counts()
    status, err = run(args, capsys)
    assert status == 2 and "a whole number from" in err, err
    assert counts() == before


def test_a_declared_wage_past_the_bound_cannot_get_in(
    office: Office,
    insured: tuple[Employer, Person],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DESIGN.md invariant 8 (issue #12: a wage of 10³⁰ passed intake and review and crashed
    at approval): refused at intake, on the command line and as a case."""
    employer, person = insured
    before = counts()
    for wage in BAD_FEN:
        file = tmp_path / "wages.csv"
        file.write_text(f"id_number,wage_fen\n{person.id_number},{wage}\n", encoding="utf-8")
        status, err = declare(file, employer, capsys)
        assert status == 1 and "wages.csv:2 wage_fen" in err, err
        with pytest.raises(InvalidInput) as refused:
            office.submit(
                "contribution.declare",
                {
                    "uscc": employer.uscc,
                    "valid_from": "2025-01",
                    "rows": [{"id_number": person.id_number, "wage_fen": wage}],
                },
            )
        assert refused.value.fields() == ["rows[1].wage_fen"]
    assert counts() == before
    file.write_text(f"id_number,wage_fen\n{person.id_number},{MAX_FEN}\n", encoding="utf-8")
    status, err = declare(file, employer, capsys)
    assert status == 0, err
    assert not file.with_name("wages.csv.errors.csv").exists()  # the failed runs' report is gone


# --- cases: refund and back-payment ------------------------------------------------------


@pytest.mark.parametrize("amount", [*BAD_FEN, 10**30, -1])
def test_refund_and_backpay_amounts_past_the_bound_are_refused_at_intake(
    office: Office, insured: tuple[Employer, Person], bill: Bill, amount: Any
) -> None:
    """DESIGN.md invariant 8: refund ``amount_fen``, back-payment ``base_fen``."""
    employer, person = insured
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "contribution.refund", {"bill_id": bill.pk, "amount_fen": amount, "reason": "x"}
        )
    assert "amount_fen" in refused.value.fields()
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "contribution.backpay",
            {
                "uscc": employer.uscc,
                "id_number": person.id_number,
                "from_month": "2024-01",
                "to_month": "2024-02",
                "base_fen": amount,
                "reason": "x",
            },
        )
    assert "base_fen" in refused.value.fields()
    assert counts() == before


@pytest.mark.parametrize("bill_id", [10**30, -1, "abc", ""])
def test_a_refund_of_an_impossible_bill_is_refused(
    office: Office, bill: Bill, bill_id: Any
) -> None:
    """DESIGN.md invariant 8: a refund's bill id out of range is "no such bill"."""
    with pytest.raises(InvalidInput) as refused:
        office.submit("contribution.refund", {"bill_id": bill_id, "amount_fen": 1, "reason": "x"})
    assert "bill_id" in refused.value.fields()


# --- API and web ---------------------------------------------------------------------------


@pytest.mark.parametrize("wage", [MAX_FEN + 1, 10**30, 2**63 - 1, -1, "abc", ""])
def test_the_api_refuses_a_wage_past_the_bound_with_422(
    office: Office, insured: tuple[Employer, Person], wage: Any
) -> None:
    """DESIGN.md invariant 8: a case taken in over the API."""
    employer, person = insured
    client = client_for("apiclerk", "operator")
    before = counts()
    answer = client.post(
        "/api/v1/cases",
        {
            "type": "contribution.declare",
            "data": {
                "uscc": employer.uscc,
                "valid_from": "2025-01",
                "rows": [{"id_number": person.id_number, "wage_fen": wage}],
            },
        },
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == ["rows[1].wage_fen"]
    assert counts() == before


@pytest.mark.parametrize("case_id", [str(10**30), "-1", "0", "9223372036854775808"])
def test_the_api_and_the_screens_refuse_an_impossible_case_id(office: Office, case_id: str) -> None:
    """DESIGN.md invariant 8: a case id in an address: 4xx, never a 500."""
    client = client_for("apireader", "operator")
    for path in (f"/api/v1/cases/{case_id}", f"/cases/{case_id}"):
        answer = client.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    answer = client.post(
        f"/api/v1/cases/{case_id}/decisions",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize("field", ["amount", "bill_id"])
@pytest.mark.parametrize("value", [str(MAX_FEN + 1), str(10**30), str(2**63 - 1), "-1", "abc", ""])
def test_the_counter_screen_refuses_with_400(
    office: Office, insured: tuple[Employer, Person], bill: Bill, field: str, value: str
) -> None:
    """DESIGN.md invariant 8 (issue #12: a bare "Server Error (500)"; issue 13: the amount is
    typed in yuan): the reason is shown next to the field, nothing is written."""
    employer, _ = insured
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    values = {"bill_id": str(bill.pk), "amount": "1.00", "paid_at": "2025-02-01"}
    before = counts()
    answer = client.post(
        f"/contributions/bills?uscc={employer.uscc}",
        {**values, field: value, "bank_ref": "C-1", "uscc": employer.uscc},
    )
    assert answer.status_code == 400, answer.status_code
    assert f'id="e-{field}"' in answer.content.decode()
    assert counts() == before


# --- the error report ----------------------------------------------------------------------


def test_every_bad_row_is_in_the_report_and_the_first_thousand_on_screen(
    office: Office,
    insured: tuple[Employer, Person],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DESIGN.md invariant 8 (issue #12: 2,000,000 bad rows made one line of 2 million
    entries): all 2,500 bad rows are in the report file; stderr lists 1,000, the total and
    where the report is."""
    employer, person = insured
    file = tmp_path / "big.csv"
    lines = ["id_number,wage_fen", f"{person.id_number},800000"]
    lines += [f"{person.id_number},{10**30}" for _ in range(1500)]  # wage past the bound
    lines += ["11010519491231002Y,800000" for _ in range(999)]  # a bad check character
    lines += [f"{person.id_number},800000"]  # declared twice
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "out" / "report.csv"
    report.parent.mkdir()
    before = counts()
    status, err = declare(file, employer, capsys, "--report", str(report))
    assert status == 1
    assert counts() == before
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1500 + 999 + 1500 + 1  # every repeat of the same person is one too
    assert set(rows[0]) == {"file", "line", "field", "reason"}
    assert rows[0] == {
        "file": "big.csv",
        "line": "3",
        "field": "wage_fen",
        "reason": f"a whole number of fen from 1 to {MAX_FEN}",
    }
    assert {r["field"] for r in rows} == {"wage_fen", "id_number"}
    assert rows[-1]["line"] == str(len(lines))
    shown = err.splitlines()
    assert shown[0] == f"error: {len(rows)} errors; every one is in {report}"
    assert len(shown) == 1 + 1000 + 1
    assert shown[1].startswith("big.csv:3 wage_fen: ")
    assert shown[-1] == f"… {len(rows) - 1000} more in {report}"


def test_a_legacy_import_reports_every_bad_row(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: the legacy import's bad rows past the first thousand are in the
    report next to the directory (``legacy.errors.csv``), with legacy's own bound now
    ``MAX_FEN``."""
    folder = tmp_path / "legacy"
    folder.mkdir()
    rows = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    rows += [f"110105194912310021,X,pension,2020-01,{MAX_FEN + 1}," for _ in range(1200)]
    (folder / "contributions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, err = run(["import", "legacy", str(folder), "--as", "clerk"], capsys)
    assert status == 1
    report = tmp_path / "legacy.errors.csv"
    found = report.read_text(encoding="utf-8").splitlines()
    assert len(found) - 1 > 1200 * 3  # past the thousand listed: person, employer, base, …
    assert sum("base_fen" in line for line in found) == 1200
    assert f"every one is in {report}" in err.splitlines()[0]
    assert not Case.objects.exists()


# --- text as long as its column ------------------------------------------------------------


def test_a_bank_reference_past_its_column_is_refused_and_one_as_long_is_taken(
    bill: Bill, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md invariant 8: text past its column is refused, never cut (bank_ref: 64)."""
    before = counts()

    def pay(receipt: str) -> tuple[int, str]:
        argv = ["contributions", "counter", "--uscc", bill.employer.uscc, "--bill", str(bill.pk)]
        argv += ["--amount-fen", "100"]
        return run([*argv, "--receipt", receipt, "--as", "clerk"], capsys)

    status, err = pay("R" * (BANK_REF_MAX + 1))
    assert status == 1 and "bank_ref" in err and counts() == before
    assert pay("R" * BANK_REF_MAX)[0] == 0
    assert Payment.objects.get().bank_ref == "R" * BANK_REF_MAX


def test_a_refund_or_backpay_reason_past_its_column_is_refused(
    office: Office, insured: tuple[Employer, Person], bill: Bill
) -> None:
    """DESIGN.md invariant 8: a reason of 201 characters is refused, not cut to 200."""
    employer, person = insured
    before = counts()
    long = "因" * (REASON_MAX + 1)
    with pytest.raises(InvalidInput) as refused:
        office.submit("contribution.refund", {"bill_id": bill.pk, "amount_fen": 1, "reason": long})
    assert [e.code for e in refused.value.errors if e.field == "reason"] == ["too_long"]
    backpay = {
        "uscc": employer.uscc,
        "id_number": person.id_number,
        "from_month": "2024-01",
        "to_month": "2024-02",
        "base_fen": 500000,
        "reason": long,
    }
    with pytest.raises(InvalidInput) as refused:
        office.submit("contribution.backpay", backpay)
    assert [e.code for e in refused.value.errors if e.field == "reason"] == ["too_long"]
    assert counts() == before


def test_an_opinion_past_its_bound_is_refused_and_the_case_waits(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """DESIGN.md invariant 8: a case opinion of more than 2,000 characters is refused with
    nothing decided; one of 2,000 is taken."""
    employer, person = insured
    case = office.submit(
        "contribution.backpay",
        {
            "uscc": employer.uscc,
            "id_number": person.id_number,
            "from_month": "2024-01",
            "to_month": "2024-02",
            "base_fen": 500000,
            "reason": "补缴",
        },
    )
    stage = case.stage
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        cases.act(office.by_stage(stage), case.pk, "approve", "意" * (OPINION_MAX + 1))
    assert refused.value.fields() == ["opinion"]
    case.refresh_from_db()
    assert (case.stage, case.status) == (stage, "open")
    with transaction.atomic():
        moved = cases.act(office.by_stage(stage), case.pk, "approve", "意" * OPINION_MAX)
    assert moved.stage != stage
