"""Baselines: a previous results.json (or OSCAL assessment results), so that a CI gate blocks only
on problems that are new.

A finding is "unchanged" when a failing or not-evaluable finding with the same fingerprint
(rule, asset, evidence key: never line numbers) is in the baseline, "new" otherwise; baseline
findings that are gone are counted as resolved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from auditor.errors import InputError, InputIssue
from auditor.history.oscal_results import is_oscal, results_from_oscal
from auditor.inventory.source import display_path, read_document
from auditor.result import BaselineState, Finding, Status
from auditor.validation import validated


class _BaselineFinding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fingerprint: str
    status: Status


class _BaselineFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: str
    findings: list[_BaselineFinding]


def load_baseline(path: Path, root: Path | None = None) -> frozenset[str]:
    """Fingerprints of the baseline's failing and not-evaluable findings."""
    document = read_document(path, display_path(path, root))
    if is_oscal(document.data):
        findings = results_from_oscal(document)["findings"]
        return frozenset(f["fingerprint"] for f in findings if Status(f["status"]).needs_attention)
    parsed = validated(_BaselineFile, document)
    if not parsed.schema_version.startswith("1."):
        where = document.locate(("schema_version",))
        raise InputError(
            [InputIssue(where, "$.schema_version", f"unsupported results version {parsed.schema_version!r}")]
        )
    return frozenset(f.fingerprint for f in parsed.findings if f.status.needs_attention)


def compare(findings: list[Finding], baseline: frozenset[str]) -> dict[str, Any]:
    """Mark each non-passing finding new or unchanged; count what the baseline had that is gone."""
    seen: set[str] = set()
    counts = {"new": 0, "unchanged": 0}
    for finding in findings:
        if not finding.status.needs_attention:
            continue
        fingerprint = finding.fingerprint
        state: BaselineState = "unchanged" if fingerprint in baseline else "new"
        finding.baseline_state = state
        counts[state] += 1
        seen.add(fingerprint)
    return {**counts, "resolved": len(baseline - seen)}
