"""`auditor verify` judges the signer's certificate: valid at signing time, for signatures, chained to --ca."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pypdf import PdfWriter
from typer.testing import CliRunner

from auditor.evidence.signature import sign
from tests.conftest import invoke

SIGNED_AT = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)
Key = ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(*, signs: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signs, content_commitment=False, key_encipherment=not signs, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _certificate(
    subject: str, key: Key, issuer: str, issuer_key: Key, *, ca: bool = False, signs: bool = True,
    valid: tuple[str, str] = ("2026-01-01", "2027-12-31"),
) -> x509.Certificate:  # fmt: skip
    start, end = (datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC) for day in valid)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(signs=signs or ca, ca=ca), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture
def pki(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A throwaway CA, a second CA, and leaves: good, expired, one not for signatures; a report signed by each."""
    monkeypatch.chdir(tmp_path)
    ca_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    files = {
        "ca": _pem(tmp_path / "ca.pem", _certificate("Test CA", ca_key, "Test CA", ca_key, ca=True)),
        "other-ca": _pem(tmp_path / "other.pem", _certificate("Other CA", other_key, "Other CA", other_key, ca=True)),
    }
    leaves = {
        "good": {},
        "expired": {"valid": ("2025-01-01", "2025-12-31")},
        "no-signing": {"signs": False},
    }
    report = b'{"schema_version": "1.0"}\n'
    for name, options in leaves.items():
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(f"Auditor {name}", key, "Test CA", ca_key, **options)  # type: ignore[arg-type]
        files[name] = tmp_path / f"{name}.json"
        files[name].write_bytes(report)
        (tmp_path / f"{name}.json.jws").write_text(sign(report, key, cert, SIGNED_AT))
        files[f"{name}-key"] = tmp_path / f"{name}.key"
        files[f"{name}-key"].write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        files[f"{name}-cert"] = _pem(tmp_path / f"{name}.crt", cert)
    return {role: Path(path.name) for role, path in files.items()}  # as a user in that folder names them


def test_a_leaf_of_the_given_ca_verifies_without_warning(pki: dict[str, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "verify", pki["good"], "--ca", pki["ca"])
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        0, "verified good.json: signed by CN=Auditor good (ES256)\n", ""
    )  # fmt: skip


def test_without_ca_the_chain_is_a_warning_and_integrity_stands(pki: dict[str, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "verify", pki["good"])
    assert (outcome.exit_code, outcome.stdout) == (0, "verified good.json: signed by CN=Auditor good (ES256)\n")
    assert outcome.stderr == (
        "warning: good.json: the certificate of CN=Auditor good is not chained to a trusted authority "
        "(give --ca FILE to check it; the file's integrity is verified)\n"
    )


def test_another_ca_is_refused(pki: dict[str, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "verify", pki["good"], "--ca", pki["other-ca"])
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "error: good.json: the certificate of CN=Auditor good does not chain to a --ca authority: "
        "validation failed: candidates exhausted: all candidates exhausted with no interior errors\n"
    )


def test_a_certificate_expired_at_signing_time_is_refused(pki: dict[str, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "verify", pki["expired"], "--ca", pki["ca"])
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines()[0] == (
        "error: expired.json: the certificate of CN=Auditor expired was not valid when the file was signed "
        "(2026-11-01 12:00:00 UTC; valid from 2025-01-01 00:00:00 UTC to 2025-12-31 00:00:00 UTC)"
    )


def test_a_certificate_not_for_signatures_is_refused(pki: dict[str, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "verify", pki["no-signing"], "--ca", pki["ca"])
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines()[0] == (
        "error: no-signing.json: the certificate of CN=Auditor no-signing is not for signatures "
        "(key usage lacks digitalSignature)"
    )


def test_a_pades_signature_is_checked_against_the_ca_too(pki: dict[str, Path], cli: CliRunner) -> None:
    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    pdf = Path("report.pdf")
    pdf.write_bytes(buffer.getvalue())
    assert invoke(cli, "sign", pdf, "--key", pki["good-key"], "--cert", pki["good-cert"]).exit_code == 0
    trusted = invoke(cli, "verify", pdf, "--ca", pki["ca"])
    assert (trusted.exit_code, trusted.stdout, trusted.stderr) == (
        0, "verified report.pdf: signed by CN=Auditor good (PAdES, sha256)\n", ""
    )  # fmt: skip
    refused = invoke(cli, "verify", pdf, "--ca", pki["other-ca"])
    assert refused.exit_code == 1
    assert "error: report.pdf: the certificate of CN=Auditor good does not chain to a --ca authority: " in (
        refused.stderr
    )
