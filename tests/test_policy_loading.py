"""Rule packs: an invalid, duplicate or misnamed rule stops the run with its location."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from auditor.errors import InputError
from auditor.inventory.parse_cache import ParseCache
from auditor.policy.loader import default_policies_dir, load_policies
from tests.conftest import rule_text, write

GOOD = rule_text("X-1")
PACK = "name: p\ntitle: P\nversion: '1'\n"


def pack(tmp_path: Path, rules: dict[str, dict], pack_text: str = PACK) -> Path:
    root = tmp_path / "policies"
    write(root, "p/pack.yaml", pack_text)
    for name, rule in rules.items():
        write(root, f"p/{name}.yaml", yaml.safe_dump(rule, sort_keys=False))
    return root


def load_errors(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(root.parent)
    with pytest.raises(InputError) as caught:
        load_policies(root)
    return [str(issue) for issue in caught.value.issues]


def test_bundled_packs_load() -> None:
    loaded = load_policies(default_policies_dir())
    assert {"gdpr", "ccpa", "security", "ai-infra"} <= set(loaded.packs)
    assert len(loaded.rules) >= 8


def test_invalid_rule_is_an_error_with_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {**GOOD, "severity": "urgent", "colour": "red"}
    bad["condition"] = {"path": "x", "op": "roughly", "value": 1}
    messages = load_errors(pack(tmp_path, {"X-1": bad}), monkeypatch)
    assert messages == [
        "policies/p/X-1.yaml:3:11: $.severity: Input should be 'info', 'low', 'medium', 'high' or 'critical' "
        "(got 'urgent')",
        "policies/p/X-1.yaml:15:7: $.condition.op: Input should be 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', "
        "'not_in', 'contains', 'not_contains', 'intersects', 'disjoint', 'subset_of', 'matches', 'present', "
        "'absent', 'empty' or 'not_empty' (got 'roughly')",
        "policies/p/X-1.yaml:17:9: $.colour: unknown attribute 'colour'",
    ]


def test_duplicate_rule_ids_and_file_name_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pack(tmp_path, {"X-1": GOOD})
    write(root, "q/pack.yaml", PACK.replace("name: p", "name: q"))
    write(root, "q/X-1.yaml", yaml.safe_dump(GOOD, sort_keys=False))
    write(root, "q/X-2.yaml", yaml.safe_dump(GOOD, sort_keys=False))
    assert load_errors(root, monkeypatch) == [
        "policies/q/X-1.yaml:1:5: $.id: duplicate rule id 'X-1' (first defined at policies/p/X-1.yaml:1:5)",
        "policies/q/X-2.yaml:1:5: $.id: duplicate rule id 'X-1' (first defined at policies/p/X-1.yaml:1:5)",
        "policies/q/X-2.yaml:1:5: $.id: rule id 'X-1' must match its file name 'X-2'",
    ]


def test_uncompilable_rule_and_missing_pack_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pack(
        tmp_path, {"X-1": {**GOOD, "condition": {"path": "capacity_tb", "op": "gt", "value": {"param": "limit"}}}}
    )
    write(root, "orphan/Y-1.yaml", yaml.safe_dump({**GOOD, "id": "Y-1"}))
    assert load_errors(root, monkeypatch) == [
        "policies/orphan/pack.yaml:1:1: $: every pack needs a pack.yaml (name, title, version)",
        "policies/p/X-1.yaml:17:5: $.condition.value: unknown parameter 'limit' (declared: none)",
    ]


def test_policy_files_get_the_same_safe_yaml_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pack(tmp_path, {})
    write(root, "p/X-1.yaml", "id: X-1\nid: X-2\n")
    assert load_errors(root, monkeypatch) == [
        "policies/p/X-1.yaml:2:1: $.id: duplicate key 'id' (first defined on line 1)"
    ]


def test_copy_of_bundled_packs_is_usable(tmp_path: Path) -> None:
    shutil.copytree(default_policies_dir(), tmp_path / "policies")
    assert load_policies(tmp_path / "policies").rules.keys() == load_policies(default_policies_dir()).rules.keys()


def test_typo_in_a_rule_path_stops_the_run_with_its_line_and_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: `encryption_at_rst` used to load and give 18 NOT_EVALUABLE results, no FAIL."""
    root = tmp_path / "policies"
    shutil.copytree(default_policies_dir(), root)
    rule = root / "gdpr" / "GDPR-32-ENCRYPTION-AT-REST.yaml"
    rule.write_text(rule.read_text().replace("encryption_at_rest.enabled, op", "encryption_at_rst.enabled, op"))
    nested = root / "gdpr" / "GDPR-44-TRANSFER-BASIS.yaml"
    nested.write_text(nested.read_text().replace("facts.transfer.basis", "facts.transfer.bases"))
    assert load_errors(root, monkeypatch) == [
        "policies/gdpr/GDPR-32-ENCRYPTION-AT-REST.yaml:23:19: $.condition.path: unknown attribute "
        "'encryption_at_rst' of storage; did you mean 'encryption_at_rest'?",
        "policies/gdpr/GDPR-44-TRANSFER-BASIS.yaml:36:16: $.applies_to.where.all[1].path: unknown attribute "
        "'bases' of facts.transfer; did you mean 'basis'?",
    ]


def test_errors_inside_nested_conditions_name_their_exact_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    condition = {
        "any": [
            {"path": "public_access", "op": "eq", "value": False},
            {
                "all": [
                    {"path": "name", "op": "matches", "value": "(unclosed"},
                    {"not": {"path": "ownr", "op": "present"}},
                ]
            },
        ]
    }
    root = pack(tmp_path, {"X-1": {**GOOD, "condition": condition}})
    assert load_errors(root, monkeypatch) == [
        "policies/p/X-1.yaml:21:14: $.condition.any[1].all[0].value: invalid regular expression '(unclosed': "
        "missing ), unterminated subpattern at position 0",
    ]
    condition["any"][1]["all"][0]["value"] = "^ok$"
    root = pack(tmp_path / "again", {"X-1": {**GOOD, "condition": condition}})
    assert load_errors(root, monkeypatch) == [
        "policies/p/X-1.yaml:23:15: $.condition.any[1].all[1].not.path: unknown attribute 'ownr' of storage; "
        "did you mean 'owner'?",
    ]


def test_a_typo_in_a_transitional_exemption_stops_the_run_with_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """applies_to.not_applicable is checked like the selector: its condition and the paths of its reason."""
    original = (default_policies_dir() / "eu-ai-act" / "AIACT-53-GPAI-PROVIDER.yaml").read_text()
    typos = [
        ("{path: placed_on_market, op: lt", "{path: placed_on_markt, op: lt"),
        ("market on {placed_on_market}", "market on {placed_on_the_market}"),
    ]
    errors = []
    for index, (right, wrong) in enumerate(typos):
        root = tmp_path / str(index) / "policies"
        shutil.copytree(default_policies_dir(), root)
        (root / "eu-ai-act" / "AIACT-53-GPAI-PROVIDER.yaml").write_text(original.replace(right, wrong))
        errors += load_errors(root, monkeypatch)
    assert errors == [
        "policies/eu-ai-act/AIACT-53-GPAI-PROVIDER.yaml:69:20: $.applies_to.not_applicable[2].when.all[0].path: "
        "unknown attribute 'placed_on_markt' of workload; did you mean 'placed_on_market'?",
        "policies/eu-ai-act/AIACT-53-GPAI-PROVIDER.yaml:71:15: $.applies_to.not_applicable[2].reason: unknown "
        "attribute 'placed_on_the_market' of workload; did you mean 'placed_on_market'?",
    ]


def test_rule_files_parsed_from_the_cache_give_the_same_rules_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse cache (as for inventories) keeps what each rule file parsed to: a second load reads
    the entries, and an error is located as from the file itself."""
    cache = ParseCache(tmp_path / "cache")
    bundled = [load_policies(default_policies_dir(), cache=cache) for _ in range(2)]
    assert len(list((tmp_path / "cache").iterdir())) > 100
    assert [rule.rule for rule in bundled[0].rules.values()] == [rule.rule for rule in bundled[1].rules.values()]
    assert bundled[0].pack_hashes == bundled[1].pack_hashes
    root = pack(tmp_path, {"X-1": {**GOOD, "condition": {"path": "ownr", "op": "present"}}})
    monkeypatch.chdir(tmp_path)
    errors = []
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            load_policies(root, cache=cache)
        errors.append([str(issue) for issue in caught.value.issues])
    assert errors[0] == errors[1] == [
        "policies/p/X-1.yaml:14:9: $.condition.path: unknown attribute 'ownr' of storage; did you mean 'owner'?"
    ]
