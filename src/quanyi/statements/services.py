"""Issuing one statement or certificate (the person, a delegate or staff at the counter),
recording a returned letter and a mailing address. Each issued document is a row of
``Issued`` in the audit chain; the PDF itself is signed (PAdES) and not kept."""

from __future__ import annotations

import io
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.core import filemodes
from quanyi.core.chunks import in_chunks
from quanyi.core.errors import Conflict, InvalidInput, NotFound
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.records.queries import read
from quanyi.registry import services as registry
from quanyi.statements import content, pades, tokens
from quanyi.statements.drawing import Book
from quanyi.statements.models import DocumentKind, Issued, MailingAddress, Returned

ITEMS = (
    "person",
    "relations",
    "contributions",
    "account",
    "contribution_months",
    "contribution_years",
    "deemed_months",
    "benefits",
)
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_CERTIFICATE_YEARS = 50


def new_code(prefix: str, year: int) -> str:
    """``S2025K3JQ7ZPAXB``: kind, year and ten letters no one can guess."""
    return prefix + str(year) + "".join(secrets.choice(CODE_LETTERS) for _ in range(10))


def signer_for(sheet: content.Sheet) -> Any:
    def sign(printed: str) -> str:
        return tokens.sign(
            tokens.Claim(
                sheet.code,
                sheet.kind,
                sheet.period_from,
                sheet.period_to,
                printed,
                sheet.facts_sha256,
                sheet.masked_name,
            )
        )

    return sign


def check_year(year: int, today: date) -> None:
    if not 1990 <= year < today.year:
        raise InvalidInput.one(
            "year",
            "bad_year",
            f"年度须为已结束的业务年度（1990 至 {today.year - 1}）",
            f"the year must be a finished business year (1990 to {today.year - 1})",
        )


def out_folder(out: Path) -> None:
    """``out`` made if missing (700) and writable, or refused in words before anything is
    written into it."""
    if out.exists() and not out.is_dir():
        raise InvalidInput.one("out", "not_a_folder", f"{out} 不是目录", f"{out} is not a folder")
    try:
        filemodes.private_dir(out)
    except OSError as error:
        raise filemodes.unwritable(out, error) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise filemodes.unwritable(out, PermissionError(13, os.strerror(13)))


def _whole_record(record: dict[str, Any]) -> None:
    missing = [item for item in ("person", "contributions", "relations") if item not in record]
    if missing:
        raise Refused(
            "无权查看出具该文书所需的全部信息（001 第十五条）",
            "refused: the document needs parts of the record you may not see (001 art. 15)",
            "statements.issue",
        )


def _address(person_id: int) -> tuple[str, str]:
    found = MailingAddress.objects.filter(person_id=person_id).first()
    return (found.address, found.postcode) if found else ("", "")


def _recipient(principal: Principal) -> str:
    return "portal" if principal.kind in ("person", "external") else "counter"


def _issue(principal: Principal, sheet: content.Sheet, person_id: int) -> tuple[bytes, Issued]:
    buffer = io.BytesIO()
    book = Book(buffer, f"{sheet.code}")
    printed, _token = book.draw(sheet, signer_for(sheet))
    book.close()
    signed = pades.sign(buffer.getvalue())
    issued = audit.create_entry(
        principal,
        "statements.issue",
        Issued,
        code=sheet.code,
        kind=sheet.kind,
        person_id=person_id,
        period_from=sheet.period_from,
        period_to=sheet.period_to,
        issued_on=sheet.issued_on,
        printed_sha256=printed,
        facts_sha256=sheet.facts_sha256,
        recipient=_recipient(principal),
    )
    return signed, issued


def statement_pdf(principal: Principal, id_number: str, year: int) -> tuple[bytes, Issued]:
    """One person's statement for ``year`` as a signed PDF (the portal's download, the
    counter's reprint)."""
    authorize(principal, "statements.issue")
    today = timezone.localdate()
    check_year(year, today)
    person = registry.person_by_id_number(principal, id_number)
    record = read(principal, id_number, ITEMS, f"annual statement {year}")
    _whole_record(record)
    sheet = content.statement(record, year, new_code("S", year), today, _address(person.pk))
    return _issue(principal, sheet, person.pk)


def certificate_pdf(
    principal: Principal, id_number: str, start: str, end: str
) -> tuple[bytes, Issued]:
    """参保证明 over ``start``..``end`` (001 art. 15)."""
    authorize(principal, "statements.issue")
    first, last = _period(start, end)
    today = timezone.localdate()
    person = registry.person_by_id_number(principal, id_number)
    record = read(principal, id_number, ITEMS, "insurance certificate")
    _whole_record(record)
    sheet = content.certificate(
        record, first, last, new_code("C", today.year), today, _address(person.pk)
    )
    return _issue(principal, sheet, person.pk)


def _period(start: str, end: str) -> tuple[str, str]:
    first = str(YearMonth.parse(start, "from")) if start else ""
    last = str(YearMonth.parse(end, "to")) if end else ""
    if not first or not last:
        raise InvalidInput.one(
            "from", "required", "须填写证明期间的起止年月", "give the period's first and last month"
        )
    if first > last:
        raise InvalidInput.one(
            "to", "before_start", "终止年月早于起始年月", "the last month is before the first"
        )
    if int(last[:4]) - int(first[:4]) >= MAX_CERTIFICATE_YEARS:
        raise InvalidInput.one(
            "from",
            "too_long",
            f"证明期间最长 {MAX_CERTIFICATE_YEARS} 年",
            f"a certificate covers at most {MAX_CERTIFICATE_YEARS} years",
        )
    this_month = str(YearMonth.of(timezone.localdate()))
    if last > this_month:
        raise InvalidInput.one(
            "to", "future", "终止年月不能晚于本月", "the last month cannot be after this month"
        )
    return first, last


def record_return(principal: Principal, code: str, reason: str, on: date) -> Returned:
    """A mailed statement came back undelivered (退信)."""
    authorize(principal, "statements.returns")
    text = reason.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput.one(
            "reason",
            "bad_reason",
            "须填写退信原因（200 字以内）",
            "give the reason (200 characters at most)",
        )
    issued = Issued.objects.filter(code=code.strip().upper().split("-")[0]).first()
    if issued is None or issued.recipient not in ("person", "guardian") or not issued.postcode:
        raise NotFound("未找到该邮寄的权益记录单", "no mailed statement has that code")
    if on > timezone.localdate() or on < issued.issued_on:
        raise InvalidInput.one(
            "on",
            "bad_date",
            "退信日期须在出具日期和今天之间",
            "the date must be between issue and today",
        )
    if Returned.objects.filter(issued=issued).exists():
        raise Conflict("该权益记录单的退信已登记", "that statement's return is recorded already")
    return audit.create_entry(
        principal, "statements.return", Returned, issued=issued, returned_on=on, reason=text
    )


def set_address(
    principal: Principal, id_number: str, address: str, postcode: str
) -> MailingAddress:
    """Where the person's statement is mailed (the counter, or the demo)."""
    authorize(principal, "statements.returns")
    text, code = address.strip(), postcode.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput.one(
            "address",
            "bad_address",
            "通讯地址须为 1 至 200 字",
            "the address must be 1 to 200 characters",
        )
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise InvalidInput.one(
            "postcode", "bad_postcode", "邮政编码须为 6 位数字", "the postcode is 6 digits"
        )
    person = registry.person_by_id_number(principal, id_number)
    found = MailingAddress.objects.filter(person=person).first()
    if found is None:
        found = MailingAddress.objects.create(person=person, address=text, postcode=code)
        audit.record_row(principal, "statements.address", found)
        return found
    return audit.update_row(principal, "statements.address", found, address=text, postcode=code)


def document_kinds() -> list[str]:
    return [DocumentKind.EMPLOYEE, DocumentKind.RESIDENT]


def add_addresses(principal: Principal, rows: list[tuple[int, str, str]]) -> int:
    """Mailing addresses ``(person id, address, postcode)`` of persons who have none yet, in
    one audited batch (the demo; an import of the post office's address file)."""
    authorize(principal, "statements.returns")
    have = {
        pk
        for chunk in in_chunks(r[0] for r in rows)
        for pk in MailingAddress.objects.filter(person_id__in=chunk).values_list(
            "person_id", flat=True
        )
    }
    new = [
        MailingAddress(person_id=pk, address=address, postcode=postcode)
        for pk, address, postcode in rows
        if pk not in have
    ]
    if not new:
        return 0
    seq = audit.reserve_seq()
    audit.stamp_rows(new, seq)
    MailingAddress.objects.bulk_create(new)
    audit.record_batch(principal, "statements.address", MailingAddress, seq)
    return len(new)
