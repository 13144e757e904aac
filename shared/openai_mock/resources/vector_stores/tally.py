"""Aggregate file counts of a vector store or file batch, in a record whose size does not grow per file.

Each attached file contributes to the tally according to `(ready_ms, outcome, usage_bytes)`, the fields its
own record holds: a file is `in_progress` until `ready_ms`, then its outcome (`completed` or `failed`);
`cancelled` is final at once. The tally keeps

- `settled`: counts of the files whose status can no longer change, and the bytes of the completed ones;
- `pending`: for files still processing, `[completed, failed, usage_bytes]` per distinct `ready_ms`.

Reads compare the pending keys with the clock, so files finish as time passes without any write; every
write first folds the keys that have passed into `settled`. Processing times are rounded up to a grain of
1/`GRAINS` of the processing time, so at most `GRAINS + 1` keys are ever pending, however many files are
attached: the record stays a few KB (see `tests/functions/test_vector_stores_bookkeeping.py`).

Adding and removing a file are exact inverses and commute (a key may go transiently negative when a
removal overtakes its addition), which is what lets concurrent attaches, detaches and cancellations apply
their deltas in any order through `store.update(change)`."""

from __future__ import annotations

import math
from typing import Any

OUTCOMES = ("completed", "failed")
STATUSES = ("in_progress", "completed", "failed", "cancelled")
GRAINS = 100
Tally = dict[str, Any]


def empty() -> Tally:
    return {"settled": {"completed": 0, "failed": 0, "cancelled": 0, "usage_bytes": 0}, "pending": {}}


# Whole milliseconds, with a tolerance for float sums (`clock.advance(4.9)` then `(0.1)` must reach +5 s).
_EPSILON_MS = 1e-3


def _ms(now: float) -> int:
    return math.floor(now * 1000 + _EPSILON_MS)


def ready_ms(now: float, processing_seconds: float) -> int:
    """When a file attached at `now` finishes: the processing time rounded up to its grain."""
    grain = max(1, math.ceil(processing_seconds * 1000 / GRAINS - _EPSILON_MS))
    return math.ceil(((now + processing_seconds) * 1000 - _EPSILON_MS) / grain) * grain


def status(ready: int, outcome: str, now: float) -> str:
    if outcome == "cancelled":
        return "cancelled"
    return "in_progress" if _ms(now) < ready else outcome


def _settle(tally: Tally, now: float) -> None:
    settled, pending = tally["settled"], tally["pending"]
    for key in [key for key in pending if int(key) <= _ms(now)]:
        completed, failed, usage = pending.pop(key)
        settled["completed"] += completed
        settled["failed"] += failed
        settled["usage_bytes"] += usage


def apply(tally: Tally, ready: int, outcome: str, usage_bytes: int, now: float, sign: int = 1) -> Tally:
    """Add (sign 1) or remove (sign -1) one file's contribution; returns the settled tally."""
    _settle(tally, now)
    usage = usage_bytes if outcome == "completed" else 0
    if outcome == "cancelled":
        tally["settled"]["cancelled"] += sign
    elif _ms(now) >= ready:
        tally["settled"][outcome] += sign
        tally["settled"]["usage_bytes"] += sign * usage
    else:
        key = str(ready)
        entry = tally["pending"].get(key, [0, 0, 0])
        entry[OUTCOMES.index(outcome)] += sign
        entry[2] += sign * usage
        if entry == [0, 0, 0]:
            tally["pending"].pop(key, None)
        else:
            tally["pending"][key] = entry
    return tally


def counts(tally: Tally, now: float) -> tuple[dict[str, int], int]:
    """`file_counts` and `usage_bytes` at `now`."""
    settled = tally["settled"]
    found = {
        "in_progress": 0,
        "completed": settled["completed"],
        "failed": settled["failed"],
        "cancelled": settled["cancelled"],
    }
    usage = settled["usage_bytes"]
    for key, (completed, failed, pending_usage) in tally["pending"].items():
        if int(key) <= _ms(now):
            found["completed"] += completed
            found["failed"] += failed
            usage += pending_usage
        else:
            found["in_progress"] += completed + failed
    return {**found, "total": sum(found.values())}, usage


def next_ready_ms(tally: Tally, now: float) -> int | None:
    """When the next still-processing file finishes, or None if none is."""
    waiting = [
        int(key)
        for key, (completed, failed, _) in tally["pending"].items()
        if int(key) > _ms(now) and completed + failed > 0
    ]
    return min(waiting, default=None)
