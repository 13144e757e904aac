"""`openai-mock serve` builds the token encodings before it takes requests (issue 23's stall): tiktoken builds
an encoding holding the GIL for ~0.25 s, which a server's first chat request would otherwise pay while every
other request waits."""

from __future__ import annotations

from typing import Any

import pytest

from openai_mock.generation import tokens
from openai_mock.local import cli, server


@pytest.fixture(autouse=True)
def restored_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_MOCK_STORE", "OPENAI_MOCK_SQLITE_PATH", "OPENAI_MOCK_TEMPLATE"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_one_process_serve_builds_the_encodings_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    built_when_served: list[int] = []

    def run(app: Any, **options: Any) -> None:  # in place of uvicorn.run: note what was ready when serving began
        built_when_served.append(tokens.encoding.cache_info().currsize)

    monkeypatch.setattr("uvicorn.run", run)
    tokens.encoding.cache_clear()
    cli.main(["serve", "--port", "0"])
    assert built_when_served == [2]


def test_each_worker_builds_the_encodings_with_its_app(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens.encoding.cache_clear()
    server.app_from_environment()
    assert tokens.encoding.cache_info().currsize == 2
    assert {tokens.encoding(name).name for name in (tokens.O200K, tokens.CL100K)} == {"o200k_base", "cl100k_base"}
