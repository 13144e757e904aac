"""Vector store request bodies (pydantic) and the explicit checks the real API makes, with its wording:
chunking strategies, file attributes, search filters, expiration policies."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, JsonValue, StrictBool, StrictInt

from openai_mock.checks import check_enum, check_max_items, check_range
from openai_mock.errors import invalid_request
from openai_mock.fields import Decimal, RequestModel

AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS = 800, 400  # what `auto` means, as the real API reports it
MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 100, 4096
MAX_FILE_IDS = 500
MAX_ATTRIBUTES, MAX_ATTRIBUTE_KEY, MAX_ATTRIBUTE_VALUE = 16, 64, 512
MAX_EXPIRY_DAYS = 365
COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte")
COMPOUNDS = ("and", "or")
# `none` turns re-ranking off (results in first-pass retrieval order: search.py); the others re-rank.
RANKERS = ("none", "auto", "default-2024-11-15")


class _Body(RequestModel):
    model_config = ConfigDict(extra="forbid")


class CreateVectorStoreRequest(_Body):
    file_ids: list[str] | None = None
    name: str | None = None
    description: str | None = None
    expires_after: JsonValue = None
    chunking_strategy: JsonValue = None
    metadata: dict[str, str] | None = None


class UpdateVectorStoreRequest(_Body):
    name: str | None = None
    expires_after: JsonValue = None  # null removes the policy; absent keeps it (see model_fields_set)
    metadata: dict[str, str] | None = None


class CreateVectorStoreFileRequest(_Body):
    file_id: str
    chunking_strategy: JsonValue = None
    attributes: JsonValue = None


class CreateVectorStoreFileBatchRequest(_Body):
    # Exactly one of `file_ids` (with the batch's `chunking_strategy` and `attributes`) and `files` (each file
    # with its own; the batch's are then ignored).
    file_ids: list[str] | None = None
    files: list[CreateVectorStoreFileRequest] | None = None
    chunking_strategy: JsonValue = None
    attributes: JsonValue = None


class UpdateVectorStoreFileAttributesRequest(_Body):
    attributes: JsonValue


class RankingOptions(_Body):
    ranker: str = "auto"
    score_threshold: Decimal = 0.0


class VectorStoreSearchRequest(_Body):
    query: str | list[str]
    rewrite_query: StrictBool = False
    max_num_results: StrictInt = 10
    filters: JsonValue = None
    ranking_options: RankingOptions | None = None


# --------------------------------------------------------------------------- checks


def _type_name(value: Any) -> str:
    for python_type, name in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ):
        if isinstance(value, python_type):
            return name
    return "null"


def _expect_object(value: Any, param: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {_type_name(value)} instead.",
            param,
            "invalid_type",
        )
    return value


def _expect_int(value: Any, param: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_request(
            f"Invalid type for '{param}': expected an integer, but got {_type_name(value)} instead.",
            param,
            "invalid_type",
        )
    return value


def _missing(param: str) -> None:
    raise invalid_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _no_extra(value: dict[str, Any], allowed: tuple[str, ...], param: str) -> None:
    for key in value:
        if key not in allowed:
            raise invalid_request(
                f"Unrecognized request argument supplied: {param}.{key}", f"{param}.{key}", "unknown_parameter"
            )


def chunking_strategy(value: Any, param: str = "chunking_strategy") -> tuple[int, int]:
    """(max_chunk_size_tokens, chunk_overlap_tokens) of an `auto`/`static` strategy (None = auto)."""
    if value is None:
        return AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS
    strategy = _expect_object(value, param)
    if "type" not in strategy:
        _missing(f"{param}.type")
    check_enum(strategy["type"], ("auto", "static"), f"{param}.type")
    if strategy["type"] == "auto":
        _no_extra(strategy, ("type",), param)
        return AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS
    _no_extra(strategy, ("type", "static"), param)
    if "static" not in strategy:
        _missing(f"{param}.static")
    static = _expect_object(strategy["static"], f"{param}.static")
    _no_extra(static, ("max_chunk_size_tokens", "chunk_overlap_tokens"), f"{param}.static")
    for key in ("max_chunk_size_tokens", "chunk_overlap_tokens"):
        if key not in static:
            _missing(f"{param}.static.{key}")
    size = _expect_int(static["max_chunk_size_tokens"], f"{param}.static.max_chunk_size_tokens")
    overlap = _expect_int(static["chunk_overlap_tokens"], f"{param}.static.chunk_overlap_tokens")
    check_range(size, f"{param}.static.max_chunk_size_tokens", MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS)
    check_range(overlap, f"{param}.static.chunk_overlap_tokens", 0)
    if overlap > size // 2:
        raise invalid_request(
            f"Invalid '{param}.static.chunk_overlap_tokens': chunk_overlap_tokens must not exceed half of "
            f"max_chunk_size_tokens ({size // 2} for max_chunk_size_tokens={size}), but got {overlap}.",
            f"{param}.static.chunk_overlap_tokens",
            "invalid_value",
        )
    return size, overlap


def strategy_object(size: int, overlap: int) -> dict[str, Any]:
    """How a file's strategy is reported: `auto` resolves to the static 800/400 it stands for."""
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def attributes(value: Any, param: str = "attributes") -> dict[str, str | int | float | bool] | None:
    """At most 16 pairs; keys up to 64 characters; values strings (up to 512), numbers or booleans."""
    if value is None:
        return None
    pairs = _expect_object(value, param)
    if len(pairs) > MAX_ATTRIBUTES:
        raise invalid_request(
            f"Invalid '{param}': too many properties. Expected an object with at most {MAX_ATTRIBUTES} properties, "
            f"but got an object with {len(pairs)} properties instead.",
            param,
            "object_above_max_properties",
        )
    for key, item in pairs.items():
        if len(key) > MAX_ATTRIBUTE_KEY:
            raise invalid_request(
                f"Invalid '{param}': string too long. Expected a string with maximum length {MAX_ATTRIBUTE_KEY}, "
                f"but got a string with length {len(key)} instead.",
                param,
                "string_above_max_length",
            )
        if not isinstance(item, str | int | float):  # bool is an int
            raise invalid_request(
                f"Invalid type for '{param}.{key}': expected one of a string, number, or boolean, but got "
                f"{_type_name(item)} instead.",
                f"{param}.{key}",
                "invalid_type",
            )
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_VALUE:
            raise invalid_request(
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum length "
                f"{MAX_ATTRIBUTE_VALUE}, but got a string with length {len(item)} instead.",
                f"{param}.{key}",
                "string_above_max_length",
            )
    return dict(pairs)


def expires_after(value: Any, param: str = "expires_after") -> dict[str, Any] | None:
    """`{anchor: "last_active_at", days: 1-365}`."""
    if value is None:
        return None
    policy = _expect_object(value, param)
    _no_extra(policy, ("anchor", "days"), param)
    for key in ("anchor", "days"):
        if key not in policy:
            _missing(f"{param}.{key}")
    check_enum(policy["anchor"], ("last_active_at",), f"{param}.anchor")
    days = _expect_int(policy["days"], f"{param}.days")
    check_range(days, f"{param}.days", 1, MAX_EXPIRY_DAYS)
    return {"anchor": "last_active_at", "days": days}


def file_ids(ids: list[str], param: str = "file_ids", *, required: bool = False) -> list[str]:
    if required and not ids:
        raise invalid_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param,
            "empty_array",
        )
    check_max_items(ids, MAX_FILE_IDS, param)
    return list(dict.fromkeys(ids))  # the same file twice is attached once


def filters(value: Any, param: str = "filters") -> dict[str, Any] | None:
    """A comparison `{type: eq…lte, key, value}` or a compound `{type: and/or, filters: [...]}`, recursively."""
    if value is None:
        return None
    node = _expect_object(value, param)
    kind = node.get("type", "eq")
    check_enum(kind, COMPARISONS + COMPOUNDS, f"{param}.type")
    if kind in COMPOUNDS:
        _no_extra(node, ("type", "filters"), param)
        if "filters" not in node:
            _missing(f"{param}.filters")
        children = node["filters"]
        if not isinstance(children, list):
            raise invalid_request(
                f"Invalid type for '{param}.filters': expected an array, but got {_type_name(children)} instead.",
                f"{param}.filters",
                "invalid_type",
            )
        return {
            "type": kind,
            "filters": [filters(child, f"{param}.filters[{index}]") for index, child in enumerate(children)],
        }
    _no_extra(node, ("type", "key", "value"), param)
    for key in ("key", "value"):
        if key not in node:
            _missing(f"{param}.{key}")
    if not isinstance(node["key"], str):
        raise invalid_request(
            f"Invalid type for '{param}.key': expected a string, but got {_type_name(node['key'])} instead.",
            f"{param}.key",
            "invalid_type",
        )
    if not isinstance(node["value"], str | int | float):
        raise invalid_request(
            f"Invalid type for '{param}.value': expected one of a string, number, or boolean, but "
            f"got {_type_name(node['value'])} instead.",
            f"{param}.value",
            "invalid_type",
        )
    return {"type": kind, "key": node["key"], "value": node["value"]}


def queries(query: str | list[str]) -> list[str]:
    items = [query] if isinstance(query, str) else query
    if not items:
        raise invalid_request(
            "Invalid 'query': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "query",
            "empty_array",
        )
    for index, item in enumerate(items):
        if not item.strip():
            param = "query" if isinstance(query, str) else f"query[{index}]"
            raise invalid_request(
                f"Invalid '{param}': string too short. Expected a non-empty search query.",
                param,
                "string_below_min_length",
            )
    return items


def search_options(body: VectorStoreSearchRequest) -> tuple[int, str, float]:
    """(max_num_results, ranker, score_threshold), range-checked."""
    check_range(body.max_num_results, "max_num_results", 1, 50)
    options = body.ranking_options or RankingOptions()
    check_enum(options.ranker, RANKERS, "ranking_options.ranker")
    check_range(options.score_threshold, "ranking_options.score_threshold", 0, 1, decimal=True)
    return body.max_num_results, options.ranker, options.score_threshold
