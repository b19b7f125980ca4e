"""The audit pipeline: graph -> facts -> rules -> findings -> waivers -> AuditResult.

`audit()` works on inputs already loaded (an Inventory, a PolicySet ...), so tests and other
programs can audit data without files; `load_inputs()` reads the files of an AuditRequest and
`run_audit()` does both. The engine never prints, never reads the environment or the clock and
never decides exit codes: the CLI does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from auditor import __version__, teardown
from auditor.errors import InputError, InputIssue, SourceLocation
from auditor.gc_pause import collector_paused
from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.graph.flowmap import build_flow_map
from auditor.graph.organization import stale_threshold_notices
from auditor.inventory.loader import Inventory, load_inventory
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.source import MAX_FILE_BYTES, display_path
from auditor.policy.baseline import compare, load_baseline
from auditor.policy.calendar import Calendar
from auditor.policy.config import AuditConfig, load_config
from auditor.policy.evaluate import Evaluator
from auditor.policy.frameworks import Framework, load_frameworks, posture, rule_counts
from auditor.policy.loader import PolicyFolders, PolicySet, load_policies
from auditor.policy.responses import apply_responses, load_responses
from auditor.policy.waivers import (
    DEFAULT_MAX_DAYS,
    DEFAULT_WARNING_DAYS,
    apply_waivers,
    load_waivers,
    waiver_notices,
)
from auditor.result import AuditResult, Passes, Response, RuleInfo, Waiver

Stage = Callable[[str], None]


def _silent(stage: str) -> None:
    """The default stage listener: the engine itself never prints."""


@dataclass(frozen=True)
class AuditRequest:
    """The files of an audit, as the CLI names them."""

    inventory: Sequence[Path]
    policies: PolicyFolders
    as_of: date
    config: Path | None = None
    waivers: Path | None = None
    baseline: Path | None = None
    responses: Path | None = None  # management responses per finding fingerprint
    max_file_bytes: int = MAX_FILE_BYTES
    allow_empty: bool = False
    root: Path | None = None  # file names in outputs are relative to it (default: the working folder)
    waiver_max_days: int = DEFAULT_MAX_DAYS
    waiver_warning_days: int = DEFAULT_WARNING_DAYS
    # The user's cache folder: unchanged YAML inventory files' parses and the rules' compiled code (None: none kept).
    cache_dir: Path | None = None
    # Draw the data-flow map: only the HTML and PDF show it (0.2-0.3 s at 100k assets; keeping the
    # graph to draw it later, on first use, cost 50 MB more at the peak).
    flow_map: bool = True


@dataclass
class AuditInputs:
    """Everything an audit reads, loaded and checked."""

    inventory: Inventory
    policies: PolicySet
    frameworks: dict[str, Framework]
    config: AuditConfig = field(default_factory=AuditConfig)
    waivers: list[Waiver] = field(default_factory=list)
    baseline: frozenset[str] | None = None
    responses: list[Response] = field(default_factory=list)


def _collect(issues: list[InputIssue], load, *args):  # type: ignore[no-untyped-def]
    try:
        return load(*args)
    except InputError as exc:
        issues.extend(exc.issues)
        return None


def load_inputs(request: AuditRequest) -> AuditInputs:
    """Read every input file; raise InputError listing every problem in all of them."""
    issues: list[InputIssue] = []
    root = request.root
    cache = ParseCache(request.cache_dir) if request.cache_dir is not None else None
    inventory: Inventory | None = _collect(
        issues, load_inventory, request.inventory, request.max_file_bytes, root, cache
    )
    policies: PolicySet | None = _collect(issues, load_policies, request.policies, root, cache)
    config: AuditConfig | None = None
    frameworks = None
    if policies is not None:
        config = _collect(issues, load_config, request.config, policies, root)
        frameworks = _collect(issues, load_frameworks, request.policies, policies, root)
    waivers: list[Waiver] | None = []
    if request.waivers is not None:
        waivers = _collect(issues, load_waivers, request.waivers, root, request.as_of, request.waiver_max_days)
    baseline: frozenset[str] | None = None
    if request.baseline is not None:
        baseline = _collect(issues, load_baseline, request.baseline, root)
    responses: list[Response] | None = []
    if request.responses is not None:
        responses = _collect(issues, load_responses, request.responses, root)
    if (
        issues
        or inventory is None
        or policies is None
        or config is None
        or waivers is None
        or frameworks is None
        or responses is None
    ):
        raise InputError(issues)
    return AuditInputs(inventory, policies, frameworks, config, waivers, baseline, responses)


def run_audit(request: AuditRequest, on_stage: Stage = _silent) -> AuditResult:
    """Load the request's files and audit them; raise InputError listing every input problem."""
    on_stage("loading and validating the inputs")
    with collector_paused():
        result = audit(
            load_inputs(request),
            request.as_of,
            on_stage,
            allow_empty=request.allow_empty,
            waiver_warning_days=request.waiver_warning_days,
            code_cache=request.cache_dir,
            flow_map=request.flow_map,
        )
    result.settings = _settings_files(request)
    return result


def _settings_files(request: AuditRequest) -> list[dict[str, Any]]:
    """The config, waiver, baseline and responses files, hashed for the reports' input manifest."""
    named = (
        ("config", request.config),
        ("waivers", request.waivers),
        ("baseline", request.baseline),
        ("responses", request.responses),
    )
    files = []
    for role, path in named:
        if path is not None:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            files.append({"role": role, "path": display_path(path, request.root), "sha256": digest, "bytes": len(data)})
    return files


def audit(
    inputs: AuditInputs,
    as_of: date,
    on_stage: Stage = _silent,
    *,
    only: Sequence[str] | None = None,
    allow_empty: bool = False,
    waiver_warning_days: int = DEFAULT_WARNING_DAYS,
    code_cache: Path | None = None,
    flow_map: bool = True,
) -> AuditResult:
    """Audit loaded inputs at `as_of` (`only`: evaluate just these rules, for focused tests; `code_cache`:
    where the rules' generated code is kept compiled, None: not kept; `flow_map`: draw the data-flow map,
    else the result's is empty)."""
    inventory, policies, config = inputs.inventory, inputs.policies, inputs.config
    packs = policies.enabled_packs(config.enable_packs, config.disable_packs)
    calendar = Calendar(config.milestones)
    scheduled = policies.runs(packs, set(config.disabled_rules), config.parameters, calendar)
    if only is not None:
        scheduled = [run for run in scheduled if run.compiled.rule.id in only]
    rules = [run for run in scheduled if run.in_force(as_of)]
    notices = _refuse_silent_greens(inputs, rules, allow_empty)
    on_stage(f"building the graph of {len(inventory.assets)} assets")
    graph = build_graph(inventory)
    on_stage("deriving facts (jurisdiction, lineage, transfers, exposure, capacity)")
    facts = derive_facts(graph, as_of, config.thresholds)
    on_stage(f"evaluating {len(rules)} rules")
    evaluation = Evaluator(graph, facts, as_of, calendar, code_cache).run(rules)
    findings = sorted(evaluation.findings, key=lambda f: f.sort_key)
    judging = {f.rule_id for f in findings} | {rule_id for rule_id, ids in evaluation.passed.items() if ids}
    judged = (m for run in rules if run.compiled.rule.id in judging for m in run.milestones)
    notices += calendar.notices((m for run in scheduled for m in run.milestones), as_of, judged) + config.notices()
    if inventory.organization is not None and "ccpa" in packs:
        notices += stale_threshold_notices(as_of, config.thresholds)
    notices += [
        f"rule pack {name} runs by default but is disabled by the config (disable_packs): its rules were not evaluated"
        for name in policies.switched_off(config.disable_packs)
    ]
    on_stage("applying waivers and baseline")
    waiver_states = apply_waivers(findings, inputs.waivers, as_of, waiver_warning_days)
    notices += waiver_notices(waiver_states, as_of, waiver_warning_days)
    notices += apply_responses(findings, inputs.responses)
    baseline_counts = compare(findings, inputs.baseline) if inputs.baseline is not None else None
    org = inventory.organization
    evaluated = {run.compiled.rule.id for run in rules}
    counts = rule_counts(findings, evaluation.passed)
    teardown.keep(inputs, graph, facts)
    return AuditResult(
        tool_version=__version__,
        as_of=as_of.isoformat(),
        inputs=[{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in inventory.files],
        packs=_packs(policies, packs),
        rules=[
            RuleInfo(
                id=run.compiled.rule.id,
                title=run.compiled.rule.title,
                severity=run.compiled.rule.severity,
                pack=run.pack,
                description=run.compiled.rule.description,
                rationale=run.compiled.rule.rationale,
                remediation=run.compiled.rule.remediation,
                references=run.compiled.rule.references,
                notes=run.compiled.rule.notes,
                parameters=run.params,
                verifies=run.compiled.rule.verifies,
            )
            for run in rules
        ],
        findings=findings,
        waivers=waiver_states,
        asset_count=len(inventory.assets),
        assets_by_kind={kind: len(items) for kind, items in sorted(inventory.by_kind.items()) if items},
        organization=(org.name or org.id) if org else None,
        frameworks=[posture(framework, counts, evaluated) for framework in inputs.frameworks.values()],
        flow_map=build_flow_map(graph, facts) if flow_map else {},
        baseline=baseline_counts,
        notices=notices,
        passes=Passes(evaluation.passed, _KindsAndLocations(inventory)),
    )


class _KindsAndLocations(Mapping[str, tuple[str, SourceLocation]]):
    """Each asset's kind and location, what a pass needs to become a Finding, tabled on first use:
    only reports that list passes one by one ask (JUnit, OSCAL, HTML, PDF), and the table of every
    asset costs 0.05 s at 100k assets, which a JSON and SARIF audit never reads."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory
        self._table: dict[str, tuple[str, SourceLocation]] | None = None

    def _tabled(self) -> dict[str, tuple[str, SourceLocation]]:
        if self._table is None:
            inventory = self._inventory
            locations = inventory.locations
            self._table = {
                asset.id: (kind, locations[asset.id]) for kind, assets in inventory.by_kind.items() for asset in assets
            }
        return self._table

    def __getitem__(self, asset_id: str) -> tuple[str, SourceLocation]:
        return self._tabled()[asset_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tabled())

    def __len__(self) -> int:
        return len(self._tabled())


def _packs(policies: PolicySet, enabled: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "title": info.title,
            "version": info.version,
            "sha256": policies.pack_hashes[name],
            "enabled": name in enabled,
        }
        for name, info in sorted(policies.packs.items())
    ]


def _refuse_silent_greens(inputs: AuditInputs, rules: Sequence[Any], allow_empty: bool) -> list[str]:
    """An audit of nothing, by nothing, or with a blanket waiver is an error unless allowed.

    A CI job pointed at the wrong folder must not pass. Returns the notices the reports carry
    when such an audit is explicitly allowed.
    """
    notices: list[str] = []
    issues: list[InputIssue] = []
    empty: list[tuple[SourceLocation, str]] = []
    if not inputs.inventory.assets:
        first = inputs.inventory.files[0].path if inputs.inventory.files else "inventory"
        empty.append((SourceLocation(first), "the inventory holds no assets"))
    if not rules:
        empty.append((SourceLocation(inputs.policies.origin), "no rule is enabled and in force at the audit date"))
    for location, problem in empty:
        if allow_empty:
            notices.append(f"{problem}; audited anyway (--allow-empty)")
        else:
            issues.append(
                InputIssue(location, "$", f"{problem}: nothing would be checked (--allow-empty to audit anyway)")
            )
    for waiver in inputs.waivers:
        covered = _blanket(waiver, sorted(inputs.policies.rules), sorted(inputs.inventory.assets))
        if not covered:
            continue
        if waiver.scope == "all":
            notices.append(f"waiver at {waiver.location} covers every {covered} (scope: all): {waiver.justification}")
        else:
            message = (
                f"waiver covers every {covered}; name what it accepts, or declare 'scope: all' with its justification"
            )
            issues.append(InputIssue(waiver.location, waiver.path, message))
    if issues:
        raise InputError(issues)
    return notices


def _blanket(waiver: Waiver, rule_ids: list[str], asset_ids: list[str]) -> str:
    """'rule', 'asset' or 'rule and every asset' when a pattern matches all there is, else ''."""
    covered = [
        what
        for what, pattern, universe in (("rule", waiver.rule, rule_ids), ("asset", waiver.assets, asset_ids))
        if any(char in pattern for char in "*?[") and universe and all(fnmatchcase(i, pattern) for i in universe)
    ]
    return " and every ".join(covered)
