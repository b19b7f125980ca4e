"""OSCAL assessment results: valid against NIST's 1.1.2 schema, readable by compliance-trestle, exact content."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regex
from trestle.oscal.assessment_results import AssessmentResults

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import renderer
from auditor.report.oscal import NS, control_token
from auditor.result import AuditResult, Status
from tests.conftest import AS_OF, EXAMPLE, REPO, audit_process, checked

SCHEMA = json.loads((Path(__file__).parent / "data" / "oscal_assessment-results_schema-1.1.2.json").read_text())
TOKEN = SCHEMA["definitions"]["TokenDatatype"]["pattern"]  # an XML NCName, in Unicode classes
WAIVERS = REPO / "inventories" / "example.waivers.yaml"
CONFIG = REPO / "inventories" / "example.config.yaml"


def _unicode_pattern(
    validator: jsonschema.protocols.Validator, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """NIST's patterns use Unicode classes (`\\p{L}`) that Python's `re` lacks; `regex` has them."""
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _unicode_pattern})


def schema_errors(document: Any) -> list[str]:
    validator = OscalValidator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return sorted(f"{e.json_path}: {e.message}" for e in validator.iter_errors(document))


def prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


@pytest.fixture(scope="module")
def example() -> AuditResult:
    request = AuditRequest([EXAMPLE], default_policies_dir(), AS_OF, waivers=WAIVERS, config=CONFIG)
    return checked(run_audit(request))


@pytest.fixture(scope="module")
def document(example: AuditResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(renderer("oscal")(example))
    return data


@pytest.fixture(scope="module")
def ar(document: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = document["assessment-results"]
    return results


def test_the_schema_is_nists_1_1_2_and_our_validator_applies_its_patterns() -> None:
    assert SCHEMA["$id"] == "http://csrc.nist.gov/ns/oscal/1.1.2/oscal-ar-schema.json"
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    metadata = {"title": "t", "last-modified": "2026-11-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}
    bad_name = {**metadata, "props": [{"name": "1bad", "value": "x"}]}  # a token starts with a letter
    broken = {"assessment-results": {"uuid": "not-a-uuid", "metadata": bad_name, "import-ap": {}, "results": []}}
    assert schema_errors(broken) == [
        f"$['assessment-results'].metadata.props[0].name: '1bad' does not match {TOKEN!r}",
        "$['assessment-results'].results: [] should be non-empty",
        "$['assessment-results'].uuid: 'not-a-uuid' does not match "
        "'^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$'",
        "$['assessment-results']['import-ap']: 'href' is a required property",
    ]


def test_example_is_valid_against_the_nist_schema(document: dict[str, Any]) -> None:
    assert schema_errors(document) == []


def test_compliance_trestle_reads_it(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "assessment-results.json"
    path.write_text(json.dumps(document))
    loaded = AssessmentResults.oscal_read(path)
    assert loaded is not None and loaded.metadata.oscal_version.__root__ == "1.1.2"
    result = loaded.results[0]
    nist = {
        f.target.target_id: f.target.status.state.value
        for f in result.findings or []
        if f.props and f.props[0].value == "nist-800-53r5"
    }
    assert nist["sc-8"] == "not-satisfied" and nist["au-2"] == "satisfied"
    assert {method for o in result.observations or [] for method in o.methods} == {"TEST", "EXAMINE"}


def test_metadata_and_result_summary(ar: dict[str, Any], example: AuditResult) -> None:
    assert ar["metadata"] == {
        "title": "Audit of Nordlicht AI GmbH as of 2026-11-01",
        "last-modified": "2026-11-01T00:00:00Z",
        "version": example.tool_version,
        "oscal-version": "1.1.2",
    }
    (result,) = ar["results"]
    assert result["start"] == "2026-11-01T00:00:00Z"
    counts = example.counts()  # exact numbers would change with every rule added; the precision suite pins those
    assert result["description"] == (
        f"{example.asset_count} assets checked by {len(example.rules)} rules: {counts['PASS']} PASS, "
        f"{counts['FAIL']} FAIL, {counts['NOT_EVALUABLE']} NOT_EVALUABLE, {counts['NOT_APPLICABLE']} NOT_APPLICABLE, "
        f"{counts['WAIVED']} WAIVED."
    )
    assert result["remarks"] == "\n".join(example.notices)
    assert ar["import-ap"] == {"href": "#" + ar["back-matter"]["resources"][0]["uuid"]}


def test_one_observation_per_rule_and_asset_kind_pointing_at_inventory_lines(
    ar: dict[str, Any], example: AuditResult
) -> None:
    observations = ar["results"][0]["observations"]
    keys = [(o["props"][0]["value"], o["props"][1]["value"]) for o in observations]
    assert keys == sorted({(f.rule_id, f.asset_kind) for f in example.results()})
    flows = next(o for o in observations if o["title"] == "SEC-FLOW-ENCRYPTION-IN-TRANSIT on flow assets")
    assert flows["description"] == "Data flows are encrypted in transit. 15 flow assets evaluated: 13 PASS, 2 FAIL."
    assert flows["methods"] == ["TEST"] and flows["collected"] == "2026-11-01T00:00:00Z"
    (fingerprint,) = [
        f.fingerprint
        for f in example.findings
        if f.asset_id == "flow-etl-to-features" and f.rule_id == "SEC-FLOW-ENCRYPTION-IN-TRANSIT"
    ]
    assert flows["relevant-evidence"][3] == {
        "href": "inventories/example/60-flows-workloads.yaml#L25",
        "description": "flow-etl-to-features (FAIL) flow flow-etl-to-features from fra-etl-1 to fra-feature-store "
        "is not encrypted in transit",
        "props": [
            prop("asset-id", "flow-etl-to-features"),
            prop("line", "25"),
            prop("fingerprint", fingerprint),
            prop("status", "FAIL"),
            prop("severity", "high"),
        ],
    }
    references = [(p["class"], p["value"]) for p in flows["props"] if p["name"] == "reference"]
    assert references == [
        ("cis", "3.10"),
        ("cppa", "7123(c)(2)"),
        ("gdpr", "Art. 32(1)(a)"),
        ("iso27001", "A.8.24"),
        ("nist80053", "sc-8"),
    ]
    verifies = {rule.id: rule.verifies for rule in example.rules}
    methods = {o["props"][0]["value"]: o["methods"] for o in observations}
    assert {rule for rule, method in methods.items() if method == ["EXAMINE"]} == {
        rule for rule in methods if verifies[rule] == "evidence"
    }


def test_findings_per_judged_requirement_with_targets_as_the_frameworks_name_them(
    ar: dict[str, Any], example: AuditResult
) -> None:
    findings = ar["results"][0]["findings"]
    states = Counter(r.state for framework in example.frameworks for r in framework.requirements)
    targets = {(f["props"][0]["value"], f["target"]["title"]): f["target"] for f in findings}
    assert targets[("nist-800-53r5", "sc-8")] == {
        "type": "objective-id",
        "target-id": "sc-8",
        "title": "sc-8",
        "status": {"state": "not-satisfied", "reason": "fail"},
    }
    assert targets[("iso27001-2022", "A.8.24")]["target-id"] == "A.8.24"
    assert targets[("gdpr", "Art. 5(1)(f)")]["target-id"] == "Art._5_1_f"
    assert targets[("nist-800-53r5", "au-2")]["status"] == {"state": "satisfied", "reason": "pass"}
    assert targets[("cppa", "7070")] == {
        "type": "objective-id",
        "target-id": "cppa_7070",
        "title": "7070",
        "status": {
            "state": "satisfied",
            "reason": "not-applicable",
            "remarks": "No asset in the inventory is of a kind its rules apply to.",
        },
    }
    undecided = [t for t in targets.values() if t["status"]["reason"] == "not-evaluable"]
    assert len(undecided) == states["not_evaluable"] > 0 and all(
        t["status"]["state"] == "not-satisfied" for t in undecided
    )
    assert targets[("gdpr", "Art. 9")]["status"]["remarks"] == (
        "cannot decide: facts.personal_data.special_categories (personal_data is not declared on dataset(s) "
        "ams-shared-drive)"
    )
    controls = ar["results"][0]["reviewed-controls"]["control-selections"]
    nist = next(s for s in controls if s["props"] == [prop("framework", "nist-800-53r5")])
    assert [c["control-id"] for c in nist["include-controls"]][:3] == ["ac-3", "ac-4", "au-2"]
    judged = sum(n for state, n in states.items() if state not in ("manual", "not_run"))
    assert sum(len(s["include-controls"]) for s in controls) == len(findings) == judged


def test_risks_for_open_failures_and_waivers_as_approved_deviations(ar: dict[str, Any], example: AuditResult) -> None:
    risks = ar["results"][0]["risks"]
    assert len(risks) == len(example.with_status(Status.FAIL))
    etl = next(r for r in risks if r["title"] == "SEC-FLOW-ENCRYPTION-IN-TRANSIT on flow-etl-to-features")
    assert etl["status"] == "open"
    assert etl["statement"] == (
        "flow-etl-to-features: flow flow-etl-to-features from fra-etl-1 to fra-feature-store "
        "is not encrypted in transit"
    )
    assert etl["characterizations"][0]["facets"] == [{"name": "severity", "system": NS, "value": "high"}]
    assert etl["remediations"][0]["description"] == (
        "Enable TLS 1.2+ (or an encrypted tunnel) on the flow and set encrypted_in_transit to true."
    )
    waived = [r for r in risks if r["status"] == "deviation-approved"]
    assert len(waived) == 2
    eol = next(r for r in waived if r["title"] == "SEC-END-OF-LIFE-HARDWARE on ams-fileserver")
    assert eol["deadline"] == "2027-03-31T00:00:00Z"
    assert eol["props"][2:] == [prop("waiver-approver", "ciso@nordlicht.example"), prop("waiver-expires", "2027-03-31")]
    (entry,) = eol["risk-log"]["entries"]
    assert entry["status-change"] == "deviation-approved" and entry["start"] == "2026-11-01T00:00:00Z"
    assert entry["description"].endswith(
        "Approved by ciso@nordlicht.example, expires 2027-03-31 (inventories/example.waivers.yaml:3:5)."
    )
    sc8 = next(f for f in ar["results"][0]["findings"] if f["target"]["target-id"] == "sc-8")
    assert etl["uuid"] in {r["risk-uuid"] for r in sc8["related-risks"]}


def test_back_matter_holds_every_input_and_pack_with_its_sha256(ar: dict[str, Any], example: AuditResult) -> None:
    links = {r["rlinks"][0]["href"]: r["rlinks"][0]["hashes"] for r in ar["back-matter"]["resources"] if "rlinks" in r}
    expected = {f["path"]: f["sha256"] for f in (*example.inputs, *example.settings)}
    expected |= {f"{NS}/pack/{p['name']}": p["sha256"] for p in example.packs}
    assert links == {href: [{"algorithm": "SHA-256", "value": digest}] for href, digest in expected.items()}


def test_uuids_are_unique_and_follow_the_inputs(document: dict[str, Any], example: AuditResult) -> None:
    text = json.dumps(document)
    uuids = [value for key, value in _pairs(document) if key == "uuid"]
    assert len(uuids) == len(set(uuids)) and all(u[14] == "5" for u in uuids)
    changed = replace(example, inputs=[{**example.inputs[0], "sha256": "0" * 64}, *example.inputs[1:]])
    other = json.loads(renderer("oscal")(changed))
    assert other["assessment-results"]["uuid"] != document["assessment-results"]["uuid"]
    assert renderer("oscal")(example) == renderer("oscal")(example) and text == json.dumps(document)


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _pairs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _pairs(item)


def test_an_audit_without_failures_or_frameworks_stays_valid(example: AuditResult) -> None:
    passes = replace(example, findings=example.with_status(Status.PASS), frameworks=[], notices=[])
    document = json.loads(renderer("oscal")(passes))
    assert schema_errors(document) == []
    result = document["assessment-results"]["results"][0]
    assert "risks" not in result and "findings" not in result and "remarks" not in result
    assert result["reviewed-controls"] == {
        "control-selections": [{"remarks": "No framework requirement was judged in this run.", "include-all": {}}]
    }


@pytest.mark.parametrize(
    ("framework", "requirement", "token"),
    [
        ("nist-800-53r5", "ac-2.1", "ac-2.1"),
        ("iso27001-2022", "A.8.5", "A.8.5"),
        ("gdpr", "Art. 28(3)", "Art._28_3"),
        ("ccpa", "1798.100(a)", "ccpa_1798.100_a"),
        ("cis-v8.1", "1.1", "cis-v8.1_1.1"),
    ],
)
def test_control_ids_become_oscal_tokens(framework: str, requirement: str, token: str) -> None:
    assert control_token(framework, requirement) == token
    assert regex.fullmatch(TOKEN, token)


GATE = """
import sys
from auditor.cli import main
sys.argv = ["auditor", "audit", sys.argv[1], "--out", sys.argv[2], "--format", "json,sarif", "--fail-on", "none"]
try:
    main()
except SystemExit:
    pass
print("oscal loaded:", "auditor.report.oscal" in sys.modules)
"""


def test_the_ci_gate_path_does_not_load_the_oscal_reporter(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", GATE, str(EXAMPLE), str(tmp_path)], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert run.stdout.splitlines()[-1] == "oscal loaded: False"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json", "results.sarif"]


def test_one_cli_run_writes_oscal_beside_the_json_with_the_same_inputs(tmp_path: Path) -> None:
    run = audit_process(tmp_path, "--format", "json,oscal", "--fail-on", "none")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessment-results.json", "results.json"]
    results = json.loads((tmp_path / "results.json").read_text())
    oscal = json.loads((tmp_path / "assessment-results.json").read_text())["assessment-results"]
    linked = [r["rlinks"][0] for r in oscal["back-matter"]["resources"] if "rlinks" in r]
    hashes = {link["href"]: link["hashes"][0]["value"] for link in linked}
    assert {i["path"]: i["sha256"] for i in results["inputs"]}.items() <= hashes.items()


def test_assets_are_inventory_items_and_the_subjects_of_observations(ar: dict[str, Any], example: AuditResult) -> None:
    result = ar["results"][0]
    items = result["local-definitions"]["inventory-items"]
    assert [i["props"][0]["value"] for i in items] == sorted({f.asset_id for f in example.results()})
    by_uuid = {i["uuid"]: i for i in items}
    flow = next(i for i in items if i["props"][0]["value"] == "flow-etl-to-features")
    assert flow == {
        "uuid": flow["uuid"],
        "description": "flow flow-etl-to-features",
        "props": [prop("asset-id", "flow-etl-to-features"), prop("asset-kind", "flow")],
        "links": [{"href": "inventories/example/60-flows-workloads.yaml#L25", "rel": "reference"}],
    }
    for observation in result["observations"]:
        subjects = [by_uuid[s["subject-uuid"]]["props"][0]["value"] for s in observation["subjects"]]
        evidence = [p["value"] for e in observation["relevant-evidence"] for p in e["props"] if p["name"] == "asset-id"]
        assert subjects == list(dict.fromkeys(evidence))
        assert {s["type"] for s in observation["subjects"]} == {"inventory-item"}
