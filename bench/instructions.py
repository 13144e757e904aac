"""Instructions per request through the HTTP server, counted by callgrind: a figure the machine's load does not
move (wall-clock benchmarks need a quiet machine; this one does not), so a change to the server's path can be
judged on a busy machine. Not a throughput figure: it counts work, not cache misses or waits.

The server runs under `valgrind --tool=callgrind` with instrumentation off; a bench-only ASGI wrapper turns it
on for a measured burst (`GET /__bench/start`), and off and dumps the counts after it (`GET /__bench/stop`),
through callgrind's client requests (a tiny C helper compiled at run time: needs `cc` and valgrind's headers).
The client (outside valgrind) sends WARMUP requests of a kind, then REQUESTS in the burst, one at a time on one
keep-alive connection. Per request = the burst's instructions / REQUESTS (the start/stop requests' own tail
adds well under 1 %).

Servers: `openai-mock` is what `openai-mock serve` runs (the template router over every function app, the same
uvicorn options, the deployment rate limits raised as in bench/groups.py); `bare` is bench/bare_groups.py (a
FastAPI app answering fixed payloads of the same shapes); `floor` is bench/contract_floor.py (the bare app plus the
key check and OpenAI's headers). Kinds: GET /models, chat, a 20-chunk chat stream,
embeddings, and chat answered by a fixture (the mock only; the bare app answers it like chat).

Usage: python bench/instructions.py [--requests 100] [--warmup 30] [--server openai-mock|bare|floor …]
[--store memory|sqlite] [--json bench/instructions_results.json]. Prints a Markdown table."""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "shared")]

import httpx  # noqa: E402

from bench.peers import FIXTURE_ANSWER, FIXTURE_PROMPT, KINDS  # noqa: E402
from bench.run import _free_port  # noqa: E402

AUTH = {"Authorization": "Bearer sk-bench"}
FIXTURE_KEY = {"Authorization": "Bearer sk-bench-fixture"}
_HELPER = r"""
#include <valgrind/callgrind.h>
void bench_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void bench_stop(const char *name) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(name); }
"""


# --------------------------------------------------------------------------------------------- inside valgrind


def _helper() -> ctypes.CDLL:
    folder = Path(tempfile.mkdtemp(prefix="bench-callgrind-"))
    source, library = folder / "zone.c", folder / "zone.so"
    source.write_text(_HELPER)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return ctypes.CDLL(str(library))


class Zone:
    """ASGI wrapper: `/__bench/start` and `/__bench/stop?name` switch callgrind's counting; the rest passes."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.helper = _helper()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__bench/"):
            if scope["path"] == "/__bench/start":
                self.helper.bench_start()
            else:
                self.helper.bench_stop(scope["query_string"])
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def serve(server: str, port: int) -> None:
    import uvicorn

    if server == "openai-mock":
        from openai_mock.local.server import build_app

        app: Any = build_app(REPO / "template.yaml")
    elif server == "floor":
        from bench.contract_floor import app
    else:
        from bench.bare_groups import app
    # The options `openai-mock serve` runs uvicorn with (local/cli.py).
    uvicorn.run(Zone(app), host="127.0.0.1", port=port, log_level="warning", access_log=False, server_header=False)


# --------------------------------------------------------------------------------------------- outside


def _totals(dump: Path) -> int:
    """The dump's instruction count (its `totals:` line: `summary:` stays 0 in dumps a client request triggers)."""
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def measure(server: str, kinds: list[str], requests: int, warmup: int, env: dict[str, str]) -> dict[str, float]:
    port = _free_port()
    out = Path(tempfile.mkdtemp(prefix="bench-callgrind-out-"))
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/callgrind.out",
        sys.executable, __file__, "--serve", server, "--port", str(port),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, float] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 600  # the app is built under valgrind: slow
        with httpx.Client(base_url=base, timeout=600) as client:
            while True:
                try:
                    client.get("/v1/models", headers=AUTH)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{server} did not start under valgrind") from None
                    time.sleep(0.5)
            if server == "openai-mock":
                fixture = {"match": {"contains": FIXTURE_PROMPT}, "response": {"content": FIXTURE_ANSWER}}
                client.post("/__mock/fixtures", json=fixture, headers=FIXTURE_KEY).raise_for_status()
            for kind in kinds:
                method, path, body = KINDS[kind]
                headers = FIXTURE_KEY if kind == "chat (fixture)" and server == "openai-mock" else AUTH
                for _ in range(warmup):
                    client.request(method, path, json=body, headers=headers).raise_for_status()
                dumps_before = set(out.iterdir())
                client.get("/__bench/start")
                for _ in range(requests):
                    client.request(method, path, json=body, headers=headers).raise_for_status()
                client.get("/__bench/stop", params={"kind": kind})
                deadline = time.monotonic() + 60
                while not (new := set(out.iterdir()) - dumps_before) and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)  # the dump is written as the stop request answers
                results[kind] = _totals(max(new, key=lambda path: path.stat().st_mtime)) / requests
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--server", action="append", choices=["openai-mock", "bare", "floor"], default=None)
    parser.add_argument("--kind", action="append", choices=list(KINDS), default=None)
    parser.add_argument("--store", default="memory", help="openai-mock's store: memory or sqlite")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    for tool in ("valgrind", "cc"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install valgrind gcc")
    env = {
        **os.environ,
        # The checkout first; then whatever PYTHONPATH already holds (say, optional libraries to compare).
        "PYTHONPATH": ":".join(filter(None, [str(REPO), str(REPO / "shared"), os.environ.get("PYTHONPATH", "")])),
        "OPENAI_MOCK_REQUESTS_PER_MINUTE": "100000000",
        "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000",
    }
    env = {name: value for name, value in env.items() if name != "OPENAI_MOCK_STORE"}
    store_dir = None
    if args.store == "sqlite":
        store_dir = tempfile.mkdtemp(prefix="bench-store-")
        env.update(OPENAI_MOCK_STORE="sqlite", OPENAI_MOCK_SQLITE_PATH=f"{store_dir}/store.sqlite3")
    kinds = args.kind or list(KINDS)
    figures: dict[str, dict[str, float]] = {}
    try:
        for server in args.server or ["openai-mock", "bare"]:
            figures[server] = measure(server, kinds, args.requests, args.warmup, env)
    finally:
        if store_dir:
            shutil.rmtree(store_dir, ignore_errors=True)
    servers = list(figures)
    print(f"Instructions per request (callgrind, {args.requests} requests after {args.warmup}; store {args.store}):\n")
    print("| request | " + " | ".join(servers) + (" | ratio |" if len(servers) == 2 else " |"))
    print("|---" * (len(servers) + 1 + (len(servers) == 2)) + "|")
    for kind in kinds:
        cells = [f"{figures[server][kind] / 1e6:.2f} M" for server in servers]
        ratio = [f"{figures[servers[0]][kind] / figures[servers[1]][kind]:.2f}×"] if len(servers) == 2 else []
        print(f"| {kind} | " + " | ".join(cells + ratio) + " |")
    if args.json:
        args.json.write_text(json.dumps({"store": args.store, "requests": args.requests, **figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
