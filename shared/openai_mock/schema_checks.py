"""Checks of the JSON Schemas that requests carry (function parameters, structured-output formats), shared by
Chat Completions, Responses, Assistants and Realtime: `schema_problem` (is it a JSON Schema?),
`strict_schema_problem` (strict mode's rules), and the request-level checks worded as the API words them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from openai_mock.errors import invalid_request

JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")


class UnsatisfiableSchema(ValueError):
    """The schema admits no value (`false`, an empty enum, min > max …)."""


def schema_problem(schema: Any, path: str = "") -> str | None:  # noqa: C901
    """What makes `schema` an invalid JSON Schema, or None (a structural check of the common keywords)."""
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, Mapping):
        return f"{path or 'schema'} must be an object or a boolean, got {json.dumps(schema, default=str)}"
    declared = schema.get("type")
    for kind in declared if isinstance(declared, list) else [declared] if declared is not None else []:
        if kind not in JSON_TYPES:
            return f"{json.dumps(kind, default=str)} is not valid under any of the given schemas"
    for keyword in ("properties", "$defs", "definitions", "patternProperties"):
        if keyword in schema:
            if not isinstance(schema[keyword], Mapping):
                return f"{json.dumps(schema[keyword], default=str)} is not of type 'object'"
            for key, sub in schema[keyword].items():
                if (problem := schema_problem(sub, f"{path}/{keyword}/{key}")) is not None:
                    return problem
    if "required" in schema and not (
        isinstance(schema["required"], list) and all(isinstance(key, str) for key in schema["required"])
    ):
        return f"{json.dumps(schema['required'], default=str)} is not of type 'array'"
    for keyword in ("anyOf", "oneOf", "allOf", "prefixItems"):
        if keyword in schema:
            if not isinstance(schema[keyword], list) or not schema[keyword]:
                return f"{json.dumps(schema[keyword], default=str)} is not of type 'array'"
            for index, sub in enumerate(schema[keyword]):
                if (problem := schema_problem(sub, f"{path}/{keyword}/{index}")) is not None:
                    return problem
    for keyword in ("items", "additionalProperties", "not", "contains"):
        if keyword not in schema or isinstance(schema[keyword], list):
            continue
        if (problem := schema_problem(schema[keyword], f"{path}/{keyword}")) is not None:
            return problem
    if "enum" in schema and not isinstance(schema["enum"], list):
        return f"{json.dumps(schema['enum'], default=str)} is not of type 'array'"
    if "pattern" in schema:
        try:
            re.compile(str(schema["pattern"]))
        except re.error:
            return f"{json.dumps(schema['pattern'])} is not a 'regex'"
    return None


def _resolves(root: Any, ref: str) -> bool:
    """Does the local reference `#/a/b` point at something inside `root` (JSON Pointer, ~0/~1 escapes)?"""
    if ref == "#":
        return True
    if not ref.startswith("#/"):
        return False  # remote references are not followed by the API
    node = root
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def unresolved_reference(schema: Any, root: Any = None) -> str | None:
    """The first `$ref` of `schema` that points at nothing, worded as the API reports it, or None."""
    root = schema if root is None else root
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str) and not _resolves(root, ref):
            return f"reference to component '{ref}' which was not found in the schema."
        children: Any = schema.values()
    elif isinstance(schema, list):
        children = schema
    else:
        return None
    return next((found for child in children if (found := unresolved_reference(child, root))), None)


def strict_schema_problem(schema: Any, root: Any = None, context: tuple[str, ...] = ()) -> str | None:
    """Structured outputs' strict-mode rules: every object sets `additionalProperties: false` and
    lists every property in `required`. Worded the way the API reports them."""
    root = schema if root is None else root
    if not isinstance(schema, Mapping):
        return None
    where = f"In context={context!r}, "
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties", True) is not False:
            return where + "'additionalProperties' is required to be supplied and to be false."
        properties = schema.get("properties") or {}
        missing = [key for key in properties if key not in (schema.get("required") or [])]
        if missing:
            return (
                where + "'required' is required to be supplied and to be an array including every key in "
                f"properties. Missing '{missing[0]}'."
            )
        for key, sub in properties.items():
            if (problem := strict_schema_problem(sub, root, (*context, "properties", key))) is not None:
                return problem
    if "items" in schema and (problem := strict_schema_problem(schema["items"], root, (*context, "items"))):
        return problem
    for keyword in ("anyOf", "allOf", "oneOf"):
        for index, sub in enumerate(schema.get(keyword) or []):
            if (problem := strict_schema_problem(sub, root, (*context, keyword, str(index)))) is not None:
                return problem
    for keyword in ("$defs", "definitions"):
        for key, sub in (schema.get(keyword) or {}).items():
            if (problem := strict_schema_problem(sub, root, (*context, keyword, key))) is not None:
                return problem
    return None


FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def check_function(function: Any, param: str) -> None:
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise invalid_request(
            f"Missing required parameter: '{param}.name'.", f"{param}.name", "missing_required_parameter"
        )
    name = function["name"]
    if not FUNCTION_NAME.match(name):
        raise invalid_request(
            f"Invalid '{param}.name': string does not match pattern. Expected a string that matches the pattern "
            "'^[a-zA-Z0-9_-]+$'.",
            f"{param}.name",
            "invalid_value",
        )
    parameters = function.get("parameters")
    if parameters is None:
        return
    problem = schema_problem(parameters) or unresolved_reference(parameters)
    if problem is None and not isinstance(parameters, dict):
        problem = f"{parameters!r} is not of type 'object'"
    if problem is None and function.get("strict"):
        problem = strict_schema_problem(parameters)
    if problem is not None:
        raise invalid_request(
            f"Invalid schema for function '{name}': {problem}", f"{param}.parameters", "invalid_function_parameters"
        )


def check_json_schema_format(spec: Any) -> dict[str, Any]:
    """`response_format.json_schema`: a valid name and a usable (and, when strict, strict-mode) schema.
    Shared with the Assistants API, which takes the same response_format."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise invalid_request(
            "Missing required parameter: 'response_format.json_schema.name'.",
            "response_format.json_schema.name",
            "missing_required_parameter",
        )
    if not FUNCTION_NAME.match(spec["name"]):
        raise invalid_request(
            "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a "
            "string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            "response_format.json_schema.name",
            "invalid_value",
        )
    schema = spec.get("schema")
    problem = None if schema is None else schema_problem(schema) or unresolved_reference(schema)
    if problem is None and schema is not None and spec.get("strict"):
        problem = strict_schema_problem(schema)
    if problem is not None:
        raise invalid_request(
            f"Invalid schema for response_format '{spec['name']}': {problem}", "response_format", "invalid_json_schema"
        )
    return spec
