"""JUnit XML, valid against Jenkins xunit's junit-10.xsd: a suite per rule, a case per asset.

Only what fails the gate (`--fail-on`, new since the baseline) is a test failure, so the test
report and the exit status agree; open failures below the gate, waived failures, undecided and
not-applicable results are skipped with the reason. The schema has no file or line on a test
case: the location is the case's system-out. Notices come first, as properties of an
`auditor.notices` suite, then the waiver register as those of an `auditor.waivers` suite. Times
are 0 and the timestamp is the audit date, so the same inputs give the same bytes; characters
XML cannot carry are dropped from inventory strings.
"""

from __future__ import annotations

import json
from itertools import groupby
from xml.etree import ElementTree as ET

from auditor.report import DEFAULT_OPTIONS, ReportOptions
from auditor.report.text import xml_safe
from auditor.result import AuditResult, Finding, Status


def _skip_reason(finding: Finding, gate: str) -> str:
    if finding.waived_by is not None:
        waiver = finding.waived_by
        return f"waived until {waiver.expires} by {waiver.approver}: {waiver.justification}"
    if finding.status is Status.FAIL:
        reason = "already in the baseline" if finding.baseline_state == "unchanged" else f"below --fail-on {gate}"
        return f"{finding.severity} failure, {reason}: {finding.message}"
    if finding.status is Status.NOT_APPLICABLE:
        return f"not applicable: {finding.message}"
    return f"not evaluable: {finding.message}"


def _case(suite: ET.Element, finding: Finding, title: str, blocking: set[int], gate: str) -> bool:
    """Add the test case; True when it is a failure."""
    case = ET.SubElement(suite, "testcase", classname=finding.rule_id, name=finding.asset_id, time="0")
    failed = id(finding) in blocking
    if failed:
        detail = json.dumps(
            {"evidence": finding.evidence, "graph_path": finding.graph_path}, sort_keys=True, ensure_ascii=False
        )
        failure = ET.SubElement(case, "failure", type=finding.severity, message=finding.message)
        failure.text = f"{title}\n{finding.location}\n{detail}"
    elif finding.status is not Status.PASS:
        ET.SubElement(case, "skipped", message=_skip_reason(finding, gate))
    ET.SubElement(case, "system-out").text = str(finding.location)
    return failed


def _waiver_register(root: ET.Element, result: AuditResult, timestamp: str) -> None:
    """The waiver register as properties of an `auditor.waivers` suite: one property per waiver."""
    suite = ET.SubElement(root, "testsuite", name="auditor.waivers", tests="0", failures="0", errors="0", time="0")
    suite.set("timestamp", timestamp)
    properties = ET.SubElement(suite, "properties")
    for state in result.waivers:
        w = state.waiver
        value = (
            f"{state.register_state}; rule {w.rule}; assets {w.assets}; approver {w.approver}; "
            f"created {w.created or '-'}; expires {w.expires}; days left {state.days_left}; "
            f"covers {' '.join(state.covers) or 'nothing'}; justification: {w.justification}"
        )
        ET.SubElement(properties, "property", name=f"waiver {w.location}", value=value)


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    gate = options.fail_on.value if options.fail_on is not None else "none"
    blocking = {id(f) for f in result.blocking(options.fail_on)}
    timestamp = f"{result.as_of}T00:00:00"
    root = ET.Element("testsuites", name="auditor", time="0")
    totals = {"tests": 0, "failures": 0}
    if result.notices:
        notices = ET.SubElement(
            root, "testsuite", name="auditor.notices", tests="0", failures="0", errors="0", time="0"
        )
        notices.set("timestamp", timestamp)
        properties = ET.SubElement(notices, "properties")
        for notice in result.notices:
            ET.SubElement(properties, "property", name="notice", value=notice)
        ET.SubElement(notices, "system-out").text = "\n".join(result.notices)
    if result.waivers:
        _waiver_register(root, result, timestamp)
    titles = {rule.id: rule.title for rule in result.rules}
    for rule_id, group in groupby(result.results(), key=lambda f: f.rule_id):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=rule_id)
        title = titles.get(rule_id, rule_id)
        failures = sum(_case(suite, f, title, blocking, gate) for f in findings)
        skipped = sum(1 for f in findings if f.status is not Status.PASS) - failures
        for key, value in (("tests", len(findings)), ("failures", failures), ("errors", 0), ("skipped", skipped)):
            suite.set(key, str(value))
        suite.set("time", "0")
        suite.set("timestamp", timestamp)
        totals["tests"] += len(findings)
        totals["failures"] += failures
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml_safe(text) + "\n").encode("utf-8")
