"""Framework files: each requirement of a law or control set, mapped to the rules that check it.

`<policies folder>/frameworks/<name>.yaml` lists requirements with their coverage and rule ids. The
coverage matrix and the per-requirement posture of an audit come from here. A reference to a rule
that does not exist stops the run like any invalid rule, and so does a claim the rules cannot back:

- `automated`: the rules decide the requirement's substance from declared facts (a setting, a value,
  a fact derived from the graph), so at least one of them declares `verifies: substance`;
- `documented`: the rules only check that evidence is on record (a reference, a named basis, an
  attesting flag), or decide part of the requirement; with a substance rule, the note names that part;
- `manual`: no rule; a reviewer checks it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.errors import InputError, InputIssue, SourceLocation, json_path
from auditor.inventory.source import display_path, read_document
from auditor.policy.loader import PolicyFolders, PolicySet, policy_folders
from auditor.result import Finding, FrameworkPosture, RequirementPosture, RequirementState, Status
from auditor.validation import validated

FRAMEWORKS_DIR = "frameworks"
Coverage = Literal["automated", "documented", "manual"]
COVERAGE_LEVELS: tuple[Coverage, ...] = get_args(Coverage)
COVERAGE_MEANING: dict[Coverage, str] = {
    "automated": "the rules decide the requirement's substance from declared facts (settings, values, facts "
    "derived from the graph and the catalogs).",
    "documented": "the rules check only that evidence is on record (a reference, a named basis, a flag attesting "
    "a contract term or a process), or decide only part of the requirement, named in the coverage note; "
    "a pass means the evidence is recorded, not that its content was verified.",
    "manual": "no rule checks it; a reviewer does.",
}


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    coverage: Coverage
    note: str | None = None
    rules: list[str] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[str]) -> list[str]:
        repeated = sorted(rule for rule, n in Counter(rules).items() if n > 1)
        if repeated:
            raise ValueError(f"rules listed twice: {', '.join(repeated)}")
        return rules


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    framework: str
    title: str
    version: str
    order: int = Field(100, description="Position in reports (lower first).")
    reference_key: str | None = Field(
        None, description="The key under which rules cite this framework in `references`."
    )
    source: str
    notes: str | None = None
    requirements: list[Requirement] = Field(min_length=1)


def load_frameworks(
    policies_dirs: PolicyFolders, policies: PolicySet, root: Path | None = None
) -> dict[str, Framework]:
    """Every framework file under <folder>/frameworks of each policies folder, checked against the loaded rules."""
    issues: list[InputIssue] = []
    frameworks: dict[str, Framework] = {}
    files: dict[str, Path] = {}
    for path in _framework_files(policies_dirs):
        if path.stem in files:
            first = display_path(files[path.stem], root)
            message = f"duplicate framework {path.stem!r} (first defined at {first})"
            issues.append(InputIssue(SourceLocation(display_path(path, root)), "$", message))
            continue
        files[path.stem] = path
        document = read_document(path, display_path(path, root))
        try:
            framework = validated(Framework, document)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        if framework.framework != path.stem:
            issues.append(
                InputIssue(document.locate(("framework",)), "$.framework", f"must match the file name {path.stem!r}")
            )
        seen: set[str] = set()
        for index, requirement in enumerate(framework.requirements):
            where = ("requirements", index)
            if requirement.id in seen:
                issues.append(
                    InputIssue(document.locate(where), json_path(where), f"duplicate requirement {requirement.id!r}")
                )
            seen.add(requirement.id)
            if (requirement.coverage == "manual") != (not requirement.rules):
                message = "a manual requirement lists no rules, and only a manual one"
                issues.append(InputIssue(document.locate(where), json_path(where), message))
            claim = _unbacked_claim(requirement, policies)
            if claim:
                issues.append(InputIssue(document.locate((*where, "coverage")), json_path((*where, "coverage")), claim))
            for position, rule_id in enumerate(requirement.rules):
                if rule_id not in policies.rules:
                    spot = (*where, "rules", position)
                    issues.append(InputIssue(document.locate(spot), json_path(spot), f"unknown rule {rule_id!r}"))
        frameworks[framework.framework] = framework
    if issues:
        raise InputError(issues)
    return dict(sorted(frameworks.items(), key=lambda item: (item[1].order, item[0])))


def _unbacked_claim(requirement: Requirement, policies: PolicySet) -> str | None:
    """What is wrong with the coverage claimed, judged by what the listed rules declare they verify."""
    verifies = {
        rule_id: policies.rules[rule_id].rule.verifies for rule_id in requirement.rules if rule_id in policies.rules
    }
    if None in verifies.values() or not verifies:  # a rule that does not say what it verifies is not judged
        return None
    substance = sorted(rule_id for rule_id, kind in verifies.items() if kind == "substance")
    if requirement.coverage == "automated" and not substance:
        return "automated, but every rule listed only checks evidence (verifies: evidence); use documented"
    if requirement.coverage == "documented" and substance and not requirement.note:
        decided = ", ".join(substance)
        return f"documented with rules that verify substance ({decided}): a note must say which part they decide"
    return None


def _framework_files(policies_dirs: PolicyFolders) -> list[Path]:
    folders = [folder / FRAMEWORKS_DIR for folder in policy_folders(policies_dirs)]
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.yaml"))]


def coverage_counts(framework: Framework) -> dict[str, int]:
    counts = Counter(r.coverage for r in framework.requirements)
    return {level: counts.get(level, 0) for level in COVERAGE_LEVELS}


def render_coverage(framework: Framework, fmt: str) -> str:
    """The coverage matrix: requirement -> rules -> automated / documented / manual."""
    header = ["requirement", "title", "coverage", "rules", "note"]
    rows = [[r.id, r.title, r.coverage, " ".join(r.rules), r.note or ""] for r in framework.requirements]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt == "markdown":
        counts = coverage_counts(framework)
        lines = [
            f"# {framework.title} ({framework.version})",
            "",
            f"{counts['automated']} automated, {counts['documented']} documented, {counts['manual']} manual.",
            "",
            *(f"- **{level}**: {meaning}" for level, meaning in COVERAGE_MEANING.items()),
            "",
            "| Requirement | Title | Coverage | Rules | Note |",
            "|---|---|---|---|---|",
        ]
        lines += [f"| {r[0]} | {r[1]} | {r[2]} | {', '.join(r[3].split())} | {r[4]} |" for r in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


_VALUES = {status: status.value for status in Status}  # Enum's .value is a slow property: 0.1 s at 100k assets


def rule_counts(findings: list[Finding], passed: Mapping[str, list[str]] | None = None) -> dict[str, Counter[str]]:
    """Results per rule by status (waived failures counted apart), computed once per audit.

    `passed`: per rule the assets that passed, when the passes are not among `findings`.
    """
    by_rule: dict[str, Counter[str]] = {}
    for rule_id, ids in (passed or {}).items():
        if ids:
            by_rule.setdefault(rule_id, Counter())[Status.PASS.value] += len(ids)
    for finding in findings:
        status = "WAIVED" if finding.waived_by is not None else _VALUES[finding.status]
        counter = by_rule.get(finding.rule_id)
        if counter is None:
            counter = by_rule[finding.rule_id] = Counter()
        counter[status] += 1
    return by_rule


def posture(framework: Framework, by_rule: dict[str, Counter[str]], evaluated_rules: set[str]) -> FrameworkPosture:
    """Per requirement: did its rules find open failures, undecidable assets, or only passes?"""
    requirements = []
    for requirement in framework.requirements:
        rules = tuple(r for r in requirement.rules if r in evaluated_rules)
        counts: Counter[str] = Counter()
        for rule_id in rules:
            counts.update(by_rule.get(rule_id, Counter()))
        state: RequirementState
        if requirement.coverage == "manual":
            state = "manual"
        elif not rules:  # its rules are off (pack disabled) or not in force at the audit date
            state = "not_run"
        elif counts[Status.FAIL.value]:
            state = "failed"
        elif counts[Status.NOT_EVALUABLE.value]:
            state = "not_evaluable"
        elif counts[Status.PASS.value] or counts["WAIVED"]:
            state = "passed"
        else:
            state = "not_applicable"
        requirements.append(
            RequirementPosture(
                requirement.id,
                requirement.title,
                requirement.coverage,
                state,
                rules,
                counts[Status.FAIL.value],
                counts[Status.NOT_EVALUABLE.value],
                counts[Status.PASS.value],
                counts[Status.NOT_APPLICABLE.value],
            )
        )
    return FrameworkPosture(framework.framework, framework.title, framework.version, tuple(requirements))
