"""Load rule packs from policies folders: every invalid or duplicate rule stops the run.

The packs bundled inside the package are the default; more folders add packs on top of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.errors import InputError, InputIssue, SourceLocation, json_path
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.source import Document, display_path, read_document
from auditor.policy.calendar import Calendar, unknown_milestone
from auditor.policy.compiler import CompiledRule, RuleError, compile_rule
from auditor.policy.evaluate import RuleRun
from auditor.policy.model import DateRef, Rule
from auditor.validation import validated

PACK_FILE = "pack.yaml"
NOT_RULES = ("frameworks",)


class PackInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    version: str
    description: str = ""
    enabled_by_default: bool = True
    regime: str | None = Field(
        None, description="The law whose territorial scope gates the pack's rules (gdpr, ccpa), if any."
    )
    effective_from: DateRef | None = Field(
        None, description="From when the pack's rules apply: a milestone of the regimes catalog, e.g. gdpr.applies."
    )


@dataclass(frozen=True)
class LoadedRule:
    compiled: CompiledRule
    pack: str
    location: SourceLocation

    @property
    def rule(self) -> Rule:
        return self.compiled.rule


@dataclass
class PolicySet:
    rules: dict[str, LoadedRule]
    packs: dict[str, PackInfo]
    pack_hashes: dict[str, str]
    origin: str = "policies"  # the folder they came from, as users see it

    def enabled_packs(self, extra: list[str] | None = None, disabled: list[str] | None = None) -> set[str]:
        chosen = {name for name, pack in self.packs.items() if pack.enabled_by_default}
        return (chosen | set(extra or [])) - set(disabled or [])

    def switched_off(self, disabled: list[str]) -> list[str]:
        """The packs that run by default among `disabled`: a reader must know they were not audited."""
        return sorted(name for name in set(disabled) if self.packs[name].enabled_by_default)

    def runs(
        self,
        packs: set[str],
        disabled: set[str] | frozenset[str] = frozenset(),
        parameters: dict[str, dict[str, Any]] | None = None,
        calendar: Calendar | None = None,
    ) -> list[RuleRun]:
        """The rules of `packs`, less `disabled`, with the parameters and dates in effect."""
        parameters = parameters or {}
        calendar = calendar or Calendar()
        out = []
        for rule_id, loaded in self.rules.items():
            if loaded.pack not in packs or rule_id in disabled:
                continue
            pack = self.packs[loaded.pack]
            starts = loaded.rule.effective_from or pack.effective_from
            ends = loaded.rule.effective_until
            out.append(
                RuleRun(
                    loaded.compiled,
                    loaded.pack,
                    loaded.compiled.parameters(parameters.get(rule_id)),
                    regime=loaded.rule.regime or pack.regime,
                    starts=calendar.date_of(starts) if starts else None,
                    ends=calendar.date_of(ends) if ends else None,
                    since=calendar.source_of(starts) if starts else None,
                    milestones=tuple(ref for ref in (starts, ends) if isinstance(ref, str)),
                )
            )
        return out


def default_policies_dir() -> Path:
    """The rule packs and framework files bundled inside the package (auditor/policies)."""
    return Path(__file__).resolve().parents[1] / "policies"


PolicyFolders = Path | Sequence[Path]


def policy_folders(folders: PolicyFolders) -> list[Path]:
    """One folder or several, in the order their packs are read."""
    return [folders] if isinstance(folders, Path) else list(folders)


def load_policies(folders: PolicyFolders, root: Path | None = None, cache: ParseCache | None = None) -> PolicySet:
    """Read every rule pack under each folder (one sub-folder per pack, one YAML file per rule).

    A rule id or a pack name found in two places is an error naming both: a later folder
    never silently replaces what an earlier one defines. `cache`: where unchanged files' parses
    are kept (as for inventories): reading the bundled packs' YAML is half of loading them.
    """
    issues: list[InputIssue] = []
    rules: dict[str, LoadedRule] = {}
    packs: dict[str, PackInfo] = {}
    hashes: dict[str, str] = {}
    pack_dirs: dict[str, Path] = {}
    listed = policy_folders(folders)
    for folder in listed:
        _load_folder(folder, issues, rules, packs, hashes, pack_dirs, root, cache)
    if issues:
        raise InputError(issues)
    origin = ", ".join(display_path(folder, root) for folder in listed)
    return PolicySet(dict(sorted(rules.items())), packs, hashes, origin)


def _load_folder(
    folder: Path,
    issues: list[InputIssue],
    rules: dict[str, LoadedRule],
    packs: dict[str, PackInfo],
    hashes: dict[str, str],
    pack_dirs: dict[str, Path],
    root: Path | None,
    cache: ParseCache | None = None,
) -> None:
    """Add the packs of one folder to what earlier folders gave."""
    if not folder.is_dir():
        message = "policies folder not found (give the rule packs with --policies DIR)"
        issues.append(InputIssue(SourceLocation(display_path(folder, root)), "$", message))
        return
    candidates = sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in NOT_RULES)
    if not candidates and not any((folder / name).is_dir() for name in NOT_RULES):
        message = "no rule packs here (a sub-folder per pack, with a pack.yaml) and no frameworks/ folder"
        issues.append(InputIssue(SourceLocation(display_path(folder, root)), "$", message))
    for pack_dir in candidates:
        if pack_dir.name in pack_dirs:
            first = display_path(pack_dirs[pack_dir.name], root)
            message = f"duplicate pack {pack_dir.name!r} (first defined at {first})"
            issues.append(InputIssue(SourceLocation(display_path(pack_dir, root)), "$", message))
            continue
        pack_dirs[pack_dir.name] = pack_dir
        digest = hashlib.sha256()
        for path in sorted(pack_dir.rglob("*.yaml")):
            try:
                document = read_document(path, display_path(path, root), cache=cache)
            except InputError as exc:
                issues.extend(exc.issues)
                continue
            # The pack's hash: every file's path and SHA-256, in order (files are read once).
            digest.update(f"{path.relative_to(folder).as_posix()}\0{document.sha256}\n".encode())
            if path.name == PACK_FILE:
                pack = _validated(PackInfo, document, issues)
                if pack is not None:
                    packs[pack_dir.name] = pack
                    problem = isinstance(pack.effective_from, str) and unknown_milestone(pack.effective_from)
                    if problem:
                        issues.append(InputIssue(document.locate(("effective_from",)), "$.effective_from", problem))
                continue
            rule = _validated(Rule, document, issues)
            if rule is None:
                continue
            location = document.locate(("id",))
            if rule.id != path.stem:
                issues.append(
                    InputIssue(location, "$.id", f"rule id {rule.id!r} must match its file name {path.stem!r}")
                )
            if rule.id in rules:
                issues.append(
                    InputIssue(
                        location,
                        "$.id",
                        f"duplicate rule id {rule.id!r} (first defined at {rules[rule.id].location})",
                    )
                )
                continue
            try:
                compiled = compile_rule(rule)
            except RuleError as exc:
                issues.append(InputIssue(document.locate(exc.where), json_path(exc.where), exc.message))
                continue
            rules[rule.id] = LoadedRule(compiled, pack_dir.name, location)
        hashes[pack_dir.name] = digest.hexdigest()
        if pack_dir.name not in packs:
            missing = SourceLocation(display_path(pack_dir / PACK_FILE, root))
            issues.append(InputIssue(missing, "$", "every pack needs a pack.yaml (name, title, version)"))


def _validated(model: type[BaseModel], document: Document, issues: list[InputIssue]) -> Any:
    try:
        return validated(model, document)
    except InputError as exc:
        issues.extend(exc.issues)
        return None
