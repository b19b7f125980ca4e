"""`auditor sign` and `auditor verify`: signatures over reports, checked with their inputs.

A PDF gets an embedded PAdES signature (signed in place); any other file a detached JWS (FILE.jws).

Only argument parsing, printing and exit codes; auditor/evidence/ does the work.
Exit status: 0 signed or verified; 1 the signature or an input does not match, or the signer's
certificate was not valid at signing time, is not for signatures or does not chain to a `--ca`
authority (named on stderr); 2 a missing or unreadable file, key or certificate. Without `--ca`
the chain is not judged: a warning line says so and the integrity result stands (exit 0).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

EXIT_MISMATCH, EXIT_INPUT = 1, 2

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The report: results.json, a PDF, any file.")]
SignatureOpt = Annotated[
    Path | None, typer.Option("--signature", metavar="SIG", help="The signature file [default: FILE.jws].")
]


def _fail(message: str, code: int) -> typer.Exit:
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(code)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"{path}: cannot read: {exc.strerror or exc}", EXIT_INPUT) from None


def sign(
    file: FileArg,
    key: Annotated[Path, typer.Option("--key", metavar="KEY", help="PEM private key (RSA or EC P-256).")],
    cert: Annotated[Path, typer.Option("--cert", metavar="CERT", help="PEM X.509 certificate of the key.")],
    signature: SignatureOpt = None,
) -> None:
    """Sign a report: a PDF in place (PAdES), any other file with a detached JWS (RFC 7515) beside it."""
    from auditor.evidence.pades import is_pdf, sign_pdf
    from auditor.evidence.signature import SignatureError, load_signer, signature_path
    from auditor.evidence.signature import sign as make

    payload = _read(file)
    try:
        private, certificate = load_signer(_read(key), key, _read(cert), cert)
        if is_pdf(payload) and signature is None:
            _replace(file, sign_pdf(payload, key, cert))
            typer.echo(f"signed {file}: embedded PAdES signature ({certificate.subject.rfc4514_string()})")
            return
        jws = make(payload, private, certificate, datetime.now(UTC))
    except SignatureError as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    target = signature or signature_path(file)
    target.write_text(jws, encoding="ascii")
    typer.echo(f"signed {file}: {target} ({certificate.subject.rfc4514_string()})")


def _replace(path: Path, data: bytes) -> None:
    """Write `data` over `path` in one step: a reader sees the old file or the new one, never half of one."""
    partial = path.with_name(path.name + ".signing")
    partial.write_bytes(data)
    partial.replace(path)


def verify(
    file: FileArg,
    signature: SignatureOpt = None,
    cert: Annotated[
        Path | None,
        typer.Option("--cert", metavar="CERT", help="PEM certificate the signer must have [default: any]."),
    ] = None,
    ca: Annotated[
        Path | None,
        typer.Option(
            "--ca", metavar="FILE", help="PEM trust anchors the signer's certificate must chain to [default: none]."
        ),
    ] = None,
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--inputs", metavar="PATH", help="An input file to check against the results' manifest; repeatable."
        ),
    ] = None,
) -> None:
    """Check a report's signature and, given the inputs, their SHA-256 against the results' manifest."""
    from cryptography import x509

    from auditor.evidence.certificate import check_certificate
    from auditor.evidence.manifest import manifest_problems
    from auditor.evidence.pades import is_pdf, verify_pdf
    from auditor.evidence.signature import SignatureError, Verified, signature_path
    from auditor.evidence.signature import verify as check

    source = signature or signature_path(file)
    payload = _read(file)
    trusted = None
    if cert is not None:
        try:
            trusted = x509.load_pem_x509_certificate(_read(cert))
        except ValueError as exc:
            raise _fail(f"{cert}: not a PEM X.509 certificate: {exc}", EXIT_INPUT) from None
    anchors = None
    if ca is not None:
        try:
            anchors = x509.load_pem_x509_certificates(_read(ca))
        except ValueError as exc:
            raise _fail(f"{ca}: not PEM X.509 certificates: {exc}", EXIT_INPUT) from None
    try:
        verified: Verified
        if is_pdf(payload) and signature is None and not source.exists():
            verified = verify_pdf(payload, str(file), cert)
        else:
            verified = check(payload, _read(source).decode("ascii", "replace"), f"{file} ({source})", trusted)
    except SignatureError as exc:
        raise _fail(str(exc), EXIT_MISMATCH) from None
    signed_at = verified.signed_at
    if signed_at is None:
        sys.stderr.write(f"warning: {file}: the signature states no signing time; the certificate is checked now\n")
        signed_at = datetime.now(UTC)
    certificate = check_certificate(verified.certificate, signed_at, anchors)
    for warning in certificate.warnings:
        sys.stderr.write(f"warning: {file}: {warning}\n")
    if certificate.problems:
        for problem in certificate.problems:
            sys.stderr.write(f"error: {file}: {problem}\n")
        raise typer.Exit(EXIT_MISMATCH)
    typer.echo(f"verified {file}: signed by {verified.signer} ({verified.algorithm})")
    if not inputs:
        return
    for path in inputs:
        _read(path)
    try:
        results = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise _fail(f"{file}: --inputs needs a results.json; this is not JSON", EXIT_INPUT) from None
    problems = manifest_problems(results, inputs)
    if problems:
        for problem in problems:
            sys.stderr.write(f"error: {problem}\n")
        raise typer.Exit(EXIT_MISMATCH)
    typer.echo(f"inputs: {len(inputs)} file(s) match the manifest")
