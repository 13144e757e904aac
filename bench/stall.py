"""Stall test: while one maximal legal request is processed, does the server still answer others?

Starts `openai-mock serve` on 127.0.0.1 and a free port, then, concurrently:
- one big request: a chat completion whose messages total ~30 MB (under the 32 MiB body limit), and
- a probe: `GET /v1/models` every 20 ms on its own connection, from before the big request is sent until its
  answer arrives.

It reports the big request's duration and the probe's latencies (max, p99, p50) while the big request was in
flight. Target: every probe answered within 100 ms (the server's event loop is never blocked that long). Prints
JSON (`--json FILE` keeps it). A benchmark, not a test: tests never assert on wall-clock time.

    python bench/stall.py [--megabytes 30] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
USER = {"Authorization": "Bearer sk-stall-bench"}
TARGET_MS = 100.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'shared'}", "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000"}
    command = [sys.executable, "-m", "openai_mock.local.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", headers=USER).is_success:
                return process
        except httpx.TransportError:
            time.sleep(0.1)  # waiting for a process to bind
    process.kill()
    raise RuntimeError("openai-mock serve did not start")


def big_body(megabytes: float) -> bytes:
    """A chat request of about `megabytes` MB, under the body limit: 2,000 user messages of ordinary prose."""
    sentence = "The quick brown fox jumps over the lazy dog while the committee reviews the quarterly figures. "
    per_message = int(megabytes * 1_000_000 / 2000)
    text = (sentence * (per_message // len(sentence) + 1))[:per_message]
    messages = [{"role": "user", "content": text} for _ in range(2000)]
    return json.dumps({"model": "gpt-4o-mini", "max_completion_tokens": 16, "messages": messages}).encode()


async def _round(base: str, body: bytes) -> dict[str, float]:
    """One big request (sent from a thread, with a blocking client: the probe's loop stays free) and the probe."""
    latencies: list[float] = []
    done = asyncio.Event()

    def big_request() -> httpx.Response:
        headers = {**USER, "content-type": "application/json"}
        return httpx.post(f"{base}/v1/chat/completions", content=body, headers=headers, timeout=600)

    async with httpx.AsyncClient(base_url=base, timeout=600) as probe:

        async def probing() -> None:
            while not done.is_set():
                started = time.perf_counter()
                await probe.get("/v1/models", headers=USER)
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

        prober = asyncio.create_task(probing())
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        response = await asyncio.to_thread(big_request)
        big_ms = (time.perf_counter() - started) * 1000
        done.set()
        await prober
    # ~30 MB of prose is millions of tokens: past every model's context, it is OpenAI's 400
    # context_length_exceeded, which the server can only say after tokenising all of it (the heavy part).
    code = (response.json().get("error") or {}).get("code") if response.status_code == 400 else None
    if response.status_code != 200 and code != "context_length_exceeded":
        raise RuntimeError(f"the big request answered {response.status_code}: {response.text[:300]}")
    latencies.sort()
    return {
        "big_request_ms": round(big_ms, 1),
        "big_request_status": response.status_code,
        "probes": len(latencies),
        "probe_max_ms": round(latencies[-1], 1),
        "probe_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        "probe_p50_ms": round(statistics.median(latencies), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args(argv)
    body = big_body(args.megabytes)
    port = _free_port()
    server = _start_server(port)
    try:
        rounds = [asyncio.run(_round(f"http://127.0.0.1:{port}", body)) for _ in range(args.rounds)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    worst = max(result["probe_max_ms"] for result in rounds)
    result = {
        "body_bytes": len(body),
        "rounds": rounds,
        "worst_probe_ms": worst,
        "target_ms": TARGET_MS,
        "within_target": worst <= TARGET_MS,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
