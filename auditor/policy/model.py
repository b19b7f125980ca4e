"""The rule format: YAML data validated by these models (and by the JSON Schema made from them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from auditor.dates import DateRef
from auditor.result import Severity
from auditor.validation import union_tag

RuleId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", max_length=64)]
Path = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParamRef(_Strict):
    param: str


class PathRef(_Strict):
    path: Path


class AsOfRef(_Strict):
    """The audit date minus a number of days (a literal or a parameter), compared as a date."""

    days_before_as_of: int | ParamRef


class MilestoneRef(_Strict):
    """The date of a milestone of the regimes catalog (or the date the config pins it to)."""

    milestone: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


Literal_ = str | int | float | bool | list[str | int | float | bool]


def _operand_tag(value: Any) -> str:
    if isinstance(value, dict):
        for key, tag in (
            ("param", "param"),
            ("path", "path"),
            ("days_before_as_of", "as_of"),
            ("milestone", "milestone"),
        ):
            if key in value:
                return union_tag(tag)
    return union_tag("literal")


Operand = Annotated[
    Annotated[ParamRef, Tag(union_tag("param"))]
    | Annotated[PathRef, Tag(union_tag("path"))]
    | Annotated[AsOfRef, Tag(union_tag("as_of"))]
    | Annotated[MilestoneRef, Tag(union_tag("milestone"))]
    | Annotated[Literal_, Tag(union_tag("literal"))],
    Discriminator(_operand_tag),
]

ValueType = Literal["number", "string", "bool", "date", "version"]
Operator = Literal[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "intersects",
    "disjoint",
    "subset_of",
    "matches",
    "present",
    "absent",
    "empty",
    "not_empty",
]


class Leaf(_Strict):
    """Compare one attribute or derived fact with a value, a parameter or another path."""

    path: Path
    op: Operator
    value: Operand | None = None
    type: ValueType | None = None
    if_missing: bool | None = Field(
        None,
        description="Answer when the attribute is missing (default: unknown, so NOT_EVALUABLE). "
        "Selectors use false for 'applies only when declared'.",
    )


class All(_Strict):
    all: list[Condition] = Field(min_length=1)


class Any_(_Strict):
    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Relation(_Strict):
    """A condition over the assets linked to this one by graph edges of relation `rel`."""

    rel: str
    direction: Literal["out", "in"] = "out"
    kinds: list[str] = []
    match: Literal["any", "all", "none"] = "any"
    where: Condition | None = None


class Related(_Strict):
    related: Relation


def _condition_tag(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "related"):
            if key in value:
                return union_tag(key)
    return union_tag("leaf")


Condition = Annotated[
    Annotated[All, Tag(union_tag("all"))]
    | Annotated[Any_, Tag(union_tag("any"))]
    | Annotated[Not, Tag(union_tag("not"))]
    | Annotated[Related, Tag(union_tag("related"))]
    | Annotated[Leaf, Tag(union_tag("leaf"))],
    Discriminator(_condition_tag),
]


ParameterValue = int | float | bool | str | list[str | int | float]


class Parameter(_Strict):
    default: ParameterValue
    description: str
    source: str | None = None


class Exemption(_Strict):
    """Assets the rule selects but the law exempts for now: NOT_APPLICABLE with the reason, never judged."""

    when: Condition = Field(description="Holds for an exempt asset (an unknown value does not exempt).")
    reason: str = Field(description="Why, citing the provision; {path} fills in values.")


class AppliesTo(_Strict):
    kinds: list[
        Literal[
            "organization",
            "site",
            "compute",
            "cluster",
            "storage",
            "network",
            "dataset",
            "flow",
            "vendor",
            "workload",
            "collection_point",
        ]
    ] = Field(min_length=1)
    where: Condition | None = None
    not_applicable: Exemption | list[Exemption] | None = Field(
        None,
        description="A transitional exemption, e.g. AI Act Art. 111(3) for models placed on the market earlier, or"
        " several, each with its own reason: the first that holds gives it.",
    )


class Rule(_Strict):
    """One check. `condition` states the compliant state: it holds -> PASS, fails -> FAIL."""

    id: RuleId
    title: str = Field(max_length=150)
    severity: Severity
    verifies: Literal["substance", "evidence"] | None = Field(
        None,
        description="What the condition decides: `substance` (a setting, a value or a fact derived from the graph) "
        "or `evidence` (only that a reference or an attesting flag is on record). Framework coverage is "
        "checked against it.",
    )
    description: str
    rationale: str
    remediation: str
    references: dict[str, list[str]] = Field(min_length=1)
    notes: str | None = None
    tags: list[str] = []
    effective_from: DateRef | None = Field(
        None, description="From when the rule applies: a milestone name (preferred) or an ISO date; else the pack's."
    )
    effective_until: DateRef | None = None
    regime: str | None = Field(
        None,
        description="The scope fact gating this rule (facts.scope.<regime>) when it differs from its pack's, "
        "e.g. ccpa_service_provider for a service provider's own duties.",
    )
    applies_to: AppliesTo
    parameters: dict[str, Parameter] = {}
    compute: dict[str, str] = Field(
        {}, description="Named arithmetic over attributes, facts and parameters, shown as evidence."
    )
    condition: Condition
    evidence: list[Path] = Field([], description="Extra paths whose values go in the evidence.")
    evidence_path: Path | None = Field(None, description="A fact holding a list of asset ids, shown as the graph path.")
    fingerprint_key: Path | None = None
    message: str | None = Field(
        None,
        description="Failure message; {path} fills in values; {?path}text{/} keeps text only when the value "
        "is present (not unknown, not empty), {?path}text{:}other{/} shows other when it is not.",
    )


for _model in (All, Any_, Not, Relation, Exemption, AppliesTo, Rule):
    _model.model_rebuild()
