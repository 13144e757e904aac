"""Latency of the SQLite store with a big tenant: p50/p99 of a get, of a list page (20 objects, both orders, from
random cursors, and the first page) and of the writes a request makes (create, a 3 KB journal entry's create,
update, a counter increment), with 100,000 objects in the tenant's collection (plus 20,000 of another tenant).
In-process, through the store's own methods, on a database file in a temporary folder (WAL, as `openai-mock serve
--store sqlite:PATH` opens it).

The 100,000 objects (file objects of ~400 bytes of JSON) are loaded through the store's `create` (one commit
each, as requests write them) unless `--bulk`, which loads them in one transaction (faster set-up, same
file). Targets (issue 30): p99 of a get ≤ 1 ms, of a list page ≤ 3 ms.

Usage: python bench/sqlite_store.py [--objects 100000] [--samples 2000] [--bulk] [--json PATH]."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "shared")]

from openai_mock.ids import new_id  # noqa: E402
from openai_mock.store.sqlite import SQLiteStore  # noqa: E402

TENANT, OTHER = "t_bench_big", "t_bench_other"
COLLECTION = "file"
ENTRY = "x" * 3000


def _file(index: int) -> dict[str, Any]:
    return {
        "id": new_id("file"),
        "object": "file",
        "bytes": 1000 + index,
        "created_at": 1_790_000_000 + index,
        "filename": f"document-{index:06d}.jsonl",
        "purpose": "batch" if index % 3 else "fine-tune",
        "status": "processed",
        "status_details": None,
        "expires_at": None,
        "metadata": {"team": "search", "index": str(index)},
        "notes": "x" * 120,
    }


def load(store: SQLiteStore, count: int, tenant: str, bulk: bool) -> list[str]:
    objects = [_file(index) for index in range(count)]
    if bulk:
        rows = [(tenant, COLLECTION, obj["id"], json.dumps(obj), 1, None) for obj in objects]
        with store._transaction() as conn:  # set-up only: one transaction
            for row in rows:
                conn.execute("INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?)", row)
    else:
        for obj in objects:
            store.create(tenant, COLLECTION, obj)
    return [obj["id"] for obj in objects]


def _timed(samples: int, operation: Callable[[int], object]) -> dict[str, float]:
    """Wall-clock and CPU (this thread's) milliseconds per call. On a busy machine the wall-clock tail is the
    scheduler's (a preempted process waits a time slice); the CPU time is the store's own work."""
    times, cpu = [], []
    for index in range(samples):
        started, started_cpu = time.perf_counter(), time.thread_time()
        operation(index)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    times.sort()
    cpu.sort()
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_ms": times[-1],
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p99_ms": cpu[int(len(cpu) * 0.99) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "sqlite_store_results.json")
    args = parser.parse_args()
    draw = random.Random(30)
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as folder:
        store = SQLiteStore(Path(folder) / "store.sqlite3", ttl_seconds=7 * 24 * 3600)
        started = time.perf_counter()
        ids = load(store, args.objects, TENANT, args.bulk)
        load(store, args.objects // 5, OTHER, args.bulk)
        loaded = time.perf_counter() - started
        size_mb = sum(path.stat().st_size for path in Path(folder).iterdir()) / 1e6
        cursors = [draw.choice(ids) for _ in range(args.samples)]
        figures = {
            "get": _timed(args.samples, lambda i: store.get(TENANT, COLLECTION, cursors[i])),
            "get (missing id)": _timed(args.samples, lambda i: store.get(TENANT, COLLECTION, f"file-none{i}")),
            "list page, first (desc)": _timed(args.samples, lambda _: store.list(TENANT, COLLECTION, limit=20)),
            "list page after a cursor (desc)": _timed(
                args.samples, lambda i: store.list(TENANT, COLLECTION, limit=20, after=cursors[i])
            ),
            "list page after a cursor (asc)": _timed(
                args.samples, lambda i: store.list(TENANT, COLLECTION, limit=20, order="asc", after=cursors[i])
            ),
            "list page before a cursor": _timed(
                args.samples, lambda i: store.list(TENANT, COLLECTION, limit=20, before=cursors[i])
            ),
            "list page of 100, filtered (1 in 3 kept)": _timed(
                args.samples // 4,
                lambda i: store.list(
                    TENANT, COLLECTION, limit=100, after=cursors[i], where=lambda obj: obj["purpose"] == "fine-tune"
                ),
            ),
            "create": _timed(args.samples, lambda i: store.create(TENANT, COLLECTION, _file(args.objects + i))),
            # What every request writes on a SQLite server: a journal entry (a chat's is ~3 KB of JSON).
            "create, 3 KB (a journal entry)": _timed(
                args.samples,
                lambda _: store.create(TENANT, "mock.request", {"id": new_id("mock.request"), "body": ENTRY}),
            ),
            "update": _timed(
                args.samples, lambda i: store.update(TENANT, COLLECTION, cursors[i], lambda obj: {**obj, "seen": i})
            ),
            "increment (a rate-limit window)": _timed(
                args.samples,
                lambda _: store.increment(
                    TENANT, "mock.counter", "ratelimit#gpt-4o-mini#0", {"requests": 1, "tokens": 40}, expires_in=120
                ),
            ),
        }
    print(
        f"SQLite store, {args.objects:,} objects in the tenant (+{args.objects // 5:,} in another), "
        f"{size_mb:.0f} MB on disk, loaded in {loaded:.1f} s "
        f"({'one transaction' if args.bulk else 'one commit each'}); "
        f"{args.samples:,} samples each:\n"
    )
    print("| operation | p50 | p99 | max | CPU p50 | CPU p99 |\n|---|---|---|---|---|---|")
    for name, figure in figures.items():
        wall = [f"{figure[key]:.3f} ms" for key in ("p50_ms", "p99_ms", "max_ms", "cpu_p50_ms", "cpu_p99_ms")]
        print(f"| {name} | " + " | ".join(wall) + " |")
    record = {"objects": args.objects, "samples": args.samples, "size_mb": size_mb, "load_seconds": loaded}
    args.json.write_text(json.dumps({**record, "figures": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
