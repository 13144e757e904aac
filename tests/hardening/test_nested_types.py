"""Legal-looking bodies with a wrong type somewhere inside: every nested field of a rich, valid request is
replaced in turn by a value of each JSON type. The answer is a 2xx that conforms to the spec or OpenAI's 400
naming a param; never a 500, never an envelope without a param (issue #23, class 1).

What is accepted must also read back valid (class 3): every 2xx is followed by the reads of what it stored
(retrieve, list), each checked against the spec.

Each endpoint's cases run in one test, exhaustively (every path × every wrong value), so that a new nested field
added to a base body is covered without a new test."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.hardening.fuzzing import _as_documented
from tests.support.spec import assert_conforms, validate_component

USER = {"Authorization": "Bearer sk-nested-types"}
BETA = {**USER, "OpenAI-Beta": "assistants=v2"}
WRONG: list[Any] = ["x", "", 0, -1, 1.5, True, None, [], [1], {}, {"x": 1}]


def paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every location in a JSON value (objects' keys and arrays' indexes), outermost first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def replaced(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def _objects(raw: TestClient) -> dict[str, str]:
    file = raw.post(
        "/v1/files",
        headers=USER,
        data={"purpose": "assistants"},
        files={"file": ("notes.txt", b"Cats purr when content.", "text/plain")},
    ).json()["id"]
    store = raw.post("/v1/vector_stores", headers=USER, json={"name": "n"}).json()["id"]
    # With instructions: a run on a thread emptied by a mutation has something to read.
    assistant = raw.post(
        "/v1/assistants", headers=BETA, json={"model": "gpt-4o-mini", "instructions": "Be brief."}
    ).json()["id"]
    thread = raw.post("/v1/threads", headers=BETA, json={}).json()["id"]
    return {"file": file, "store": store, "assistant": assistant, "thread": thread}


def _message(ids: dict[str, str]) -> dict[str, Any]:
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": "Hello"},
            {"type": "image_url", "image_url": {"url": "https://example.org/a.png", "detail": "low"}},
            {"type": "image_file", "image_file": {"file_id": ids["file"], "detail": "auto"}},
        ],
        "attachments": [{"file_id": ids["file"], "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]}],
        "metadata": {"k": "v"},
    }


def _tools() -> list[dict[str, Any]]:
    return [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {"max_num_results": 5, "ranking_options": {"ranker": "auto", "score_threshold": 0.5}},
        },
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "d",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": False,
            },
        },
    ]


def _resources(ids: dict[str, str], helper: bool) -> dict[str, Any]:
    search: dict[str, Any] = (
        {
            "vector_stores": [
                {
                    "file_ids": [ids["file"]],
                    "chunking_strategy": {
                        "type": "static",
                        "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
                    },
                    "metadata": {"k": "v"},
                }
            ]
        }
        if helper
        else {"vector_store_ids": [ids["store"]]}
    )
    return {"code_interpreter": {"file_ids": [ids["file"]]}, "file_search": search}


def _response_format() -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
            "strict": False,
        },
    }


def _cases(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    assistant = {
        "model": "gpt-4o-mini",
        "name": "n",
        "tools": _tools(),
        "metadata": {"k": "v"},
        "temperature": 1,
        "top_p": 1,
        "response_format": _response_format(),
    }
    run = {
        "assistant_id": ids["assistant"],
        "temperature": 1,
        "top_p": 1,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 1000,
        "truncation_strategy": {"type": "last_messages", "last_messages": 2},
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "tools": _tools(),
        "metadata": {"k": "v"},
    }
    return [
        ("POST", "/v1/assistants", {**assistant, "tool_resources": _resources(ids, helper=False)}),
        ("POST", "/v1/assistants", {**assistant, "tool_resources": _resources(ids, helper=True)}),
        ("POST", f"/v1/assistants/{ids['assistant']}", {**assistant, "tool_resources": _resources(ids, False)}),
        (
            "POST",
            "/v1/threads",
            {"messages": [_message(ids)], "tool_resources": _resources(ids, True), "metadata": {"k": "v"}},
        ),
        ("POST", f"/v1/threads/{ids['thread']}", {"tool_resources": _resources(ids, False), "metadata": {"k": "v"}}),
        ("POST", f"/v1/threads/{ids['thread']}/messages", _message(ids)),
        (
            "POST",
            "/v1/threads/runs",
            {
                **run,
                "thread": {"messages": [_message(ids)]},
                "tool_resources": _resources(ids, helper=False),
            },
        ),
        ("POST", "/v1/threads/{fresh}/runs", {**run, "additional_messages": [_message(ids)]}),
        (
            "POST",
            "/v1/realtime/sessions",
            {
                "model": "gpt-4o-realtime-preview",
                "modalities": ["audio", "text"],
                "temperature": 0.8,
                "max_response_output_tokens": 100,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 200,
                    "create_response": True,
                },
                "input_audio_transcription": {"model": "whisper-1", "language": "en"},
                "input_audio_noise_reduction": {"type": "near_field"},
                "tools": [{"type": "function", "name": "f", "description": "d", "parameters": {"type": "object"}}],
                "client_secret": {"expires_after": {"anchor": "created_at", "seconds": 60}},
            },
        ),
    ]


def _problem(raw: TestClient, method: str, path: str, body: dict[str, Any]) -> str | None:
    if "{fresh}" in path:  # a thread of its own for each run: one active run per thread
        thread = raw.post("/v1/threads", headers=BETA, json={"messages": [{"role": "user", "content": "Hi"}]})
        path = path.replace("{fresh}", thread.json()["id"])
    response = raw.request(method, path, headers=BETA, content=json.dumps(body))
    label = f"{path} {json.dumps(body)[:300]} -> {response.status_code} {response.text[:200]}"
    if response.status_code >= 500:
        return label
    try:
        if response.status_code >= 400:
            validate_component("ErrorResponse", response.json())
            if response.status_code == 400 and response.json()["error"]["param"] is None:
                return f"no param: {label}"
        else:
            assert_conforms(method, path, response.status_code, response.json())
            for read in _reads(response.json()):  # what was accepted reads back valid, every time (class 3)
                assert_conforms("GET", read, 200, _as_documented(raw.get(read, headers=BETA).json()))
    except AssertionError as error:
        return f"{label}: {error}"
    return None


def _reads(created: dict[str, Any]) -> list[str]:
    """The reads of an object just created or modified: retrieve, and the list it appears in."""
    kind, object_id = created.get("object"), created.get("id")
    if kind == "assistant":
        return [f"/v1/assistants/{object_id}", "/v1/assistants?limit=100"]
    if kind == "thread":
        return [f"/v1/threads/{object_id}", f"/v1/threads/{object_id}/messages"]
    if kind == "thread.message":
        thread = created["thread_id"]
        return [f"/v1/threads/{thread}/messages/{object_id}", f"/v1/threads/{thread}/messages"]
    if kind == "thread.run":
        thread = created["thread_id"]
        return [f"/v1/threads/{thread}/runs/{object_id}", f"/v1/threads/{thread}/messages"]
    return []


@pytest.fixture
def raw(mock_app: TemplateRouter) -> TestClient:
    return TestClient(mock_app, raise_server_exceptions=False)


@pytest.mark.parametrize("index", range(9))
def test_a_wrong_type_anywhere_is_a_400_naming_it(raw: TestClient, index: int) -> None:
    ids = _objects(raw)
    method, path, body = _cases(ids)[index]
    assert _problem(raw, method, path, body) is None  # the base body itself is accepted
    found = [
        problem
        for where in paths(body)
        for value in WRONG
        if (problem := _problem(raw, method, path, replaced(body, where, value))) is not None
    ]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:40])


def test_a_run_on_an_empty_thread_without_instructions(raw: TestClient) -> None:
    """Nothing to read at all (once an IndexError, a 500): the run still completes with an answer."""
    assistant = raw.post("/v1/assistants", headers=BETA, json={"model": "gpt-4o-mini"}).json()["id"]
    run = raw.post("/v1/threads/runs", headers=BETA, json={"assistant_id": assistant})
    assert run.status_code == 200, run.text
    thread_id = run.json()["thread_id"]
    clock.advance(5)
    finished = raw.get(f"/v1/threads/{thread_id}/runs/{run.json()['id']}", headers=BETA).json()
    assert finished["status"] == "completed"
    messages = raw.get(f"/v1/threads/{thread_id}/messages", headers=BETA).json()["data"]
    assert [m["role"] for m in messages] == ["assistant"]
    assert messages[0]["content"][0]["text"]["value"].strip()
