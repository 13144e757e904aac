"""Ids, clock, seeded randomness, settings, pagination parameters, rate-limit headers, SSE framing."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import APIRouter, Request
from starlette.testclient import TestClient

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError
from openai_mock.generation.streaming import chat_style, sse_event
from openai_mock.pagination import ListParams, Page, checked_list_params, list_object, paginate
from openai_mock.resources import ratelimits
from openai_mock.rng import seeded_rng
from openai_mock.settings import get_settings, reset_settings
from openai_mock.web.app_factory import create_app
from tests.support.loop import run_on_private_loop


def test_ids_carry_openai_prefixes_and_lengths() -> None:
    assert ids.new_id("file").startswith("file-") and len(ids.new_id("file")) == len("file-") + 22
    assert ids.new_id("chat.completion").startswith("chatcmpl-")
    assert ids.new_id("assistant").startswith("asst_")
    assert ids.new_id("vector_store").startswith("vs_")
    assert len({ids.new_id("thread") for _ in range(1000)}) == 1000


def test_ids_sort_in_creation_order_even_within_one_millisecond() -> None:
    clock.freeze(1_800_000_000.0)
    same_ms = [ids.new_id("file") for _ in range(50)]
    clock.advance(0.001)
    later = ids.new_id("file")
    assert sorted(same_ms) == same_ms
    assert later > same_ms[-1]


def test_clock_freezes_and_advances() -> None:
    clock.freeze(1_700_000_000.5)
    assert clock.now_seconds() == 1_700_000_000
    clock.advance(60)
    assert clock.now() == 1_700_000_060.5
    clock.reset()
    assert clock.now() > 1_700_000_060.5


def test_seeded_rng_is_deterministic_per_request_and_seed() -> None:
    request = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    draws = lambda rng: [rng.random() for _ in range(3)]  # noqa: E731
    assert draws(seeded_rng(request)) == draws(seeded_rng(dict(request)))
    assert draws(seeded_rng(request, 1)) != draws(seeded_rng(request, 2))
    assert draws(seeded_rng(request)) != draws(seeded_rng({**request, "model": "gpt-4o-mini"}))


def test_settings_read_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_API_KEYS", "sk-a, sk-b")
    monkeypatch.setenv("OPENAI_MOCK_SEED", "42")
    reset_settings()
    settings = get_settings()
    assert settings.api_keys == ("sk-a", "sk-b")
    assert settings.seed == 42
    assert settings.store == "memory"
    monkeypatch.setenv("OPENAI_MOCK_SEED", "43")
    assert get_settings().seed == 42  # cached until reset
    reset_settings()
    assert get_settings().seed == 43


@pytest.mark.parametrize(("limit", "code"), [(0, "integer_below_min_value"), (101, "integer_above_max_value")])
def test_limit_out_of_range_is_400(limit: int, code: str) -> None:
    with pytest.raises(OpenAIError) as raised:
        checked_list_params(limit, "desc", None, None)
    assert (raised.value.status, raised.value.param, raised.value.code) == (400, "limit", code)


def test_order_must_be_asc_or_desc() -> None:
    with pytest.raises(OpenAIError) as raised:
        checked_list_params(20, "sideways", None, None)
    assert raised.value.param == "order"
    assert checked_list_params(100, "asc", "x", "") == ListParams(100, "asc", "x", None)


def test_list_object_envelope() -> None:
    assert list_object(Page([{"id": "a"}, {"id": "b"}], True)) == {
        "object": "list",
        "data": [{"id": "a"}, {"id": "b"}],
        "first_id": "a",
        "last_id": "b",
        "has_more": True,
    }
    assert list_object(Page([], False))["first_id"] is None


def test_paginate_sequences_like_the_store() -> None:
    items = [{"id": f"i{n}"} for n in range(5)]
    page = paginate(items, ListParams(limit=2, order="asc", after="i1"))
    assert [i["id"] for i in page.items] == ["i2", "i3"] and page.has_more
    page = paginate(items, ListParams(limit=2, order="desc", before="i1"))
    assert [i["id"] for i in page.items] == ["i3", "i2"] and page.has_more


def test_rate_limit_headers_count_requests_and_tokens() -> None:
    ratelimits.reset()
    clock.freeze(1_800_000_010.0)
    router = APIRouter()

    @router.post("/v1/serve")
    async def serve(request: Request) -> dict:
        ratelimits.record_usage(request, "t_x", "gpt-4o", 1000)
        return {}

    http = TestClient(create_app(router))
    headers = {"Authorization": "Bearer sk-test"}
    http.post("/v1/serve", headers=headers)
    second = http.post("/v1/serve", headers=headers).headers
    assert second["x-ratelimit-limit-requests"] == str(ratelimits.REQUESTS_PER_MINUTE)
    assert second["x-ratelimit-remaining-requests"] == str(ratelimits.REQUESTS_PER_MINUTE - 2)
    assert second["x-ratelimit-remaining-tokens"] == str(ratelimits.TOKENS_PER_MINUTE - 2000)
    assert second["x-ratelimit-reset-requests"] == "50s"
    clock.advance(60)  # a new window
    third = http.post("/v1/serve", headers=headers).headers
    assert third["x-ratelimit-remaining-requests"] == str(ratelimits.REQUESTS_PER_MINUTE - 1)


def test_rate_limit_counters_of_ended_windows_are_dropped() -> None:
    """Counters live for their minute only: a busy deployment's many tenants and models do not pile up."""
    ratelimits.reset()
    clock.freeze(1_800_000_010.0)
    router = APIRouter()

    @router.post("/v1/serve/{tenant}")
    async def serve(tenant: str, request: Request) -> dict:
        ratelimits.record_usage(request, tenant, "gpt-4o", 10)
        return {}

    http = TestClient(create_app(router))
    for tenant in ("t_a", "t_b", "t_c"):
        http.post(f"/v1/serve/{tenant}", headers={"Authorization": "Bearer sk-test"})
    assert len(ratelimits._usage) == 3
    clock.advance(60)
    http.post("/v1/serve/t_a", headers={"Authorization": "Bearer sk-test"})
    assert [key[0] for key in ratelimits._usage] == ["t_a"]


def test_sse_framing() -> None:
    assert sse_event({"a": 1}) == b'data: {"a":1}\n\n'
    assert sse_event({"a": 1}, event="response.created") == b'event: response.created\ndata: {"a":1}\n\n'
    frames = list(chat_style([{"n": 1}, {"n": 2}]))
    assert frames[-1] == b"data: [DONE]\n\n"
    assert [json.loads(f[6:]) for f in frames[:-1]] == [{"n": 1}, {"n": 2}]


def test_sync_event_streams_are_computed_on_the_event_loop_thread() -> None:
    """No worker-thread hop per event: Starlette's default for sync iterators cost more than the chunks."""
    import threading

    from openai_mock.web.sse import sse_stream

    threads: set[int] = set()

    def events() -> Iterator[bytes]:
        for number in range(3):
            threads.add(threading.get_ident())
            yield sse_event({"n": number})

    router = APIRouter()

    @router.get("/v1/stream")
    async def stream() -> object:
        threads.add(threading.get_ident())  # the route runs on the loop's thread
        return sse_stream(events())

    with TestClient(create_app(router)) as http:
        answer = http.get("/v1/stream", headers={"Authorization": "Bearer sk-test"})
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.text == "".join(f'data: {{"n":{n}}}\n\n' for n in range(3))
    assert len(threads) == 1


def test_stream_events_leave_in_batches_that_split_back_into_events() -> None:
    """Unpaced events go out in writes of up to BATCH_BYTES; a paced stream splits them back, event by event."""
    from openai_mock.generation import streaming
    from openai_mock.web import sse

    events = [sse_event({"n": number, "pad": "x" * 500}) for number in range(100)]
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> MutableMapping[str, Any]:
        raise AssertionError("an unpaced stream waits for nothing, the client included")

    run_on_private_loop(sse.sse_stream(iter(events))({"type": "http"}, receive, send))
    writes = [message["body"] for message in sent[1:] if message["body"]]
    assert 1 < len(writes) < len(events) and all(len(write) <= sse.BATCH_BYTES + 600 for write in writes)
    assert b"".join(writes) == b"".join(events)
    assert [event for write in writes for event in streaming.split_events(write)] == events
    assert streaming.split_events(b"data: 1\n\ndata: 2") == [b"data: 1\n\n", b"data: 2"]


def test_request_seed_prefers_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_mock.rng import request_rng, request_seed

    monkeypatch.setenv("OPENAI_MOCK_SEED", "5")
    reset_settings()
    assert request_seed({"x-mock-seed": "abc"}) == "abc"
    assert request_seed({}) == 5
    body = {"input": "x"}
    assert request_rng(body, {"x-mock-seed": "1"}).random() == request_rng(body, {"x-mock-seed": "1"}).random()
    assert request_rng(body, {"x-mock-seed": "1"}).random() != request_rng(body, {}).random()


def test_empty_variables_mean_unset_and_bad_values_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("OPENAI_MOCK_SEED", "")  # what template.yaml sets when MockSeed is empty
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    reset_settings()
    assert get_settings().seed is None
    assert get_settings().store == "dynamodb"
    monkeypatch.setenv("OPENAI_MOCK_STORE", "postgres")
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()
