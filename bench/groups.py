"""Benchmarks of the model-serving groups (issues 3, 4 and 7), each against a baseline measured in the same run
on the same machine: `openai-mock serve` vs `bench/bare_groups.py` (a bare FastAPI app answering each POST with a
fixed payload of the same shape and size), one server at a time, alternating rounds.

1. POST /v1/chat/completions (non-stream) req/s and p99 at c=16 (wrk -t2 -c16 --latency, a Lua script cycling
   through 32 everyday questions).
2. 20-chunk chat streams per second at c=16 (`stream: true`, `max_tokens: 18` → role + 18 tokens + finish).
3. POST /v1/embeddings, 100 inputs × 1536 dims base64: median and p99 of sequential httpx requests.
4. POST /v1/responses (non-stream) req/s and p99 at c=16 (the same 32 questions).
5. POST /v1/audio/speech (~450 characters, mp3 and wav) and POST /v1/images/generations (1024×1024, b64_json):
   median and p99 of sequential httpx requests.

Sequential requests vary their text by index, so no cache can answer them. The mock runs with its deployment
rate limit raised (OPENAI_MOCK_REQUESTS_PER_MINUTE), or its real 10,000 req/min default would answer 429s.

Usage: python bench/groups.py [--seconds 5] [--rounds 2] [--requests 40]. Prints a Markdown table; writes
bench/groups_results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import ENV, PYTHON, REPO, _free_port

AUTH = "Bearer sk-bench"
MOCK_ENV = {**ENV, "OPENAI_MOCK_REQUESTS_PER_MINUTE": "100000000", "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000"}
# wrk cycles through these: an answer's cost depends on its length and sentences, so one fixed prompt would
# measure one particular answer (and any change to the generator's draws would move it).
QUESTIONS = [
    "Say hello in one short sentence.",
    "What is the capital of France?",
    "How do I reverse a list in Python?",
    "Give me a name for a golden retriever puppy.",
    "Why is the sky blue?",
    "Suggest a quick vegetarian dinner.",
    "What does HTTP status 404 mean?",
    "How many minutes are in a day?",
    "Translate good morning into Spanish.",
    "Write a haiku about autumn leaves.",
    "What is a good way to learn chess?",
    "Explain recursion to a child.",
    "Which planet is closest to the sun?",
    "How do I center a div in CSS?",
    "Summarize the plot of Hamlet briefly.",
    "What are the benefits of drinking water?",
    "Recommend a book about habits.",
    "How do vaccines work?",
    "What time zone is Tokyo in?",
    "Tell me a fun fact about octopuses.",
    "How can I improve my sleep?",
    "What is the difference between a list and a tuple?",
    "Draft a polite reminder email subject line.",
    "What causes ocean tides?",
    "How do I make cold brew coffee?",
    "Name three primary colors.",
    "What is machine learning in simple terms?",
    "How long should I boil an egg?",
    "What is the boiling point of water in Fahrenheit?",
    "Give me a tip for public speaking.",
    "How do solar panels produce electricity?",
    "What is a haiku?",
]
CHATS = [{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]} for question in QUESTIONS]
STREAM = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Write a long story about a dog."}],
    "stream": True,
    "max_tokens": 18,
}
RESPONSES = [{"model": "gpt-4o-mini", "input": question} for question in QUESTIONS]
SPEECH_TEXT = (
    "The quick brown fox jumps over the lazy dog while the benchmark measures how long the speech "
    "endpoint takes to answer. "
) * 4

SERVERS: dict[str, Callable[[int], list[str]]] = {
    "openai-mock": lambda port: [PYTHON, "-m", "openai_mock.local.cli", "serve", "--port", str(port)],
    "bare FastAPI": lambda port: [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.bare_groups:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ],
}


def _lua(*bodies: dict[str, Any]) -> str:
    """A wrk script POSTing these JSON bodies in turn (each goes in as a Lua long string)."""
    texts = [json.dumps(body) for body in bodies]
    assert all("]==]" not in text for text in texts)
    listed = ",\n".join(f"[==[{text}]==]" for text in texts)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "{AUTH}"\nlocal bodies = {{\n{listed}\n}}\n'
            "local turn = 0\nrequest = function()\n  turn = turn % #bodies + 1\n"
            "  return wrk.format(nil, nil, nil, bodies[turn])\nend\n"
        )
    return script.name


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(port: int, path: str, script: str, seconds: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", script, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses:\n{output}")
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert p50 and p99 and rps, output
    return {"rps": float(rps.group(1)), "p50_ms": _ms(*p50.groups()), "p99_ms": _ms(*p99.groups())}


def _latencies(client: httpx.Client, path: str, make_body: Callable[[int], dict[str, Any]], count: int) -> list[float]:
    """Milliseconds of `count` sequential requests (after 3 warm-ups), each checked to succeed."""
    timings = []
    for index in range(-3, count):
        started = time.perf_counter()
        answer = client.post(path, json=make_body(index))
        elapsed = (time.perf_counter() - started) * 1000
        answer.raise_for_status()
        if index >= 0:
            timings.append(elapsed)
    return timings


def _embeddings_body(index: int) -> dict[str, Any]:
    return {
        "model": "text-embedding-3-small",
        "encoding_format": "base64",
        "input": [f"request {index}: benchmark input {i} about the quick brown fox" for i in range(100)],
    }


def _speech_body(response_format: str) -> Callable[[int], dict[str, Any]]:
    def body(index: int) -> dict[str, Any]:
        return {
            "model": "tts-1",
            "voice": "alloy",
            "response_format": response_format,
            "input": f"Request {index}. {SPEECH_TEXT}"[:450],
        }

    return body


def _image_body(index: int) -> dict[str, Any]:
    return {
        "model": "dall-e-3",
        "prompt": f"a lighthouse at dusk, variation {index}",
        "size": "1024x1024",
        "response_format": "b64_json",
    }


def _stream_chunks(port: int) -> int:
    """How many chunks the benchmarked stream really has (data events before [DONE])."""
    with httpx.stream(
        "POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=STREAM, headers={"Authorization": AUTH}
    ) as answer:
        events = [line for line in answer.iter_lines() if line.startswith("data: ")]
    return len([event for event in events if event != "data: [DONE]"])


def measure(port: int, seconds: int, requests: int, scripts: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {"stream_chunks": _stream_chunks(port)}
    for name, path in (
        ("chat", "/v1/chat/completions"),
        ("stream", "/v1/chat/completions"),
        ("responses", "/v1/responses"),
    ):
        _wrk(port, path, scripts[name], 1)  # warm-up
        result[name] = _wrk(port, path, scripts[name], seconds)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": AUTH}, timeout=60) as client:
        result["embeddings"] = _latencies(client, "/v1/embeddings", _embeddings_body, requests)
        result["speech_mp3"] = _latencies(client, "/v1/audio/speech", _speech_body("mp3"), requests)
        result["speech_wav"] = _latencies(client, "/v1/audio/speech", _speech_body("wav"), requests)
        result["image"] = _latencies(client, "/v1/images/generations", _image_body, requests)
    return result


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    scripts = {"chat": _lua(*CHATS), "stream": _lua(STREAM), "responses": _lua(*RESPONSES)}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVERS}
    try:
        for _ in range(args.rounds):  # alternate, so drift on the machine hits both alike
            for name, command in SERVERS.items():
                port = _free_port()
                process = _start_with_env(command(port), port, MOCK_ENV if name == "openai-mock" else ENV)
                try:
                    runs[name].append(measure(port, args.seconds, args.requests, scripts))
                finally:
                    process.terminate()
                    process.wait()
    finally:
        for script in scripts.values():
            os.unlink(script)
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": runs,
    }
    (REPO / "bench" / "groups_results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(runs, args)


def _start_with_env(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Like bench/run.py's `_start`, with this server's own environment."""
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": AUTH}).is_success:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def print_table(runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    ours, bare = runs["openai-mock"], runs["bare FastAPI"]

    def wrk_median(side: list[dict[str, Any]], name: str, key: str) -> float:
        return statistics.median(run[name][key] for run in side)

    def pooled(side: list[dict[str, Any]], name: str) -> list[float]:
        return [value for run in side for value in run[name]]

    print("| measure | openai-mock | bare FastAPI | ratio | target |\n|---|---|---|---|---|")
    targets = {
        "chat": ("POST /v1/chat/completions req/s, c=16", "≥ 0.5×"),
        "stream": (f"20-chunk chat streams/s, c=16 ({ours[0]['stream_chunks']} chunks)", "≥ 2,000/s"),
        "responses": ("POST /v1/responses req/s, c=16", ""),
    }
    for name, (label, target) in targets.items():
        mine, base = wrk_median(ours, name, "rps"), wrk_median(bare, name, "rps")
        print(
            f"| {label} (median of {args.rounds} × {args.seconds} s) | {mine:,.0f} | {base:,.0f} "
            f"| {mine / base:.2f}× | {target} |"
        )
        p99_target = "≤ 5 ms" if name == "chat" else ""
        print(
            f"| ↳ p50 / p99 latency under that load | {wrk_median(ours, name, 'p50_ms'):.2f} / "
            f"{wrk_median(ours, name, 'p99_ms'):.2f} ms | {wrk_median(bare, name, 'p50_ms'):.2f} / "
            f"{wrk_median(bare, name, 'p99_ms'):.2f} ms | | {p99_target} |"
        )
    labels = {
        "embeddings": "embeddings, 100 inputs × 1536 dims base64",
        "speech_mp3": "speech, 450 chars, mp3",
        "speech_wav": "speech, 450 chars, wav",
        "image": "image 1024×1024, b64_json",
    }
    for name, label in labels.items():
        times, floor = pooled(ours, name), pooled(bare, name)
        print(
            f"| {label}: median / p99 of {len(times)} sequential "
            f"| {statistics.median(times):.1f} / {_p99(times):.1f} ms "
            f"| {statistics.median(floor):.1f} / {_p99(floor):.1f} ms "
            f"| {statistics.median(times) / statistics.median(floor):.1f}× | |"
        )


if __name__ == "__main__":
    main()
