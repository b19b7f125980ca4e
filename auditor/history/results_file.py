"""A results.json (or OSCAL assessment results) given to `auditor diff`: read, checked for what a diff
needs, located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from auditor.errors import InputError, InputIssue
from auditor.history.oscal_results import is_oscal, results_from_oscal
from auditor.inventory.source import display_path, read_document
from auditor.validation import validated


class _Finding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fingerprint: str
    rule_id: str
    asset_id: str
    status: str
    severity: str
    waived: bool


class _Rule(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    references: dict[str, list[str]]


class _Results(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: str
    findings: list[_Finding]
    rules: list[_Rule]


def load_results(path: Path) -> dict[str, Any]:
    document = read_document(path, display_path(path))
    if is_oscal(document.data):
        return results_from_oscal(document)
    parsed = validated(_Results, document)
    if not parsed.schema_version.startswith("1."):
        where = document.locate(("schema_version",))
        raise InputError(
            [InputIssue(where, "$.schema_version", f"unsupported results version {parsed.schema_version!r}")]
        )
    data: dict[str, Any] = document.data
    return data
