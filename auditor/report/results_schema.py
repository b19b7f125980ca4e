"""The shape of results.json as pydantic models, so that its JSON Schema is generated, not hand-kept.

The models only describe the document: the JSON reporter builds plain dicts (pydantic would be
too slow at 100k assets), and the tests validate what it writes against the generated schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.policy.frameworks import Coverage
from auditor.policy.model import ParameterValue, RuleId
from auditor.result import (
    BaselineState,
    RegisterState,
    RequirementState,
    ResponseStatus,
    SchemaVersion,
    Severity,
    Status,
    WaiverStatus,
)

Count = Annotated[int, Field(ge=0)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Line = Annotated[int, Field(ge=1)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tool(_Closed):
    name: Literal["auditor"]
    version: str


class Input(_Closed):
    """An inventory file read: its path as given and its content hash."""

    path: str
    sha256: Sha256
    bytes: Count


class SettingsFile(_Closed):
    """A config, waiver, baseline or responses file the audit read: what it is, its path and its content hash."""

    role: Literal["config", "waivers", "baseline", "responses"]
    path: str
    sha256: Sha256
    bytes: Count


class Pack(_Closed):
    name: str
    title: str
    version: str
    sha256: Sha256
    enabled: bool


class StatusCounts(_Closed):
    PASS: Count
    FAIL: Count
    NOT_EVALUABLE: Count
    NOT_APPLICABLE: Count


class ResultCounts(StatusCounts):
    """Results by status; WAIVED counts the failures (already in FAIL) that a waiver covers."""

    WAIVED: Count


class BaselineCounts(_Closed):
    new: Count
    unchanged: Count
    resolved: Count


class Summary(_Closed):
    assets: Count
    assets_by_kind: dict[str, Annotated[int, Field(ge=1)]]
    rules: Count
    results: ResultCounts
    open_failures_by_severity: dict[Severity, Annotated[int, Field(ge=1)]] = Field(
        description="Only severities with open failures appear."
    )
    baseline: BaselineCounts | None
    overdue_responses: Count = Field(
        description="Findings whose management response is due before the audit date and still open or in progress."
    )


class Rule(_Closed):
    id: RuleId
    title: str
    severity: Severity
    pack: str
    references: dict[str, list[str]]
    parameters: dict[str, ParameterValue]
    counts: StatusCounts
    passed_assets: list[str]


class Location(_Closed):
    file: str
    line: Line
    column: Line
    end_line: Line | None = Field(description="The line of the asset's last character (its extent in the file).")
    end_column: Line | None = Field(
        description="The column just after the asset's last character, as SARIF's endColumn: YAML, the end of "
        "its last value (of its closing brace in flow style); JSON, its closing brace."
    )


class ManagementResponse(_Closed):
    """Management's response to the finding, from the --responses file."""

    owner: str
    due: IsoDate
    response: str
    status: ResponseStatus
    overdue: bool = Field(description="Due before the audit date and still open or in progress.")
    location: str = Field(description="file:line:column of the response.")


class AppliedWaiver(_Closed):
    rule: str
    assets: str
    justification: str
    approver: str
    expires: IsoDate


class ImportedFrom(_Closed):
    file: str
    line: Line
    address: str | None = Field(description="The resource address in that source, e.g. aws_s3_bucket.data.")


class Finding(_Closed):
    """A FAIL, NOT_EVALUABLE or NOT_APPLICABLE result (its message says why); passes are listed per rule."""

    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    rule_id: RuleId
    asset_id: str
    asset_kind: str
    status: Literal[Status.FAIL, Status.NOT_EVALUABLE, Status.NOT_APPLICABLE]
    severity: Severity
    message: str
    location: Location
    evidence: dict[str, Any]
    graph_path: list[str]
    missing: list[str]
    waived: bool
    baseline_state: BaselineState | None
    imported_from: ImportedFrom | None = Field(
        description="The source an importer generated the asset from (e.g. a Terraform plan): where the fix goes."
    )
    waiver: AppliedWaiver | None
    response: ManagementResponse | None


class RequirementSummary(_Closed):
    passed: Count
    failed: Count
    not_evaluable: Count
    not_applicable: Count
    not_run: Count
    manual: Count


class Requirement(_Closed):
    id: str
    title: str
    coverage: Coverage
    state: RequirementState
    rules: list[RuleId]
    failed: Count
    not_evaluable: Count
    passed: Count
    not_applicable: Count


class Framework(_Closed):
    name: str
    title: str
    version: str
    summary: RequirementSummary
    requirements: list[Requirement]


class Waiver(AppliedWaiver):
    scope: Literal["all"] | None = Field(description="'all': a declared blanket waiver (every rule or every asset).")
    created: IsoDate | None
    state: WaiverStatus
    register_state: RegisterState = Field(
        description="active, expiring (within --waiver-warning-days), expired, or stale (matches nothing)."
    )
    days_left: int = Field(description="Days from the audit date to the expiry; negative once expired.")
    matched: Count
    covers: list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]] = Field(
        description="Fingerprints of the findings the waiver waives."
    )
    location: str = Field(description="file:line:column of the waiver.")


class ResultsDocument(_Closed):
    """results.json: the canonical, versioned audit result."""

    schema_version: SchemaVersion
    tool: Tool
    as_of: IsoDate
    generated_at: str | None = Field(
        description="When the report was generated (UTC, from SOURCE_DATE_EPOCH); null without it, so that the "
        "same inputs and audit date give the same bytes."
    )
    organization: str | None
    inputs: list[Input]
    settings: list[SettingsFile] = Field(description="The config, waiver, baseline and responses files read, hashed.")
    packs: list[Pack]
    notices: list[str] = Field(
        description="What the reader must know first: an allowed empty audit, a blanket waiver, pinned dates, "
        "overridden thresholds, pending amendments not applied."
    )
    summary: Summary
    rules: list[Rule]
    findings: list[Finding]
    frameworks: list[Framework]
    waivers: list[Waiver]
