"""The webhooks worker's sources (resources/webhooks.py): every resource that registers one is listed, and the
worker imports it when a message first needs it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from openai_mock.resources.webhooks import SOURCE_MODULES

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "shared" / "openai_mock" / "resources"


def _registered_sources() -> dict[str, str]:
    """source → the module whose code calls `webhooks.register_source("source", …)` with a literal name."""
    found = {}
    for path in RESOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "register_source"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                module = ".".join(path.relative_to(REPO / "shared").with_suffix("").parts)
                found[node.args[0].value] = module
    return found


def test_every_registered_source_is_listed_with_its_module() -> None:
    assert _registered_sources() == SOURCE_MODULES


def test_the_worker_imports_a_source_when_its_first_message_needs_it() -> None:
    """A fresh worker (as a cold start) holds none of the four resources; resolving a batch imports batches alone,
    whose own resolver then answers (a batch that is not stored: nothing to send) and stays registered."""
    script = """
import json, sys
import functions.webhooks.app
from openai_mock.control.webhooks.sources import SOURCES
before = sorted(m for m in sys.modules if m.startswith("openai_mock.resources.") and m.count(".") == 2)
stand_in = SOURCES["batch"]
outcome = SOURCES["batch"]("tenant-a", "batch_not_stored")
from openai_mock.resources import batches
print(json.dumps({
    "before": before,
    "outcome": outcome,
    "others": sorted(m for m in ("responses", "fine_tuning", "evals") if f"openai_mock.resources.{m}" in sys.modules),
    "replaced": SOURCES["batch"] is not stand_in and SOURCES["batch"] is batches._webhook_outcome,
}))
"""
    env = {"PYTHONPATH": f"{REPO}:{REPO / 'shared'}", "OPENAI_MOCK_STORE": "memory", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env, check=True)
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert not {"openai_mock.resources." + name for name in ("batches", "responses", "evals")} & set(seen["before"])
    assert seen["outcome"] is None
    assert seen["others"] == []
    assert seen["replaced"] is True
