"""No network for the frameworks judged in tests/functions/test_frameworks_*.py: a framework may phone home
(telemetry, a price list, a tokenizer download) and swallow the failure, so a refused connection is also recorded
and fails the test at teardown.

A test module takes the fixture as `offline = offline_fixture("LiteLLM")`; loopback stays open for a live
server on 127.0.0.1, in-process (ASGI) clients open no socket at all."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def offline_fixture(framework: str, env: Mapping[str, str] | None = None) -> Callable[..., object]:
    """A fixture refusing every internet connection except to loopback; `env`: variables set for the test (a
    framework's own switches for telemetry and banners)."""

    @pytest.fixture
    def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        connect = socket.socket.connect
        attempts: list[Any] = []

        def loopback_only(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
                attempts.append(address)
                raise ConnectionRefusedError(f"the test is offline: {address!r}")
            return connect(self, address)

        monkeypatch.setattr(socket.socket, "connect", loopback_only)
        yield
        assert attempts == [], f"{framework} tried to reach {attempts}"

    return offline
