"""Detached signatures over a report file: JWS with detached content (RFC 7515, appendix F).

The signature file holds `header..signature` (the payload left out); the header carries the
signer's X.509 certificate (`x5c`) and the signing time (`iat`, seconds since 1970, signed with the
rest: auditor/evidence/certificate.py checks the certificate at that time). Any changed byte of
the report fails verification. The key decides the algorithm: RSA -> RS256, EC P-256 -> ES256.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

SIGNATURE_SUFFIX = ".jws"
_ES256_HALF = 32


class SignatureError(Exception):
    """A signature that cannot be made or does not verify; the message names the file and why."""


@dataclass(frozen=True)
class Verified:
    signer: str  # the certificate's subject
    algorithm: str
    certificate: x509.Certificate
    signed_at: datetime | None  # as the signature states it; None when it does not


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature_path(path: Path) -> Path:
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def load_signer(
    key_pem: bytes, key_path: Path, cert_pem: bytes, cert_path: Path
) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A PEM private key and the PEM certificate of its public key (the paths name them in errors)."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureError(f"{key_path}: not an unencrypted PEM private key: {exc}") from None
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise SignatureError(f"{cert_path}: not a PEM X.509 certificate: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SignatureError(f"{key_path}: an RSA or EC P-256 key is needed")
    if key.public_key().public_bytes(*_SPKI) != cert.public_key().public_bytes(*_SPKI):
        raise SignatureError(f"{cert_path}: the certificate is not the one of the key {key_path}")
    return key, cert


_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _algorithm(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if not isinstance(key.curve, ec.SECP256R1):
        raise SignatureError(f"EC keys must be on P-256 (got {key.curve.name})")
    return "ES256"


def sign(
    payload: bytes, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: x509.Certificate, signed_at: datetime
) -> str:
    """The detached JWS (`header..signature`) of `payload`, signed at `signed_at`."""
    algorithm = _algorithm(key)
    header = {
        "alg": algorithm,
        "iat": int(signed_at.timestamp()),
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }
    protected = _b64(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    signing_input = f"{protected}.{_b64(payload)}".encode("ascii")
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        raw = r.to_bytes(_ES256_HALF, "big") + s.to_bytes(_ES256_HALF, "big")
    return f"{protected}..{_b64(raw)}\n"


def verify(payload: bytes, jws: str, where: str, trusted: x509.Certificate | None = None) -> Verified:
    """Check the detached JWS `jws` over `payload`; `trusted`: the certificate the signer must have."""
    parts = jws.strip().split(".")
    if len(parts) != 3 or parts[1]:
        raise SignatureError(f"{where}: not a detached JWS (header..signature)")
    try:
        header = json.loads(_unb64(parts[0]))
        algorithm = header["alg"]
        cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        raw = _unb64(parts[2])
        signed_at = datetime.fromtimestamp(int(header["iat"]), UTC) if "iat" in header else None
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, OSError) as exc:
        raise SignatureError(f"{where}: unreadable signature header: {exc}") from None
    if trusted is not None and cert != trusted:
        raise SignatureError(f"{where}: signed by {cert.subject.rfc4514_string()}, not by the given certificate")
    signing_input = f"{parts[0]}.{_b64(payload)}".encode("ascii")
    public = cert.public_key()
    try:
        if algorithm == "RS256" and isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == "ES256" and isinstance(public, ec.EllipticCurvePublicKey) and len(raw) == 2 * _ES256_HALF:
            der = encode_dss_signature(
                int.from_bytes(raw[:_ES256_HALF], "big"), int.from_bytes(raw[_ES256_HALF:], "big")
            )
            public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureError(f"{where}: algorithm {algorithm!r} does not fit the certificate's key")
    except InvalidSignature:
        raise SignatureError(f"{where}: the signature does not match the file: it changed after signing") from None
    return Verified(cert.subject.rfc4514_string(), algorithm, cert, signed_at)
