"""What changed between two audits, by finding fingerprint and per framework.

A finding is open when it fails or cannot be evaluated and no waiver covers it. Against the
earlier run, an open finding of the later run is new, persisting or changed-severity; an open
finding of the earlier run that the later one does not have open is resolved. A finding belongs
to every framework its rule references ("unmapped" when none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Change = Literal["new", "resolved", "persisting", "changed_severity"]
CHANGES: tuple[Change, ...] = ("new", "resolved", "persisting", "changed_severity")
UNMAPPED = "unmapped"


@dataclass(frozen=True)
class ChangedFinding:
    change: Change
    fingerprint: str
    rule_id: str
    asset_id: str
    severity: str
    previous_severity: str | None  # set when the severity changed


@dataclass
class FrameworkDiff:
    framework: str
    findings: list[ChangedFinding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {change: sum(1 for f in self.findings if f.change == change) for change in CHANGES}


def _open(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f["fingerprint"]: f
        for f in document["findings"]
        if f["status"] in ("FAIL", "NOT_EVALUABLE") and not f["waived"]
    }


def rule_frameworks(*documents: dict[str, Any]) -> dict[str, list[str]]:
    """Rule id -> the frameworks it references, the later document's rules winning."""
    out: dict[str, list[str]] = {}
    for document in documents:
        for rule in document["rules"]:
            out[rule["id"]] = sorted(rule.get("references") or {}) or [UNMAPPED]
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[FrameworkDiff]:
    """Per framework (sorted by name), every changed or persisting finding, sorted by rule and asset."""
    old, new = _open(before), _open(after)
    by_rule = rule_frameworks(before, after)
    changed: list[ChangedFinding] = []
    for fingerprint, finding in new.items():
        earlier = old.get(fingerprint)
        if earlier is None:
            change: Change = "new"
        elif earlier["severity"] != finding["severity"]:
            change = "changed_severity"
        else:
            change = "persisting"
        previous = earlier["severity"] if change == "changed_severity" and earlier else None
        changed.append(
            ChangedFinding(change, fingerprint, finding["rule_id"], finding["asset_id"], finding["severity"], previous)
        )
    for fingerprint, finding in old.items():
        if fingerprint not in new:
            changed.append(
                ChangedFinding(
                    "resolved", fingerprint, finding["rule_id"], finding["asset_id"], finding["severity"], None
                )
            )
    by_framework: dict[str, FrameworkDiff] = {}
    for item in sorted(changed, key=lambda c: (c.rule_id, c.asset_id, c.fingerprint)):
        for name in by_rule.get(item.rule_id, [UNMAPPED]):
            by_framework.setdefault(name, FrameworkDiff(name)).findings.append(item)
    return [by_framework[name] for name in sorted(by_framework)]


def render_json(diffs: list[FrameworkDiff]) -> str:
    document = {
        "frameworks": [
            {
                "framework": d.framework,
                "counts": d.counts(),
                "findings": [
                    {
                        "change": f.change,
                        "fingerprint": f.fingerprint,
                        "rule_id": f.rule_id,
                        "asset_id": f.asset_id,
                        "severity": f.severity,
                        "previous_severity": f.previous_severity,
                    }
                    for f in d.findings
                ],
            }
            for d in diffs
        ]
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _severity(item: ChangedFinding) -> str:
    return f"{item.previous_severity} -> {item.severity}" if item.previous_severity else item.severity


def _counts_line(d: FrameworkDiff) -> str:
    return ", ".join(f"{count} {change.replace('_', ' ')}" for change, count in d.counts().items())


def render_table(diffs: list[FrameworkDiff]) -> str:
    """Counts per framework, then the changes; persisting findings are counted, not listed (JSON lists them)."""
    if not diffs:
        return "no open findings in either run\n"
    lines: list[str] = []
    for d in diffs:
        lines.append(f"{d.framework}: {_counts_line(d)}")
        lines += [
            f"  {f.change:<16} {_severity(f):<18} {f.rule_id:<32} {f.asset_id}"
            for f in d.findings
            if f.change != "persisting"
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def render_markdown(diffs: list[FrameworkDiff]) -> str:
    lines = ["# Changes since the previous audit", ""]
    if not diffs:
        return "\n".join([*lines, "No open findings in either run.", ""])
    for d in diffs:
        lines += [f"## {_cell(d.framework)}", "", _counts_line(d), ""]
        shown = [f for f in d.findings if f.change != "persisting"]
        if shown:
            lines += ["| Change | Severity | Rule | Asset |", "|---|---|---|---|"]
            lines += [
                f"| {f.change.replace('_', ' ')} | {_severity(f)} | {_cell(f.rule_id)} | {_cell(f.asset_id)} |"
                for f in shown
            ]
            lines.append("")
    return "\n".join(lines)


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}


def totals(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Open findings by change over all frameworks, each finding counted once."""
    old, new = _open(before), _open(after)
    changed = sum(1 for key in old.keys() & new.keys() if old[key]["severity"] != new[key]["severity"])
    return {
        "new": len(new.keys() - old.keys()),
        "resolved": len(old.keys() - new.keys()),
        "persisting": len(old.keys() & new.keys()) - changed,
        "changed_severity": changed,
    }
