"""The PDF/HTML evidence document: content, attachments, metadata, hostile input, determinism, fetcher."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
import yaml
from weasyprint import HTML

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import csv_report, html, json_report, pdf
from auditor.report.fetcher import ForbiddenResource, PackageFetcher
from auditor.result import AuditResult
from tests.conftest import AS_OF, EXAMPLE, audit_data, checked
from tests.test_example import PLANTED, WAIVERS

SECTIONS = [
    "Contents",
    "Conclusion",
    "Scope and method",
    "Executive summary",
    "Findings at a glance",
    "Data-flow map",
    "Findings by framework",
    "Findings by rule",
    "Hardware and performance gaps",
    "Waivers register",
    "Not evaluable",
    "Appendix: inputs, rule packs, glossary",
]


def _pdfium_text(data: bytes) -> str:
    """pdfium's text extraction copes with the fallback fonts of right-to-left and emoji text."""
    document = pdfium.PdfDocument(data)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def example() -> tuple[AuditResult, bytes]:
    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF, waivers=WAIVERS)))
    return result, pdf.render(result)


@pytest.fixture(scope="module")
def example_text(example: tuple[AuditResult, bytes]) -> str:
    """The example PDF's text as pdfium extracts it (taken once for the tests that read it)."""
    return _pdfium_text(example[1])


def test_sections_appear_in_order(example: tuple[AuditResult, bytes], example_text: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(example[1]))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[: len(SECTIONS)] == SECTIONS
    text = example_text
    positions = [text.index(title) for title in SECTIONS[1:]]
    assert positions == sorted(positions)


def test_every_planted_finding_appears_with_its_reference_and_location(
    example: tuple[AuditResult, bytes], example_text: str
) -> None:
    result = example[0]
    text = _squash(example_text)
    rules = {rule.id: rule for rule in result.rules}
    missing = []
    for rule_id, asset_id in PLANTED:
        finding = next(f for f in result.results() if (f.rule_id, f.asset_id) == (rule_id, asset_id))
        if finding.waived:
            continue
        first_reference = next(iter(sorted(rules[rule_id].references.items())))[1][0]
        for needle in (rule_id, asset_id, str(finding.location), first_reference):
            if _squash(needle) not in text:
                missing.append((rule_id, asset_id, needle))
    assert missing == []


def test_attachments_equal_the_machine_readable_results(example: tuple[AuditResult, bytes]) -> None:
    result, data = example
    attachments = pypdf.PdfReader(io.BytesIO(data)).attachments
    assert sorted(attachments) == ["findings.csv", "results.json", "waivers.csv"]
    assert attachments["results.json"][0] == json_report.render(result)
    assert attachments["findings.csv"][0] == csv_report.render(result)
    assert attachments["waivers.csv"][0] == csv_report.render_waivers(result)
    assert json.loads(attachments["results.json"][0])["as_of"] == "2026-11-01"


def test_coverage_legend_and_requirement_coverage_are_printed(example_text: str) -> None:
    text = _squash(example_text)
    legend = [
        "Each framework requirement carries a coverage, which says how far a PASS can be relied on:",
        "automated: the rules decide the requirement's substance from declared facts (settings, values, facts "
        "derived from the graph and the catalogs).",
        "documented: the rules check only that evidence is on record (a reference, a named basis, a flag attesting "
        "a contract term or a process), or decide only part of the requirement, named in the coverage note; a pass "
        "means the evidence is recorded, not that its content was verified.",
        "manual: no rule checks it; a reviewer does.",
    ]
    positions = [text.index(_squash(line)) for line in legend]
    assert positions == sorted(positions)
    assert _squash("Art. 28 Processor failed documented") in text


def test_metadata_and_page_furniture(example: tuple[AuditResult, bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(example[1]))
    meta = reader.metadata
    assert meta.title == "Compliance audit report: Nordlicht AI GmbH"
    assert meta.author.startswith("ai-infra-auditor") and "Nordlicht AI GmbH" in meta.subject
    assert "GDPR" in meta["/Keywords"]
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20261101000000Z"
    pages = len(reader.pages)
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()
    assert "Nordlicht AI GmbH · as of 2026-11-01" in reader.pages[3].extract_text()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="A"' in xmp  # level A: tagged
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"] == {"/Marked": True} and root["/Lang"] == "en"
    tags = set()
    pending = [root["/StructTreeRoot"].get_object()]
    while pending:  # the structure tree holds the headings and tables a screen reader navigates
        node = pending.pop()
        if not isinstance(node, pypdf.generic.DictionaryObject):
            continue  # a marked-content id: a leaf
        tags.add(node.get("/S"))
        kids = node.get("/K", [])
        pending += [k.get_object() for k in (kids if isinstance(kids, list) else [kids])]
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/L", "/LI"} <= {t for t in tags if t}


HOSTILE = [
    '<img src="file:///etc/passwd">',
    "</style><style>*{display:none}</style>",
    "url(http://example.invalid/x.png)",
    "שרת נתונים 🚀 serveur",
    "$x^2$ {{ 7*7 }} {% raw %}",
]
LONG_NAME = "N" * 10_000


def _hostile_audit(folder: Path) -> AuditResult:
    """An inventory and waiver file whose strings try markup, CSS, URLs, templates, right-to-left text and emoji."""
    data = {
        "organization": {"id": "org", "name": HOSTILE[0], "country": "DE"},
        "storage": [{"id": "a"}, {"id": "b"}],
        "datasets": [{"id": "d", "personal_data": True, "purposes": ["billing"], "stored_in": ["a"]}],
        "flows": [
            {"id": f"f{i}", "source": "a", "destination": "b", "datasets": ["d"], "purpose": purpose}
            for i, purpose in enumerate(HOSTILE)
        ],
    }
    waivers = folder / "waivers.yaml"
    waivers.write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {
                        "rule": "NOPE-*",
                        "assets": "f*",
                        "justification": LONG_NAME,
                        "approver": HOSTILE[3],
                        "expires": "2027-01-01",
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return audit_data(folder, data, waivers=waivers)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AuditResult, bytes, list[str]]:
    """The hostile audit's folder, result and PDF, and every URL WeasyPrint asked the fetcher for."""
    folder = tmp_path_factory.mktemp("hostile")
    result = _hostile_audit(folder)
    requested: list[str] = []
    original = PackageFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        requested.append(url)
        return original(self, url, headers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PackageFetcher, "fetch", spy)
        document = pdf.render(result)
    return folder, result, document, requested


def test_same_input_same_pdf_bytes(hostile: tuple[Path, AuditResult, bytes, list[str]]) -> None:
    """A second audit of the same inputs, rendered again: right-to-left text and fallback fonts included."""
    folder, _, document, _ = hostile
    assert pdf.render(_hostile_audit(folder)) == document


def test_hostile_inventory_strings_are_text_and_nothing_is_fetched(
    hostile: tuple[Path, AuditResult, bytes, list[str]],
) -> None:
    _, result, document, requested = hostile
    assert requested == [(html.TEMPLATE_DIR / "print.css").as_uri()]
    text = _squash(_pdfium_text(document))
    # Emoji need an emoji font, which this machine lacks: checked literally in the HTML below.
    for needle in [*HOSTILE[:3], HOSTILE[4], "serveur", "נתונים", "שרת", LONG_NAME[:300]]:
        assert _squash(needle) in text, needle[:40]
    assert _squash("… (9700 more characters in results.json)") in text
    markup = html.render(result).decode()
    assert '<img src="file:' not in markup and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in markup
    assert "</style><style>" not in markup
    assert "url(http://example.invalid/x.png)" in markup  # as text, in a table cell
    assert "{{ 7*7 }}" in markup and "{% raw %}" in markup  # inventory text is never evaluated as a template
    assert HOSTILE[3] in markup


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "data:text/css,body{}",
        "ftp://example.invalid/x",
        (html.TEMPLATE_DIR / ".." / ".." / ".." / "__init__.py").as_uri(),
        (html.TEMPLATE_DIR / "missing.css").as_uri(),
        "file://evil.example/" + str(html.TEMPLATE_DIR / "print.css"),
    ],
)
def test_fetcher_refuses_everything_outside_the_template_pack(url: str) -> None:
    with pytest.raises(ForbiddenResource):
        PackageFetcher(html.TEMPLATE_DIR).fetch(url)


def test_fetcher_serves_the_pack_and_stops_rendering_on_a_stray_url() -> None:
    served = PackageFetcher(html.TEMPLATE_DIR).fetch((html.TEMPLATE_DIR / "print.css").as_uri())
    assert served.read().startswith(b"/* Print stylesheet")
    with pytest.raises(ForbiddenResource):
        HTML(
            string='<p style="background: url(http://example.invalid/a.png)">x</p>',
            url_fetcher=PackageFetcher(html.TEMPLATE_DIR),
        ).write_pdf()


def test_manifest_hashes_every_file_read_and_never_splits_a_hash(example: tuple[AuditResult, bytes]) -> None:
    result, data = example
    waivers = hashlib.sha256(WAIVERS.read_bytes()).hexdigest()
    assert result.settings == [
        {
            "role": "waivers",
            "path": "inventories/example.waivers.yaml",
            "sha256": waivers,
            "bytes": WAIVERS.stat().st_size,
        }
    ]
    lines = _pdfium_text(data).splitlines()
    row = lines.index(f"waivers {WAIVERS.stat().st_size} {waivers}")
    assert lines[row - 2 : row] == ["inventories/", "example.waivers.yaml"]  # the path breaks at its slash
    hashes = [item["sha256"] for item in result.inputs] + [pack["sha256"] for pack in result.packs]
    assert all(any(digest in line for line in lines) for digest in hashes)  # each on one line, whole


def test_waived_failures_rule_parameters_and_not_applicable_results_are_shown(
    example: tuple[AuditResult, bytes],
) -> None:
    text = _squash(_pdfium_text(example[1]))
    for needle in (
        "Rule parameters in effect",
        "SEC-PATCH-SLApatch_sla_days30",
        "Not applicable (44 results)",
        "CCPA-100-PURPOSE-LIMITATION7nopersonalinformationofCaliforniaconsumers",
        "FrameworkPassedFailedWaivedNotevaluable",
        "LimitationsTheauditreliesontheinventorybeingcompleteandaccurate",
        "Auditdateandperiod",
    ):
        assert _squash(needle) in text, needle
    result = example[0]
    scratch = [f for f in result.results() if f.rule_id == "GDPR-32-ENCRYPTION-AT-REST"]
    failed = sum(f.is_open_failure for f in scratch)
    passed = sum(f.status.value == "PASS" for f in scratch)
    assert _squash(f"{failed} of {len(scratch)} assets tested (storage) fail; {passed} pass") in text
