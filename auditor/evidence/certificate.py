"""Whether the signer's certificate could sign: valid at signing time, for signatures, from a trusted CA.

The signature check says the file is what the key signed; these checks say whether that key was
entitled to sign it: the certificate's validity period covers the signing time, its key usage
(when it has the extension) includes digitalSignature, and it chains to one of the trust anchors
given with `--ca` (path building and checking by cryptography's X.509 verifier). Without anchors
the chain is not judged: a warning says so and the integrity result stands, because which
authorities to trust is the relying party's decision, not the signer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.x509 import verification


@dataclass
class CertificateCheck:
    problems: list[str] = field(default_factory=list)  # each fails verification (exit 1)
    warnings: list[str] = field(default_factory=list)  # printed; verification stands


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def check_certificate(
    cert: x509.Certificate,
    signed_at: datetime,
    anchors: list[x509.Certificate] | None,
    intermediates: list[x509.Certificate] | None = None,
) -> CertificateCheck:
    subject = cert.subject.rfc4514_string()
    check = CertificateCheck()
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if not start <= signed_at <= end:
        check.problems.append(
            f"the certificate of {subject} was not valid when the file was signed ({_stamp(signed_at)}; "
            f"valid from {_stamp(start)} to {_stamp(end)})"
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not usage.digital_signature:
        check.problems.append(f"the certificate of {subject} is not for signatures (key usage lacks digitalSignature)")
    if anchors is None:
        check.warnings.append(
            f"the certificate of {subject} is not chained to a trusted authority "
            "(give --ca FILE to check it; the file's integrity is verified)"
        )
        return check
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store(anchors))
        .time(signed_at)
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=verification.ExtensionPolicy.permit_all(),
        )
        .build_client_verifier()
    )
    try:
        verifier.verify(cert, intermediates or [])
    except verification.VerificationError as exc:
        check.problems.append(f"the certificate of {subject} does not chain to a --ca authority: {exc}")
    return check
