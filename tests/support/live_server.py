"""`openai-mock serve`'s app (every function, mounted from template.yaml) on a real socket, in a thread of the
test process: for clients that need one (the SDK's realtime client speaks WebSocket through `websockets`).
Sharing the process keeps the tests' clock and store the server's.

A test module takes the server as fixtures made here: `base_url = live_server_fixture()` (the client fixture
finds it by that name) and `client = live_client_fixture()` (any name)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest
import uvicorn

from openai_mock.local.server import build_app

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


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
