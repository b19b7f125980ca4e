"""Management responses: per finding fingerprint an owner, a due date, a response and a status.

The file is the auditee's answer to a previous report; the audit merges it into the findings
with the same fingerprint. A fingerprint given twice is an input error (which answer counts?).
A fingerprint that matches no finding of this audit is not an error: a remediated finding is gone
from the results while its response stays on file. It is a notice in every report instead, so
that a mistyped fingerprint cannot pass unseen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.dates import IsoDate
from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import display_path, read_document
from auditor.result import Finding, Response, Status
from auditor.validation import validated


class _ResponseEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="The finding's fingerprint.")]
    owner: str = Field(min_length=1, description="Who is accountable for the remediation.")
    due: IsoDate = Field(description="When the remediation is due.")
    response: str = Field(min_length=1, description="Management's response to the finding.")
    status: Literal["open", "in_progress", "remediated", "risk_accepted"]


class _ResponseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    responses: list[_ResponseEntry]


def load_responses(path: Path, root: Path | None = None) -> list[Response]:
    """The responses of `path`; a fingerprint answered twice is an input error at its second entry."""
    document = read_document(path, display_path(path, root))
    parsed = validated(_ResponseFile, document)
    first: dict[str, int] = {}
    issues = []
    responses = []
    for index, entry in enumerate(parsed.responses):
        location = document.locate(("responses", index))
        if entry.fingerprint in first:
            earlier = document.locate(("responses", first[entry.fingerprint]))
            at = ("responses", index, "fingerprint")
            message = f"fingerprint {entry.fingerprint} already has a response (at {earlier}); keep one"
            issues.append(InputIssue(document.locate(at), json_path(at), message))
            continue
        first[entry.fingerprint] = index
        responses.append(
            Response(entry.fingerprint, entry.owner, entry.due.isoformat(), entry.response, entry.status, location)
        )
    if issues:
        raise InputError(issues)
    return responses


def apply_responses(findings: list[Finding], responses: list[Response]) -> list[str]:
    """Attach each response to the non-passing finding with its fingerprint; notices for those matching none."""
    if not responses:  # fingerprints are hashed when a report asks for them, not for nothing here
        return []
    by_fingerprint = {response.fingerprint: response for response in responses}
    matched: set[str] = set()
    for finding in findings:
        if finding.status is Status.PASS:
            continue
        response = by_fingerprint.get(finding.fingerprint)
        if response is not None:
            finding.response = response
            matched.add(response.fingerprint)
    return [
        f"response at {response.location} (fingerprint {response.fingerprint}, owner {response.owner}) matches no "
        "finding of this audit: the finding is resolved, or the fingerprint is mistyped"
        for response in responses
        if response.fingerprint not in matched
    ]
