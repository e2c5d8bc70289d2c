"""A page is drawn as the agency draws it, or it is not vouched for: the signed digest covers
what each string says, where and how large; this covers how the page is painted. Only the
operators our pages use are allowed — no fill that could cover a value, no text rendering
mode, rise, scaling or spacing that could hide or move one, no colour, no transparency, no
clipping, no other image or form than our QR code and our form, and no annotation but our
own PDF signature. Residual risk (decision 0021): strokes drawn to look like digits; a batch
page is unsigned, so print and post it, and keep the signed download for proof."""

from __future__ import annotations

from typing import Any

from quanyi.statements.drawing import QR_PLACE, qr_bits
from quanyi.statements.tokens import PREFIX

ALLOWED = frozenset(
    {
        b"q", b"Q", b"cm",  # save, restore, place
        b"BT", b"ET", b"Tf", b"TL", b"Tm", b"Tj", b"T*",  # text, as ReportLab writes it
        b"m", b"l", b"c", b"S", b"n", b"d",  # table rules, the seal's dashed circle
        b"Do", b"INLINE IMAGE",  # our form; our QR code
    }
)  # fmt: skip
FORM_PREFIX = "/FormXob.form-"


def drawn_as_issued(reader: Any, page: Any, codes: list[str], signed: bool) -> str | None:
    """None, or what about the page was not drawn by the agency."""
    annotations = page.get("/Annots") or []
    for reference in annotations:
        annotation = reference.get_object()
        if not (
            signed and annotation.get("/Subtype") == "/Widget" and annotation.get("/FT") == "/Sig"
        ):
            return "an annotation"
    token = next((c for c in codes if c.startswith(PREFIX)), "")
    problem = _operators(reader, page.get_contents(), page, token, top=True)
    return problem


def _operators(reader: Any, stream: Any, holder: Any, token: str, top: bool) -> str | None:
    from pypdf.generic import ContentStream

    if stream is None:
        return "no content"
    operations = ContentStream(stream, reader).operations
    images = 0
    placed: list[Any] = []
    for operands, operator in operations:
        if operator not in ALLOWED:
            return f"operator {operator.decode(errors='replace')}"
        if operator == b"cm":
            placed = [float(v) for v in operands]
        elif operator == b"Do":
            name = str(operands[0])
            if not (top and name.startswith(FORM_PREFIX)):
                return f"object {name}"
            resources = holder["/Resources"]["/XObject"]
            form = resources[name].get_object()
            if form.get("/Subtype") != "/Form":
                return f"object {name}"
            problem = _operators(reader, form, form, token, top=False)
            if problem:
                return problem
        elif operator == b"INLINE IMAGE":
            images += 1
            if not top or images > 1 or not _our_qr(operands, placed, token):
                return "an image that is not the page's QR code"
    if top and images != 1:
        return "no QR code"
    return None


def _our_qr(image: dict[str, Any], placed: list[float], token: str) -> bool:
    x, y, size = QR_PLACE
    expected = [round(size, 2), 0, 0, round(size, 2), round(x, 2), round(y, 2)]
    if [round(v, 2) for v in placed] != expected or not token:
        return False
    width, height, bits = qr_bits(token)
    settings = image.get("settings", {})
    if settings.get("/W") != width or settings.get("/H") != height:
        return False
    data = bytes(image.get("data", b"")).rstrip(b">").strip().lower()
    return data == bits.encode()
