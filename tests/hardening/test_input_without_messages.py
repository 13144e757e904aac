"""Responses whose `input` holds no message item (issue #23, class 1): only reasoning items, earlier hosted-tool
calls, function calls, in any order, with or without instructions, streamed or not. Each is answered (200, or a
stream that completes) or refused with OpenAI's 400 naming `input`; never a 500."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from tests.support.spec import assert_conforms, validate_component

USER = {"Authorization": "Bearer sk-no-message"}

ITEMS: list[dict[str, Any]] = [
    {"type": "reasoning", "id": "rs_1", "summary": []},
    {"type": "reasoning", "id": "rs_2", "summary": [{"type": "summary_text", "text": "Thinking."}]},
    {"type": "web_search_call", "id": "ws_1", "status": "completed"},
    {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["cats"]},
    {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    items=st.lists(st.sampled_from(ITEMS), min_size=1, max_size=4),
    model=st.sampled_from(["gpt-4o-mini", "o3-mini"]),
    instructions=st.sampled_from([None, "Be brief."]),
    stream=st.booleans(),
)
def test_input_without_a_message_is_answered_or_refused_naming_input(
    mock_app: TemplateRouter, items: list[dict[str, Any]], model: str, instructions: str | None, stream: bool
) -> None:
    raw = TestClient(mock_app, raise_server_exceptions=False)
    body: dict[str, Any] = {"model": model, "input": items, "stream": stream}
    if instructions:
        body["instructions"] = instructions
    response = raw.post("/v1/responses", headers=USER, json=body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        error = response.json()
        validate_component("ErrorResponse", error)
        assert error["error"]["param"] == "input", error
    elif stream:
        assert "event: response.completed" in response.text
    else:
        assert_conforms("POST", "/v1/responses", 200, response.json())


def test_a_reasoning_item_alone_is_answered_as_the_real_api_answers_it(mock_app: TemplateRouter) -> None:
    # The real API answers an input of only a reasoning item (or only a tool output); 400 is for an empty list.
    raw = TestClient(mock_app, raise_server_exceptions=False)
    for stream in (False, True):
        body = {"model": "o3-mini", "input": [ITEMS[0]], "stream": stream}
        answer = raw.post("/v1/responses", headers=USER, json=body)
        assert answer.status_code == 200, answer.text
        if stream:
            assert "event: response.completed" in answer.text
        else:
            assert_conforms("POST", "/v1/responses", 200, answer.json())
    empty = raw.post("/v1/responses", headers=USER, json={"model": "o3-mini", "input": []}).json()["error"]
    assert empty["param"] == "input" and empty["code"] == "empty_array"


def test_a_reasoning_item_followed_by_its_message_is_answered(mock_app: TemplateRouter) -> None:
    raw = TestClient(mock_app, raise_server_exceptions=False)
    message = {"type": "message", "role": "assistant", "content": "Three."}
    body = {"model": "o3-mini", "input": [{"role": "user", "content": "Count."}, ITEMS[0], message]}
    assert raw.post("/v1/responses", headers=USER, json=body).status_code == 200
