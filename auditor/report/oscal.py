"""OSCAL 1.1.2 Assessment Results: the audit as one `result` that GRC platforms import.

Observations are one per rule and asset kind (method TEST when the rule verifies substance
derived from the graph, EXAMINE when it checks that a document is on record), each pointing at
the inventory file and line of every asset it looked at; the assets are its subjects, declared
once each as `local-definitions.inventory-items`. Findings are one per framework
requirement the run judged; a requirement with a failure is `not-satisfied`, an undecided one
`not-satisfied` with reason `not-evaluable`, one the law does not reach `satisfied` with reason
`not-applicable` (OSCAL has no third state), each with the results' messages as remarks.
Open failures are risks with severity and remediation; waived ones are approved deviations.
Every UUID is a UUID 5 of the inputs' hashes and the finding fingerprints: same inputs, same bytes.
Each piece of evidence carries its finding's fingerprint, status and severity, and each observation
its rule's references (a `reference` property whose class is the framework), so that the file can
be read back as a baseline or one side of a diff (auditor/history/oscal_results.py).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from auditor.report import DEFAULT_OPTIONS, ReportOptions, jsonfmt
from auditor.result import AuditResult, Finding, FrameworkPosture, RequirementPosture, RuleInfo, Status

OSCAL_VERSION = "1.1.2"
# The namespace of the properties OSCAL does not define: a URI of ours (RFC 2606 .invalid: no host
# is claimed); OSCAL tools read it as a URL, so not a URN.
NS = "https://ai-infra-auditor.invalid/ns/oscal"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)
# A rule's `verifies` -> the OSCAL method; a rule that does not say is examined, never claimed as a test.
METHODS = {"substance": "TEST", "evidence": "EXAMINE"}
# requirement state -> (OSCAL objective state, reason); manual and not-run requirements were not judged
TARGET_STATUS = {
    "passed": ("satisfied", "pass"),
    "failed": ("not-satisfied", "fail"),
    "not_evaluable": ("not-satisfied", "not-evaluable"),
    "not_applicable": ("satisfied", "not-applicable"),
}
# One observation, finding, risk or resource per line (diffable, and fast: the C encoder does each line).
OUTER_LEVELS = 5
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")


def control_token(framework: str, requirement_id: str) -> str:
    """The requirement id as an OSCAL token (an XML NCName): as the framework names it when it is
    one (`ac-3`, `A.8.5`), else with other characters as `_` and the framework in front when it
    starts with a digit (`Art._5_1_f`, `cis-v8.1_1.1`)."""
    token = _NOT_TOKEN.sub("_", requirement_id).strip("_")
    return token if token[:1].isalpha() else f"{framework}_{token}"


def _datetime(day: str) -> str:
    return f"{day}T00:00:00Z"


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": str(value)}


def _text(text: str) -> str:
    """OSCAL strings may not start or end with white space."""
    return " ".join(text.split()) or "-"


class _Ids:
    """UUID 5s under one document's UUID, itself derived from every input's hash and the date."""

    def __init__(self, result: AuditResult) -> None:
        hashes = [f["sha256"] for f in (*result.inputs, *result.settings, *result.packs)]
        self.document = uuid.uuid5(_ROOT, "\x1f".join([result.as_of, result.tool_version, *hashes]))

    def __call__(self, *parts: str) -> str:
        return str(uuid.uuid5(self.document, "\x1f".join(parts)))


def _evidence(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "href": f"{quote(location.file)}#L{location.line}",
        "description": _text(f"{finding.asset_id} ({finding.status.value}) {finding.message}"),
        "props": [
            _prop("asset-id", finding.asset_id),
            _prop("line", location.line),
            _prop("fingerprint", finding.fingerprint),
            _prop("status", finding.status.value),
            _prop("severity", finding.severity.value),
        ],
    }


def _observation(ids: _Ids, rule: RuleInfo, kind: str, findings: list[Finding], collected: str) -> dict[str, Any]:
    counts = Counter(f.status.value for f in findings)
    tally = ", ".join(f"{counts[s.value]} {s.value}" for s in Status if counts[s.value])
    return {
        "uuid": ids("observation", rule.id, kind),
        "title": _text(f"{rule.id} on {kind} assets"),
        "description": _text(f"{rule.title}. {len(findings)} {kind} assets evaluated: {tally}."),
        "props": [
            _prop("rule-id", rule.id),
            _prop("asset-kind", kind),
            _prop("pack", rule.pack),
            *(
                {**_prop("reference", _text(ref)), "class": framework}
                for framework, refs in sorted(rule.references.items())
                for ref in refs
            ),
        ],
        "methods": [METHODS.get(rule.verifies or "", "EXAMINE")],
        "subjects": [
            {"subject-uuid": ids("inventory-item", asset), "type": "inventory-item"}
            for asset in dict.fromkeys(f.asset_id for f in findings)
        ],
        "relevant-evidence": [_evidence(f) for f in findings],
        "collected": collected,
    }


def _inventory_items(ids: _Ids, findings: list[Finding]) -> list[dict[str, Any]]:
    """One inventory item per asset the rules looked at, where the inventory declares it."""
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(finding.asset_id, finding)
    return [
        {
            "uuid": ids("inventory-item", asset),
            "description": _text(f"{finding.asset_kind} {asset}"),
            "props": [_prop("asset-id", asset), _prop("asset-kind", finding.asset_kind)],
            "links": [{"href": f"{quote(finding.location.file)}#L{finding.location.line}", "rel": "reference"}],
        }
        for asset, finding in sorted(first.items())
    ]


def _risk(ids: _Ids, finding: Finding, rule: RuleInfo, observation: str, tool: str, start: str) -> dict[str, Any]:
    waiver = finding.waived_by
    risk: dict[str, Any] = {
        "uuid": ids("risk", finding.fingerprint),
        "title": _text(f"{rule.id} on {finding.asset_id}"),
        "description": _text(f"{rule.description} Why it matters: {rule.rationale}"),
        "statement": _text(f"{finding.asset_id}: {finding.message}"),
        "props": [_prop("fingerprint", finding.fingerprint), _prop("asset-id", finding.asset_id)],
        "status": "open" if waiver is None else "deviation-approved",
        "characterizations": [
            {
                "origin": {"actors": [{"type": "tool", "actor-uuid": tool}]},
                "facets": [{"name": "severity", "system": NS, "value": finding.severity.value}],
            }
        ],
        "remediations": [
            {
                "uuid": ids("remediation", finding.fingerprint),
                "lifecycle": "recommendation",
                "title": _text(f"Remediate {rule.id}"),
                "description": _text(rule.remediation),
            }
        ],
        "related-observations": [{"observation-uuid": observation}],
    }
    if waiver is not None:
        risk["deadline"] = _datetime(waiver.expires)
        risk["props"] += [_prop("waiver-approver", _text(waiver.approver)), _prop("waiver-expires", waiver.expires)]
        risk["risk-log"] = {
            "entries": [
                {
                    "uuid": ids("deviation", finding.fingerprint),
                    "title": "Deviation approved (waiver)",
                    "description": _text(
                        f"{waiver.justification} Approved by {waiver.approver}, expires {waiver.expires}"
                        f" ({waiver.location})."
                    ),
                    "start": start,
                    "status-change": "deviation-approved",
                }
            ]
        }
    return risk


def _finding(
    ids: _Ids,
    framework: FrameworkPosture,
    requirement: RequirementPosture,
    results: list[Finding],
    observations: list[str],
    risks: list[str],
) -> dict[str, Any]:
    state, reason = TARGET_STATUS[requirement.state]
    status: dict[str, Any] = {"state": state, "reason": reason}
    if requirement.state in ("not_evaluable", "not_applicable"):
        wanted = Status.NOT_EVALUABLE if requirement.state == "not_evaluable" else Status.NOT_APPLICABLE
        reasons = sorted({_text(f.message) for f in results if f.status is wanted})
        status["remarks"] = "\n".join(reasons) or "No asset in the inventory is of a kind its rules apply to."
    finding: dict[str, Any] = {
        "uuid": ids("finding", framework.name, requirement.id),
        "title": _text(f"{framework.title}: {requirement.id} {requirement.title}"),
        "description": _text(
            f"{requirement.passed} passed, {requirement.failed} failed, {requirement.not_evaluable} not evaluable, "
            f"{requirement.not_applicable} not applicable results of rules {', '.join(requirement.rules)}."
        ),
        "props": [
            _prop("framework", framework.name),
            _prop("requirement-id", _text(requirement.id)),
            _prop("coverage", requirement.coverage),
        ],
        "target": {
            "type": "objective-id",
            "target-id": control_token(framework.name, requirement.id),
            "title": _text(requirement.id),
            "status": status,
        },
    }
    if observations:
        finding["related-observations"] = [{"observation-uuid": o} for o in observations]
    if risks:
        finding["related-risks"] = [{"risk-uuid": r} for r in risks]
    return finding


def _resource(ids: _Ids, kind: str, title: str, href: str, sha256: str, props: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "uuid": ids("resource", kind, href),
        "title": _text(title),
        "props": props,
        "rlinks": [{"href": href, "hashes": [{"algorithm": "SHA-256", "value": sha256}]}],
    }


def _back_matter(ids: _Ids, result: AuditResult, plan: str) -> dict[str, Any]:
    """The inputs, settings and rule packs with their SHA-256, and the plan they make up."""
    resources = [
        {
            "uuid": plan,
            "title": "Assessment plan: the rule packs and framework mappings in force",
            "description": "No separate OSCAL assessment plan: the rules of the packs below, in force at the audit "
            "date, are what was assessed.",
        }
    ]
    resources += [
        _resource(
            ids, "input", f"Inventory file {f['path']}", quote(f["path"]), f["sha256"], [_prop("role", "inventory")]
        )
        for f in result.inputs
    ]
    resources += [
        _resource(
            ids,
            "input",
            f"{f['role'].capitalize()} file {f['path']}",
            quote(f["path"]),
            f["sha256"],
            [_prop("role", f["role"])],
        )
        for f in result.settings
    ]
    resources += [
        _resource(
            ids,
            "pack",
            f"Rule pack {p['name']} {p['version']}: {p['title']}",
            f"{NS}/pack/{p['name']}",
            p["sha256"],
            [_prop("role", "rule-pack"), _prop("pack", p["name"]), _prop("enabled", str(p["enabled"]).lower())],
        )
        for p in result.packs
    ]
    return {"resources": resources}


def _reviewed_controls(frameworks: Iterable[FrameworkPosture]) -> dict[str, Any]:
    selections: list[dict[str, Any]] = [
        {
            "description": _text(f"{framework.title} (version {framework.version})"),
            "props": [_prop("framework", framework.name)],
            "include-controls": [{"control-id": control_token(framework.name, r.id)} for r in judged],
        }
        for framework in frameworks
        if (judged := [r for r in framework.requirements if r.state in TARGET_STATUS])
    ]
    if not selections:  # OSCAL needs one selection; the remarks say nothing was judged
        selections = [{"remarks": "No framework requirement was judged in this run.", "include-all": {}}]
    return {"control-selections": selections}


def document(result: AuditResult) -> dict[str, Any]:
    """The assessment-results document as plain data."""
    ids = _Ids(result)
    start = _datetime(result.as_of)
    rules = {rule.id: rule for rule in result.rules}
    tool = ids("component", "auditor")
    plan = ids("assessment-plan")
    every = result.results()
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in every:
        groups[(finding.rule_id, finding.asset_kind)].append(finding)
    observations = {
        key: _observation(ids, rules[key[0]], key[1], found, start) for key, found in sorted(groups.items())
    }
    risks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in result.findings:
        if finding.status is Status.FAIL:
            observation = observations[(finding.rule_id, finding.asset_kind)]["uuid"]
            risks[finding.rule_id].append(_risk(ids, finding, rules[finding.rule_id], observation, tool, start))
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in every:
        by_rule[finding.rule_id].append(finding)
    findings = [
        _finding(
            ids,
            framework,
            requirement,
            [f for rule_id in requirement.rules for f in by_rule[rule_id]],
            [o["uuid"] for (rule_id, _), o in observations.items() if rule_id in requirement.rules],
            [r["uuid"] for rule_id in requirement.rules for r in risks[rule_id]],
        )
        for framework in result.frameworks
        for requirement in framework.requirements
        if requirement.state in TARGET_STATUS
    ]
    counts = result.counts()
    audit: dict[str, Any] = {
        "uuid": ids("result"),
        "title": _text(f"Audit of {result.organization or 'the inventory'} as of {result.as_of}"),
        "description": _text(
            f"{result.asset_count} assets checked by {len(result.rules)} rules: "
            + ", ".join(f"{n} {status}" for status, n in counts.items())
            + "."
        ),
        "start": start,
        "props": [_prop(f"count-{status.lower().replace('_', '-')}", n) for status, n in counts.items()],
        "local-definitions": {
            "components": [
                {
                    "uuid": tool,
                    "type": "software",
                    "title": "ai-infra-auditor",
                    "description": "The compliance auditor that produced these results.",
                    "props": [_prop("version", result.tool_version)],
                    "status": {"state": "operational"},
                }
            ],
            **({"inventory-items": _inventory_items(ids, every)} if every else {}),
        },
        "reviewed-controls": _reviewed_controls(result.frameworks),
    }
    if observations:
        audit["observations"] = list(observations.values())
    if risks:
        audit["risks"] = [risk for rule_id in sorted(risks) for risk in risks[rule_id]]
    if findings:
        audit["findings"] = findings
    if result.notices:
        audit["remarks"] = "\n".join(result.notices)
    metadata: dict[str, Any] = {
        "title": audit["title"],
        "last-modified": start,
        "version": result.tool_version,
        "oscal-version": OSCAL_VERSION,
    }
    return {
        "assessment-results": {
            "uuid": str(ids.document),
            "metadata": metadata,
            "import-ap": {"href": f"#{plan}"},
            "results": [audit],
            "back-matter": _back_matter(ids, result, plan),
        }
    }


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return jsonfmt.dumps(document(result), levels=OUTER_LEVELS) + b"\n"
