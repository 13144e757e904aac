"""The peer run: the same wrk mix against `openai-mock serve`, the bare FastAPI baseline and aimock, in one run on
one machine, one server at a time (`make bench-peers`; `bench/install_peers.sh` installs wrk and aimock).

The mix, each for SECONDS at c=16 (wrk -t2 -c16 --latency, after a warm-up): GET /v1/models; chat (one
everyday question: the mock generates its answer, the others answer a fixed one of ~70 tokens); a 20-chunk chat
stream (`max_tokens: 18` → role + 18 tokens + finish on the mock; aimock streams a fixture's 360 characters in
its default 20-character chunks); embeddings (one input, base64, as the official SDK asks); chat answered by a
fixture (the same prompt and answer for the mock, `--fixtures`, and aimock, `-f`).

Servers:
- `openai-mock`: `openai-mock serve`, one process, its deployment rate limits raised (a wrk run sends far more
  than the real 10,000 requests a minute, which would be 429s);
- `openai-mock (SQLite)`: one process on a SQLite file, and `openai-mock ×2`: `--workers 2` sharing one (when
  `--workers 2`): the ratio of the two is what several workers add on the same store;
- `bare FastAPI`: bench/bare_groups.py under uvicorn (fixed payloads of the same shapes, nothing else), and
  `bare FastAPI ×2`: the same under `uvicorn --workers 2` (when `--workers 2`), what two processes gain on this
  machine at all while wrk shares its cores: the ceiling of the mock's workers' ratio;
- `bare + OpenAI's headers`: bench/contract_floor.py, the bare app plus the key check and the headers every
  answer of the API carries: the floor of any mock's per-request cost;
- `aimock`: `@copilotkit/aimock` (Node) from .cache/aimock, with a fixture file answering every chat prompt of
  the mix (it replays fixtures only); its embeddings are its deterministic fallback.

Usage: python bench/peers.py [--seconds 10] [--warmup 2] [--workers 2] [--only NAME …]
[--json bench/peers_results.json]. Prints a Markdown table of req/s (p99)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.groups import _ms
from bench.run import PYTHON, REPO, _free_port

# The checkout first; then whatever PYTHONPATH already holds (optional libraries, say).
ENV = {
    **os.environ,
    "PYTHONPATH": ":".join(filter(None, [str(REPO), str(REPO / "shared"), os.environ.get("PYTHONPATH", "")])),
}

AUTH = "Bearer sk-bench"
AIMOCK_CLI = REPO / ".cache/aimock/node_modules/@copilotkit/aimock/dist/cli.js"
CHAT_PROMPT = "What is the capital of France?"
FIXTURE_PROMPT = "What's the weather in Paris?"
FIXTURE_ANSWER = "It is sunny in Paris today, 22 degrees with a light breeze from the west, and it stays dry all day."
STREAM_PROMPT = "Write a long story about a dog."
FIXED_CHAT_ANSWER = "A fixed answer of about seventy tokens. " * 9  # what bench/bare_groups.py answers
STREAM_ANSWER = ("Once upon a time, a dog " * 15)[:360]  # 18 chunks of 20 characters in aimock's stream


def _chat(prompt: str, **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}], **extra}


def _conversation(prompt: str) -> dict[str, Any]:
    """What an application sends: its system prompt (~2,100 characters) and the conversation so far (six turns),
    re-sent with each new question; the question last."""
    system = "You are the support assistant of a bookshop. Answer briefly and kindly, and never invent a price. " * 21
    messages = [{"role": "system", "content": system}]
    for turn in range(1, 7):
        messages.append(
            {"role": "user", "content": f"Is volume {turn} of the series in stock, and can it ship to Lyon?"}
        )
        messages.append(
            {"role": "assistant", "content": f"Yes: volume {turn} is in stock and ships to Lyon in two days."}
        )
    messages.append({"role": "user", "content": prompt})
    return {"model": "gpt-4o-mini", "messages": messages}


# name → (method, path, JSON body or None)
KINDS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "GET /models": ("GET", "/v1/models", None),
    "chat": ("POST", "/v1/chat/completions", _chat(CHAT_PROMPT)),
    "chat stream (20 chunks)": ("POST", "/v1/chat/completions", _chat(STREAM_PROMPT, stream=True, max_tokens=18)),
    "embeddings": (
        "POST",
        "/v1/embeddings",
        {"model": "text-embedding-3-small", "input": "The food was delicious.", "encoding_format": "base64"},
    ),
    "chat (fixture)": ("POST", "/v1/chat/completions", _chat(FIXTURE_PROMPT)),
    "chat (conversation, 3 KB)": ("POST", "/v1/chat/completions", _conversation(CHAT_PROMPT)),
}


def _mock_fixtures(folder: Path) -> Path:
    path = folder / "mock-fixtures.json"
    path.write_text(json.dumps([{"match": {"contains": FIXTURE_PROMPT}, "response": {"content": FIXTURE_ANSWER}}]))
    return path


def _aimock_fixtures(folder: Path) -> Path:
    path = folder / "aimock-fixtures.json"
    fixtures = [
        {"match": {"userMessage": CHAT_PROMPT}, "response": {"content": FIXED_CHAT_ANSWER}},
        {"match": {"userMessage": STREAM_PROMPT}, "response": {"content": STREAM_ANSWER}},
        {"match": {"userMessage": FIXTURE_PROMPT}, "response": {"content": FIXTURE_ANSWER}},
    ]
    path.write_text(json.dumps({"fixtures": fixtures}))
    return path


CONTRACT_FLOOR = "bare + OpenAI's headers"  # bench/contract_floor.py
MOCK_ENV = {**ENV, "OPENAI_MOCK_REQUESTS_PER_MINUTE": "1000000000", "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000000"}


def servers(folder: Path, workers: int) -> dict[str, tuple[Callable[[int], list[str]], dict[str, str]]]:
    mock = [PYTHON, "-m", "openai_mock", "serve", "--fixtures", str(_mock_fixtures(folder))]
    found: dict[str, tuple[Callable[[int], list[str]], dict[str, str]]] = {
        "openai-mock": (lambda port: [*mock, "--port", str(port)], MOCK_ENV),
    }
    if workers > 1:
        # One worker and `workers` workers on the same store, for the workers' ratio (issue 30: ≥ 1.7× on 2 cores);
        # each server starts on a fresh database file.
        found["openai-mock (SQLite)"] = (
            lambda port: [*mock, "--port", str(port), "--store", f"sqlite:{folder / 'one' / 'store.sqlite3'}"],
            MOCK_ENV,
        )
        found[f"openai-mock ×{workers}"] = (
            lambda port: [
                *mock, "--port", str(port), "--workers", str(workers), "--store", f"sqlite:{folder / 'store.sqlite3'}"
            ],
            MOCK_ENV,
        )  # fmt: skip
    bare = [PYTHON, "-m", "uvicorn", "bench.bare_groups:app", "--log-level", "warning"]
    found["bare FastAPI"] = (lambda port: [*bare, "--port", str(port)], ENV)
    floor = [PYTHON, "-m", "uvicorn", "bench.contract_floor:app", "--log-level", "warning"]
    found[CONTRACT_FLOOR] = (lambda port: [*floor, "--port", str(port)], ENV)
    if workers > 1:
        # The machine's own ceiling for `workers` processes: wrk runs on the same cores, so no server gets N×.
        found[f"bare FastAPI ×{workers}"] = (lambda port: [*bare, "--port", str(port), "--workers", str(workers)], ENV)
    aimock = ["node", str(AIMOCK_CLI), "-f", str(_aimock_fixtures(folder)), "--log-level", "silent"]
    found["aimock"] = (lambda port: [*aimock, "-p", str(port)], ENV)
    return found


def _start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {command}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": AUTH}).is_success:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def _check(port: int, kind: str, replays_fixtures: bool) -> None:
    """One request of the kind, answered 200 (wrk counts failures but a wrong route would still be fast)."""
    method, path, body = KINDS[kind]
    answer = httpx.request(
        method, f"http://127.0.0.1:{port}{path}", json=body, headers={"Authorization": AUTH}, timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:300]}")
    if kind == "chat stream (20 chunks)":
        chunks = answer.text.count("data: {")
        if not 18 <= chunks <= 22:
            raise RuntimeError(f"{kind}: {chunks} chunks")
    if kind == "chat (fixture)" and replays_fixtures and FIXTURE_ANSWER[:20] not in answer.text:
        raise RuntimeError(f"{kind}: not the fixture's answer: {answer.text[:300]}")


def _lua(folder: Path, kind: str) -> str:
    method, _, body = KINDS[kind]
    script = folder / f"{kind.replace(' ', '_').replace('/', '')}.lua"
    lines = [f'wrk.method = "{method}"', f'wrk.headers["Authorization"] = "{AUTH}"']
    if body is not None:
        text = json.dumps(body)
        assert "]==]" not in text
        lines += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = [==[{text}]==]"]
    script.write_text("\n".join(lines) + "\n")
    return str(script)


def _wrk(port: int, path: str, script: str, seconds: int) -> dict[str, float]:
    """req/s, p50 and p99 of one wrk run; any failed or timed-out request fails the run (a stalled server would
    otherwise look fast: wrk leaves requests over its timeout out of the figures)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    failed = [re.search(pattern, output) for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"timeout (\d+)")]
    if any(found and int(found.group(1)) for found in failed):
        raise RuntimeError(f"wrk saw failed or timed-out requests:\n{output}")
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert p50 and p99 and rps, output
    return {"rps": float(rps.group(1)), "p50_ms": _ms(*p50.groups()), "p99_ms": _ms(*p99.groups())}


def run(seconds: int, warmup: int, workers: int, only: list[str] | None) -> dict[str, dict[str, dict[str, float]]]:
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as scratch:
        folder = Path(scratch)
        for name, (command, env) in servers(folder, workers).items():
            if only and name not in only:
                continue
            port = _free_port()
            process = _start(command(port), port, env)
            try:
                results[name] = {}
                for kind in KINDS:
                    _check(port, kind, replays_fixtures=not name.startswith(("bare FastAPI", CONTRACT_FLOOR)))
                    script = _lua(folder, kind)
                    if warmup:
                        _wrk(port, KINDS[kind][1], script, warmup)
                    results[name][kind] = _wrk(port, KINDS[kind][1], script, seconds)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each measured run (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="also run openai-mock with this many workers (1: no)")
    parser.add_argument("--only", action="append", default=None, help="run only these servers (repeatable)")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "peers_results.json")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: bash bench/install_peers.sh (or apt-get install wrk)")
    if not AIMOCK_CLI.is_file() and (not args.only or "aimock" in args.only):
        sys.exit(f"aimock is not installed ({AIMOCK_CLI} missing): bash bench/install_peers.sh")
    results = run(args.seconds, args.warmup, args.workers, args.only)
    names = list(results)
    print(f"req/s (p99) at c=16, {args.seconds} s each, one run, {os.cpu_count()} CPUs:\n")
    print("| request | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for kind in KINDS:
        cells = [f"{results[name][kind]['rps']:,.0f} ({results[name][kind]['p99_ms']:.1f} ms)" for name in names]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    record = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine, "seconds": args.seconds}
    args.json.write_text(json.dumps({**record, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
