"""A downloaded statement or certificate signed as PDF (PAdES, pyHanko) with the agency's
ECDSA P-256 document certificate, so an ordinary PDF reader shows who signed it and whether a
byte changed since."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from quanyi.statements import keys

FIELD = "QuanyiDocumentSignature"


def sign(pdf: bytes) -> bytes:
    key_file, cert_file = keys.pades_files()
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file), key_passphrase=None)
    assert signer is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="社会保险经办机构出具 / issued by the social insurance agency",
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclass(frozen=True)
class PdfSignature:
    present: bool
    intact: bool = False
    ours: bool = False
    whole_file: bool = False


def pades_fields(reader: Any) -> list[Any]:
    """The signature fields of a file pypdf opened (none for a mailed batch file)."""
    root = reader.trailer["/Root"]
    form = root.get("/AcroForm")
    if form is None:
        return []
    return [
        f.get_object()
        for f in form.get_object().get("/Fields", [])
        if f.get_object().get("/FT") == "/Sig"
    ]


def check(pdf: bytes) -> PdfSignature:
    """Whether the file carries a PDF signature, untouched since signing, over the whole file,
    by the agency's document certificate."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return PdfSignature(present=False)
    signature = signatures[-1]
    ours = asn1_x509.Certificate.load(_der(keys.pades_certificate_pem()))
    context = ValidationContext(trust_roots=[ours], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    signer = signature.signer_cert
    by_us = signer is not None and signer.dump() == ours.dump()
    return PdfSignature(
        present=True,
        intact=bool(status.intact and status.valid)
        and (not by_us or _as_signed(pdf, signature, ours)),
        ours=by_us,
        whole_file=whole and len(signatures) == 1,
    )


def _as_signed(pdf: bytes, signature: Any, ours: asn1_x509.Certificate) -> bool:
    """The bytes the signed ranges leave out are the signature as this module writes it, in
    hex, then zeros: the signature check reads past much there (the padding, a hex digit's
    case, the unsigned fields of the CMS), so a byte changed in them is refused here."""
    _, end, start, _ = (int(n) for n in signature.byte_range)
    info = cms.ContentInfo.load(signature.pkcs7_content)
    (signer,) = info["content"]["signer_infos"]
    sha256 = {"algorithm": "sha256", "parameters": None}
    ours_id = cms.IssuerAndSerialNumber(
        {"issuer": ours.issuer, "serial_number": ours.serial_number}
    )
    if (
        signer["version"].native != "v1"
        or signer["sid"].chosen.dump() != ours_id.dump()
        or signer["digest_algorithm"].native != sha256
        or signer["signature_algorithm"].native != {"algorithm": "sha256_ecdsa", "parameters": None}
        or signer["unsigned_attrs"].native is not None
    ):
        return False
    written = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": cms.SignedData(
                {
                    "version": "v1",
                    "digest_algorithms": [{"algorithm": "sha256", "parameters": core.Null()}],
                    "encap_content_info": {"content_type": "data"},
                    "certificates": [ours],
                    "signer_infos": [signer],
                }
            ),
        }
    )
    hexed = written.dump().hex().upper().encode().ljust(start - end - 2, b"0")
    return pdf[end:start] == b"<" + hexed + b">"


def _der(pem: str) -> bytes:
    return crypto_x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
