"""In-process use from pytest: an `openai.OpenAI` client wired to the whole mock (every function of
template.yaml, as `openai-mock serve` runs them) without a socket, plus fixtures, the journal and the clock.

    # conftest.py
    pytest_plugins = ["openai_mock.testing"]

    def test_my_app(openai_mock):
        openai_mock.add_fixture(match={"contains": "weather"}, response={"content": "Sunny, 21 °C."})
        assert my_app.ask(openai_mock.client, "What's the weather?") == "Sunny, 21 °C."
        assert openai_mock.requests()[0]["body"]["model"] == "gpt-4o-mini"

template.yaml is found from, in order: the `template` argument, the `openai_mock_template` ini option,
the `OPENAI_MOCK_TEMPLATE` environment variable, then the first `template.yaml` in the working directory
or one of its parents. Each `MockOpenAI` uses its own API key, so its tenant (objects, fixtures, journal,
quotas) is its own; latency is simulated by advancing the mock clock instead of sleeping."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openai_mock import clock
from openai_mock.control import runtime

if TYPE_CHECKING:  # openai and pytest are test-time dependencies, not the layer's
    import openai
    import pytest

TEMPLATE_VARIABLE = "OPENAI_MOCK_TEMPLATE"
BASE_URL = "http://testserver/v1"


def find_template(template: str | Path | None = None) -> Path:
    """The template.yaml to serve (see the module docstring for the order)."""
    for candidate in (template, os.environ.get(TEMPLATE_VARIABLE)):
        if candidate:
            return Path(candidate).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "template.yaml").is_file():
            return folder / "template.yaml"
    raise FileNotFoundError(f"no template.yaml found: pass template=..., or set {TEMPLATE_VARIABLE}")


@lru_cache(maxsize=4)
def _app(template: Path) -> Any:
    from openai_mock.local.server import build_app

    if str(template.parent) not in sys.path:
        sys.path.insert(0, str(template.parent))  # function modules import as functions.<group>.app
    return build_app(template)


class MockOpenAI:
    """The mock for one test: `client` (official SDK), fixtures, journal, quotas, reset and clock."""

    def __init__(self, template: str | Path | None = None, *, api_key: str | None = None, max_retries: int = 0,
                 virtual_sleep: bool = True) -> None:
        from starlette.testclient import TestClient

        self.app = _app(find_template(template))
        self.api_key = api_key or f"sk-test-{uuid.uuid4().hex}"
        self.http = TestClient(self.app, base_url="http://testserver",
                               headers={"Authorization": f"Bearer {self.api_key}"})
        self.slept: list[float] = []  # the delays latency controls asked for, in seconds
        self._saved_sleep = runtime.sleep
        if virtual_sleep:
            runtime.sleep = self._sleep
        self.client = self.openai_client(max_retries=max_retries)

    async def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        clock.advance(seconds)

    def openai_client(self, **options: Any) -> openai.OpenAI:
        """Another SDK client on this mock and tenant (e.g. `max_retries=2`)."""
        import openai

        options.setdefault("max_retries", 0)
        return openai.OpenAI(base_url=BASE_URL, api_key=self.api_key, http_client=self.http, **options)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/__mock{path}", **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} /__mock{path}: {response.status_code} {response.text}")
        return response.json()

    def add_fixture(self, **fixture: Any) -> dict[str, Any]:
        """Register a fixture: match=..., response=..., latency=..., fault=..., times=... (docs/controls.md)."""
        return self._call("POST", "/fixtures", json=fixture)  # type: ignore[no-any-return]

    def fixtures(self) -> list[dict[str, Any]]:
        return self._call("GET", "/fixtures", params={"limit": 100, "order": "asc"})["data"]  # type: ignore[no-any-return]

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """This tenant's journal, oldest first (the mock keeps the newest OPENAI_MOCK_JOURNAL_SIZE)."""
        params: dict[str, Any] = {"limit": 100, "order": "asc"}
        if path is not None:
            params["path"] = path
        return self._call("GET", "/requests", params=params)["data"]  # type: ignore[no-any-return]

    def set_quota(self, requests_per_minute: int | None = None, tokens_per_minute: int | None = None) -> Any:
        return self._call("POST", "/quotas", json={"requests_per_minute": requests_per_minute,
                                                   "tokens_per_minute": tokens_per_minute})

    def reset(self) -> None:
        self._call("POST", "/reset")

    @staticmethod
    def freeze(at: float | None = None) -> None:
        clock.freeze(at)

    @staticmethod
    def advance(seconds: float) -> None:
        clock.advance(seconds)

    def close(self) -> None:
        self.reset()
        runtime.sleep = self._saved_sleep
        clock.reset()
        self.http.close()


# --------------------------------------------------------------------------------------------- pytest plugin


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("openai_mock_template", "template.yaml of the openai-mock to serve in-process", default="")


def _fixture() -> Any:
    import pytest

    @pytest.fixture
    def openai_mock(request: pytest.FixtureRequest) -> Iterator[MockOpenAI]:
        """An in-process openai-mock with its own tenant; `openai_mock.client` is an `openai.OpenAI`."""
        mock = MockOpenAI(request.config.getini("openai_mock_template") or None)
        try:
            yield mock
        finally:
            mock.close()

    return openai_mock


with contextlib.suppress(ImportError):  # without pytest (e.g. inside Lambda) the helper class still works
    openai_mock = _fixture()
