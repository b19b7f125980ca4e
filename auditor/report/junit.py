"""JUnit XML: a test suite per rule, a test case per asset the rule was evaluated on."""

from __future__ import annotations

import json
from itertools import groupby
from xml.etree import ElementTree as ET

from auditor.result import AuditResult, Status


def render(result: AuditResult) -> bytes:
    root = ET.Element("testsuites", name="auditor")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    titles = {rule.id: rule.title for rule in result.rules}
    for rule_id, group in groupby(result.findings, key=lambda f: f.rule_id):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=rule_id)
        counts = {"tests": len(findings), "failures": 0, "skipped": 0}
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=rule_id,
                name=finding.asset_id,
                file=finding.location.file,
                line=str(finding.location.line),
            )
            detail = json.dumps(
                {"evidence": finding.evidence, "graph_path": finding.graph_path},
                sort_keys=True,
                ensure_ascii=False,
            )
            if finding.waived_by is not None:
                counts["skipped"] += 1
                waiver = finding.waived_by
                ET.SubElement(
                    case,
                    "skipped",
                    message=f"waived until {waiver.expires} by {waiver.approver}: {waiver.justification}",
                )
            elif finding.is_open_failure:
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", type=finding.severity, message=finding.message)
                failure.text = f"{titles.get(rule_id, rule_id)}\n{finding.location}\n{detail}"
            elif finding.status is Status.NOT_EVALUABLE:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=finding.message)
            elif finding.status is Status.NOT_APPLICABLE:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=f"not applicable: {finding.message}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
