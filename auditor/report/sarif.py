"""SARIF 2.1.0: results point at the inventory file and line of each asset.

FAIL results are `kind: fail` at a level from the rule's severity; NOT_EVALUABLE results are
`kind: review` (level none, as SARIF requires for non-failures); waived results carry an
accepted external suppression with the waiver's justification.
"""

from __future__ import annotations

from typing import Any

from auditor.report import jsonfmt
from auditor.result import AuditResult, Finding, RuleInfo, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.critical: "error",
    Severity.high: "error",
    Severity.medium: "warning",
    Severity.low: "note",
    Severity.info: "note",
}
# GitHub code scanning reads this 0-10 score to rank security results.
SECURITY_SEVERITY = {
    Severity.critical: "9.5",
    Severity.high: "8.0",
    Severity.medium: "5.5",
    Severity.low: "3.0",
    Severity.info: "1.0",
}


def _references_text(rule: RuleInfo) -> str:
    return "; ".join(f"{framework}: {', '.join(items)}" for framework, items in sorted(rule.references.items()))


def _rule(rule: RuleInfo) -> dict[str, Any]:
    refs = _references_text(rule)
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {
            "text": f"{rule.remediation}\n\nWhy: {rule.rationale}\n\nReferences: {refs}",
            "markdown": (f"**Remediation.** {rule.remediation}\n\n**Why.** {rule.rationale}\n\n**References.** {refs}"),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": sorted({rule.pack, *rule.references}),
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity,
            "references": rule.references,
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    failed = finding.status is Status.FAIL
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failed else "notApplicable" if finding.status is Status.NOT_APPLICABLE else "review",
        "level": LEVELS[finding.severity] if failed else "none",
        "message": {"text": f"{finding.asset_id}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.location.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.location.line, "startColumn": finding.location.column},
                },
                "logicalLocations": [
                    {
                        "name": finding.asset_id,
                        "kind": "resource",
                        "fullyQualifiedName": f"{finding.asset_kind}/{finding.asset_id}",
                    }
                ],
            }
        ],
        "partialFingerprints": {"auditorFingerprint/v1": finding.fingerprint},
        "properties": {
            "status": finding.status.value,
            "severity": finding.severity,
            "evidence": finding.evidence,
            "graphPath": finding.graph_path,
            "missing": finding.missing,
        },
    }
    if finding.baseline_state is not None:
        result["baselineState"] = finding.baseline_state
    if finding.waived_by is not None:
        waiver = finding.waived_by
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (f"{waiver.justification} (approved by {waiver.approver}, expires {waiver.expires})"),
            }
        ]
    return result


def render(result: AuditResult) -> bytes:
    index = {rule.id: i for i, rule in enumerate(result.rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": result.tool_version,
                        "rules": [_rule(rule) for rule in result.rules],
                    }
                },
                "artifacts": [
                    {
                        "location": {"uri": item["path"], "uriBaseId": "%SRCROOT%"},
                        "hashes": {"sha-256": item["sha256"]},
                        "length": item["bytes"],
                    }
                    for item in result.inputs
                ],
                "results": [_result(f, index[f.rule_id]) for f in result.findings if f.status is not Status.PASS],
                "properties": {"asOf": result.as_of},
            }
        ],
    }
    return (jsonfmt.dumps(log, levels=4) + "\n").encode("utf-8")
