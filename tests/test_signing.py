"""Signed evidence: a throwaway key and certificate sign the results and the PDF; one changed byte fails."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pypdf import PdfWriter
from typer.testing import CliRunner

from tests.conftest import invoke, write

INVENTORY = "storage:\n  - {id: s, public_access: true}\n"


UNCHAINED = (
    "the certificate of %s is not chained to a trusted authority (give --ca FILE to check it; the file's integrity "
    "is verified)"
)


def throwaway(folder: Path, name: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    """A private key and a self-signed certificate for it, as PEM files."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)  # valid when the tests sign
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def audited(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", INVENTORY)
    outcome = invoke(cli, "audit", "inv.yaml", "--as-of", "2026-11-01", "--root", ".", "--format", "json", "-q")
    assert outcome.exit_code == 1, outcome.stderr
    return tmp_path


def flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("key", "algorithm"),
    [
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
    ],
    ids=["rsa", "ec"],
)
def test_signed_results_verify_and_a_changed_byte_fails(
    cli: CliRunner, audited: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, algorithm: str
) -> None:
    key_path, cert_path = throwaway(audited, "Auditor Test", key)
    results = Path("reports/results.json")
    signed = invoke(cli, "sign", results, "--key", key_path, "--cert", cert_path)
    assert (signed.exit_code, signed.stdout) == (0, f"signed {results}: {results}.jws (CN=Auditor Test)\n")
    verified = invoke(cli, "verify", results, "--cert", cert_path, "--inputs", "inv.yaml")
    assert (verified.exit_code, verified.stdout) == (
        0,
        f"verified {results}: signed by CN=Auditor Test ({algorithm})\ninputs: 1 file(s) match the manifest\n",
    )
    flip_one_byte(results, 40)
    tampered = invoke(cli, "verify", results)
    assert (tampered.exit_code, tampered.stderr) == (
        1,
        f"error: {results} ({results}.jws): the signature does not match the file: it changed after signing\n",
    )


def test_a_changed_input_fails_with_both_digests(cli: CliRunner, audited: Path) -> None:
    key_path, cert_path = throwaway(audited, "Auditor Test", ec.generate_private_key(ec.SECP256R1()))
    results = Path("reports/results.json")
    assert invoke(cli, "sign", results, "--key", key_path, "--cert", cert_path).exit_code == 0
    before = hashlib.sha256(Path("inv.yaml").read_bytes()).hexdigest()
    flip_one_byte(Path("inv.yaml"), 3)
    after = hashlib.sha256(Path("inv.yaml").read_bytes()).hexdigest()
    write(audited, "other.yaml", "x: 1\n")
    outcome = invoke(cli, "verify", results, "--inputs", "inv.yaml", "--inputs", "other.yaml")
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        f"warning: {results}: {UNCHAINED % 'CN=Auditor Test'}\n"
        f"error: inv.yaml: SHA-256 {after} differs from the manifest's {before}: the input changed\n"
        "error: other.yaml: not in the results' input manifest (it lists: inv.yaml)\n"
    )


def test_another_signer_or_a_mismatched_certificate_is_refused(cli: CliRunner, audited: Path) -> None:
    key_path, cert_path = throwaway(audited, "Auditor Test", ec.generate_private_key(ec.SECP256R1()))
    other_key, other_cert = throwaway(audited, "Someone Else", ec.generate_private_key(ec.SECP256R1()))
    results = Path("reports/results.json")
    mismatched = invoke(cli, "sign", results, "--key", key_path, "--cert", other_cert)
    assert (mismatched.exit_code, mismatched.stderr) == (
        2,
        f"error: {other_cert}: the certificate is not the one of the key {key_path}\n",
    )
    assert invoke(cli, "sign", results, "--key", other_key, "--cert", other_cert).exit_code == 0
    pinned = invoke(cli, "verify", results, "--cert", cert_path)
    assert (pinned.exit_code, pinned.stderr) == (
        1,
        f"error: {results} ({results}.jws): signed by CN=Someone Else, not by the given certificate\n",
    )
    missing = invoke(cli, "verify", Path("reports/none.json"))
    assert (missing.exit_code, missing.stderr) == (
        2,
        "error: reports/none.json: cannot read: No such file or directory\n",
    )


@pytest.fixture
def pdf(audited: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = Path("report.pdf")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_a_pdf_gets_an_embedded_pades_signature_that_one_changed_byte_breaks(
    cli: CliRunner, audited: Path, pdf: Path
) -> None:
    key_path, cert_path = throwaway(audited, "Auditor Test", ec.generate_private_key(ec.SECP256R1()))
    signed = invoke(cli, "sign", pdf, "--key", key_path, "--cert", cert_path)
    assert (signed.exit_code, signed.stdout) == (0, "signed report.pdf: embedded PAdES signature (CN=Auditor Test)\n")
    assert not Path("report.pdf.jws").exists()
    assert b"/ETSI.CAdES.detached" in pdf.read_bytes()
    verified = invoke(cli, "verify", pdf, "--cert", cert_path)
    assert (verified.exit_code, verified.stdout) == (
        0,
        "verified report.pdf: signed by CN=Auditor Test (PAdES, sha256)\n",
    )
    original = pdf.read_bytes()
    flip_one_byte(pdf, 200)
    tampered = invoke(cli, "verify", pdf)
    assert (tampered.exit_code, tampered.stderr) == (
        1,
        "error: report.pdf: the PDF signature does not match the file: it changed after signing\n",
    )
    pdf.write_bytes(original + b"%appended\n")
    appended = invoke(cli, "verify", pdf)
    assert (appended.exit_code, appended.stderr) == (
        1,
        "error: report.pdf: the PDF signature does not cover the whole file: bytes were added after signing\n",
    )


def test_an_unsigned_pdf_or_another_signer_is_refused(cli: CliRunner, audited: Path, pdf: Path) -> None:
    unsigned = invoke(cli, "verify", pdf)
    assert (unsigned.exit_code, unsigned.stderr) == (
        1,
        "error: report.pdf: the PDF has no signature (sign it with 'auditor sign')\n",
    )
    key_path, cert_path = throwaway(audited, "Someone Else", ec.generate_private_key(ec.SECP256R1()))
    _, expected = throwaway(audited, "Auditor Test", ec.generate_private_key(ec.SECP256R1()))
    assert invoke(cli, "sign", pdf, "--key", key_path, "--cert", cert_path).exit_code == 0
    pinned = invoke(cli, "verify", pdf, "--cert", expected)
    assert (pinned.exit_code, pinned.stderr) == (
        1,
        "error: report.pdf: signed by CN=Someone Else, not by the given certificate\n",
    )
