"""The HTML report in a browser: verbatim CSS, a viewport, a strict CSP, a findings table to filter."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import html, json_report
from auditor.result import AuditResult, Status
from tests.conftest import AS_OF, EXAMPLE, checked
from tests.test_example import WAIVERS

NOTICE = "waiver at inventories/example.waivers.yaml:3:3 covers every rule (scope: all): migration"


@pytest.fixture(scope="module")
def result() -> AuditResult:
    audited = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF, waivers=WAIVERS)))
    audited = copy.deepcopy(audited)
    audited.notices = [NOTICE]
    return audited


@pytest.fixture(scope="module")
def document(result: AuditResult) -> str:
    return html.render(result).decode("utf-8")


def test_css_is_inlined_verbatim_with_a_viewport_and_a_strict_policy(document: str) -> None:
    css = (html.TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in document  # not HTML-escaped: the font rules' quotes survive
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in document
    script = re.search(r"<script>(.*?)</script>", document, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', document).group(1)
    assert unescape(policy) == (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    )
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", document)  # nothing from the network


class _Rows(HTMLParser):
    """Rows of the findings table: (hidden, cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[bool, list[str]]] = []
        self._in_table = self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "all-findings") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append((any(name == "hidden" for name, _ in attrs), []))
        elif self._in_body and tag == "td":
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._in_body and self.rows and self.rows[-1][1]:
            self.rows[-1][1][-1] += data


def test_notices_head_the_document_and_not_applicable_results_are_explained(document: str, result: AuditResult) -> None:
    notices = document.index(
        f'<div class="notices" role="note"><p class="notices-title">Read first</p><ul><li>{NOTICE}'
    )
    assert notices < document.index('<nav id="contents">')
    assert "474 passed, 65 failed (2 waived), 44 not evaluable, 44 not applicable" in document
    assert "<h3>Not applicable (44 results)</h3>" in document
    assert (
        '<tr><td class="id">CCPA-100-PURPOSE-LIMITATION</td><td class="n">7</td>'
        "<td>no personal information of California consumers (Cal. Civ. Code 1798.140(i))</td></tr>" in document
    )
    article = document[document.index('id="rule-CCPA-100-SERVICE-PROVIDER-CONTRACT"') :]
    assert article.index('<p class="note">Not applicable to ') < article.index("</article>")
    rows = _Rows()
    rows.feed(document)
    listed = [f for f in result.findings if f.status is not Status.PASS]
    assert len(rows.rows) == len(listed)
    assert {cells[1] for _, cells in rows.rows} == {"FAIL", "WAIVED", "NOT_EVALUABLE", "NOT_APPLICABLE"}


def test_waived_failures_are_not_rolled_up_as_passed(document: str, result: AuditResult) -> None:
    waived_rules = {f.rule_id for f in result.findings if f.waived}
    failing_rules = {f.rule_id for f in result.open_failures()}
    only_waived = [
        req
        for fw in result.frameworks
        for req in fw.requirements
        if req.state == "passed" and waived_rules & set(req.rules)
    ]
    assert only_waived and not any(failing_rules & set(req.rules) for req in only_waived)
    for req in only_waived:
        assert f'<tr class="state-waived"><td><b>{req.id}</b>' in document


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (make test installs it)")
def test_the_filter_works_in_headless_chromium(document: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(document, encoding="utf-8")
    words = ("critical", "gdpr")
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    shown = subprocess.run(
        [*command, f"{page.as_uri()}#filter={'%20'.join(words)}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    rows = _Rows()
    rows.feed(shown)
    expected = [cells for _, cells in rows.rows if all(w in "".join(cells).lower() for w in words)]
    visible = [cells for hidden, cells in rows.rows if not hidden]
    assert visible == expected and 0 < len(visible) < len(rows.rows)
    assert f'id="findings-count" aria-live="polite">{len(visible)} of {len(rows.rows)} shown<' in shown
    assert '<button type="button">Severity</button>' in shown  # the headers became sort buttons


def test_since_the_last_audit_lists_new_persisting_and_resolved(tmp_path: Path) -> None:
    before = json.loads(json_report.render(checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))))
    gone = dict(before["findings"][0], fingerprint="0" * 32)  # fixed since: resolved
    before["findings"] = [f for f in before["findings"] if f["rule_id"] != "AI-MEM-INF-01"] + [gone]
    baseline = tmp_path / "before.json"
    baseline.write_text(json.dumps(before), encoding="utf-8")
    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF, baseline=baseline)))
    text = re.sub(r"\s+", " ", html.render(result).decode("utf-8"))
    section = text[text.index('<section id="since">') : text.index('<section id="rules">')]
    open_failures = len(result.open_failures())
    assert (
        "<b>1</b> new results needing attention, <b>108</b> persisting, <b>1</b> resolved "
        f"(in the previous results, gone now). Of the open failures, 1 are new and {open_failures - 1} persist"
    ) in section
    assert '<td class="id">AI-MEM-INF-01</td><td class="id">serve-assistant-us</td>' in section
    assert '<li><a href="#since">Since the last audit</a></li>' in text
