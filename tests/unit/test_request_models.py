"""Request models are built by their first validation, not at import (openai_mock.fields.RequestModel): a cold
start builds only the validators its first request needs."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

import openai_mock
from openai_mock.fields import RequestModel
from openai_mock.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _layer_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(openai_mock.__path__, "openai_mock."):
        importlib.import_module(info.name)
    found, pending = [], list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("openai_mock."):
            found.append(model)
    return found


def test_every_request_model_of_the_layer_derives_from_request_model() -> None:
    models = _layer_models()
    assert len(models) > 50  # the walk found the layer's models
    # (Settings is no request model: every process reads it at its first request)
    plain = [
        f"{m.__module__}.{m.__qualname__}" for m in models if not issubclass(m, RequestModel) and m is not Settings
    ]
    assert plain == []


def test_a_function_builds_no_request_model_at_import_and_its_first_request_builds_the_one_it_uses() -> None:
    script = """
import json
import functions.assistants.app
from openai_mock.resources.assistants import params
built = lambda: sorted(n for n in ("CreateAssistantRequest", "CreateThreadRequest", "CreateRunRequest")
                       if getattr(params, n).__pydantic_complete__)
before = built()
params.CreateAssistantRequest.model_validate({"model": "gpt-4o"})
print(json.dumps({"before": before, "after": built()}))
"""
    env = {"PYTHONPATH": f"{REPO}:{REPO / 'shared'}", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env, check=True)
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen == {"before": [], "after": ["CreateAssistantRequest"]}
