"""Generation time apart from the audit date, SARIF helpUri to docs/rules.md, JSON asset extents."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir, load_policies
from auditor.report import ReportOptions, renderer
from auditor.report.text import github_anchor, rule_anchor
from tests.conftest import AS_OF, REPO, checked, invoke, write
from tests.test_ci_outputs import SARIF_SCHEMA
from tests.test_waivers_config import PLAIN_STORES

RULES_DOC = REPO / "docs" / "rules.md"
DOCS = "https://example.org/auditor/docs/rules.md"
EPOCH = "1796083200"  # 2026-12-01T00:00:00Z


def _anchors(markdown: str) -> set[str]:
    """The ids GitHub gives the headings of a Markdown file (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", markdown, re.MULTILINE):
        base = github_anchor(heading)
        count = seen.get(base, 0)
        anchors.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return anchors


def test_github_anchor_matches_githubs_slugs() -> None:
    assert github_anchor("AI-DATA-03: Training keeps the accelerators at least 90 % busy (profile when not)") == (
        "ai-data-03-training-keeps-the-accelerators-at-least-90--busy-profile-when-not"
    )
    assert github_anchor("GDPR Art. 44\N{EN DASH}49: Transfers") == "gdpr-art-4449-transfers"
    assert github_anchor("CCPA §1798.100 — notice") == "ccpa-1798100--notice"


def test_every_bundled_rule_has_its_section_anchor_in_docs_rules_md() -> None:
    anchors = _anchors(RULES_DOC.read_text(encoding="utf-8"))
    rules = load_policies(default_policies_dir()).rules
    missing = [rule_id for rule_id, item in rules.items() if rule_anchor(rule_id, item.rule.title) not in anchors]
    assert rules and missing == []


def test_sarif_help_uri_only_with_a_documentation_url(tmp_path: Path) -> None:
    inventory = write(tmp_path, "inv.yaml", "storage:\n  - id: s1\n    public_access: true\n")
    result = checked(run_audit(AuditRequest([inventory], default_policies_dir(), AS_OF, allow_empty=True)))
    linked = json.loads(renderer("sarif")(result, ReportOptions(docs_url=DOCS)))
    jsonschema.validate(linked, SARIF_SCHEMA)
    rules = {rule["id"]: rule for rule in linked["runs"][0]["tool"]["driver"]["rules"]}
    # docs/rules.md: "### SEC-PUBLIC-DATASTORE: No datastore is publicly accessible unless it is public by design"
    anchor = "sec-public-datastore-no-datastore-is-publicly-accessible-unless-it-is-public-by-design"
    assert rules["SEC-PUBLIC-DATASTORE"]["helpUri"] == f"{DOCS}#{anchor}"
    plain = json.loads(renderer("sarif")(result))["runs"][0]["tool"]["driver"]["rules"]
    assert all("helpUri" not in rule for rule in plain)


JSON_INVENTORY = """{
  "storage": [
    {"id": "s1", "public_access": true, "labels": {"note": "a } in a string {"}},
    {
      "name": "the id comes second",
      "id": "s2",
      "public_access": true,
      "encryption_at_rest": {"enabled": false}
    }
  ]
}
"""


def test_json_assets_have_their_extent_in_sarif_and_results(tmp_path: Path) -> None:
    inventory = write(tmp_path, "inv.json", JSON_INVENTORY)
    result = checked(run_audit(AuditRequest([inventory], default_policies_dir(), AS_OF, allow_empty=True)))
    findings = json.loads(renderer("json")(result))["findings"]
    spans = {f["asset_id"]: f["location"] for f in findings if f["rule_id"] == "SEC-PUBLIC-DATASTORE"}
    assert spans == {
        "s1": {"file": str(inventory), "line": 3, "column": 6, "end_line": 3, "end_column": 81},
        "s2": {"file": str(inventory), "line": 6, "column": 7, "end_line": 9, "end_column": 6},
    }
    results = json.loads(renderer("sarif")(result))["runs"][0]["results"]
    regions = {
        r["locations"][0]["logicalLocations"][0]["name"]: r["locations"][0]["physicalLocation"]["region"]
        for r in results
        if r["ruleId"] == "SEC-PUBLIC-DATASTORE"
    }
    assert regions["s2"] == {"startLine": 6, "startColumn": 7, "endLine": 9, "endColumn": 6}


def _audit_twice(cli: CliRunner, tmp_path: Path, formats: str) -> list[tuple[str | None, dict[str, bytes]]]:
    """Two audits of the same inputs at the same --as-of: results.json's generated_at and every file's bytes."""
    inventory = write(tmp_path, "inv.json", json.dumps(PLAIN_STORES))
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        outcome = invoke(
            cli,
            "audit",
            inventory,
            "--as-of",
            "2026-11-01",
            "--format",
            formats,
            "--out",
            out,
            "-q",
            "--fail-on",
            "none",
            "--allow-empty",
        )
        assert outcome.exit_code == 0, outcome.stderr
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        runs.append((json.loads(files["results.json"])["generated_at"], files))
    return runs


def test_generation_time_from_source_date_epoch_is_reproducible(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first, second = _audit_twice(cli, tmp_path, "json,sarif,html")
    assert first[0] == "2026-12-01T00:00:00Z"
    assert first[1] == second[1]
    html = first[1]["report.html"].decode()
    assert "<tr><th>Audit date</th><td>2026-11-01</td></tr>" in html
    assert "<tr><th>Report generated</th><td>2026-12-01T00:00:00Z (UTC)</td></tr>" in html
    sarif = json.loads(first[1]["results.sarif"])
    assert sarif["runs"][0]["properties"]["generatedAt"] == "2026-12-01T00:00:00Z"


def test_generation_time_from_the_clock_is_only_in_the_html(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = _audit_twice(cli, tmp_path, "json,sarif,junit,markdown,csv,html")
    assert first[0] is None  # the clock would make the same inputs and --as-of give other bytes
    machine = [name for name in first[1] if name != "report.html"]
    assert len(machine) == 6 and [name for name in machine if first[1][name] != second[1][name]] == []
    assert "generatedAt" not in json.loads(first[1]["results.sarif"])["runs"][0]["properties"]
    stamp = re.search(
        rb"<tr><th>Report generated</th><td>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) \(UTC\)</td></tr>",
        first[1]["report.html"],
    )
    assert stamp is not None
    moment = datetime.strptime(stamp.group(1).decode(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 3600  # the clock, not the audit date


def test_a_malformed_source_date_epoch_is_a_usage_error(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    inventory = write(tmp_path, "inv.json", json.dumps(PLAIN_STORES))
    outcome = invoke(cli, "audit", inventory, "--format", "json", "--out", tmp_path / "out")
    assert outcome.exit_code == 2
    assert "SOURCE_DATE_EPOCH='yesterday': expected whole seconds since 1970-01-01 UTC" in outcome.stderr
    assert not (tmp_path / "out").exists()


def test_the_documentation_url_defaults_to_the_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from auditor.cli import _packaged_docs_url

    class Metadata:
        def __init__(self, urls: list[str]) -> None:
            self.urls = urls

        def get_all(self, name: str) -> list[str]:
            return self.urls if name == "Project-URL" else []

    declared = ["Homepage, https://example.org/", "Documentation, https://example.org/auditor/docs/"]
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: Metadata(declared))
    assert _packaged_docs_url() == "https://example.org/auditor/docs/rules.md"
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: Metadata(declared[:1]))
    assert _packaged_docs_url() is None
