"""Explicit request checks shared by every endpoint (chat, completions, images, audio…), worded like the
real API's 400s: ranges, enums, array lengths, metadata, stop sequences. (Whether a model serves an endpoint is
resources/models.py's to say.)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openai_mock.errors import invalid_request

_METADATA_MAX_KEYS, _METADATA_MAX_KEY, _METADATA_MAX_VALUE = 16, 64, 512


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_range(
    value: float | None,
    param: str,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    decimal: bool = False,
) -> None:
    """`Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.` A value that is not
    a number at all (a list, a string, a boolean read from a loosely typed field) is `invalid_type`."""
    if value is None:
        return
    kind = "decimal" if decimal else "integer"
    integral = not isinstance(value, float) or value.is_integer()
    if isinstance(value, bool) or not isinstance(value, int | float) or not (decimal or integral):
        expected = "a decimal" if decimal else "an integer"
        raise invalid_request(
            f"Invalid type for '{param}': expected {expected}, but got {_json_type(value)} instead.",
            param,
            "invalid_type",
        )
    if minimum is not None and not value >= minimum:  # written so NaN fails too (JSON allows no NaN)
        raise invalid_request(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {_number(minimum)}, but got "
            f"{_number(value)} instead.",
            param,
            f"{kind}_below_min_value",
        )
    if maximum is not None and not value <= maximum:
        raise invalid_request(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {_number(maximum)}, but got "
            f"{_number(value)} instead.",
            param,
            f"{kind}_above_max_value",
        )


def _json_type(value: Any) -> str:
    for python_type, name in ((bool, "a boolean"), (int, "an integer"), (float, "a decimal"), (str, "a string")):
        if isinstance(value, python_type):
            return name
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, dict) else "an unknown type"


def check_enum(value: Any, allowed: Sequence[str], param: str) -> None:
    """`Invalid value: 'robot'. Supported values are: 'system', 'user' and 'assistant'.`"""
    if value in allowed:
        return
    quoted = [f"'{item}'" for item in allowed]
    listing = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    raise invalid_request(f"Invalid value: '{value}'. Supported values are: {listing}.", param, "invalid_value")


def check_length(text: str, param: str, maximum: int, minimum: int = 0) -> None:
    """`Invalid 'input': string too long. Expected a string with maximum length 4096, but got …`"""
    if len(text) > maximum:
        raise invalid_request(
            f"Invalid '{param}': string too long. Expected a string with maximum length {maximum}, "
            f"but got a string with length {len(text)} instead.",
            param,
            "string_above_max_length",
        )
    if len(text) < minimum:
        got = "an empty string" if not text else f"a string with length {len(text)}"
        raise invalid_request(
            f"Invalid '{param}': string too short. Expected a string with minimum length {minimum}, "
            f"but got {got} instead.",
            param,
            "string_below_min_length",
        )


def check_max_items(items: Sequence[Any], maximum: int, param: str) -> None:
    if len(items) > maximum:
        raise invalid_request(
            f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, but got an array "
            f"with {len(items)} items instead.",
            param,
            "array_above_max_length",
        )


def check_metadata(metadata: Mapping[str, str] | None) -> None:
    """At most 16 pairs; keys up to 64 characters, values up to 512."""
    if metadata is None:
        return
    if len(metadata) > _METADATA_MAX_KEYS:
        raise invalid_request(
            f"Invalid 'metadata': too many properties. Expected an object with at most {_METADATA_MAX_KEYS} "
            f"properties, but got an object with {len(metadata)} properties instead.",
            "metadata",
            "object_above_max_properties",
        )
    for key, value in metadata.items():
        if len(key) > _METADATA_MAX_KEY:
            raise invalid_request(
                f"Invalid 'metadata': string too long. Expected a string with maximum length {_METADATA_MAX_KEY}, "
                f"but got a string with length {len(key)} instead.",
                "metadata",
                "string_above_max_length",
            )
        if len(value) > _METADATA_MAX_VALUE:
            raise invalid_request(
                f"Invalid 'metadata.{key}': string too long. Expected a string with maximum length "
                f"{_METADATA_MAX_VALUE}, but got a string with length {len(value)} instead.",
                f"metadata.{key}",
                "string_above_max_length",
            )


def stop_sequences(stop: Any) -> list[str]:
    """`stop`: null, a string, or 1-4 strings."""
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop]
    if not isinstance(stop, list) or not all(isinstance(item, str) for item in stop):
        raise invalid_request(
            "Invalid type for 'stop': expected one of a string or array of strings, but got "
            f"{type(stop).__name__} instead.",
            "stop",
            "invalid_type",
        )
    if not stop:
        raise invalid_request(
            "Invalid 'stop': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "stop",
            "empty_array",
        )
    check_max_items(stop, 4, "stop")
    return list(stop)
