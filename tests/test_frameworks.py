"""Framework files and rule-pack meta-tests: mappings exist, agree with the rules, cover 7123(c)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.policy.frameworks import load_frameworks, render_coverage
from auditor.policy.loader import default_policies_dir, load_policies
from tests.conftest import invoke, write

POLICIES = default_policies_dir()


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    policies = load_policies(POLICIES)
    return policies, load_frameworks(POLICIES, policies)


def _covers(requirement: str, reference: str) -> bool:
    return reference == requirement or reference.startswith((requirement + "(", requirement + " "))


def test_every_rule_is_mapped_in_a_framework(loaded) -> None:  # type: ignore[no-untyped-def]
    policies, frameworks = loaded
    mapped = {rule for fw in frameworks.values() for req in fw.requirements for rule in req.rules}
    assert set(policies.rules) - mapped == set()


def test_every_rule_has_references_and_remediation(loaded) -> None:  # type: ignore[no-untyped-def]
    policies, _ = loaded
    lacking = [
        rid
        for rid, item in policies.rules.items()
        if not item.rule.references or not item.rule.remediation.strip() or not item.rule.rationale.strip()
    ]
    assert lacking == []


def test_framework_files_agree_with_the_rules_references(loaded) -> None:  # type: ignore[no-untyped-def]
    policies, frameworks = loaded
    problems = []
    for name, framework in frameworks.items():
        key = framework.reference_key
        if key is None:
            continue
        for requirement in framework.requirements:
            for rule_id in requirement.rules:
                cited = policies.rules[rule_id].rule.references.get(key, [])
                if not any(_covers(requirement.id, ref) for ref in cited):
                    problems.append(f"{name} {requirement.id} lists {rule_id}, which does not cite it")
        for rule_id, item in policies.rules.items():
            for ref in item.rule.references.get(key, []):
                owners = [r for r in framework.requirements if _covers(r.id, ref) and rule_id in r.rules]
                if not owners:
                    problems.append(f"{rule_id} cites {key} {ref}, which {name} does not map to it")
    assert problems == []


def test_cppa_framework_lists_the_18_audit_components(loaded) -> None:  # type: ignore[no-untyped-def]
    _, frameworks = loaded
    components = {r.id: r for r in frameworks["cppa"].requirements if r.id.startswith("7123(c)")}
    assert sorted(components) == sorted(f"7123(c)({n})" for n in range(1, 19))
    manual = sorted(int(r.id[8:-1]) for r in components.values() if r.coverage == "manual")
    assert manual == [6, 8, 9, 12, 13, 14]


def test_unknown_rule_in_a_framework_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    policies = load_policies(POLICIES)
    write(
        tmp_path,
        "policies/frameworks/mini.yaml",
        yaml.safe_dump(
            {
                "framework": "mini",
                "title": "Mini",
                "version": "1",
                "source": "test",
                "requirements": [
                    {"id": "R1", "title": "One", "coverage": "automated", "rules": ["NOPE-1"]},
                    {"id": "R2", "title": "Two", "coverage": "manual", "rules": ["AI-NET-01"]},
                ],
            },
            sort_keys=False,
        ),
    )
    with pytest.raises(InputError) as caught:
        load_frameworks(tmp_path / "policies", policies)
    assert [str(i) for i in caught.value.issues] == [
        "policies/frameworks/mini.yaml:10:5: $.requirements[0].rules[0]: unknown rule 'NOPE-1'",
        "policies/frameworks/mini.yaml:11:3: $.requirements[1]: "
        "a manual requirement lists no rules, and only a manual one",
    ]


def test_coverage_renderings(loaded) -> None:  # type: ignore[no-untyped-def]
    _, frameworks = loaded
    eu = frameworks["eu-ai-act"]
    assert render_coverage(eu, "csv").splitlines()[:3] == [
        "requirement,title,coverage,rules,note",
        "Art. 9,Risk management system,manual,,",
        "Art. 10,Data and data governance,partial,AIACT-10-DATA-GOVERNANCE,provenance and bias review recorded",
    ]
    markdown = render_coverage(eu, "markdown")
    assert "2 automated, 3 partly automated, 2 manual." in markdown
    assert "| Art. 12 | Record-keeping | automated | AIACT-12-LOG-RETENTION |  |" in markdown


def test_frameworks_cli(cli) -> None:  # type: ignore[no-untyped-def]
    listing = invoke(cli, "frameworks", "list")
    assert listing.exit_code == 0
    assert any(line.startswith("gdpr ") and "requirements" in line for line in listing.stdout.splitlines())
    csv_out = invoke(cli, "frameworks", "coverage", "cppa", "--format", "csv")
    assert (
        "7123(c)(17),Component 17: incident-response management,automated,GDPR-33-INCIDENT-RESPONSE-PLAN,"
        in csv_out.stdout
    )
    missing = invoke(cli, "frameworks", "coverage", "sox")
    assert missing.exit_code == 2 and "no framework 'sox'" in missing.stderr


def test_audit_result_carries_framework_posture(tmp_path: Path) -> None:
    from tests.conftest import audit_data

    result = audit_data(
        tmp_path,
        {
            "storage": [{"id": "s", "encryption_at_rest": {"enabled": False}}],
            "datasets": [{"id": "d", "personal_data": True, "stored_in": ["s"]}],
        },
    )
    gdpr = next(fw for fw in result.frameworks if fw.name == "gdpr")
    art32 = next(r for r in gdpr.requirements if r.id == "Art. 32")
    assert art32.state == "failed" and art32.failed >= 1
    eu = next(fw for fw in result.frameworks if fw.name == "eu-ai-act")
    assert {r.state for r in eu.requirements} == {"manual", "not_run"}
