"""The canonical, versioned JSON result. Sorted keys and no clock: same input, same bytes.

`generated_at` comes from SOURCE_DATE_EPOCH only (null without it): reading the clock would make
two runs on the same inputs and audit date differ (see docs/responses.md, "Generation time").
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor.report import DEFAULT_OPTIONS, ReportOptions, jsonfmt
from auditor.result import SCHEMA_VERSION, AuditResult, Finding, Response, Status


def finding_dict(finding: Finding, as_of: str) -> dict[str, Any]:
    waiver = finding.waived_by
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "asset_id": finding.asset_id,
        "asset_kind": finding.asset_kind,
        "status": finding.status.value,
        "severity": finding.severity,
        "message": finding.message,
        "location": {
            "file": finding.location.file,
            "line": finding.location.line,
            "column": finding.location.column,
            "end_line": finding.location.end_line,
            "end_column": finding.location.end_column,
        },
        "evidence": finding.evidence,
        "graph_path": finding.graph_path,
        "missing": finding.missing,
        "waived": finding.waived,
        "baseline_state": finding.baseline_state,
        "imported_from": None
        if finding.imported_from is None
        else {
            "file": finding.imported_from.file,
            "line": finding.imported_from.line,
            "address": finding.imported_address,
        },
        "waiver": None
        if waiver is None
        else {
            "rule": waiver.rule,
            "assets": waiver.assets,
            "justification": waiver.justification,
            "approver": waiver.approver,
            "expires": waiver.expires,
        },
        "response": None if finding.response is None else _response(finding.response, as_of),
    }


def _response(response: Response, as_of: str) -> dict[str, Any]:
    return {
        "owner": response.owner,
        "due": response.due,
        "response": response.response,
        "status": response.status,
        "overdue": response.overdue(as_of),
        "location": str(response.location),
    }


def result_dict(result: AuditResult, generated_at: str | None = None) -> dict[str, Any]:
    per_rule: dict[str, Counter[str]] = {rule.id: Counter() for rule in result.rules}
    passed: dict[str, list[str]] = {rule.id: [] for rule in result.rules}
    for finding in result.findings:
        per_rule[finding.rule_id][finding.status.value] += 1
        if finding.status is Status.PASS:
            passed[finding.rule_id].append(finding.asset_id)
    for rule_id, ids in result.passes.by_rule.items():
        per_rule[rule_id][Status.PASS.value] += len(ids)
        passed[rule_id] = sorted(passed[rule_id] + ids) if passed[rule_id] else ids
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": result.tool_version},
        "as_of": result.as_of,
        "generated_at": generated_at,
        "organization": result.organization,
        "inputs": result.inputs,
        "settings": result.settings,
        "packs": result.packs,
        "notices": result.notices,
        "summary": {
            "assets": result.asset_count,
            "assets_by_kind": result.assets_by_kind,
            "rules": len(result.rules),
            "results": result.counts(),
            "open_failures_by_severity": dict(result.open_failures_by_severity()),
            "baseline": result.baseline,
            "overdue_responses": len(result.overdue_responses()),
        },
        "rules": [
            {
                "id": rule.id,
                "title": rule.title,
                "severity": rule.severity,
                "pack": rule.pack,
                "references": rule.references,
                "parameters": rule.parameters,
                "counts": {status.value: per_rule[rule.id][status.value] for status in Status},
                "passed_assets": passed[rule.id],
            }
            for rule in result.rules
        ],
        "findings": [finding_dict(f, result.as_of) for f in result.findings if f.status is not Status.PASS],
        "frameworks": [
            {
                "name": fw.name,
                "title": fw.title,
                "version": fw.version,
                "summary": fw.summary(),
                "requirements": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "coverage": r.coverage,
                        "state": r.state,
                        "rules": list(r.rules),
                        "failed": r.failed,
                        "not_evaluable": r.not_evaluable,
                        "not_applicable": r.not_applicable,
                        "passed": r.passed,
                    }
                    for r in fw.requirements
                ],
            }
            for fw in result.frameworks
        ],
        "waivers": [
            {
                "rule": s.waiver.rule,
                "assets": s.waiver.assets,
                "justification": s.waiver.justification,
                "approver": s.waiver.approver,
                "expires": s.waiver.expires,
                "scope": s.waiver.scope,
                "created": s.waiver.created,
                "state": s.state,
                "register_state": s.register_state,
                "days_left": s.days_left,
                "matched": s.matched,
                "covers": list(s.covers),
                "location": str(s.waiver.location),
            }
            for s in result.waivers
        ],
    }


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return jsonfmt.dumps(result_dict(result, options.reproducible_generated_at), levels=2) + b"\n"
