"""The waiver register in every format: each waiver, its state at the audit date and what it covers."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from auditor.report import ReportOptions, renderer
from auditor.result import AuditResult, fingerprint
from tests.conftest import audit_data, write
from tests.test_waiver_governance import WAIVERS
from tests.test_waivers_config import PLAIN_STORES

HOSTILE_TEXT = '=HYPERLINK("http://evil.example") <script>alert(1)</script> [x](http://evil.example) **b**\a'
HOSTILE = """  - rule: SEC-ASSET-OWNER
    assets: "*-c"
    justification: "=HYPERLINK(\\"http://evil.example\\") <script>alert(1)</script> [x](http://evil.example) **b**\\a"
    approver: "@ciso"
    expires: 2026-12-01
"""
LEGACY_A = fingerprint("GDPR-32-ENCRYPTION-AT-REST", "legacy-a")
LEGACY_B = fingerprint("GDPR-32-ENCRYPTION-AT-REST", "legacy-b")
OWNER_C = fingerprint("SEC-ASSET-OWNER", "new-c")


@pytest.fixture
def register(tmp_path: Path) -> tuple[AuditResult, str]:
    waivers = write(tmp_path, "waivers.yaml", WAIVERS + HOSTILE)
    return audit_data(tmp_path, PLAIN_STORES, waivers=waivers), str(waivers)


def test_states_days_left_and_covered_findings(register: tuple[AuditResult, str]) -> None:
    result, _ = register
    assert [(s.register_state, s.days_left, s.covers) for s in result.waivers] == [
        ("expiring", 10, (LEGACY_A, LEGACY_B)),  # within the default 30 days
        ("expired", -274, ()),  # matched new-c, waives nothing
        ("stale", 61, ()),  # matches no finding
        ("expiring", 30, (OWNER_C,)),  # the last day of the window
    ]


def test_json_register(register: tuple[AuditResult, str]) -> None:
    result, path = register
    waivers = json.loads(renderer("json")(result))["waivers"]
    assert waivers[0] == {
        "rule": "GDPR-32-*",
        "assets": "legacy-*",
        "justification": "Decommissioned in Q1; migration ticket MIG-12",
        "approver": "ciso@example.com",
        "created": "2026-02-01",
        "expires": "2026-11-11",
        "days_left": 10,
        "scope": None,
        "state": "active",
        "register_state": "expiring",
        "matched": 2,
        "covers": [LEGACY_A, LEGACY_B],
        "location": f"{path}:2:5",
    }
    assert [(w["state"], w["register_state"], w["matched"]) for w in waivers[1:]] == [
        ("expired", "expired", 1),
        ("unused", "stale", 0),
        ("active", "expiring", 1),
    ]


def test_csv_register_is_its_own_file_and_neutralises_formulas(register: tuple[AuditResult, str]) -> None:
    result, path = register
    text = renderer("csv", "render_waivers")(result).decode()
    assert text == (
        "rule,assets,justification,approver,created,expires,days_left,state,matched,covers,location\n"
        f"GDPR-32-*,legacy-*,Decommissioned in Q1; migration ticket MIG-12,ciso@example.com,2026-02-01,2026-11-11,"
        f"10,expiring,2,{LEGACY_A} {LEGACY_B},{path}:2:5\n"
        f"GDPR-32-ENCRYPTION-AT-REST,new-c,old exception,ciso@example.com,,2026-01-31,-274,expired,1,,{path}:8:5\n"
        f"AI-NET-01,train-*,nothing to waive,cto@example.com,,2027-01-01,61,stale,0,,{path}:13:5\n"
        f"SEC-ASSET-OWNER,*-c,\"'{HOSTILE_TEXT.replace(chr(34), chr(34) * 2)}\",'@ciso,,2026-12-01,30,expiring,1,"
        f"{OWNER_C},{path}:18:5\n"
    )
    assert renderer("csv", "render_waivers")(result, ReportOptions(csv_bom=True)) == b"\xef\xbb\xbf" + text.encode()


def test_markdown_register_keeps_hostile_text_inert(register: tuple[AuditResult, str]) -> None:
    result, _ = register
    text = renderer("markdown")(result).decode()
    section = text[text.index("## Waiver register") :].split("\n\n")[1]
    assert section.splitlines() == [
        "| State | Rule | Assets | Justification | Approver | Created | Expires | Days left | Covers |",
        "|---|---|---|---|---|---|---|---:|---:|",
        "| expiring | GDPR-32-\\* | legacy-\\* | Decommissioned in Q1; migration ticket MIG-12 | ciso\\@example.com | "
        "2026-02-01 | 2026-11-11 | 10 | 2 |",
        "| expired | GDPR-32-ENCRYPTION-AT-REST | new-c | old exception | ciso\\@example.com | - | 2026-01-31 | "
        "-274 | 0 |",
        "| stale | AI-NET-01 | train-\\* | nothing to waive | cto\\@example.com | - | 2027-01-01 | 61 "
        "| 0 |",
        '| expiring | SEC-ASSET-OWNER | \\*-c | =HYPERLINK("http\\://evil.example") '
        "&lt;script&gt;alert(1)&lt;/script&gt; "
        "\\[x\\](http\\://evil.example) \\*\\*b\\*\\*  | \\@ciso | - | 2026-12-01 | 30 | 1 |",
    ]


def test_junit_register_properties(register: tuple[AuditResult, str]) -> None:
    result, path = register
    root = ET.fromstring(renderer("junit")(result))
    suite = root.find("testsuite[@name='auditor.waivers']")
    assert suite is not None and suite.get("tests") == "0"
    properties = [(p.get("name"), p.get("value")) for p in suite.iter("property")]
    assert properties[0] == (
        f"waiver {path}:2:5",
        "expiring; rule GDPR-32-*; assets legacy-*; approver ciso@example.com; created 2026-02-01; "
        f"expires 2026-11-11; days left 10; covers {LEGACY_A} {LEGACY_B}; "
        "justification: Decommissioned in Q1; migration ticket MIG-12",
    )
    assert properties[3][1].endswith(f"covers {OWNER_C}; justification: {HOSTILE_TEXT[:-1]}")  # BEL: not XML


def test_sarif_register_and_suppressions(register: tuple[AuditResult, str]) -> None:
    result, path = register
    run = json.loads(renderer("sarif")(result))["runs"][0]
    assert run["properties"]["waiverRegister"][1] == {
        "rule": "GDPR-32-ENCRYPTION-AT-REST",
        "assets": "new-c",
        "justification": "old exception",
        "approver": "ciso@example.com",
        "created": None,
        "expires": "2026-01-31",
        "daysLeft": -274,
        "state": "expired",
        "covers": [],
        "location": f"{path}:8:5",
    }
    waived = next(r for r in run["results"] if r["partialFingerprints"]["auditorFingerprint/v1"] == LEGACY_A)
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Decommissioned in Q1; migration ticket MIG-12 (approved by ciso@example.com, "
            "expires 2026-11-11)",
        }
    ]


def test_html_register_escapes_hostile_text(register: tuple[AuditResult, str]) -> None:
    result, _ = register
    html = renderer("html")(result).decode()
    assert (
        '<tr class="waiver-stale"><td>stale</td><td class="id">AI-NET-01</td><td class="id">train-*</td>'
        "<td>nothing to waive</td><td>cto@example.com</td><td>-</td><td>2027-01-01</td><td "
        'class="n">61</td><td>nothing</td></tr>'
    ) in html
    assert (
        "<td>=HYPERLINK(&#34;http://evil.example&#34;) &lt;script&gt;alert(1)&lt;/script&gt; [x](http://evil.example) "
        '**b**</td><td>@ciso</td><td>-</td><td>2026-12-01</td><td class="n">30</td><td><div class="id">'
        "SEC-ASSET-OWNER on new-c</div></td></tr>"
    ) in html
    assert "<script>alert(1)" not in html
