"""The Responses API as it is today (the 2026-08-21 spec): background mode (queued → in_progress → done as the
clock moves, the stream resumed, cancel), exact token counts, compaction, reasoning summaries, flex tier,
inputs with no message, function tools without `strict`, structured output after a tool result, stream
obfuscation; every JSON answer checked against the 2026-08-21 contract."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from tests.support.spec import assert_conforms, validate_component

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
REPORT = {
    "type": "json_schema",
    "name": "report",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "temp_c": {"type": "number"}},
        "required": ["summary", "temp_c"],
        "additionalProperties": False,
    },
}


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


# --------------------------------------------------------------------------------------------- background


def test_background_response_progresses_with_the_clock(client: openai.OpenAI, http: TestClient) -> None:
    clock.freeze(1_800_000_000)
    created = _ok(http.post("/v1/responses", json={"model": "gpt-4o", "input": "Hi", "background": True}, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, created, spec=SPEC)
    assert created["status"] == "queued" and created["output"] == [] and created["background"] is True
    assert created["completed_at"] is None
    clock.advance(1.5)
    running = _ok(http.get(f"/v1/responses/{created['id']}", headers=AUTH))
    assert_conforms("GET", f"/v1/responses/{created['id']}", 200, running, spec=SPEC)
    assert running["status"] == "in_progress" and running["completed_at"] is None
    clock.advance(5)
    done = client.responses.retrieve(created["id"])
    assert done.status == "completed" and done.output_text and done.usage is not None
    assert done.completed_at == 1_800_000_000 + 1 + 2  # queued 1 s, then in progress 2 s
    # the stream of a background response, resumed after an event
    events = _events(http.get(f"/v1/responses/{created['id']}", params={"stream": "true"}, headers=AUTH).text)
    assert [event["type"] for event in events[:3]] == ["response.created", "response.queued", "response.in_progress"]
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    assert events[-1]["type"] == "response.completed"
    assert [event["response"]["completed_at"] for event in (events[0], events[-1])] == [None, done.completed_at]
    assert [item["id"] for item in events[-1]["response"]["output"]] == [item.id for item in done.output]
    resumed = client.responses.retrieve(created["id"], stream=True, starting_after=2)
    numbers = [event.sequence_number for event in resumed]
    assert numbers == list(range(3, len(events)))


def test_cancel_moves_a_running_background_response_to_cancelled(client: openai.OpenAI, http: TestClient) -> None:
    clock.freeze(1_800_000_000)
    queued = client.responses.create(model="gpt-4o", input="Write a long essay.", background=True)
    cancelled = _ok(http.post(f"/v1/responses/{queued.id}/cancel", headers=AUTH))
    assert_conforms("POST", f"/v1/responses/{queued.id}/cancel", 200, cancelled, spec=SPEC)
    assert cancelled["status"] == "cancelled"
    clock.advance(60)
    assert client.responses.retrieve(queued.id).status == "cancelled"
    assert client.responses.cancel(queued.id).status == "cancelled"  # idempotent


def test_cancel_is_refused_for_synchronous_or_finished_responses(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000)
    synchronous = client.responses.create(model="gpt-4o", input="Hi")
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.cancel(synchronous.id)
    assert "synchronous" in raised.value.message
    finished = client.responses.create(model="gpt-4o", input="Hi", background=True)
    clock.advance(60)
    with pytest.raises(openai.BadRequestError) as done:
        client.responses.cancel(finished.id)
    assert "completed" in done.value.message
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel("resp_missing")


def test_streaming_a_synchronous_response_is_refused(client: openai.OpenAI, http: TestClient) -> None:
    response = client.responses.create(model="gpt-4o", input="Hi")
    answer = http.get(f"/v1/responses/{response.id}", params={"stream": "true"}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "stream"
    answer = http.get(f"/v1/responses/{response.id}", params={"starting_after": "2"}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "starting_after"


# --------------------------------------------------------------------------------------------- token counts


def test_input_token_count_equals_what_a_create_reports(client: openai.OpenAI, http: TestClient) -> None:
    request: dict[str, Any] = {
        "model": "gpt-4o",
        "instructions": "You are a terse weather bot.",
        "input": [{"role": "user", "content": "What's the weather in Paris?"}],
        "tools": [WEATHER],
    }
    counted = _ok(http.post("/v1/responses/input_tokens", json=request, headers=AUTH))
    assert_conforms("POST", "/v1/responses/input_tokens", 200, counted, spec=SPEC)
    created = client.responses.create(**request)
    assert created.usage is not None and counted["input_tokens"] == created.usage.input_tokens
    assert counted["object"] == "response.input_tokens"
    without_tools = client.responses.input_tokens.count(model="gpt-4o", input=request["input"])
    assert without_tools.input_tokens < counted["input_tokens"]
    # a conversation counts as context
    conversation = client.conversations.create(items=request["input"])
    in_conversation = client.responses.input_tokens.count(
        model="gpt-4o", conversation=conversation.id, input="And Rome?"
    )
    assert (
        in_conversation.input_tokens
        > client.responses.input_tokens.count(model="gpt-4o", input="And Rome?").input_tokens
    )


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "x"}, "model"),
        ({"model": "gpt-4o"}, "input"),
        ({"model": "gpt-4o", "input": 5}, "input"),
        ({"model": "gpt-4o", "input": "x", "tools": [{"type": "nope"}]}, "tools[0].type"),
        ({"model": "gpt-4o", "input": "x", "conversation": "c", "previous_response_id": "r"}, "conversation"),
    ],
)
def test_input_token_count_bad_requests(http: TestClient, body: dict[str, Any], param: str) -> None:
    answer = http.post("/v1/responses/input_tokens", json=body, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param


# --------------------------------------------------------------------------------------------- compaction


def test_compaction_shrinks_the_counted_context(client: openai.OpenAI, http: TestClient) -> None:
    first = client.responses.create(model="gpt-4o", input="Tell me everything about the history of Rome.")
    second = client.responses.create(
        model="gpt-4o", previous_response_id=first.id, input="And what about the Roman aqueducts?"
    )
    compacted = _ok(
        http.post("/v1/responses/compact", json={"model": "gpt-4o", "previous_response_id": second.id}, headers=AUTH)
    )
    assert_conforms("POST", "/v1/responses/compact", 200, compacted, spec=SPEC)
    assert compacted["object"] == "response.compaction"
    assert [item["type"] for item in compacted["output"]] == ["message", "message", "compaction"]
    assert compacted["output"][-1]["encrypted_content"]
    assert second.usage is not None
    follow_up = {"role": "user", "content": "Which emperor built the most?"}
    full = client.responses.input_tokens.count(model="gpt-4o", previous_response_id=second.id, input=[follow_up])
    shrunk = client.responses.create(model="gpt-4o", input=[*compacted["output"], follow_up])
    assert shrunk.usage is not None and shrunk.usage.input_tokens < full.input_tokens
    sdk = client.responses.compact(model="gpt-4o", input="Hello there, tell me about cats.")
    assert sdk.output[-1].type == "compaction"


def test_compaction_bad_requests(http: TestClient) -> None:
    answer = http.post("/v1/responses/compact", json={"model": "gpt-4o"}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "input"
    answer = http.post("/v1/responses/compact", json={"input": "x"}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "model"
    answer = http.post(
        "/v1/responses/compact", json={"model": "gpt-4o", "input": "x", "service_tier": "x"}, headers=AUTH
    )
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "service_tier"


# --------------------------------------------------------------------------------------------- fixes


def test_reasoning_summary_when_asked(client: openai.OpenAI, http: TestClient) -> None:
    raw = _ok(
        http.post(
            "/v1/responses",
            json={
                "model": "o3-mini",
                "input": "Why is the sky blue?",
                "reasoning": {"effort": "low", "summary": "auto"},
            },
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/responses", 200, raw, spec=SPEC)
    reasoning = raw["output"][0]
    assert reasoning["type"] == "reasoning" and reasoning["summary"][0]["type"] == "summary_text"
    assert "sky" in reasoning["summary"][0]["text"] and raw["reasoning"]["summary"] == "auto"
    plain = client.responses.create(model="o3-mini", input="Why is the sky blue?")
    assert plain.output[0].type == "reasoning" and plain.output[0].summary == []
    detailed = client.responses.create(
        model="o3-mini", input="Why is the sky blue?", reasoning={"generate_summary": "detailed"}
    )
    assert len(detailed.output[0].summary) == 2  # type: ignore[union-attr]


def test_flex_tier_is_answered_as_flex(client: openai.OpenAI) -> None:
    response = client.responses.create(model="o3-mini", input="Hi", service_tier="flex")
    assert response.service_tier == "flex" and response.usage is not None
    assert response.usage.output_tokens_details.reasoning_tokens > 0


def test_inputs_without_a_message_are_answered(client: openai.OpenAI, http: TestClient) -> None:
    only_reasoning = _ok(
        http.post(
            "/v1/responses",
            json={"model": "o3-mini", "input": [{"type": "reasoning", "id": "rs_1", "summary": []}]},
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/responses", 200, only_reasoning, spec=SPEC)
    assert only_reasoning["status"] == "completed"
    called = client.responses.create(model="gpt-4o", input="What's the weather in Paris?", tools=[WEATHER])  # type: ignore[list-item]
    call = called.output[0]
    assert call.type == "function_call"
    answered = client.responses.create(
        model="gpt-4o",
        previous_response_id=called.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"temp_c": 21}'}],
        tools=[WEATHER],  # type: ignore[list-item]
    )
    assert answered.output_text
    empty = http.post("/v1/responses", json={"model": "gpt-4o", "input": []}, headers=AUTH)
    assert empty.status_code == 400 and empty.json()["error"]["param"] == "input"


def test_json_schema_format_holds_after_a_tool_result(client: openai.OpenAI) -> None:
    called = client.responses.create(
        model="gpt-4o",
        input="What's the weather in Paris?",
        tools=[WEATHER],
        text={"format": REPORT},  # type: ignore[list-item,typeddict-item]
    )
    call = called.output[0]
    assert call.type == "function_call"
    answered = client.responses.create(
        model="gpt-4o",
        previous_response_id=called.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"temp_c": 21}'}],
        tools=[WEATHER],  # type: ignore[list-item]
        text={"format": REPORT},  # type: ignore[typeddict-item]
    )
    assert set(json.loads(answered.output_text)) == {"summary", "temp_c"}


def test_json_schema_format_holds_after_a_tool_result_in_chat(client: openai.OpenAI) -> None:
    schema = REPORT["schema"]
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "user", "content": "What's the weather in Paris?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 21}'},
        ],
        response_format={"type": "json_schema", "json_schema": {"name": "report", "schema": schema, "strict": True}},
    )
    assert set(json.loads(completion.choices[0].message.content or "")) == {"summary", "temp_c"}


# --------------------------------------------------------------------------------------------- streaming


def test_stream_events_are_numbered_and_obfuscated_unless_turned_off(http: TestClient) -> None:
    body = {
        "model": "o3-mini",
        "input": "Why is the sky blue?",
        "reasoning": {"summary": "auto"},
        "stream": True,
        "stream_options": {"include_obfuscation": True},
    }
    events = _events(http.post("/v1/responses", json=body, headers=AUTH).text)
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    kinds = [event["type"] for event in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[3:5] == ["response.reasoning_summary_part.added", "response.reasoning_summary_text.delta"]
    assert "response.reasoning_summary_text.done" in kinds and "response.reasoning_summary_part.done" in kinds
    deltas = [event for event in events if event["type"].endswith(".delta")]
    assert deltas and all(isinstance(event.get("obfuscation"), str) and event["obfuscation"] for event in deltas)
    for event in events:
        validate_component("ResponseStreamEvent", event, spec=SPEC)
    by_default = _events(http.post("/v1/responses", json={**body, "stream_options": None}, headers=AUTH).text)
    assert [("obfuscation" in event) for event in by_default] == [("obfuscation" in event) for event in events]
    off = {**body, "stream_options": {"include_obfuscation": False}}
    plain = _events(http.post("/v1/responses", json=off, headers=AUTH).text)
    assert not any("obfuscation" in event for event in plain)
    assert [event["type"] for event in plain] == kinds
    refused = http.post("/v1/responses", json={**body, "stream": False}, headers=AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "stream_options"


def test_context_management_compacts_a_long_context(client: openai.OpenAI, http: TestClient) -> None:
    essay = "Rome grew from a small settlement on the Tiber into an empire that ruled the Mediterranean. " * 60
    earlier = client.responses.create(
        model="gpt-4o",
        input=[
            {"role": "user", "content": "Tell me everything about the history of Rome."},
            {"role": "assistant", "content": essay},
            {"role": "user", "content": "Thanks. Now a word on its aqueducts?"},
        ],
    )
    question = "Which emperor built the most?"
    full = client.responses.create(model="gpt-4o", input=question, previous_response_id=earlier.id)
    body = {
        "model": "gpt-4o",
        "input": question,
        "previous_response_id": earlier.id,
        "context_management": [{"type": "compaction", "compact_threshold": 1000}],
    }
    compacted = _ok(http.post("/v1/responses", json=body, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, compacted, spec=SPEC)
    assert full.usage is not None and full.usage.input_tokens > 1000
    assert compacted["output"][0]["type"] == "compaction" and compacted["output"][1]["type"] == "message"
    assert compacted["usage"]["input_tokens"] < full.usage.input_tokens // 2
    # the next turn continues from the compaction: its context stays small
    after = client.responses.create(model="gpt-4o", input="And the aqueducts?", previous_response_id=compacted["id"])
    assert after.usage is not None and after.usage.input_tokens < full.usage.input_tokens // 2
    below = client.responses.create(
        model="gpt-4o",
        input="Hi",
        previous_response_id=earlier.id,
        context_management=[{"type": "compaction", "compact_threshold": 1_000_000}],
    )
    assert below.output[0].type != "compaction"


@pytest.mark.parametrize(
    ("management", "param"),
    [
        ([], "context_management"),
        ([{"type": "summarize"}], "context_management[0].type"),
        ([{"type": "compaction", "compact_threshold": 10}], "context_management[0].compact_threshold"),
        ([{"type": "compaction", "compact_threshold": "big"}], "context_management[0].compact_threshold"),
    ],
)
def test_context_management_bad_requests(http: TestClient, management: Any, param: str) -> None:
    body = {"model": "gpt-4o", "input": "Hi", "context_management": management}
    answer = http.post("/v1/responses", json=body, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param


def test_the_beta_twins_reach_the_same_routes(http: TestClient) -> None:
    clock.freeze(1_800_000_000)
    body = {"model": "gpt-4o", "input": "Hi", "background": True}
    created = _ok(http.post("/v1/responses", params={"beta": "true"}, json=body, headers=AUTH))
    assert_conforms("POST", "/v1/responses?beta=true", 200, created, spec=SPEC)
    path = f"/v1/responses/{created['id']}"
    got = _ok(http.get(path, params={"beta": "true"}, headers=AUTH))
    assert_conforms("GET", path + "?beta=true", 200, got, spec=SPEC)
    items = _ok(http.get(path + "/input_items", params={"beta": "true"}, headers=AUTH))
    assert_conforms("GET", path + "/input_items?beta=true", 200, items, spec=SPEC)
    cancelled = _ok(http.post(path + "/cancel", params={"beta": "true"}, headers=AUTH))
    assert_conforms("POST", path + "/cancel?beta=true", 200, cancelled, spec=SPEC)
    counted = _ok(
        http.post(
            "/v1/responses/input_tokens", params={"beta": "true"}, json={"model": "gpt-4o", "input": "Hi"}, headers=AUTH
        )
    )
    assert_conforms("POST", "/v1/responses/input_tokens?beta=true", 200, counted, spec=SPEC)
    compacted = _ok(
        http.post(
            "/v1/responses/compact", params={"beta": "true"}, json={"model": "gpt-4o", "input": "Hi"}, headers=AUTH
        )
    )
    assert_conforms("POST", "/v1/responses/compact?beta=true", 200, compacted, spec=SPEC)
    deleted = _ok(http.delete(path, params={"beta": "true"}, headers=AUTH))
    assert_conforms("DELETE", path + "?beta=true", 200, deleted, spec=SPEC)


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"background": "yes"}, "background"),
        ({"background": True, "store": False}, "background"),
        ({"conversation": 5}, "conversation"),
        ({"conversation": {"name": "x"}}, "conversation.id"),
        ({"stream_options": {"include_obfuscation": True}}, "stream_options"),
        ({"stream": True, "stream_options": {"include_obfuscation": "yes"}}, "stream_options.include_obfuscation"),
        ({"reasoning": {"summary": "verbose"}}, "reasoning.summary"),
    ],
)
def test_new_parameters_bad_values(http: TestClient, extra: dict[str, Any], param: str) -> None:
    answer = http.post("/v1/responses", json={"model": "o3-mini", "input": "Hi", **extra}, headers=AUTH)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["param"] == param


def test_web_search_tool_cites_its_sources_offline(client: openai.OpenAI, http: TestClient) -> None:
    body: dict[str, Any] = {
        "model": "gpt-4o",
        "input": "Search the web for the latest news about the Mars rover.",
        "tools": [{"type": "web_search"}],
    }
    raw = _ok(http.post("/v1/responses", json=body, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, raw, spec=SPEC)
    call, message = raw["output"]
    assert call["type"] == "web_search_call" and call["action"]["type"] == "search"
    assert "sources" not in call["action"]
    text = message["content"][0]["text"]
    notes = message["content"][0]["annotations"]
    assert notes and all(note["type"] == "url_citation" for note in notes)
    assert all(note["url"] in text[note["start_index"] : note["end_index"]] for note in notes)
    again = _ok(http.post("/v1/responses", json=body, headers=AUTH))
    assert again["output"][1]["content"] == message["content"]  # deterministic
    shown = _ok(http.post("/v1/responses", json={**body, "include": ["web_search_call.action.sources"]}, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, shown, spec=SPEC)
    assert [source["url"] for source in shown["output"][0]["action"]["sources"]] == [note["url"] for note in notes]
    allowed = {**body, "tools": [{"type": "web_search", "filters": {"allowed_domains": ["nasa.gov"]}}]}
    limited = client.responses.create(**allowed)
    annotations = limited.output[-1].content[0].annotations  # type: ignore[union-attr]
    assert annotations and all("nasa.gov" in note.url for note in annotations)  # type: ignore[union-attr]
    bad = {**body, "tools": [{"type": "web_search", "filters": {"allowed_domains": "nasa.gov"}}]}
    answer = http.post("/v1/responses", json=bad, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "tools[0].filters.allowed_domains"


@pytest.mark.parametrize("tool", [{"type": "web_search", "external_web_access": False}, {"type": "web_search_preview"}])
def test_web_search_only_when_the_question_needs_the_web(client: openai.OpenAI, tool: dict[str, Any]) -> None:
    """Codex declares the (cache-only) search on every turn: a question the model knows is answered directly; news,
    prices, a site or "search" are looked up; `tool_choice: "required"` searches anyway."""
    tools: Any = [WEATHER, tool]
    known = client.responses.create(model="gpt-4o", input="What is the capital of France?", tools=tools)
    assert [item.type for item in known.output] == ["message"]
    assert "Paris" in known.output_text and "wikipedia" not in known.output_text.lower()
    for needs_web in (
        "What is the latest news about the Mars rover?",
        "What does the front page of nasa.gov say today?",
        "Search for reviews of the Framework laptop.",
    ):
        searched = client.responses.create(model="gpt-4o", input=needs_web, tools=tools)
        assert [item.type for item in searched.output] == ["web_search_call", "message"], needs_web
    forced = client.responses.create(
        model="gpt-4o", input="What is the capital of France?", tools=tools, tool_choice="required"
    )
    assert forced.output[0].type == "web_search_call"


def test_a_response_shows_every_field_the_real_api_sends(client: openai.OpenAI, http: TestClient) -> None:
    """As the spec's recorded answers show it: completed_at, and the request's settings echoed (null when unset)."""
    clock.freeze(1_800_000_000)
    plain = _ok(http.post("/v1/responses", json={"model": "gpt-4o", "input": "Hi"}, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, plain, spec=SPEC)
    shown = {name: plain[name] for name in _ECHOED}
    assert shown == {
        "background": False,
        "completed_at": 1_800_000_000,
        "max_tool_calls": None,
        "prompt_cache_key": None,
        "safety_identifier": None,
        "top_logprobs": 0,
    }
    asked = {"max_tool_calls": 3, "prompt_cache_key": "k-1", "safety_identifier": "user-7", "top_logprobs": 2}
    echoed = client.responses.create(model="gpt-4o", input="Hi", **asked)
    assert {name: getattr(echoed, name) for name in asked} == asked


_ECHOED = ("background", "completed_at", "max_tool_calls", "prompt_cache_key", "safety_identifier", "top_logprobs")


def test_client_metadata_of_openai_clients_is_taken_and_must_be_strings(
    client: openai.OpenAI, http: TestClient
) -> None:
    """The Codex CLI sends `client_metadata` (its thread, turn and installation ids) on every turn."""
    metadata = {"thread_id": "0199a1b2-thread", "x-codex-turn-metadata": '{"turn": 1, "cwd": "/work"}'}
    response = client.responses.create(model="gpt-4.1", input="Say hello.", extra_body={"client_metadata": metadata})
    assert response.status == "completed" and response.output_text
    assert "client_metadata" not in client.responses.retrieve(response.id).model_dump()
    wrong = {"model": "gpt-4.1", "input": "Say hello.", "client_metadata": {"turn": 1}}
    refused = http.post("/v1/responses", json=wrong, headers=AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "client_metadata.turn"
