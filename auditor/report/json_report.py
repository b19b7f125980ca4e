"""The canonical, versioned JSON result. Sorted keys and no clock: same input, same bytes.

`generated_at` comes from SOURCE_DATE_EPOCH only (null without it): reading the clock would make
two runs on the same inputs and audit date differ (see docs/responses.md, "Generation time").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from auditor.report import DEFAULT_OPTIONS, ReportOptions, jsonfmt
from auditor.result import SCHEMA_VERSION, AuditResult, Finding, Response, Severity, Status

LAID_OUT = 2  # laid out: the document's keys and one line per rule, finding, framework and waiver


def finding_dict(finding: Finding, as_of: str) -> dict[str, Any]:
    waiver = finding.waived_by
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "asset_id": finding.asset_id,
        "asset_kind": finding.asset_kind,
        "status": finding.status,  # a StrEnum, as the severity: written as its value
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
        "waived": waiver is not None,
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


class _BareLines:
    """results.json's line for a NOT_APPLICABLE result that carries nothing but its identity, location
    and reason (the bulk of a large audit's results: every asset outside a law's scope), filled into
    a template made once per rule, severity and reason: the bytes orjson gives `finding_dict`
    with sorted keys, without building and encoding the dict (0.6 s of 83,000 such lines at 100k assets)."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, Severity, str], bytes] = {}
        self._files: dict[str, bytes] = {}

    @staticmethod
    def bare(finding: Finding) -> bool:
        return (
            finding.status is Status.NOT_APPLICABLE
            and finding.waived_by is None
            and finding.response is None
            and finding.imported_from is None
            and finding.baseline_state is None
            and not finding.evidence
            and not finding.graph_path
            and not finding.missing
        )

    def line(self, finding: Finding) -> orjson.Fragment:
        key = (finding.rule_id, finding.severity, finding.message)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self._template(finding)
        at = finding.location
        file = self._files.get(at.file)
        if file is None:
            file = self._files[at.file] = orjson.dumps(at.file)
        return orjson.Fragment(
            b"".join(
                (
                    b'{"asset_id":',
                    orjson.dumps(finding.asset_id),
                    b',"asset_kind":',
                    orjson.dumps(finding.asset_kind),
                    b',"baseline_state":null,"evidence":{},"fingerprint":"',
                    finding.fingerprint.encode(),
                    b'","graph_path":[],"imported_from":null,"location":{"column":',
                    _number(at.column),
                    b',"end_column":',
                    _number(at.end_column),
                    b',"end_line":',
                    _number(at.end_line),
                    b',"file":',
                    file,
                    b',"line":',
                    _number(at.line),
                    template,
                )
            )
        )

    @staticmethod
    def _template(finding: Finding) -> bytes:
        """What follows the location (the message, the rule, severity and status, the empty parts), cut
        from the finding's own encoding: a quote inside a string is escaped, so the first `},"message":`
        is the location's end."""
        encoded = orjson.dumps(finding_dict(finding, ""), option=orjson.OPT_SORT_KEYS)
        return encoded[encoded.index(b'},"message":') :]


def _number(value: int | None) -> bytes:
    return b"null" if value is None else str(value).encode()


class _Tally:
    """What results.json counts (per rule and status, the waived, the open failures by severity, the
    overdue responses), counted while the findings' dicts are made: one pass over the findings for
    both. A pass costs 0.2-0.3 s at 100k assets, most of it reading findings spread over memory."""

    def __init__(self, result: AuditResult) -> None:
        self.result = result
        self.groups: dict[tuple[str, Status, Severity, bool], int] = {}
        self.overdue = 0
        self.passed: dict[str, list[str]] = {rule.id: [] for rule in result.rules}
        self.complete = False

    def finding_dicts(self) -> Iterator[dict[str, Any]]:
        """Each finding that is not a pass as its dict, counted on the way."""
        as_of = self.result.as_of
        for finding in self._counted():
            yield finding_dict(finding, as_of)

    def finding_items(self) -> Iterator[dict[str, Any] | orjson.Fragment]:
        """The same, for the streamed document: a bare NOT_APPLICABLE result as its encoded line."""
        as_of, lines = self.result.as_of, _BareLines()
        bare, line = lines.bare, lines.line
        for finding in self._counted():
            yield line(finding) if bare(finding) else finding_dict(finding, as_of)

    def _counted(self) -> Iterator[Finding]:
        """Each finding that is not a pass, counted on the way."""
        groups, as_of = self.groups, self.result.as_of
        for finding in self.result.findings:
            key = (finding.rule_id, finding.status, finding.severity, finding.waived_by is not None)
            groups[key] = groups.get(key, 0) + 1
            if finding.response is not None and finding.response.overdue(as_of):
                self.overdue += 1
            if finding.status is Status.PASS:  # results built by hand may carry passes as Findings
                self.passed[finding.rule_id].append(finding.asset_id)
            else:
                yield finding
        self.complete = True

    def totals(self) -> tuple[dict[str, Counter[str]], dict[str, int], Counter[Severity]]:
        """Per rule and status, per status (and WAIVED), open failures by severity."""
        if not self.complete:  # the findings come first in the document's sorted keys
            raise RuntimeError("results.json's counts were asked for before its findings were all made")
        result = self.result
        per_rule: dict[str, Counter[str]] = {rule.id: Counter() for rule in result.rules}
        counts = {status.value: 0 for status in Status} | {"WAIVED": 0}
        open_failures: Counter[Severity] = Counter()
        for (rule_id, status, severity, waived), count in self.groups.items():
            per_rule[rule_id][status.value] += count
            counts[status.value] += count
            counts["WAIVED"] += count if waived else 0
            if status is Status.FAIL and not waived:
                open_failures[severity] += count
        counts[Status.PASS.value] += result.passes.count()
        for rule_id, ids in result.passes.by_rule.items():
            per_rule[rule_id][Status.PASS.value] += len(ids)
        return per_rule, counts, open_failures

    def summary(self) -> dict[str, Any]:
        result = self.result
        _, counts, open_failures = self.totals()
        return {
            "assets": result.asset_count,
            "assets_by_kind": result.assets_by_kind,
            "rules": len(result.rules),
            "results": counts,
            "open_failures_by_severity": dict(open_failures),
            "baseline": result.baseline,
            "overdue_responses": self.overdue,
        }

    def rules(self) -> list[dict[str, Any]]:
        per_rule = self.totals()[0]
        passes = self.result.passes.by_rule
        return [
            {
                "id": rule.id,
                "title": rule.title,
                "severity": rule.severity,
                "pack": rule.pack,
                "references": rule.references,
                "parameters": rule.parameters,
                "counts": {status.value: per_rule[rule.id][status.value] for status in Status},
                "passed_assets": _passed(self.passed[rule.id], passes.get(rule.id, [])),
            }
            for rule in self.result.rules
        ]


def _passed(made: list[str], ids: list[str]) -> list[str]:
    """The passes given as Findings (results built by hand, in result order) and those kept as ids."""
    return sorted(made + ids) if made and ids else made or ids


def result_dict(result: AuditResult, generated_at: str | None = None) -> dict[str, Any]:
    """The document as plain data (what the history store records)."""
    document = _document(result, generated_at, streamed=False)
    return {key: value.make() if isinstance(value, jsonfmt.Later) else value for key, value in document.items()}


def _document(result: AuditResult, generated_at: str | None, streamed: bool) -> dict[str, Any]:
    """The document, its findings a list of dicts or, `streamed`, jsonfmt.Items made as they are
    written; the rules and summary, counted while the findings are made, as jsonfmt.Later."""
    tally = _Tally(result)
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
        "summary": jsonfmt.Later(tally.summary),
        "rules": jsonfmt.Later(tally.rules),
        "findings": jsonfmt.Items(tally.finding_items()) if streamed else list(tally.finding_dicts()),
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


def write(result: AuditResult, options: ReportOptions, out: BinaryIO) -> None:
    """Stream results.json into `out`: each finding's dict is made, encoded, written and let go."""
    jsonfmt.write(_document(result, options.reproducible_generated_at, streamed=True), out, levels=LAID_OUT)
    out.write(b"\n")


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return jsonfmt.dumps(_document(result, options.reproducible_generated_at, streamed=True), levels=LAID_OUT) + b"\n"
