"""The audit result as pure data: what every reporter renders and the CLI decides on."""

from __future__ import annotations

import hashlib
import heapq
import operator
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, get_args, overload

from auditor.errors import SourceLocation

SchemaVersion = Literal["1.0"]
SCHEMA_VERSION: SchemaVersion = get_args(SchemaVersion)[0]
BaselineState = Literal["new", "unchanged"]
WaiverStatus = Literal["active", "expired", "unused"]
# The waiver register's state: "expiring" within --waiver-warning-days of the audit, "stale" matching nothing.
RegisterState = Literal["active", "expiring", "expired", "stale"]
ResponseStatus = Literal["open", "in_progress", "remediated", "risk_accepted"]
RequirementState = Literal["passed", "failed", "not_evaluable", "not_applicable", "not_run", "manual"]


class Status(StrEnum):
    """How one rule fared on one asset."""

    PASS = "PASS"
    FAIL = "FAIL"
    NOT_EVALUABLE = "NOT_EVALUABLE"
    NOT_APPLICABLE = "NOT_APPLICABLE"  # the law does not apply to this asset's processing (message: why)

    @property
    def needs_attention(self) -> bool:
        """A failure or an undecided result: what waivers, baselines and fixes are about."""
        return self in (Status.FAIL, Status.NOT_EVALUABLE)


class Severity(StrEnum):
    # Declared from least to most severe: the declaration order is the rank. (No docstring: it
    # would become a description in the rule schema, which uses this enum.)
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def worst_first(cls) -> tuple[Severity, ...]:
        """The order every report lists severities in."""
        return tuple(reversed(cls))


_RANKS = {severity: rank for rank, severity in enumerate(Severity)}


def fingerprint(rule_id: str, asset_id: str, evidence_key: str = "") -> str:
    """Stable across runs and edits elsewhere in the file: never includes line numbers."""
    digest = hashlib.sha256(f"{rule_id}\x1f{asset_id}\x1f{evidence_key}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Waiver:
    rule: str
    assets: str
    justification: str
    approver: str
    expires: str
    location: SourceLocation
    path: str = "$.waivers"  # where in its file, e.g. $.waivers[2]
    scope: str | None = None  # "all": deliberately covers every rule or every asset
    created: str | None = None  # when the risk was accepted (ISO date)


@dataclass(frozen=True)
class Response:
    """Management's response to one finding (from --responses): who owns it, by when, what is done."""

    fingerprint: str
    owner: str
    due: str  # ISO date
    response: str
    status: ResponseStatus
    location: SourceLocation

    def overdue(self, as_of: str) -> bool:
        """Due before the audit date and neither remediated nor accepted as a risk."""
        return self.due < as_of and self.status in ("open", "in_progress")


# Findings' result order, as a key function: the order of every report and of Finding.sort_key.
result_order = operator.attrgetter("rule_id", "asset_id", "evidence_key")


class _Fingerprint:
    """A finding's fingerprint, hashed on first read and kept in the finding's __dict__, where
    later reads find it: functools.cached_property without its lock (Python 3.11 takes one on
    each first read, 0.3 s over the 400k findings of a 100k-asset audit)."""

    @overload
    def __get__(self, finding: None, owner: type[Finding]) -> _Fingerprint: ...
    @overload
    def __get__(self, finding: Finding, owner: type[Finding] | None = None) -> str: ...
    def __get__(self, finding: Finding | None, owner: type[Finding] | None = None) -> str | _Fingerprint:
        if finding is None:
            return self
        value: str = fingerprint(finding.rule_id, finding.asset_id, finding.evidence_key)
        finding.__dict__["fingerprint"] = value
        return value


@dataclass
class Finding:
    """One rule evaluated on one asset."""

    rule_id: str
    asset_id: str
    asset_kind: str
    status: Status
    severity: Severity
    message: str
    location: SourceLocation
    evidence: dict[str, Any] = field(default_factory=dict)
    graph_path: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    evidence_key: str = ""
    waived_by: Waiver | None = None
    baseline_state: BaselineState | None = None  # when the run has a baseline
    # Where an importer generated the asset from (e.g. a Terraform resource): that is where the fix goes.
    imported_from: SourceLocation | None = None
    imported_address: str | None = None
    response: Response | None = None  # management's response (--responses), matched by fingerprint

    fingerprint = _Fingerprint()  # hashed once, shared by every report (results.json, SARIF, CSV, the baseline)

    @property
    def waived(self) -> bool:
        return self.waived_by is not None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        key: tuple[str, str, str] = result_order(self)
        return key

    @property
    def is_open_failure(self) -> bool:
        """A failure nobody has accepted: what reports count and the gate looks at."""
        return self.status is Status.FAIL and self.waived_by is None


@dataclass
class Passes:
    """PASS results as compact arrays: per rule the ids of the assets that passed (sorted), each
    asset's kind and location once. A large audit passes hundreds of thousands of (rule, asset)
    pairs; reports that list passes one by one make their Findings on demand."""

    by_rule: dict[str, list[str]] = field(default_factory=dict)
    assets: Mapping[str, tuple[str, SourceLocation]] = field(default_factory=dict)

    def count(self, rule_id: str | None = None) -> int:
        if rule_id is not None:
            return len(self.by_rule.get(rule_id, ()))
        return sum(len(ids) for ids in self.by_rule.values())

    def findings(self, severities: Mapping[str, Severity]) -> Iterator[Finding]:
        """The passes as Findings, in result order (rule, then asset)."""
        for rule_id in sorted(self.by_rule):
            severity = severities[rule_id]
            for asset_id in self.by_rule[rule_id]:
                kind, location = self.assets[asset_id]
                yield Finding(rule_id, asset_id, kind, Status.PASS, severity, "", location)


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to know about a rule."""

    id: str
    title: str
    severity: Severity
    pack: str
    description: str
    rationale: str
    remediation: str
    references: dict[str, list[str]]
    notes: str | None
    parameters: dict[str, Any]
    verifies: str | None = None  # "substance" (a fact derived from the graph) or "evidence" (a document on record)


@dataclass(frozen=True)
class WaiverState:
    waiver: Waiver
    state: WaiverStatus
    matched: int
    days_left: int = 0  # from the audit date to the expiry (negative: expired)
    register_state: RegisterState = "active"
    covers: tuple[str, ...] = ()  # fingerprints of the findings it waives


@dataclass(frozen=True)
class RequirementPosture:
    """How one framework requirement fared: the worst state among its rules' results."""

    id: str
    title: str
    coverage: str
    state: RequirementState  # the worst state among its rules
    rules: tuple[str, ...]
    failed: int
    not_evaluable: int
    passed: int
    not_applicable: int = 0


@dataclass(frozen=True)
class FrameworkPosture:
    name: str
    title: str
    version: str
    requirements: tuple[RequirementPosture, ...]

    def summary(self) -> dict[str, int]:
        return {state: sum(1 for r in self.requirements if r.state == state) for state in get_args(RequirementState)}


@dataclass
class AuditResult:
    tool_version: str
    as_of: str
    inputs: list[dict[str, Any]]
    packs: list[dict[str, Any]]
    rules: list[RuleInfo]
    findings: list[Finding]
    waivers: list[WaiverState]
    asset_count: int
    assets_by_kind: dict[str, int]
    organization: str | None = None
    frameworks: list[FrameworkPosture] = field(default_factory=list)
    flow_map: dict[str, Any] = field(default_factory=dict)  # empty when not drawn (AuditRequest.flow_map)
    baseline: dict[str, Any] | None = None  # counts of new, unchanged and resolved findings
    notices: list[str] = field(default_factory=list)  # what the reader must know first (an allowed empty audit)
    settings: list[dict[str, Any]] = field(default_factory=list)  # config, waiver, baseline files: role, path, hash
    # The audit keeps passes here and every other result in `findings`; results built by hand
    # may also carry passes as Findings.
    passes: Passes = field(default_factory=Passes)

    def results(self) -> list[Finding]:
        """Every result, passes included, in result order: for the reports that list passes."""
        if not self.passes.by_rule:
            return self.findings
        made = self.passes.findings({rule.id: rule.severity for rule in self.rules})
        return list(heapq.merge(self.findings, made, key=lambda f: f.sort_key))

    def counts(self) -> dict[str, int]:
        """Results by status, and how many of the failures are waived."""
        out = {status.value: 0 for status in Status}
        out[Status.PASS.value] = self.passes.count()
        out["WAIVED"] = 0
        for finding in self.findings:
            out[finding.status.value] += 1
            if finding.waived:
                out["WAIVED"] += 1
        return out

    def open_failures(self) -> list[Finding]:
        """Unwaived failures, worst first (then by rule and asset): the order every report lists them in."""
        return sorted(
            (f for f in self.findings if f.is_open_failure),
            key=lambda f: (-f.severity.rank, f.rule_id, f.asset_id),
        )

    def open_failures_by_severity(self) -> Counter[Severity]:
        return Counter(f.severity for f in self.findings if f.is_open_failure)

    def with_status(self, status: Status) -> list[Finding]:
        return [f for f in (self.results() if status is Status.PASS else self.findings) if f.status is status]

    def overdue_responses(self) -> list[tuple[Finding, Response]]:
        """Findings whose management response is past its due date at the audit date, earliest due first."""
        late = [(f, r) for f in self.findings if (r := f.response) is not None and r.overdue(self.as_of)]
        return sorted(late, key=lambda pair: (pair[1].due, pair[0].sort_key))

    def blocking(self, threshold: Severity | None) -> list[Finding]:
        """What fails the gate, in result order (the gate needs no sort): open failures at or above
        `threshold` (None: nothing), except those a baseline already knew ("unchanged")."""
        if threshold is None:
            return []
        return [
            f
            for f in self.findings
            if f.is_open_failure and f.severity.rank >= threshold.rank and f.baseline_state != "unchanged"
        ]
