"""Waivers: accepted risks with a justification, an approver and an expiry date.

A waived finding stays in the results, marked; an expired waiver waives nothing and is
itself reported, as is an active waiver that matches nothing.
"""

from __future__ import annotations

from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.dates import IsoDate
from auditor.errors import json_path
from auditor.inventory.source import display_path, read_document
from auditor.result import Finding, Waiver, WaiverState, WaiverStatus
from auditor.validation import validated


class _WaiverEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rule: str = Field(min_length=1, description="Rule id or fnmatch pattern.")
    assets: str = Field(min_length=1, description="Asset id or fnmatch pattern.")
    justification: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    expires: IsoDate
    scope: Literal["all"] | None = Field(
        None, description="'all' when the waiver deliberately covers every rule or every asset."
    )


class _WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    waivers: list[_WaiverEntry]


def load_waivers(path: Path, root: Path | None = None) -> list[Waiver]:
    document = read_document(path, display_path(path, root))
    parsed = validated(_WaiverFile, document)
    return [
        Waiver(
            rule=entry.rule,
            assets=entry.assets,
            justification=entry.justification,
            approver=entry.approver,
            expires=entry.expires.isoformat(),
            location=document.locate(("waivers", index)),
            path=json_path(("waivers", index)),
            scope=entry.scope,
        )
        for index, entry in enumerate(parsed.waivers)
    ]


def apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of: date) -> list[WaiverState]:
    """Mark failing findings covered by an active waiver; report every waiver's state."""
    matched = [0] * len(waivers)
    active = [date.fromisoformat(w.expires) >= as_of for w in waivers]
    for finding in findings:
        if not finding.status.needs_attention:
            continue
        for index, waiver in enumerate(waivers):
            if fnmatchcase(finding.rule_id, waiver.rule) and fnmatchcase(finding.asset_id, waiver.assets):
                matched[index] += 1
                if active[index] and finding.waived_by is None:
                    finding.waived_by = waiver
    states = []
    for index, waiver in enumerate(waivers):
        state: WaiverStatus = "expired" if not active[index] else "active" if matched[index] else "unused"
        states.append(WaiverState(waiver, state, matched[index]))
    return states
