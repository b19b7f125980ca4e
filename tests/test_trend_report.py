"""With a history database, the HTML and PDF chart open failures over the recorded runs."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
from typer.testing import CliRunner

from auditor.history.trend import Trend, TrendPoint
from auditor.report import figures
from tests.conftest import invoke, write_inventory
from tests.test_flow_map import INVENTORY

SEVERITIES = ("critical", "high", "medium", "low", "info")
ROW = re.compile(r"<tr><td>([^<]+)</td><td>([\d-]+)</td><td>[^<]*</td><td>([^<]*)</td></tr>")


def _inventories() -> list[dict]:
    fewer = {**INVENTORY, "flows": INVENTORY["flows"][:1]}
    more = {
        **INVENTORY,
        "storage": [
            *INVENTORY["storage"],
            {"id": "open-bucket", "site": "fra", "encryption_at_rest": {"enabled": False}},
        ],
    }
    return [INVENTORY, fewer, more]


def _severities(results: dict) -> str:
    counts = Counter(f["severity"] for f in results["findings"] if f["status"] == "FAIL" and not f["waived"])
    return "; ".join(f"{s} {counts[s]}" for s in SEVERITIES)


def test_three_recorded_runs_are_charted_with_their_counts(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "history.db"
    expected = []
    for number, data in enumerate(_inventories(), start=1):
        inventory = write_inventory(tmp_path / f"inventory-{number}.yaml", data)
        out = tmp_path / f"run-{number}"
        formats = "json,html,pdf" if number == 3 else "json,html"
        outcome = invoke(cli, "audit", inventory, "--as-of", f"2026-0{number}-01", "--out", out, "-q",
                         "--format", formats, "--record", "--history", db)
        assert outcome.exit_code == 1, outcome.stderr
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        expected.append(("this audit" if number == 3 else str(number), f"2026-0{number}-01", _severities(results)))
        html = (out / "report.html").read_text(encoding="utf-8")
        if number == 1:  # no earlier run: no chart, no empty box
            assert 'id="trend"' not in html and "Trend over" not in html
    assert ROW.findall(html) == expected
    assert len({counts for *_, counts in expected}) == 3  # the three inventories fail differently
    assert re.search(r"Since the last recorded audit: <b>\d+</b> new, <b>\d+</b> resolved", html)
    assert html.count("<svg") >= 4  # the trend chart beside the two summary charts and the map
    document = pdfium.PdfDocument(out / "report.pdf")  # pdfium: a tenth of pypdf's time for the text
    pages = (document[i].get_textpage().get_text_range() for i in range(len(document)))  # up to the chart only
    chart = next((text for text in pages if "open failures per severity" in text), "")
    assert "Trend over the recorded audits" in chart


def _series_style(svg: str, name: str) -> tuple[str, str]:
    """A drawn series' line style (its dash array, "solid" for none) and the marker shape it uses."""
    group = re.search(rf'<g id="trend-{name}">\n    <path d="[^"]*" clip-path="[^"]*" style="([^"]*)"/>'
                      rf'.*?<path id="[^"]*" d="([^"]*)"', svg, re.S)
    assert group is not None, name
    dashes = re.search(r"stroke-dasharray: ([\d.,]+)", group.group(1))
    return (dashes.group(1) if dashes else "solid"), group.group(2)


def test_series_of_equal_counts_stay_distinguishable() -> None:
    severities = tuple((s, 0) for s in SEVERITIES)
    trend = Trend(
        (
            TrendPoint("1", "2026-01-01", (("cis", 5), ("iso27001", 4), ("nist80053", 5)), severities),
            TrendPoint("this audit", "2026-02-01", (("cis", 3), ("iso27001", 4), ("nist80053", 3)), severities),
        ),
        (),
    )
    svg = figures.trend_chart(trend)
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    # the lines of cis and nist80053 lie on each other: the end label names both, the legend each
    assert {"3: cis, nist80053", "4: iso27001", "0: critical, high, medium, low, info"} <= set(texts)
    assert {"cis", "nist80053", "iso27001"} <= set(texts)
    styles = [_series_style(svg, name) for name in ("cis", "iso27001", "nist80053")]
    assert len({dashes for dashes, _ in styles}) == 3 and len({marker for _, marker in styles}) == 3
    assert styles[0][0] == "solid"
