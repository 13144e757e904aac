"""The organization's usage under contention on DynamoDB: every model request adds to the record of its minute, kind
and dimensions, so all the requests of one project and model in a minute write one item. Processes (Lambda
containers) × threads record usage events of one minute and dimension set against DynamoDB Local, counting the
DynamoDB calls each process makes (and those refused: a conditional write that lost a race), the seconds it took,
and checking that the record holds every event.

Usage: python bench/usage_contention.py [--processes 2] [--threads 4] [--events 25] [--tree PATH] [--json PATH].
`--tree` measures another checkout of the repository (say the code before a change, from `git worktree add`).
Needs Java (DynamoDB Local, as the tests start it)."""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TABLE = "usage-contention"
TENANT = "t_bench_usage"
MINUTE = 1_800_000_000


def _record(events: int) -> None:
    from openai_mock.resources.organization.usage import record_usage_event

    for _ in range(events):
        record_usage_event(TENANT, "completions", model="gpt-4o", project_id="proj_bench", input_tokens=1)


def _process(tree: str, environment: dict[str, str], threads: int, events: int, results: Any) -> None:
    """One container: `threads` threads recording `events` events each; puts (calls by operation, seconds)."""
    sys.path[:0] = [tree, f"{tree}/shared"]
    os.environ.update(environment)
    import botocore.client

    from openai_mock import clock

    calls: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, parameters: Any) -> Any:
        try:
            return original(client, operation, parameters)
        except Exception:
            with lock:
                calls[f"{operation} refused"] += 1
            raise
        finally:
            with lock:
                calls[operation] += 1

    botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]
    clock.freeze(MINUTE)
    _record(1)  # the clients made, the item created
    calls.clear()
    workers = [threading.Thread(target=_record, args=(events,)) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((dict(calls), time.perf_counter() - started))


def measure(tree: str, processes: int, threads: int, events: int) -> dict[str, Any]:
    sys.path[:0] = [str(REPO), f"{tree}/shared"]
    from tests.support.dynamodb_local import DynamoDBLocal, mock_environment

    with DynamoDBLocal() as local:
        from openai_mock.store.dynamodb import create_table

        create_table(local.client(), TABLE)
        context = multiprocessing.get_context("spawn")  # fresh interpreters, as containers are
        results = context.Queue()
        environment = mock_environment(local.endpoint_url, TABLE)
        arguments = (tree, environment, threads, events, results)
        workers = [context.Process(target=_process, args=arguments) for _ in range(processes)]
        for worker in workers:
            worker.start()
        finished = [results.get() for _ in workers]
        for worker in workers:
            worker.join()
        os.environ.update(environment)
        from openai_mock.resources.organization import usage

        records = usage._records(TENANT, {"completions"}, 0, MINUTE + 60, usage.UsageQuery(start_time=0))
        counted = sum(record["metrics"]["num_model_requests"] for record in records)
    calls: collections.Counter[str] = collections.Counter()
    for made, _ in finished:
        calls.update(made)
    return {
        "events": processes * threads * events,
        "calls": dict(sorted(calls.items())),
        "seconds": [round(seconds, 3) for _, seconds in finished],
        "counted": counted - processes,  # each process's first event is outside the timed part
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--events", type=int, default=25, help="events per thread")
    parser.add_argument("--tree", default=str(REPO))
    parser.add_argument("--json")
    args = parser.parse_args()
    result = measure(str(Path(args.tree).resolve()), args.processes, args.threads, args.events)
    print(
        f"{result['events']} usage events ({args.processes} processes × {args.threads} threads), one record: "
        f"DynamoDB calls {result['calls']}, seconds per process {result['seconds']}, counted {result['counted']}"
    )
    if result["counted"] != result["events"]:
        raise SystemExit(f"lost usage: {result['counted']} of {result['events']} events counted")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
