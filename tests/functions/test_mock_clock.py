"""Time travel per tenant over HTTP (`GET`/`POST /__mock/clock`): the tenant's offset is kept in the store, so
every function (and every container) answers on the same time, and clock-derived objects follow it."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import tenant_clock
from openai_mock.settings import reset_settings
from openai_mock.web.auth import principal_for_key

START = 1_760_000_000
KEY = {"Authorization": "Bearer sk-clock"}
OTHER = {"Authorization": "Bearer sk-clock-other"}


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _move(http: TestClient, body: Any, headers: dict[str, str] = KEY) -> Any:
    return http.post("/__mock/clock", json=body, headers=headers)


def test_a_new_tenant_reads_real_time(http: TestClient) -> None:
    answer = http.get("/__mock/clock", headers=KEY)
    assert answer.status_code == 200
    assert answer.json() == {"object": "mock.clock", "now": START, "offset_seconds": 0}


def test_advance_and_offset_move_only_the_callers_clock(http: TestClient) -> None:
    assert _move(http, {"advance_seconds": 3600}).json() == {
        "object": "mock.clock",
        "now": START + 3600,
        "offset_seconds": 3600,
    }
    assert _move(http, {"advance_seconds": 0.5}).json()["offset_seconds"] == 3600.5
    assert _move(http, {"offset_seconds": 60}).json() == {
        "object": "mock.clock",
        "now": START + 60,
        "offset_seconds": 60,
    }
    assert http.get("/__mock/clock", headers=OTHER).json()["offset_seconds"] == 0
    # back to real time
    assert _move(http, {"offset_seconds": 0}).json()["now"] == START


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"advance_seconds": -1}, "advance_seconds"),
        ({"offset_seconds": -5}, "offset_seconds"),
        ({"advance_seconds": "soon"}, "advance_seconds"),
        ({}, "advance_seconds"),
        ({"advance_seconds": 1, "offset_seconds": 2}, "advance_seconds"),
        ({"speed": 2}, "speed"),
    ],
)
def test_invalid_moves_are_openai_400s_naming_the_param(http: TestClient, body: dict[str, Any], param: str) -> None:
    answer = _move(http, body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert http.get("/__mock/clock", headers=KEY).json()["offset_seconds"] == 0


def test_objects_created_after_a_move_carry_the_tenants_time(http: TestClient, client: openai.OpenAI) -> None:
    _move(http, {"advance_seconds": 86_400}, {"Authorization": f"Bearer {client.api_key}"})
    created = client.files.create(file=("a.txt", b"hello"), purpose="assistants")
    assert created.created_at == START + 86_400
    other = http.post("/v1/files", headers=OTHER, files={"file": ("b.txt", b"hi")}, data={"purpose": "assistants"})
    assert other.json()["created_at"] == START


def test_a_batch_completes_when_its_tenant_advances_the_clock(http: TestClient, client: openai.OpenAI) -> None:
    auth = {"Authorization": f"Bearer {client.api_key}"}
    line = {
        "custom_id": "one",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    }
    source = client.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = client.batches.create(input_file_id=source.id, endpoint="/v1/chat/completions", completion_window="24h")
    assert client.batches.retrieve(batch.id).status == "validating"
    _move(http, {"advance_seconds": 60}, auth)
    done = client.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.completed_at is not None and done.completed_at >= START + 3


def test_the_offset_is_read_from_the_store_once_per_request_and_only_when_asked(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = tenant_clock.offset

    def counted(tenant: str) -> float:
        reads.append(tenant)
        return real(tenant)

    monkeypatch.setattr(tenant_clock, "offset", counted)
    _move(http, {"advance_seconds": 10})
    reads.clear()
    http.post("/__mock/fixtures", headers=KEY, json={"match": {"contains": "x"}, "response": {"content": "y"}})
    assert reads == [principal_for_key("sk-clock").tenant]  # ids, created_at and the journal: one read
    reads.clear()
    assert http.get("/__mock/quotas", headers=KEY).status_code == 200
    assert reads == []  # nothing asked the time


def test_the_offset_lives_in_the_store_not_in_the_process(http: TestClient) -> None:
    _move(http, {"advance_seconds": 120})
    tenant = principal_for_key("sk-clock").tenant
    assert tenant_clock.offset(tenant) == 120
    assert clock.now() == START  # outside a request: the process clock


def test_reset_puts_the_tenant_back_on_real_time(http: TestClient) -> None:
    _move(http, {"advance_seconds": 120})
    http.post("/__mock/reset", headers=KEY)
    assert http.get("/__mock/clock", headers=KEY).json()["offset_seconds"] == 0


def test_time_scale_runs_clock_derived_progress_faster(
    http: TestClient, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_TIME_SCALE", "60")
    monkeypatch.setenv("OPENAI_MOCK_BATCH_STAGE_SECONDS", "60")
    reset_settings()
    line = {
        "custom_id": "one",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    }
    source = client.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = client.batches.create(input_file_id=source.id, endpoint="/v1/chat/completions", completion_window="24h")
    clock.advance(3.5)  # three stages of 60 s at 60×: 3 s
    assert client.batches.retrieve(batch.id).status == "completed"


def test_time_scale_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_mock.settings import Settings

    with pytest.raises(ValueError, match="time_scale"):
        Settings.from_environment({"OPENAI_MOCK_TIME_SCALE": "0"})
    assert Settings.from_environment({"OPENAI_MOCK_TIME_SCALE": "60"}).scaled(120) == 2
