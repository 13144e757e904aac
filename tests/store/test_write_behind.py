"""Usage written behind the answer on DynamoDB: beside the journal's write, joined before the request ends."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization.usage import recorded
from openai_mock.store import get_store, write_behind
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client

WAIT_SECONDS = 10  # only a failing run waits this long


def _usage_write(params: dict[str, Any]) -> bool:
    return "organization.usage.counts" in params["Key"]["pk"]["S"]


def _requests_recorded(key: str) -> int:
    """The completions requests the Usage API counts for the key's organization."""
    return sum(record["metrics"]["num_model_requests"] for record in recorded(principal_for_key(key).tenant))


def test_a_chat_writes_its_usage_while_it_writes_its_journal_entry(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """On AWS a model request's last two writes are one round trip, not two: the usage UpdateItem and the journal's
    PutItem each wait here for the other to start."""
    client = asgi_client(mock_app, api_key="sk-write-behind")
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Warm up."}])
    both = threading.Barrier(2, timeout=WAIT_SECONDS)
    met: dict[str, bool] = {}

    def meet(name: str) -> None:
        try:
            both.wait()
            met[name] = True
        except threading.BrokenBarrierError:
            met[name] = False

    def before_update(params: dict[str, Any], **_: Any) -> None:
        if _usage_write(params):
            meet("usage")

    def before_put(params: dict[str, Any], **_: Any) -> None:
        if params["Key" if "Key" in params else "Item"]["pk"]["S"].endswith("#mock.request"):
            meet("journal")

    events = get_store()._client._client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb.UpdateItem", before_update)
    events.register("before-parameter-build.dynamodb.PutItem", before_put)
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello?"}])
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", before_update)
        events.unregister("before-parameter-build.dynamodb.PutItem", before_put)

    assert met == {"usage": True, "journal": True}
    assert _requests_recorded("sk-write-behind") == 2


def test_the_request_ends_after_its_usage_is_written(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """The answer is not held back for the usage write, but the request (a Lambda invocation) does not end
    before it: a write still running when the request ends is waited for."""
    client = asgi_client(mock_app, api_key="sk-write-behind-join")
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Warm up."}])
    release = threading.Event()

    def slow_usage(params: dict[str, Any], **_: Any) -> None:
        if _usage_write(params):
            assert release.wait(WAIT_SECONDS)

    events = get_store()._client._client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb.UpdateItem", slow_usage)
    timer = threading.Timer(0.2, release.set)
    timer.start()
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello?"}])
        assert release.is_set()  # the request waited for the held write
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", slow_usage)
        release.set()
        timer.cancel()
    assert _requests_recorded("sk-write-behind-join") == 2


def test_a_failed_usage_write_is_logged_and_the_answer_stands(
    moto_persistence: None, mock_app: TemplateRouter, caplog: pytest.LogCaptureFixture
) -> None:
    client = asgi_client(mock_app, api_key="sk-write-behind-fails")

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if _usage_write(params):
            raise RuntimeError("the usage table is gone")

    events = get_store()._client._client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb.UpdateItem", refuse)
    try:
        answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", refuse)
    assert answer.choices[0].message.content
    assert "a write behind the request failed" in caplog.text


def test_in_process_stores_and_writes_outside_a_request_run_at_once() -> None:
    """The memory store (the default here): no thread, the write done when `soon` returns."""
    done: list[str] = []
    token = write_behind.begin()
    assert token is None
    write_behind.soon(lambda: done.append(threading.current_thread().name))
    write_behind.end(token)
    assert done == [threading.current_thread().name]
