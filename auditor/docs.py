"""Generate docs/rules.md from the rule packs: `python -m auditor.docs` (a test fails when stale)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from auditor.policy.frameworks import Framework, load_frameworks
from auditor.policy.loader import PolicySet, default_policies_dir, load_policies

TARGET = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_rules(policies: PolicySet, frameworks: dict[str, Framework]) -> str:
    mapped: dict[str, list[str]] = defaultdict(list)
    for name, framework in frameworks.items():
        for requirement in framework.requirements:
            for rule_id in requirement.rules:
                mapped[rule_id].append(f"{name} {requirement.id}")
    lines = [
        "# Rules",
        "",
        "Generated from `policies/` by `python -m auditor.docs`; do not edit by hand.",
        "",
        "| Pack | Rules | Enabled by default |",
        "|---|---:|---|",
    ]
    by_pack: dict[str, list[str]] = defaultdict(list)
    for rule_id, item in policies.rules.items():
        by_pack[item.pack].append(rule_id)
    for pack_name, pack in sorted(policies.packs.items()):
        lines.append(f"| {pack.title} | {len(by_pack[pack_name])} | {'yes' if pack.enabled_by_default else 'no'} |")
    for pack_name, pack in sorted(policies.packs.items()):
        about = f"Pack `{pack_name}`, version {pack.version}. {_one_line(pack.description)}"
        lines += ["", f"## {pack.title}", "", about]
        for rule_id in by_pack[pack_name]:
            rule = policies.rules[rule_id].rule
            lines += [
                "",
                f"### {rule.id}: {rule.title}",
                "",
                f"- **Severity:** {rule.severity.value}",
                f"- **Applies to:** {', '.join(rule.applies_to.kinds)}",
            ]
            if rule.effective_from or rule.effective_until:
                window = f"from {rule.effective_from or 'always'}" + (
                    f" until {rule.effective_until}" if rule.effective_until else ""
                )
                lines.append(f"- **In force:** {window}")
            refs = "; ".join(f"{key}: {', '.join(items)}" for key, items in sorted(rule.references.items()))
            lines.append(f"- **References:** {refs}")
            if mapped.get(rule_id):
                lines.append(f"- **Frameworks:** {', '.join(sorted(mapped[rule_id]))}")
            for name, spec in rule.parameters.items():
                source = f" (source: {spec.source})" if spec.source else ""
                lines.append(f"- **Parameter** `{name}` = `{spec.default}`: {spec.description}{source}")
            lines += ["", _one_line(rule.description), "", f"*Why:* {_one_line(rule.rationale)}", ""]
            lines.append(f"*Remediation:* {_one_line(rule.remediation)}")
            if rule.notes:
                lines += ["", f"*Notes:* {_one_line(rule.notes)}"]
    return "\n".join(lines) + "\n"


def current() -> str:
    folder = default_policies_dir()
    policies = load_policies(folder)
    return render_rules(policies, load_frameworks(folder, policies))


if __name__ == "__main__":
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(current(), encoding="utf-8")
    print(f"wrote {TARGET}")
