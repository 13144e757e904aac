"""In-process use from pytest: an `openai.OpenAI` client wired to the whole mock (every function of
template.yaml, as `openai-mock serve` runs them) without a socket, plus fixtures, the journal and the clock.

This module is a pytest plugin by entry point: wherever openai-mock is installed, tests get the `openai_mock`
fixture with no `pytest_plugins` line and no template of their own (`-p no:openai_mock.testing` turns it off).

    def test_my_app(openai_mock):
        openai_mock.add_fixture(match={"contains": "weather"}, response={"content": "Sunny, 21 °C."})
        assert my_app.ask(openai_mock.client, "What's the weather?") == "Sunny, 21 °C."
        assert openai_mock.requests()[0]["body"]["model"] == "gpt-4o-mini"

template.yaml is found from, in order: the `template` argument, the `openai_mock_template` ini option
(relative to the ini file), the `OPENAI_MOCK_TEMPLATE` environment variable, an openai-mock checkout at or
above the working directory, then the mock the package carries (`openai_mock.local.bundle`). Each
`MockOpenAI` uses its own API key, so its tenant (objects, fixtures, journal, quotas) is its own; latency is
simulated by advancing the mock clock instead of sleeping.

Importing this module stays cheap (pytest imports it at start-up in every run): the mock is built on first
use. Works with the openai SDK 2.x (httpx) and 3.x (httpx2)."""

from __future__ import annotations

import contextlib
import sys
import uuid
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openai and pytest are test-time dependencies, not the layer's
    import openai
    import pytest

TEMPLATE_VARIABLE = "OPENAI_MOCK_TEMPLATE"
BASE_URL = "http://testserver/v1"


def find_template(template: str | Path | None = None) -> Path:
    """The template.yaml to serve (see the module docstring for the order)."""
    from openai_mock.local.bundle import find_template as find

    return find(template, origin="template=").path


@lru_cache(maxsize=4)
def _app(template: Path) -> Any:
    from openai_mock.local.server import build_app

    return build_app(template)


def _test_client(app: Any, api_key: str) -> Any:
    with warnings.catch_warnings():
        # Starlette warns, once, when its TestClient runs on httpx rather than httpx2: either serves here.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from starlette.testclient import TestClient

    return TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {api_key}"})


def _sdk_httpx() -> Any:
    """The HTTP library whose `Client` the installed openai SDK takes as `http_client`: httpx (2.x) or
    httpx2 (3.x, which takes an httpx client too)."""
    import openai

    for cls in openai.DefaultHttpxClient.__mro__:
        library = sys.modules.get(cls.__module__.split(".")[0])
        if cls.__name__ == "Client" and library is not None and getattr(library, "Client", None) is cls:
            return library
    return None


def _sdk_http_client(http: Any) -> Any:
    """`http` (Starlette's TestClient) when the SDK takes it, else an SDK-side client that relays to it.

    Starlette's TestClient runs on httpx2 where it is installed, else on httpx. openai 3.x takes either; openai
    2.x takes only httpx, so next to httpx2 (another package's dependency) it gets the relay."""
    library = _sdk_httpx()
    if library is None or isinstance(http, library.Client):
        return http
    return library.Client(base_url=str(http.base_url), transport=_relay(library, http))


def _relay(library: Any, http: Any) -> Any:
    """A transport of `library` (httpx or httpx2) that sends each request through `http`, the other one."""
    skipped = {"content-encoding", "content-length", "transfer-encoding"}  # `content` below is decoded, whole

    class Relay(library.BaseTransport):  # type: ignore[misc, name-defined]
        def handle_request(self, request: Any) -> Any:
            answer = http.request(
                request.method, str(request.url), headers=list(request.headers.multi_items()), content=request.read()
            )
            headers = [(name, value) for name, value in answer.headers.multi_items() if name.lower() not in skipped]
            return library.Response(answer.status_code, headers=headers, content=answer.content)

    return Relay()


class MockOpenAI:
    """The mock for one test: `client` (official SDK), fixtures, journal, quotas, reset and clock."""

    def __init__(
        self,
        template: str | Path | None = None,
        *,
        api_key: str | None = None,
        max_retries: int = 0,
        virtual_sleep: bool = True,
    ) -> None:
        from openai_mock.control import runtime

        self.app = _app(find_template(template))
        self.api_key = api_key or f"sk-test-{uuid.uuid4().hex}"
        self.http = _test_client(self.app, self.api_key)
        self.slept: list[float] = []  # the delays latency controls asked for, in seconds
        self._saved_sleep = runtime.sleep
        if virtual_sleep:
            runtime.sleep = self._sleep
        self.client = self.openai_client(max_retries=max_retries)

    async def _sleep(self, seconds: float) -> None:
        from openai_mock import clock

        self.slept.append(seconds)
        clock.advance(seconds)

    def openai_client(self, **options: Any) -> openai.OpenAI:
        """Another SDK client on this mock and tenant (e.g. `max_retries=2`)."""
        import openai

        options.setdefault("max_retries", 0)
        return openai.OpenAI(
            base_url=BASE_URL, api_key=self.api_key, http_client=_sdk_http_client(self.http), **options
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/__mock{path}", **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} /__mock{path}: {response.status_code} {response.text}")
        return response.json()

    def add_fixture(self, **fixture: Any) -> dict[str, Any]:
        """Register a fixture: match=..., response=... or responses=[...] (+ sequence_end=...), latency=...,
        fault=..., times=... (docs/controls.md)."""
        return self._call("POST", "/fixtures", json=fixture)  # type: ignore[no-any-return]

    def fixtures(self) -> list[dict[str, Any]]:
        return self._call("GET", "/fixtures", params={"limit": 100, "order": "asc"})["data"]  # type: ignore[no-any-return]

    def fixture(self, fixture_id: str) -> dict[str, Any]:
        """One fixture, with `matches`: the journalled requests it answered."""
        return self._call("GET", f"/fixtures/{fixture_id}")  # type: ignore[no-any-return]

    def requests(
        self,
        path: str | None = None,
        *,
        method: str | None = None,
        status: int | str | None = None,
        model: str | None = None,
        fixture: str | None = None,
    ) -> list[dict[str, Any]]:
        """This tenant's journal, oldest first (the mock keeps the newest OPENAI_MOCK_JOURNAL_SIZE), filtered
        like `GET /__mock/requests`: `path` a prefix or a glob, `status` 429 or "4xx", `fixture` an id or "none"."""
        filters = {"path": path, "method": method, "status": status, "model": model, "fixture": fixture}
        params: dict[str, Any] = {"limit": 100, "order": "asc"}
        params.update({name: value for name, value in filters.items() if value is not None})
        return self._call("GET", "/requests", params=params)["data"]  # type: ignore[no-any-return]

    def verify(
        self,
        *,
        fixtures: list[dict[str, Any]] | None = None,
        requests: list[dict[str, Any]] | None = None,
        no_unmatched: bool = False,
    ) -> None:
        """Check expectations against the journal (`POST /__mock/verify`, docs/controls.md "Verification"):
        fixtures answered N times, requests arrived in this order, no request went unanswered by a fixture.
        A failed expectation fails the test (`pytest.fail`) with the mock's diff."""
        body = {"fixtures": fixtures or [], "requests": requests or [], "no_unmatched": no_unmatched}
        response = self.http.post("/__mock/verify", json=body)
        if response.status_code == 409:
            import pytest

            pytest.fail(response.json()["error"]["message"], pytrace=False)
        if response.status_code >= 400:
            raise AssertionError(f"POST /__mock/verify: {response.status_code} {response.text}")

    def set_quota(self, requests_per_minute: int | None = None, tokens_per_minute: int | None = None) -> Any:
        return self._call(
            "POST", "/quotas", json={"requests_per_minute": requests_per_minute, "tokens_per_minute": tokens_per_minute}
        )

    def reset(self) -> None:
        self._call("POST", "/reset")

    def add_webhook(self, url: str, events: list[str] | None = None) -> dict[str, Any]:
        """Register a webhook endpoint (docs/webhooks.md); the answer carries its `secret`."""
        body: dict[str, Any] = {"url": url} if events is None else {"url": url, "events": events}
        return self._call("POST", "/webhooks", json=body)  # type: ignore[no-any-return]

    @staticmethod
    def deliver_webhooks() -> int:
        """Send the webhooks that are due (no server runs a scheduler here); how many items ran."""
        from openai_mock.control import webhooks

        return webhooks.run_due()

    @staticmethod
    def freeze(at: float | None = None) -> None:
        from openai_mock import clock

        clock.freeze(at)

    @staticmethod
    def advance(seconds: float) -> None:
        """Move time forward; the webhooks that makes due are sent (docs/webhooks.md)."""
        from openai_mock import clock

        clock.advance(seconds)
        MockOpenAI.deliver_webhooks()

    def close(self) -> None:
        from openai_mock import clock
        from openai_mock.control import runtime

        self.reset()
        runtime.sleep = self._saved_sleep
        clock.reset()
        self.http.close()


# --------------------------------------------------------------------------------------------- pytest plugin


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "openai_mock_template",
        "template.yaml of the openai-mock to serve in-process (default: the packaged mock)",
        default="",
    )


def _ini_template(config: pytest.Config) -> Path | None:
    value = config.getini("openai_mock_template")
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return base / value


def _fixture() -> Any:
    import pytest

    @pytest.fixture
    def openai_mock(request: pytest.FixtureRequest) -> Iterator[MockOpenAI]:
        """An in-process openai-mock with its own tenant; `openai_mock.client` is an `openai.OpenAI`."""
        mock = MockOpenAI(_ini_template(request.config))
        try:
            yield mock
        finally:
            mock.close()

    return openai_mock


with contextlib.suppress(ImportError):  # without pytest (e.g. inside Lambda) the helper class still works
    openai_mock = _fixture()
