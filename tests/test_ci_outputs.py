"""Outputs as GitHub code scanning, Jenkins, GitLab, Excel and a pull-request comment take them.

Every format heads with the notices and counts NOT_APPLICABLE results; inventory strings with
control characters, formulas and Markdown or rich markup come out inert.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import junitparser
import pytest
import xmlschema
from rich.console import Console
from typer.testing import CliRunner

from auditor.console import print_summary
from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import ReportOptions, renderer
from auditor.report.markdown import cell
from auditor.result import AuditResult, Severity, Status
from auditor.summary_text import summary_lines
from tests.conftest import AS_OF, EXAMPLE, REPO, checked, invoke

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
JUNIT_SCHEMA = xmlschema.XMLSchema(DATA / "junit-10.xsd")
NOTICE = "milestone ccpa.cpra pinned to 2023-01-01 by the config"
PENDING_OMNIBUS = (
    "milestone eu_ai_act.annex_iii_high_risk applies from 2026-08-02 (AI Act Art. 113: applies from 2 Aug 2026, "
    "including Annex III high-risk systems); a pending amendment would move it to 2027-12-02 (Digital Omnibus on AI "
    "(politically agreed 7 May 2026, Parliament 16 Jun, Council 29 Jun 2026); publication in the Official Journal "
    "unverified [U]), not applied because it is not law at the catalog's date; pin eu_ai_act.annex_iii_high_risk in "
    "the config to apply it"
)
HOSTILE = (
    '=HYPERLINK("http://evil.example")\x07 [click](javascript:x) **bold** @admin <b>x</b> www.evil.example\x1b[31m'
)


@pytest.fixture(scope="module")
def example_result() -> AuditResult:
    return checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))


@pytest.fixture(scope="module")
def hostile(example_result: AuditResult) -> AuditResult:
    """The example with a notice, an organisation name with markup, and a failure with every trap."""
    result = copy.deepcopy(example_result)
    result.notices = [NOTICE]
    result.organization = "Evil [/bold] *Corp*\x00"
    first = result.open_failures()[0]
    first.message = HOSTILE
    first.asset_id = "-2+3"
    return result


def _sarif(result: AuditResult, **options: object) -> dict:
    log = json.loads(renderer("sarif")(result, ReportOptions(source_root=REPO.as_posix(), **options)))  # type: ignore[arg-type]
    jsonschema.validate(log, SARIF_SCHEMA)
    return log["runs"][0]


def test_sarif_meets_code_scanning_requirements(example_result: AuditResult) -> None:
    run = _sarif(example_result)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {loc["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
    assert all((REPO / loc["uri"]).is_file() for loc in locations)  # relative to the repository root
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert all(re.fullmatch(r"[0-9a-f]{16}:1", h) for h in hashes)
    assert len(set(zip(hashes, [r["ruleId"] for r in run["results"]], strict=True))) == len(hashes)
    assert run["automationDetails"] == {"id": "auditor/2026-11-01"}
    assert run["tool"]["driver"]["semanticVersion"] == example_result.tool_version
    rules = {rule["id"]: rule["properties"] for rule in run["tool"]["driver"]["rules"]}
    security = {rule.id for rule in example_result.rules if rule.pack == "security"}
    assert {rule_id for rule_id, p in rules.items() if "security-severity" in p} == security
    assert all(0 <= float(rules[rule_id]["security-severity"]) <= 10 for rule_id in security)
    assert "privacy" in rules["GDPR-32-ENCRYPTION-AT-REST"]["tags"]
    assert "ai-infrastructure" in rules["AI-MEM-INF-01"]["tags"]
    counts = example_result.counts()
    kinds = [r["kind"] for r in run["results"]]
    assert (kinds.count("fail"), kinds.count("notApplicable"), kinds.count("review")) == (
        counts["FAIL"],
        counts["NOT_APPLICABLE"],
        0,
    )
    assert run["properties"]["omittedResults"] == 0
    # the AI Act pack runs by default and judges the example's high-risk credit model: the pending
    # Digital Omnibus date is the one notice
    assert [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]] == [PENDING_OMNIBUS]


def test_sarif_undecided_results_only_on_request(example_result: AuditResult) -> None:
    run = _sarif(example_result, sarif_include_undecided=True)
    review = [r for r in run["results"] if r["kind"] == "review"]
    assert len(review) == example_result.counts()["NOT_EVALUABLE"] and {r["level"] for r in review} == {"none"}


def test_sarif_cap_keeps_the_worst_and_counts_the_rest(example_result: AuditResult) -> None:
    run = _sarif(example_result, sarif_max_results=10)
    total = example_result.counts()["FAIL"] + example_result.counts()["NOT_APPLICABLE"]
    severities = sorted(r["properties"]["severity"] for r in run["results"])
    assert severities == ["critical"] * 6 + ["high"] * 4  # the example has 6 open critical failures
    assert run["properties"]["omittedResults"] == total - 10 and run["properties"]["resultsCap"] == 10
    assert run["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "warning", "message": {"text": PENDING_OMNIBUS}},
        {
            "level": "warning",
            "message": {
                "text": f"{total - 10} results left out: at most 10 are written (the least severe go first); "
                "results.json holds them all"
            },
        },
    ]


def test_junit_is_valid_for_jenkins_and_fails_only_what_fails_the_gate(
    example_result: AuditResult, hostile: AuditResult
) -> None:
    for fail_on, expected in (
        (Severity.high, len(example_result.blocking(Severity.high))),
        (Severity.info, len(example_result.open_failures())),
        (None, 0),
    ):
        data = renderer("junit")(example_result, ReportOptions(fail_on=fail_on))
        JUNIT_SCHEMA.validate(data.decode())
        root = ET.fromstring(data)
        assert int(root.get("failures")) == expected == len(root.findall(".//failure")), fail_on
    assert {suite.get("timestamp") for suite in root.iter("testsuite")} == {"2026-11-01T00:00:00"}
    below = root.find("testsuite[@name='AI-DATA-01']/testcase[@name='clickstream-raw']/skipped")
    assert below is not None and below.get("message") == "low failure, below --fail-on none: " + (
        "clickstream-raw is 5200 GB of json"
    )
    data = renderer("junit")(hostile)
    JUNIT_SCHEMA.validate(data.decode())
    assert b"\x07" not in data and b"\x1b" not in data and b"\x00" not in data
    root = ET.fromstring(data)
    notices = root.find("testsuite[@name='auditor.notices']")
    assert notices is not None and root[0] is notices
    assert [(p.get("name"), p.get("value")) for p in notices.iter("property")] == [("notice", NOTICE)]
    failure = root.find(".//testcase[@name='-2+3']/failure")
    assert failure is not None and failure.get("message") == HOSTILE.replace("\x07", "").replace("\x1b", "")


def test_csv_neutralises_formulas_and_can_start_with_a_bom(hostile: AuditResult) -> None:
    data = renderer("csv")(hostile)
    assert data.startswith(b"fingerprint,rule_id,")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    row = next(r for r in rows if r["asset_id"] == "'-2+3")
    assert row["message"] == "'" + HOSTILE
    assert not [r for r in rows for value in r.values() if value[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["status"] for r in rows if r["status"] == "NOT_APPLICABLE"} and len(
        [r for r in rows if r["status"] == "NOT_APPLICABLE"]
    ) == hostile.counts()["NOT_APPLICABLE"]
    assert renderer("csv")(hostile, ReportOptions(csv_bom=True)) == b"\xef\xbb\xbf" + data


def test_markdown_cells_are_inert() -> None:
    assert cell(HOSTILE) == (
        '=HYPERLINK("http\\://evil.example")  \\[click\\](javascript:x) \\*\\*bold\\*\\* \\@admin '
        "&lt;b&gt;x&lt;/b&gt; www\\.evil.example \\[31m"
    )
    assert cell("a|b\n<img src=x>`c`_d_~~e~~\\") == "a\\|b &lt;img src=x&gt;\\`c\\`\\_d\\_\\~\\~e\\~\\~\\\\"


def test_markdown_summary_heads_with_notices_and_counts_not_applicable(hostile: AuditResult) -> None:
    lines = renderer("markdown")(hostile).decode().splitlines()
    assert lines[:3] == ["# Compliance audit: Evil \\[/bold\\] \\*Corp\\* ", "", f"> **Notice:** {NOTICE}"]
    assert "· 44 not applicable ·" in lines[4]
    row = next(line for line in lines if "\\-2+3" in line or "-2+3" in line)
    assert row.endswith(f"| {cell(HOSTILE)} |") and "\x07" not in row
    heading = lines.index("## Not applicable")
    assert lines[heading + 4] == (
        "| CCPA-100-PURPOSE-LIMITATION | 7 | no personal information of California consumers "
        "(Cal. Civ. Code 1798.140(i)) |"
    )


def test_terminal_summary_heads_with_notices_and_shows_inventory_text_as_it_is(hostile: AuditResult) -> None:
    console = Console(record=True, width=200, color_system=None)
    print_summary(hostile, [], "high", console)
    lines = console.export_text().splitlines()
    assert lines[0] == f"notice: {NOTICE}"
    assert lines[1].startswith("Audit of Evil [/bold] *Corp*  as of 2026-11-01: 98 assets")
    reasons = lines.index("474 passed, 65 failed (0 waived), 44 not evaluable, 44 not applicable") + 1
    assert lines[reasons : reasons + 2] == [
        "  not applicable to 43 result(s): no personal information of California consumers "
        "(Cal. Civ. Code 1798.140(i))",
        "  not applicable to 1 result(s): no personal information of California consumers reaches it",
    ]


def test_a_narrow_terminal_gets_the_worst_failures_one_line_each_with_whole_rule_ids(hostile: AuditResult) -> None:
    """At 60 columns the table cut rule ids ('GDPR-44-TRANS...') and folded locations over four
    lines; a terminal too narrow for it gets the piped format's lines (the terminal wraps them),
    inventory text still shown as it is. A wide one keeps the table."""
    result = copy.deepcopy(hostile)
    result.open_failures()[0].asset_id = "[red]x[/red]"
    narrow = Console(record=True, width=60, color_system=None)
    print_summary(result, [], "high", narrow)
    lines = narrow.export_text(styles=False).splitlines()
    worst = lines.index("worst 10 open failures:")
    assert lines[worst + 1] == "  critical AI-MEM-INF-01 [red]x[/red] inventories/example/60-flows-workloads.yaml:240:5"
    assert "  critical GDPR-44-TRANSFER-BASIS insightful inventories/example/10-sites-vendors.yaml:77:5" in lines
    assert not any("┃" in line or "…" in line for line in lines[worst:])
    wide = Console(record=True, width=200, color_system=None)
    print_summary(result, [], "high", wide)
    table = wide.export_text().splitlines()
    assert "worst 10 open failures:" not in table
    assert any(line.split("│")[1].strip() == "GDPR-44-TRANSFER-BASIS" for line in table if line.count("│") == 3)


def test_report_options_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--out", out, "--format", "sarif,csv,junit", "--as-of", "2026-11-01", "--root", REPO]
    assert (
        invoke(cli, "audit", EXAMPLE, *args, "--csv-bom", "--sarif-max-results", "3", "--fail-on", "none").exit_code
        == 0
    )
    run = json.loads((out / "results.sarif").read_text())["runs"][0]
    assert len(run["results"]) == 3 and run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"
    assert (out / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbffingerprint,")
    assert ET.parse(out / "results.junit.xml").getroot().get("failures") == "0"  # --fail-on none
    assert invoke(cli, "audit", EXAMPLE, *args, "--sarif-include-undecided").exit_code == 1
    run = json.loads((out / "results.sarif").read_text())["runs"][0]
    assert sum(r["kind"] == "review" for r in run["results"]) == 44
    assert ET.parse(out / "results.junit.xml").getroot().get("failures") == "29"  # 6 critical and 23 high


def test_not_applicable_is_reported_with_its_reason_in_sarif_and_junit(example_result: AuditResult) -> None:
    run = _sarif(example_result)
    reasons = sorted(r["message"]["text"] for r in run["results"] if r["kind"] == "notApplicable")
    assert reasons == sorted(f"{f.asset_id}: {f.message}" for f in example_result.with_status(Status.NOT_APPLICABLE))
    root = ET.fromstring(renderer("junit")(example_result))
    skipped = [s.get("message") for s in root.iter("skipped") if s.get("message").startswith("not applicable: ")]
    assert (
        len(skipped)
        == example_result.counts()["NOT_APPLICABLE"]
        == len(example_result.with_status(Status.NOT_APPLICABLE))
    )


def test_junitparser_reads_the_same_counts(example_result: AuditResult, tmp_path: Path) -> None:
    """junitparser (what GitLab-style tooling builds on) sees the gate's failures and the skipped rest."""
    path = tmp_path / "results.junit.xml"
    path.write_bytes(renderer("junit")(example_result))
    xml = junitparser.JUnitXml.fromfile(str(path))
    counts = example_result.counts()
    failing = len(example_result.blocking(Severity.high))
    assert (xml.tests, xml.failures, xml.errors) == (len(example_result.results()), failing, 0)
    results = [type(r) for suite in xml for case in suite for r in case.result]
    assert results.count(junitparser.Failure) == failing
    assert (
        results.count(junitparser.Skipped)
        == counts["FAIL"] + counts["NOT_EVALUABLE"] + counts["NOT_APPLICABLE"] - failing
    )


def test_plain_summary_puts_each_failure_on_one_line_with_inventory_text_flattened(hostile: AuditResult) -> None:
    """Piped output (a CI log) never folds a location over two lines nor cuts a rule id (rich at 80 columns did)."""
    result = copy.deepcopy(hostile)
    result.open_failures()[0].asset_id = "-2+3\x1b[31m\nx"
    lines = list(summary_lines(result, [Path("reports/results.json")], "high"))
    assert lines[:4] == [
        f"notice: {NOTICE}",
        "Audit of Evil [/bold] *Corp*  as of 2026-11-01: 98 assets, 118 rules",
        "open failures by severity: critical 6, high 23, medium 27, low 9, info 0",
        "474 passed, 65 failed (0 waived), 44 not evaluable, 44 not applicable",
    ]
    worst = lines.index("worst 10 open failures:")
    assert lines[worst + 1 : worst + 3] == [
        "  critical AI-MEM-INF-01 -2+3 [31m x inventories/example/60-flows-workloads.yaml:240:5",
        "  critical AI-MEM-TRAIN-01 finetune-support-13b inventories/example/60-flows-workloads.yaml:177:5",
    ]
    assert lines[worst + 6] == (
        "  critical SEC-EXPOSED-PERSONAL-DATA-STORE s3-support-share inventories/example/40-storage.yaml:207:5"
    )
    assert lines[-2:] == ["wrote reports/results.json", "gate: --fail-on high"]
    assert all("\x1b" not in line and "\x00" not in line for line in lines)


def test_piped_audit_prints_the_plain_summary_without_importing_rich(tmp_path: Path) -> None:
    script = (
        "import sys\nfrom auditor.cli import main\n"
        f"sys.argv = ['auditor', 'audit', {str(EXAMPLE)!r}, '--out', {str(tmp_path)!r}, '--fail-on', 'none']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('rich loaded:', 'rich' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO).stdout
    lines = out.splitlines()
    assert "worst 10 open failures:" in lines and "┃" not in out
    assert "  critical GDPR-44-TRANSFER-BASIS insightful inventories/example/10-sites-vendors.yaml:77:5" in lines
    assert lines[-1] == "rich loaded: False"
