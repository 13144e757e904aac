"""`openai-mock serve`'s app (every function, mounted from template.yaml) on a real socket, in a thread of the
test process: for clients that need one (the SDK's realtime client speaks WebSocket through `websockets`).
Sharing the process keeps the tests' clock and store the server's.

A test module takes the server as fixtures made here: `base_url = live_server_fixture()` (the client fixture
finds it by that name) and `client = live_client_fixture()` (any name). `served_process` runs the command itself
(`openai-mock serve …`) in a subprocess, for what only the command does (its options, TLS, the console)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn

from openai_mock.local.server import build_app

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
SERVE_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server() -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:<port>/v1`) while the server runs."""
    config = uvicorn.Config(
        build_app(TEMPLATE),
        host="127.0.0.1",
        port=_free_port(),
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.01)  # uvicorn sets `started` once it listens
    try:
        yield f"http://127.0.0.1:{config.port}/v1"
    finally:
        server.should_exit = True
        thread.join(10)


def live_server_fixture() -> Callable[..., object]:
    """A fixture yielding the live server's base URL, one server for the module that takes it."""

    @pytest.fixture(scope="module")
    def base_url() -> Iterator[str]:
        with live_server() as url:
            yield url

    return base_url


def live_client_fixture() -> Callable[..., object]:
    """A fixture of an SDK client of the module's live server (its `base_url` fixture)."""

    @pytest.fixture
    def client(base_url: str) -> openai.OpenAI:
        # No retries: a test must see the first answer, not a retried one.
        return openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)

    return client


@contextmanager
def served_process(
    *options: str, env: Mapping[str, str] | None = None, verify: str | bool = True
) -> Iterator[tuple[str, str]]:
    """`openai-mock serve --port P *options` in a subprocess until it answers: yields (its base URL without /v1,
    the first line it printed). `verify`: the certificate file an https:// server is trusted with."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_mock.local.cli", "serve", "--port", str(port), *options],
        cwd=REPO,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    scheme = "https" if "TLS" in banner else "http"
    deadline = time.monotonic() + SERVE_SECONDS
    trust = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
    while True:
        try:
            httpx.get(f"{scheme}://127.0.0.1:{port}/__mock/console", timeout=1, verify=trust)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"openai-mock serve did not answer on port {port}: {banner}{process.stdout.read()}")
            time.sleep(0.05)  # waiting for a process to bind, not for state
    try:
        yield f"{scheme}://127.0.0.1:{port}", banner
    finally:
        process.terminate()
        process.wait(timeout=10)
