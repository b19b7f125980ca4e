"""Writing one entry of a user's cache folder: whole or not at all, and never an error.

The parse cache and the compiled-rules cache both keep entries that a later process trusts, so an
entry is written to a temporary file in the folder and renamed over its name: a reader sees the old
entry or the new one, never half of one. A folder that cannot be made or written loses the entry,
nothing else (the next run computes it again).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def keep_entry(folder: Path, entry: Path, payload: bytes) -> None:
    """Write `payload` as `entry` (a file in `folder`, made private if absent) atomically; OSError is ignored."""
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, entry)
        except OSError:
            os.unlink(temporary)
            raise
