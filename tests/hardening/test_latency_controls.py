"""Latency that ends (issue #23, class 4): control delays are capped (control/runtime.MAX_DELAY_MS, 60 s), a delayed
answer is dropped when its client leaves, a stopping server ends every wait at once, an x-mock-* number that is not
a number is a 400, and a sub-second retry-after is rounded up (never `retry-after: 0`)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from openai_mock.control import runtime
from openai_mock.local.server import TemplateRouter

REPO = Path(__file__).resolve().parents[2]
USER = {"Authorization": "Bearer sk-latency-controls"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def raw(mock_app: TemplateRouter) -> TestClient:
    return TestClient(mock_app, raise_server_exceptions=False)


@pytest.mark.parametrize("header", ["latency-ms", "jitter-ms", "ttft-ms", "tokens-per-second", "retry-after"])
@pytest.mark.parametrize("value", ["abc", "-5", "NaN", "", "1e999x"])
def test_a_control_header_that_is_not_a_number_is_a_400(raw: TestClient, header: str, value: str) -> None:
    response = raw.post("/v1/chat/completions", headers={**USER, f"x-mock-{header}": value}, json=CHAT)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (f"x-mock-{header}", "invalid_value")
    assert f"'x-mock-{header}'" in error["message"]


def test_a_sub_second_retry_after_is_rounded_up(raw: TestClient) -> None:
    headers = {**USER, "x-mock-fault": "rate_limit_exceeded", "x-mock-retry-after": "0.5"}
    response = raw.post("/v1/chat/completions", headers=headers, json=CHAT)
    assert response.status_code == 429
    assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("1", "500")


@pytest.mark.parametrize(("asked", "waited"), [("3600000", 60.0), ("1e12", 60.0), ("250", 0.25)])
def test_a_delay_is_capped_at_a_minute(
    raw: TestClient, monkeypatch: pytest.MonkeyPatch, asked: str, waited: float
) -> None:
    slept: list[float] = []

    async def recorded(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(runtime, "sleep", recorded)
    for header in ("x-mock-latency-ms", "x-mock-jitter-ms"):
        response = raw.post("/v1/chat/completions", headers={**USER, header: asked, "x-mock-seed": "1"}, json=CHAT)
        assert response.status_code == 200
    assert slept and max(slept) <= waited and slept[0] == waited
    assert runtime.MAX_DELAY_MS == 60_000


# --------------------------------------------------------------------------- a real server (openai-mock serve)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_mock.local.cli", "serve", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/models", headers=USER, timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("openai-mock serve did not start")
            time.sleep(0.05)  # waiting for a process to bind, not for state
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def _send_delayed(port: int) -> socket.socket:
    """A chat request asking for the longest delay, sent raw (the test decides when the client leaves)."""
    body = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}'
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-latency-controls\r\n"
        b"x-mock-latency-ms: 60000\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(request)
    return client


def _journal_statuses(port: int) -> list[int]:
    page = httpx.get(f"http://127.0.0.1:{port}/__mock/requests?path=/v1/chat", headers=USER, timeout=5).json()
    return [entry["status"] for entry in page["data"]]


def test_a_stopping_server_answers_a_delayed_request_at_once(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    client = _send_delayed(port)
    time.sleep(0.5)  # the request is in its delay (nothing to poll for: the answer is what is being delayed)
    process.send_signal(signal.SIGTERM)
    client.settimeout(30)
    answer = client.recv(65536)
    client.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    # Exits once the answer is out, well before the 60 s delay would have ended (a hang would time out here).
    assert process.wait(timeout=30) is not None


def test_a_client_that_leaves_ends_its_delay(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    client = _send_delayed(port)
    time.sleep(0.5)
    client.close()  # the client gives up during the delay
    deadline = time.monotonic() + 30
    while not _journal_statuses(port) and time.monotonic() < deadline:
        time.sleep(0.1)  # the journal entry is written when the request ends: at once, not after 60 s
    assert _journal_statuses(port), "the delay kept running after its client left"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) is not None
