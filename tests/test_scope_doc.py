"""docs/scope.md states the catalogs' dates and thresholds: it must say what the catalogs say."""

from __future__ import annotations

import re
from datetime import date

from auditor.catalog import milestones, threshold_row
from tests.conftest import REPO

DOC = (REPO / "docs" / "scope.md").read_text(encoding="utf-8")


def test_every_milestone_row_gives_the_catalog_date() -> None:
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \| (\d{4}-\d{2}-\d{2}) \|", DOC, flags=re.MULTILINE)
    assert len(rows) == 8
    assert {name: day for name, day in rows} == {name: milestones()[name].day.isoformat() for name, _ in rows}


def test_the_business_thresholds_table_gives_the_catalog_revenue_figures() -> None:
    rows = re.findall(
        r"^\s*\| (?:from )?(\d{4}-\d{2}-\d{2})(?: to \d{4}-\d{2}-\d{2})? \| USD ([\d,]+)", DOC, flags=re.MULTILINE
    )
    assert [day for day, _ in rows] == ["2020-01-01", "2023-01-01", "2025-01-01"]
    for day, figure in rows:
        row = threshold_row("business", date.fromisoformat(day))
        assert row is not None
        assert int(figure.replace(",", "")) == row.figures["revenue_usd"]
    assert threshold_row("business", date(2019, 12, 31)) is None  # "before 2020-01-01 ... no business at all"


def test_the_readme_links_it() -> None:
    assert "[docs/scope.md](docs/scope.md)" in (REPO / "README.md").read_text(encoding="utf-8")
