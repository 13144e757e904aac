"""What the images and audio builders share: the real API's wording for values
out of range (its 400s name the parameter and the limit: "Invalid 'input': string too long. …")."""

from __future__ import annotations

from collections.abc import Iterable

from openai_mock.errors import OpenAIError, invalid_request


def _quoted(values: Iterable[object]) -> str:
    items = [f"'{value}'" for value in values]
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]


def invalid_choice(param: str, value: object, allowed: Iterable[object]) -> OpenAIError:
    return invalid_request(
        f"Invalid value: '{value}'. Supported values are: {_quoted(allowed)}.", param, "invalid_value"
    )


def check_choice(param: str, value: object, allowed: Iterable[object]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise invalid_choice(param, value, allowed)


def check_length(param: str, text: str, maximum: int, minimum: int = 0) -> None:
    if len(text) > maximum:
        raise invalid_request(
            f"Invalid '{param}': string too long. Expected a string with maximum length {maximum}, "
            f"but got a string with length {len(text)} instead.",
            param,
            "string_above_max_length",
        )
    if len(text) < minimum:
        raise invalid_request(
            f"Invalid '{param}': string too short. Expected a string with minimum length {minimum}, "
            f"but got {'an empty string' if not text else f'a string with length {len(text)}'} instead.",
            param,
            "string_below_min_length",
        )


def check_range(param: str, value: float, minimum: float, maximum: float) -> None:
    """Integers and decimals between two bounds, worded as the real API words it."""
    kind = "integer" if isinstance(value, int) else "decimal"
    if value > maximum:
        raise invalid_request(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {maximum:g}, "
            f"but got {value:g} instead.",
            param,
            f"{kind}_above_max_value",
        )
    if value < minimum:
        raise invalid_request(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {minimum:g}, "
            f"but got {value:g} instead.",
            param,
            f"{kind}_below_min_value",
        )
