"""What a request costs the hosted mock in DynamoDB round trips: on Lambda every store call is a network round trip,
so a request's calls add up in its latency. The peer mix's requests (bench/peers.py) and a stored Response are
sent in-process, one at a time, into the app `openai-mock serve` runs, with the DynamoDB store on DynamoDB Local;
each kind's DynamoDB calls per request are counted by operation (at botocore's `_make_api_call`), and its latency
taken (median and 90th percentile: DynamoDB Local answers over HTTP on this machine, in ~1 ms, where AWS answers in
a few from Lambda; read the calls, and the latencies as a same-run comparison only). Calls made at the same time
(writes behind the answer, store/write_behind.py) are waited for once: `in_turn` counts the calls a request waits
for one after the other (the longest run of its calls each made after the one before ended). `--round-trip-ms N`
makes each call wait N ms before it is sent: the network time of a call from Lambda, which DynamoDB Local on this
machine does not have.

Usage: python bench/aws_round_trips.py [--requests 200] [--kind K …] [--round-trip-ms 0] [--tree PATH]
[--json PATH]. `--tree` measures another checkout of the repository (say the code before a change, from `git
worktree add`). Needs Java (DynamoDB Local, as the tests start it)."""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TABLE = "aws-round-trips"
KINDS = [
    "GET /models",
    "chat",
    "embeddings",
    "chat (fixture)",
    "chat (stored)",
    "responses",
    "responses (conversation)",
    "responses (retrieve)",
    "responses (previous)",
]
# Beside the peer mix: a chat with `store: true`, a Response (stored, as by default), what today's applications send
# most, a turn of a conversation (`conversation`: its items read as context, the turn appended), made in one
# before the burst, a stored Response's retrieval (a background response's poll), and a Response continuing one
# (`previous_response_id`: its context), both made before the burst too.
RESPONSE = ("POST", "/v1/responses", {"model": "gpt-4o-mini", "input": "What is the capital of France?"})
CONVERSATION = "{conversation}"
PREVIOUS = "{previous}"


def _in_turn(spans: list[tuple[float, float]]) -> int:
    """How many of a request's calls it waited for one after the other: the longest run of its calls in which each
    starts after the one before ended (earliest end first finds it); a call made beside others counts once."""
    count, free_at = 0, float("-inf")
    for start, end in sorted(spans, key=lambda span: span[1]):
        if start >= free_at:
            count, free_at = count + 1, end
    return count


def _process(
    tree: str, environment: dict[str, str], kinds: list[str], requests: int, round_trip: float, results: Any
) -> None:
    """One container with `tree`'s code: each kind's calls per request and latencies (ms)."""
    sys.path[:0] = [tree, f"{tree}/shared", str(REPO)]
    os.environ.update(environment)
    import botocore.client

    from bench.inprocess import _one, _request
    from bench.peers import KINDS as PEER_MIX

    requests_of = {
        **PEER_MIX,
        "chat (stored)": ("POST", "/v1/chat/completions", {**PEER_MIX["chat"][2], "store": True}),
        "responses": RESPONSE,
        "responses (conversation)": ("POST", "/v1/responses", {**RESPONSE[2], "conversation": CONVERSATION}),
        "responses (retrieve)": ("GET", "/v1/responses/{response}", None),
        "responses (previous)": ("POST", "/v1/responses", {**RESPONSE[2], "previous_response_id": PREVIOUS}),
    }
    from openai_mock.generation import tokens
    from openai_mock.local.server import build_app

    calls: collections.Counter[str] = collections.Counter()
    spans: list[tuple[float, float]] = []  # the current request's calls (from any thread)
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, parameters: Any) -> Any:
        calls[operation] += 1
        started = time.perf_counter()
        if round_trip:
            time.sleep(round_trip)
        try:
            return original(client, operation, parameters)
        finally:
            spans.append((started, time.perf_counter()))

    botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]
    app = build_app(Path(tree) / "template.yaml")
    tokens.preload()
    loop = asyncio.new_event_loop()
    measured: dict[str, Any] = {}
    for kind in kinds:
        scope, data = _request(*requests_of[kind])
        for placeholder, made_by in ((CONVERSATION, ("POST", "/v1/conversations", {})), (PREVIOUS, RESPONSE)):
            if placeholder.encode() in data:
                made = loop.run_until_complete(_answer(app, *_request(*made_by)))
                data = data.replace(placeholder.encode(), json.loads(made)["id"].encode())
                scope["headers"] = [(b"content-length", str(len(data)).encode()) if name == b"content-length" else
                                    (name, value) for name, value in scope["headers"]]  # fmt: skip
        if "{response}" in scope["path"]:
            made = loop.run_until_complete(_answer(app, *_request(*RESPONSE)))
            scope, data = _request("GET", scope["path"].replace("{response}", json.loads(made)["id"]), None)
        for _ in range(20):  # clients made, the tenant's index items written, the journal trimmed once
            loop.run_until_complete(_one(app, scope, data))
        calls.clear()
        latencies, in_turn = [], 0
        for _ in range(requests):
            spans.clear()
            started = time.perf_counter()
            loop.run_until_complete(_one(app, scope, data))
            latencies.append((time.perf_counter() - started) * 1000)
            in_turn += _in_turn(spans)
        latencies.sort()
        measured[kind] = {
            "calls_per_request": {name: round(count / requests, 2) for name, count in sorted(calls.items())},
            "in_turn_per_request": round(in_turn / requests, 2),
            "median_ms": round(statistics.median(latencies), 2),
            "p90_ms": round(latencies[int(len(latencies) * 0.9)], 2),
            "max_ms": round(latencies[-1], 2),  # the request that trims the journal, on the code before
        }
    results.put(measured)


async def _answer(app: Any, scope: dict[str, Any], data: bytes) -> bytes:
    """The body the app answers one request with."""
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        body.extend(message.get("body", b""))

    await app(dict(scope), receive, send)
    return bytes(body)


def measure(tree: str, kinds: list[str], requests: int, round_trip_ms: float = 0) -> dict[str, Any]:
    sys.path[:0] = [str(REPO)]
    from bench.peers import FIXTURE_ANSWER, FIXTURE_PROMPT
    from tests.support.dynamodb_local import DynamoDBLocal, mock_environment

    fixtures = Path(tempfile.mkdtemp(prefix="aws-round-trips-")) / "fixtures.json"
    fixtures.write_text(json.dumps([{"match": {"contains": FIXTURE_PROMPT}, "response": {"content": FIXTURE_ANSWER}}]))
    with DynamoDBLocal() as local:
        from openai_mock.store.dynamodb import create_table

        create_table(local.client(), TABLE)
        environment = {**mock_environment(local.endpoint_url, TABLE), "OPENAI_MOCK_FIXTURES_FILE": str(fixtures)}
        context = multiprocessing.get_context("spawn")  # a fresh interpreter, as a container is
        results = context.Queue()
        worker = context.Process(
            target=_process, args=(tree, environment, kinds, requests, round_trip_ms / 1000, results)
        )
        worker.start()
        measured: dict[str, Any] = results.get()
        worker.join()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--kind", action="append", choices=KINDS)
    parser.add_argument("--round-trip-ms", type=float, default=0, help="each call waits this long before it is sent")
    parser.add_argument("--tree", default=str(REPO))
    parser.add_argument("--json")
    args = parser.parse_args()
    measured = measure(str(Path(args.tree).resolve()), args.kind or KINDS, args.requests, args.round_trip_ms)
    for kind, figures in measured.items():
        print(
            f"{kind:16} {figures['calls_per_request']}  in turn {figures['in_turn_per_request']}  median "
            f"{figures['median_ms']} ms, p90 {figures['p90_ms']} ms, max {figures['max_ms']} ms"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(measured, indent=2) + "\n")


if __name__ == "__main__":
    main()
