"""Every body parameter the installed official SDK sends is one the mock takes.

The spec is the contract for shapes, but users run the newest SDK, and it sends parameters the 2026-08-21 spec does
not have yet (GIF and SVG images, a response's `background_options`, a project's `geography`, …). The mock's request
models refuse what they do not declare (`extra="forbid"`, OpenAI's 400 "Unrecognized request argument supplied"),
so a parameter the SDK gained and a model lacks is a call that works against OpenAI and fails against the mock.

The SDK is read, not run: each operation's method (tools/gen_sdk_coverage.py finds them) builds its body as
`maybe_transform({"name": name, …}, Params)`; those names are held to the route's body models (the ones
tests/contract/test_request_properties.py finds: `json_body(request, Model)` and `Annotated[Model, Form()]`)."""

from __future__ import annotations

import ast
import inspect
import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

import openai
import pytest
from pydantic import BaseModel
from typing_extensions import is_typeddict

from tests.contract.test_request_properties import _body_models
from tests.infra.test_template import TEMPLATE
from tools import gen_sdk_coverage


def _dict_keys(node: ast.expr) -> set[str]:
    """The keys of `{…}`, `maybe_transform({…}, Params)` or `deepcopy_minimal({…})`."""
    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    if not isinstance(node, ast.Dict):
        return set()
    return {key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}


def _body_values(function: ast.FunctionDef) -> Iterator[ast.expr]:
    """What a method passes as `body=`, and what it assigns to a `body` it passes later (multipart uploads:
    `body = deepcopy_with_paths({…}, …)`)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            yield from (keyword.value for keyword in node.keywords if keyword.arg == "body")
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "body" for target in node.targets):
            yield node.value


@cache
def _module_tree(module_name: str) -> ast.Module:
    return ast.parse(inspect.getsource(__import__(module_name, fromlist=["_"])))


def _uploads(function: ast.FunctionDef) -> set[str]:
    """The parameters a multipart method sends as files (`extract_files(…, paths=[["file"], ["image", "<array>"]])`):
    routes take those as uploads, beside their form model."""
    return {
        str(path.elts[0].value)
        for call in ast.walk(function)
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "extract_files"
        for keyword in call.keywords
        if keyword.arg == "paths" and isinstance(keyword.value, ast.List)
        for path in keyword.value.elts
        if isinstance(path, ast.List) and isinstance(path.elts[0], ast.Constant)
    }


def body_parameters(resource: type, method_name: str) -> set[str]:
    """The names the SDK's `resource.method_name(…)` puts in its request body, files aside (overloads' stubs
    skipped: the implementation is the definition that makes the request)."""
    for cls in resource.__mro__:
        if not cls.__module__.startswith("openai.resources"):
            continue
        for node in ast.walk(_module_tree(cls.__module__)):
            if not (isinstance(node, ast.ClassDef) and node.name == cls.__name__):
                continue
            for function in node.body:
                if not (isinstance(function, ast.FunctionDef) and function.name == method_name):
                    continue
                found = {name for value in _body_values(function) for name in _dict_keys(value)} - _uploads(function)
                if found:
                    return found
    return set()


def _resource(client: openai.OpenAI, accessor: str) -> Any:
    holder: Any = client
    for part in accessor.split(".")[:-1]:
        holder = getattr(holder, part)
    return holder


def _routes() -> dict[tuple[str, str], Any]:
    routes = {}
    for function in TEMPLATE.functions:
        for route in function.load_app().router.routes:
            for method in getattr(route, "methods", ()) or ():
                routes[(method, gen_sdk_coverage._unnamed(route.path))] = route
    return routes


def _cases() -> Iterator[Any]:
    client = openai.OpenAI(api_key="sk-params", base_url="http://localhost:1/v1", admin_api_key="sk-admin-params")
    routes = _routes()
    for operation in gen_sdk_coverage.sdk_operations()[1]:
        sent = body_parameters(type(_resource(client, operation.accessor)), operation.accessor.rsplit(".", 1)[1])
        route = routes.get((operation.method, operation.path))
        if not sent or route is None:  # no body, or not served (test_gen_sdk_coverage holds the routes)
            continue
        models = [model for _, model in _body_models(route.endpoint)]
        refusing = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
        if refusing and all(model.model_config.get("extra") == "forbid" for model in refusing):
            yield pytest.param(refusing, sent, id=f"client.{operation.accessor}")


@pytest.mark.parametrize(("models", "sent"), list(_cases()))
def test_the_route_takes_every_body_parameter_the_sdk_sends(models: list[type[BaseModel]], sent: set[str]) -> None:
    taken = {
        name
        for model in models
        for field_name, field in model.model_fields.items()
        for name in (field_name, field.alias)
        if name
    }
    assert sent <= taken, f"the SDK sends {sorted(sent - taken)}; {[m.__name__ for m in models]} refuse them"


def test_the_sdk_operations_with_a_body_are_found() -> None:
    """The reading above finds the bodies it should (a case list that came out empty would pass silently)."""
    cases = {case.id: case.values[1] for case in _cases()}
    assert {"model", "messages", "tools", "stream"} <= cases["client.chat.completions.create"]
    assert {"prompt", "output_format", "partial_images"} <= cases["client.images.generate"]
    assert {"prompt", "input_fidelity"} <= cases["client.images.edit"]  # a multipart body, built before the call
    assert "image" not in cases["client.images.edit"]  # a file: an upload beside the form
    assert len(cases) > 100


# --------------------------------------------------------------------------------------------- nested objects


def _single(annotation: Any) -> Any:
    """The one type an annotation stands for, past `Optional`, `Omit` and `Annotated`; None for a real union
    (the SDK's unions of shapes are matched by the models' own unions, not followed here)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _single(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [
            member
            for member in typing.get_args(annotation)
            if member is not type(None) and getattr(member, "__name__", "") not in ("Omit", "NotGiven")
        ]
        return _single(members[0]) if len(members) == 1 else None
    return annotation


def _refusing(annotation: Any) -> type[BaseModel] | None:
    model = _single(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel) and model.model_config.get("extra") == "forbid":
        return model
    return None


def _nested_gaps(sdk_type: Any, model: type[BaseModel], where: str) -> Iterator[str]:
    """The keys of an SDK TypedDict (and of the TypedDicts inside it) that the mock's matching model refuses."""
    shape = _single(sdk_type)
    if not is_typeddict(shape):
        return
    keys = typing.get_type_hints(shape, include_extras=True)
    taken = {name for field_name, field in model.model_fields.items() for name in (field_name, field.alias) if name}
    yield from (f"{where}.{key}" for key in sorted(set(keys) - taken))
    for key, annotation in keys.items():
        inner = _refusing(model.model_fields[key].annotation) if key in model.model_fields else None
        if inner is not None:
            yield from _nested_gaps(annotation, inner, f"{where}.{key}")


def _nested_cases() -> Iterator[tuple[str, list[str]]]:
    client = openai.OpenAI(api_key="sk-params", base_url="http://localhost:1/v1", admin_api_key="sk-admin-params")
    routes = _routes()
    for operation in gen_sdk_coverage.sdk_operations()[1]:
        route = routes.get((operation.method, operation.path))
        if route is None:
            continue
        method = getattr(_resource(client, operation.accessor), operation.accessor.rsplit(".", 1)[1])
        parameters = typing.get_type_hints(method, include_extras=True)
        gaps = [
            gap
            for _, model in _body_models(route.endpoint)
            if isinstance(model, type) and issubclass(model, BaseModel)
            for name, annotation in parameters.items()
            if name in model.model_fields and (inner := _refusing(model.model_fields[name].annotation)) is not None
            for gap in _nested_gaps(annotation, inner, name)
        ]
        yield f"client.{operation.accessor}", gaps


def test_nested_objects_take_every_key_the_sdk_sends() -> None:
    """A body parameter that is an object (`prompt_cache_options`, `reasoning`, …): every key its SDK TypedDict
    has, at every depth, is one the mock's model for it takes, where that model refuses unknown keys."""
    cases = dict(_nested_cases())
    assert len(cases) > 100  # the operations were read (an empty reading would pass)
    refused = {operation: gaps for operation, gaps in cases.items() if gaps}
    assert refused == {}, f"nested keys the SDK sends and the mock refuses: {refused}"


def test_the_nested_reading_finds_a_key_a_model_lacks() -> None:
    from openai.types.chat import completion_create_params
    from pydantic import ConfigDict

    class ModeOnly(BaseModel):
        model_config = ConfigDict(extra="forbid")
        mode: str | None = None

    found = list(_nested_gaps(completion_create_params.PromptCacheOptions, ModeOnly, "prompt_cache_options"))
    assert found == ["prompt_cache_options.ttl"]
