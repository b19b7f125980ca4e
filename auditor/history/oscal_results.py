"""An OSCAL assessment-results file (as `--format oscal` writes it) read back as results.

So that an organisation can keep OSCAL as its archive, `auditor diff` and `audit --baseline`
take one in place of a results.json. What they need comes from the properties of our namespace:
each piece of evidence gives a finding (fingerprint, status, severity, asset, and the rule of its
observation); an approved-deviation risk marks its finding waived; an observation's `reference`
properties are its rule's references (the framework as the class).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import Document
from auditor.result import SCHEMA_VERSION, Status
from auditor.validation import validated

ROOT_KEY = "assessment-results"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Prop(_Model):
    name: str
    value: str
    ns: str | None = None
    class_: str | None = Field(default=None, alias="class")


class _Evidence(_Model):
    props: list[_Prop] = []


class _Observation(_Model):
    props: list[_Prop] = []
    relevant_evidence: list[_Evidence] = Field(default=[], alias="relevant-evidence")


class _Risk(_Model):
    status: str
    props: list[_Prop] = []


class _Result(_Model):
    start: str
    observations: list[_Observation] = []
    risks: list[_Risk] = []


class _Metadata(_Model):
    version: str


class _AssessmentResults(_Model):
    metadata: _Metadata
    results: list[_Result]


class _File(_Model):
    assessment_results: _AssessmentResults = Field(alias="assessment-results")


def is_oscal(data: Any) -> bool:
    """An OSCAL assessment-results document (the reporter itself is loaded only then: not on the CI-gate path)."""
    return isinstance(data, dict) and ROOT_KEY in data


class _Props:
    """Our properties of one OSCAL object, a missing one reported at the object's position."""

    def __init__(self, document: Document, path: tuple[str | int, ...], props: list[_Prop]) -> None:
        from auditor.report.oscal import NS

        self.document, self.path, self.ns = document, path, NS
        self.values = {p.name: p.value for p in props if p.ns == NS}
        self.references: dict[str, list[str]] = {}
        for p in props:
            if p.ns == NS and p.name == "reference" and p.class_:
                self.references.setdefault(p.class_, []).append(p.value)

    def __getitem__(self, name: str) -> str:
        if name not in self.values:
            raise self.error(f"no property {name!r} of namespace {self.ns} (not assessment results written by auditor)")
        return self.values[name]

    def error(self, message: str) -> InputError:
        return InputError([InputIssue(self.document.locate(self.path), json_path(self.path), message)])


def results_from_oscal(document: Document) -> dict[str, Any]:
    """The parts of results.json that a diff and a baseline read: findings, rules, date, tool version."""
    parsed = validated(_File, document).assessment_results
    here: tuple[str | int, ...] = (ROOT_KEY, "results")
    if len(parsed.results) != 1:
        issue = f"{len(parsed.results)} results; auditor reads a file with one (one audit)"
        raise InputError([InputIssue(document.locate(here), json_path(here), issue)])
    result = parsed.results[0]
    here += (0,)
    waived = {
        _Props(document, (*here, "risks", i, "props"), risk.props)["fingerprint"]
        for i, risk in enumerate(result.risks)
        if risk.status == "deviation-approved"
    }
    findings, references = [], {}
    for i, observation in enumerate(result.observations):
        described = _Props(document, (*here, "observations", i, "props"), observation.props)
        rule = described["rule-id"]
        references[rule] = described.references
        for j, evidence in enumerate(observation.relevant_evidence):
            props = _Props(document, (*here, "observations", i, "relevant-evidence", j, "props"), evidence.props)
            if props["status"] not in Status.__members__:
                raise props.error(f"status {props['status']!r} is not one of {', '.join(Status)}")
            fingerprint = props["fingerprint"]
            findings.append(
                {
                    "fingerprint": fingerprint,
                    "rule_id": rule,
                    "asset_id": props["asset-id"],
                    "status": props["status"],
                    "severity": props["severity"],
                    "waived": fingerprint in waived,
                }
            )
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": result.start[:10],
        "tool": {"version": parsed.metadata.version},
        "findings": findings,
        "rules": [{"id": rule, "references": refs} for rule, refs in sorted(references.items())],
    }
