"""Load and soak: a realistic mix across the stable API groups against `openai-mock serve` on loopback.

64 concurrent asyncio clients (httpx) for 60 s by default. Every answer must be a 2xx (errors are counted
and listed); latency percentiles are per request; the server's resident memory (VmRSS from /proc) is
sampled every second, and growth is measured from the end of the warm-up to the end of the run.
Objects a client creates are deleted again, as a real app's test suite would, so a flat memory line
means the mock itself keeps nothing it should not.

Usage: python bench/soak.py [--seconds 60] [--concurrency 64] [--warmup 10] [--json bench/soak_results.json]
Loopback only: the server is started here, on 127.0.0.1 and a free port, and stopped at the end."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
USER = {"Authorization": "Bearer sk-soak"}
ADMIN = {"Authorization": "Bearer sk-admin-soak"}
CHAT = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Give me two tips for writing tests."}],
    "max_completion_tokens": 64,
}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    def record(self, name: str, seconds: float, ok: bool, detail: str = "") -> None:
        self.requests += 1
        self.latencies.setdefault(name, []).append(seconds)
        if not ok:
            self.errors[f"{name}: {detail}"[:200]] += 1


Step = Callable[[httpx.AsyncClient, Tally, random.Random], Awaitable[None]]


async def _call(
    http: httpx.AsyncClient, tally: Tally, name: str, method: str, path: str, **kwargs: object
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await http.request(method, path, **kwargs)  # type: ignore[arg-type]
        body = await response.aread()
    except httpx.HTTPError as error:
        tally.record(name, time.perf_counter() - started, False, type(error).__name__)
        return None
    ok = response.is_success
    tally.record(name, time.perf_counter() - started, ok, f"{response.status_code} {body[:120]!r}")
    return response if ok else None


# --------------------------------------------------------------------------- the mix (weights = share of steps)


async def list_models(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(http, tally, "GET /models", "GET", "/v1/models", headers=USER)


async def chat(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    body = {**CHAT, "messages": [{"role": "user", "content": f"Question {rng.randrange(10_000)} about tests?"}]}
    await _call(http, tally, "POST /chat/completions", "POST", "/v1/chat/completions", headers=USER, json=body)


async def chat_stream(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    response = await _call(
        http, tally, "POST /chat/completions (stream)", "POST", "/v1/chat/completions", headers=USER, json=body
    )
    if response is not None and not response.text.rstrip().endswith("data: [DONE]"):
        tally.errors["stream did not end with [DONE]"] += 1


async def embeddings(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    body = {"model": "text-embedding-3-small", "input": [f"sentence {rng.randrange(1000)}", "another one"]}
    await _call(http, tally, "POST /embeddings", "POST", "/v1/embeddings", headers=USER, json=body)


async def moderation(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(
        http, tally, "POST /moderations", "POST", "/v1/moderations", headers=USER, json={"input": "I love sunny days."}
    )


async def completion(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(
        http,
        tally,
        "POST /completions",
        "POST",
        "/v1/completions",
        headers=USER,
        json={"model": "gpt-3.5-turbo-instruct", "prompt": "Once upon a time", "max_tokens": 32},
    )


async def file_roundtrip(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    created = await _call(
        http,
        tally,
        "POST /files",
        "POST",
        "/v1/files",
        headers=USER,
        data={"purpose": "assistants"},
        files={"file": ("notes.txt", b"Soak test notes. " * 64, "text/plain")},
    )
    if created is None:
        return
    file_id = created.json()["id"]
    await _call(http, tally, "GET /files/{id}", "GET", f"/v1/files/{file_id}", headers=USER)
    await _call(http, tally, "DELETE /files/{id}", "DELETE", f"/v1/files/{file_id}", headers=USER)


async def vector_store_roundtrip(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    created = await _call(
        http, tally, "POST /vector_stores", "POST", "/v1/vector_stores", headers=USER, json={"name": "soak"}
    )
    if created is None:
        return
    store_id = created.json()["id"]
    await _call(
        http,
        tally,
        "POST /vector_stores/{id}/search",
        "POST",
        f"/v1/vector_stores/{store_id}/search",
        headers=USER,
        json={"query": "tests"},
    )
    await _call(http, tally, "DELETE /vector_stores/{id}", "DELETE", f"/v1/vector_stores/{store_id}", headers=USER)


async def image(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(
        http,
        tally,
        "POST /images/generations",
        "POST",
        "/v1/images/generations",
        headers=USER,
        json={"model": "dall-e-2", "prompt": "a lighthouse", "size": "256x256", "response_format": "b64_json"},
    )


async def speech(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(
        http,
        tally,
        "POST /audio/speech",
        "POST",
        "/v1/audio/speech",
        headers=USER,
        json={"model": "tts-1", "voice": "alloy", "input": "Hello there.", "response_format": "wav"},
    )


async def fine_tuning_list(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(http, tally, "GET /fine_tuning/jobs", "GET", "/v1/fine_tuning/jobs", headers=USER)


async def upload_roundtrip(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    created = await _call(
        http,
        tally,
        "POST /uploads",
        "POST",
        "/v1/uploads",
        headers=USER,
        json={"purpose": "assistants", "filename": "a.txt", "bytes": 4, "mime_type": "text/plain"},
    )
    if created is not None:
        await _call(
            http, tally, "POST /uploads/{id}/cancel", "POST", f"/v1/uploads/{created.json()['id']}/cancel", headers=USER
        )


async def organization(http: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
    await _call(http, tally, "GET /organization/projects", "GET", "/v1/organization/projects", headers=ADMIN)
    now = int(time.time())
    await _call(
        http,
        tally,
        "GET /organization/usage/completions",
        "GET",
        "/v1/organization/usage/completions",
        headers=ADMIN,
        params={"start_time": now - 3600, "bucket_width": "1m", "limit": 60},
    )


MIX: list[tuple[Step, int]] = [
    (list_models, 15),
    (chat, 20),
    (chat_stream, 5),
    (embeddings, 10),
    (moderation, 5),
    (completion, 5),
    (file_roundtrip, 10),
    (vector_store_roundtrip, 5),
    (image, 3),
    (speech, 3),
    (fine_tuning_list, 4),
    (upload_roundtrip, 5),
    (organization, 5),
]


# --------------------------------------------------------------------------- running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _start_server(port: int) -> subprocess.Popen[bytes]:
    # One key sends >10,000 chat requests a minute here: the real default quota would (rightly) answer 429s.
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO}:{REPO / 'shared'}",
        "OPENAI_MOCK_REQUESTS_PER_MINUTE": "100000000",
        "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000",
    }
    command = [
        sys.executable,
        "-m",
        "openai_mock.local.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--seed",
        "7",
    ]
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


async def _soak(base_url: str, pid: int, seconds: float, concurrency: int, warmup: float) -> dict[str, object]:
    tally = Tally()
    steps, weights = zip(*MIX, strict=True)
    started = time.monotonic()
    deadline = started + warmup + seconds
    rss: list[tuple[float, int]] = []

    async def sample_memory() -> None:
        while time.monotonic() < deadline:
            rss.append((time.monotonic() - started, _rss_kib(pid)))
            await asyncio.sleep(1)

    async def client(index: int) -> None:
        rng = random.Random(index)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
            while time.monotonic() < deadline:
                await rng.choices(steps, weights)[0](http, tally, rng)

    sampler = asyncio.create_task(sample_memory())
    await asyncio.sleep(0)
    await asyncio.gather(*(client(index) for index in range(concurrency)))
    await sampler
    elapsed = time.monotonic() - started
    after_warmup = [kib for at, kib in rss if at >= warmup]
    all_latencies = sorted(x for values in tally.latencies.values() for x in values)

    def pct(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)

    return {
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "requests": tally.requests,
        "requests_per_second": round(tally.requests / elapsed),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors.most_common(10)),
        "p50_ms": pct(all_latencies, 0.50),
        "p99_ms": pct(all_latencies, 0.99),
        "per_operation": {
            name: {"count": len(v), "p50_ms": pct(sorted(v), 0.5), "p99_ms": pct(sorted(v), 0.99)}
            for name, v in sorted(tally.latencies.items())
        },
        "rss_mib_start": round(after_warmup[0] / 1024, 1),
        "rss_mib_end": round(after_warmup[-1] / 1024, 1),
        "rss_mib_peak": round(max(after_warmup) / 1024, 1),
        "rss_growth_percent": round(100 * (after_warmup[-1] - after_warmup[0]) / after_warmup[0], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="measured duration, after the warm-up")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before memory is baselined")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    port = _free_port()
    server = _start_server(port)
    try:
        result = asyncio.run(_soak(f"http://127.0.0.1:{port}", server.pid, args.seconds, args.concurrency, args.warmup))
    finally:
        server.terminate()
        server.wait(timeout=10)
    machine = f"{os.cpu_count()} CPU {platform.system()} {platform.machine()}"
    result["machine"] = f"{machine}, Python {platform.python_version()}"
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    healthy = result["errors"] == 0 and float(result["rss_growth_percent"]) < 10  # type: ignore[arg-type]
    print("PASS" if healthy else "FAIL: errors or memory growth over 10 %")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
