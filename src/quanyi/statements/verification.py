"""Is this statement or certificate ours, unchanged, and still what the record says? Anyone
may ask (``quanyi statements verify FILE.pdf``, the ``/verify`` page): the answer names the
verdict, the document's code, its period and the masked name — nothing else of the record.

A file is authentic when its signed code verifies under the document key, the digest of the
text printed above its footer (read back from the PDF) is the one the code signs, a PDF
signature, where there is one, is intact and the agency's, and the code is on record. It is
then "superseded" when the record's facts for its period have changed since (a back-payment
turning △ into ●)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from quanyi.records.parts import declared
from quanyi.statements import content, pades, pagecheck, tokens
from quanyi.statements.drawing import CODE_PREFIX, Printed, printed_digest, printed_item
from quanyi.statements.models import Issued
from quanyi.statements.pades import pades_fields
from quanyi.statements.queries import claim_of

# A statement is some 60 KB, a batch file of 500 some 2 MB: a file past this is no document of
# ours, refused before it is read (pypdf would take minutes and gigabytes on one).
MAX_FILE = 20 * 1024 * 1024

FACT_ITEMS = frozenset(
    {"relations", "contributions", "account", "deemed_months", "benefits", "contribution_months"}
)


@dataclass(frozen=True)
class Verdict:
    result: str  # authentic | superseded | not_authentic
    zh: str
    en: str
    code: str = ""
    kind: str = ""
    period: str = ""
    masked_name: str = ""

    @property
    def authentic(self) -> bool:
        return self.result != "not_authentic"


def _refused(zh: str, en: str, claim: tokens.Claim | None = None) -> Verdict:
    return _verdict("not_authentic", zh, en, claim)


def _verdict(result: str, zh: str, en: str, claim: tokens.Claim | None) -> Verdict:
    if claim is None:
        return Verdict(result, zh, en)
    period = (
        claim.period_from[:4]
        if claim.kind != "certificate"
        else f"{claim.period_from} — {claim.period_to}"
    )
    return Verdict(result, zh, en, claim.code, claim.kind, period, claim.masked_name)


Segment = tuple[str, Any, Any, float]  # text, cm, tm, font size


def _pages(pdf: bytes) -> list[tuple[list[Printed], list[str]] | str]:
    """Per page: (the strings printed, the two code lines), or why the page cannot be
    vouched for."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    signed = bool(pades_fields(reader))
    found: list[tuple[list[Printed], list[str]] | str] = []
    for page in reader.pages:
        strings = _strings(_segments(page))
        if isinstance(strings, str):
            found.append(strings)
            continue
        codes = [text for *_, text in strings if text.startswith((tokens.PREFIX, CODE_PREFIX))]
        printed = [item for item in strings if item[3] not in codes]
        problem = pagecheck.drawn_as_issued(reader, page, codes, signed)
        found.append(problem or (printed, codes))
    return found


def _segments(page: Any) -> list[Segment]:
    segments: list[Segment] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: Any) -> None:
        if text.strip():
            segments.append((text, list(cm), list(tm), float(size)))

    page.extract_text(visitor_text=visit)
    return segments


def _strings(segments: list[Segment]) -> list[Printed] | str:
    """Each string drawn, at its place and size: consecutive segments placed by the same
    translation are one string (a font subset switch splits a string into segments). Text
    scaled, skewed or lifted out of its line is refused."""
    strings: list[Printed] = []
    place: tuple[float, float] | None = None
    for text, cm, tm, size in segments:
        if cm[:4] != [1, 0, 0, 1] or tm[:4] != [1, 0, 0, 1] or tm[5] != 0:
            return "text drawn out of the form's lines"
        here = (cm[4], cm[5])
        if strings and here == place and strings[-1][2] == round(size * 100):
            x, y, height, before = strings[-1]
            strings[-1] = (x, y, height, before + "".join(text.split()))
        else:
            strings.append(printed_item(cm[4], cm[5], size, text))
        place = here
    return strings


def verify_pdf(pdf: bytes) -> list[Verdict]:
    """One verdict per document (page) in the file."""
    try:
        signature = pades.check(pdf)
    except Exception:  # any parse failure of a damaged file: it cannot be vouched for
        return [_refused("文件无法读取，不能确认真伪", "the file cannot be read: not authentic")]
    if signature.present and not signature.intact:
        return [
            _refused(
                "文件签名已失效：签名后文件被改动过",
                "the PDF signature does not match: the file changed after it was signed",
            )
        ]
    if signature.present and not signature.ours:
        return [_refused("文件签名不是本经办机构的", "the PDF is signed by another key")]
    if signature.present and not signature.whole_file:
        return [
            _refused(
                "文件签名后又被追加修改",
                "the file was changed after it was signed (an update appended to it)",
            )
        ]
    try:
        pages = _pages(pdf)
    except Exception:
        return [_refused("文件无法读取，不能确认真伪", "the file cannot be read: not authentic")]
    if not pages:
        return [_refused("文件中没有可查验的文书", "the file holds no document to verify")]
    return [_page_verdict(page) for page in pages]


def _page_verdict(page: tuple[list[Printed], list[str]] | str) -> Verdict:
    if isinstance(page, str):
        return _refused(
            "文书的绘制方式与出具时不同（隐藏、移动或覆盖了内容），不能确认为真",
            f"the page is not drawn as it was issued ({page}): not authentic",
        )
    printed, codes = page
    token = next((c for c in codes if c.startswith(tokens.PREFIX)), "")
    if not token:
        return _refused("未找到验证码", "no verification code was found on the page")
    try:
        claim, _ = tokens.verify(token)
    except tokens.BadToken:
        return _refused(
            "验证码的签名不是本经办机构的文书密钥所签", "the code is not signed by the agency's key"
        )
    if sorted(codes) != sorted([token, CODE_PREFIX + tokens.short_code(token)]):
        return _refused("页面上的验证码与签名不符", "the codes on the page do not match", claim)
    if printed_digest(printed) != claim.printed_sha256:
        return _refused(
            "文书所印内容与签名不符，已被改动",
            "the printed items differ from what was signed",
            claim,
        )
    return _against_record(claim)


def _against_record(claim: tokens.Claim) -> Verdict:
    issued = Issued.objects.filter(code=claim.code).first()
    if issued is None or issued.printed_sha256 != claim.printed_sha256:
        return _refused("本经办机构未出具该文书", "the agency issued no such document", claim)
    if current_facts(issued) != claim.facts_sha256:
        return _verdict(
            "superseded",
            "真实，但其所列期间的记录此后已更正（以最新记录为准）",
            "authentic, superseded by a later correction of the record for its period",
            claim,
        )
    return _verdict("authentic", "真实有效，与现有记录一致", "authentic and current", claim)


def current_facts(issued: Issued) -> str:
    """The digest of the record's facts for the document's period, as the record is now (read
    internally: nothing of it is shown, so no reader sees the record)."""
    record: dict[str, Any] = {}
    for part, load in declared():
        wanted = FACT_ITEMS.intersection(part.items)
        if wanted:
            record.update(load(issued.person_id, frozenset(wanted)))
    return content.facts_digest(record, issued.period_from, issued.period_to)


def verify_code(text: str) -> Verdict:
    """A typed verification code (``S2025K3JQ7ZPAXB-ABCDEFGH``): the document on record whose
    signature begins with those letters, and whether the record still says the same."""
    code, _, letters = text.strip().upper().partition("-")
    issued = Issued.objects.filter(code=code).first() if code else None
    if issued is None or not letters:
        return _refused("验证码不存在", "no document has that verification code")
    claim = claim_of(issued)
    if tokens.short_code(tokens.sign(claim)).partition("-")[2] != letters:
        return _refused("验证码不存在", "no document has that verification code")
    return _against_record(claim)
