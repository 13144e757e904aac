"""What a second process costs the SQLite store: the store operations of one chat request (as `openai-mock serve
--store sqlite:PATH` makes them: its first reads in one batch, the rate-limit window's increment, the minute's
usage increment, a 3 KB journal entry, the journal's trim now and then) in a loop, with CPU work between them
standing in for the rest of the request, run in one process and then in two on one database file.

Without HTTP, wrk or the app, a change to the store's locking, waiting or checkpoints shows here in seconds; the
peer run (bench/peers.py, `openai-mock ×2`) is the judge. Prints iterations a second for each process count and
the store's microseconds an iteration by operation (the time spent waiting for the other process included).

Usage: python bench/sqlite_workers.py [--seconds 5] [--work-us 400] [--processes 1 --processes 2] [--json PATH]."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "shared")]

from openai_mock.ids import new_id  # noqa: E402
from openai_mock.store.sqlite import SQLiteStore, prepare  # noqa: E402

TENANT = "t_bench_workers"
ENTRY = "x" * 3000  # a chat's journal entry
JOURNAL_SIZE = 1000
TRIM_EVERY = 500  # requests between the journal's trims
# The rate-limit window's increment as resources/ratelimits.py makes it: a request and its tokens, both limited.
USED = {"requests": 1, "tokens": 84}
RATE_LIMIT: dict[str, Any] = {"limits": {"requests": 10**9, "tokens": 10**12}, "expires_in": 120}
# The minute's usage record as resources/organization/usage.py adds to it: a chat's completions counters.
USAGE = {
    "input_tokens": 14,
    "output_tokens": 70,
    "input_cached_tokens": 0,
    "input_audio_tokens": 0,
    "output_audio_tokens": 0,
    "num_model_requests": 1,
}


def _work(microseconds: float) -> None:
    """The rest of a request: the app's own CPU time."""
    end = time.perf_counter() + microseconds / 1e6
    while time.perf_counter() < end:
        pass


# What a model request reads of its tenant before its work, in one batch (web/request_reads.py): its clock offset,
# its fixtures' stamp (the process keeps the fixtures themselves while it stands), its spend state and quota.
FIRST_READS = (("mock.clock", "clock"), ("mock.fixture.stamp", "stamp"), ("organization.spend_state", "state"),
               ("mock.quota", "quota"))  # fmt: skip
# A request's store operations, in its order: (name, what it does given the store and the rate-limit window).
OPERATIONS: list[tuple[str, Callable[[SQLiteStore, str], Any]]] = [
    ("first reads", lambda store, _: store.get_many(TENANT, FIRST_READS)),
    ("rate limit", lambda store, window: store.increment(TENANT, "mock.counter", window, USED, **RATE_LIMIT)),
    ("usage", lambda store, _: store.increment(TENANT, "organization.usage.counts", "minute", USAGE)),
    ("journal", lambda store, _: store.create(TENANT, "mock.request", {"id": new_id("file"), "entry": ENTRY})),
]


def _requests(path: str, seconds: float, work_us: float) -> tuple[int, dict[str, float]]:
    """One worker: requests' store operations for `seconds`; how many, and the seconds spent in each operation."""
    store = SQLiteStore(path)
    spent: dict[str, float] = defaultdict(float)
    count = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        window = f"ratelimit#gpt-4o-mini#{int(time.time() // 60) * 60}"
        for name, operation in OPERATIONS:
            started = time.perf_counter()
            operation(store, window)
            spent[name] += time.perf_counter() - started
        if count % TRIM_EVERY == 0:
            started = time.perf_counter()
            store.keep_newest(TENANT, "mock.request", JOURNAL_SIZE)
            spent["trim"] += time.perf_counter() - started
        _work(work_us)
        count += 1
    return count, dict(spent)


def _worker(path: str, seconds: float, work_us: float, results: Any) -> None:
    results.put(_requests(path, seconds, work_us))


def measure(processes: int, seconds: float, work_us: float) -> dict[str, Any]:
    path = str(Path(tempfile.mkdtemp(prefix="bench-sqlite-workers-")) / "store.sqlite3")
    prepare(path)
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as `serve --workers` starts them
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(path, seconds, work_us, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    finished = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    count = sum(done for done, _ in finished)
    spent: dict[str, float] = defaultdict(float)
    for _, seconds_by_operation in finished:
        for name, value in seconds_by_operation.items():
            spent[name] += value
    return {
        "processes": processes,
        "per_second": round(count / seconds),
        "store_us_per_request": {name: round(total / count * 1e6, 1) for name, total in spent.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--work-us", type=float, default=400.0, help="CPU time of a request besides the store")
    parser.add_argument("--processes", type=int, action="append", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    runs = [measure(count, args.seconds, args.work_us) for count in args.processes or [1, 2]]
    print(f"A request's SQLite operations, {args.work_us:.0f} µs of other work each, {args.seconds:.0f} s a run:\n")
    for run in runs:
        operations = run["store_us_per_request"]
        detail = ", ".join(f"{name} {value}" for name, value in operations.items())
        print(f"{run['processes']} process(es): {run['per_second']:,}/s; store µs a request: "
              f"{sum(operations.values()):.0f} ({detail})")  # fmt: skip
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        print(f"\n{last['processes']} / {first['processes']}: {last['per_second'] / first['per_second']:.2f}×")
    if args.json:
        figures = {"work_us": args.work_us, "seconds": args.seconds, "runs": runs}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
