"""Statements and certificates anyone can verify (001 art. 15; 000 §3): an untouched one is
authentic; a single changed byte or another key is not; one whose record was corrected since
(a back-payment turning △ into ●) is authentic but superseded — each with its reason. The
objection window (003 §4 (二)) runs from the statement's date."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from quanyi.cli import main
from quanyi.contributions import services as contributions
from quanyi.contributions.models import Bill
from quanyi.contributions.payment_files import PaymentRow
from quanyi.core.errors import InvalidInput
from quanyi.statements import services, tokens, verification
from quanyi.workflow import services as workflow
from tests.statements import builders
from tests.statements.builders import Insured
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def insured(office: Office, tmp_path: Path) -> Insured:
    return builders.insured(office, tmp_path / "legacy")


def statement(office: Office, insured: Insured) -> tuple[bytes, str]:
    with transaction.atomic():
        pdf, issued = services.statement_pdf(office.clerk, insured.id_number, 2025)
    return pdf, issued.code


def only(verdicts: list[verification.Verdict]) -> verification.Verdict:
    (verdict,) = verdicts
    return verdict


def test_an_untouched_statement_is_authentic(office: Office, insured: Insured) -> None:
    pdf, code = statement(office, insured)
    verdict = only(verification.verify_pdf(pdf))
    assert verdict.result == "authentic", verdict
    assert (verdict.code, verdict.period, verdict.masked_name) == (code, "2025", "钱**")
    assert b"/ByteRange" in pdf and b"adbe.pkcs7.detached" not in pdf  # PAdES, not PKCS#7
    claim, _ = tokens.verify(qr_text(pdf))  # the QR code holds the same signed claim
    assert (claim.code, claim.period_from, claim.period_to) == (code, "2025-01", "2025-12")
    assert len(claim.printed_sha256) == len(claim.facts_sha256) == 64


def qr_text(pdf: bytes) -> str:
    """The QR code of page 1, rendered by pdfium and read by zxing-cpp."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        found = zxingcpp.read_barcodes(document[0].render(scale=3).to_pil())
    finally:
        document.close()
    (symbol,) = [f for f in found if f.format == zxingcpp.BarcodeFormat.QRCode]
    return str(symbol.text)


@pytest.mark.parametrize("where", [0.3, 0.5, 0.9])
def test_a_single_changed_byte_is_not_authentic(
    office: Office, insured: Insured, where: float
) -> None:
    pdf, _ = statement(office, insured)
    changed = bytearray(pdf)
    at = int(len(changed) * where)
    changed[at] = (changed[at] + 1) % 256
    verdict = only(verification.verify_pdf(bytes(changed)))
    assert verdict.result == "not_authentic", verdict
    assert verdict.en


def test_a_byte_changed_where_the_pdf_signature_does_not_reach_is_not_authentic(
    office: Office, insured: Insured
) -> None:
    """The signature's own bytes are outside what it signs: a changed byte in its zero
    padding, a hex digit's case, or an unsigned field of the CMS was taken as authentic."""
    pdf, _ = statement(office, insured)
    start = pdf.index(b"/Contents <") + len(b"/Contents <")
    padding = pdf.index(b"00000000", start) + 4
    digit = next(i for i in range(start, padding) if pdf[i : i + 1] in b"ABCDEF")
    signer = pdf.index(b"1302434E", pdf.index(b"1302434E", start) + 1)  # the signer's "CN"
    for at, byte in [(padding, b"1"), (digit, pdf[digit : digit + 1].lower()), (signer, b"4")]:
        changed = pdf[:at] + byte + pdf[at + 1 :]
        verdict = only(verification.verify_pdf(changed))
        assert verdict.result == "not_authentic", (at, verdict)
    assert only(verification.verify_pdf(pdf)).result == "authentic"


def test_a_file_past_20_mb_is_refused_before_it_is_read(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signed statement with 200 MB of zeros after it took a minute and 2 GB to refuse."""
    pdf, _ = statement(office, insured)
    large = tmp_path / "large.pdf"
    large.write_bytes(pdf + bytes(verification.MAX_FILE))
    capsys.readouterr()
    assert main(["statements", "verify", str(large)]) == 1
    assert "too large" in capsys.readouterr().err


def test_one_signed_by_another_key_is_not_authentic(office: Office, insured: Insured) -> None:
    keys = Path(settings.QUANYI_DATA_DIR) / "keys"
    statement(office, insured)  # our keys exist
    ours = keys.with_name("ours")
    shutil.move(keys, ours)
    forged, _ = statement(office, insured)  # new keys made: another agency's, say
    shutil.rmtree(keys)
    shutil.move(ours, keys)
    verdict = only(verification.verify_pdf(forged))
    assert verdict.result == "not_authentic" and "another key" in verdict.en


def test_a_printed_text_changed_and_re_signed_by_another_key_is_not_authentic(
    office: Office, insured: Insured
) -> None:
    """A batch file carries no PDF signature: each page's signed code vouches for its text."""
    pdf, _ = statement(office, insured)
    page = verification._pages(pdf)[0]
    assert not isinstance(page, str)
    printed, codes = page
    token = next(c for c in codes if c.startswith(tokens.PREFIX))
    claim, _ = tokens.verify(token)
    assert verification._page_verdict((printed, codes)).result == "authentic"
    edited = [(x, y, size, text.replace("钱对账", "钱改名")) for x, y, size, text in printed]
    assert verification._page_verdict((edited, codes)).result == "not_authentic"
    assert claim.printed_sha256 != verification.printed_digest(edited)


def test_a_back_payment_since_makes_it_superseded(office: Office, insured: Insured) -> None:
    pdf, code = statement(office, insured)
    short = json.loads(_cli_out(["statements", "verify", "--code", _short(pdf)], 0))[0]
    assert short["result"] == "authentic"
    bill = Bill.objects.get(employer=insured.employer, month=builders.OWED)
    with transaction.atomic():
        contributions.record_payments(
            office.clerk, [PaymentRow(bill.pk, bill.due_fen, date(2026, 1, 5), "BACK-1")]
        )
    verdict = only(verification.verify_pdf(pdf))
    assert verdict.result == "superseded" and verdict.authentic
    assert "superseded by a later correction" in verdict.en
    assert verification.verify_code(_short(pdf)).result == "superseded"
    assert verification.verify_code(code + "-WRONGONE").result == "not_authentic"


def _short(pdf: bytes) -> str:
    text = builders.page_text(pdf)
    return builders.line_of(text, "验证码").split("：")[1].split()[0]


def _cli_out(args: list[str], code: int) -> str:
    from io import StringIO

    printed = StringIO()
    with mock.patch("sys.stdout", printed):
        assert main(args) == code
    return printed.getvalue()


def test_verify_from_the_command_line_needs_no_login(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, _ = statement(office, insured)
    good, bad, unreadable = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "junk.pdf"
    good.write_bytes(pdf)
    bad.write_bytes(pdf[:1000] + bytes([pdf[1000] ^ 1]) + pdf[1001:])
    unreadable.write_bytes(b"not a pdf at all")
    assert json.loads(_cli_out(["statements", "verify", str(good)], 0))[0]["authentic"]
    assert not json.loads(_cli_out(["statements", "verify", str(bad)], 1))[0]["authentic"]
    refused = json.loads(_cli_out(["statements", "verify", str(unreadable)], 1))[0]
    assert refused["result"] == "not_authentic"
    for both in (["statements", "verify"], ["statements", "verify", str(good), "--code", "X"]):
        with pytest.raises(SystemExit) as usage:
            main(both)
        assert usage.value.code == 2
    capsys.readouterr()
    assert main(["statements", "verify", str(tmp_path / "missing.pdf")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert (
        json.loads(_cli_out(["statements", "verify", "--code", "S2025XXXX-ABC"], 1))[0]["result"]
        == "not_authentic"
    )


def test_a_certificate_over_a_period(
    office: Office, insured: Insured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 15: written proof of insurance and contributions, on request."""
    out = tmp_path / "cert.pdf"
    args = ["statements", "certificate", insured.id_number, "--from", "2024-01", "--to", "2025-12"]
    printed = json.loads(_cli_out([*args, "--out", str(out), "--as", "clerk"], 0))
    assert printed["kind"] == "certificate" and printed["verification_code"].startswith("C")
    text = builders.page_text(out.read_bytes())
    assert "社会保险参保证明" in text and "2024-01 至 2025-12" in text
    pension = builders.line_of(text, "企业职工基本养老保险 2024-01")
    assert pension.split()[3] == "23"  # 24 months, one owed
    assert only(verification.verify_pdf(out.read_bytes())).result == "authentic"
    capsys.readouterr()
    assert main([*args, "--out", str(out), "--as", "clerk"]) == 1  # never overwritten
    assert "exists" in capsys.readouterr().err
    for start, end, said in (
        ("2025-13", "2025-12", "YYYY-MM"),
        ("2025-06", "2025-01", "before the first"),
        ("1960-01", "2025-01", "at most 50 years"),
        ("2025-01", f"{date.today().year + 1}-06", "after this month"),
    ):
        bad = ["statements", "certificate", insured.id_number, "--from", start, "--to", end]
        assert main([*bad, "--out", str(tmp_path / "x.pdf"), "--as", "clerk"]) == 1
        assert said in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_the_objection_window_runs_from_the_statements_date(
    office: Office, insured: Insured
) -> None:
    """003 §4 (二): an objection to a statement within three months of its date."""
    _, code = statement(office, insured)
    objection = {
        "id_number": insured.id_number,
        "items": ["contributions"],
        "month": builders.OWED,
        "description": "11月已缴费，记录单显示欠缴",
        "statement": code,
    }
    with transaction.atomic():
        case = workflow.submit(office.clerk, "record.objection", objection)
    assert case.status == "open"
    later = date.today() + timedelta(days=100)
    with (
        mock.patch("django.utils.timezone.localdate", return_value=later),
        pytest.raises(InvalidInput) as closed,
        transaction.atomic(),
    ):
        workflow.submit(office.clerk, "record.objection", objection)
    assert "three months" in closed.value.errors[0].en
    with pytest.raises(InvalidInput), transaction.atomic():
        workflow.submit(office.clerk, "record.objection", {**objection, "statement": "S2025NOPE"})


def _batch_page(office: Office, insured: Insured, tmp_path: Path) -> bytes:
    """A mailed batch file of one statement (no PDF signature: its signed code vouches)."""
    from quanyi.statements import flows

    with transaction.atomic():
        flows.generate(office.clerk, 2025, tmp_path / "out")
    (pdf,) = (tmp_path / "out").glob("statements-*.pdf")
    return pdf.read_bytes()


def _painted(pdf: bytes, change: object) -> bytes:
    """The file rewritten by pypdf with page 1's content changed by ``change(bytes)``."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    content = page.get_contents()
    assert content is not None
    content.set_data(change(content.get_data()))  # type: ignore[operator]
    page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_batch_page_painted_otherwise_is_not_authentic(
    office: Office, insured: Insured, tmp_path: Path
) -> None:
    """A page of a mailed batch carries no PDF signature: rewritten as it was it still
    verifies, but a value moved, covered, hidden or added does not."""
    import re

    pdf = _batch_page(office, insured, tmp_path)
    assert only(verification.verify_pdf(_painted(pdf, lambda d: d))).result == "authentic"
    places = re.findall(rb"q 1 0 0 1 ([\d.]+ [\d.]+) cm", _content(pdf))
    first, second = places[10], places[11]

    def swap(data: bytes) -> bytes:
        marker = b"\x00"
        data = data.replace(first, marker, 1).replace(second, first, 1)
        return data.replace(marker, second, 1)

    attacks = {
        "moved": swap,
        "covered": lambda d: d + b"\nq 1 g 100 600 200 20 re f Q",
        "hidden": lambda d: d.replace(b" Tf ", b" Tf 3 Tr ", 5),
        "added": lambda d: d + b"\nq 1 0 0 1 300 60 cm BT /F1 8 Tf (99,999.99) Tj ET Q",
        "lifted": lambda d: d.replace(b" Tf ", b" Tf 200 Ts ", 1),
    }
    for name, attack in attacks.items():
        verdict = only(verification.verify_pdf(_painted(pdf, attack)))
        assert verdict.result == "not_authentic", (name, verdict)


def _content(pdf: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    return bytes(content.get_data())


def test_a_signed_file_with_an_update_appended_is_not_authentic(
    office: Office, insured: Insured
) -> None:
    """An incremental update after the PDF signature keeps the signed bytes intact: still
    refused, as the signature no longer covers the whole file."""
    import io

    from pypdf import PdfWriter

    pdf, _ = statement(office, insured)
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Title": "changed"})
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(pdf)
    verdict = only(verification.verify_pdf(out.getvalue()))
    assert verdict.result == "not_authentic" and "after it was signed" in verdict.en
