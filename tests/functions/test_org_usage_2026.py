"""Today's usage endpoints and the usage gaps closed, through the official SDK: file search and web search
calls counted from the hosted tool calls Responses makes (`usage.file_search_calls`, `usage.web_search_calls`,
and their costs), transcriptions by their audio seconds, batch lines with `batch=true`. Every answer is
checked against the 2026-08-21 spec."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from openai_mock.settings import get_settings
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
DAY = 86_400
T0 = 1_750_032_000  # 2025-06-16T00:00:00Z
NOW = T0 + 3_600
U = "/v1/organization/usage"
CATS = "Cats sleep for around sixteen hours a day. They are crepuscular: most active at dawn and dusk."


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    ratelimits.reset()
    return org_client(mock_app)


@pytest.fixture
def project_app(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, str, openai.OpenAI]:
    project = admin.admin.organization.projects.create(name="Tools")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    key = account.api_key
    assert key is not None
    return project.id, key.id, asgi_client(mock_app, api_key=key.value)


def _json(raw: Any) -> dict[str, Any]:
    return raw.http_response.json()  # type: ignore[no-any-return]


def _day() -> dict[str, Any]:
    return {"start_time": T0, "end_time": T0 + DAY}


def test_web_search_calls_are_counted_per_model_and_context_level(
    admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]
) -> None:
    project_id, key_id, app = project_app
    usage = admin.admin.organization.usage
    assert _json(usage.with_raw_response.web_search_calls(**_day()))["data"][0]["results"] == []
    for _ in range(2):
        answer = app.responses.create(
            model="gpt-4o", input="What is new in solar power?", tools=[{"type": "web_search"}]
        )
        assert answer.output[0].type == "web_search_call"
    app.responses.create(
        model="gpt-4o-mini",
        input="Latest news about tidal energy?",
        tools=[{"type": "web_search", "search_context_size": "high"}],
    )
    app.responses.create(model="gpt-4o", input="No tools here.")  # no search: not counted

    raw = _json(
        usage.with_raw_response.web_search_calls(
            **_day(), group_by=["project_id", "api_key_id", "model", "context_level"]
        )
    )
    assert_conforms("GET", f"{U}/web_search_calls", 200, raw, spec=SPEC)
    results = {(r["model"], r["context_level"]): r for r in raw["data"][0]["results"]}
    first = results[(answer.model, "medium")]
    assert first["object"] == "organization.usage.web_searches.result"
    assert (first["num_requests"], first["num_model_requests"]) == (2, 2)
    assert (first["project_id"], first["api_key_id"]) == (project_id, key_id)
    assert results[next(k for k in results if k[1] == "high")]["num_requests"] == 1
    only_high = usage.web_search_calls(**_day(), context_levels=["high"]).data[0].results
    assert [r.num_requests for r in only_high] == [1]  # type: ignore[union-attr]

    costs = usage.costs(**_day(), group_by=["line_item"]).data[0].results
    items = {r.line_item: r.amount.value for r in costs}  # type: ignore[union-attr]
    assert items[f"{answer.model}, web search tool calls"] == pytest.approx(2 * 10.00 / 1000)


def test_file_search_calls_are_counted_per_vector_store(
    admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]
) -> None:
    project_id, _, app = project_app
    file_id = app.files.create(file=("cats.txt", io.BytesIO(CATS.encode())), purpose="assistants").id
    store = app.vector_stores.create(name="pets", file_ids=[file_id])
    clock.advance(get_settings().vector_store_processing_seconds)
    tool: Any = [{"type": "file_search", "vector_store_ids": [store.id]}]
    for question in ("How long do cats sleep?", "When are cats active?", "Do cats like dusk?"):
        answer = app.responses.create(model="gpt-4o", input=question, tools=tool)
        assert answer.output[0].type == "file_search_call"

    raw = _json(
        admin.admin.organization.usage.with_raw_response.file_search_calls(
            **_day(), group_by=["project_id", "vector_store_id"]
        )
    )
    assert_conforms("GET", f"{U}/file_search_calls", 200, raw, spec=SPEC)
    [result] = raw["data"][0]["results"]
    assert result["object"] == "organization.usage.file_searches.result"
    assert (result["num_requests"], result["vector_store_id"], result["project_id"]) == (3, store.id, project_id)
    filtered = admin.admin.organization.usage.file_search_calls(**_day(), vector_store_ids=["vs_other"])
    assert filtered.data[0].results == []
    costs = admin.admin.organization.usage.costs(**_day(), group_by=["line_item"]).data[0].results
    items = {r.line_item: r.amount.value for r in costs}  # type: ignore[union-attr]
    assert items["file search tool calls"] == pytest.approx(3 * 2.50 / 1000)


def test_transcriptions_are_counted_in_audio_seconds(
    admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]
) -> None:
    _, _, app = project_app
    speech = app.audio.speech.create(model="tts-1", voice="alloy", input="Good morning, this is a short test.")
    wav = speech.content
    transcript = app.audio.transcriptions.create(
        file=("hello.mp3", wav), model="whisper-1", response_format="verbose_json"
    )
    duration = transcript.duration  # type: ignore[union-attr]
    app.audio.translations.create(file=("hello.mp3", wav), model="whisper-1")
    raw = _json(admin.admin.organization.usage.with_raw_response.audio_transcriptions(**_day(), group_by=["model"]))
    assert_conforms("GET", f"{U}/audio_transcriptions", 200, raw, spec=SPEC)
    [result] = raw["data"][0]["results"]
    assert result["model"] == "whisper-1" and result["num_model_requests"] == 2
    # Each request counts its audio's duration rounded up to whole seconds (the answer shows it to 0.01 s).
    assert 2 * math.ceil(duration - 0.01) <= result["seconds"] <= 2 * math.ceil(duration + 0.01)
    assert result["seconds"] > 0


def test_batch_lines_are_the_creators_usage_with_batch_true(
    admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]
) -> None:
    project_id, _, app = project_app
    lines = [
        {
            "custom_id": f"q{index}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]},
        }
        for index, question in enumerate(("Tell me about tea.", "Why is the sky blue?"))
    ]
    upload = "\n".join(json.dumps(line) for line in lines).encode()
    input_file = app.files.create(file=("batch.jsonl", io.BytesIO(upload)), purpose="batch")
    batch = app.batches.create(input_file_id=input_file.id, endpoint="/v1/chat/completions", completion_window="24h")
    clock.advance(10)
    assert app.batches.retrieve(batch.id).status == "completed"

    usage = admin.admin.organization.usage
    raw = _json(usage.with_raw_response.completions(**_day(), group_by=["project_id", "batch"]))
    assert_conforms("GET", f"{U}/completions", 200, raw, spec=SPEC)
    [result] = raw["data"][0]["results"]
    assert (result["project_id"], result["batch"], result["num_model_requests"]) == (project_id, True, 2)
    assert result["input_tokens"] > 0 and result["output_tokens"] > 0
    assert usage.completions(**_day(), batch=False).data[0].results == []
    [cost] = usage.costs(**_day()).data[0].results
    assert cost.amount.value == pytest.approx(  # type: ignore[union-attr]
        (result["input_tokens"] * 0.15 + result["output_tokens"] * 0.60) / 1e6 * 0.5
    )


def test_assistants_runs_are_counted_once_when_they_finish(
    admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]
) -> None:
    project_id, key_id, app = project_app
    assistant = app.beta.assistants.create(model="gpt-4o-mini", instructions="Be brief.")
    thread = app.beta.threads.create(messages=[{"role": "user", "content": "Name a planet."}])
    run = app.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
    usage = admin.admin.organization.usage
    assert usage.completions(**_day()).data[0].results == []  # queued: nothing used yet
    clock.advance(10)
    done = app.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    again = app.beta.threads.runs.retrieve(run.id, thread_id=thread.id)  # a second read records nothing more
    assert done.status == again.status == "completed" and done.usage is not None
    raw = _json(usage.with_raw_response.completions(**_day(), group_by=["project_id", "api_key_id", "model"]))
    assert_conforms("GET", f"{U}/completions", 200, raw, spec=SPEC)
    [result] = raw["data"][0]["results"]
    assert (result["project_id"], result["api_key_id"], result["model"]) == (project_id, key_id, "gpt-4o-mini")
    assert (result["input_tokens"], result["output_tokens"]) == (done.usage.prompt_tokens, done.usage.completion_tokens)
    assert result["num_model_requests"] == 1


def test_costs_group_by_api_key(admin: openai.OpenAI, project_app: tuple[str, str, openai.OpenAI]) -> None:
    project_id, key_id, app = project_app
    app.images.generate(model="dall-e-3", prompt="A lighthouse", size="1024x1024", response_format="b64_json")
    raw = _json(admin.admin.organization.usage.with_raw_response.costs(**_day(), group_by=["api_key_id", "project_id"]))
    assert_conforms("GET", "/v1/organization/costs", 200, raw, spec=SPEC)
    [result] = raw["data"][0]["results"]
    assert (result["api_key_id"], result["project_id"], result["line_item"]) == (key_id, project_id, None)
    assert result["amount"]["value"] == pytest.approx(0.04)
    # SDK 3.60's groupings beyond the spec: the user (none for a service account's key) and the API source.
    by_source = admin.admin.organization.usage.costs(**_day(), group_by=["user_id", "api_source"]).data[0].results
    assert [(r.to_dict().get("user_id"), r.to_dict().get("api_source")) for r in by_source] == [(None, "unlabeled")]
