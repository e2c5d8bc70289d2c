"""The agency's document keys, apart from the audit key: an Ed25519 key that signs each
statement's and certificate's code (its public half published at ``/verify`` and in the docs),
and an ECDSA P-256 key with a self-issued certificate that signs a downloaded PDF (PAdES), so
an ordinary PDF reader shows the signature. ``quanyi init`` creates them if absent."""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID
from django.conf import settings

from quanyi.core import filemodes

SIGNING = "document-ed25519.pem"
PUBLIC = "document-ed25519.pub"
PADES_KEY = "document-pades-key.pem"
PADES_CERT = "document-pades-cert.pem"


def key_dir() -> Path:
    return Path(settings.QUANYI_DATA_DIR) / "keys"


def _write(path: Path, data: bytes, mode: int) -> None:
    filemodes.private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _pem_private(key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def ensure_keys(_principal: object = None) -> None:
    """Create whichever document key is missing (``Plugin.init``)."""
    folder = key_dir()
    if not (folder / SIGNING).exists():
        _write(folder / SIGNING, _pem_private(Ed25519PrivateKey.generate()), 0o600)
    if not (folder / PUBLIC).exists():
        public = _signing_key().public_key()
        _write(
            folder / PUBLIC,
            public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            0o644,
        )
    if not (folder / PADES_KEY).exists():
        key = ec.generate_private_key(ec.SECP256R1())
        _write(folder / PADES_KEY, _pem_private(key), 0o600)
        (folder / PADES_CERT).unlink(missing_ok=True)
    if not (folder / PADES_CERT).exists():
        _write(folder / PADES_CERT, _certificate(_pades_key()), 0o644)


def _certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    region = str(settings.QUANYI_REGION)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"社会保险经办机构 {region}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"quanyi document signing {region}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


@functools.lru_cache(maxsize=4)
def _loaded(path: Path, changed: float) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _signing_key() -> Ed25519PrivateKey:
    path = key_dir() / SIGNING
    return _loaded(path, path.stat().st_mtime)


def signing_key() -> Ed25519PrivateKey:
    """Loaded once per key file (a batch signs thousands of codes)."""
    if not (key_dir() / SIGNING).exists():
        ensure_keys()
    return _signing_key()


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def fingerprint() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _pades_key() -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key((key_dir() / PADES_KEY).read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def pades_files() -> tuple[Path, Path]:
    """(private key, certificate) PEM files for pyHanko."""
    if not (key_dir() / PADES_CERT).exists():
        ensure_keys()
    return key_dir() / PADES_KEY, key_dir() / PADES_CERT


def pades_certificate_pem() -> str:
    return pades_files()[1].read_text()
