"""Chat's per-request cost, in instructions, against a baseline tree in the same run (issue 28: "chat's
per-request cost stays within 1.2x of today's", today being the code before the answers work).

Each tree's chat function app (`functions/chat/app.py`, the layer on its own `shared/`) answers a mix of prompts
in-process (an ASGI client, no server, no network) under `valgrind --tool=callgrind` with instrumentation on
only around the measured burst (`bench/instructions.py`'s client-request helper). The mix: a fact question, an
open question, a request for code, a three-tool request, and a ~2,000-token prompt. Counts are the machine's
work, so the load of a shared machine does not move them.

Usage: python bench/chat_cost.py --baseline DIR [--requests 20] [--json bench/chat_cost_results.json]
(DIR: a checkout of the baseline commit, e.g. `git worktree add /tmp/before a32a81a^`)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TOOLS = [
    WEATHER,
    {**WEATHER, "function": {**WEATHER["function"], "name": "get_time", "description": "Get the local time"}},
    {**WEATHER, "function": {**WEATHER["function"], "name": "book_flight", "description": "Book a flight"}},
]
LONG = " ".join(["The committee reviewed the quarterly figures and the plans for the coming year."] * 130)
MIX: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": "What is the capital of France?"}]},
    {"messages": [{"role": "user", "content": "Tell me something interesting about the deep ocean."}]},
    {"messages": [{"role": "user", "content": "Write a Python function that reverses a string."}]},
    {"messages": [{"role": "user", "content": "What's the weather in Paris?"}], "tools": TOOLS},
    {"messages": [{"role": "user", "content": LONG + " Summarise this."}]},
]


def _burst(tree: Path, requests: int) -> None:
    """Inside valgrind: build the tree's chat app, warm it, then count `requests` rounds of the mix."""
    sys.path[:0] = [str(tree), str(tree / "shared")]
    from starlette.testclient import TestClient

    from functions.chat.app import app

    sys.path.insert(0, str(REPO))
    from bench.instructions import _helper

    helper = _helper()
    client = TestClient(app)
    headers = {"Authorization": "Bearer sk-bench"}

    def ask() -> None:
        for body in MIX:
            answer = client.post("/v1/chat/completions", json={"model": "gpt-4o-mini", **body}, headers=headers)
            answer.raise_for_status()

    for _ in range(3):
        ask()
    helper.bench_start()
    for _ in range(requests):
        ask()
    helper.bench_stop(b"burst")


def measure(tree: Path, requests: int) -> float:
    """Instructions per chat request of `tree` (mean over the mix)."""
    out = Path(tempfile.mkdtemp(prefix="bench-chat-cost-"))
    env = {**os.environ, "OPENAI_MOCK_REQUESTS_PER_MINUTE": "1000000", "OPENAI_MOCK_TOKENS_PER_MINUTE": "1000000000"}
    env.pop("PYTHONPATH", None)
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/callgrind.out",
        sys.executable, __file__, "--burst", str(tree), "--requests", str(requests),
    ]  # fmt: skip
    subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from bench.instructions import _totals

    # The burst's dump names its trigger ("Client Request: burst"); the one written at exit counts nothing.
    dumps = [path for path in out.iterdir() if "Client Request: burst" in path.read_text(errors="replace")[:4000]]
    return _totals(dumps[0]) / (requests * len(MIX))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--burst", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.burst is not None:
        _burst(args.burst, args.requests)
        return 0
    sys.path[:0] = [str(REPO), str(REPO / "shared")]
    before, now = measure(args.baseline.resolve(), args.requests), measure(REPO, args.requests)
    result = {"baseline": before, "now": now, "ratio": now / before, "requests": args.requests * len(MIX)}
    print(f"| tree | instructions per chat request |\n|---|---|\n| baseline | {before:,.0f} |\n| now | {now:,.0f} |")
    print(f"ratio now / baseline: {now / before:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
