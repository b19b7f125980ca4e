"""Shipped catalogs match the reference data; docs/rules.md is current."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from auditor import docs
from auditor.catalog import category_marks, data_categories, find_accelerator, instances, jurisdictions

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_docs_rules_md_is_current() -> None:
    assert docs.TARGET.read_text(encoding="utf-8") == docs.current(), "run: python -m auditor.docs"


def test_docs_facts_md_is_current_and_lists_every_fact_field() -> None:
    text = docs.FACTS_TARGET.read_text(encoding="utf-8")
    assert text == docs.render_facts(), "run: python -m auditor.docs"
    assert "| `basis` | `str \\| None` | adequacy, safeguard, derogation or none" in text
    assert "| `capacity` | workload | [CapacityFact](#capacityfact) |" in text


def test_docs_inventory_md_is_current() -> None:
    text = docs.INVENTORY_TARGET.read_text(encoding="utf-8")
    assert text == docs.current_inventory(), "run: python -m auditor.docs"
    assert "| `stored_in` | list of ids of storage |" in text
    assert "| `source` | id of any asset | yes |" in text


def test_every_gpu_catalog_row_is_shipped() -> None:
    rows = list(csv.DictReader((REFERENCE / "gpu_catalog.csv").open())) if REFERENCE.exists() else []
    names = [row["model"] for row in rows] or ["NVIDIA H100 SXM", "AMD MI300X", "Intel Gaudi 3", "Google TPU v5p"]
    assert all(find_accelerator(name) is not None for name in names)
    h100 = find_accelerator("H100 SXM")
    assert (h100["memory_gb"], h100["bf16_dense_tflops"], h100["fp8_supported"], h100["tdp_w"]) == (80, 989, True, 700)
    t4 = find_accelerator("nvidia t4")
    assert (t4["bf16_supported"], t4["fp8_supported"]) == (False, False)


def test_instance_types_resolve() -> None:
    p5 = instances()["p5.48xlarge"]
    assert (p5["gpu_model"], p5["gpu_count"], p5["network_gbps"]) == ("H100 SXM", 8, 3200)
    assert find_accelerator(p5["gpu_model"])["memory_gb"] == 80
    rows = list(csv.DictReader((REFERENCE / "cloud_instances.csv").open())) if REFERENCE.exists() else []
    shipped = {name.split(" ")[0] for name in instances()}
    assert {row["instance"].split(" ")[0] for row in rows} <= shipped


def test_jurisdictions() -> None:
    catalog = jurisdictions()
    day = date(2026, 11, 1)
    eea = {country for country in catalog.members if catalog.is_eea(country, day)}
    assert len(eea) == 30 and {"IS", "LI", "NO"} <= eea and not {"CH", "GB"} & eea
    assert catalog.zone("CH", day) == "adequate" and catalog.zone("IN", day) == "third_country"
    assert catalog.decision("US", day).scope == "dpf"
    assert catalog.decision("CA", day).scope == "pipeda"
    assert catalog.zone("BR", date(2026, 1, 25)) == "third_country"
    assert catalog.zone("BR", date(2026, 1, 26)) == "adequate"
    assert catalog.zone("GB", date(2031, 12, 27)) == "third_country"


def test_data_categories_come_from_fideslang_with_marks() -> None:
    categories = data_categories()
    assert len(categories) == 90 and "user.contact.email" in categories
    assert category_marks("user.health_and_medical.genetic")["gdpr_art9"] is True
    assert category_marks("user.criminal_history")["gdpr_art10"] is True
    assert category_marks("user.government_id.passport_number")["ccpa_sensitive"] is True
    assert category_marks("user.authorization.password")["ccpa_8115"] == "B"
    assert category_marks("user.contact.email")["gdpr_art9"] is False
    assert category_marks("user.biometric.custom_scan")["gdpr_art9"] is True  # inherits from user.biometric
    assert category_marks("vendor.custom") is None


def test_categories_fideslang_cannot_express_are_extension_keys_with_their_marks() -> None:
    extensions = {key: m for key, m in data_categories().items() if m.get("extension")}
    marks = {key: (m["gdpr_art9"], m["ccpa_sensitive"]) for key, m in extensions.items()}
    assert marks == {
        "user.demographic.trade_union_membership": (True, True),  # Art. 9(1); 1798.140(ae)(1)(D)
        "user.demographic.philosophical_belief": (True, True),  # Art. 9(1); 1798.140(ae)(1)(D)
        "user.demographic.sex_life": (True, True),  # Art. 9(1); 1798.140(ae)(2)(C)
        "user.demographic.citizenship": (False, True),  # 1798.140(ae)(1)(D)
        "user.neural": (False, True),  # 1798.140(ae)(1)(G), SB 1223
    }
    assert all(extensions[key]["parent"] in data_categories() for key in extensions)
    immigration_id = category_marks("user.government_id.immigration")
    assert (immigration_id["ccpa_sensitive"], immigration_id["ccpa_8115"]) == (True, "A")  # 1798.81.5(d)(1)(A)(ii)


def test_voice_is_not_biometric_and_card_numbers_need_their_access_code() -> None:
    voice = category_marks("user.biometric.voice")
    assert (voice["gdpr_art9"], voice["ccpa_sensitive"], voice["ccpa_8115"]) == (False, False, None)
    assert category_marks("user.biometric.fingerprint")["ccpa_8115"] == "A"
    needing = {key for key, marks in data_categories().items() if marks["ccpa_needs_access_code"]}
    assert needing == {"user.financial.bank_account", "user.financial.credit_card"}
