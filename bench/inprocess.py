"""Microseconds per request in-process: the peer mix (bench/peers.py) sent straight into the ASGI app that
`openai-mock serve` runs (the template router over every function app), with no HTTP server and no client
around it, against the bare FastAPI app (bench/bare_groups.py) the same way. What is left is the app's own
path: the function, the middleware, FastAPI's request handling.

Wall clock, best of ROUNDS rounds of REQUESTS sequential requests after a warm-up: it needs a quiet machine (the
instruction counts of bench/instructions.py do not), and suits a quick before/after of one change:
`--tree PATH` measures another checkout (a `git worktree` of the commit before) with this script.

Usage: python bench/inprocess.py [--requests 2000] [--rounds 5] [--kind K …] [--store memory|sqlite]
[--tree PATH] [--json FILE]. The mock answers the fixture chat from a deployment fixtures file
(`OPENAI_MOCK_FIXTURES_FILE`), and its rate limits are raised as in bench/peers.py."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from bench.peers import FIXTURE_ANSWER, FIXTURE_PROMPT, KINDS  # noqa: E402

Message = dict[str, Any]


def _request(method: str, path: str, body: dict[str, Any] | None) -> tuple[dict[str, Any], bytes]:
    data = json.dumps(body).encode() if body is not None else b""
    headers = [
        (b"host", b"bench"),
        (b"authorization", b"Bearer sk-bench"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    return scope, data


async def _one(app: Any, scope: dict[str, Any], data: bytes) -> None:
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:  # the client stays: an app waiting for a disconnect waits for good
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": data, "more_body": False}

    status: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(dict(scope), receive, send)
    if status != [200]:
        raise RuntimeError(f"{scope['method']} {scope['path']}: {status}")


async def _burst(app: Any, kind: str, requests: int) -> float:
    scope, data = _request(*KINDS[kind])
    started = time.perf_counter()
    for _ in range(requests):
        await _one(app, scope, data)
    return (time.perf_counter() - started) / requests


def measure(app: Any, kinds: list[str], requests: int, rounds: int) -> dict[str, float]:
    loop = asyncio.new_event_loop()
    figures = {}
    for kind in kinds:
        loop.run_until_complete(_burst(app, kind, max(100, requests // 10)))  # warm-up: caches, the tokenizer
        figures[kind] = min(loop.run_until_complete(_burst(app, kind, requests)) for _ in range(rounds)) * 1e6
    loop.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kind", action="append", choices=list(KINDS), default=None)
    parser.add_argument("--store", choices=["memory", "sqlite"], default="memory")
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout whose mock is measured")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-inprocess-"))
    fixtures = scratch / "fixtures.json"
    fixtures.write_text(json.dumps([{"match": {"contains": FIXTURE_PROMPT}, "response": {"content": FIXTURE_ANSWER}}]))
    os.environ.update(
        OPENAI_MOCK_REQUESTS_PER_MINUTE="100000000",
        OPENAI_MOCK_TOKENS_PER_MINUTE="1000000000",
        OPENAI_MOCK_FIXTURES_FILE=str(fixtures),
        OPENAI_MOCK_STORE=args.store,
        OPENAI_MOCK_SQLITE_PATH=str(scratch / "store.sqlite3"),
    )
    tree = args.tree.resolve()
    sys.path[:0] = [str(tree), str(tree / "shared")]
    import openai_mock
    from bench.bare_groups import app as bare
    from openai_mock.generation import tokens
    from openai_mock.local.server import build_app

    assert Path(openai_mock.__file__).is_relative_to(tree), f"{openai_mock.__file__} is not from {tree}"

    mock = build_app(tree / "template.yaml")
    tokens.preload()
    kinds = args.kind or list(KINDS)
    figures = {"openai-mock": measure(mock, kinds, args.requests, args.rounds)}
    figures["bare FastAPI"] = measure(bare, kinds, args.requests, args.rounds)
    print(f"µs per request in-process (best of {args.rounds} × {args.requests}; store {args.store}; tree {tree}):\n")
    print("| request | openai-mock | bare FastAPI | ratio |\n|---|---|---|---|")
    for kind in kinds:
        mine, theirs = figures["openai-mock"][kind], figures["bare FastAPI"][kind]
        print(f"| {kind} | {mine:.0f} | {theirs:.0f} | {mine / theirs:.2f}× |")
    if args.json:
        args.json.write_text(json.dumps({"store": args.store, "tree": str(tree), **figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
