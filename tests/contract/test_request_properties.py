"""Every property today's spec lets a request body carry is one the mock takes. Its request models refuse what
they do not declare (`extra="forbid"`: OpenAI's 400 "Unrecognized request argument supplied"), so a property the
spec added and a model lacks is a request the real API answers and the mock refuses — as image streams, Responses'
`top_logprobs` and a dozen more were until this test. Each function's JSON body models (`json_body(request, Model)`)
are held to the spec's `application/json` schema of their operation, its form models (`Annotated[Model, Form()]`) to
the `multipart/form-data` one (files aside: they arrive as uploads)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from openai_mock.local.template import Template
from tests.infra.test_template import TEMPLATE
from tests.support.spec import load_spec

SPEC = load_spec("2026-08-21")
SCHEMAS = SPEC["components"]["schemas"]


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A request schema's properties, through `allOf` / `anyOf` / `oneOf`."""
    schema = _resolved(schema)
    found = {name: _resolved(value) for name, value in schema.get("properties", {}).items()}
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found.update(_properties(part))
    return found


def _is_file(schema: dict[str, Any]) -> bool:
    items = _resolved(schema.get("items", {}))
    return schema.get("format") == "binary" or items.get("format") == "binary"


def _reads_a_form(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "read"
        and len(node.args) == 1
        and "read_form(" in ast.unparse(node.args[0])
    )


def _body_models(endpoint: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """("json" | "form", model) for each body model a route's function reads: `json_body(request, Model)`,
    `Annotated[Model, Form()]` parameters and `Model.read(await read_form(request))`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(endpoint)))
    names = endpoint.__globals__
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "json_body" and len(node.args) == 2:
            yield "json", eval(ast.unparse(node.args[1]), names)
        if _reads_a_form(node):  # `Model.read(await read_form(request))`: a form model the route builds itself
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            yield "form", eval(ast.unparse(node.func.value), names)
        if isinstance(node, ast.arg) and node.annotation is not None and "Form()" in ast.unparse(node.annotation):
            subscript = node.annotation
            assert isinstance(subscript, ast.Subscript) and isinstance(subscript.slice, ast.Tuple)
            yield "form", eval(ast.unparse(subscript.slice.elts[0]), names)


def _cases(template: Template) -> Iterator[Any]:
    operations = SPEC["paths"]
    for function in template.functions:
        for route in function.load_app().router.routes:
            path = getattr(route, "path", "").removeprefix("/v1")
            for method in getattr(route, "methods", ()) or ():
                operation = operations.get(path, {}).get(method.lower())
                if not operation or "requestBody" not in operation:
                    continue
                content = operation["requestBody"]["content"]
                for kind, model in _body_models(route.endpoint):
                    media = "application/json" if kind == "json" else "multipart/form-data"
                    refusing = isinstance(model, type) and issubclass(model, BaseModel)
                    if refusing and media in content and model.model_config.get("extra") == "forbid":
                        yield pytest.param(model, content[media]["schema"], id=f"{method} {path} {model.__name__}")


@pytest.mark.parametrize(("model", "schema"), list(_cases(TEMPLATE)))
def test_the_body_model_takes_every_property_the_spec_allows(model: type[BaseModel], schema: dict[str, Any]) -> None:
    taken = set(model.model_fields) | {field.alias for field in model.model_fields.values() if field.alias}
    allowed = {name for name, value in _properties(schema).items() if not _is_file(value)}
    assert sorted(allowed - taken) == []


def test_the_check_covers_the_groups() -> None:
    assert len(list(_cases(TEMPLATE))) >= 60
