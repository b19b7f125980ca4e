"""The audit pipeline: load -> validate -> graph -> facts -> rules -> findings -> waivers.

Pure: it reads the files it is given and returns an AuditResult. It never prints, never
reads the environment and never decides exit codes; the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor import __version__
from auditor.errors import InputError, InputIssue
from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.graph.flowmap import build_flow_map
from auditor.inventory.loader import Inventory, load_inventory
from auditor.inventory.source import MAX_FILE_BYTES
from auditor.policy.baseline import compare, load_baseline
from auditor.policy.config import AuditConfig, load_config
from auditor.policy.evaluate import Evaluator
from auditor.policy.frameworks import load_frameworks, posture, rule_counts
from auditor.policy.loader import PolicySet, compile_enabled, load_policies
from auditor.policy.waivers import apply_waivers, load_waivers
from auditor.result import AuditResult, RuleInfo, Waiver


@dataclass(frozen=True)
class AuditRequest:
    inventory: Sequence[Path]
    policies: Path
    as_of: date
    config: Path | None = None
    waivers: Path | None = None
    baseline: Path | None = None
    max_file_bytes: int = MAX_FILE_BYTES


def _collect(issues: list[InputIssue], load, *args):  # type: ignore[no-untyped-def]
    try:
        return load(*args)
    except InputError as exc:
        issues.extend(exc.issues)
        return None


Stage = Callable[[str], None]


def _silent(stage: str) -> None:
    """The default stage listener: the engine itself never prints."""


def run_audit(request: AuditRequest, on_stage: Stage = _silent) -> AuditResult:
    """Audit the inventory; raise InputError listing every input problem found.

    `on_stage` hears the name of each step as it starts (the CLI shows it as progress).
    """
    issues: list[InputIssue] = []
    on_stage("loading and validating the inventory")
    inventory: Inventory | None = _collect(issues, load_inventory, request.inventory, request.max_file_bytes)
    policies: PolicySet | None = _collect(issues, load_policies, request.policies)
    config: AuditConfig | None = None
    frameworks = None
    if policies is not None:
        config = _collect(issues, load_config, request.config, policies)
        frameworks = _collect(issues, load_frameworks, request.policies, policies)
    waivers: list[Waiver] | None = []
    if request.waivers is not None:
        waivers = _collect(issues, load_waivers, request.waivers)
    baseline: frozenset[str] | None = None
    if request.baseline is not None:
        baseline = _collect(issues, load_baseline, request.baseline)
    if issues or inventory is None or policies is None or config is None or waivers is None or frameworks is None:
        raise InputError(issues)

    packs = policies.enabled_packs(config.enable_packs)
    enabled = compile_enabled(policies, config.parameters, set(config.disabled_rules), packs, request.as_of)
    rules = [(rule, pack) for rule, pack in enabled if rule.rule.in_force(request.as_of)]
    on_stage(f"building the graph of {len(inventory.assets)} assets")
    graph = build_graph(inventory)
    on_stage("deriving facts (jurisdiction, lineage, transfers, exposure, capacity)")
    facts = derive_facts(graph, request.as_of)
    on_stage(f"evaluating {len(rules)} rules")
    findings = sorted(Evaluator(graph, facts, request.as_of).run(rules), key=lambda f: f.sort_key)
    on_stage("applying waivers and baseline")
    waiver_states = apply_waivers(findings, waivers, request.as_of)
    baseline_counts = compare(findings, baseline) if baseline is not None else None
    org = inventory.organization
    evaluated = {rule.rule.id for rule, _ in rules}
    counts = rule_counts(findings)
    return AuditResult(
        tool_version=__version__,
        as_of=request.as_of.isoformat(),
        inputs=[{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in inventory.files],
        packs=[
            {
                "name": name,
                "title": info.title,
                "version": info.version,
                "sha256": policies.pack_hashes[name],
                "enabled": name in packs,
            }
            for name, info in sorted(policies.packs.items())
        ],
        rules=[
            RuleInfo(
                id=compiled.rule.id,
                title=compiled.rule.title,
                severity=compiled.rule.severity,
                pack=pack,
                description=compiled.rule.description,
                rationale=compiled.rule.rationale,
                remediation=compiled.rule.remediation,
                references=compiled.rule.references,
                notes=compiled.rule.notes,
                parameters=compiled.params,
            )
            for compiled, pack in rules
        ],
        findings=findings,
        waivers=waiver_states,
        asset_count=len(inventory.assets),
        assets_by_kind={kind: len(items) for kind, items in sorted(inventory.by_kind.items()) if items},
        organization=(org.name or org.id) if org else None,
        frameworks=[posture(framework, counts, evaluated) for framework in frameworks.values()],
        flow_map=build_flow_map(graph, facts),
        baseline=baseline_counts,
    )
