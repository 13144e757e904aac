"""Writes behind the answer on DynamoDB (usage, a fixture's count whose value decides nothing), beside the journal's
write and joined before the request ends; a store's batches of calls sent at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from openai_mock.control import fixtures
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization.usage import recorded
from openai_mock.store import get_store, write_behind
from openai_mock.web.auth import principal_for_key
from tests.support.barrier import WAIT_SECONDS, at_once
from tests.support.moto_isolation import dynamodb_store
from tests.support.sdk import asgi_client


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

    def before_update(params: dict[str, Any], **_: Any) -> None:
        if _usage_write(params):
            met["usage"] = at_once(both)

    def before_put(params: dict[str, Any], **_: Any) -> None:
        if params["Item"]["pk"]["S"].endswith("#mock.request"):
            met["journal"] = at_once(both)

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


def test_together_makes_the_calls_at_once_and_answers_in_order() -> None:
    all_three = threading.Barrier(3, timeout=WAIT_SECONDS)

    def call(value: int) -> Callable[[], int]:
        def made() -> int:
            all_three.wait()  # each waits for the two others: only calls made at once get past
            return value

        return made

    assert write_behind.together([call(1), call(2), call(3)]) == [1, 2, 3]


def test_together_raises_a_failure_once_every_call_ended() -> None:
    ended: list[str] = []

    def fails() -> None:
        raise ValueError("throttled")

    def slow() -> None:
        time.sleep(0.05)
        ended.append("slow")

    with pytest.raises(ValueError, match="throttled"):
        write_behind.together([fails, slow])
    assert ended == ["slow"]


def test_together_makes_in_its_own_thread_what_no_thread_started() -> None:
    """Every thread of the pool busy (requests trimming at once, each from a thread of it): the calls waiting for
    a thread are made by the caller, which never waits for a thread."""
    release = threading.Event()
    busy = [write_behind._submit(lambda: release.wait(WAIT_SECONDS)) for _ in range(write_behind.THREADS)]
    try:
        made_in: list[str] = []
        calls = [lambda: made_in.append(threading.current_thread().name) for _ in range(3)]
        write_behind.together(calls)
        assert made_in == [threading.current_thread().name] * 3
    finally:
        release.set()
    assert all(done.result() for done in busy)


def test_dynamodb_sends_a_trims_batches_of_deletes_at_once(aws_credentials: None) -> None:
    """60 items past the newest: three BatchWriteItems, each waiting here for the two others to start."""
    with dynamodb_store("trim-at-once") as (client, store):
        for index in range(62):
            store.create("t", "mock.request", {"id": f"mockreq_{index:03d}"})
        all_three = threading.Barrier(3, timeout=WAIT_SECONDS)
        met: list[bool] = []

        def before_batch(**_: Any) -> None:
            met.append(at_once(all_three))

        client.meta.events.register("before-parameter-build.dynamodb.BatchWriteItem", before_batch)
        assert store.keep_newest("t", "mock.request", 2) == 60
        assert met == [True, True, True]
        assert [item["id"] for item in store.list("t", "mock.request").items] == ["mockreq_061", "mockreq_060"]


def test_through_the_lambda_handler_the_usage_is_written_before_the_invocation_returns(
    moto_persistence: None,
) -> None:
    """An API Gateway event into ChatFunction's handler: the usage write runs on a thread of its own, and the
    handler returns (the container may be frozen) only once it is written."""
    from functions.chat import app as chat_function
    from tests.support.sdk import lambda_client

    client = lambda_client(chat_function.handler, "v1", api_key="sk-write-behind-lambda")  # type: ignore[arg-type]
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Warm up."}])
    threads: list[str] = []

    def before_update(params: dict[str, Any], **_: Any) -> None:
        if _usage_write(params):
            threads.append(threading.current_thread().name)

    events = get_store()._client._client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb.UpdateItem", before_update)
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello?"}])
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", before_update)
    assert len(threads) == 1 and threads[0].startswith("write-behind")
    assert _requests_recorded("sk-write-behind-lambda") == 2


def test_a_fixtures_match_is_counted_behind_the_answer_unless_the_count_decides_it(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """A fixture answering whatever its count: its match counted beside the answer. One whose `times` (or `call`,
    sequence, generated text) depends on the count: counted before it answers, as always."""
    key = {"Authorization": "Bearer sk-write-behind-fixtures"}
    http = TestClient(mock_app, base_url="http://testserver")
    plain = {"match": {"contains": "weather"}, "response": {"content": "Sunny."}}
    once = {"match": {"contains": "once"}, "response": {"content": "Only once."}, "times": 1}
    plain_id, once_id = (
        http.post("/__mock/fixtures", json=fixture, headers=key).json()["id"] for fixture in (plain, once)
    )
    client = asgi_client(mock_app, api_key="sk-write-behind-fixtures")
    threads: dict[str, list[str]] = {f"fixture#{plain_id}": [], f"fixture#{once_id}": []}

    def before_update(params: dict[str, Any], **_: Any) -> None:
        counted = params["Key"]["sk"]["S"]
        if counted in threads:
            threads[counted].append(threading.current_thread().name)

    events = get_store()._client._client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb.UpdateItem", before_update)
    try:
        answers = [
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
            .choices[0]
            .message.content
            for prompt in ("The weather?", "The weather?", "Just once.", "Just once.")
        ]
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", before_update)

    assert answers[:3] == ["Sunny.", "Sunny.", "Only once."] and answers[3] != "Only once."
    listed = {
        item["match"]["contains"]: item["matched"] for item in http.get("/__mock/fixtures", headers=key).json()["data"]
    }
    assert listed == {"weather": 2, "once": 2}
    assert len(threads[f"fixture#{plain_id}"]) == 2
    assert all(name.startswith("write-behind") for name in threads[f"fixture#{plain_id}"])
    assert len(threads[f"fixture#{once_id}"]) == 2
    assert not any(name.startswith("write-behind") for name in threads[f"fixture#{once_id}"])


@pytest.mark.parametrize(
    ("fixture", "decides"),
    [
        ({"match": {"contains": "a"}, "response": {"content": "Fixed {{request.model}}."}}, False),
        ({"match": {"contains": "a", "call": 2}, "response": {"content": "The second."}}, True),
        ({"match": {"contains": "a"}, "response": {"content": "Up to twice."}, "times": 2}, True),
        ({"match": {"contains": "a"}, "responses": [{"content": "One."}, {"content": "Two."}]}, True),
        ({"match": {"contains": "a"}, "response": {"content": "{{mock.text 20}}"}}, True),  # seeded by the count
    ],
)
def test_what_makes_a_fixtures_count_decide_its_answer(fixture: dict[str, Any], decides: bool) -> None:
    assert fixtures._count_decides(fixture) is decides
