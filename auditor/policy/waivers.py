"""Waivers: accepted risks with a justification, an approver, a creation and an expiry date.

A waived finding stays in the results, marked; an expired waiver waives nothing and is
itself reported, as is an active waiver that matches nothing (stale). Governance: a waiver
may last at most `max_days` (from its `created` date, else from the audit date), and the
reports warn about waivers that expire within `warning_days` of the audit.
"""

from __future__ import annotations

from datetime import date, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.dates import IsoDate
from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import Document, display_path, read_document
from auditor.result import Finding, RegisterState, Waiver, WaiverState, WaiverStatus
from auditor.validation import validated


class _WaiverEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rule: str = Field(min_length=1, description="Rule id or fnmatch pattern.")
    assets: str = Field(min_length=1, description="Asset id or fnmatch pattern.")
    justification: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    created: IsoDate | None = Field(None, description="When the risk was accepted; the duration counts from it.")
    expires: IsoDate
    scope: Literal["all"] | None = Field(
        None, description="'all' when the waiver deliberately covers every rule or every asset."
    )


class _WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    waivers: list[_WaiverEntry]


DEFAULT_MAX_DAYS = 365
DEFAULT_WARNING_DAYS = 30


def load_waivers(
    path: Path, root: Path | None = None, as_of: date | None = None, max_days: int = DEFAULT_MAX_DAYS
) -> list[Waiver]:
    """The waivers of `path`; every one longer than `max_days` (or created after it expires) is an input error."""
    document = read_document(path, display_path(path, root))
    parsed = validated(_WaiverFile, document)
    issues = [
        issue
        for index, entry in enumerate(parsed.waivers)
        if (issue := _duration_issue(document, index, entry, as_of, max_days)) is not None
    ]
    if issues:
        raise InputError(issues)
    return [
        Waiver(
            rule=entry.rule,
            assets=entry.assets,
            justification=entry.justification,
            approver=entry.approver,
            created=entry.created.isoformat() if entry.created else None,
            expires=entry.expires.isoformat(),
            location=document.locate(("waivers", index)),
            path=json_path(("waivers", index)),
            scope=entry.scope,
        )
        for index, entry in enumerate(parsed.waivers)
    ]


def _duration_issue(
    document: Document, index: int, entry: _WaiverEntry, as_of: date | None, max_days: int
) -> InputIssue | None:
    start, since = (entry.created, "its creation") if entry.created else (as_of, "the audit date")
    if start is None:
        return None
    at = ("waivers", index, "expires")
    if entry.created and entry.created > entry.expires:
        message = f"waiver created on {entry.created} expires before that, on {entry.expires}"
    elif entry.expires - start > timedelta(days=max_days):
        days = (entry.expires - start).days
        message = (
            f"waiver expires {days} days after {since} ({start}); at most {max_days} days are allowed "
            "(--waiver-max-days): review it and set an earlier expiry"
        )
    else:
        return None
    return InputIssue(document.locate(at), json_path(at), message)


def waiver_notices(states: list[WaiverState], as_of: date, warning_days: int = DEFAULT_WARNING_DAYS) -> list[str]:
    """What the reader must act on: waivers about to expire, expired ones and stale ones (matching nothing)."""
    notices = []
    for state in states:
        waiver = state.waiver
        what = f"waiver at {waiver.location} ({waiver.rule} on {waiver.assets}, approved by {waiver.approver})"
        left = (date.fromisoformat(waiver.expires) - as_of).days
        if state.state == "expired":
            notices.append(f"{what} expired on {waiver.expires} and waives nothing: renew it or fix the findings")
            continue
        if left <= warning_days:
            notices.append(f"{what} expires on {waiver.expires}, in {left} day{'s' if left != 1 else ''}")
        if state.state == "unused":
            notices.append(f"{what} is stale: it matches no finding; remove it or correct its patterns")
    return notices


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], as_of: date, warning_days: int = DEFAULT_WARNING_DAYS
) -> list[WaiverState]:
    """Mark failing findings covered by an active waiver; report every waiver's state for the register.

    The waivers a rule's findings can match are found once per rule (not per finding and waiver:
    0.24 s at 100k assets with no waiver at all)."""
    matched = [0] * len(waivers)
    covers: list[list[str]] = [[] for _ in waivers]
    active = [date.fromisoformat(w.expires) >= as_of for w in waivers]
    by_rule: dict[str, list[int]] = {}
    for finding in findings if waivers else ():
        candidates = by_rule.get(finding.rule_id)
        if candidates is None:
            candidates = by_rule[finding.rule_id] = [
                index for index, waiver in enumerate(waivers) if fnmatchcase(finding.rule_id, waiver.rule)
            ]
        if not candidates or not finding.status.needs_attention:
            continue
        for index in candidates:
            if fnmatchcase(finding.asset_id, waivers[index].assets):
                matched[index] += 1
                if active[index] and finding.waived_by is None:
                    finding.waived_by = waivers[index]
                    covers[index].append(finding.fingerprint)
    states = []
    for index, waiver in enumerate(waivers):
        state: WaiverStatus = "expired" if not active[index] else "active" if matched[index] else "unused"
        left = (date.fromisoformat(waiver.expires) - as_of).days
        states.append(
            WaiverState(
                waiver, state, matched[index], left, register_state(state, left, warning_days), tuple(covers[index])
            )
        )
    return states


def register_state(state: WaiverStatus, days_left: int, warning_days: int) -> RegisterState:
    """The register's word for a waiver: matching nothing (stale) outranks expiring soon."""
    if state == "expired":
        return "expired"
    if state == "unused":
        return "stale"
    return "expiring" if days_left <= warning_days else "active"
