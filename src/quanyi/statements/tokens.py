"""The signed code on every statement and certificate (printed as text and as a QR code):
``QY1.<payload>.<signature>``, the payload naming the document, its period, the digest of its
printed text, the digest of the record's facts for the period and the masked name, signed with
the agency's document key (Ed25519). The short verification code typed at ``/verify`` is the
document's code and the first characters of that signature."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from quanyi.statements import keys

PREFIX = "QY1."
CHECK_LETTERS = 8


@dataclass(frozen=True)
class Claim:
    code: str
    kind: str
    period_from: str
    period_to: str
    printed_sha256: str
    facts_sha256: str
    masked_name: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


KINDS = {"employee": "e", "resident": "r", "certificate": "c"}


def _packed(claim: Claim) -> bytes:
    """The claim as short as it goes (the QR code's size follows it): digests as raw bytes in
    base64, months without their dash."""
    fields = [
        claim.code,
        KINDS[claim.kind],
        claim.period_from.replace("-", ""),
        claim.period_to.replace("-", ""),
        _b64(bytes.fromhex(claim.printed_sha256)),
        _b64(bytes.fromhex(claim.facts_sha256)),
        claim.masked_name,
    ]
    return "|".join(fields).encode()


def _unpacked(data: bytes) -> Claim:
    fields = data.decode().split("|")
    if len(fields) != 7:
        raise BadToken("the code has the wrong number of fields")
    code, kind, start, end, printed, facts, name = fields
    kinds = {short: long for long, short in KINDS.items()}
    if kind not in kinds or len(start) != 6 or len(end) != 6:
        raise BadToken("the code's fields are malformed")
    return Claim(
        code,
        kinds[kind],
        f"{start[:4]}-{start[4:]}",
        f"{end[:4]}-{end[4:]}",
        _unb64(printed).hex(),
        _unb64(facts).hex(),
        name,
    )


def sign(claim: Claim) -> str:
    body = PREFIX + _b64(_packed(claim))
    return body + "." + _b64(keys.signing_key().sign(body.encode()))


def short_code(token: str) -> str:
    """``S2025000000012-K3JQ7ZPA``: the document code and eight letters of its signature."""
    claim, signature = _split(token)
    letters = base64.b32encode(signature[:5]).decode()[:CHECK_LETTERS]
    return f"{claim.code}-{letters}"


def check_letters(signature_hex: str) -> str:
    return base64.b32encode(bytes.fromhex(signature_hex)[:5]).decode()[:CHECK_LETTERS]


class BadToken(ValueError):
    pass


def _split(token: str) -> tuple[Claim, bytes]:
    try:
        body, signature = token.strip().rsplit(".", 1)
        if not body.startswith(PREFIX):
            raise BadToken("not a quanyi document code")
        return _unpacked(_unb64(body[len(PREFIX) :])), _unb64(signature)
    except (ValueError, binascii.Error, UnicodeDecodeError) as bad:
        raise BadToken(str(bad)) from None


def verify(token: str, public: Ed25519PublicKey | None = None) -> tuple[Claim, bytes]:
    """The claim of a token whose signature the document key made; ``BadToken`` otherwise."""
    claim, signature = _split(token)
    body = token.strip().rsplit(".", 1)[0]
    try:
        (public or keys.public_key()).verify(signature, body.encode())
    except InvalidSignature:
        raise BadToken("the signature is not the agency's") from None
    return claim, signature
