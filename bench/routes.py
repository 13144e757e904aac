"""In-process cost of the list routes, against a baseline measured in the same run: each request goes straight
into the ASGI app (no socket, no HTTP parsing), so the figure is the app's own work per request.

Ours: the template-driven app of `openai-mock serve` (every function app, routed as API Gateway would), with
auth, tenancy, standard headers, the store. Baseline: a bare FastAPI app with one paginated list route whose
pagination dependency is `async def`, and the same route with a plain `def` dependency, which FastAPI runs in a
worker thread: the difference is what a thread hop costs a request.

Usage: python bench/routes.py [--requests 1000] [--rounds 5]. Prints a Markdown table (best round per route);
writes bench/routes_results.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Annotated, Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "shared")]
os.environ.setdefault("OPENAI_MOCK_REQUESTS_PER_MINUTE", "100000000")

from fastapi import Depends, FastAPI, Query  # noqa: E402
from starlette.types import ASGIApp  # noqa: E402

from openai_mock.local.server import build_app  # noqa: E402

KEY, ADMIN_KEY = "sk-bench", "sk-admin-bench"
BETA = [(b"openai-beta", b"assistants=v2")]
# name → (path, query string, extra headers, key)
OURS: dict[str, tuple[str, bytes, list[tuple[bytes, bytes]], str]] = {
    "GET /v1/models": ("/v1/models", b"", [], KEY),
    "GET /v1/files": ("/v1/files", b"limit=5", [], KEY),
    "GET /v1/assistants": ("/v1/assistants", b"", BETA, KEY),
    "GET /v1/chat/completions": ("/v1/chat/completions", b"", [], KEY),
    "GET /v1/fine_tuning/jobs": ("/v1/fine_tuning/jobs", b"", [], KEY),
    "GET /v1/vector_stores": ("/v1/vector_stores", b"", [], KEY),
    "GET /v1/organization/projects": ("/v1/organization/projects", b"", [], ADMIN_KEY),
    "GET /v1/organization/audit_logs": ("/v1/organization/audit_logs", b"", [], ADMIN_KEY),
    "GET /v1/organization/usage/completions": (
        "/v1/organization/usage/completions",
        b"start_time=1790000000",
        [],
        ADMIN_KEY,
    ),
}


async def _paging(limit: Annotated[int, Query()] = 20, after: Annotated[str | None, Query()] = None) -> int:
    return limit


def _paging_in_thread(limit: Annotated[int, Query()] = 20, after: Annotated[str | None, Query()] = None) -> int:
    return limit


bare = FastAPI()


@bare.get("/v1/items")
async def _items(limit: Annotated[int, Depends(_paging)]) -> dict[str, Any]:
    return {"object": "list", "data": [], "has_more": False}


@bare.get("/v1/items-sync")
async def _items_sync(limit: Annotated[int, Depends(_paging_in_thread)]) -> dict[str, Any]:
    return {"object": "list", "data": [], "has_more": False}


BARE: dict[str, tuple[str, bytes, list[tuple[bytes, bytes]], str]] = {
    "bare FastAPI, async dependency": ("/v1/items", b"", [], KEY),
    "bare FastAPI, plain-def dependency (thread pool)": ("/v1/items-sync", b"", [], KEY),
}


async def _request(app: ASGIApp, path: str, query: bytes, headers: list[tuple[bytes, bytes]], key: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode()), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _measure(
    app: ASGIApp, cases: dict[str, tuple[str, bytes, list[tuple[bytes, bytes]], str]], requests: int, rounds: int
) -> dict[str, float]:
    results = {}
    for name, case in cases.items():
        status = await _request(app, *case)
        if status != 200:
            raise RuntimeError(f"{name} answered {status}")
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(requests):
                await _request(app, *case)
            best = min(best, (time.perf_counter() - started) / requests)
        results[name] = best * 1e6
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ours = build_app(REPO / "template.yaml")
    figures = {
        "baseline": asyncio.run(_measure(bare, BARE, args.requests, args.rounds)),
        "openai-mock": asyncio.run(_measure(ours, OURS, args.requests, args.rounds)),
    }
    print(f"In-process µs per request (best of {args.rounds} × {args.requests}):\n")
    print("| route | µs / request |\n|---|---|")
    for group in figures.values():
        for name, micros in group.items():
            print(f"| {name} | {micros:.0f} |")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    (REPO / "bench" / "routes_results.json").write_text(json.dumps({"machine": machine, **figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
