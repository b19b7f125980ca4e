"""Errors inside nested rule conditions point at the exact key, line and column of the rule file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke, write

PACK = "name: p\ntitle: P\nversion: '1'\n"
RULE = """
id: X-1
title: t
severity: low
description: d
rationale: r
remediation: m
references: {x: ["1"]}
applies_to: {kinds: [storage]}
tags:
  - a
  - b
parameters:
  limit:
    default: 1
    description: a limit
evidence:
  - public_access
message: "m"
notes: n
condition:
  any:
    - path: public_access
      op: eq
      value: false
    - all:
        - path: encryption_at_rest.enabled
          op: equals
          value: true
        - not:
            related:
              rel: stored_in
              where: {path: classification, op: eq, valu: public}
    - path: retention_days
      op: le
      value: {param: 7}
"""
OPS = (
    "'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'not_in', 'contains', 'not_contains', 'intersects', 'disjoint', "
    "'subset_of', 'matches', 'present', 'absent', 'empty' or 'not_empty'"
)


def rules_list_errors(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "policies/p/pack.yaml", PACK)
    write(tmp_path, "policies/p/X-1.yaml", rule)
    result = invoke(cli, "rules", "list", "--policies", "policies")
    assert result.exit_code == 2
    return result.stderr.splitlines()


def test_nested_condition_errors_name_the_real_keys(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert rules_list_errors(cli, tmp_path, monkeypatch, RULE) == [
        f"policies/p/X-1.yaml:27:15: $.condition.any[1].all[0].op: Input should be {OPS} (got 'equals')",
        "policies/p/X-1.yaml:32:59: $.condition.any[1].all[1].not.related.where.valu: unknown attribute 'valu'; "
        "did you mean 'value'?",
        "policies/p/X-1.yaml:35:22: $.condition.any[2].value.param: Input should be a valid string (got 7)",
        "error: 3 input problems; nothing was audited",
    ]


def test_operand_union_member_labels_are_not_in_the_path(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operand = "condition:\n  path: last_patched\n  op: lt\n  value: {days_before_as_of: soon}\n"
    rule = RULE.split("condition:")[0] + operand
    assert rules_list_errors(cli, tmp_path, monkeypatch, rule) == [
        "policies/p/X-1.yaml:23:30: $.condition.value.days_before_as_of: Input should be a valid dictionary or "
        "instance of ParamRef (got 'soon')",
        "policies/p/X-1.yaml:23:30: $.condition.value.days_before_as_of: Input should be a valid integer, unable to "
        "parse string as an integer (got 'soon')",
        "error: 2 input problems; nothing was audited",
    ]


def test_keys_named_like_union_members_stay_in_the_path(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    condition = "condition:\n  related: {rel: stored_in, any: 1, where: {path: x, op: eq, value: 1, leaf: 2}}\n"
    assert rules_list_errors(cli, tmp_path, monkeypatch, RULE.split("condition:")[0] + condition) == [
        "policies/p/X-1.yaml:21:34: $.condition.related.any: unknown attribute 'any'",
        "policies/p/X-1.yaml:21:78: $.condition.related.where.leaf: unknown attribute 'leaf'",
        "error: 2 input problems; nothing was audited",
    ]
