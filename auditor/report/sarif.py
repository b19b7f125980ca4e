"""SARIF 2.1.0 for code scanning: results point at the inventory file and line of each asset.

FAIL results are `kind: fail` at a level from the rule's severity; NOT_APPLICABLE results are
`kind: notApplicable`; NOT_EVALUABLE results (`kind: review`) only with
`--sarif-include-undecided`; waived results carry an accepted external suppression with the
waiver's justification. Non-failures have level none, as SARIF requires.

Regions span the asset's extent, endColumn one past its last character (YAML: to the end of its
last value; JSON: to its closing brace, included); columns count code points (`columnKind`).
With a documentation URL (`--docs-url`), each rule's `helpUri` links to its section of
docs/rules.md; without one there is no link rather than a broken one.
The run properties hold the waiver register (every waiver, its state and the findings it covers). URIs are relative
to the source root (`--root`, `%SRCROOT%` in `originalUriBaseIds`), as GitHub needs to match
them to repository files. `primaryLocationLineHash`, the fingerprint GitHub tracks
alerts by, is derived from our fingerprint (rule, asset, evidence key), so an alert survives
edits that move the asset's lines. Only rules of the security pack carry `security-severity`
(GitHub would rank every privacy or sizing gap as a security alert). At most
`sarif_max_results` results are written (GitHub shows 5,000 per run), worst first; the run
properties and a tool notification give the number left out.
"""

from __future__ import annotations

import functools
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from auditor.report import DEFAULT_OPTIONS, ReportOptions, jsonfmt
from auditor.report.text import rule_anchor
from auditor.result import AuditResult, Finding, RuleInfo, Severity, Status, WaiverState, result_order

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LAID_OUT = 4  # laid out down to one line per rule, artifact and result
LEVELS = {
    Severity.critical: "error",
    Severity.high: "error",
    Severity.medium: "warning",
    Severity.low: "note",
    Severity.info: "note",
}
# Where each status's results come among those written (None: never written); waived ones one later.
_UNDECIDED = 3
_ORDER = {Status.FAIL: 0, Status.NOT_APPLICABLE: 2, Status.NOT_EVALUABLE: _UNDECIDED, Status.PASS: None}
_RANKS = {severity: severity.rank for severity in Severity}
# Code-scanning tags by pack: what kind of problem a rule finds.
TAGS = {"security": "security", "gdpr": "privacy", "ccpa": "privacy", "ai-infra": "ai-infrastructure"}
SECURITY_PACK = "security"
# GitHub code scanning reads this 0-10 score to rank security results (security rules only).
SECURITY_SEVERITY = {
    Severity.critical: "9.5",
    Severity.high: "8.0",
    Severity.medium: "5.5",
    Severity.low: "3.0",
    Severity.info: "1.0",
}


def _references_text(rule: RuleInfo) -> str:
    return "; ".join(f"{framework}: {', '.join(items)}" for framework, items in sorted(rule.references.items()))


def _rule(rule: RuleInfo, docs_url: str | None) -> dict[str, Any]:
    refs = _references_text(rule)
    linked = {} if docs_url is None else {"helpUri": f"{docs_url}#{rule_anchor(rule.id, rule.title)}"}
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {
            "text": f"{rule.remediation}\n\nWhy: {rule.rationale}\n\nReferences: {refs}",
            "markdown": (f"**Remediation.** {rule.remediation}\n\n**Why.** {rule.rationale}\n\n**References.** {refs}"),
        },
        **linked,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": sorted({rule.pack, TAGS.get(rule.pack, "compliance"), *rule.references}),
            **({"security-severity": SECURITY_SEVERITY[rule.severity]} if rule.pack == SECURITY_PACK else {}),
            "severity": rule.severity,
            "references": rule.references,
        },
    }


def _region(finding: Finding) -> dict[str, int]:
    """Where the asset starts and, as far as the inventory reader knows it, where it ends."""
    location = finding.location
    region = {"startLine": location.line, "startColumn": location.column}
    if location.end_line is not None:
        region["endLine"] = location.end_line
        if location.end_column is not None:
            region["endColumn"] = location.end_column
    return region


@functools.lru_cache(maxsize=1024)  # a handful of inventory files, hundreds of thousands of results
def _artifact(path: str) -> dict[str, str]:
    """Relative to %SRCROOT% when inside the source root; a file URI otherwise (shared: never mutated)."""
    if PurePosixPath(path).is_absolute():
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": path, "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    failed = finding.status is Status.FAIL
    fingerprint = finding.fingerprint  # hashed once per result
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failed else "notApplicable" if finding.status is Status.NOT_APPLICABLE else "review",
        "level": LEVELS[finding.severity] if failed else "none",
        "message": {"text": f"{finding.asset_id}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.location.file),
                    "region": _region(finding),
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
        "partialFingerprints": {
            "primaryLocationLineHash": f"{fingerprint[:16]}:1",
            "auditorFingerprint/v1": fingerprint,
        },
        "properties": {
            "status": finding.status.value,
            "severity": finding.severity,
            "evidence": finding.evidence,
            "graphPath": finding.graph_path,
            "missing": finding.missing,
        },
    }
    if finding.imported_from is not None:
        what = f"imported from {finding.imported_address or 'this source'}: fix it there and import again"
        result["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.imported_from.file),
                    "region": {"startLine": finding.imported_from.line},
                },
                "message": {"text": what},
            }
        ]
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


def _register_entry(state: WaiverState) -> dict[str, Any]:
    """One waiver of the register, in the run properties (suppressions carry it per result)."""
    waiver = state.waiver
    return {
        "rule": waiver.rule,
        "assets": waiver.assets,
        "justification": waiver.justification,
        "approver": waiver.approver,
        "created": waiver.created,
        "expires": waiver.expires,
        "daysLeft": state.days_left,
        "state": state.register_state,
        "covers": list(state.covers),
        "location": str(waiver.location),
    }


def _exported(result: AuditResult, options: ReportOptions, cap: int) -> tuple[list[Finding], int]:
    """The `cap` worst results to write (open failures, then waived, not applicable, undecided; the
    most severe first; then in result order) and how many are left out.

    One pass puts each result into its group (order, severity): only the groups written are
    sorted, and only by result order (sorting every result by group and result order cost 0.3 s
    at 100k assets, for 5,000 of 400,000 results)."""
    include_undecided = options.sarif_include_undecided
    groups: dict[tuple[int, int], list[Finding]] = {}
    for finding in result.findings:
        order = _ORDER[finding.status]
        if order is None or (order == _UNDECIDED and not include_undecided):
            continue
        key = (order + (finding.waived_by is not None), -_RANKS[finding.severity])
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(finding)
    kept: list[Finding] = []
    for key in sorted(groups):
        if len(kept) >= cap:
            break
        kept += sorted(groups[key], key=result_order)[: cap - len(kept)]
    return kept, sum(map(len, groups.values())) - len(kept)


def _notifications(result: AuditResult, omitted: int, cap: int) -> list[dict[str, Any]]:
    notes = [{"level": "warning", "message": {"text": notice}} for notice in result.notices]
    if omitted:
        notes.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} results left out: at most {cap} are written (the least severe go first); "
                    "results.json holds them all"
                },
            }
        )
    return notes


def _log(result: AuditResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log, its results as jsonfmt.Items: each is made while the log is written."""
    index = {rule.id: i for i, rule in enumerate(result.rules)}
    cap = options.sarif_max_results
    kept, omitted = _exported(result, options, cap)
    kept.sort(key=result_order)  # written in result order: stable diffs between runs
    root: dict[str, Any] = {"description": {"text": "The source root: file names are relative to it (--root)."}}
    if options.source_root is not None:
        root["uri"] = PurePosixPath(options.source_root).as_uri().rstrip("/") + "/"
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": result.tool_version,
                        "semanticVersion": result.tool_version,
                        "rules": [_rule(rule, options.docs_url) for rule in result.rules],
                    }
                },
                "automationDetails": {"id": f"auditor/{result.as_of}"},
                "columnKind": "unicodeCodePoints",  # as Python and libyaml count them (default: UTF-16 units)
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": _notifications(result, omitted, cap),
                    }
                ],
                "originalUriBaseIds": {"%SRCROOT%": root},
                "artifacts": [
                    {
                        "location": _artifact(item["path"]),
                        "hashes": {"sha-256": item["sha256"]},
                        "length": item["bytes"],
                    }
                    for item in result.inputs
                ],
                "results": jsonfmt.Items(_result(f, index[f.rule_id]) for f in kept),
                "properties": {
                    "asOf": result.as_of,
                    "notices": result.notices,
                    "resultsCap": cap,
                    "omittedResults": omitted,
                    "undecidedIncluded": options.sarif_include_undecided,
                    "waiverRegister": [_register_entry(state) for state in result.waivers],
                    **({"generatedAt": generated} if (generated := options.reproducible_generated_at) else {}),
                },
            }
        ],
    }
    return log


def write(result: AuditResult, options: ReportOptions, out: BinaryIO) -> None:
    """Stream the SARIF log into `out`, result by result."""
    jsonfmt.write(_log(result, options), out, levels=LAID_OUT)
    out.write(b"\n")


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return jsonfmt.dumps(_log(result, options), levels=LAID_OUT) + b"\n"
