"""Write tests/contract/data/openai-<version>.json, the description-free contracts the tests validate against,
from OpenAI's official specs in ``<repo>/../shared/openapi`` (or ``$OPENAI_SPEC_DIR``).

A contract is an OpenAPI-shaped JSON document holding structure only: the ``openapi`` version, ``info``
title and version, ``servers`` urls, ``paths`` (operationId, parameters, request and response bodies' schemas,
security), ``components`` (schemas, responses, parameters, request bodies, headers, security schemes) and an
``x-operations`` list (group, method, path, operationId, name). Every piece of prose is left out:
``description``, ``summary``, ``title``, ``example(s)``, ``externalDocs``, ``$comment``, ``xml``, tags' text,
``info`` beyond title/version and every ``x-*`` extension of OpenAI's (``x-oaiMeta``, ``x-stainless-*``…).
Names inside a ``properties`` map (and the like) are data, not annotations: a property called
``description`` stays. Keywords the generator does not know make it fail, naming where, rather than guess.

    python tools/gen_contract.py           # rewrite the files (`make contract`)
    python tools/gen_contract.py --check   # fail when a committed file differs from what the spec gives;
                                           # without ../shared/openapi, say the check was skipped and pass
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "contract" / "data"

# version -> (spec file, operations table or None when the list comes from the spec's paths)
SPECS: dict[str, tuple[str, str | None]] = {
    "2025-03-11": ("openai-2025-03-11.yaml", "operations-2025-03-11.tsv"),
    "2026-08-21": ("openai-2026-08-21.yaml", None),
}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class ContractError(Exception):
    """The spec holds something the generator does not know how to keep or drop."""


def spec_dir() -> Path:
    env = os.environ.get("OPENAI_SPEC_DIR")
    return Path(env).expanduser() if env else ROOT.parent / "shared" / "openapi"


def output_path(version: str) -> Path:
    return OUT_DIR / f"openai-{version}.json"


# --------------------------------------------------------------------------- schemas (JSON Schema objects)

_PROSE = frozenset({"description", "summary", "title", "example", "examples", "externalDocs", "$comment", "xml"})
# Keywords whose value is kept as it is: types, constraints, data (enum, const, default) and references.
_KEPT = frozenset(
    {
        "type", "format", "enum", "const", "default", "required", "nullable", "deprecated", "readOnly", "writeOnly",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minContains", "maxContains",
        "minProperties", "maxProperties", "dependentRequired", "contentMediaType", "contentEncoding",
        "$ref", "$recursiveRef", "$recursiveAnchor", "$dynamicRef", "$dynamicAnchor", "$anchor", "$id", "$schema",
    }
)  # fmt: skip
# Not JSON Schema (2026-08-21 has `optional: true` and GraderScoreModel's `min_items`/`max_items` typos): no
# validator reads them; they are kept as they are so the contract says what the spec says.
_NONSTANDARD = frozenset({"optional", "min_items", "max_items"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_ONE = frozenset(
    {
        "items", "additionalItems", "additionalProperties", "unevaluatedItems", "unevaluatedProperties",
        "not", "if", "then", "else", "contains", "propertyNames", "contentSchema",
    }
)  # fmt: skip


def _dropped(key: str) -> bool:
    return key in _PROSE or key.startswith("x-")


def schema(node: Any, where: str) -> Any:
    """A JSON Schema (OpenAPI Schema Object) minus its annotations; property names are never touched."""
    if isinstance(node, bool):  # `additionalProperties: true`, `items: false`
        return node
    if isinstance(node, list):  # draft-4 tuple `items`
        return [schema(item, f"{where}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        raise ContractError(f"{where}: a schema must be an object or a boolean, not {node!r:.60}")
    out: dict[str, Any] = {}
    for key, value in node.items():
        at = f"{where}/{_escape(key)}"
        if _dropped(key):
            continue
        if key in _KEPT:
            out[key] = value
        elif key in _SCHEMA_MAPS:
            out[key] = {name: schema(sub, f"{at}/{_escape(name)}") for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [schema(sub, f"{at}/{i}") for i, sub in enumerate(value)]
        elif key in _SCHEMA_ONE:
            out[key] = schema(value, at)
        elif key in _NONSTANDARD:
            out[key] = value
        elif key == "discriminator":
            out[key] = _pick(value, at, keep={"propertyName": _same, "mapping": _same})
        else:
            raise ContractError(f"{at}: unknown schema keyword {key!r} (teach gen_contract.py to keep or drop it)")
    return out


# --------------------------------------------------------------------------- OpenAPI objects

_Keep = Callable[[Any, str], Any]


def _same(value: Any, where: str) -> Any:  # noqa: ARG001
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _pick(node: Any, where: str, keep: Mapping[str, _Keep], drop: Iterable[str] = ()) -> dict[str, Any]:
    """The keys of ``keep`` (each transformed), minus prose, ``x-*`` and ``drop``; anything else is an error."""
    if not isinstance(node, dict):
        raise ContractError(f"{where}: expected an object, found {node!r:.60}")
    dropped = frozenset(drop)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in keep:
            out[key] = keep[key](value, f"{where}/{_escape(key)}")
        elif not (_dropped(key) or key in dropped):
            raise ContractError(f"{where}: unknown key {key!r} (teach gen_contract.py to keep or drop it)")
    return out


def _each(keep: _Keep) -> _Keep:
    def mapping(node: Any, where: str) -> dict[str, Any]:
        return {name: keep(value, f"{where}/{_escape(name)}") for name, value in node.items()}

    return mapping


def _listed(keep: _Keep) -> _Keep:
    def items(node: Any, where: str) -> list[Any]:
        return [keep(value, f"{where}/{i}") for i, value in enumerate(node)]

    return items


def _header(node: Any, where: str) -> dict[str, Any]:
    return _pick(
        node,
        where,
        {"$ref": _same, "schema": schema, "required": _same, "deprecated": _same, "style": _same, "explode": _same},
    )


def _encoding(node: Any, where: str) -> dict[str, Any]:
    return _pick(
        node,
        where,
        {"contentType": _same, "headers": _each(_header), "style": _same, "explode": _same, "allowReserved": _same},
    )


def _media(node: Any, where: str) -> dict[str, Any]:
    return _pick(node, where, {"schema": schema, "encoding": _each(_encoding)})


def _parameter(node: Any, where: str) -> dict[str, Any]:
    keep: dict[str, _Keep] = {
        "$ref": _same, "name": _same, "in": _same, "required": _same, "schema": schema, "content": _each(_media),
        "style": _same, "explode": _same, "deprecated": _same, "allowEmptyValue": _same, "allowReserved": _same,
    }  # fmt: skip
    return _pick(node, where, keep)


def _request_body(node: Any, where: str) -> dict[str, Any]:
    return _pick(node, where, {"$ref": _same, "required": _same, "content": _each(_media)})


def _response(node: Any, where: str) -> dict[str, Any]:
    # OpenAPI calls a Response Object's description required; it goes like every other one (schemathesis,
    # the one consumer that reads whole documents, does not ask for it).
    return _pick(node, where, {"$ref": _same, "content": _each(_media), "headers": _each(_header)}, drop={"links"})


def _operation(node: Any, where: str) -> dict[str, Any]:
    keep: dict[str, _Keep] = {
        "operationId": _same,
        "parameters": _listed(_parameter),
        "requestBody": _request_body,
        "responses": lambda value, at: {str(code): _response(r, f"{at}/{code}") for code, r in value.items()},
        "security": _same,
        "deprecated": _same,
    }
    # tags: the operations list carries each operation's group instead.
    return _pick(node, where, keep, drop={"tags"})


def _path_item(node: Any, where: str) -> dict[str, Any]:
    keep: dict[str, _Keep] = dict.fromkeys(HTTP_METHODS, _operation)
    return _pick(node, where, {**keep, "parameters": _listed(_parameter), "$ref": _same}, drop={"servers"})


def _security_scheme(node: Any, where: str) -> dict[str, Any]:
    keep = ("type", "scheme", "bearerFormat", "in", "name", "flows", "openIdConnectUrl")
    return _pick(node, where, dict.fromkeys(keep, _same))


def _components(node: Any, where: str) -> dict[str, Any]:
    keep: dict[str, _Keep] = {
        "schemas": _each(schema),
        "responses": _each(_response),
        "parameters": _each(_parameter),
        "requestBodies": _each(_request_body),
        "headers": _each(_header),
        "securitySchemes": _each(_security_scheme),
    }
    return _pick(node, where, keep)


def structure(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec's structure, prose-free. Webhooks are left out: they are not operations the mock serves."""
    keep: dict[str, _Keep] = {
        "openapi": _same,
        # schemathesis (tests/hardening/fuzzing.py) needs an OpenAPI `info` with a title and a version.
        "info": lambda value, at: {"title": value["title"], "version": value["version"]},  # noqa: ARG005
        "servers": lambda value, at: [{"url": server["url"]} for server in value],  # noqa: ARG005
        "paths": _each(_path_item),
        "components": _components,
        "security": _same,
    }
    return _pick(spec, "#", keep, drop={"tags", "webhooks"})


# --------------------------------------------------------------------------- the operations list


def _is_short_name(name: str) -> bool:
    # The tsv's "name" column is each operation's label in OpenAI's reference (x-oaiMeta.name, e.g. "List
    # assistants", "Cancel a run"): a few words naming the operation, like its operationId, not documentation.
    # It is kept so `Operation.name` keeps meaning what it did; anything that reads like prose (a sentence,
    # markup, a line break, more than 8 words) is not a short name and makes the generator stop instead.
    return 0 < len(name) <= 48 and len(name.split()) <= 8 and not any(c in name for c in ".`[]()*\n:")


def _spec_operations(spec: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def operations_from_table(spec: Mapping[str, Any], table: Path) -> list[dict[str, str]]:
    """The tsv's rows, each checked against the spec (same method, path and operationId)."""
    in_spec = _spec_operations(spec)
    rows: list[dict[str, str]] = []
    with table.open(newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            method = row["method"].upper()
            found = in_spec.get((method, row["path"]), {}).get("operationId")
            if found != row["operationId"]:
                raise ContractError(f"{table.name}:{line}: {method} {row['path']} is {found!r} in the spec")
            if not _is_short_name(row["name"]):
                raise ContractError(f"{table.name}:{line}: name {row['name']!r} is not a short operation name")
            rows.append(
                {
                    "group": row["group"],
                    "method": method,
                    "path": row["path"],
                    "operationId": row["operationId"],
                    "name": row["name"],
                }
            )
    return rows


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def operations_from_paths(spec: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every operation in the spec's paths, in the spec's order. The group is the operation's first tag.
    31 operations of 2026-08-21 (containers, chatkit, spend limits, responses/compact…) have no tag: they get
    their reference group (x-oaiMeta.group, else the path's first segment), spelled like a tag when one matches
    ("responses" -> "Responses"), else as it is ("containers"). The name is the reference label when it is a
    short name (see _is_short_name), else the operationId."""
    tag_of = {_slug(tag): tag for op in _spec_operations(spec).values() for tag in op.get("tags") or ()}
    rows: list[dict[str, str]] = []
    for (method, path), op in _spec_operations(spec).items():
        meta = op.get("x-oaiMeta") or {}
        tags = op.get("tags") or []
        fallback = meta.get("group") or path.strip("/").split("/")[0]
        group = tags[0] if tags else tag_of.get(_slug(fallback), fallback)
        label = meta.get("name")
        name = label if isinstance(label, str) and _is_short_name(label) else op["operationId"]
        rows.append({"group": group, "method": method, "path": path, "operationId": op["operationId"], "name": name})
    return rows


# --------------------------------------------------------------------------- rendering


def load_yaml(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=loader)
    return spec


def contract(version: str, directory: Path) -> dict[str, Any]:
    spec_file, table = SPECS[version]
    spec = load_yaml(directory / spec_file)
    doc = structure(spec)
    ops = operations_from_table(spec, directory / table) if table else operations_from_paths(spec)
    ids = [op["operationId"] for op in ops]
    if len(set(ids)) != len(ids):
        raise ContractError(f"{spec_file}: duplicate operationIds in the operations list")
    doc["x-operations"] = ops
    return doc


def render(doc: Mapping[str, Any]) -> bytes:
    """One deterministic byte string: compact, sorted keys, UTF-8, newline-terminated."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8") + b"\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    directory = spec_dir()
    if not directory.is_dir():
        if check:
            print(f"gen_contract: skipped the drift check: no spec directory at {directory} (set OPENAI_SPEC_DIR)")
            return 0
        print(f"gen_contract: no spec directory at {directory} (set OPENAI_SPEC_DIR)", file=sys.stderr)
        return 1
    for version, (spec_file, _) in SPECS.items():
        target = output_path(version)
        try:
            wanted = render(contract(version, directory))
        except (ContractError, OSError) as exc:
            print(f"gen_contract: {spec_file}: {exc}", file=sys.stderr)
            return 1
        if check:
            if not target.is_file() or target.read_bytes() != wanted:
                state = "is missing" if not target.is_file() else "differs from"
                rel = target.relative_to(ROOT)
                print(f"{rel} {state} what {directory / spec_file} gives: run `make contract`", file=sys.stderr)
                return 1
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wanted)
            print(f"{target.relative_to(ROOT)}: {len(wanted):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
