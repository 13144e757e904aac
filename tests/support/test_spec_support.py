"""Tests for tests/support/spec.py and tools/gen_contract.py: the committed contracts are complete, prose-free
and current, and the helpers both accept good bodies and catch bad ones, for both specs."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support import spec
from tests.support.spec import (
    DEFAULT_SPEC,
    SPECS,
    assert_conforms,
    load_operations,
    load_spec,
    match_operation,
    schema_for,
    validate_component,
)

NEW = "2026-08-21"


def _gen_contract() -> ModuleType:
    path = spec.REPO_ROOT / "tools" / "gen_contract.py"
    loaded = importlib.util.spec_from_file_location("gen_contract", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


gen_contract = _gen_contract()


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


# --------------------------------------------------------------------------- the contract files


def test_contracts_are_committed_beside_the_tests() -> None:
    assert DEFAULT_SPEC == "2025-03-11"
    for version in SPECS:
        path = spec.spec_path(version)
        assert path == spec.REPO_ROOT / "tests" / "contract" / "data" / f"openai-{version}.json"
        assert path.is_file() and spec.operations_path(version) == path
    assert spec.spec_path() == spec.spec_path(DEFAULT_SPEC)
    with pytest.raises(ValueError, match="unknown OpenAI spec '2024-01-01'"):
        spec.spec_path("2024-01-01")


def test_requires_spec_is_gone() -> None:
    assert not hasattr(spec, "requires_spec")  # the contract is committed: nothing to skip for


def test_operation_counts() -> None:
    assert len(load_operations()) == 122
    assert len(load_operations(NEW)) == 288
    for version in SPECS:
        ops = load_operations(version)
        assert len({op.operation_id for op in ops}) == len(ops)
        paths = load_spec(version)["paths"]
        in_paths = [op for item in paths.values() for method, op in item.items() if method in gen_contract.HTTP_METHODS]
        assert len(in_paths) == (len(ops) if version == NEW else 122), version  # 2025-03-11's paths hold 122 too


def test_every_operation_has_a_group_and_a_short_name() -> None:
    for version in SPECS:
        for op in load_operations(version):
            assert op.group and op.method in {"GET", "POST", "DELETE"}, op
            assert gen_contract._is_short_name(op.name) or op.name == op.operation_id, op


def _annotations(node: Any, where: str = "#") -> Iterator[str]:
    """Pointers to prose keywords, skipping the maps whose keys are names (properties, schemas…)."""
    names = {"properties", "patternProperties", "$defs", "schemas", "paths", "responses", "content", "headers"}
    prose = {"description", "summary", "title", "example", "examples", "externalDocs"}
    if isinstance(node, dict):
        for key, value in node.items():
            kept = (where, key) in {("#", "x-operations"), ("#/info", "title")}  # schemathesis needs info.title
            if (key in prose or key.startswith("x-")) and not kept:
                yield f"{where}/{key}"
            if key in names and isinstance(value, dict):
                for name, sub in value.items():
                    yield from _annotations(sub, f"{where}/{key}/{name}")
            elif key not in {"enum", "const", "default", "required", "x-operations"}:
                yield from _annotations(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _annotations(value, f"{where}/{i}")


@pytest.mark.parametrize("version", SPECS)
def test_committed_contract_is_prose_free_but_keeps_properties_named_like_annotations(version: str) -> None:
    doc = load_spec(version)
    assert not list(_annotations(doc))[:5]
    assert set(doc) == {"openapi", "info", "servers", "paths", "components", "security", "x-operations"}
    assert doc["info"] == {"title": "OpenAI API", "version": doc["info"]["version"]}  # schemathesis needs both
    # The Assistant object has a property called `description`: it is data, not an annotation.
    assert "description" in doc["components"]["schemas"]["AssistantObject"]["properties"]
    assert "description" in doc["components"]["schemas"]["AssistantObject"]["required"]


def test_generator_strips_prose_but_keeps_property_names() -> None:
    raw = {
        "openapi": "3.0.0",
        "info": {"title": "OpenAI API", "version": "2.3.0", "description": "Long text", "contact": {"name": "x"}},
        "servers": [{"url": "https://api.openai.com/v1", "description": "prod"}],
        "tags": [{"name": "Assistants", "description": "Build assistants"}],
        "x-oaiMeta": {"navigationGroups": []},
        "paths": {
            "/assistants": {
                "get": {
                    "operationId": "listAssistants",
                    "tags": ["Assistants"],
                    "summary": "Returns a list of assistants.",
                    "parameters": [
                        {"name": "limit", "in": "query", "description": "A limit", "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}},
                        }
                    },
                    "x-oaiMeta": {"name": "List assistants", "examples": {"request": {"curl": "curl ..."}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Assistant": {
                    "type": "object",
                    "title": "Assistant",
                    "description": "Represents an assistant",
                    "example": {"id": "asst_1"},
                    "x-stainless-const": True,
                    "required": ["id", "description"],
                    "properties": {
                        "id": {"type": "string", "description": "The identifier", "example": "asst_abc"},
                        "description": {"type": "string", "nullable": True, "description": "What it is for"},
                        "title": {"$ref": "#/components/schemas/Title", "description": "sibling prose"},
                        "example": {"anyOf": [{"type": "string", "title": "Text"}, {"type": "null"}]},
                    },
                    "default": {"description": "a default value is data"},
                },
                "Title": {"type": "string", "enum": ["description", "title"], "maxLength": 64},
            },
            "securitySchemes": {"ApiKeyAuth": {"type": "http", "scheme": "bearer", "description": "key"}},
        },
    }
    doc = gen_contract.structure(raw)
    assert doc["info"] == {"title": "OpenAI API", "version": "2.3.0"}
    assert doc["servers"] == [{"url": "https://api.openai.com/v1"}]
    assert "tags" not in doc and "x-oaiMeta" not in doc
    assert doc["paths"]["/assistants"]["get"] == {
        "operationId": "listAssistants",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}}}},
    }
    assert doc["components"]["schemas"]["Assistant"] == {
        "type": "object",
        "required": ["id", "description"],
        "properties": {
            "id": {"type": "string"},
            "description": {"type": "string", "nullable": True},
            "title": {"$ref": "#/components/schemas/Title"},
            "example": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "default": {"description": "a default value is data"},
    }
    assert doc["components"]["schemas"]["Title"] == raw["components"]["schemas"]["Title"]
    assert doc["components"]["securitySchemes"] == {"ApiKeyAuth": {"type": "http", "scheme": "bearer"}}
    assert gen_contract.render(doc) == gen_contract.render(json.loads(gen_contract.render(doc)))


def test_generator_refuses_what_it_does_not_know() -> None:
    with pytest.raises(gen_contract.ContractError, match=r"#/components/schemas/A/properties/b/frobnicate"):
        gen_contract.schema({"properties": {"b": {"type": "string", "frobnicate": 1}}}, "#/components/schemas/A")
    with pytest.raises(gen_contract.ContractError, match="unknown key 'callbacks'"):
        gen_contract._operation({"operationId": "x", "responses": {}, "callbacks": {}}, "#/paths/~1x/get")
    assert not gen_contract._is_short_name("Creates a model response. Provide [text](/docs) inputs")
    assert gen_contract._is_short_name("Delete a fine-tuned model")


def test_check_mode_without_specs_says_it_skipped(monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_SPEC_DIR", str(tmp_path / "absent"))
    assert gen_contract.main(["--check"]) == 0
    assert "skipped the drift check" in capsys.readouterr().out
    assert gen_contract.main([]) == 1  # generating needs the specs


# --------------------------------------------------------------------------- both specs validate


@pytest.mark.parametrize("version", SPECS)
def test_both_contracts_accept_a_good_model_and_reject_one_without_id(version: str) -> None:
    model = _model("gpt-4o")
    assert_conforms("GET", "/v1/models/gpt-4o", 200, model, spec=version)
    assert_conforms("GET", "/v1/models", 200, _model_list(model), spec=version)
    validate_component("Model", model, spec=version)
    missing_id = {k: v for k, v in model.items() if k != "id"}
    with pytest.raises(AssertionError, match=rf"(?s)retrieveModel .*spec {version} .*\$: 'id' is a required property"):
        assert_conforms("GET", "/v1/models/gpt-4o", 200, missing_id, spec=version)
    with pytest.raises(AssertionError, match=r"data\[0\]: 'id' is a required property"):
        assert_conforms("GET", "/v1/models", 200, _model_list(missing_id), spec=version)
    with pytest.raises(AssertionError, match="'id' is a required property"):
        validate_component("Model", missing_id, spec=version)


@pytest.mark.parametrize("version", SPECS)
def test_every_spec_template_routes_back_to_its_operation(version: str) -> None:
    # Fill each {param} with an id-like value; both /v1-prefixed and bare paths must resolve.
    for op in load_operations(version):
        concrete = re.sub(r"\{[^}]+\}", "abc_123", op.path)
        assert match_operation(op.method, concrete, spec=version) == op.operation_id, concrete
        assert match_operation(op.method.lower(), "/v1" + concrete, spec=version) == op.operation_id, concrete


def test_new_spec_beta_twins_route_by_query() -> None:
    assert match_operation("POST", "/v1/responses/compact", spec=NEW) == "Compactconversation"
    assert match_operation("POST", "/v1/responses/compact?beta=true", spec=NEW) == "beta_Compactconversation"
    assert match_operation("GET", "/v1/responses/resp_1?beta=true&x=1", spec=NEW) == "beta_getResponse"
    assert match_operation("GET", "/v1/responses/resp_1?beta=false", spec=NEW) == "getResponse"


def test_new_spec_nullable_and_null_branches() -> None:
    # 2026-08-21 says OpenAPI 3.1 but keeps 3.0's `nullable: true` (here beside an enum) ...
    validate_component("CreateChatCompletionStreamResponse", _chunk(None), spec=NEW)
    with pytest.raises(AssertionError, match=r"choices\[0\]\.finish_reason: 'done' is not one of"):
        validate_component("CreateChatCompletionStreamResponse", _chunk("done"), spec=NEW)
    # ... and also writes 3.1's `anyOf: [..., {type: "null"}]`.
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
    }
    validate_component("AssistantObject", assistant, spec=NEW)
    with pytest.raises(AssertionError, match="description"):
        validate_component("AssistantObject", {**assistant, "description": 5}, spec=NEW)


def test_new_spec_boolean_exclusive_minimum_is_read_as_openapi_30() -> None:
    # {type: number, minimum: 0, exclusiveMinimum: true}: 2020-12 alone would read `true` as a bound of 1.
    hyper = "FineTuneSupervisedHyperparameters"
    validate_component(hyper, {"learning_rate_multiplier": 0.5}, spec=NEW)
    validate_component(hyper, {"learning_rate_multiplier": "auto"}, spec=NEW)
    with pytest.raises(AssertionError, match="learning_rate_multiplier"):
        validate_component(hyper, {"learning_rate_multiplier": 0}, spec=NEW)


def test_new_spec_recursive_compound_filter_and_response_refs() -> None:
    comparison = {"type": "eq", "key": "author", "value": "ann"}
    validate_component(
        "CompoundFilter", {"type": "or", "filters": [{"type": "and", "filters": [comparison]}]}, spec=NEW
    )
    with pytest.raises(AssertionError, match=r"filters\[0\]"):
        validate_component("CompoundFilter", {"type": "and", "filters": [5]}, spec=NEW)
    # 429 is `$ref: #/components/responses/TooManyRequests` in 2026-08-21.
    error = {"error": {"type": "rate_limit_exceeded", "message": "slow down", "param": None, "code": None}}
    assert_conforms("GET", "/v1/assistants", 429, error, spec=NEW)
    with pytest.raises(AssertionError, match=r"(?s)listAssistants .*-> 429.*'error' is a required property"):
        assert_conforms("GET", "/v1/assistants", 429, {"message": "slow down"}, spec=NEW)
    assert_conforms("POST", "/v1/audio/speech", 200, b"ID3...", content_type="application/octet-stream", spec=NEW)


# --------------------------------------------------------------------------- operations table vs spec (2025-03-11)


def test_response_key_falls_back_to_range_then_default() -> None:
    assert spec._response_key({"200": {}, "default": {}}, 200) == "200"
    assert spec._response_key({"2XX": {}, "default": {}}, 201) == "2XX"
    assert spec._response_key({"200": {}, "default": {}}, 500) == "default"
    assert spec._response_key({"200": {}}, 404) is None


def test_load_operations_returns_all_122() -> None:
    ops = load_operations()
    assert len(ops) == 122
    assert len({op.operation_id for op in ops}) == 122
    first = ops[0]
    assert (first.group, first.method, first.path, first.operation_id, first.name) == (
        "Assistants",
        "GET",
        "/assistants",
        "listAssistants",
        "List assistants",
    )


def test_every_listed_operation_is_in_the_spec_with_same_method_and_path() -> None:
    for version in SPECS:
        paths = load_spec(version)["paths"]
        missing = [
            f"{op.method} {op.path} ({op.operation_id})"
            for op in load_operations(version)
            if paths.get(op.path, {}).get(op.method.lower(), {}).get("operationId") != op.operation_id
        ]
        assert not missing, (version, missing)


# --------------------------------------------------------------------------- path matching


def test_model_ids_with_colons_match_retrieve_model() -> None:
    assert match_operation("GET", "/v1/models/ft:gpt-4o-mini:org:x:abc") == "retrieveModel"
    assert match_operation("DELETE", "/models/ft:gpt-4o-mini:org:x:abc") == "deleteModel"


def test_literal_segment_beats_template() -> None:
    assert match_operation("POST", "/threads/runs") == "createThreadAndRun"
    assert match_operation("POST", "/v1/threads/thread_abc") == "modifyThread"


def test_query_string_is_ignored() -> None:
    assert match_operation("GET", "/v1/models?limit=2") == "listModels"


def test_unknown_path_or_method_is_reported() -> None:
    with pytest.raises(AssertionError, match="no path in the OpenAI spec 2026-08-21 matches"):
        match_operation("GET", "/v1/no-such-thing")
    with pytest.raises(AssertionError, match=r"no PUT .*allowed: DELETE, GET"):
        match_operation("PUT", "/v1/models/gpt-4o")


# --------------------------------------------------------------------------- validation


def test_correct_list_models_body_passes() -> None:
    assert_conforms("GET", "/v1/models", 200, _model_list(_model("gpt-4o"), _model("ft:gpt-4o-mini:org:x:abc")))
    assert_conforms("GET", "/v1/models/ft:gpt-4o-mini:org:x:abc", 200, _model("ft:gpt-4o-mini:org:x:abc"))


def test_null_owned_by_fails_naming_the_field_and_operation() -> None:
    body = _model_list(_model("a"), _model("b"), _model("c"), _model("d", owned_by=None))
    with pytest.raises(AssertionError) as exc:
        assert_conforms("GET", "/v1/models", 200, body)
    message = str(exc.value)
    assert "listModels" in message
    assert "data[3].owned_by: None is not of type 'string'" in message
    assert "None for not nullable" not in message  # no duplicate noise from the stock OAS30 `type`


def test_missing_object_fails_naming_the_field() -> None:
    with pytest.raises(AssertionError, match=r"\$: 'object' is a required property"):
        assert_conforms("GET", "/models", 200, {"data": []})


def test_every_error_is_listed() -> None:
    body = {"object": "lists", "data": [{"id": 1, "object": "model", "created": "yesterday", "owned_by": "me"}]}
    with pytest.raises(AssertionError) as exc:
        assert_conforms("GET", "/models", 200, body)
    message = str(exc.value)
    assert "(3 errors)" in message
    for expected in ("object: 'lists' is not one of ['list']", "data[0].id: 1 is not of type", "data[0].created:"):
        assert expected in message


def test_undocumented_status_or_content_type_is_an_error() -> None:
    with pytest.raises(AssertionError, match="documents no 500 response"):
        assert_conforms("GET", "/models", 500, {})
    with pytest.raises(AssertionError, match="no 'text/event-stream' body"):
        assert_conforms("GET", "/models", 200, {}, content_type="text/event-stream")


def test_content_type_selects_the_schema() -> None:
    # Chat completions declare JSON and SSE bodies; the SSE schema is the chunk object.
    assert_conforms("POST", "/v1/chat/completions", 200, _chunk(None), content_type="text/event-stream; charset=utf-8")
    with pytest.raises(AssertionError, match="createChatCompletion"):
        assert_conforms("POST", "/v1/chat/completions", 200, _chunk(None))
    assert_conforms("POST", "/v1/audio/speech", 200, b"ID3...", content_type="application/octet-stream")


def test_error_status_uses_its_own_schema() -> None:
    error = {"type": "invalid_request_error", "message": "No such response", "param": None, "code": None}
    assert_conforms("DELETE", "/v1/responses/resp_123", 404, error)
    with pytest.raises(AssertionError, match="'param' is a required property"):
        assert_conforms("DELETE", "/v1/responses/resp_123", 404, {"type": "x", "message": "y", "code": None})


def test_validator_is_built_once_per_operation_and_status() -> None:
    first = spec._response_validator("listModels", 200, "application/json", DEFAULT_SPEC)
    assert first is spec._response_validator("listModels", 200, "application/json", DEFAULT_SPEC)
    assert first is not spec._response_validator("listModels", 200, "application/json", NEW)


# --------------------------------------------------------------------------- components and spec quirks


def test_validate_component_checks_stream_chunks() -> None:
    validate_component("CreateChatCompletionStreamResponse", _chunk("stop"))
    # `nullable: true` next to an enum without null: the first chunks of a stream carry null.
    validate_component("CreateChatCompletionStreamResponse", _chunk(None))
    with pytest.raises(AssertionError, match=r"choices\[0\]\.finish_reason: 'done' is not one of"):
        validate_component("CreateChatCompletionStreamResponse", _chunk("done"))
    with pytest.raises(AssertionError, match="NoSuchSchema"):
        validate_component("NoSuchSchema", {})


@pytest.mark.parametrize("version", SPECS)
def test_unmapped_discriminator_uses_the_matching_branch(version: str) -> None:
    # Stock OAS30Validator would look up #/components/schemas/message and always fail.
    message = {
        "type": "message",
        "id": "msg_1",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
    }
    event = {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0}
    if version == NEW:  # output text carries logprobs, events a sequence_number
        message["content"][0]["logprobs"] = []
        event |= {"sequence_number": 1, "logprobs": []}
    validate_component("OutputItem", message, spec=version)
    validate_component("ResponseStreamEvent", {**event, "delta": "Hi"}, spec=version)
    with pytest.raises(AssertionError, match="closest: delta: 5 is not of type 'string'"):
        validate_component("ResponseStreamEvent", {**event, "delta": 5}, spec=version)


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


def test_recursive_compound_filter_is_checked() -> None:
    # CompoundFilter nests itself with $recursiveRef, which OAS 3.0 validators would ignore.
    comparison = {"type": "eq", "key": "author", "value": "ann"}
    validate_component("CompoundFilter", {"type": "and", "filters": [comparison]})
    validate_component("CompoundFilter", {"type": "or", "filters": [{"type": "and", "filters": [comparison]}]})
    with pytest.raises(AssertionError, match=r"filters\[0\]"):
        validate_component("CompoundFilter", {"type": "and", "filters": [5]})


def test_schema_for_follows_the_top_level_ref() -> None:
    model = schema_for("retrieveModel")
    assert set(model["required"]) == {"id", "object", "created", "owned_by"}
    assert set(schema_for("retrieveModel", spec=NEW)["required"]) == {"id", "object", "created", "owned_by"}
    assert schema_for("createChatCompletion", content_type="text/event-stream")["properties"]["object"]["enum"] == [
        "chat.completion.chunk"
    ]
    with pytest.raises(AssertionError, match="no response body"):
        schema_for("deleteResponse")
