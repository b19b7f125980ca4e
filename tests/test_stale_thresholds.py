"""The CCPA revenue threshold is adjusted for inflation every odd-numbered January (the 2025 figure
is due to be replaced on 1 Jan 2027): an audit on or after that day, with a catalog that does not
hold the new figure, must say that it judged by the old one, in its notices and in the fact's source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.inventory.loader import load_inventory
from tests.conftest import audit_data, write, write_inventory

RETAILER = {
    "organization": {
        "id": "org",
        "country": "US",
        "annual_revenue_usd": 27_000_000,
        "ca_consumers_sold_shared": 1_000,
        "revenue_share_from_selling_pct": 0,
    },
    "storage": [{"id": "crm"}],
    "datasets": [{"id": "customers", "personal_data": True, "stored_in": ["crm"], "subject_jurisdictions": ["US-CA"]}],
}
STALE = (
    "threshold ccpa.business.revenue_usd is the catalog's figure in force from 2025-01-01 (26,625,000), due for "
    "its CPI adjustment on 2027-01-01; the catalog (as of 2026-12-01) does not hold the adjusted figure: set "
    "ccpa.business.revenue_usd in the config (thresholds:) to the CPPA's figure"
)
STALE_AUDIT = (  # 11 CCR 7120(b) reads the same adjusted figure
    "threshold ccpa.cybersecurity_audit.revenue_usd is the catalog's figure in force from 2026-01-01 (26,625,000), "
    "due for its CPI adjustment on 2027-01-01; the catalog (as of 2026-12-01) does not hold the adjusted figure: "
    "set ccpa.cybersecurity_audit.revenue_usd in the config (thresholds:) to the CPPA's figure"
)


def _ccpa_notices(notices: list[str]) -> list[str]:
    return [n for n in notices if n.startswith("threshold ccpa.")]


def _business(tmp_path: Path, as_of: date, overrides: dict[str, float] | None = None) -> tuple[bool | None, str]:
    graph = build_graph(load_inventory([write_inventory(tmp_path / "facts.yaml", RETAILER)]))
    ccpa = derive_facts(graph, as_of, overrides or {}).by_asset["org"].ccpa
    assert ccpa is not None and ccpa.threshold_source is not None
    return ccpa.business, ccpa.threshold_source


def test_before_the_adjustment_is_due_nothing_is_said(tmp_path: Path) -> None:
    result = audit_data(tmp_path, RETAILER, date(2026, 12, 31))
    assert _ccpa_notices(result.notices) == []
    business, source = _business(tmp_path, date(2026, 12, 31))
    assert business is True and "CPI adjustment on" not in source


def test_from_the_adjustment_date_the_old_figure_is_stated_as_such(tmp_path: Path) -> None:
    result = audit_data(tmp_path, RETAILER, date(2027, 1, 1))
    assert _ccpa_notices(result.notices) == [STALE, STALE_AUDIT]
    business, source = _business(tmp_path, date(2027, 1, 1))
    assert business is True  # judged by the 2025 figure, as the notice says
    assert source.endswith("; due for its CPI adjustment on 2027-01-01, which the catalog does not hold")


def test_a_config_figure_replaces_the_old_one_and_silences_its_notice(tmp_path: Path) -> None:
    config = write(tmp_path, "config.yaml", "thresholds: {ccpa.business.revenue_usd: 28000000}\n")
    result = audit_data(tmp_path, RETAILER, date(2027, 3, 1), config=config)
    assert _ccpa_notices(result.notices) == [
        "threshold ccpa.business.revenue_usd is overridden by the config: 28,000,000",
        STALE_AUDIT,
    ]
    business, source = _business(tmp_path, date(2027, 3, 1), {"ccpa.business.revenue_usd": 28_000_000})
    assert business is False  # 27M is under the adjusted 28M
    assert source.endswith("overridden in the config: ccpa.business.revenue_usd")


def test_without_the_ccpa_pack_nothing_is_said(tmp_path: Path) -> None:
    config = write(tmp_path, "config.yaml", "disable_packs: [ccpa]\n")
    result = audit_data(tmp_path, RETAILER, date(2027, 3, 1), config=config)
    assert _ccpa_notices(result.notices) == []
