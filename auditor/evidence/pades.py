"""PAdES signatures embedded in a PDF report (pyHanko): readers show them as the document's signature.

The signature covers the whole file as signed; a changed byte breaks it, and anything appended
afterwards leaves it covering less than the file, which verification refuses too.
"""

from __future__ import annotations

import io
from pathlib import Path

from cryptography import x509

from auditor.evidence.signature import SignatureError, Verified

PDF_MAGIC = b"%PDF-"
FIELD_NAME = "AuditorSignature"


def is_pdf(payload: bytes) -> bool:
    return payload.startswith(PDF_MAGIC)


def sign_pdf(payload: bytes, key: Path, cert: Path) -> bytes:
    """The PDF with a PAdES baseline signature by `key` (its certificate `cert`) added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(str(key), str(cert))
    if signer is None:
        raise SignatureError(f"{key}: pyHanko could not load the key and certificate {cert}")
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES)
    signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(payload)), meta, signer=signer)
    return bytes(signed.getvalue())


def verify_pdf(payload: bytes, where: str, trusted: Path | None) -> Verified:
    """Check the PDF's last signature: intact, valid, covering the whole file; trusted: its signer is `trusted`."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(payload), strict=False).embedded_signatures
    except Exception as exc:  # pyHanko raises several kinds on a damaged PDF
        raise SignatureError(f"{where}: not a readable PDF: {exc}") from None
    if not signatures:
        raise SignatureError(f"{where}: the PDF has no signature (sign it with 'auditor sign')")
    embedded = signatures[-1]
    signer = embedded.signer_cert
    subject = x509.load_der_x509_certificate(signer.dump()).subject.rfc4514_string()
    roots = [load_cert_from_pemder(str(trusted))] if trusted is not None else [signer]
    if trusted is not None and roots[0].dump() != signer.dump():
        raise SignatureError(f"{where}: signed by {subject}, not by the given certificate")
    try:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=roots))
    except SignatureValidationError as exc:
        raise SignatureError(f"{where}: the PDF signature cannot be validated: {exc}") from None
    if not (status.intact and status.valid):
        raise SignatureError(f"{where}: the PDF signature does not match the file: it changed after signing")
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        raise SignatureError(
            f"{where}: the PDF signature does not cover the whole file: bytes were added after signing"
        )
    signed_at = status.signer_reported_dt
    return Verified(subject, f"PAdES, {status.md_algorithm}", x509.load_der_x509_certificate(signer.dump()), signed_at)
