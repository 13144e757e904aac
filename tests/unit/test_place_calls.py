"""Places in a request (generation/extract.py, facts.py): short city names written out, a city's country, and one
text per place when a request lists several (one parallel tool call each)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from openai_mock.generation import chat, extract, facts

WEATHER: dict[str, Any] = {
    "name": "get_weather",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
        "additionalProperties": False,
    },
}


def test_short_city_names_are_written_out() -> None:
    assert facts.expand_city_abbreviations("SF, NYC or LA") == "San Francisco, New York or Los Angeles"
    assert facts.expand_city_abbreviations("a sf la") == "a sf la"


@pytest.mark.parametrize(
    ("text", "each"),
    [
        (
            "What's the weather like in SF and New York?",
            ["What's the weather like in San Francisco?", "What's the weather like in New York?"],
        ),
        (
            "Weather in Tokyo, Paris and Berlin today",
            ["Weather in Tokyo today", "Weather in Paris today", "Weather in Berlin today"],
        ),
        ("weather in Paris, France", []),  # a city and its own country: one place
        ("flights from Paris to Rome", []),  # a route, not a list
        ("weather in Tokyo", []),
    ],
)
def test_a_list_of_places_gives_one_text_per_place(text: str, each: list[str]) -> None:
    assert extract.one_place_each(text) == each


def test_a_country_parameter_takes_the_citys_country_never_the_city() -> None:
    arguments = json.loads(chat._arguments(WEATHER, random.Random(1), "What's the weather like in San Francisco?"))
    assert arguments == {"city": "San Francisco", "country": "United States"}


def test_a_route_is_no_place_to_fan_out_over() -> None:
    route = {"properties": {"origin": {"type": "string"}, "destination": {"type": "string"}}}
    assert not extract.takes_place(route)
    assert extract.takes_place(WEATHER["parameters"])
