"""Lineage from collection points and from flows that declare their datasets, with known answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.graph.flowmap import build_flow_map
from auditor.inventory.loader import load_inventory
from tests.conftest import AS_OF
from tests.test_analyses import facts_for

CUSTOMERS = {"id": "customers", "personal_data": True, "subject_jurisdictions": ["US-CA"]}


TAG = {
    "vendors": [{"id": "tagco", "country": "US"}],
    "collection_points": [{"id": "web", "type": "website", "country": "DE", "collects": ["customers"]}],
    "datasets": [CUSTOMERS],
    "flows": [{"id": "tag", "source": "web", "destination": "tagco"}],  # no datasets declared
}


def test_a_flow_from_a_collection_point_carries_what_it_collects(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, TAG)
    assert facts.lineage.path("tagco", "customers") == ["customers", "web", "tag", "tagco"]
    assert facts.by_asset["tag"].flow.datasets == ["customers"]
    assert facts.by_asset["web"].personal_data.ca_subjects is True


def test_the_flow_map_draws_the_tag_from_the_collection_point_to_the_vendor(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(TAG, sort_keys=False), encoding="utf-8")
    graph = build_graph(load_inventory([path]))
    drawn = build_flow_map(graph, derive_facts(graph, AS_OF))
    assert [(n["id"], n["kind"], n["personal"]) for n in drawn["nodes"]] == [
        ("web", "collection_point", True),
        ("tagco", "vendor", True),
    ]
    assert [(e["flow"], e["source"], e["target"], e["cross_border"]) for e in drawn["edges"]] == [
        ("tag", "web", "tagco", True)
    ]


def test_a_declaring_flow_whose_source_is_not_reached_still_carries_the_dataset(tmp_path: Path) -> None:
    data = {
        "vendors": [{"id": "partner"}],
        "compute": [{"id": "job-node"}],
        "datasets": [CUSTOMERS, {"id": "masked", "derived_from": ["customers"], "pseudonymised": True}],
        "flows": [
            {"id": "raw-feed", "source": "job-node", "destination": "partner", "datasets": ["customers"]},
            {"id": "masked-feed", "source": "job-node", "destination": "partner", "datasets": ["masked"]},
            {
                "id": "anonymised-feed",
                "source": "job-node",
                "destination": "partner",
                "datasets": ["customers"],
                "transformation": "anonymise",
                "anonymisation_assessment_ref": "ANON-3",
            },
        ],
    }
    facts = facts_for(tmp_path, data)
    personal = facts.by_asset
    assert personal["job-node"].personal_data.present is False
    assert (personal["raw-feed"].personal_data.present, personal["raw-feed"].personal_data.raw) == (True, True)
    assert (personal["masked-feed"].personal_data.present, personal["masked-feed"].personal_data.raw) == (True, False)
    assert personal["anonymised-feed"].personal_data.present is False
    assert facts.lineage.path("partner", "customers") == ["customers", "raw-feed", "partner"]


def test_a_flow_reached_from_its_source_keeps_the_path_through_the_store(tmp_path: Path) -> None:
    data = {
        "vendors": [{"id": "partner"}],
        "storage": [{"id": "db"}],
        "datasets": [{**CUSTOMERS, "stored_in": ["db"]}],
        "flows": [{"id": "export", "source": "db", "destination": "partner", "datasets": ["customers"]}],
    }
    assert facts_for(tmp_path, data).lineage.path("partner", "customers") == ["customers", "db", "export", "partner"]


def test_a_collection_point_names_only_datasets(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "storage": [{"id": "db"}],
                "collection_points": [{"id": "web", "type": "website", "collects": ["db", "ghost"]}],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        load_inventory([path])
    assert [f"{issue.path}: {issue.message}" for issue in raised.value.issues] == [
        "$.collection_points[0].collects[0]: 'db' is a storage, expected a dataset",
        "$.collection_points[0].collects[1]: reference to unknown asset 'ghost'",
    ]


def test_an_outsourced_call_centre_gives_what_it_collects_to_its_operator(tmp_path: Path) -> None:
    facts = facts_for(
        tmp_path,
        {
            "vendors": [{"id": "bpo", "country": "PH", "role": "service_provider"}],
            "collection_points": [
                {"id": "hotline", "type": "call_centre", "operated_by": "bpo", "collects": ["customers"]}
            ],
            "datasets": [CUSTOMERS],
        },
    )
    assert facts.lineage.path("bpo", "customers") == ["customers", "hotline", "bpo"]
    assert facts.by_asset["hotline"].jurisdiction.country == "PH"
