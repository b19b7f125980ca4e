"""Bad input of every kind is refused with one exact error line per problem and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.errors import InputError
from auditor.inventory.source import MAX_DEPTH, read_document
from tests.conftest import invoke, write

INVENTORY = "storage: [{id: s}]\n"
PACK = "name: p\ntitle: P\nversion: '1'\n"
TOO_DEEP = "nesting deeper than 64 levels"
DEEP_JSON_LINE = "deep.json:1:65: $" + "[0]" * 64 + f": {TOO_DEEP}"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's folder as the working folder, so that error lines name files relatively."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", INVENTORY)
    return tmp_path


def errors(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    *lines, summary = result.stderr.splitlines()
    assert summary.startswith("error: ") and summary.endswith("; nothing was audited")
    return lines


def validate(cli: CliRunner, *paths: str) -> list[str]:
    return errors(invoke(cli, "validate", *paths))


def audit(cli: CliRunner, here: Path, *options: str) -> list[str]:
    return errors(invoke(cli, "audit", "inv.yaml", "--out", "out", "--as-of", "2026-11-01", *options))


# Deep nesting -------------------------------------------------------------------------------------


def test_deep_json_inventory_is_refused_where_the_limit_is_crossed(cli: CliRunner, here: Path) -> None:
    (here / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    assert validate(cli, "deep.json") == [DEEP_JSON_LINE]


def test_deep_yaml_cannot_crash_the_composer(cli: CliRunner, here: Path) -> None:
    (here / "deep.yaml").write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (here / "block.yaml").write_text("- " * 2_000 + "x\n")
    assert validate(cli, "deep.yaml", "block.yaml") == [
        "block.yaml:1:129: $" + "[0]" * 64 + f": {TOO_DEEP}",
        "deep.yaml:1:67: $.a" + "[0]" * 63 + f": {TOO_DEEP}",
    ]


@pytest.mark.parametrize("option", ["--config", "--waivers", "--baseline"])
def test_deep_json_in_config_waivers_and_baseline(cli: CliRunner, here: Path, option: str) -> None:
    (here / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    assert audit(cli, here, option, "deep.json") == [DEEP_JSON_LINE]


def test_deep_rule_file(cli: CliRunner, here: Path) -> None:
    write(here, "policies/p/pack.yaml", PACK)
    (here / "policies/p/X-1.yaml").write_text("id: X-1\ncondition: " + "{all: [" * 5_000 + "]}" * 5_000 + "\n")
    result = invoke(cli, "rules", "list", "--policies", "policies")
    path = "$.condition" + ".all[0]" * 31 + ".all"
    assert errors(result) == [f"policies/p/X-1.yaml:2:{12 + 7 * 31 + 6}: {path}: {TOO_DEEP}"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_depth_limit_is_the_same_for_json_and_yaml(tmp_path: Path, suffix: str) -> None:
    fits, over = tmp_path / f"fits{suffix}", tmp_path / f"over{suffix}"
    fits.write_text("[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH)
    over.write_text("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert read_document(fits, "fits").data is not None
    with pytest.raises(InputError) as caught:
        read_document(over, "over")
    assert [str(issue) for issue in caught.value.issues] == ["over:1:65: $" + "[0]" * 64 + f": {TOO_DEEP}"]


# Numbers ------------------------------------------------------------------------------------------


def test_non_finite_and_out_of_range_numbers(cli: CliRunner, here: Path) -> None:
    write(here, "a.json", '{"storage": [{"id": "s", "capacity_tb": 1e999,\n "read_gbytes_s": 1' + "0" * 400 + "}]}")
    write(here, "b.yaml", "storage:\n  - {id: t, capacity_tb: .nan, read_gbytes_s: -.inf, write_gbytes_s: 2e308}\n")
    assert validate(cli, "a.json", "b.yaml") == [
        "a.json:1:41: $.storage[0].capacity_tb: number out of range (beyond -1e308..1e308)",
        "a.json:2:19: $.storage[0].read_gbytes_s: number out of range (beyond -1e308..1e308)",
        "b.yaml:2:26: $.storage[0].capacity_tb: .nan is not a finite number",
        "b.yaml:2:47: $.storage[0].read_gbytes_s: -.inf is not a finite number",
        "b.yaml:2:70: $.storage[0].write_gbytes_s: number out of range (beyond -1e308..1e308)",
    ]


def test_config_parameters_must_be_finite_and_not_negative(cli: CliRunner, here: Path) -> None:
    write(here, "nan.yaml", "parameters:\n  AI-NET-01: {min_gbps_per_gpu: .nan}\n")
    write(here, "neg.yaml", "parameters:\n  AI-NET-01: {min_gbps_per_gpu: -5}\n")
    assert audit(cli, here, "--config", "nan.yaml") == [
        "nan.yaml:2:33: $.parameters.AI-NET-01.min_gbps_per_gpu: .nan is not a finite number"
    ]
    assert audit(cli, here, "--config", "neg.yaml") == [
        "neg.yaml:2:33: $.parameters.AI-NET-01.min_gbps_per_gpu: expected a number >= 0 like the default 100, got -5"
    ]


# Dates --------------------------------------------------------------------------------------------


def test_integers_are_not_dates(cli: CliRunner, here: Path) -> None:
    write(here, "inv.json", '{"compute": [{"id": "n", "last_patched": 1700000000}]}')
    write(here, "w.yaml", "waivers:\n  - {rule: X, assets: a, justification: j, approver: me, expires: 20261231}\n")
    assert validate(cli, "inv.json") == [
        "inv.json:1:42: $.compute[0].last_patched: expected an ISO date YYYY-MM-DD (got 1700000000)"
    ]
    assert audit(cli, here, "--waivers", "w.yaml") == [
        "w.yaml:2:67: $.waivers[0].expires: expected an ISO date YYYY-MM-DD (got 20261231)"
    ]


def test_dates_outside_1900_to_2200_are_refused_everywhere(cli: CliRunner, here: Path) -> None:
    write(here, "old.yaml", "compute: [{id: n, end_of_life: 0001-01-01}]\n")
    write(here, "w.yaml", "waivers:\n  - {rule: X, assets: a, justification: j, approver: me, expires: 9999-12-31}\n")
    assert validate(cli, "old.yaml") == [
        "old.yaml:1:32: $.compute[0].end_of_life: date outside 1900-01-01..2200-12-31 (got '0001-01-01')"
    ]
    assert audit(cli, here, "--waivers", "w.yaml") == [
        "w.yaml:2:67: $.waivers[0].expires: date outside 1900-01-01..2200-12-31 (got '9999-12-31')"
    ]
    write(here, "policies/p/pack.yaml", PACK)
    write(
        here,
        "policies/p/X-1.yaml",
        "id: X-1\ntitle: t\nseverity: low\ndescription: d\nrationale: r\nremediation: m\nreferences: {x: ['1']}\n"
        "effective_from: 1800-01-01\neffective_until: 17\napplies_to: {kinds: [storage]}\n"
        "condition: {path: public_access, op: eq, value: false}\n",
    )
    assert errors(invoke(cli, "rules", "list", "--policies", "policies")) == [
        "policies/p/X-1.yaml:8:17: $.effective_from: date outside 1900-01-01..2200-12-31 (got '1800-01-01')",
        "policies/p/X-1.yaml:9:18: $.effective_until: expected an ISO date YYYY-MM-DD, or a milestone name such as "
        "ccpa.cpra (got 17)",
    ]


@pytest.mark.parametrize("day", ["0001-01-01", "2201-01-01"])
def test_as_of_outside_1900_to_2200_is_a_usage_error(cli: CliRunner, here: Path, day: str) -> None:
    result = invoke(cli, "audit", "inv.yaml", "--out", "out", "--as-of", day)
    assert result.exit_code == 2
    expected = f"Error: Invalid value for --as-of: '{day}': date outside 1900-01-01..2200-12-31"
    assert result.stderr.splitlines()[-1] == expected


# Versions, folders and devices --------------------------------------------------------------------


def test_unknown_inventory_version(cli: CliRunner, here: Path) -> None:
    write(here, "a.yaml", "version: banana\nsites: []\n")
    write(here, "b.json", '{"version": 2}')
    assert validate(cli, "a.yaml", "b.json") == [
        "a.yaml:1:10: $.version: unknown inventory version 'banana'; known versions: 1",
        "b.json:1:13: $.version: unknown inventory version 2; known versions: 1",
    ]


@pytest.mark.parametrize("option", ["--config", "--waivers", "--baseline"])
def test_a_folder_given_as_a_file(cli: CliRunner, here: Path, option: str) -> None:
    (here / "folder").mkdir()
    assert audit(cli, here, option, "folder") == ["folder:1:1: $: is a folder; expected a file"]


def test_a_device_given_as_a_file(cli: CliRunner, here: Path) -> None:
    device = "/dev/zero:1:1: $: is not a regular file (a device or a pipe?); expected a file"
    assert validate(cli, "/dev/zero") == [device]
    assert audit(cli, here, "--config", "/dev/zero") == [device]


# Messages: short values, suggestions, YAML 1.2 ----------------------------------------------------


def test_huge_bad_value_is_cut_to_200_characters(cli: CliRunner, here: Path) -> None:
    write(here, "huge.yaml", "sites: [{id: a, country: " + "x" * 10_000_000 + "}]\n")
    shown = "'" + "x" * 199 + f"... ({10_000_002} characters)"
    assert validate(cli, "huge.yaml") == [
        f"huge.yaml:1:26: $.sites[0].country: String should match pattern '^[A-Z]{{2}}$' (got {shown})"
    ]


def test_did_you_mean_for_attributes_and_kinds(cli: CliRunner, here: Path) -> None:
    write(
        here,
        "typo.yaml",
        """
        storage:
          - id: s
            encryption_at_rst: {enabled: true}
            backup: {enabled: true, isolatd: true}
        storge: []
        """,
    )
    assert validate(cli, "typo.yaml") == [
        "typo.yaml:3:24: $.storage[0].encryption_at_rst: unknown attribute 'encryption_at_rst'; "
        "did you mean 'encryption_at_rest'?",
        "typo.yaml:4:38: $.storage[0].backup.isolatd: unknown attribute 'isolatd'; did you mean 'isolated'?",
        "typo.yaml:5:9: $.storge: unknown asset kind 'storge'; expected one of: clusters, collection_points, "
        "compute, datasets, flows, networks, organization, sites, storage, vendors, workloads; did you mean 'storage'?",
    ]


def test_every_config_problem_at_once_with_suggestions(cli: CliRunner, here: Path) -> None:
    write(
        here,
        "config.yaml",
        """
        parameters:
          AI-NET-1: {x: 1}
          AI-NET-01: {min_gbps_per_gpu: fast, min_gbps_per_gp: 1}
        disabled_rules: [GDPR-32-ENCRYPTION-AT-RST, 5]
        enable_packs: [securty]
        colour: red
        """,
    )
    assert audit(cli, here, "--config", "config.yaml") == [
        "config.yaml:2:13: $.parameters.AI-NET-1: unknown rule 'AI-NET-1'; did you mean 'AI-NET-01'?",
        "config.yaml:3:33: $.parameters.AI-NET-01.min_gbps_per_gpu: expected a number like the default 100, got 'fast'",
        "config.yaml:3:56: $.parameters.AI-NET-01.min_gbps_per_gp: rule AI-NET-01 has no parameter "
        "'min_gbps_per_gp'; did you mean 'min_gbps_per_gpu'? (known: large_model_billion, min_gbps_large, "
        "min_gbps_per_gpu, min_gbps_small, small_model_billion)",
        "config.yaml:4:18: $.disabled_rules[0]: unknown rule 'GDPR-32-ENCRYPTION-AT-RST'; "
        "did you mean 'GDPR-32-ENCRYPTION-AT-REST'?",
        "config.yaml:4:45: $.disabled_rules[1]: Input should be a valid string (got 5)",
        "config.yaml:5:16: $.enable_packs[0]: unknown rule pack 'securty'; did you mean 'security'?",
        "config.yaml:6:9: $.colour: unknown attribute 'colour'",
    ]


def test_did_you_mean_for_rules_and_frameworks_on_the_command_line(cli: CliRunner) -> None:
    rule = invoke(cli, "rules", "show", "GDPR-32-ENCRYPTION-AT-RST")
    assert rule.exit_code == 2
    assert rule.stderr == (
        "error: no rule 'GDPR-32-ENCRYPTION-AT-RST'; did you mean 'GDPR-32-ENCRYPTION-AT-REST'? "
        "(see 'auditor rules list')\n"
    )
    framework = invoke(cli, "frameworks", "coverage", "gdrp")
    assert framework.exit_code == 2
    assert framework.stderr.endswith(", ai-infrastructure; did you mean 'gdpr'?\n")


def test_yaml_1_2_scalars(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "scalars.yaml",
        "country: NO\nwords: [yes, no, on, off, y, n, Yes]\nbools: [true, False, TRUE]\n"
        "numbers: [012, 0o17, 0x1F, 1_000, '1:30', 1:30, 1.5e3]\nnothing: [~, null, ]\nday: 2026-01-31\n",
    )
    assert read_document(path, "scalars.yaml").data == {
        "country": "NO",
        "words": ["yes", "no", "on", "off", "y", "n", "Yes"],
        "bools": [True, False, True],
        "numbers": [12, 15, 31, "1_000", "1:30", "1:30", 1500.0],
        "nothing": [None, None],
        "day": "2026-01-31",
    }


def test_norway_is_a_country_and_yes_is_not_a_boolean(cli: CliRunner, here: Path) -> None:
    write(here, "no.yaml", "sites: [{id: oslo, country: NO}]\n")
    assert invoke(cli, "validate", "no.yaml").stdout == "valid: 1 assets in 1 file(s)\n"
    write(here, "yes.yaml", "storage: [{id: s, public_access: yes}]\n")
    assert validate(cli, "yes.yaml") == [
        "yes.yaml:1:34: $.storage[0].public_access: Input should be a valid boolean (got 'yes'); "
        "write true or false (yes, no, on and off are text in YAML 1.2)"
    ]


# Found by the fuzz tests ------------------------------------------------------------------------


def test_config_parameter_the_rule_cannot_use(cli: CliRunner, here: Path) -> None:
    write(here, "config.yaml", "parameters:\n  GDPR-32-BACKUP-TESTED: {max_days_since_restore_test: 1.5}\n")
    assert audit(cli, here, "--config", "config.yaml") == [
        "config.yaml:2:26: $.parameters.GDPR-32-BACKUP-TESTED: with these parameters, the rule's "
        "$.condition.all[1].value: days_before_as_of needs a whole number of days from 0 to 100000, got 1.5"
    ]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (
            "{path: last_restore_test, op: ge, value: {days_before_as_of: 100000000000}}",
            "9:19: $.condition.path: unknown attribute 'last_restore_test' of storage",
        ),
        (
            "{path: retention_days, op: ge, value: {days_before_as_of: 100000000000}}",
            "9:50: $.condition.value: days_before_as_of needs a whole number of days from 0 to 100000, "
            "got 100000000000",
        ),
        ("{path: type, op: in, value: false}", "9:40: $.condition.value: operator 'in' needs a list value, got False"),
    ],
)
def test_rule_values_that_cannot_compile(cli: CliRunner, here: Path, condition: str, problem: str) -> None:
    write(here, "policies/p/pack.yaml", PACK)
    write(
        here,
        "policies/p/X-1.yaml",
        "id: X-1\ntitle: t\nseverity: low\ndescription: d\nrationale: r\nremediation: m\nreferences: {x: ['1']}\n"
        f"applies_to: {{kinds: [storage]}}\ncondition: {condition}\n",
    )
    assert errors(invoke(cli, "rules", "list", "--policies", "policies")) == [f"policies/p/X-1.yaml:{problem}"]


def test_an_unknown_pack_to_disable_is_named_with_a_suggestion(cli: CliRunner, here: Path) -> None:
    write(here, "config.yaml", "disable_packs: [eu-ai-akt]\n")
    assert audit(cli, here, "--config", "config.yaml") == [
        "config.yaml:1:17: $.disable_packs[0]: unknown rule pack 'eu-ai-akt'; did you mean 'eu-ai-act'?"
    ]
