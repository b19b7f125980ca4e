"""Management responses (--responses): validated with located errors, merged into every report, hashed."""

from __future__ import annotations

import csv
import html as html_module
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.errors import InputError
from auditor.evidence.manifest import manifest_problems
from auditor.report import ReportOptions, renderer
from auditor.report.html import render_document
from auditor.result import fingerprint
from tests.conftest import audit_data, invoke, write
from tests.test_waivers_config import PLAIN_STORES

LEGACY_A = fingerprint("GDPR-32-ENCRYPTION-AT-REST", "legacy-a")
LEGACY_B = fingerprint("GDPR-32-ENCRYPTION-AT-REST", "legacy-b")
NEW_C = fingerprint("GDPR-32-ENCRYPTION-AT-REST", "new-c")
GONE = "0123456789abcdef0123456789abcdef"

RESPONSES = f"""
responses:
  - fingerprint: {LEGACY_A}
    owner: platform-team@example.com
    due: 2026-10-15
    response: "Encrypt the bucket with the KMS key; ticket SEC-88"
    status: in_progress
  - fingerprint: {LEGACY_B}
    owner: platform-team@example.com
    due: 2026-10-01
    response: Bucket re-created encrypted
    status: remediated
  - fingerprint: {NEW_C}
    owner: cto@example.com
    due: 2026-12-31
    response: Decommissioned with the Q1 migration
    status: open
  - fingerprint: {GONE}
    owner: ops@example.com
    due: 2026-06-30
    response: fixed last quarter
    status: remediated
"""


def test_responses_attach_by_fingerprint_and_a_stale_one_is_a_notice(tmp_path: Path) -> None:
    responses = write(tmp_path, "responses.yaml", RESPONSES)
    result = audit_data(tmp_path, PLAIN_STORES, responses=responses)
    by_asset = {f.asset_id: f.response for f in result.findings if f.rule_id == "GDPR-32-ENCRYPTION-AT-REST"}
    assert {asset: (r.status, r.due) for asset, r in by_asset.items() if r} == {
        "legacy-a": ("in_progress", "2026-10-15"),
        "legacy-b": ("remediated", "2026-10-01"),
        "new-c": ("open", "2026-12-31"),
    }
    # Overdue: due before the audit date (2026-11-01) and still open or in progress; remediated is not.
    assert [(f.asset_id, r.due) for f, r in result.overdue_responses()] == [("legacy-a", "2026-10-15")]
    assert result.notices == [
        f"response at {responses}:17:5 (fingerprint {GONE}, owner ops@example.com) matches no finding of this "
        "audit: the finding is resolved, or the fingerprint is mistyped"
    ]


def test_responses_in_json_csv_markdown_and_html(tmp_path: Path) -> None:
    responses = write(tmp_path, "responses.yaml", RESPONSES)
    result = audit_data(tmp_path, PLAIN_STORES, responses=responses)
    data = json.loads(renderer("json")(result))
    finding = next(f for f in data["findings"] if f["fingerprint"] == LEGACY_A)
    assert finding["response"] == {
        "owner": "platform-team@example.com",
        "due": "2026-10-15",
        "response": "Encrypt the bucket with the KMS key; ticket SEC-88",
        "status": "in_progress",
        "overdue": True,
        "location": f"{responses}:2:5",
    }
    assert data["summary"]["overdue_responses"] == 1
    assert [s["role"] for s in data["settings"]] == ["responses"]

    rows = {row["fingerprint"]: row for row in csv.DictReader(io.StringIO(renderer("csv")(result).decode()))}
    assert [rows[NEW_C][c] for c in ("response_owner", "response_due", "response_status", "response_overdue")] == [
        "cto@example.com",
        "2026-12-31",
        "open",
        "false",
    ]
    assert rows[LEGACY_A]["response"] == "Encrypt the bucket with the KMS key; ticket SEC-88"
    assert rows[fingerprint("SEC-ASSET-OWNER", "d")]["response_status"] == ""

    markdown = renderer("markdown")(result).decode()
    overdue = markdown[markdown.index("## Overdue responses") :].split("\n\n")[1]
    assert overdue.splitlines() == [
        "| Due | Owner | Status | Rule | Asset |",
        "|---|---|---|---|---|",
        "| 2026-10-15 | platform-team\\@example.com | in_progress | GDPR-32-ENCRYPTION-AT-REST | legacy-a |",
    ]

    html = renderer("html")(result).decode()
    assert (
        "<p>3 findings have a management response (1 in progress, 1 open, 1 remediated); <b>1</b> is overdue as of "
        "2026-11-01 (due before it and still open or in progress).</p>" in html
    )
    assert (
        '<div class="response overdue">Management response (in progress, owner platform-team@example.com, due '
        "2026-10-15, overdue): Encrypt the bucket with the KMS key; ticket SEC-88</div>" in html
    )


BAD = f"""
responses:
  - fingerprint: {LEGACY_A}
    owner: ops
    due: 2026-02-30
    response: x
    status: done
  - fingerprint: 173B
    owner: ops
    due: 2026-02-01
    response: x
    status: open
"""


def test_bad_dates_statuses_and_fingerprints_are_located(tmp_path: Path) -> None:
    responses = write(tmp_path, "responses.yaml", BAD)
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, PLAIN_STORES, responses=responses)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{responses}:4:10: $.responses[0].due: no such day (expected an ISO date YYYY-MM-DD) (got '2026-02-30')",
        f"{responses}:6:13: $.responses[0].status: Input should be 'open', 'in_progress', 'remediated' or "
        "'risk_accepted' (got 'done')",
        f"{responses}:7:18: $.responses[1].fingerprint: String should match pattern '^[0-9a-f]{{32}}$' (got '173B')",
    ]


def test_a_fingerprint_answered_twice_is_an_error(tmp_path: Path) -> None:
    entry = f"  - {{fingerprint: {LEGACY_A}, owner: ops, due: 2026-12-01, response: x, status: open}}\n"
    responses = write(tmp_path, "responses.yaml", "responses:\n" + entry + entry)
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, PLAIN_STORES, responses=responses)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{responses}:3:19: $.responses[1].fingerprint: fingerprint {LEGACY_A} already has a response "
        f"(at {responses}:2:5); keep one"
    ]


def test_the_responses_file_is_hashed_in_the_manifest(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.json", json.dumps(PLAIN_STORES))
    responses = write(tmp_path, "responses.yaml", RESPONSES)
    args = ["audit", "inv.json", "--responses", "responses.yaml", "--as-of", "2026-11-01", "--format", "json"]
    outcome = invoke(cli, *args, "--out", "out", "-q", "--fail-on", "none")
    assert outcome.exit_code == 0, outcome.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [(s["role"], s["path"]) for s in results["settings"]] == [("responses", "responses.yaml")]
    assert manifest_problems(results, [Path("responses.yaml")]) == []
    responses.write_text(RESPONSES.replace("SEC-88", "SEC-89"), encoding="utf-8")
    assert manifest_problems(results, [Path("responses.yaml")])[0].startswith("responses.yaml: SHA-256 ")
    broken = write(tmp_path, "broken.yaml", BAD)
    failed = invoke(cli, *args[:3], str(broken), *args[4:], "--out", "out2")
    assert failed.exit_code == 2
    assert failed.stderr.splitlines()[0] == (
        f"{broken.name}:4:10: $.responses[0].due: no such day (expected an ISO date YYYY-MM-DD) (got '2026-02-30')"
    )


def test_the_print_document_shows_responses_overdue_items_the_register_and_the_generation_time(tmp_path: Path) -> None:
    """On the PDF's document (WeasyPrint's input; tests/test_pdf_report.py renders the pages themselves)."""
    from tests.test_waiver_governance import WAIVERS

    responses = write(tmp_path, "responses.yaml", RESPONSES)
    waivers = write(tmp_path, "waivers.yaml", WAIVERS)
    result = audit_data(tmp_path, PLAIN_STORES, responses=responses, waivers=waivers)
    document = render_document(result, screen=False, options=ReportOptions(generated_at="2026-12-01T08:30:00Z"))
    text = _squash(re.sub(r"<[^>]+>", " ", html_module.unescape(document)))
    assert _squash("Audit date 2026-11-01 Report generated 2026-12-01T08:30:00Z (UTC)") in text
    # legacy-a's finding is waived, its remediation still overdue
    assert _squash("3 findings have a management response (1 in progress, 1 open, 1 remediated); 1 is overdue") in text
    assert _squash("2026-10-15 GDPR-32-ENCRYPTION-AT-REST on legacy-a platform-team@example.com in progress") in text
    assert _squash("Management response (open, owner cto@example.com, due 2026-12-31)") in text
    assert _squash("stale AI-NET-01 train-* nothing to waive cto@example.com - 2027-01-01 61 nothing") in text


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
