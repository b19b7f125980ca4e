"""The report's template context: plain, already-sorted data, capped so that large audits stay readable.

Every list shown in the document body is bounded (see the template pack's meta.yaml); the full
lists travel with the PDF as attachments (results.json, findings.csv).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from auditor.policy.frameworks import COVERAGE_MEANING
from auditor.result import AuditResult, Finding, Response, Severity, Status, WaiverState

EVIDENCE_VALUE_CHARS = 160
TEXT_CHARS = 300
NOTICE_CHARS = 2000  # notices are the tool's own sentences: shown whole (only a quoted justification is long)

GLOSSARY = (
    ("PASS", "The rule's condition holds for the asset."),
    ("FAIL", "The condition does not hold: a finding to remediate (or waive)."),
    ("NOT_EVALUABLE", "An attribute the rule needs is missing from the inventory, so no decision was made."),
    ("NOT_APPLICABLE", "The law the rule comes from does not apply to the asset's processing; the reason is given."),
    ("Waived", "A failure covered by an approved, unexpired waiver; it stays in the results, marked."),
    ("Fingerprint", "A stable id of a finding (rule, asset, evidence key), unchanged by edits elsewhere."),
    ("EEA", "The 27 EU member states plus Iceland, Liechtenstein and Norway."),
    ("Adequacy decision", "A Commission decision (GDPR Art. 45) that a country protects personal data adequately."),
    ("DPF", "EU-US Data Privacy Framework; the US adequacy decision covers only DPF-certified organisations."),
    ("SCCs", "Standard contractual clauses, Commission Implementing Decision (EU) 2021/914 (GDPR Art. 46)."),
    ("TIA", "Transfer impact assessment required with Art. 46 safeguards after Schrems II (C-311/18)."),
    ("RoPA", "Record of processing activities (GDPR Art. 30)."),
    ("DPIA", "Data protection impact assessment (GDPR Art. 35)."),
    ("SPI", "Sensitive personal information under Cal. Civ. Code 1798.140(ae)."),
    ("ADMT", "Automated decision-making technology (CPPA regulations 7200 ff.)."),
    ("RDMA", "Remote direct memory access (InfiniBand, RoCE, EFA): NICs move data without the host CPU."),
    ("ZeRO", "Sharding of optimizer state, gradients and weights across data-parallel GPUs."),
    ("KV cache", "Per-token attention keys and values kept in GPU memory while a model generates."),
)


def clip(text: str, limit: int = TEXT_CHARS) -> str:
    """Inventory text in the body is bounded; the full text is in the attachments."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters in results.json)"


def _value(value: Any) -> str:
    if isinstance(value, float):
        value = round(value, 3)
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= EVIDENCE_VALUE_CHARS else text[: EVIDENCE_VALUE_CHARS - 1] + "…"


def _finding(finding: Finding, max_evidence: int, as_of: str) -> dict[str, Any]:
    evidence = [(key, _value(value)) for key, value in finding.evidence.items()]
    return {
        "rule_id": finding.rule_id,
        "asset_id": finding.asset_id,
        "asset_kind": finding.asset_kind,
        "severity": finding.severity,
        "status": finding.status.value,
        "message": clip(finding.message),
        "location": str(finding.location),
        "imported_from": None
        if finding.imported_from is None
        else (f"{finding.imported_address} at " if finding.imported_address else "")
        + f"{finding.imported_from.file}:{finding.imported_from.line}",
        "evidence": evidence[:max_evidence],
        "evidence_more": max(0, len(evidence) - max_evidence),
        "graph_path": " → ".join(finding.graph_path),
        "missing": finding.missing,
        "waived": finding.waived,
        "fingerprint": finding.fingerprint,
        "response": _response(finding.response, as_of),
    }


def _waiver(state: WaiverState, covered: dict[str, Finding], limit: int) -> dict[str, Any]:
    """A row of the waiver register: its state at the audit date (--waiver-warning-days) and what it covers."""
    waiver = state.waiver
    return {
        "rule": clip(waiver.rule, 80),
        "assets": clip(waiver.assets, 80),
        "justification": clip(waiver.justification),
        "approver": clip(waiver.approver, 120),
        "created": waiver.created or "-",
        "expires": waiver.expires,
        "days_left": state.days_left,
        "state": state.register_state,
        "matched": state.matched,
        "covers": [f"{covered[fp].rule_id} on {covered[fp].asset_id}" for fp in state.covers[:limit]],
        "covers_more": max(0, len(state.covers) - limit),
        "location": str(waiver.location),
    }


def _response(response: Response | None, as_of: str) -> dict[str, Any] | None:
    if response is None:
        return None
    return {
        "owner": clip(response.owner, 120),
        "due": response.due,
        "status": response.status.replace("_", " "),
        "overdue": response.overdue(as_of),
        "response": clip(response.response),
    }


def _responses(result: AuditResult, limit: int) -> dict[str, Any]:
    """The management responses merged in (--responses): counts by status and the overdue ones."""
    answered = [f.response for f in result.findings if f.response is not None]
    overdue = result.overdue_responses()
    return {
        "total": len(answered),
        "by_status": sorted(Counter(r.status.replace("_", " ") for r in answered).items()),
        "overdue": [{"finding": _finding_line(f), **(_response(r, result.as_of) or {})} for f, r in overdue[:limit]],
        "overdue_count": len(overdue),
    }


def _finding_line(finding: Finding) -> str:
    return f"{finding.rule_id} on {finding.asset_id}"


def _not_applicable(findings: list[Finding], limit: int) -> list[dict[str, Any]]:
    """Not-applicable results by rule and reason: "not applicable to N assets: <reason>"."""
    groups = Counter((f.rule_id, f.message) for f in findings)
    return [
        {"rule_id": rule_id, "reason": clip(reason), "count": n}
        for (rule_id, reason), n in sorted(groups.items())[:limit]
    ]


def _requirement_state(state: str, waived: int) -> str:
    """A requirement whose only failures are waived is shown as waived, never as passed."""
    return "waived" if state == "passed" and waived else state


def _frameworks(
    result: AuditResult,
    rules: dict[str, Any],
    by_rule: dict[str, dict[str, list[Finding]]],
    examples: int,
) -> list[dict[str, Any]]:
    frameworks = []
    for fw in result.frameworks:
        requirements = []
        for requirement in fw.requirements:
            entries = [
                {
                    "id": r,
                    "title": rules[r].title,
                    "severity": rules[r].severity,
                    **{key: len(by_rule[key].get(r, [])) for key in by_rule},
                    "examples": [(f.asset_id, str(f.location)) for f in by_rule["failed"].get(r, [])[:examples]],
                }
                for r in requirement.rules
            ]
            waived = sum(entry["waived"] for entry in entries)
            requirements.append(
                {
                    "id": requirement.id,
                    "title": requirement.title,
                    "coverage": requirement.coverage,
                    "state": _requirement_state(requirement.state, waived),
                    "rules": entries,
                }
            )
        summary = Counter(req["state"] for req in requirements)
        frameworks.append(
            {
                "name": fw.name,
                "title": fw.title,
                "version": fw.version,
                "summary": {state: summary[state] for state in (*fw.summary(), "waived")},
                "requirements": requirements,
            }
        )
    return frameworks


def _listed(findings: list[Finding]) -> list[dict[str, Any]]:
    """Rows of the HTML's sortable findings table (every result that is not a pass)."""
    return [
        {
            "severity": f.severity,
            "rank": f"{f.severity.rank}",
            "status": "WAIVED" if f.waived else f.status.value,
            "rule_id": f.rule_id,
            "asset_id": f.asset_id,
            "message": clip(f.message),
            "location": str(f.location),
        }
        for f in findings
    ]


def _since(result: AuditResult, open_failures: list[Finding], max_evidence: int, shown: int) -> dict[str, Any] | None:
    """With a baseline: what is new, what persists, how many were resolved since the last audit."""
    if result.baseline is None:
        return None
    new = [f for f in open_failures if f.baseline_state == "new"]
    return {
        **result.baseline,
        "new_failures": len(new),
        "persisting_failures": sum(1 for f in open_failures if f.baseline_state == "unchanged"),
        "new_shown": [_finding(f, max_evidence, result.as_of) for f in new[:shown]],
    }


def build_context(
    result: AuditResult, figures: dict[str, Any], limits: dict[str, int], generated_at: str | None = None
) -> dict[str, Any]:
    per_rule = limits["max_assets_per_rule"]
    examples = limits["examples_per_requirement_rule"]
    max_evidence = limits["max_evidence_items"]
    rules = {rule.id: rule for rule in result.rules}
    open_failures = result.open_failures()
    failures_by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in open_failures:
        failures_by_rule[finding.rule_id].append(finding)
    undecided_by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.with_status(Status.NOT_EVALUABLE):
        undecided_by_rule[finding.rule_id].append(finding)
    inapplicable = result.with_status(Status.NOT_APPLICABLE)
    inapplicable_by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in inapplicable:
        inapplicable_by_rule[finding.rule_id].append(finding)
    waived_by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        if finding.waived:
            waived_by_rule[finding.rule_id].append(finding)

    tested: dict[str, Counter[str]] = defaultdict(Counter)  # per rule: results by status, and asset kinds
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in result.results():
        tested[finding.rule_id][finding.status.value] += 1
        kinds[finding.rule_id][finding.asset_kind] += 1
    rule_sections = []
    for rule_id in sorted(failures_by_rule, key=lambda r: (-rules[r].severity.rank, r)):
        rule = rules[rule_id]
        failures = failures_by_rule[rule_id]
        rule_sections.append(
            {
                "id": rule.id,
                "title": rule.title,
                "severity": rule.severity,
                "pack": rule.pack,
                "references": sorted(rule.references.items()),
                "rationale": rule.rationale,
                "remediation": rule.remediation,
                "notes": rule.notes,
                "failed": len(failures),
                "waived": len(waived_by_rule.get(rule_id, [])),
                "population": sum(tested[rule_id].values()),
                "population_kinds": ", ".join(sorted(kinds[rule_id])),
                "passed": tested[rule_id][Status.PASS.value],
                "undecided": tested[rule_id][Status.NOT_EVALUABLE.value],
                "inapplicable": tested[rule_id][Status.NOT_APPLICABLE.value],
                "not_applicable": _not_applicable(inapplicable_by_rule.get(rule_id, []), limits["max_reasons"]),
                "assets": [_finding(f, max_evidence, result.as_of) for f in failures[:per_rule]],
                "more": max(0, len(failures) - per_rule),
            }
        )

    by_rule = {
        "failed": failures_by_rule,
        "not_evaluable": undecided_by_rule,
        "not_applicable": inapplicable_by_rule,
        "waived": waived_by_rule,
    }
    frameworks = _frameworks(result, rules, by_rule, examples)

    gaps = [_finding(f, max_evidence, result.as_of) for f in open_failures if rules[f.rule_id].pack == "ai-infra"]
    undecided = []
    for rule_id in sorted(undecided_by_rule):
        findings = undecided_by_rule[rule_id]
        reasons = Counter(reason for f in findings for reason in f.missing)
        undecided.append(
            {
                "rule_id": rule_id,
                "title": rules[rule_id].title,
                "count": len(findings),
                "reasons": reasons.most_common(limits["max_reasons"]),
                "assets": [f.asset_id for f in findings[:per_rule]],
                "more": max(0, len(findings) - per_rule),
            }
        )
    counts = result.counts()
    by_severity = result.open_failures_by_severity()
    waived = {f.fingerprint: f for findings in waived_by_rule.values() for f in findings}
    organization = clip(result.organization or "(organisation not declared)", 120)
    return {
        "title": f"Compliance audit report: {organization}",
        "frameworks_in_scope": [(fw.title, fw.version) for fw in result.frameworks],
        "since": _since(result, open_failures, max_evidence, limits["top_findings"]),
        "requirements_failed": sum(1 for fw in result.frameworks for r in fw.requirements if r.state == "failed"),
        "notices": [clip(notice, NOTICE_CHARS) for notice in result.notices],
        "not_applicable": _not_applicable(inapplicable, limits["max_listed_findings"]),
        "not_applicable_count": len(inapplicable),
        "parameters": [
            (rule.id, name, _value(value)) for rule in result.rules for name, value in sorted(rule.parameters.items())
        ],
        "listed_findings": _listed(
            sorted(
                (f for f in result.findings if f.status is not Status.PASS),
                key=lambda f: (not f.is_open_failure, -f.severity.rank, f.sort_key),
            )[: limits["max_listed_findings"]]
        ),
        "listed_total": sum(1 for f in result.findings if f.status is not Status.PASS),
        "organization": organization,
        "as_of": result.as_of,
        "tool_version": result.tool_version,
        "inputs": result.inputs,
        "settings": result.settings,
        "packs": result.packs,
        "asset_count": result.asset_count,
        "assets_by_kind": sorted(result.assets_by_kind.items()),
        "rule_count": len(result.rules),
        "counts": counts,
        "severity_rows": [(s, by_severity[s]) for s in Severity.worst_first()],
        "top_findings": [_finding(f, max_evidence, result.as_of) for f in open_failures[: limits["top_findings"]]],
        "frameworks": frameworks,
        "rule_sections": rule_sections,
        "gaps": gaps[: limits["max_gaps"]],
        "gaps_more": max(0, len(gaps) - limits["max_gaps"]),
        "waivers": [_waiver(s, waived, limits["max_covered"]) for s in result.waivers],
        "responses": _responses(result, limits["max_overdue"]),
        "generated_at": generated_at,
        "not_evaluable": undecided,
        "figures": figures,
        "glossary": GLOSSARY,
        "coverage_legend": list(COVERAGE_MEANING.items()),
    }
