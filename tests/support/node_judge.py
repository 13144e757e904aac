"""The Node judges, run as a subprocess: `run_judge(base_url, scenario)` is the JSON summary a scenario of the
official Node SDK's judge (tests/node/judge.mjs) printed, `run_judge(..., script=AI_SDK_JUDGE)` one of the Vercel AI
SDK's (tests/node/ai_sdk.mjs). Never skipped: without node or tests/node/node_modules (`make node-sdk`), or with
another version of a package than package.json pins, the test fails and says what to run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
JUDGE = NODE_DIR / "judge.mjs"
AI_SDK_JUDGE = NODE_DIR / "ai_sdk.mjs"
PINNED: dict[str, str] = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]
SDK_VERSION = PINNED["openai"]
SDK_PACKAGE = NODE_DIR / "node_modules" / "openai"
SCENARIO_SECONDS = 60

Summary = dict[str, Any]


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("The Node SDK tests need Node.js (20 or later) on PATH, then `make node-sdk`.", pytrace=False)
    require_installed_sdk()
    return found


def require_installed_sdk() -> None:
    """Fails the test, saying to run `make node-sdk`, unless tests/node/node_modules has every package package.json
    pins (the official SDK `openai`, the AI SDK's `ai` and `@ai-sdk/openai`, `zod`, `ws`) at its version."""
    for package, pinned in PINNED.items():
        manifest = NODE_DIR / "node_modules" / package / "package.json"
        if not manifest.is_file():
            pytest.fail(f"{package} is not installed in {NODE_DIR}: run `make node-sdk`.", pytrace=False)
        version = json.loads(manifest.read_text())["version"]
        if version != pinned:
            pytest.fail(
                f"tests/node has {package} {version}, package.json pins {pinned}: run `make node-sdk`.", pytrace=False
            )


def run_judge(
    base_url: str, scenario: str, extra_env: Mapping[str, str] | None = None, script: Path = JUDGE
) -> Summary:
    # Only this run's settings: no OPENAI_* of the developer's shell (a webhook secret, an organization) leaks in.
    env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_")}
    env |= {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-node-judge", **(extra_env or {})}
    run = subprocess.run(
        [node(), str(script), scenario],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_SECONDS,
        check=False,
    )
    assert run.returncode == 0, f"node {script.name} {scenario} failed:\n{run.stderr}"
    summary: Summary = json.loads(run.stdout)
    return summary
