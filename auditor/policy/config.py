"""The organisation's audit configuration: rule parameter overrides, disabled rules, extra packs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict

from auditor.errors import InputError, InputIssue, json_path
from auditor.graph.organization import THRESHOLD_KEYS
from auditor.inventory.source import DataPath, display_path, read_document
from auditor.policy.calendar import unknown_milestone
from auditor.policy.loader import PolicySet
from auditor.policy.paths import suggestion
from auditor.validation import validated


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    parameters: dict[str, dict[str, Any]] = {}
    disabled_rules: list[str] = []
    enable_packs: list[str] = []
    milestones: dict[str, Annotated[date, Strict(False)]] = Field(
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
    """Read and check the config against the loaded rules; unknown names are errors."""
    if path is None:
        return AuditConfig()
    document = read_document(path, display_path(path, root))
    if document.data is None:
        return AuditConfig()
    config = validated(AuditConfig, document)
    issues = []
    for rule_id, overrides in config.parameters.items():
        loaded = policies.rules.get(rule_id)
        if loaded is None:
            issues.append(
                InputIssue(
                    document.locate(("parameters", rule_id)),
                    json_path(("parameters", rule_id)),
                    f"unknown rule {rule_id!r}",
                )
            )
            continue
        for name, value in overrides.items():
            where: DataPath = ("parameters", rule_id, name)
            spec = loaded.rule.parameters.get(name)
            if spec is None:
                known = ", ".join(sorted(loaded.rule.parameters)) or "none"
                issues.append(
                    InputIssue(
                        document.locate(where),
                        json_path(where),
                        f"rule {rule_id} has no parameter {name!r} (known: {known})",
                    )
                )
            elif not _same_type(spec.default, value):
                issues.append(
                    InputIssue(
                        document.locate(where),
                        json_path(where),
                        f"expected {_kind(spec.default)} like the default {spec.default!r}, got {value!r}",
                    )
                )
    for index, rule_id in enumerate(config.disabled_rules):
        if rule_id not in policies.rules:
            where = ("disabled_rules", index)
            issues.append(InputIssue(document.locate(where), json_path(where), f"unknown rule {rule_id!r}"))
    for index, pack in enumerate(config.enable_packs):
        if pack not in policies.packs:
            where = ("enable_packs", index)
            issues.append(InputIssue(document.locate(where), json_path(where), f"unknown rule pack {pack!r}"))
    for name in config.milestones:
        problem = unknown_milestone(name)
        if problem:
            where = ("milestones", name)
            issues.append(InputIssue(document.locate(where), json_path(where), problem))
    for key in config.thresholds:
        if key not in THRESHOLD_KEYS:
            where = ("thresholds", key)
            message = f"unknown threshold {key!r}{suggestion(key, THRESHOLD_KEYS)} (known: {', '.join(THRESHOLD_KEYS)})"
            issues.append(InputIssue(document.locate(where), json_path(where), message))
    if issues:
        raise InputError(issues)
    return config


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
