"""Values that conform to a JSON Schema: tool-call arguments, structured outputs, any generated JSON.

`generate_value(schema, rng)` understands objects (properties, required, additionalProperties,
min/maxProperties), arrays (items, prefixItems, min/maxItems, uniqueItems, contains), enum, const,
anyOf/oneOf/allOf, $ref into $defs/definitions (recursion is bounded), type lists, nullable, string
formats, patterns, lengths and numeric bounds/multipleOf. Property names steer the content ("city" →
a city, "email" → an address) so the values read like real data; an invented `number` is a whole one unless
its name or description speaks of a fraction (`temperature`, `ratio`, `price`…). Checks of schemas live in
`openai_mock.schema_checks`."""

from __future__ import annotations

import json
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

try:  # the regex parser moved in Python 3.11; both spellings are the standard library's
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from openai_mock.schema_checks import JSON_TYPES, UnsatisfiableSchema

Schema = Mapping[str, Any] | bool
# The extraction hook: (property name, kind, schema) → a value read from the request, or None. Kinds: "string",
# "integer", "number", "boolean", "array", "enum". A value that does not fit the schema is ignored.
Hint = Callable[[str, str, Mapping[str, Any]], Any]
MAX_DEPTH = 6  # past this, recursive schemas take their smallest branch
# Words of a number property's name or description that say its value has a fractional part; any other invented
# number is whole, as a count, a size or a duration in milliseconds is (a client may parse it as an integer).
FRACTION_WORDS = frozenset(
    (
        "temperature",
        "ratio",
        "rate",
        "price",
        "cost",
        "fraction",
        "fractional",
        "percentage",
        "probability",
        "confidence",
        "threshold",
        "factor",
        "weight",
        "latitude",
        "longitude",
        "lat",
        "lon",
        "lng",
        "average",
        "mean",
        "decimal",
        "penalty",
    )
)


# --------------------------------------------------------------------------------------------- content hints

_CITIES = ("Paris", "Tokyo", "San Francisco", "Berlin", "Toronto", "Sydney", "Lisbon", "Nairobi", "Seoul")
_COUNTRIES = ("France", "Japan", "United States", "Germany", "Canada", "Australia", "Portugal", "Kenya")
_FIRST = ("Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Julia")
_LAST = ("Martin", "Tanaka", "Okafor", "Silva", "Novak", "Schmidt", "Kim", "Rossi", "Haddad", "Lee")
_WORDS = (
    "quick",
    "summary",
    "update",
    "review",
    "plan",
    "report",
    "draft",
    "status",
    "detail",
    "note",
    "project",
    "meeting",
    "release",
    "order",
    "ticket",
    "budget",
    "design",
    "feature",
    "sample",
    "item",
)
_SENTENCES = (
    "A concise summary of the main points.",
    "The request was processed successfully.",
    "This item is ready for review.",
    "Everything looks consistent with the requirements.",
    "Follow-up is recommended next week.",
)


def _name_hint(name: str, rng: random.Random) -> str | None:
    key = name.lower()
    hints: tuple[tuple[tuple[str, ...], Callable[[], str]], ...] = (
        (("email",), lambda: f"{rng.choice(_FIRST).lower()}.{rng.choice(_LAST).lower()}@example.com"),
        (("city", "location", "place", "destination"), lambda: rng.choice(_CITIES)),
        (("country",), lambda: rng.choice(_COUNTRIES)),
        (("first_name", "firstname", "given"), lambda: rng.choice(_FIRST)),
        (("last_name", "lastname", "surname", "family"), lambda: rng.choice(_LAST)),
        (("name", "author", "user", "owner", "person"), lambda: f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"),
        (("url", "link", "website", "href"), lambda: f"https://example.com/{rng.choice(_WORDS)}"),
        (("phone",), lambda: f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"),
        (("date",), lambda: f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
        (("id",), lambda: f"{rng.choice(_WORDS)}_{rng.randint(1000, 99999)}"),
        (
            ("description", "summary", "reason", "text", "content", "message", "answer", "explanation"),
            lambda: rng.choice(_SENTENCES),
        ),
        (
            ("title", "subject", "topic", "query", "question"),
            lambda: f"{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)}",
        ),
        (("unit",), lambda: rng.choice(("celsius", "metric"))),
        (("currency",), lambda: rng.choice(("USD", "EUR", "JPY"))),
        (("language", "lang"), lambda: rng.choice(("en", "fr", "de", "ja"))),
    )
    for fragments, make in hints:
        if any(fragment == key or key.endswith(fragment) or key.startswith(fragment) for fragment in fragments):
            return make()
    return None


def _format_value(fmt: str, rng: random.Random) -> str | None:
    day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    values: dict[str, Callable[[], str]] = {
        "date-time": lambda: f"{day}T{clock}Z",
        "date": lambda: day,
        "time": lambda: f"{clock}Z",
        "duration": lambda: f"PT{rng.randint(1, 59)}M",
        "email": lambda: f"{rng.choice(_FIRST).lower()}@example.com",
        "idn-email": lambda: f"{rng.choice(_FIRST).lower()}@example.com",
        "hostname": lambda: f"{rng.choice(_WORDS)}.example.com",
        "idn-hostname": lambda: f"{rng.choice(_WORDS)}.example.com",
        "ipv4": lambda: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
        "ipv6": lambda: ":".join(f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)),
        "uri": lambda: f"https://example.com/{rng.choice(_WORDS)}/{rng.randint(1, 999)}",
        "url": lambda: f"https://example.com/{rng.choice(_WORDS)}",
        "iri": lambda: f"https://example.com/{rng.choice(_WORDS)}",
        "uri-reference": lambda: f"/{rng.choice(_WORDS)}/{rng.randint(1, 999)}",
        "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "regex": lambda: "^[a-z]+$",
        "json-pointer": lambda: f"/{rng.choice(_WORDS)}/0",
    }
    make = values.get(fmt)
    return make() if make else None


# --------------------------------------------------------------------------------------------- patterns


def _from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string matching `pattern` (Python regex syntax, the common subset JSON Schema patterns use)."""
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error:
        return None
    try:
        text = _emit(parsed, rng, {})
    except _Unsupported:
        return None
    return text if re.search(pattern, text) else None


class _Unsupported(Exception):
    pass


_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": " -.",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}


def _emit(parsed: Any, rng: random.Random, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append(rng.choice(string.ascii_lowercase))
        elif name == "IN":
            out.append(_emit_class(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            high = low + 3 if high is _sre_parse.MAXREPEAT else min(high, low + 3)
            out.extend(_emit(body, rng, groups) for _ in range(rng.randint(low, high)))
        elif name == "SUBPATTERN":
            group, _, _, body = arg
            text = _emit(body, rng, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif name == "BRANCH":
            out.append(_emit(rng.choice(arg[1]), rng, groups))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise _Unsupported(name)
    return "".join(out)


def _emit_class(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    choices: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            choices.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            choices.extend(chr(code) for code in range(low, min(high, low + 200) + 1))
        elif name == "CATEGORY":
            choices.extend(_CATEGORY_CHARS.get(str(arg), string.ascii_letters))
        else:
            raise _Unsupported(name)
    if negate:
        allowed = [c for c in string.ascii_letters + string.digits if c not in choices]
        return rng.choice(allowed) if allowed else "~"
    return rng.choice(choices) if choices else "a"


# --------------------------------------------------------------------------------------------- generator


class ValueGenerator:
    """Generates values for one root schema (the document `$ref`s resolve against)."""

    def __init__(
        self,
        root: Schema,
        rng: random.Random,
        *,
        all_properties: bool = False,
        hint: Hint | None = None,
        optional_hint: Hint | None = None,
    ) -> None:
        self.root = root
        self.rng = rng
        self.all_properties = all_properties  # strict mode: every property is present
        self.hint = hint
        # With it, an optional property (a nullable one under `all_properties`) is filled only when this stricter
        # hook supplies a value for it or inside it, as a model fills a function's arguments; else at random.
        self.optional_hint = optional_hint
        self.hinted_count = 0  # how many values the hint supplied so far
        # The values a hint gave for the properties of the object being generated (a seed: see `_seeded`), and the
        # seed of the object about to be generated.
        self.seed: Mapping[str, Any] | None = None
        self.pending: Mapping[str, Any] | None = None

    def _hinted(self, name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        """The hook's value for this property when it fits the schema, else `_NOTHING`. A hint may give an object
        as a mapping and an array of objects as a list of mappings: seeds, filled in property by property."""
        if kind == "array" and isinstance(schema.get("items"), Mapping):  # the hint sees what the items are
            schema = {**schema, "items": self._deref(schema["items"])}
        if self.seed is not None and name in self.seed:
            candidate = self.seed[name]
        elif self.hint is None or not name:
            return _NOTHING
        else:
            candidate = self.hint(name, kind, schema)
        if candidate is None:
            return _NOTHING
        if _seeds(candidate, kind):
            self.hinted_count += 1
            return _Seeded(candidate)
        if kind == "integer" and isinstance(candidate, float) and candidate.is_integer():
            candidate = int(candidate)
        if not _fits(candidate, kind, schema):
            return _NOTHING
        self.hinted_count += 1
        return candidate

    def value(self, schema: Schema, name: str = "", depth: int = 0) -> Any:
        if schema is True:
            return self._string({}, name)
        if schema is False:
            raise UnsatisfiableSchema("the schema `false` admits no value")
        if not isinstance(schema, Mapping):
            raise UnsatisfiableSchema(f"not a schema: {schema!r}")
        if "$ref" in schema:
            return self.value(self._merge(self.resolve(schema["$ref"]), _without(schema, "$ref")), name, depth + 1)
        if "allOf" in schema:
            merged: Schema = _without(schema, "allOf")
            for part in schema["allOf"]:
                merged = self._merge(merged, self._deref(part))
            return self.value(merged, name, depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if not schema["enum"]:
                raise UnsatisfiableSchema("empty enum")
            choice = self.rng.choice(schema["enum"])
            hinted = self._hinted(name, "enum", schema)
            return choice if hinted is _NOTHING else hinted
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                branch = self._seeded_branch(schema[keyword], name) or self._branch(schema[keyword], depth)
                return self.value(self._merge(_without(schema, keyword), self._deref(branch)), name, depth + 1)
        return self._typed(schema, self._type(schema, depth), name, depth)

    # ---- references and combinators

    def resolve(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise UnsatisfiableSchema(f"only local references are supported, not {ref!r}")
        node: Any = self.root
        for part in ref[1:].lstrip("/").split("/") if ref != "#" else []:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise UnsatisfiableSchema(f"unresolvable reference {ref!r}")
        return node  # type: ignore[no-any-return]

    def _deref(self, schema: Schema) -> Schema:
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 32:
            schema = self._merge(self.resolve(schema["$ref"]), _without(schema, "$ref"))
            seen += 1
        return schema

    def _merge(self, base: Schema, extra: Schema) -> Schema:
        if not isinstance(base, Mapping) or not isinstance(extra, Mapping):
            return extra if base is True else base
        merged = dict(base)
        for key, value in extra.items():
            if key == "properties" and key in merged:
                merged[key] = {**merged[key], **value}
            elif key == "required" and key in merged:
                merged[key] = list(dict.fromkeys([*merged[key], *value]))
            elif key in ("minimum", "minLength", "minItems", "exclusiveMinimum", "minProperties") and key in merged:
                merged[key] = max(merged[key], value)
            elif key in ("maximum", "maxLength", "maxItems", "exclusiveMaximum", "maxProperties") and key in merged:
                merged[key] = min(merged[key], value)
            elif key == "type" and key in merged:
                merged[key] = _intersect_types(merged[key], value)
            else:
                merged[key] = value
        return merged

    def _branch(self, branches: list[Schema], depth: int) -> Schema:
        if not branches:
            raise UnsatisfiableSchema("empty anyOf/oneOf")
        if depth >= MAX_DEPTH:  # stop recursion: take the branch least likely to nest further
            return min(branches, key=lambda branch: len(json.dumps(self._deref(branch), default=str)))
        return self.rng.choice(branches)

    def _seeded_branch(self, branches: list[Schema], name: str) -> Schema | None:
        """The first branch whose type takes the value the seed gives this property, if it gives one."""
        if self.seed is None or name not in self.seed:
            return None
        wanted = _json_kind(self.seed[name])
        for branch in branches:
            resolved = self._deref(branch)
            if not isinstance(resolved, Mapping):
                continue
            declared = resolved.get("type") or self._type(resolved, 0)
            kinds = set(declared) if isinstance(declared, list) else {declared}
            if wanted in kinds or (wanted == "integer" and "number" in kinds):
                return branch
        return None

    def _type(self, schema: Mapping[str, Any], depth: int) -> str:
        declared = schema.get("type")
        if isinstance(declared, list):
            options = [t for t in declared if t in JSON_TYPES] or ["null"]
            if depth >= MAX_DEPTH and "null" in options:
                return "null"
            non_null = [t for t in options if t != "null"]
            return self.rng.choice(non_null) if non_null and self.rng.random() < 0.9 else self.rng.choice(options)
        if isinstance(declared, str):
            return declared
        if schema.get("nullable") is True and depth >= MAX_DEPTH:
            return "null"
        for keywords, kind in (
            (("properties", "required", "additionalProperties", "minProperties"), "object"),
            (("items", "prefixItems", "minItems", "maxItems", "contains"), "array"),
            (("minLength", "maxLength", "pattern", "format"), "string"),
            (("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "number"),
        ):
            if any(keyword in schema for keyword in keywords):
                return kind
        return "string"

    def _typed(self, schema: Mapping[str, Any], kind: str, name: str, depth: int) -> Any:
        if self.hint is not None and kind != "null":
            hinted = self._hinted(name, kind, schema)
            if isinstance(hinted, _Seeded):
                return self._seeded(schema, kind, name, depth, hinted.value)
            if hinted is not _NOTHING:
                return hinted
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return self._integer(schema, name)
        if kind == "number":
            return self._number(schema, name)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self._string(schema, name)

    # ---- structures

    def _seeded(self, schema: Mapping[str, Any], kind: str, name: str, depth: int, seed: Any) -> Any:
        """An object whose properties take the seed's values where they fit (the others generated as usual), or an
        array with one such object per seed (within its item bounds)."""
        if kind == "object":
            self.pending = seed
            return self._object(schema, depth)
        singular = name[:-1] if name.endswith("s") else name or "item"
        items: Schema = schema.get("items", True)
        low, high = int(schema.get("minItems", 0)), int(schema.get("maxItems", max(len(seed), 1)))
        outer, result = self.seed, []
        try:
            for each in seed[:high]:
                self.seed = {singular: each}
                result.append(self.value(items, singular, depth + 1))
            self.seed = None
            while len(result) < low:
                result.append(self.value(items, singular, depth + 1))
        finally:
            self.seed = outer
        return result

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Schema] = schema.get("properties") or {}
        required = [key for key in schema.get("required") or [] if isinstance(key, str)]
        chosen = list(dict.fromkeys(required))
        # The seed of this object (none unless a hint gave one), not its parent's, fills its properties.
        outer, self.seed, self.pending = self.seed, self.pending, None
        try:
            return self._filled(schema, properties, chosen, depth)
        finally:
            self.seed = outer

    def _filled(
        self, schema: Mapping[str, Any], properties: Mapping[str, Schema], chosen: list[str], depth: int
    ) -> dict[str, Any]:
        maximum = schema.get("maxProperties", math.inf)
        if self.seed is not None:
            chosen += [key for key in self.seed if key in properties and key not in chosen]
        at_random = self.optional_hint is None and depth < MAX_DEPTH
        for key in properties:
            if key in chosen or len(chosen) >= maximum:
                continue
            if self.all_properties or (at_random and self.rng.random() < 0.6):
                chosen.append(key)
        for key in list(chosen):  # dependentRequired pulls its partners in
            chosen.extend(k for k in (schema.get("dependentRequired") or {}).get(key, []) if k not in chosen)
        order = {key: index for index, key in enumerate(properties)}
        if self.hint is not None:  # values read from a prompt are taken in the order the schema declares them
            chosen.sort(key=lambda key: order.get(key, len(order)))
        extra_schema = schema.get("additionalProperties", True)
        result: dict[str, Any] = {}
        for key in chosen:
            declared = properties.get(key, extra_schema if extra_schema is not False else True)
            if self.optional_hint is not None and self.all_properties and self._admits_null(declared):
                supplied, value = self._probe(declared, key, depth + 1)  # strict: optional means nullable
                result[key] = value if supplied else None
            else:
                result[key] = self.value(declared, key, depth + 1)
        if self.hint is not None:  # an optional property the prompt gives a value for is present
            for key in properties:
                if key in result or len(result) >= maximum or key in (schema.get("dependentRequired") or {}):
                    continue
                supplied, value = self._probe(properties[key], key, depth + 1)
                if supplied:
                    result[key] = value
            result = dict(sorted(result.items(), key=lambda item: order.get(item[0], len(order))))
        extra = 0
        while len(result) < schema.get("minProperties", 0):
            if extra_schema is False:
                raise UnsatisfiableSchema("minProperties exceeds the allowed properties")
            extra += 1
            key = f"extra_{extra}"
            result[key] = self.value(extra_schema, key, depth + 1)
        return result

    def _probe(self, schema: Schema, name: str, depth: int) -> tuple[bool, Any]:
        """A value for an optional property, and whether the hint supplied any of it (the stricter
        `optional_hint` answers for the whole subtree when there is one)."""
        before, hint = self.hinted_count, self.hint
        self.hint = self.optional_hint or hint
        try:
            value = self.value(self._non_null(schema), name, depth)  # what a prompt supplies is never null
        finally:
            self.hint = hint
        return self.hinted_count > before, value

    def _non_null(self, schema: Schema) -> Schema:
        """The schema without its null options (type, branches, enum), where something else is left."""
        schema = self._deref(schema)
        if not isinstance(schema, Mapping):
            return schema
        narrowed = dict(schema)
        if isinstance(narrowed.get("type"), list):
            narrowed["type"] = [kind for kind in narrowed["type"] if kind != "null"] or narrowed["type"]
        if isinstance(narrowed.get("enum"), list):
            narrowed["enum"] = [option for option in narrowed["enum"] if option is not None] or narrowed["enum"]
        for key in ("anyOf", "oneOf"):
            if isinstance(narrowed.get(key), list):
                kept = [part for part in narrowed[key] if not _only_null(self._deref(part))]
                narrowed[key] = kept or narrowed[key]
        return narrowed

    def _admits_null(self, schema: Schema) -> bool:
        """Does the schema say null explicitly (a "null" type, a null branch, enum or const) and accept it?"""
        schema = self._deref(schema)
        if not isinstance(schema, Mapping) or "not" in schema or "allOf" in schema:
            return False  # (an allOf is generated as usual rather than reasoned about)
        if "const" in schema:
            return schema["const"] is None
        if "enum" in schema:
            return None in schema["enum"]
        declared = schema.get("type", [])
        types = declared if isinstance(declared, list) else [declared]
        if "type" in schema and "null" not in types:
            return False
        branches = {key: [self._admits_null(part) for part in schema.get(key) or ()] for key in ("anyOf", "oneOf")}
        if ("anyOf" in schema and not any(branches["anyOf"])) or ("oneOf" in schema and sum(branches["oneOf"]) != 1):
            return False
        return "null" in types or any(branches["anyOf"]) or any(branches["oneOf"])

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        outer, self.seed = self.seed, None  # (the items of an unseeded array have no seed either)
        try:
            return self._items(schema, name, depth)
        finally:
            self.seed = outer

    def _items(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        prefix: list[Schema] = list(schema.get("prefixItems") or [])
        items: Schema = schema.get("items", True)
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = list(items), schema.get("additionalItems", True)
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        if low > high:
            raise UnsatisfiableSchema("minItems > maxItems")
        shallow = depth < MAX_DEPTH
        count = self.rng.randint(max(low, min(1, high)), max(low, min(high, low + 3))) if shallow else low
        count = max(count, min(len(prefix), high)) if prefix and items is False else count
        singular = name[:-1] if name.endswith("s") else name
        result: list[Any] = []
        attempts = 0
        while len(result) < count and attempts < count * 20 + 20:
            attempts += 1
            index = len(result)
            item_schema = prefix[index] if index < len(prefix) else items
            if item_schema is False:
                break
            value = self.value(item_schema, singular, depth + 1)
            if schema.get("uniqueItems") and _canonical(value) in {_canonical(v) for v in result}:
                continue
            result.append(value)
        if len(result) < low:
            raise UnsatisfiableSchema("cannot produce enough distinct items")
        if "contains" in schema and schema.get("maxContains", 1) >= 1:
            needed = self.value(schema["contains"], singular, depth + 1)
            if len(result) >= high and result:
                result[-1] = needed
            else:
                result.append(needed)
        return result

    # ---- scalars

    def _string(self, schema: Mapping[str, Any], name: str) -> str:
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, 10_000)))
        text: str | None = None
        if "pattern" in schema:
            text = _from_pattern(str(schema["pattern"]), self.rng)
            if text is not None:
                return text
        if "format" in schema:
            text = _format_value(str(schema["format"]), self.rng)
        if text is None and name:
            text = _name_hint(name, self.rng)
        if text is None:
            text = f"{self.rng.choice(_WORDS)} {self.rng.choice(_WORDS)}"
        filler = " ".join(_WORDS)
        while len(text) < low:
            text += " " + filler
        return text[:high] if len(text) > high else text

    def _bounds(
        self, schema: Mapping[str, Any], integer: bool, natural: tuple[int, int] | None = None
    ) -> tuple[float, float]:
        """The value's range: the schema's bounds, else `natural` (what the property's name holds), else 1–100."""
        low, high = -math.inf, math.inf
        if "minimum" in schema:
            low = schema["minimum"]
        if "maximum" in schema:
            high = schema["maximum"]
        step = 1 if integer else 1e-6
        exclusive_min, exclusive_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if exclusive_min is True:  # draft 4: a flag on minimum
            low += step
        elif isinstance(exclusive_min, int | float) and not isinstance(exclusive_min, bool):
            low = max(low, exclusive_min + step)
        if exclusive_max is True:
            high -= step
        elif isinstance(exclusive_max, int | float) and not isinstance(exclusive_max, bool):
            high = min(high, exclusive_max - step)
        # Bounds as wide as a type's own (zod's `int()` writes ±2^53-1) say nothing of the value: as if absent.
        low = -math.inf if low <= -_VAST else low
        high = math.inf if high >= _VAST else high
        if low == -math.inf and high == math.inf:
            low, high = natural or ((1, 100) if integer else (0.0, 100.0))
        elif low == -math.inf:
            low = high - 100
        elif high == math.inf:
            high = low + 100
        if low > high:
            raise UnsatisfiableSchema("minimum > maximum")
        return low, high

    def _integer(self, schema: Mapping[str, Any], name: str) -> int:
        low, high = self._bounds(schema, integer=True, natural=_natural_range(name))
        low_int, high_int = math.ceil(low), math.floor(high)
        multiple = schema.get("multipleOf")
        if multiple:
            first, last = math.ceil(low_int / multiple), math.floor(high_int / multiple)
            if first > last:
                raise UnsatisfiableSchema("no multiple of multipleOf within bounds")
            return int(self.rng.randint(first, last) * multiple)
        if low_int > high_int:
            raise UnsatisfiableSchema("no integer within bounds")
        return self.rng.randint(low_int, high_int)

    def _number(self, schema: Mapping[str, Any], name: str) -> float | int:
        low, high = self._bounds(schema, integer=False)
        multiple = schema.get("multipleOf")
        if multiple:
            first, last = math.ceil(low / multiple), math.floor(high / multiple)
            if first > last:
                raise UnsatisfiableSchema("no multiple of multipleOf within bounds")
            return self._multiple(first, last, multiple)
        if not _fractional(name, schema) and math.ceil(low) <= math.floor(high):
            return self.rng.randint(math.ceil(low), math.floor(high))
        value = round(self.rng.uniform(low, high), 2)
        return value if low <= value <= high else low

    def _multiple(self, first: int, last: int, multiple: float) -> float | int:
        """k × multipleOf for a k whose product survives float division (0.1 × 3 / 0.1 ≠ 3 in floats)."""
        if float(multiple).is_integer():
            return int(self.rng.randint(first, last) * multiple)
        candidates = [self.rng.randint(first, last) for _ in range(20)] + list(range(first, min(last, first + 50) + 1))
        for k in candidates:
            for value in (k * multiple, round(k * multiple, 12)):
                if (value / multiple).is_integer():
                    return value
        raise UnsatisfiableSchema("no representable multiple of multipleOf within bounds")


def generate_value(
    schema: Schema,
    rng: random.Random,
    *,
    name: str = "",
    all_properties: bool = False,
    hint: Hint | None = None,
    optional_hint: Hint | None = None,
) -> Any:
    """One value that validates against `schema` (the root for `$ref`s). `all_properties` fills every
    declared property, as strict structured outputs do; `hint` offers values read from the request;
    `optional_hint` (stricter: only values the request ties to the property) makes optional properties present
    only when it supplies one, and nullable ones null under `all_properties` (a model's function arguments)."""
    generator = ValueGenerator(schema, rng, all_properties=all_properties, hint=hint, optional_hint=optional_hint)
    return generator.value(schema, name)


def _fractional(name: str, schema: Mapping[str, Any]) -> bool:
    """Does the number's name or description say it has a fractional part (`FRACTION_WORDS`)?"""
    if name.lower() == "top_p":
        return True
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", f"{name} {schema.get('description') or ''}").lower()
    return any(word in FRACTION_WORDS or word.rstrip("s") in FRACTION_WORDS for word in re.findall(r"[a-z]+", spaced))


_NOTHING = object()


class _Seeded(NamedTuple):
    value: Any  # a mapping (an object's values) or a list of mappings (an array of objects')


def _seeds(candidate: Any, kind: str) -> bool:
    """Is the hint's value a seed: a mapping for an object, a non-empty list of mappings for an array?"""
    if kind == "object":
        return isinstance(candidate, Mapping)
    return (
        kind == "array"
        and isinstance(candidate, list)
        and bool(candidate)
        and all(isinstance(item, Mapping) for item in candidate)
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, Mapping) else "array"


_FORMATS = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "idn-email": re.compile(r"[^@\s]+@[^@\s]+"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "date-time": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"),
    "uri": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+"),
    "url": re.compile(r"https?://\S+"),
}


def _fits(value: Any, kind: str, schema: Mapping[str, Any]) -> bool:  # noqa: C901
    """Does a value read from a prompt satisfy this (scalar, or array of scalars) schema?"""
    if kind == "enum":
        return value in (schema.get("enum") or [])
    if "enum" in schema and value not in schema["enum"]:
        return False
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind == "integer" and not isinstance(value, int))
        ):
            return False
        if not math.isfinite(value):
            return False
        for key, ok in (
            ("minimum", lambda bound: value >= bound),
            ("maximum", lambda bound: value <= bound),
            ("exclusiveMinimum", lambda bound: isinstance(bound, bool) or value > bound),
            ("exclusiveMaximum", lambda bound: isinstance(bound, bool) or value < bound),
        ):
            if key in schema and not ok(schema[key]):
                return False
        multiple = schema.get("multipleOf")
        return not multiple or (value / multiple).is_integer()
    if kind == "string":
        if not isinstance(value, str) or not value:
            return False
        if not int(schema.get("minLength", 0)) <= len(value) <= int(schema.get("maxLength", 10_000)):
            return False
        if "pattern" in schema:
            try:
                if not re.search(str(schema["pattern"]), value):
                    return False
            except re.error:
                return False
        fmt = _FORMATS.get(str(schema.get("format", "")))
        return fmt is None or fmt.fullmatch(value) is not None
    if kind == "array":
        if not isinstance(value, list) or not value:
            return False
        if not int(schema.get("minItems", 0)) <= len(value) <= int(schema.get("maxItems", 10_000)):
            return False
        if schema.get("uniqueItems") and len({_canonical(v) for v in value}) < len(value):
            return False
        if "contains" in schema or "prefixItems" in schema:
            return False
        items = schema.get("items", True)
        if items is True:
            return True
        if not isinstance(items, Mapping) or set(items) & {"$ref", "anyOf", "oneOf", "allOf", "const"}:
            return False
        item_kind = "enum" if "enum" in items else items.get("type")
        return (
            isinstance(item_kind, str)
            and item_kind not in ("object", "array")
            and all(_fits(item, item_kind, items) for item in value)
        )
    return False


_VAST = 2**31
# What an integer property of such a name holds when its schema sets no bounds: (low, high).
_NATURAL_RANGES = (
    (("year",), (1950, 2026)),
    (("age",), (18, 90)),
    (("population", "inhabitants"), (50_000, 12_000_000)),
    (("month",), (1, 12)),
    (("day",), (1, 28)),
    (("hour",), (0, 23)),
    (("minute", "second"), (0, 59)),
)


def _natural_range(name: str) -> tuple[int, int] | None:
    words = set(re.findall(r"[a-z]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower().replace("_", " ")))
    return next((bounds for names, bounds in _NATURAL_RANGES if words & set(names)), None)


def _only_null(schema: Schema) -> bool:
    if not isinstance(schema, Mapping):
        return False
    return schema.get("type") in ("null", ["null"]) or ("const" in schema and schema["const"] is None)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _without(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def _intersect_types(first: Any, second: Any) -> Any:
    a = set(first if isinstance(first, list) else [first])
    b = set(second if isinstance(second, list) else [second])
    if "number" in a and "integer" in b:
        a.add("integer")
    if "number" in b and "integer" in a:
        b.add("integer")
    both = sorted(a & b)
    if not both:
        raise UnsatisfiableSchema("allOf branches have no type in common")
    return both[0] if len(both) == 1 else both


# --------------------------------------------------------------------------------------------- schema checks
