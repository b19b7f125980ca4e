"""Waiver governance: a maximum duration, warnings before expiry, expired and stale waivers in the notices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.errors import InputError
from tests.conftest import audit_data, invoke, write
from tests.test_waivers_config import PLAIN_STORES

WAIVERS = """
waivers:
  - rule: GDPR-32-*
    assets: legacy-*
    justification: Decommissioned in Q1; migration ticket MIG-12
    approver: ciso@example.com
    created: 2026-02-01
    expires: 2026-11-11
  - rule: GDPR-32-ENCRYPTION-AT-REST
    assets: new-c
    justification: old exception
    approver: ciso@example.com
    expires: 2026-01-31
  - rule: AI-NET-01
    assets: "train-*"
    justification: nothing to waive
    approver: cto@example.com
    expires: 2027-01-01
"""


def test_expiring_expired_and_stale_waivers_are_noticed(tmp_path: Path) -> None:
    waivers = write(tmp_path, "waivers.yaml", WAIVERS)
    result = audit_data(tmp_path, PLAIN_STORES, waivers=waivers)
    assert result.waivers[0].waiver.created == "2026-02-01"
    assert result.notices == [
        f"waiver at {waivers}:2:5 (GDPR-32-* on legacy-*, approved by ciso@example.com) expires on 2026-11-11, "
        "in 10 days",
        f"waiver at {waivers}:8:5 (GDPR-32-ENCRYPTION-AT-REST on new-c, approved by ciso@example.com) expired on "
        "2026-01-31 and waives nothing: renew it or fix the findings",
        f"waiver at {waivers}:13:5 (AI-NET-01 on train-*, approved by cto@example.com) is stale: it matches no "
        "finding; remove it or correct its patterns",
    ]


def test_the_warning_window_is_configurable_and_shows_in_the_reports(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.json", json.dumps(PLAIN_STORES))
    write(tmp_path, "waivers.yaml", WAIVERS)
    args = ["audit", "inv.json", "--waivers", "waivers.yaml", "--as-of", "2026-11-01", "--format", "json,markdown"]
    outcome = invoke(cli, *args, "--waiver-warning-days", "61", "--out", "out", "-q")
    assert outcome.exit_code == 0, outcome.stderr
    notices = json.loads((tmp_path / "out" / "results.json").read_text())["notices"]
    expiring = [n for n in notices if " in " in n and "expires on" in n]
    assert [n.split(" (")[0] + " " + n.split("expires on ")[1] for n in expiring] == [
        "waiver at waivers.yaml:2:5 2026-11-11, in 10 days",
        "waiver at waivers.yaml:13:5 2027-01-01, in 61 days",
    ]
    assert "expires on 2027-01-01, in 61 days" in (tmp_path / "out" / "summary.md").read_text()
    quiet = invoke(cli, *args, "--waiver-warning-days", "0", "--out", "out0", "-q")
    assert quiet.exit_code == 0
    assert not any("expires on" in n for n in json.loads((tmp_path / "out0" / "results.json").read_text())["notices"])


LONG = """
waivers:
  - rule: GDPR-32-*
    assets: legacy-*
    justification: forever
    approver: ciso@example.com
    created: 2026-01-01
    expires: 2027-06-01
  - rule: GDPR-32-*
    assets: new-c
    justification: no creation date, counted from the audit
    approver: ciso@example.com
    expires: 2028-01-01
  - rule: GDPR-32-*
    assets: new-c
    justification: backwards
    approver: ciso@example.com
    created: 2026-10-01
    expires: 2026-09-01
"""


def test_a_waiver_longer_than_the_maximum_is_an_input_error(tmp_path: Path) -> None:
    waivers = write(tmp_path, "waivers.yaml", LONG)
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, PLAIN_STORES, waivers=waivers)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{waivers}:7:14: $.waivers[0].expires: waiver expires 516 days after its creation (2026-01-01); at most "
        "365 days are allowed (--waiver-max-days): review it and set an earlier expiry",
        f"{waivers}:12:14: $.waivers[1].expires: waiver expires 426 days after the audit date (2026-11-01); at "
        "most 365 days are allowed (--waiver-max-days): review it and set an earlier expiry",
        f"{waivers}:18:14: $.waivers[2].expires: waiver created on 2026-10-01 expires before that, on 2026-09-01",
    ]


def test_the_maximum_duration_is_configurable(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.json", json.dumps(PLAIN_STORES))
    write(
        tmp_path, "waivers.yaml", LONG.split("  - rule: GDPR-32-*\n    assets: new-c\n    justification: backwards")[0]
    )
    args = ["audit", "inv.json", "--waivers", "waivers.yaml", "--as-of", "2026-11-01", "--format", "json", "-q"]
    refused = invoke(cli, *args, "--out", "a")
    assert refused.exit_code == 2
    assert refused.stderr.endswith("error: 2 input problems; nothing was audited\n")
    allowed = invoke(cli, *args, "--out", "b", "--waiver-max-days", "516")
    assert allowed.exit_code == 0, allowed.stderr
    narrowly = invoke(cli, *args, "--out", "c", "--waiver-max-days", "515")
    assert narrowly.exit_code == 2
    assert narrowly.stderr.splitlines()[0].startswith("waivers.yaml:7:14: $.waivers[0].expires: waiver expires 516")
