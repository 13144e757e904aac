"""The official JS SDK (`openai` 7.60.0, tests/node/node_modules) inside headless Chromium, called from a page of
another origin against a real `openai-mock serve`, as a front-end team does: `new OpenAI({ baseURL, apiKey,
dangerouslyAllowBrowser: true })`, the browser's own `fetch`, `FormData` and streams.

The page (tests/browser/js_sdk/) imports the SDK's ES modules as npm ships them, served by a small static server on
another port: no bundler and no import map, since every import reachable from `index.mjs` is relative. Each test
loads the page with one scenario, awaits the summary it puts on `window.results`, and checks the content and the
CORS traffic Chromium saw (DevTools protocol): every cross-origin call was preflighted, the preflight allowed the
method and every header the SDK sent, and nothing failed. Without tests/node/node_modules the tests fail and say
to run `make node-sdk`; without Chromium they fail as the other browser tests do (conftest.py)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import openai
import pytest

from tests.support.node_judge import SDK_PACKAGE, require_installed_sdk

PAGE_DIR = Path(__file__).resolve().parent / "js_sdk"
SDK_PREFIX = "/openai/"
NOTES = '{"prompt": "tide", "completion": "moon"}\n{"prompt": "wind", "completion": "sail"}\n'
SCENARIO_MS = 30_000


class _PageFiles(SimpleHTTPRequestHandler):
    """The page's two files at the root, the SDK's package under /openai/ (`.mjs` as text/javascript: a module
    script of another type is refused)."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return "text/javascript" if str(path).endswith((".mjs", ".js")) else super().guess_type(path)

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        root, relative = (SDK_PACKAGE, route[len(SDK_PREFIX) :]) if route.startswith(SDK_PREFIX) else (PAGE_DIR, route)
        target = (root / (relative.lstrip("/") or "index.html")).resolve()
        return str(target) if target.is_relative_to(root) else str(root / "missing")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a failed file shows in the browser's failed requests instead


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """The page's origin: http://127.0.0.1:<another port than the mock's>."""
    require_installed_sdk()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageFiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Traffic:
    """What Chromium's network stack did for the page's calls to the mock, from DevTools protocol events."""

    mock: str
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # requestId → Network.requestWillBeSent
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)  # requestId → Network.responseReceived
    failed: list[dict[str, Any]] = field(default_factory=list)

    def on_sent(self, event: dict[str, Any]) -> None:
        if event["request"]["url"].startswith(self.mock):
            self.sent[event["requestId"]] = event

    def on_answered(self, event: dict[str, Any]) -> None:
        if event["response"]["url"].startswith(self.mock):
            self.answered[event["requestId"]] = event

    def on_failed(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.sent:
            self.failed.append(event)

    def _ids(self, preflights: bool) -> list[str]:
        return [key for key, event in self.sent.items() if (event["initiator"]["type"] == "preflight") is preflights]

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every call the SDK made, preflights left out."""
        requests = [self.sent[key]["request"] for key in self._ids(preflights=False)]
        return [(request["method"], urlsplit(request["url"]).path) for request in requests]

    def assert_allowed(self, origin: str) -> set[str]:
        """Every call was preflighted and the preflight allowed it (Fetch standard: `*` covers any header but
        Authorization); every call got an answer readable by `origin`. Returns the headers the preflights asked for."""
        assert self.failed == [], self.failed
        asked: set[str] = set()
        preflights = {}
        for key in self._ids(preflights=True):
            request = self.sent[key]["request"]
            preflights[(request["headers"]["Access-Control-Request-Method"], request["url"])] = key
        for key in self._ids(preflights=False):
            request = self.sent[key]["request"]
            preflight = preflights.get((request["method"], request["url"]))
            assert preflight is not None, f"{request['method']} {request['url']} was not preflighted"
            question = self.sent[preflight]["request"]["headers"]
            assert preflight in self.answered, f"the preflight of {request['url']} got no answer"
            answer = self.answered[preflight]["response"]
            assert 200 <= answer["status"] < 300, answer
            assert question["Origin"] == origin
            assert answer["headers"]["access-control-allow-origin"] in ("*", origin)
            assert request["method"].lower() in _listed(answer["headers"]["access-control-allow-methods"])
            requested = _listed(question["Access-Control-Request-Headers"])
            allowed = _listed(answer["headers"]["access-control-allow-headers"])
            refused = {
                name for name in requested if name not in allowed and ("*" not in allowed or name == "authorization")
            }
            assert refused == set(), f"the preflight of {request['url']} did not allow {refused}: {answer['headers']}"
            asked |= requested
            assert self.answered[key]["response"]["headers"]["access-control-allow-origin"] in ("*", origin)
        return asked


def _listed(header: str) -> set[str]:
    return {name.strip().lower() for name in header.split(",") if name.strip()}


def _run(page: Any, page_origin: str, served: str, key: str, scenario: str) -> tuple[dict[str, Any], Traffic]:
    traffic = Traffic(mock=served)
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.on("Network.requestWillBeSent", traffic.on_sent)
    devtools.on("Network.responseReceived", traffic.on_answered)
    devtools.on("Network.loadingFailed", traffic.on_failed)
    failed_files: list[str] = []  # the page's own files (a module the SDK imports, missing or refused)

    def on_answer(answer: Any) -> None:
        if answer.url.startswith(page_origin) and answer.status >= 400:
            failed_files.append(f"{answer.url}: {answer.status}")

    page.on("response", on_answer)
    page.on("requestfailed", lambda request: failed_files.append(f"{request.url}: {request.failure}"))
    query = urlencode({"base": f"{served}/v1", "key": key, "scenario": scenario})
    page.goto(f"{page_origin}/?{query}")  # the module (and the SDK's graph) ran before `load`
    page.wait_for_function("() => window.results !== undefined", timeout=SCENARIO_MS)
    summary: dict[str, Any] = page.evaluate("() => window.results")
    assert failed_files == [], failed_files
    assert "error" not in summary, summary
    return summary, traffic


def _key() -> str:
    return f"sk-browser-{uuid.uuid4().hex[:12]}"  # a tenant of its own


def _python_client(served: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{served}/v1", api_key=key, max_retries=0)


def test_models_are_listed_and_retrieved_with_the_request_id_readable(page: Any, page_origin: str, served: str) -> None:
    summary, traffic = _run(page, page_origin, served, _key(), "models")
    expected = [model.id for model in _python_client(served, _key()).models.list()]
    assert summary["count"] == summary["unique"] == len(expected) > 100
    assert summary["has"] and summary["retrieved"] == "gpt-4o-mini" and summary["owned_by"] == "system"
    assert summary["request_id"].startswith("req_")  # an exposed header: unreadable cross-origin otherwise
    assert summary["openai_version"]
    assert traffic.calls() == [("GET", "/v1/models"), ("GET", "/v1/models/gpt-4o-mini")]
    asked = traffic.assert_allowed(page_origin)
    assert "authorization" in asked and "x-stainless-package-version" in asked


def test_chat_completion_in_the_browser_is_the_one_python_gets(page: Any, page_origin: str, served: str) -> None:
    key = _key()
    summary, traffic = _run(page, page_origin, served, key, "chat")
    same = _python_client(served, _key()).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Say hello to Ada."}],
        max_completion_tokens=64,
        seed=7,
    )
    assert summary["id"].startswith("chatcmpl-") and summary["object"] == "chat.completion"
    assert (summary["role"], summary["finish_reason"]) == ("assistant", "stop")
    assert "Ada" in summary["text"] and summary["text"] == same.choices[0].message.content
    usage = summary["usage"]
    assert usage["prompt_tokens"] == same.usage.prompt_tokens > 0  # type: ignore[union-attr]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert traffic.calls() == [("POST", "/v1/chat/completions")]
    assert {"authorization", "content-type"} <= traffic.assert_allowed(page_origin)


def test_chat_stream_is_read_chunk_by_chunk_through_the_browsers_fetch(
    page: Any, page_origin: str, served: str
) -> None:
    summary, traffic = _run(page, page_origin, served, _key(), "chat_stream")
    chunks = _python_client(served, _key()).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Tell me about the sea."}],
        seed=7,
        stream=True,
        stream_options={"include_usage": True},
    )
    expected = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert summary["streamed"] == expected and len(expected) > 100
    assert summary["chunks"] > 10 and len(summary["ids"]) == 1 and summary["ids"][0].startswith("chatcmpl-")
    assert summary["finish_reason"] == "stop"
    assert summary["usage"]["completion_tokens"] > 10  # the include_usage chunk, parsed
    # 200 tokens/s over >10 tokens: the last chunk came well after the first, so the body was not buffered.
    assert summary["spread_ms"] > summary["usage"]["completion_tokens"] * 5 * 0.6
    asked = traffic.assert_allowed(page_origin)
    assert {"x-mock-ttft-ms", "x-mock-tokens-per-second"} <= asked  # custom headers, covered by the "*"


def test_responses_stream_ends_in_the_final_response(page: Any, page_origin: str, served: str) -> None:
    summary, traffic = _run(page, page_origin, served, _key(), "responses_stream")
    assert (summary["first"], summary["last"]) == ("response.created", "response.completed")
    assert summary["deltas"] > 10
    assert summary["streamed"] == summary["output_text"] and "river" in summary["output_text"].lower()
    assert summary["id"].startswith("resp_") and summary["status"] == "completed"
    assert summary["output_tokens"] > 10
    assert traffic.calls() == [("POST", "/v1/responses")]
    assert "x-stainless-helper-method" in traffic.assert_allowed(page_origin)  # the stream helper's own header


def test_a_file_and_a_blob_go_up_as_form_data_and_come_back(page: Any, page_origin: str, served: str) -> None:
    key = _key()
    summary, traffic = _run(page, page_origin, served, key, "files")
    assert summary["id"].startswith("file-") and summary["filename"] == "notes.jsonl"
    assert summary["bytes"] == len(NOTES.encode()) and summary["purpose"] == "user_data"
    assert summary["content"] == NOTES
    assert (summary["second_filename"], summary["second_purpose"]) == ("second.txt", "assistants")
    assert summary["second_content"] == "The second file."
    stored = _python_client(served, key)  # the same tenant sees what the browser uploaded
    assert stored.files.content(summary["id"]).read() == NOTES.encode()
    assert {file.id for file in stored.files.list()} == {summary["id"], summary["second_id"]}
    assert traffic.calls().count(("POST", "/v1/files")) == 2
    traffic.assert_allowed(page_origin)  # a multipart body's content-type is a simple header: not asked for


def test_a_refused_parameter_is_a_bad_request_error_with_its_param(page: Any, page_origin: str, served: str) -> None:
    summary, traffic = _run(page, page_origin, served, _key(), "bad_request")
    assert summary["is_bad_request"] and summary["class"] == "BadRequestError"
    assert (summary["status"], summary["param"], summary["type"]) == (400, "temperature", "invalid_request_error")
    assert summary["code"] == "decimal_above_max_value" and "temperature" in summary["message"]
    assert summary["request_id"].startswith("req_")  # the error's headers are readable too
    assert traffic.calls() == [("POST", "/v1/chat/completions")]
    traffic.assert_allowed(page_origin)
