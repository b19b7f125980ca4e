"""A fixed pure-Python workload timed with every harness run, so figures of different days can be compared.

This machine's speed drifts from hour to hour (the same commit took 1.25x longer one morning than that
afternoon, and 2x longer the next day), and the issue's targets are absolute seconds. The workload does
what an audit's hot loops do (string-keyed dicts built and looked up, slotted objects read, a sort) on
200,000 items, with the collector off as in an audit, so that an audit's time divided by it can be
compared between a fast and a slow day (first recorded 2 December; whether the quotient holds steady
across days is for later runs to show).
"""

from __future__ import annotations

import gc
import statistics
import time

ITEMS = 200_000


class _Item:
    __slots__ = ("id", "kind", "refs")

    def __init__(self, item_id: str, kind: str, refs: list[str]) -> None:
        self.id, self.kind, self.refs = item_id, kind, refs


def workload(items: int = ITEMS) -> int:
    """Build, index, join and sort `items` objects; returns a checksum so nothing is optimised away."""
    kinds = ("dataset", "storage", "flow", "workload", "vendor")
    objects = {f"asset-{n % 997}-c{n}": _Item(f"asset-{n % 997}-c{n}", kinds[n % 5], []) for n in range(items)}
    ids = list(objects)
    for position, item in enumerate(objects.values()):
        item.refs = [ids[(position * 7 + 3) % items], ids[(position * 13 + 5) % items]]
    by_kind: dict[str, list[_Item]] = {kind: [] for kind in kinds}
    for item in objects.values():
        by_kind[item.kind].append(item)
    reached = 0
    for item in objects.values():
        for ref in item.refs:
            if objects[ref].kind == item.kind:
                reached += 1
    return reached + len(sorted(objects))


def calibrate(runs: int = 3, items: int = ITEMS) -> dict[str, object]:
    """CPU seconds of the workload in this process: the median of `runs`, each run's alongside."""
    seconds = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.process_time()
            workload(items)
            seconds.append(round(time.process_time() - start, 3))
    finally:
        if enabled:
            gc.enable()
    return {"cpu": statistics.median(seconds), "runs": seconds, "items": items}


if __name__ == "__main__":
    print(calibrate())
