"""Big bodies are answered off the server's event loop (issue #23, class 6): a request whose declared body is at
least `middleware.OFFLOAD_BYTES` runs in a worker thread on a loop of its own, at most OFFLOAD_THREADS at once,
with the same answer, headers, controls and journal as on the fast path. (How long other requests wait meanwhile
is bench/stall.py's to measure: tests never assert on wall-clock time.)"""

from __future__ import annotations

import threading

import pytest
from fastapi import APIRouter, Request
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from openai_mock.web import middleware
from openai_mock.web.app_factory import create_app

USER = {"Authorization": "Bearer sk-offload"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Tell me about tides."}], "seed": 3}


def _threads_seen() -> tuple[TestClient, list[int]]:
    seen: list[int] = []
    router = APIRouter()

    @router.post("/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        seen.append(threading.get_ident())
        return {"bytes": len(await request.body())}

    return TestClient(create_app(router)), seen


def test_only_big_bodies_leave_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    client, seen = _threads_seen()
    monkeypatch.setattr(middleware, "OFFLOAD_BYTES", 1000)
    with client as http:  # one server loop (thread) for every request
        assert http.post("/v1/echo", headers=USER, content=b"x" * 999).json() == {"bytes": 999}
        assert http.post("/v1/echo", headers=USER, content=b"x" * 998).json() == {"bytes": 998}
        assert http.post("/v1/echo", headers=USER, content=b"x" * 1000).json() == {"bytes": 1000}
        assert http.post("/v1/echo", headers=USER, content=b"x" * 5000).json() == {"bytes": 5000}
    loop_thread, same, *workers = seen
    assert same == loop_thread
    assert all(worker != loop_thread for worker in workers), seen


def test_an_offloaded_answer_is_the_same_answer(mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    http = TestClient(mock_app)
    headers = {**USER, "x-mock-seed": "7"}
    fast = http.post("/v1/chat/completions", headers=headers, json=CHAT)
    monkeypatch.setattr(middleware, "OFFLOAD_BYTES", 10)
    slow = http.post("/v1/chat/completions", headers=headers, json=CHAT)
    assert slow.status_code == fast.status_code == 200
    assert slow.json()["choices"] == fast.json()["choices"]
    assert {"x-request-id", "x-ratelimit-remaining-requests"} <= set(slow.headers)
    streamed = http.post("/v1/chat/completions", headers=headers, json={**CHAT, "stream": True})
    assert streamed.text.rstrip().endswith("data: [DONE]")
    refused = http.post("/v1/chat/completions", headers=headers, json={**CHAT, "temperature": True})
    assert refused.status_code == 400
    journal = http.get("/__mock/requests?path=/v1/chat", headers=USER).json()["data"]
    assert [entry["status"] for entry in journal[:4]] == [400, 200, 200, 200]


def test_an_offloaded_body_over_the_limit_is_still_a_413(
    mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(middleware, "OFFLOAD_BYTES", 10)
    monkeypatch.setenv("OPENAI_MOCK_MAX_BODY_BYTES", "4096")
    from openai_mock.settings import reset_settings

    reset_settings()
    http = TestClient(mock_app, raise_server_exceptions=False)
    chunks = iter([b'{"model": "gpt-4o-mini", "messages": "' + b"x" * 3000, b"x" * 3000 + b'"}'])
    answer = http.post("/v1/chat/completions", headers={**USER, "content-length": "20"}, content=chunks)
    assert answer.status_code in (400, 413)
    reset_settings()
