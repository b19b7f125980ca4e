"""The organisation's audit configuration: rule parameter overrides, disabled rules, extra packs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.dates import IsoDate
from auditor.errors import InputError, InputIssue, json_path
from auditor.graph.organization import THRESHOLD_KEYS
from auditor.inventory.source import DataPath, Document, display_path, read_document
from auditor.policy.calendar import unknown_milestone
from auditor.policy.compiler import RuleError, compile_rule
from auditor.policy.loader import PolicySet
from auditor.suggest import did_you_mean, shown
from auditor.validation import validated


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    parameters: dict[str, dict[str, Any]] = {}
    disabled_rules: list[str] = []
    enable_packs: list[str] = []
    disable_packs: list[str] = Field(
        default_factory=list, description="Packs that run by default switched off (every report names them)."
    )
    milestones: dict[str, IsoDate] = Field(
        default_factory=dict,
        description="Milestones of the regimes catalog pinned to another date (the report says so).",
    )
    thresholds: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="CCPA/CPPA threshold figures overriding the catalog's (the report says so)."
    )

    def notices(self) -> list[str]:
        """Overrides of catalog figures, which every report states."""
        return [
            f"threshold {key} is overridden by the config: {value:,.0f}"
            for key, value in sorted(self.thresholds.items())
        ]


def load_config(path: Path | None, policies: PolicySet, root: Path | None = None) -> AuditConfig:
    """Read and check the config against the loaded rules; every problem is reported at once."""
    if path is None:
        return AuditConfig()
    document = read_document(path, display_path(path, root))
    if document.data is None:
        return AuditConfig()
    issues: list[InputIssue] = []
    config: AuditConfig | None = None
    try:
        config = validated(AuditConfig, document)
    except InputError as exc:
        issues.extend(exc.issues)
    # The checks against the rules read the raw data, so they run even when the schema failed.
    data = document.data if isinstance(document.data, dict) else {}
    issues += _parameter_issues(data.get("parameters"), document, policies)
    issues += _name_issues(data.get("disabled_rules"), "disabled_rules", "rule", policies.rules, document)
    issues += _name_issues(data.get("enable_packs"), "enable_packs", "rule pack", policies.packs, document)
    issues += _name_issues(data.get("disable_packs"), "disable_packs", "rule pack", policies.packs, document)
    issues += _catalog_issues(data, document)
    if issues or config is None:
        raise InputError(issues)
    return config


def _issue(document: Document, where: DataPath, message: str) -> InputIssue:
    return InputIssue(document.locate(where), json_path(where), message)


def _parameter_issues(parameters: Any, document: Document, policies: PolicySet) -> list[InputIssue]:
    issues: list[InputIssue] = []
    if not isinstance(parameters, dict):
        return issues
    for rule_id, overrides in parameters.items():
        loaded = policies.rules.get(rule_id)
        if loaded is None:
            hint = did_you_mean(rule_id, policies.rules)
            issues.append(_issue(document, ("parameters", rule_id), f"unknown rule {shown(rule_id)}{hint}"))
            continue
        if not isinstance(overrides, dict):
            continue
        found = len(issues)
        for name, value in overrides.items():
            where: DataPath = ("parameters", rule_id, name)
            spec = loaded.rule.parameters.get(name)
            if spec is None:
                known = ", ".join(sorted(loaded.rule.parameters)) or "none"
                hint = did_you_mean(name, loaded.rule.parameters)
                message = f"rule {rule_id} has no parameter {shown(name)}{hint} (known: {known})"
                issues.append(_issue(document, where, message))
            elif not _same_type(spec.default, value):
                message = f"expected {_kind(spec.default)} like the default {spec.default!r}, got {shown(value)}"
                issues.append(_issue(document, where, message))
            elif _negative_for_positive(spec.default, value):
                message = f"expected a number >= 0 like the default {spec.default!r}, got {shown(value)}"
                issues.append(_issue(document, where, message))
        if len(issues) == found:  # well-typed overrides: the rule must still compile with them
            try:
                compile_rule(loaded.rule, check_with=overrides)
            except RuleError as exc:
                issues.append(
                    _issue(
                        document,
                        ("parameters", rule_id),
                        f"with these parameters, the rule's {json_path(exc.where)}: {exc.message}",
                    )
                )
    return issues


def _catalog_issues(data: dict[str, Any], document: Document) -> list[InputIssue]:
    """Pinned milestones and overridden thresholds must name entries of the shipped catalogs."""
    issues = []
    milestones = data.get("milestones")
    for name in milestones if isinstance(milestones, dict) else []:
        problem = unknown_milestone(str(name))
        if problem:
            issues.append(_issue(document, ("milestones", name), problem))
    thresholds = data.get("thresholds")
    for key in thresholds if isinstance(thresholds, dict) else []:
        if key not in THRESHOLD_KEYS:
            hint = did_you_mean(str(key), THRESHOLD_KEYS)
            message = f"unknown threshold {shown(key)}{hint} (known: {', '.join(THRESHOLD_KEYS)})"
            issues.append(_issue(document, ("thresholds", key), message))
    return issues


def _name_issues(names: Any, key: str, what: str, known: dict[str, Any], document: Document) -> list[InputIssue]:
    if not isinstance(names, list):
        return []
    return [
        _issue(document, (key, index), f"unknown {what} {shown(name)}{did_you_mean(name, known)}")
        for index, name in enumerate(names)
        if isinstance(name, str) and name not in known
    ]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "text"


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    return type(default) is type(value)


def _negative_for_positive(default: Any, value: Any) -> bool:
    """A limit, count or ratio whose default is not negative cannot be set below zero (nor to NaN)."""
    numbers = isinstance(default, int | float) and not isinstance(default, bool)
    return numbers and default >= 0 and not value >= 0
