"""StreamingMode=stream, as far as this machine gets: the exec wrapper the Lambda Web Adapter runs serves
a function's own ASGI app over HTTP, and `stream: true` leaves it chunk by chunk (no Content-Length), which
the adapter forwards to API Gateway as it arrives. The adapter itself is AWS's binary and is not here."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from openai_mock.web.lambda_streaming import app_module_name, search_path
from tests.support.spec import validate_component

REPO = Path(__file__).resolve().parents[2]
WRAPPER = REPO / "shared" / "openai_mock" / "web" / "lambda_streaming.py"


def test_handler_names_the_module_whose_app_is_served() -> None:
    assert app_module_name("app.handler") == "app"
    assert app_module_name("pkg.app.handler") == "pkg.app"
    with pytest.raises(ValueError, match=r"module\.attribute"):
        app_module_name("handler")


def test_search_path_mirrors_the_python_runtime() -> None:
    assert search_path("/var/task", (3, 13)) == ["/var/task", "/opt/python", "/opt/python/lib/python3.13/site-packages"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chat_server() -> Iterator[str]:
    """The wrapper exactly as Lambda would exec it: code in LAMBDA_TASK_ROOT, the layer on PYTHONPATH."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENAI_MOCK_")}
    env.update(
        LAMBDA_TASK_ROOT=str(REPO / "functions" / "chat"),
        _HANDLER="app.handler",
        AWS_LWA_PORT=str(port),
        PYTHONPATH=str(REPO / "shared"),
    )
    process = subprocess.Popen(
        [sys.executable, str(WRAPPER), "/var/runtime/bootstrap"],
        env=env,
        cwd="/",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # The adapter's readiness check: any answer below 500 on "/" means ready.
                assert httpx.get(base + "/").status_code < 500
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"wrapper did not start: {process.stderr.read()!r}") from None  # type: ignore[union-attr]
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_wrapper_streams_chat_completion_chunks(chat_server: str) -> None:
    client = openai.OpenAI(api_key="sk-test", base_url=chat_server + "/v1", max_retries=0)
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Say three words."}], stream=True
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-length" not in response.headers  # written as it is generated, not buffered
        assert response.headers["transfer-encoding"] == "chunked"
        chunks = list(response.parse())
    assert len(chunks) >= 3
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk.model_dump(mode="json", exclude_unset=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).strip()


def test_wrapper_keeps_openai_errors(chat_server: str) -> None:
    response = httpx.post(
        chat_server + "/v1/chat/completions", json={"model": "gpt-4o-mini"}, headers={"Authorization": "Bearer sk-test"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages"
    assert response.headers["x-request-id"].startswith("req_")


def test_wrapper_is_executable_with_a_python_shebang() -> None:
    assert WRAPPER.stat().st_mode & 0o111
    assert WRAPPER.read_text().startswith("#!/usr/bin/env python3\n")
