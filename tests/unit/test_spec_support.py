"""Tests for tests/support/spec.py: the helpers must both accept good bodies and catch bad ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support import spec
from tests.support.spec import (
    assert_conforms,
    load_operations,
    load_spec,
    match_operation,
    requires_spec,
    schema_for,
    validate_component,
)


def _model(model_id: str, owned_by: Any = "openai") -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1686935002, "owned_by": owned_by}


def _model_list(*models: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(models)}


def _chunk(finish_reason: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": finish_reason, "logprobs": None}],
    }


# --------------------------------------------------------------------------- locating files (no spec needed)


def test_paths_honour_env_vars(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec_file = tmp_path / "spec.yaml"
    ops_file = tmp_path / "ops.tsv"
    monkeypatch.setenv("OPENAI_SPEC_PATH", str(spec_file))
    monkeypatch.setenv("OPENAI_OPERATIONS_PATH", str(ops_file))
    assert spec.spec_path() is None and spec.operations_path() is None  # absent -> None, not an error
    spec_file.write_text("openapi: 3.0.0\n")
    ops_file.write_text("group\tmethod\tpath\toperationId\tname\n")
    assert spec.spec_path() == spec_file
    assert spec.operations_path() == ops_file


def test_default_paths_sit_beside_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_SPEC_PATH", raising=False)
    monkeypatch.delenv("OPENAI_OPERATIONS_PATH", raising=False)
    expected_dir = Path(__file__).resolve().parents[2].parent / "shared" / "openapi"
    assert spec._spec_candidate() == expected_dir / "openai-2025-03-11.yaml"
    found = spec.spec_path()
    assert found is None or found.parent == expected_dir


def test_requires_spec_explains_how_to_fix() -> None:
    mark = requires_spec.mark
    assert mark.name == "skipif"
    assert "official OpenAI spec not found at" in mark.kwargs["reason"]
    assert "OPENAI_SPEC_PATH" in mark.kwargs["reason"]


def test_response_key_falls_back_to_range_then_default() -> None:
    assert spec._response_key({"200": {}, "default": {}}, 200) == "200"
    assert spec._response_key({"2XX": {}, "default": {}}, 201) == "2XX"
    assert spec._response_key({"200": {}, "default": {}}, 500) == "default"
    assert spec._response_key({"200": {}}, 404) is None


# --------------------------------------------------------------------------- operations table vs spec


@requires_spec
def test_load_operations_returns_all_122() -> None:
    ops = load_operations()
    assert len(ops) == 122
    assert len({op.operation_id for op in ops}) == 122
    first = ops[0]
    assert (first.group, first.method, first.path, first.operation_id) == (
        "Assistants",
        "GET",
        "/assistants",
        "listAssistants",
    )


@requires_spec
def test_every_listed_operation_is_in_the_spec_with_same_method_and_path() -> None:
    paths = load_spec()["paths"]
    missing = [
        f"{op.method} {op.path} ({op.operation_id})"
        for op in load_operations()
        if paths.get(op.path, {}).get(op.method.lower(), {}).get("operationId") != op.operation_id
    ]
    assert not missing, missing


@requires_spec
def test_every_spec_template_routes_back_to_its_operation() -> None:
    # Fill each {param} with an id-like value; both /v1-prefixed and bare paths must resolve.
    for op in load_operations():
        concrete = re.sub(r"\{[^}]+\}", "abc_123", op.path)
        assert match_operation(op.method, concrete) == op.operation_id, concrete
        assert match_operation(op.method.lower(), "/v1" + concrete) == op.operation_id, concrete


# --------------------------------------------------------------------------- path matching


@requires_spec
def test_model_ids_with_colons_match_retrieve_model() -> None:
    assert match_operation("GET", "/v1/models/ft:gpt-4o-mini:org:x:abc") == "retrieveModel"
    assert match_operation("DELETE", "/models/ft:gpt-4o-mini:org:x:abc") == "deleteModel"


@requires_spec
def test_literal_segment_beats_template() -> None:
    assert match_operation("POST", "/threads/runs") == "createThreadAndRun"
    assert match_operation("POST", "/v1/threads/thread_abc") == "modifyThread"


@requires_spec
def test_query_string_is_ignored() -> None:
    assert match_operation("GET", "/v1/models?limit=2") == "listModels"


@requires_spec
def test_unknown_path_or_method_is_reported() -> None:
    with pytest.raises(AssertionError, match="no path in the OpenAI spec matches"):
        match_operation("GET", "/v1/no-such-thing")
    with pytest.raises(AssertionError, match=r"no PUT .*allowed: DELETE, GET"):
        match_operation("PUT", "/v1/models/gpt-4o")


# --------------------------------------------------------------------------- validation


@requires_spec
def test_correct_list_models_body_passes() -> None:
    assert_conforms("GET", "/v1/models", 200, _model_list(_model("gpt-4o"), _model("ft:gpt-4o-mini:org:x:abc")))
    assert_conforms("GET", "/v1/models/ft:gpt-4o-mini:org:x:abc", 200, _model("ft:gpt-4o-mini:org:x:abc"))


@requires_spec
def test_null_owned_by_fails_naming_the_field_and_operation() -> None:
    body = _model_list(_model("a"), _model("b"), _model("c"), _model("d", owned_by=None))
    with pytest.raises(AssertionError) as exc:
        assert_conforms("GET", "/v1/models", 200, body)
    message = str(exc.value)
    assert "listModels" in message
    assert "data[3].owned_by: None is not of type 'string'" in message
    assert "None for not nullable" not in message  # no duplicate noise from the stock OAS30 `type`


@requires_spec
def test_missing_object_fails_naming_the_field() -> None:
    with pytest.raises(AssertionError, match=r"\$: 'object' is a required property"):
        assert_conforms("GET", "/models", 200, {"data": []})


@requires_spec
def test_every_error_is_listed() -> None:
    body = {"object": "lists", "data": [{"id": 1, "object": "model", "created": "yesterday", "owned_by": "me"}]}
    with pytest.raises(AssertionError) as exc:
        assert_conforms("GET", "/models", 200, body)
    message = str(exc.value)
    assert "(3 errors)" in message
    for expected in ("object: 'lists' is not one of ['list']", "data[0].id: 1 is not of type", "data[0].created:"):
        assert expected in message


@requires_spec
def test_undocumented_status_or_content_type_is_an_error() -> None:
    with pytest.raises(AssertionError, match="documents no 500 response"):
        assert_conforms("GET", "/models", 500, {})
    with pytest.raises(AssertionError, match="no 'text/event-stream' body"):
        assert_conforms("GET", "/models", 200, {}, content_type="text/event-stream")


@requires_spec
def test_content_type_selects_the_schema() -> None:
    # Chat completions declare JSON and SSE bodies; the SSE schema is the chunk object.
    assert_conforms("POST", "/v1/chat/completions", 200, _chunk(None), content_type="text/event-stream; charset=utf-8")
    with pytest.raises(AssertionError, match="createChatCompletion"):
        assert_conforms("POST", "/v1/chat/completions", 200, _chunk(None))
    assert_conforms("POST", "/v1/audio/speech", 200, b"ID3...", content_type="application/octet-stream")


@requires_spec
def test_error_status_uses_its_own_schema() -> None:
    error = {"type": "invalid_request_error", "message": "No such response", "param": None, "code": None}
    assert_conforms("DELETE", "/v1/responses/resp_123", 404, error)
    with pytest.raises(AssertionError, match="'param' is a required property"):
        assert_conforms("DELETE", "/v1/responses/resp_123", 404, {"type": "x", "message": "y", "code": None})


@requires_spec
def test_validator_is_built_once_per_operation_and_status() -> None:
    first = spec._response_validator("listModels", 200, "application/json")
    assert first is spec._response_validator("listModels", 200, "application/json")


# --------------------------------------------------------------------------- components and spec quirks


@requires_spec
def test_validate_component_checks_stream_chunks() -> None:
    validate_component("CreateChatCompletionStreamResponse", _chunk("stop"))
    # `nullable: true` next to an enum without null: the first chunks of a stream carry null.
    validate_component("CreateChatCompletionStreamResponse", _chunk(None))
    with pytest.raises(AssertionError, match=r"choices\[0\]\.finish_reason: 'done' is not one of"):
        validate_component("CreateChatCompletionStreamResponse", _chunk("done"))
    with pytest.raises(AssertionError, match="NoSuchSchema"):
        validate_component("NoSuchSchema", {})


@requires_spec
def test_unmapped_discriminator_uses_the_matching_branch() -> None:
    # Stock OAS30Validator would look up #/components/schemas/message and always fail.
    message = {
        "type": "message",
        "id": "msg_1",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
    }
    validate_component("OutputItem", message)
    event = {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0}
    validate_component("ResponseStreamEvent", {**event, "delta": "Hi"})
    with pytest.raises(AssertionError, match="closest: delta: 5 is not of type 'string'"):
        validate_component("ResponseStreamEvent", {**event, "delta": 5})


@requires_spec
def test_nullable_next_to_ref_allows_null() -> None:
    assistant = {
        "id": "asst_1",
        "object": "assistant",
        "created_at": 1,
        "name": None,
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "metadata": None,
        "response_format": None,  # {$ref: AssistantsApiResponseFormatOption, nullable: true}
    }
    assert_conforms("GET", "/v1/assistants/asst_1", 200, assistant)
    with pytest.raises(AssertionError, match="created_at"):
        assert_conforms("GET", "/v1/assistants/asst_1", 200, {**assistant, "created_at": None})


@requires_spec
def test_recursive_compound_filter_is_checked() -> None:
    # CompoundFilter nests itself with $recursiveRef, which OAS 3.0 validators would ignore.
    comparison = {"type": "eq", "key": "author", "value": "ann"}
    validate_component("CompoundFilter", {"type": "and", "filters": [comparison]})
    validate_component("CompoundFilter", {"type": "or", "filters": [{"type": "and", "filters": [comparison]}]})
    with pytest.raises(AssertionError, match=r"filters\[0\]"):
        validate_component("CompoundFilter", {"type": "and", "filters": [5]})


@requires_spec
def test_schema_for_follows_the_top_level_ref() -> None:
    model = schema_for("retrieveModel")
    assert set(model["required"]) == {"id", "object", "created", "owned_by"}
    assert schema_for("createChatCompletion", content_type="text/event-stream")["properties"]["object"]["enum"] == [
        "chat.completion.chunk"
    ]
    with pytest.raises(AssertionError, match="no response body"):
        schema_for("deleteResponse")
