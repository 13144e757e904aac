"""Test helpers that check mock responses against the OpenAI API contract.

The contract is committed with the repo: ``tests/contract/data/openai-<version>.json``, the structure of
OpenAI's official spec with its prose left out, written by ``tools/gen_contract.py`` (``make contract``) from
``../shared/openapi``. Nothing here needs ``../shared``: every check runs in any clone.

Two specs are there: 2025-03-11 (OpenAPI 3.0, the 122 operations the product must keep serving: the default
of ``load_spec``/``load_operations``) and 2026-08-21 (OpenAPI 3.1, 288 operations: the shape authority, so the
default of every check). The checks take ``spec=...`` to say otherwise.

Typical use::

    def test_list_models(client):
        r = client.get("/v1/models")
        assert_conforms("GET", "/v1/models", r.status_code, r.json())
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft4Validator, ValidationError, _keywords, _legacy_keywords, validators
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Specification
from referencing.jsonschema import DRAFT4, DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_DIR = REPO_ROOT / "tests" / "contract" / "data"
SPECS = ("2025-03-11", "2026-08-21")
DEFAULT_SPEC = "2025-03-11"  # the operations list: the 122 operations the product must keep serving
SHAPE_SPEC = "2026-08-21"  # the shape authority: every answer is checked against today's API

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_MAX_MESSAGE = 300  # anyOf failures repr the whole instance; keep reports readable


# --------------------------------------------------------------------------- locating files


def _known(version: str) -> str:
    if version not in SPECS:
        raise ValueError(f"unknown OpenAI spec {version!r} (known: {', '.join(SPECS)})")
    return version


def spec_path(version: str = DEFAULT_SPEC) -> Path:
    """The committed contract for ``version``: ``tests/contract/data/openai-<version>.json``."""
    return CONTRACT_DIR / f"openai-{_known(version)}.json"


def operations_path(version: str = DEFAULT_SPEC) -> Path:
    """Where the operations list lives: inside the contract (its ``x-operations``)."""
    return spec_path(version)


# --------------------------------------------------------------------------- loading


@cache
def load_spec(version: str = DEFAULT_SPEC) -> dict[str, Any]:
    """The contract document, OpenAPI-shaped (cached; shared, do not mutate)."""
    with spec_path(version).open("rb") as fh:
        spec: dict[str, Any] = json.load(fh)
    return spec


@dataclass(frozen=True, slots=True)
class Operation:
    group: str
    method: str  # upper case
    path: str  # template without the /v1 prefix, e.g. /models/{model}
    operation_id: str
    name: str


@cache
def _operations(version: str) -> tuple[Operation, ...]:
    return tuple(
        Operation(op["group"], op["method"].upper(), op["path"], op["operationId"], op["name"])
        for op in load_spec(version)["x-operations"]
    )


def load_operations(version: str = DEFAULT_SPEC) -> list[Operation]:
    """Every operation of the spec: for 2025-03-11 the official operations table (the 122 the product
    serves), for 2026-08-21 all 288 of its paths (cached; a fresh list each call)."""
    return list(_operations(version))


# --------------------------------------------------------------------------- path matching


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    template: str  # as in the spec, e.g. /responses/compact?beta=true
    segments: tuple[str, ...]
    query: frozenset[tuple[str, str]]  # 2026-08-21 has beta twins of a few paths: /responses/compact?beta=true
    operation_id: str


def _route(method: str, template: str, operation_id: str) -> _Route:
    path, _, query = template.partition("?")
    return _Route(method.upper(), template, _split(path), frozenset(parse_qsl(query)), operation_id)


@cache
def _routes(spec: str) -> tuple[_Route, ...]:
    return tuple(
        _route(method, template, op["operationId"])
        for template, item in load_spec(spec)["paths"].items()
        for method, op in item.items()
        if method in _HTTP_METHODS
    )


@cache
def _operations_by_id(spec: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path template, operation object)."""
    paths = load_spec(spec)["paths"]
    return {r.operation_id: (r.method, r.template, paths[r.template][r.method.lower()]) for r in _routes(spec)}


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


def match_operation(method: str, path: str, *, spec: str = SHAPE_SPEC) -> str:
    """The operationId serving a concrete request, e.g. ("GET", "/v1/models/ft:x") -> "retrieveModel"."""
    concrete = _split(_strip_prefix(path))
    query = frozenset(parse_qsl(path.partition("?")[2].split("#", 1)[0]))
    method = method.upper()
    candidates = [
        (k, -len(r.query), r)
        for r in _routes(spec)
        if r.query <= query and (k := _match_key(r.segments, concrete)) is not None
    ]
    if not candidates:
        raise AssertionError(f"no path in the OpenAI spec {spec} matches {path!r}")
    # Compare left to right so /threads/runs beats /threads/{thread_id}; then ?beta=true beats no query.
    candidates.sort(key=lambda c: (c[0], c[1]))
    for _, _, route in candidates:
        if route.method == method:
            return route.operation_id
    allowed = sorted({r.method for _, _, r in candidates})
    raise AssertionError(f"the OpenAI spec {spec} has no {method} for {path!r} (allowed: {', '.join(allowed)})")


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


def _response_schema_pointer(operation_id: str, status: int, content_type: str, spec: str) -> str | None:
    """JSON pointer to the response schema; None when the spec declares no body for that status."""
    ops = _operations_by_id(spec)
    if operation_id not in ops:
        raise AssertionError(f"operationId {operation_id!r} is not in the OpenAI spec {spec}")
    method, template, op = ops[operation_id]
    responses = {str(k): v for k, v in op.get("responses", {}).items()}
    key = _response_key(responses, status)
    if key is None:
        raise AssertionError(
            f"{operation_id}: the spec documents no {status} response (has {', '.join(sorted(responses))})"
        )
    response = responses[key]
    if "$ref" in response:  # 2026-08-21: `429: {$ref: #/components/responses/TooManyRequests}`
        response = _resolve(response["$ref"], spec)
    content = response.get("content") or {}
    if not content:
        return None
    media = _media_type(content_type)
    if media not in content or "schema" not in content[media]:
        raise AssertionError(f"{operation_id} {key}: the spec has no {media!r} body (has {', '.join(sorted(content))})")
    if "$ref" in responses[key]:
        return str(responses[key]["$ref"]) + _pointer("content", media, "schema")[1:]
    return _pointer("paths", template, method.lower(), "responses", key, "content", media, "schema")


def _resolve(pointer: str, spec: str) -> Any:
    node: Any = load_spec(spec)
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_for(
    operation_id: str, status: int = 200, content_type: str = "application/json", *, spec: str = SHAPE_SPEC
) -> dict[str, Any]:
    """The response schema for an operation, with a top-level ``$ref`` followed (nested refs are kept)."""
    pointer = _response_schema_pointer(operation_id, status, content_type, spec)
    if pointer is None:
        raise AssertionError(f"{operation_id} {status}: the spec declares no response body")
    schema: dict[str, Any] = _resolve(pointer, spec)
    while "$ref" in schema:
        schema = _resolve(schema["$ref"], spec)
    return schema


# --------------------------------------------------------------------------- validation
#
# OpenAI writes both specs the OpenAPI 3.0 way, 2026-08-21 included (it says 3.1.0 but uses `nullable`, never
# `type: [..., "null"]`, and `exclusiveMinimum: true`). Each spec gets its dialect's validator (OAS 3.0 /
# OAS 3.1 = JSON Schema 2020-12) with the same adjustments for OpenAI's quirks:
# - `nullable: true` beside $ref, anyOf/allOf and enum means "null is allowed" (see _nullable);
# - discriminators have no mapping: only the matching branch counts (3.0: stock anyOf/oneOf; 3.1: annotation);
# - `oneOf` reads as "at least one": OpenAI's branches are open objects, so one body often fits several (every
#   diarized or verbose transcription also fits the plain `{"text"}` one); the SDKs parse them as unions;
# - CompoundFilter nests itself with JSON Schema 2019-09 `$recursiveRef: "#"`, which neither dialect
#   follows (it would match anything): it becomes a `$ref` to the component.

_Keyword = Callable[[Any, Any, Any, Mapping[str, Any]], Iterator[ValidationError]]


def _nullable(keyword: _Keyword) -> _Keyword:
    # OpenAI writes `nullable: true` next to $ref, anyOf/allOf and enum (e.g. a chat chunk's
    # finish_reason), meaning "null is allowed"; stock OAS 3.0 rules would reject those nulls.
    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword(validator, value, instance, schema)

    return check


def _type(validator: Any, data_type: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    # Same as the OAS30 `type` minus its extra "None for not nullable" error (nulls are handled above).
    if data_type == "string" and schema.get("format") == "binary" and isinstance(instance, bytes):
        return
    yield from _keywords.type(validator, data_type, instance, schema)


def _minimum(validator: Any, minimum: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    # 2026-08-21 keeps OAS 3.0's boolean `exclusiveMinimum: true` beside `minimum` (7 times): read it as 3.0 does.
    if isinstance(schema.get("exclusiveMinimum"), bool):
        yield from _legacy_keywords.minimum_draft3_draft4(validator, minimum, instance, schema)
    else:
        yield from _keywords.minimum(validator, minimum, instance, schema)


def _maximum(validator: Any, maximum: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if isinstance(schema.get("exclusiveMaximum"), bool):
        yield from _legacy_keywords.maximum_draft3_draft4(validator, maximum, instance, schema)
    else:
        yield from _keywords.maximum(validator, maximum, instance, schema)


def _exclusive(keyword: _Keyword) -> _Keyword:
    def check(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if not isinstance(value, bool):  # a boolean is a modifier of minimum/maximum, handled there
            yield from keyword(validator, value, instance, schema)

    return check


def _build_validator_class(base: Any, overrides: Mapping[str, _Keyword]) -> type[Validator]:
    keywords: dict[str, _Keyword] = {**base.VALIDATORS, **overrides}
    cls: type[Validator] = validators.extend(base, {k: _nullable(f) for k, f in keywords.items()})
    return cls


_OAS30 = _build_validator_class(
    OAS30Validator,
    {
        "type": _type,
        # OpenAI's discriminators have no mapping, so the implicit one points at missing
        # components (#/components/schemas/message); in OAS 3.0 it is only a hint anyway.
        "anyOf": Draft4Validator.VALIDATORS["anyOf"],
        "oneOf": Draft4Validator.VALIDATORS["anyOf"],
        "allOf": Draft4Validator.VALIDATORS["allOf"],
    },
)
# OAS31Validator is JSON Schema 2020-12 (Draft202012Validator) plus OpenAPI's vocabulary: `discriminator`,
# `example`, `xml`, `externalDocs` as annotations and OpenAPI's formats (int32, int64, float, double…).
_OAS31 = _build_validator_class(
    OAS31Validator,
    {
        "type": _type,
        "oneOf": _keywords.anyOf,
        "minimum": _minimum,
        "maximum": _maximum,
        "exclusiveMinimum": _exclusive(_keywords.exclusiveMinimum),
        "exclusiveMaximum": _exclusive(_keywords.exclusiveMaximum),
    },
)


@dataclass(frozen=True, slots=True)
class _Dialect:
    validator: type[Validator]
    resource: Specification[Any]
    format_checker: Any


def _dialect(spec: str) -> _Dialect:
    if load_spec(spec)["openapi"].startswith("3.0"):
        return _Dialect(_OAS30, DRAFT4, oas30_format_checker)
    return _Dialect(_OAS31, DRAFT202012, oas31_format_checker)


def _spec_uri(spec: str) -> str:
    return f"urn:openai-mock:contract:{spec}"  # refs inside the contract resolve against this document


def _recursive_refs_to_refs(node: Any, ref: str) -> Any:
    if isinstance(node, dict):
        if node.get("$recursiveRef") == "#":
            return {"$ref": ref}
        return {k: _recursive_refs_to_refs(v, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [_recursive_refs_to_refs(v, ref) for v in node]
    return node


# Where a schema contradicts the spec's own recorded example of the same object, the example (what the real API
# sends) wins: (schema, property path, patch). EvalRun's and an output item's sample's `error` are `null` without
# an error (the schema omits `nullable`); a paused fine-tuning job's status is "paused" (the enum omits it).
_ERRATA: dict[str, tuple[tuple[tuple[str, ...], dict[str, Any]], ...]] = {
    "2026-08-21": (
        (("EvalRun", "error"), {"nullable": True}),
        (("EvalRunOutputItem", "sample", "error"), {"nullable": True}),
        (
            ("FineTuningJob", "status"),
            {"enum": ["validating_files", "queued", "running", "paused", "succeeded", "failed", "cancelled"]},
        ),
    ),
}


def _apply_errata(schemas: dict[str, Any], spec: str) -> None:
    for (name, *path), patch in _ERRATA.get(spec, ()):
        schema = schemas[name] = json.loads(json.dumps(schemas[name]))  # a copy: the loaded spec is shared
        node = schema
        for key in path:
            node = node["properties"][key]
        node.update(patch)


@cache
def _registry(spec: str) -> Registry[Any]:
    doc = load_spec(spec)
    schemas = dict(doc["components"]["schemas"])
    for name, schema in schemas.items():
        if "$recursiveAnchor" in schema:  # CompoundFilter (and 2026-08-21's BetaCompoundFilter)
            schemas[name] = _recursive_refs_to_refs(schema, _pointer("components", "schemas", name))
    _apply_errata(schemas, spec)
    patched = {**doc, "components": {**doc["components"], "schemas": schemas}}
    registry: Registry[Any] = Registry().with_resource(
        _spec_uri(spec), _dialect(spec).resource.create_resource(patched)
    )
    return registry


def _validator(pointer: str, spec: str) -> Validator:
    dialect = _dialect(spec)
    return dialect.validator(
        {"$ref": _spec_uri(spec) + pointer}, registry=_registry(spec), format_checker=dialect.format_checker
    )


@cache
def _response_validator(operation_id: str, status: int, media_type: str, spec: str = SHAPE_SPEC) -> Validator | None:
    pointer = _response_schema_pointer(operation_id, status, media_type, spec)
    return None if pointer is None else _validator(pointer, spec)


@cache
def _component_validator(name: str, spec: str = SHAPE_SPEC) -> Validator:
    if name not in load_spec(spec)["components"]["schemas"]:
        raise AssertionError(f"#/components/schemas/{name} is not in the OpenAI spec {spec}")
    return _validator(_pointer("components", "schemas", name), spec)


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
    return min(branches.values(), key=lambda errs: (any(e.validator in ("enum", "const") for e in errs), len(errs)))


def _describe(error: ValidationError, depth: int = 0) -> str:
    text = f"{_location(error)}: {_short(error.message)}"
    if error.context and depth < 4:  # anyOf/oneOf: say why the nearest branch failed
        pad = "\n" + "    " * (depth + 2) + "closest: "
        text += "".join(pad + _describe(sub, depth + 1) for sub in _closest_branch(error)[:5])
    return text


def _check(validator: Validator, body: object, what: str, spec: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        listing = "\n".join(f"  - {_describe(e)}" for e in errors)
        count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
        raise AssertionError(f"{what} does not conform to the OpenAI spec {spec} ({count}):\n{listing}")


def assert_conforms(
    method: str,
    path: str,
    status: int,
    body: object,
    content_type: str = "application/json",
    *,
    spec: str = SHAPE_SPEC,
) -> None:
    """Assert a decoded response body matches the spec's schema for that request and status.

    ``path`` is the concrete request path, with or without ``/v1``. For ``text/event-stream``
    pass one decoded event. If the spec declares no body for the status there is nothing to check.
    """
    operation_id = match_operation(method, path, spec=spec)
    validator = _response_validator(operation_id, status, _media_type(content_type), spec)
    if validator is not None:
        _check(validator, body, f"{operation_id} ({method.upper()} {path} -> {status})", spec)


def validate_component(name: str, body: object, *, spec: str = SHAPE_SPEC) -> None:
    """Assert ``body`` matches ``#/components/schemas/<name>``, e.g. a chat completion stream chunk."""
    _check(_component_validator(name, spec), body, f"#/components/schemas/{name}", spec)
