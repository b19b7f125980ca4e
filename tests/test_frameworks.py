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
    """A reference to the requirement or to a part of it (GDPR `Art. 5(1)`, NIST enhancement `ia-2.1`)."""
    return reference == requirement or reference.startswith((requirement + "(", requirement + " ", requirement + "."))


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


NIST_CATALOG = Path(__file__).parent / "data" / "nist-800-53r5-control-ids.txt"


def test_nist_ids_are_those_of_nists_oscal_catalog(loaded) -> None:  # type: ignore[no-untyped-def]
    policies, frameworks = loaded
    lines = [line.split(" ") for line in NIST_CATALOG.read_text().splitlines() if not line.startswith("#")]
    labels = dict(lines)
    assert (labels["ac-2"], labels["ac-2.1"], labels["sc-28.1"]) == ("AC-2", "AC-2(1)", "SC-28(1)")
    framework = frameworks["nist-800-53r5"]
    cited = {ref for item in policies.rules.values() for ref in item.rule.references.get(framework.reference_key, [])}
    assert sorted(({r.id for r in framework.requirements} | cited) - labels.keys()) == []
    assert sorted(cited) == ["ac-3", "ac-4", "au-11", "au-12", "au-2", "cm-7", "cm-8", "cp-10", "cp-9", "ia-2.1",
                             "ia-2.2", "ir-3", "ir-8", "ra-2", "ra-5", "sa-22", "sa-9", "sc-12", "sc-28", "sc-7",
                             "sc-8", "si-12", "si-2"]  # fmt: skip


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
        "Art. 4,AI literacy,documented,AIACT-4-AI-LITERACY,"
        "that the measures are recorded; whether they suffice for the staff and systems is manual",
        "Art. 5,Prohibited AI practices,manual,,",
    ]
    markdown = render_coverage(eu, "markdown").splitlines()
    assert markdown[2:8] == [
        "1 automated, 13 documented, 3 manual.",
        "",
        "- **automated**: the rules decide the requirement's substance from declared facts (settings, values, "
        "facts derived from the graph and the catalogs).",
        "- **documented**: the rules check only that evidence is on record (a reference, a named basis, a flag "
        "attesting a contract term or a process), or decide only part of the requirement, named in the coverage "
        "note; a pass means the evidence is recorded, not that its content was verified.",
        "- **manual**: no rule checks it; a reviewer does.",
        "",
    ]
    assert "| Art. 19 | Automatically generated logs | automated | AIACT-12-LOG-RETENTION | " in "\n".join(markdown)


def test_frameworks_list_counts_automated_documented_manual(cli) -> None:  # type: ignore[no-untyped-def]
    listing = invoke(cli, "frameworks", "list")
    assert listing.exit_code == 0
    lines = {line.split()[0]: line for line in listing.stdout.splitlines()}
    assert lines["gdpr"] == (
        "gdpr                  36 requirements:   5 automated,  27 documented,   4 manual   "
        "GDPR (Regulation (EU) 2016/679)"
    )
    assert lines["cppa"] == (
        "cppa                  39 requirements:   8 automated,  23 documented,   8 manual   "
        "CPPA regulations (11 CCR 7000 et seq.), 2025 amendments"
    )


def test_frameworks_coverage_csv_says_what_is_only_documented(cli) -> None:  # type: ignore[no-untyped-def]
    gdpr = invoke(cli, "frameworks", "coverage", "gdpr", "--format", "csv").stdout.splitlines()
    rows = {line.split(",", 1)[0]: line for line in gdpr}
    assert gdpr[0] == "requirement,title,coverage,rules,note"
    assert rows["Art. 28"] == (
        'Art. 28,Processor,documented,GDPR-17-PROCESSOR-DELETION GDPR-28-PROCESSOR-CONTRACT '
        "GDPR-28-SUBPROCESSOR-AUTHORISED GDPR-28-SUBPROCESSOR-FLOW-DOWN GDPR-33-PROCESSOR-BREACH-CLAUSE,"
        '"DPA, breach clause and deletion on record for processors; for sub-processors (whose contract is the '
        "processor's, Art. 28(4)) the controller's recorded authorisation (28(2)) and that the processor's DPA "
        'requires the flow-down (28(3)(d), 28(4)), as declared; the other Art. 28(3) terms are not read"'
    )
    assert rows["Art. 33"].startswith(
        "Art. 33,Notification of a breach to the supervisory authority,documented,"
        "GDPR-33-BREACH-REGISTER GDPR-33-INCIDENT-RESPONSE-PLAN GDPR-33-PROCESSOR-BREACH-CLAUSE,"
    )
    assert rows["Art. 44"].startswith(
        "Art. 44,General principle for transfers (incl. onward transfers and remote access),automated,"
        "GDPR-44-REMOTE-ACCESS GDPR-44-TRANSFER-BASIS,"
    )
    assert rows["Art. 46"].startswith("Art. 46,Transfers subject to appropriate safeguards,documented,")
    assert rows["Art. 15"] == "Art. 15,Right of access,manual,,"
    cppa = invoke(cli, "frameworks", "coverage", "cppa", "--format", "csv").stdout
    assert "\n7025,Opt-out preference signals,documented,CCPA-135-GLOBAL-PRIVACY-CONTROL CCPA-135-OPT-OUT-NOTICE," in (
        cppa
    )
    assert "\n7026,Requests to opt out of sale or sharing,documented,CCPA-120-OPT-OUT," in cppa
    assert (
        "\n7053,Contract requirements for third parties,documented,CCPA-100-THIRD-PARTY-CONTRACT,"
        '"automated part: the third parties sold or shared to (derived); the contract only by reference, its terms '
        'are not read"\n' in cppa
    )
    assert (
        "\n7123(c)(17),Component 17: incident-response management,documented,GDPR-33-INCIDENT-RESPONSE-PLAN,"
        "only that a tested incident-response plan is on record\n" in cppa
    )
    missing = invoke(cli, "frameworks", "coverage", "sox")
    assert missing.exit_code == 2 and "no framework 'sox'" in missing.stderr


def test_every_bundled_rule_says_what_it_verifies(loaded) -> None:  # type: ignore[no-untyped-def]
    policies, _ = loaded
    assert [rid for rid, item in policies.rules.items() if item.rule.verifies is None] == []


def test_a_coverage_the_rules_cannot_back_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
                    {"id": "R1", "title": "RoPA", "coverage": "automated", "rules": ["GDPR-30-RECORD-OF-PROCESSING"]},
                    {"id": "R2", "title": "Crypto", "coverage": "documented", "rules": ["GDPR-32-ENCRYPTION-AT-REST"]},
                    {
                        "id": "R3",
                        "title": "Crypto, part",
                        "coverage": "documented",
                        "note": "automated part: encryption at rest",
                        "rules": ["GDPR-32-ENCRYPTION-AT-REST"],
                    },
                    {
                        "id": "R4",
                        "title": "Mixed",
                        "coverage": "automated",
                        "rules": ["GDPR-30-RECORD-OF-PROCESSING", "GDPR-32-ENCRYPTION-AT-REST"],
                    },
                    {"id": "R5", "title": "Old word", "coverage": "partial", "rules": ["AI-NET-01"]},
                ],
            },
            sort_keys=False,
        ),
    )
    with pytest.raises(InputError) as caught:
        load_frameworks(tmp_path / "policies", policies)
    assert [str(i) for i in caught.value.issues] == [
        "policies/frameworks/mini.yaml:30:13: $.requirements[4].coverage: "
        "Input should be 'automated', 'documented' or 'manual' (got 'partial')",
    ]
    text = (tmp_path / "policies/frameworks/mini.yaml").read_text()
    (tmp_path / "policies/frameworks/mini.yaml").write_text(text.replace("coverage: partial", "coverage: automated"))
    with pytest.raises(InputError) as caught:
        load_frameworks(tmp_path / "policies", policies)
    assert [str(i) for i in caught.value.issues] == [
        "policies/frameworks/mini.yaml:8:13: $.requirements[0].coverage: automated, but every rule listed only "
        "checks evidence (verifies: evidence); use documented",
        "policies/frameworks/mini.yaml:13:13: $.requirements[1].coverage: documented with rules that verify "
        "substance (GDPR-32-ENCRYPTION-AT-REST): a note must say which part they decide",
    ]


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
    # the AI Act pack runs by default, and nothing here is an AI system
    assert {r.state for r in eu.requirements} == {"manual", "not_applicable"}


def test_results_json_carries_the_coverage_of_each_requirement(tmp_path: Path) -> None:
    import json

    from auditor.report import json_report
    from tests.conftest import audit_data

    result = audit_data(
        tmp_path,
        {
            "storage": [{"id": "s", "encryption_at_rest": {"enabled": True}}],
            "datasets": [{"id": "d", "personal_data": True, "stored_in": ["s"]}],
        },
    )
    frameworks = {fw["name"]: fw for fw in json.loads(json_report.render(result))["frameworks"]}
    gdpr = {r["id"]: (r["coverage"], r["state"]) for r in frameworks["gdpr"]["requirements"]}
    assert gdpr["Art. 5(1)(e)"] == ("automated", "failed")  # no retention period
    assert gdpr["Art. 30"] == ("documented", "failed")  # no RoPA reference
    assert gdpr["Art. 34"] == ("documented", "passed")  # only the encryption exemption is decided
    assert gdpr["Art. 15"] == ("manual", "manual")
    cppa = {r["id"]: r["coverage"] for r in frameworks["cppa"]["requirements"]}
    assert (cppa["7025"], cppa["7026"], cppa["7053"], cppa["7122"], cppa["7124"]) == (
        "documented",
        "documented",
        "documented",
        "manual",
        "documented",
    )
    levels = {r["coverage"] for fw in frameworks.values() for r in fw["requirements"]}
    assert levels == {"automated", "documented", "manual"}


def test_html_report_gives_the_coverage_legend(tmp_path: Path) -> None:
    from auditor.report import html
    from tests.conftest import audit_data

    page = html.render(audit_data(tmp_path, {"storage": [{"id": "s"}]})).decode()
    assert (
        '<ul class="coverage-legend">\n'
        "    <li><b>automated</b>: the rules decide the requirement&#39;s substance from declared facts (settings, "
        "values, facts derived from the graph and the catalogs).</li>\n"
        "    <li><b>documented</b>: the rules check only that evidence is on record (a reference, a named basis, a "
        "flag attesting a contract term or a process), or decide only part of the requirement, named in the "
        "coverage note; a pass means the evidence is recorded, not that its content was verified.</li>\n"
        "    <li><b>manual</b>: no rule checks it; a reviewer does.</li>\n"
        "  </ul>"
    ) in page
