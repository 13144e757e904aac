"""Test helpers that check mock responses against the official OpenAI OpenAPI spec.

The spec is reference data kept outside the repo (``../shared/openapi``); tests that need it
should be marked with ``requires_spec`` so they skip cleanly when it is absent.

Typical use::

    @requires_spec
    def test_list_models(client):
        r = client.get("/v1/models")
        assert_conforms("GET", "/v1/models", r.status_code, r.json())
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator, ValidationError, validators
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[2]
_DEFAULT_DIR = REPO_ROOT.parent / "shared" / "openapi"
_SPEC_FILE = "openai-2025-03-11.yaml"
_OPERATIONS_FILE = "operations-2025-03-11.tsv"

_SPEC_URI = "urn:openai-mock:openai-spec"  # refs inside the spec resolve against this document
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_MAX_MESSAGE = 300  # anyOf failures repr the whole instance; keep reports readable


# --------------------------------------------------------------------------- locating files


def _spec_candidate() -> Path:
    env = os.environ.get("OPENAI_SPEC_PATH")
    return Path(env).expanduser() if env else _DEFAULT_DIR / _SPEC_FILE


def spec_path() -> Path | None:
    """The official spec: ``$OPENAI_SPEC_PATH`` or ``<repo>/../shared/openapi/<spec>``; None if absent."""
    path = _spec_candidate()
    return path if path.is_file() else None


def operations_path() -> Path | None:
    """The operations table: ``$OPENAI_OPERATIONS_PATH`` or the .tsv beside the spec; None if absent."""
    env = os.environ.get("OPENAI_OPERATIONS_PATH")
    path = Path(env).expanduser() if env else _spec_candidate().parent / _OPERATIONS_FILE
    return path if path.is_file() else None


requires_spec = pytest.mark.skipif(
    spec_path() is None,
    reason=f"official OpenAI spec not found at {_spec_candidate()}; set OPENAI_SPEC_PATH",
)


# --------------------------------------------------------------------------- loading


@cache
def load_spec() -> dict[str, Any]:
    """The parsed spec (cached; ~0.15 s with libyaml vs ~0.9 s with the pure-Python loader)."""
    path = spec_path()
    if path is None:
        raise FileNotFoundError(
            f"official OpenAI spec not found at {_spec_candidate()}; set OPENAI_SPEC_PATH "
            "(mark the test with tests.support.spec.requires_spec)"
        )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~6x faster on this 1.1 MB file
    with path.open("rb") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=loader)
    return spec


@dataclass(frozen=True, slots=True)
class Operation:
    group: str
    method: str  # upper case, as in the tsv
    path: str  # template without the /v1 prefix, e.g. /models/{model}
    operation_id: str
    name: str


@cache
def _operations() -> tuple[Operation, ...]:
    path = operations_path()
    if path is None:
        raise FileNotFoundError("operations table not found; set OPENAI_OPERATIONS_PATH")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple(Operation(r["group"], r["method"].upper(), r["path"], r["operationId"], r["name"]) for r in rows)


def load_operations() -> list[Operation]:
    """Every operation listed in the operations .tsv (cached; a fresh list each call)."""
    return list(_operations())


# --------------------------------------------------------------------------- path matching


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    template: str
    segments: tuple[str, ...]
    operation_id: str


@cache
def _routes() -> tuple[_Route, ...]:
    return tuple(
        _Route(method.upper(), template, _split(template), op["operationId"])
        for template, item in load_spec()["paths"].items()
        for method, op in item.items()
        if method in _HTTP_METHODS
    )


@cache
def _operations_by_id() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path template, operation object)."""
    paths = load_spec()["paths"]
    return {r.operation_id: (r.method, r.template, paths[r.template][r.method.lower()]) for r in _routes()}


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


def _strip_prefix(path: str) -> str:
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/v1" or path.startswith("/v1/"):  # spec paths are relative to the .../v1 server url
        path = path[3:] or "/"
    return path


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _match_key(template: tuple[str, ...], concrete: tuple[str, ...]) -> tuple[bool, ...] | None:
    """None if no match; otherwise a sort key where literal segments (False) beat params (True)."""
    if len(template) != len(concrete):
        return None
    key: list[bool] = []
    for t, c in zip(template, concrete, strict=True):
        if _is_param(t):
            if not c:
                return None
            key.append(True)
        elif t == c:
            key.append(False)
        else:
            return None
    return tuple(key)


def match_operation(method: str, path: str) -> str:
    """The operationId serving a concrete request, e.g. ("GET", "/v1/models/ft:x") -> "retrieveModel"."""
    concrete = _split(_strip_prefix(path))
    method = method.upper()
    candidates = [(k, r) for r in _routes() if (k := _match_key(r.segments, concrete)) is not None]
    if not candidates:
        raise AssertionError(f"no path in the OpenAI spec matches {path!r}")
    # Compare left to right so /threads/runs beats /threads/{thread_id}.
    candidates.sort(key=lambda kr: kr[0])
    for _, route in candidates:
        if route.method == method:
            return route.operation_id
    allowed = sorted({r.method for _, r in candidates})
    raise AssertionError(f"the OpenAI spec has no {method} for {path!r} (allowed: {', '.join(allowed)})")


# --------------------------------------------------------------------------- schema lookup


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _response_key(responses: Mapping[str, Any], status: int) -> str | None:
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return key
    return None


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _response_schema_pointer(operation_id: str, status: int, content_type: str) -> str | None:
    """JSON pointer to the response schema; None when the spec declares no body for that status."""
    ops = _operations_by_id()
    if operation_id not in ops:
        raise AssertionError(f"operationId {operation_id!r} is not in the OpenAI spec")
    method, template, op = ops[operation_id]
    responses = {str(k): v for k, v in op.get("responses", {}).items()}
    key = _response_key(responses, status)
    if key is None:
        raise AssertionError(
            f"{operation_id}: the spec documents no {status} response (has {', '.join(sorted(responses))})"
        )
    content = responses[key].get("content") or {}
    if not content:
        return None
    media = _media_type(content_type)
    if media not in content or "schema" not in content[media]:
        raise AssertionError(f"{operation_id} {key}: the spec has no {media!r} body (has {', '.join(sorted(content))})")
    return _pointer("paths", template, method.lower(), "responses", key, "content", media, "schema")


def _resolve(pointer: str) -> Any:
    node: Any = load_spec()
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_for(operation_id: str, status: int = 200, content_type: str = "application/json") -> dict[str, Any]:
    """The response schema for an operation, with a top-level ``$ref`` followed (nested refs are kept)."""
    pointer = _response_schema_pointer(operation_id, status, content_type)
    if pointer is None:
        raise AssertionError(f"{operation_id} {status}: the spec declares no response body")
    schema: dict[str, Any] = _resolve(pointer)
    while "$ref" in schema:
        schema = _resolve(schema["$ref"])
    return schema


# --------------------------------------------------------------------------- validation

_Keyword = Callable[[Any, Any, Any, Mapping[str, Any]], Iterator[ValidationError]]


def _nullable(keyword: _Keyword) -> _Keyword:
    # OpenAI writes `nullable: true` next to $ref, anyOf/allOf and enum (e.g. a chat chunk's
    # finish_reason), meaning "null is allowed"; stock OAS 3.0 rules would reject those nulls.
    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword(validator, value, instance, schema)

    return check


def _type(validator: Any, data_type: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    # Same as the OAS30 `type` minus its extra "None for not nullable" error (nulls are handled above).
    if data_type == "string" and schema.get("format") == "binary" and isinstance(instance, bytes):
        return
    if not validator.is_type(instance, data_type):
        yield ValidationError(f"{instance!r} is not of type {data_type!r}")


def _build_validator_class() -> type[Validator]:
    keywords: dict[str, _Keyword] = {
        **OAS30Validator.VALIDATORS,
        "type": _type,
        # OpenAI's discriminators have no mapping, so the implicit one points at missing
        # components (#/components/schemas/message); in OAS 3.0 it is only a hint anyway.
        "anyOf": Draft4Validator.VALIDATORS["anyOf"],
        "oneOf": Draft4Validator.VALIDATORS["oneOf"],
        "allOf": Draft4Validator.VALIDATORS["allOf"],
    }
    cls: type[Validator] = validators.extend(OAS30Validator, {k: _nullable(f) for k, f in keywords.items()})
    return cls


_OpenAIValidator = _build_validator_class()


def _recursive_refs_to_refs(node: Any, ref: str) -> Any:
    if isinstance(node, dict):
        if node.get("$recursiveRef") == "#":
            return {"$ref": ref}
        return {k: _recursive_refs_to_refs(v, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [_recursive_refs_to_refs(v, ref) for v in node]
    return node


@cache
def _registry() -> Registry[Any]:
    spec = load_spec()
    # CompoundFilter nests itself via the JSON Schema 2019-09 `$recursiveRef: "#"`, which OAS 3.0
    # validators ignore (so it matches anything and breaks its oneOf); point it at the component.
    schemas = {
        name: _recursive_refs_to_refs(schema, _pointer("components", "schemas", name))
        for name, schema in spec["components"]["schemas"].items()
    }
    patched = {**spec, "components": {**spec["components"], "schemas": schemas}}
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT4.create_resource(patched))
    return registry


def _validator(pointer: str) -> Validator:
    return _OpenAIValidator({"$ref": _SPEC_URI + pointer}, registry=_registry(), format_checker=oas30_format_checker)


@cache
def _response_validator(operation_id: str, status: int, media_type: str) -> Validator | None:
    pointer = _response_schema_pointer(operation_id, status, media_type)
    return None if pointer is None else _validator(pointer)


@cache
def _component_validator(name: str) -> Validator:
    if name not in load_spec()["components"]["schemas"]:
        raise AssertionError(f"#/components/schemas/{name} is not in the OpenAI spec")
    return _validator(_pointer("components", "schemas", name))


def _location(error: ValidationError) -> str:
    path: str = error.json_path
    return path.removeprefix("$.")  # "data[3].owned_by"; the root stays "$"


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _closest_branch(error: ValidationError) -> list[ValidationError]:
    """For an anyOf/oneOf failure, the errors of the branch that came closest to matching."""
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    # A branch whose `type`-style enum mismatched is the wrong variant, whatever its error count.
    return min(branches.values(), key=lambda errs: (any(e.validator == "enum" for e in errs), len(errs)))


def _describe(error: ValidationError, depth: int = 0) -> str:
    text = f"{_location(error)}: {_short(error.message)}"
    if error.context and depth < 4:  # anyOf/oneOf: say why the nearest branch failed
        pad = "\n" + "    " * (depth + 2) + "closest: "
        text += "".join(pad + _describe(sub, depth + 1) for sub in _closest_branch(error)[:5])
    return text


def _check(validator: Validator, body: object, what: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        listing = "\n".join(f"  - {_describe(e)}" for e in errors)
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise AssertionError(f"{what} does not conform to the OpenAI spec ({count}):\n{listing}")


def assert_conforms(method: str, path: str, status: int, body: object, content_type: str = "application/json") -> None:
    """Assert a decoded response body matches the spec's schema for that request and status.

    ``path`` is the concrete request path, with or without ``/v1``. For ``text/event-stream``
    pass one decoded event. If the spec declares no body for the status there is nothing to check.
    """
    operation_id = match_operation(method, path)
    validator = _response_validator(operation_id, status, _media_type(content_type))
    if validator is not None:
        _check(validator, body, f"{operation_id} ({method.upper()} {path} -> {status})")


def validate_component(name: str, body: object) -> None:
    """Assert ``body`` matches ``#/components/schemas/<name>``, e.g. a chat completion stream chunk."""
    _check(_component_validator(name), body, f"#/components/schemas/{name}")
