"""SHA-256 of the JSON and SARIF of a generated 2,000-asset audit: speed-ups must not change a byte.

`python -m bench.digests` prints them; tests/test_scale_outputs.py holds the recorded ones. A
deliberate change of rules or report formats that alters these outputs records the new digests.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.report import ReportOptions
from bench.generate import generate, write

if TYPE_CHECKING:
    from auditor.result import AuditResult

SIZE = 2000
AS_OF = date(2026, 11, 1)
EVERY_RESULT = ReportOptions(sarif_include_undecided=True, sarif_max_results=1_000_000)  # no cap, undecided too


def audited(folder: Path) -> AuditResult:
    """The audit of the generated inventory, written into `folder` (file names relative to it)."""
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir

    path = folder / f"bench-{SIZE}.json"
    write(generate(SIZE), path)
    return run_audit(AuditRequest([path], default_policies_dir(), AS_OF, root=folder))


def digests(result: AuditResult) -> dict[str, str]:
    """The digest of each output of `result` (the audit of the generated inventory)."""
    from auditor.report import renderer

    outputs = {
        "json": renderer("json")(result, ReportOptions()),
        "sarif": renderer("sarif")(result, ReportOptions()),
        "sarif-all": renderer("sarif")(result, EVERY_RESULT),
    }
    return {name: hashlib.sha256(data).hexdigest() for name, data in outputs.items()}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        for name, digest in digests(audited(Path(folder))).items():
            print(f"{name}: {digest}")
