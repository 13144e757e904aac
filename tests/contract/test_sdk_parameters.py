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
from collections.abc import Iterator
from functools import cache
from typing import Any

import openai
import pytest
from pydantic import BaseModel

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
