"""Booleans are not numbers (issue #23, class 2): `max_tokens: true` is OpenAI's 400 invalid_type ("Invalid type for
'max_tokens': expected an integer, but got a boolean instead."), not a 1-token completion; `top_p: false` is not
0.0. Every number of every JSON request model is declared with `openai_mock.fields.Integer` / `Decimal`; the first
test finds any that is not, the others check the answers."""

from __future__ import annotations

import ast
import importlib.util
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter

REPO = Path(__file__).resolve().parents[2]
USER = {"Authorization": "Bearer sk-strict-numbers", "OpenAI-Beta": "assistants=v2"}


def _json_body_models() -> Iterator[type[BaseModel]]:
    """The model of every `json_body(request, Model)` / `optional_json_body(...)` call in the functions."""
    for app in sorted((REPO / "functions").glob("*/app.py")):
        spec = importlib.util.spec_from_file_location(f"_strict_numbers_{app.parent.name}", app)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for node in ast.walk(ast.parse(app.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("json_body", "optional_json_body")
                and len(node.args) == 2
            ):
                found = eval(ast.unparse(node.args[1]), vars(module))
                if isinstance(found, type) and issubclass(found, BaseModel):
                    yield found


def _lax_numbers(annotation: Any, where: str, seen: set[int]) -> Iterator[str]:
    """Where a bare `int` / `float` (pydantic's lax number, which takes booleans) hides in an annotation."""
    if annotation in (int, float):
        yield where
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if id(annotation) in seen:
            return
        seen.add(id(annotation))
        for name, field in annotation.model_fields.items():
            # pydantic keeps a top-level Annotated's metadata (Strict…) on the field, not in its annotation
            hint = typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            yield from _lax_numbers(hint, f"{annotation.__name__}.{name}", seen)
        return
    if typing.is_typeddict(annotation):
        for name, hint in typing.get_type_hints(annotation, include_extras=True).items():
            yield from _lax_numbers(hint, f"{where}.{name}", seen)
        return
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        if base in (int, float) and any(getattr(extra, "strict", False) for extra in extras):
            return
        for extra in extras:  # a shape given through GetPydanticSchema
            shape = getattr(extra, "shape", None)
            if shape is not None:
                yield from _lax_numbers(shape, where, seen)
        yield from _lax_numbers(base, where, seen)
        return
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (typing.Union, list, dict):
        for arg in typing.get_args(annotation):
            yield from _lax_numbers(arg, where, seen)


def test_every_number_of_every_json_request_model_is_strict() -> None:
    # The API groups' request models (resources/); the mock's own controls (/__mock) are not OpenAI's API.
    models = {model for model in _json_body_models() if model.__module__.startswith("openai_mock.resources")}
    assert len(models) >= 25
    seen: set[int] = set()
    lax = sorted({where for model in models for where in _lax_numbers(model, model.__name__, seen)})
    assert lax == [], "declare these with openai_mock.fields.Integer / Decimal:\n" + "\n".join(lax)


# (path, a valid body, the numbers in it): each number in turn is sent as a boolean.
CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "/v1/chat/completions",
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        [
            "max_tokens",
            "max_completion_tokens",
            "n",
            "seed",
            "temperature",
            "top_p",
            "frequency_penalty",
            "presence_penalty",
            "top_logprobs",
        ],
    ),
    (
        "/v1/completions",
        {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"},
        [
            "max_tokens",
            "n",
            "best_of",
            "logprobs",
            "seed",
            "temperature",
            "top_p",
            "frequency_penalty",
            "presence_penalty",
        ],
    ),
    ("/v1/responses", {"model": "gpt-4o-mini", "input": "hi"}, ["max_output_tokens", "temperature", "top_p"]),
    ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hi"}, ["dimensions"]),
    ("/v1/images/generations", {"model": "gpt-image-1", "prompt": "a cat"}, ["n", "output_compression"]),
    ("/v1/audio/speech", {"model": "tts-1", "input": "hi", "voice": "alloy"}, ["speed"]),
    ("/v1/assistants", {"model": "gpt-4o-mini"}, ["temperature", "top_p"]),
    ("/v1/realtime/sessions", {"model": "gpt-4o-realtime-preview"}, ["temperature", "speed"]),
]
EXPECTED = {
    "temperature": "a decimal",
    "top_p": "a decimal",
    "frequency_penalty": "a decimal",
    "presence_penalty": "a decimal",
    "speed": "a decimal",
}


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data(), flag=st.booleans())
def test_a_boolean_number_is_the_real_apis_invalid_type(mock_app: TemplateRouter, data: Any, flag: bool) -> None:
    raw = TestClient(mock_app, raise_server_exceptions=False)
    path, body, numbers = data.draw(st.sampled_from(CASES))
    name = data.draw(st.sampled_from(numbers))
    response = raw.post(path, headers=USER, json={**body, name: flag})
    assert response.status_code == 400, response.text
    expected = EXPECTED.get(name, "an integer")
    assert response.json()["error"] == {
        "message": f"Invalid type for '{name}': expected {expected}, but got a boolean instead.",
        "type": "invalid_request_error",
        "param": name,
        "code": "invalid_type",
    }


def test_max_tokens_true_is_not_a_one_token_completion(mock_app: TemplateRouter) -> None:
    raw = TestClient(mock_app, raise_server_exceptions=False)
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "hi", "max_tokens": True}
    error = raw.post("/v1/completions", headers=USER, json=body).json()["error"]
    assert error["message"] == "Invalid type for 'max_tokens': expected an integer, but got a boolean instead."


@pytest.mark.parametrize(
    ("value", "status"),
    [(1, 200), (0.5, 200), ("0.5", 400), (None, 200), ([1], 400)],
)
def test_a_decimal_accepts_integers_and_decimals_only(mock_app: TemplateRouter, value: Any, status: int) -> None:
    raw = TestClient(mock_app, raise_server_exceptions=False)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "top_p": value, "store": True}
    response = raw.post("/v1/chat/completions", headers=USER, json=body)
    assert response.status_code == status, response.text
