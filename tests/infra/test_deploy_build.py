"""What `sam build` produced (`make build`, no container) works: the layer's contents sit at `python/`,
every built function's `app.handler` imports with only the built layer and the standard library on
sys.path, and answers the events in events/ — the closest this machine gets to `sam local invoke`.
Each function runs in its own clean interpreter (`python -I -S`), as in Lambda.

The layer's wheels are compiled for the runtime (CPython 3.13), so the built functions run under a Python 3.13 of
this machine (tools/runtime_python.py finds one; those tests skip, saying so, on a machine without one).

`make test` runs `make build` first; run alone, these tests skip until `.aws-sam/build` exists."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from openai_mock.local.template import Template
from tests.handlers.test_events import _EXPECTED_400, _EXPECTED_404, _OAUTH_REFUSED
from tools import runtime_python

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / ".aws-sam" / "build"
LAYER = BUILD / "ResponseGenerationLayer" / "python"
TEMPLATE = Template(REPO / "template.yaml")

pytestmark = pytest.mark.skipif(not (BUILD / "template.yaml").is_file(), reason="run `make build` first")
RUNTIME = runtime_python.runtime_version()
RUNTIME_PYTHON = runtime_python.find(RUNTIME)
needs_runtime_python = pytest.mark.skipif(
    RUNTIME_PYTHON is None,
    reason=f"no Python {RUNTIME[0]}.{RUNTIME[1]} (the Lambda runtime's) here to run the built layer's wheels: "
    "install one or set OPENAI_MOCK_RUNTIME_PYTHON (tools/runtime_python.py)",
)

# Runs inside the clean interpreter: the Lambda runtime's view (function code first, then /opt/python).
_INVOKE = r"""
import json, sys
function_dir, layer_dir, events = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
sys.path[:0] = [function_dir, layer_dir]
import app
assert app.__file__.startswith(function_dir), app.__file__
import openai_mock
assert openai_mock.__file__.startswith(layer_dir), openai_mock.__file__

class Context:
    function_name = "smoke"; memory_limit_in_mb = 512; aws_request_id = "req-smoke"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:smoke"

from openai_mock import clock
from openai_mock.settings import reset_settings
from openai_mock.store import reset_stores

results = {}
for name, event in events.items():
    reset_settings(); reset_stores(); clock.reset()  # each event on an empty store, like tests/handlers
    answer = app.handler(event, Context())
    headers = {**(answer.get("headers") or {}),
               **{key: values[-1] for key, values in (answer.get("multiValueHeaders") or {}).items()}}
    results[name] = {"status": answer["statusCode"], "headers": headers,
                     "body": None if answer.get("isBase64Encoded") else answer["body"]}
print(json.dumps(results))
"""


def _events_for(function) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    routes = {(route.method, route.path) for route in function.routes}
    events = {}
    for path in sorted((REPO / "events").glob("*/*.json")):
        event = json.loads(path.read_text())
        if "httpMethod" in event and (event["httpMethod"], event["resource"]) in routes:
            events[path.stem] = event
    return events


def test_layer_contents_are_at_python() -> None:
    assert (LAYER / "openai_mock" / "web" / "app_factory.py").is_file()
    for dependency in ("fastapi", "mangum", "pydantic", "pydantic_core", "numpy", "tiktoken", "uvicorn"):
        assert (LAYER / dependency).is_dir(), f"{dependency} missing from the built layer"
    wrapper = LAYER / "openai_mock" / "web" / "lambda_streaming.py"
    assert wrapper.stat().st_mode & 0o111, "the streaming exec wrapper lost its executable bit in the build"


@needs_runtime_python
def test_layer_ships_bytecode_lambda_can_use() -> None:
    """`make build` compiles the build (tools/finish_build.py) with the runtime's Python: Lambda's /opt is
    read-only, so without shipped bytecode every cold start would compile every module it imports.
    Unchecked-hash .pyc files stay valid whatever timestamps the zip round trip leaves on the sources."""
    magic = subprocess.run(
        [str(RUNTIME_PYTHON), "-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tag = f"cpython-{RUNTIME[0]}{RUNTIME[1]}"
    for module in ("openai_mock/web/app_factory.py", "fastapi/routing.py", "pydantic/main.py", "starlette/routing.py"):
        source = LAYER / module
        cached = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert cached.is_file(), f"no bytecode shipped for {module}"
        header = cached.read_bytes()[:8]
        assert header[:4].hex() == magic
        assert int.from_bytes(header[4:8], "little") == 0b01, f"{module}: not an unchecked-hash pyc"
    assert not list(LAYER.glob("numpy/*/tests/__pycache__/*.pyc")), "test suites of packages are not compiled"


def test_layer_wheels_are_the_runtimes_and_the_locks() -> None:
    """shared/Makefile installs shared/requirements.lock's wheels for the runtime, not for the building Python."""
    tag = f"cpython-{RUNTIME[0]}{RUNTIME[1]}-x86_64-linux-gnu"
    for extension in ("pydantic_core/_pydantic_core", "numpy/_core/_multiarray_umath", "tiktoken/_tiktoken"):
        assert (LAYER / f"{extension}.{tag}.so").is_file(), f"{extension} is not built for {tag}"
    lock = (REPO / "shared" / "requirements.lock").read_text()
    for name, version in (("numpy", "numpy"), ("pydantic-core", "pydantic_core"), ("tiktoken", "tiktoken")):
        pinned = next(line for line in lock.splitlines() if line.startswith(f"{name}=="))
        assert (LAYER / f"{version}-{pinned.split('==')[1].split()[0]}.dist-info").is_dir(), pinned


def test_layer_leaves_out_what_it_never_loads() -> None:
    """bpe-openai is there for its encoding files only (tools/finish_build.py): its Rust extension is not."""
    assert not list(LAYER.glob("bpe_openai/_bindings*.so")), "bpe-openai's unused extension module is in the layer"
    for name in ("o200k_base", "cl100k_base"):
        assert (LAYER / "bpe_openai" / "data" / f"{name}.tiktoken.gz").is_file()


def test_layer_ships_the_token_encodings_prepared() -> None:
    """`make build` ships what tiktoken builds each encoding from where the layer's `tokens` looks for it
    (tools/finish_build.py), so a cold container does not parse the encoding file (test_tokens checks them)."""
    prepared = LAYER / "openai_mock" / "generation" / "prepared_encodings"
    assert sorted(path.name for path in prepared.iterdir()) == ["cl100k_base.pickle", "o200k_base.pickle"]


def test_every_template_function_was_built() -> None:
    built = {path.name for path in BUILD.iterdir() if path.is_dir()} - {"ResponseGenerationLayer"}
    assert built == {function.logical_id for function in TEMPLATE.functions}


# Runs inside the clean interpreter too: a queue-reading function (WebhooksFunction) consumes its events.
_INVOKE_WORKER = r"""
import json, sys
function_dir, layer_dir, events = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
sys.path[:0] = [function_dir, layer_dir]
import app
assert app.__file__.startswith(function_dir), app.__file__
print(json.dumps({name: app.handler(event, None) for name, event in events.items()}))
"""


@needs_runtime_python
@pytest.mark.parametrize("function", [f for f in TEMPLATE.functions if not f.routes], ids=lambda f: f.logical_id)
def test_built_worker_consumes_its_queue_events(function) -> None:  # type: ignore[no-untyped-def]
    folder = REPO / "events" / function.code_uri_relative.name
    events = {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
    assert events, f"no events/ file for {function.logical_id}"
    run = subprocess.run(
        [str(RUNTIME_PYTHON), "-I", "-S", "-c", _INVOKE_WORKER, str(BUILD / function.logical_id), str(LAYER)],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "openai-mock", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert results == {name: {"batchItemFailures": []} for name in events}


@needs_runtime_python
@pytest.mark.parametrize("function", [f for f in TEMPLATE.functions if f.routes], ids=lambda f: f.logical_id)
def test_built_handler_answers_its_events(function) -> None:  # type: ignore[no-untyped-def]
    events = _events_for(function)
    assert events, f"no events/ file for {function.logical_id}"
    function_dir = BUILD / function.logical_id
    assert (function_dir / "app.py").is_file()
    run = subprocess.run(
        [str(RUNTIME_PYTHON), "-I", "-S", "-c", _INVOKE, str(function_dir), str(LAYER)],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "openai-mock", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(results) == set(events)
    for name, result in results.items():
        assert result["headers"].get("x-request-id", "").startswith("req_"), name
        if name in _OAUTH_REFUSED:  # the token exchange's OAuth error: the event's provider is unknown
            assert result["status"] == 403 and json.loads(result["body"])["error"] == "invalid_grant", name
        elif name in _EXPECTED_404 | _EXPECTED_400:
            assert result["status"] == (404 if name in _EXPECTED_404 else 400), name
        else:
            assert 200 <= result["status"] < 300, (name, result["body"])
        if result["body"] is not None and not result["headers"].get("content-type", "").startswith("text/"):
            json.loads(result["body"])
