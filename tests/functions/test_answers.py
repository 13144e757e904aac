"""The answer corpus (#28): prompts whose answers can be checked, each with the property its answer must have,
through the official SDK, across Chat Completions, Responses and Assistants. Known misses are listed in
KNOWN_MISSES (and in docs/generation.md); the corpus as a whole must pass at 95 % or more."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import openai
import pytest

from openai_mock import clock
from tests.support.assistants_sdk import sleep_on_the_clock

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks Assistants deprecated


def fn(name: str, properties: dict[str, Any], required: list[str] | None = None, description: str = "") -> Any:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required or list(properties)},
        },
    }


S, INT, N, B = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
WEATHER = fn(
    "get_weather",
    {"location": S, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    ["location"],
    "Get the current weather for a city.",
)
MULTIPLY = fn("multiply", {"a": N, "b": N}, description="Multiply two numbers.")
ADD = fn("add", {"a": N, "b": N}, description="Add two numbers.")
MAGIC = fn("magic_function", {"input": INT}, description="Applies a magic function to an input.")
SEARCH = fn("search_web", {"query": S}, description="Search the web for information.")
EMAIL = fn(
    "send_email",
    {"to": {"type": "string", "format": "email"}, "subject": S, "body": S},
    ["to", "subject", "body"],
    "Send an email message to someone.",
)
STOCK = fn("get_stock_price", {"ticker": S}, description="Get the latest stock price for a ticker symbol.")
FLIGHT = fn(
    "book_flight",
    {"origin": S, "destination": S, "date": {"type": "string", "format": "date"}},
    description="Book a flight between two cities.",
)
ORDER = fn(
    "lookup_order",
    {"order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$"}},
    description="Look up an order by its id.",
)
CURRENCY = fn(
    "convert_currency",
    {
        "amount": N,
        "from_currency": {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"]},
        "to_currency": {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"]},
    },
    description="Convert an amount between currencies.",
)
EVENT = fn(
    "create_event",
    {"title": S, "date": {"type": "string", "format": "date"}, "attendees": {"type": "array", "items": S}},
    description="Create a calendar event.",
)
TRANSLATE = fn(
    "translate",
    {"text": S, "target_language": {"type": "string", "enum": ["French", "Spanish", "German", "Japanese"]}},
    description="Translate text into another language.",
)
FETCH = fn("fetch_url", {"url": {"type": "string", "format": "uri"}}, description="Download a web page.")
USER = fn("get_user", {"email": S}, description="Find a user account by email address.")
TIME = fn("get_time", {"timezone": S}, description="Get the current time in a timezone.")
ALL_TOOLS = [WEATHER, MULTIPLY, ADD, SEARCH, EMAIL, STOCK, FLIGHT, ORDER, CURRENCY, EVENT, TRANSLATE, FETCH, USER]
NOW = 1764849600  # 2025-12-04T12:00:00Z, a Thursday


@dataclass
class Case:
    id: str
    ask: str | list[dict[str, Any]]
    check: Callable[[Any], bool]
    api: str = "chat"  # "chat" | "responses"
    options: dict[str, Any] = field(default_factory=dict)


def says(*needles: str) -> Callable[[Any], bool]:
    return lambda answer: isinstance(answer, str) and all(n.lower() in answer.lower() for n in needles)


def exactly(expected: str) -> Callable[[Any], bool]:
    return lambda answer: isinstance(answer, str) and answer.strip() == expected


def calls(name: str, **arguments: Any) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        if not isinstance(answer, list) or not answer:
            return False
        found = next((args for called, args in answer if called == name), None)
        return found is not None and all(found.get(key) == value for key, value in arguments.items())

    return check


def only_calls(name: str, **arguments: Any) -> Callable[[Any], bool]:
    inner = calls(name, **arguments)
    return lambda answer: inner(answer) and len(answer) == 1


def text_only(*needles: str) -> Callable[[Any], bool]:
    inner = says(*needles)
    return lambda answer: isinstance(answer, str) and inner(answer)


def json_with(**fields: Any) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        try:
            value = json.loads(answer)
        except (TypeError, ValueError):
            return False
        return all(value.get(key) == expected for key, expected in fields.items())

    return check


def json_keys(*keys: str) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        try:
            value = json.loads(answer)
        except (TypeError, ValueError):
            return False
        return isinstance(value, dict) and all(key in value for key in keys)

    return check


def python_code(*needles: str) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        match = re.search(r"```python\n(.*?)```", answer or "", re.DOTALL)
        if not match:
            return False
        ast.parse(match[1])
        return all(needle in match[1] for needle in needles)

    return check


def fenced(language: str) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        match = re.search(rf"```{language}\n(.*?)```", answer or "", re.DOTALL)
        if match and language == "json":
            json.loads(match[1])
        return match is not None

    return check


def number_near(expected: float, tolerance: float = 0.01) -> Callable[[Any], bool]:
    def check(answer: Any) -> bool:
        found = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", (answer or "").replace(",", ""))]
        return any(abs(value - expected) <= tolerance * max(1, abs(expected)) for value in found)

    return check


def schema_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def strict_object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


JSON_MODE = {"response_format": {"type": "json_object"}}
PERSON = strict_object({"name": S, "age": INT, "email": S, "city": S})
EVENT_SCHEMA = strict_object({"name": S, "date": S, "participants": {"type": "array", "items": S}})
MATH_SCHEMA = strict_object({"answer": N})
BOOL_SCHEMA = strict_object({"urgent": B, "subject": S})
LIST_SCHEMA = strict_object({"items": {"type": "array", "items": S}})
COUNTRY_SCHEMA = strict_object({"country": S, "capital": S})
SENTIMENT = strict_object({"sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]}})


def tools(*chosen: Any) -> dict[str, Any]:
    return {"tools": list(chosen)}


def with_result(question: str, tool: Any, arguments: str, result: str) -> list[dict[str, Any]]:
    call = {"id": "call_1", "type": "function", "function": {"name": tool["function"]["name"], "arguments": arguments}}
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]


def remembered(*turns: str) -> list[dict[str, Any]]:
    messages = []
    for index, turn in enumerate(turns):
        messages.append({"role": "user", "content": turn})
        if index < len(turns) - 1:
            messages.append({"role": "assistant", "content": "Got it."})
    return messages


CASES: list[Case] = [
    # ---- 1. tool choice and arguments
    Case("tool-multiply-symbols", "whats 5 * 4", only_calls("multiply", a=5, b=4), options=tools(MULTIPLY, ADD)),
    Case("tool-multiply-times", "What is 12 times 9?", only_calls("multiply", a=12, b=9), options=tools(MULTIPLY, ADD)),
    Case(
        "tool-multiply-product",
        "Give me the product of 3 and 7",
        calls("multiply", a=3, b=7),
        options=tools(MULTIPLY, ADD),
    ),
    Case("tool-add-plus", "what's 17 plus 25", only_calls("add", a=17, b=25), options=tools(MULTIPLY, ADD)),
    Case("tool-add-sum", "Sum 2.5 and 4", only_calls("add", a=2.5, b=4), options=tools(MULTIPLY, ADD)),
    Case("tool-add-symbol", "10 + 32 = ?", only_calls("add", a=10, b=32), options=tools(MULTIPLY, ADD)),
    Case(
        "tool-magic-literal",
        "What is the value of magic_function(3)?",
        only_calls("magic_function", input=3),
        options=tools(MAGIC, ADD),
    ),
    Case(
        "tool-magic-kw",
        "Call magic_function(input=42) please",
        only_calls("magic_function", input=42),
        options=tools(MAGIC),
    ),
    Case("tool-magic-name", "Run the magic function on 7", calls("magic_function", input=7), options=tools(MAGIC, ADD)),
    Case(
        "tool-weather-paris",
        "What's the weather like in Paris today?",
        only_calls("get_weather", location="Paris"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-weather-multiword",
        "Is it raining in San Francisco?",
        calls("get_weather", location="San Francisco"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-weather-temperature",
        "Tell me the temperature in Tokyo in fahrenheit",
        calls("get_weather", location="Tokyo", unit="fahrenheit"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-weather-forecast",
        "Forecast for Berlin in celsius please",
        calls("get_weather", location="Berlin", unit="celsius"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-weather-sentence-start",
        "Paris weather?",
        calls("get_weather", location="Paris"),
        options=tools(WEATHER, SEARCH),
    ),
    Case(
        "tool-search-quoted",
        'Search the web for "best pizza in Naples"',
        only_calls("search_web", query="best pizza in Naples"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-search-lookup",
        "Look up the latest news about electric cars",
        calls("search_web"),
        options=tools(SEARCH, STOCK),
    ),
    Case(
        "tool-search-find",
        "Can you find information on the history of jazz?",
        calls("search_web"),
        options=tools(SEARCH, EMAIL),
    ),
    Case(
        "tool-email",
        "Send an email to bob@example.com saying the report is ready",
        calls("send_email", to="bob@example.com"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-email-subject",
        'Email alice@corp.io with subject "Lunch" and body "Noon works"',
        calls("send_email", to="alice@corp.io", subject="Lunch", body="Noon works"),
        options=tools(EMAIL, SEARCH),
    ),
    Case(
        "tool-stock",
        "What's the stock price of AAPL?",
        calls("get_stock_price", ticker="AAPL"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-stock-share",
        "How much is a share of MSFT right now?",
        calls("get_stock_price", ticker="MSFT"),
        options=tools(STOCK, SEARCH),
    ),
    Case(
        "tool-flight",
        "Book a flight from London to Rome on 2026-01-15",
        calls("book_flight", origin="London", destination="Rome", date="2026-01-15"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-flight-textdate",
        "Please reserve a flight from Boston to Chicago on March 3, 2026",
        calls("book_flight", origin="Boston", destination="Chicago", date="2026-03-03"),
        options=tools(FLIGHT, WEATHER),
    ),
    Case(
        "tool-flight-tomorrow",
        "I need a flight from Madrid to Lisbon tomorrow",
        calls("book_flight", origin="Madrid", destination="Lisbon", date="2025-12-05"),
        options=tools(FLIGHT, WEATHER),
    ),
    Case(
        "tool-order",
        "Where is my order ORD-123456?",
        calls("lookup_order", order_id="ORD-123456"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-order-lookup",
        "Look up order ORD-000042 for me",
        only_calls("lookup_order", order_id="ORD-000042"),
        options=tools(ORDER, SEARCH),
    ),
    Case(
        "tool-currency",
        "Convert 100 USD to EUR",
        calls("convert_currency", amount=100, from_currency="USD", to_currency="EUR"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-currency-exchange",
        "Exchange 250 GBP into JPY",
        calls("convert_currency", amount=250, from_currency="GBP", to_currency="JPY"),
        options=tools(CURRENCY, ADD),
    ),
    Case(
        "tool-event",
        'Create an event called "Sprint review" on 2026-02-10 with Alice and Bob',
        calls("create_event", title="Sprint review", date="2026-02-10", attendees=["Alice", "Bob"]),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-event-schedule",
        "Schedule a meeting on Friday",
        calls("create_event", date="2025-12-05"),
        options=tools(EVENT, EMAIL),
    ),
    Case(
        "tool-translate",
        'Translate "good morning" into Spanish',
        calls("translate", text="good morning", target_language="Spanish"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-translate-fr",
        'How do you say "thank you" in French? Use the translator.',
        calls("translate", text="thank you", target_language="French"),
        options=tools(TRANSLATE, SEARCH),
    ),
    Case(
        "tool-fetch",
        "Fetch https://example.org/docs/intro for me",
        calls("fetch_url", url="https://example.org/docs/intro"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "tool-user",
        "Find the user with email carol@example.net",
        calls("get_user", email="carol@example.net"),
        options=tools(USER, SEARCH),
    ),
    Case("tool-time", "What time is it in Tokyo?", calls("get_time"), options=tools(TIME, WEATHER)),
    Case(
        "tool-parallel",
        "What's the weather and the time in Tokyo?",
        lambda a: calls("get_weather")(a) and calls("get_time")(a),
        options=tools(WEATHER, TIME),
    ),
    Case("tool-required", "Hello there", calls("get_weather"), options={**tools(WEATHER), "tool_choice": "required"}),
    Case(
        "tool-named",
        "Tell me a joke about 6 cats",
        calls("multiply"),
        options={**tools(MULTIPLY, ADD), "tool_choice": {"type": "function", "function": {"name": "multiply"}}},
    ),
    Case(
        "tool-legacy-functions",
        "What's the weather in Oslo?",
        lambda a: a == [("get_weather", {"location": "Oslo"})] or calls("get_weather", location="Oslo")(a),
        options={"functions": [WEATHER["function"]]},
    ),
    # ... answering in text when nothing matches
    Case("notool-hello", "Hello there", lambda a: isinstance(a, str), options=tools(*ALL_TOOLS)),
    Case(
        "notool-poem", "Write a short poem about autumn leaves", lambda a: isinstance(a, str), options=tools(*ALL_TOOLS)
    ),
    Case("notool-capital", "What is the capital of Italy?", text_only("Rome"), options=tools(WEATHER, EMAIL, ORDER)),
    Case("notool-thanks", "Thanks, that was helpful!", lambda a: isinstance(a, str), options=tools(*ALL_TOOLS)),
    Case(
        "notool-explain",
        "Explain how photosynthesis works",
        lambda a: isinstance(a, str),
        options=tools(WEATHER, MULTIPLY, EMAIL),
    ),
    Case("notool-arith-no-tool", "What is 6 * 7?", text_only("42"), options=tools(WEATHER, EMAIL)),
    Case(
        "notool-none",
        "What's the weather in Paris?",
        lambda a: isinstance(a, str),
        options={**tools(WEATHER), "tool_choice": "none"},
    ),
    # ... after tool results arrive
    Case(
        "result-weather",
        with_result("Weather in Paris?", WEATHER, '{"location":"Paris"}', '{"temperature": 18, "condition": "cloudy"}'),
        text_only("18", "cloudy"),
        options=tools(WEATHER),
    ),
    Case(
        "result-multiply",
        with_result("whats 5 * 4", MULTIPLY, '{"a":5,"b":4}', "20"),
        text_only("20"),
        options=tools(MULTIPLY),
    ),
    Case(
        "result-plain",
        with_result("Stock price of AAPL?", STOCK, '{"ticker":"AAPL"}', "AAPL is trading at $189.20"),
        text_only("189.20"),
        options=tools(STOCK),
    ),
    Case(
        "result-order",
        with_result(
            "Where is ORD-123456?", ORDER, '{"order_id":"ORD-123456"}', '{"status": "shipped", "eta": "2025-12-08"}'
        ),
        text_only("shipped", "2025-12-08"),
        options=tools(ORDER),
    ),
    Case(
        "result-search",
        with_result("Search for pizza", SEARCH, '{"query":"pizza"}', "Top result: Da Michele, Naples"),
        text_only("Da Michele"),
        options=tools(SEARCH),
    ),
    # ---- 2. checkable answers
    Case("arith-mult", "What is 12 * 7?", says("84")),
    Case("arith-whats", "whats 5 * 4", says("20")),
    Case("arith-paren", "Compute (3 + 4) * 5", says("35")),
    Case("arith-words", "What is 17 plus 25?", says("42")),
    Case("arith-minus", "What's 100 minus 37?", says("63")),
    Case("arith-divide", "What is 144 divided by 12?", says("12")),
    Case("arith-float", "What is 7 / 2?", says("3.5")),
    Case("arith-power", "What is 2^10?", says("1024")),
    Case("arith-power-words", "What is 3 to the power of 4?", says("81")),
    Case("arith-percent", "What is 15% of 80?", says("12")),
    Case("arith-sqrt", "What is the square root of 144?", says("12")),
    Case("arith-squared", "What is 9 squared?", says("81")),
    Case("arith-big", "Calculate 123456 * 789", says("97406784")),
    Case("arith-negative", "What is 5 - 12?", says("-7")),
    Case("arith-times-x", "what's 6 x 7", says("42")),
    Case("arith-decimal", "What is 0.1 + 0.2?", number_near(0.3, 0.001)),
    Case("arith-chain", "Calculate 2 + 3 * 4 - 1", says("13")),
    Case("arith-factorial", "What is 5 factorial?", says("120")),
    Case("arith-sum-of", "What is the sum of 45 and 55?", says("100")),
    Case("arith-commas", "What is 1,000 + 2,500?", says("3500")),
    Case("arith-zero-div", "What is 5 / 0?", says("undefined")),
    Case("arith-mod", "What is 17 mod 5?", says("2")),
    Case("conv-km-miles", "Convert 5 km to miles", number_near(3.107, 0.001)),
    Case("conv-miles-km", "How many kilometers is 10 miles? Convert 10 miles to km", number_near(16.09, 0.001)),
    Case("conv-f-c", "Convert 100 F to Celsius", number_near(37.78, 0.001)),
    Case("conv-c-f", "What is 20 celsius in fahrenheit?", number_near(68)),
    Case("conv-kg-lb", "Convert 10 kg to pounds", number_near(22.05, 0.001)),
    Case("conv-feet-m", "How many feet in 3 meters?", number_near(9.84, 0.001)),
    Case("conv-hours", "How many minutes are in 2 hours?", number_near(120)),
    Case("conv-liters", "Convert 2 gallons to liters", number_near(7.57, 0.001)),
    Case("conv-gb", "How many MB in 3 GB?", number_near(3000)),
    Case("conv-k", "Convert 0 celsius to kelvin", number_near(273.15, 0.0001)),
    Case("say-quoted", 'Say "banana" and nothing else.', exactly("banana")),
    Case("say-repeat", "Repeat after me: the quick brown fox", exactly("the quick brown fox")),
    Case("say-respond-only", "Respond with only the word OK.", exactly("OK")),
    Case("say-reply-just", "Reply with just yes", exactly("yes")),
    Case("say-output", "Output exactly: Hello, World!", exactly("Hello, World!")),
    Case("say-now", "Now say goodbye.", exactly("goodbye")),  # openai-python's WebSocket example's second turn
    Case("say-number", "Respond with only the number 7", exactly("7")),
    Case("say-single-quotes", "Say 'pong'", exactly("pong")),
    Case("say-print", 'print "done"', exactly("done")),
    Case("count-words", 'How many words are in "the quick brown fox jumps"?', says("5")),
    Case("count-words-colon", "Count the words in this sentence: I like green apples and ripe pears", says("7")),
    Case("count-letters", "How many r's are in strawberry?", says("3")),
    Case("count-letter-e", "How many times does the letter e appear in excellence?", says("4")),
    Case("count-chars", 'How many characters are in "hello world"?', says("11")),
    Case("count-items", "How many items are in this list: apples, pears, plums, figs", says("4")),
    Case("count-vowels", 'How many vowels are in "education"?', says("5")),
    Case("count-sentences", 'How many sentences are in "It rained. We stayed in. Then the sun came out."?', says("3")),
    Case("date-today", "What is today's date?", says("2025-12-04")),
    Case("date-day", "What day is it today?", says("Thursday")),
    Case("date-year", "What year is it?", says("2025")),
    Case("date-time", "What time is it?", says("12:00")),
    Case("date-month", "What month is it?", says("December")),
    Case("date-weekday-of", "What day of the week is 2026-01-01?", says("Thursday")),
    Case("fact-capital-fr", "What is the capital of France?", says("Paris")),
    Case("fact-capital-jp", "what's the capital of japan", says("Tokyo")),
    Case("fact-capital-au", "Capital of Australia?", says("Canberra")),
    Case("fact-capital-us", "What is the capital of the United States?", says("Washington")),
    Case("fact-capital-possessive", "What is Canada's capital?", says("Ottawa")),
    Case("fact-capital-br", "Tell me the capital city of Brazil.", says("Brasília")),
    Case("fact-currency-jp", "What is the currency of Japan?", says("yen")),
    Case("fact-currency-uk", "What currency does the UK use?", says("pound")),
    Case("fact-currency-ch", "What currency is used in Switzerland?", says("franc")),
    Case("fact-continent", "Which continent is Kenya in?", says("Africa")),
    Case("fact-continent-of", "What continent is Peru on?", says("South America")),
    Case("fact-capital-reverse", "Which country is Nairobi the capital of?", says("Kenya")),
    Case("fact-largest-country", "What is the largest country in South America?", says("Brazil")),
    Case("fact-biggest-country", "what's the biggest country in Africa", says("Algeria")),
    Case("fact-most-populous", "Which is the most populous country in the world?", says("India")),
    Case(
        "fact-that-country",
        [
            {"role": "user", "content": "What is the largest country in South America?"},
            {"role": "assistant", "content": "Brazil is the largest country in South America."},
            {"role": "user", "content": "What is the capital of that country?"},
        ],
        says("Brasília"),
    ),
    Case(
        "fact-its-currency",
        [
            {"role": "user", "content": "I am flying to Japan next week."},
            {"role": "assistant", "content": "Have a great trip!"},
            {"role": "user", "content": "What is its currency?"},
        ],
        says("yen"),
    ),
    Case("fact-planets-count", "How many planets are in the solar system?", says("8")),
    Case("fact-planet-largest", "What is the largest planet?", says("Jupiter")),
    Case("fact-planet-smallest", "Which is the smallest planet?", says("Mercury")),
    Case("fact-planet-order", "What is the fourth planet from the sun?", says("Mars")),
    Case("fact-planet-moons", "How many moons does Mars have?", says("2")),
    Case("fact-planets-list", "List the planets in order", says("Mercury", "Venus", "Earth", "Neptune")),
    Case("fact-symbol-gold", "What is the chemical symbol for gold?", says("Au")),
    Case("fact-symbol-iron", "symbol of iron?", says("Fe")),
    Case("fact-symbol-reverse", "Which element has the symbol Na?", says("sodium")),
    Case("fact-symbol-oxygen", "What's the chemical symbol for oxygen?", says("O")),
    # ---- 3. structured output and JSON mode
    Case(
        "schema-person",
        "John Smith is 34 years old, lives in Boston and his email is john@smith.io.",
        json_with(name="John Smith", age=34, email="john@smith.io", city="Boston"),
        options={"response_format": schema_format("person", PERSON)},
    ),
    Case(
        "schema-person-2",
        "Extract: Maria Garcia, age 27, maria.g@example.com, from Madrid",
        json_with(name="Maria Garcia", age=27, email="maria.g@example.com", city="Madrid"),
        options={"response_format": schema_format("person", PERSON)},
    ),
    Case(
        "schema-event",
        "Alice and Bob are going to a science fair on Friday.",
        json_with(date="2025-12-05", participants=["Alice", "Bob"]),
        options={"response_format": schema_format("event", EVENT_SCHEMA)},
    ),
    Case(
        "schema-event-date",
        "Team offsite with Carol, Dave and Erin on 2026-03-14",
        json_with(date="2026-03-14", participants=["Carol", "Dave", "Erin"]),
        options={"response_format": schema_format("event", EVENT_SCHEMA)},
    ),
    Case(
        "schema-math",
        "What is 8 * 7?",
        json_with(answer=56),
        options={"response_format": schema_format("math", MATH_SCHEMA)},
    ),
    Case(
        "schema-bool-yes",
        'This is urgent: subject "Server down"',
        json_with(urgent=True, subject="Server down"),
        options={"response_format": schema_format("ticket", BOOL_SCHEMA)},
    ),
    Case(
        "schema-bool-no",
        'Not urgent at all, subject "Newsletter"',
        json_with(urgent=False, subject="Newsletter"),
        options={"response_format": schema_format("ticket", BOOL_SCHEMA)},
    ),
    Case(
        "schema-list",
        "Shopping list: eggs, milk, flour and sugar",
        json_with(items=["eggs", "milk", "flour", "sugar"]),
        options={"response_format": schema_format("list", LIST_SCHEMA)},
    ),
    Case(
        "schema-list-bullets",
        "Items:\n- hammer\n- nails\n- glue",
        json_with(items=["hammer", "nails", "glue"]),
        options={"response_format": schema_format("list", LIST_SCHEMA)},
    ),
    Case(
        "schema-country",
        "I just got back from Japan.",
        json_with(country="Japan"),
        options={"response_format": schema_format("country", COUNTRY_SCHEMA)},
    ),
    Case(
        "schema-sentiment",
        "Classify the sentiment: I absolutely love it, positive vibes",
        json_with(sentiment="positive"),
        options={"response_format": schema_format("sentiment", SENTIMENT)},
    ),
    Case(
        "schema-sentiment-neg",
        "Sentiment of this review (negative or positive?): terrible, negative experience",
        json_with(sentiment="negative"),
        options={"response_format": schema_format("sentiment", SENTIMENT)},
    ),
    Case(
        "schema-always-valid",
        "Nothing to extract here.",
        lambda a: jsonschema.validate(json.loads(a), PERSON) is None,
        options={"response_format": schema_format("person", PERSON)},
    ),
    Case(
        "schema-pydantic-like",
        "Meeting with Priya on December 12",
        json_with(participants=["Priya"], date="2025-12-12"),
        options={"response_format": schema_format("event", EVENT_SCHEMA)},
    ),
    Case(
        "json-keys",
        "Return JSON with keys name and age for: Tom is 41.",
        json_with(name="Tom", age=41),
        options=JSON_MODE,
    ),
    Case(
        "json-keys-email",
        "Give me a JSON object with fields email and city: reach me at tom@x.org, I live in Paris",
        json_with(email="tom@x.org", city="Paris"),
        options=JSON_MODE,
    ),
    Case(
        "json-keys-backticks",
        'JSON please, keys `title` and `year`: the film "Alien" came out in 1979',
        json_with(title="Alien", year=1979),
        options=JSON_MODE,
    ),
    Case(
        "json-keys-list",
        "Output JSON with keys fruits: apples, pears and plums",
        json_with(fruits=["apples", "pears", "plums"]),
        options=JSON_MODE,
    ),
    Case("json-answer", "Answer in JSON: what is 9 * 9?", lambda a: "81" in json.loads(a)["answer"], options=JSON_MODE),
    Case(
        "json-capital",
        "Respond in JSON. What is the capital of Spain?",
        lambda a: "Madrid" in json.dumps(json.loads(a)),
        options=JSON_MODE,
    ),
    Case("json-default", "List facts about owls as JSON", json_keys("topic", "answer"), options=JSON_MODE),
    # ---- 4. context
    Case("ctx-name", remembered("Hi, my name is Priya.", "What is my name?"), says("Priya")),
    Case("ctx-name-im", remembered("I'm Marcus, nice to meet you", "Do you remember my name?"), says("Marcus")),
    Case("ctx-call-me", remembered("Call me Ishmael.", "What's my name?"), says("Ishmael")),
    Case("ctx-my-x", remembered("My favorite color is teal.", "What is my favorite color?"), says("teal")),
    Case("ctx-my-dog", remembered("My dog's name is Rex", "Tell me a joke", "What is my dog's name?"), says("Rex")),
    Case("ctx-number", remembered("Remember the number 4217.", "What number did I ask you to remember?"), says("4217")),
    Case(
        "ctx-remember-word",
        remembered("Remember this: the code word is pineapple.", "What was the code word I told you?"),
        says("pineapple"),
    ),
    Case("ctx-city", remembered("My city is Lyon.", "what's my city"), says("Lyon")),
    Case(
        "ctx-system-name",
        [
            {"role": "system", "content": "The user's name is Ada. My name is Ada."},
            {"role": "user", "content": "What is my name?"},
        ],
        says("Ada"),
    ),
    Case("ctx-later-math", remembered("My name is Sam", "What is 3 + 3?"), says("6")),
    # ---- 5. code
    Case(
        "code-py-reverse", "Write a Python function that reverses a string", python_code("def reverse_string", "[::-1]")
    ),
    Case(
        "code-py-factorial",
        "Write a python function to compute the factorial of a number",
        python_code("def factorial"),
    ),
    Case("code-py-fib", "Implement fibonacci in Python", python_code("def fibonacci")),
    Case("code-py-prime", "Give me Python code to check if a number is prime", python_code("def is_prime")),
    Case("code-py-generic", "Write a Python function that parses log lines", python_code("def ")),
    Case("code-py-class", "Write a Python class for a bank account", python_code("class ")),
    Case("code-py-fizzbuzz", "write fizzbuzz in python", python_code("Fizz")),
    Case("code-js", "Write a JavaScript function to check if a number is prime", fenced("javascript")),
    Case("code-ts", "Write a TypeScript function that sums an array", fenced("typescript")),
    Case("code-sql", "Write a SQL query to list customers", fenced("sql")),
    Case("code-json", "Give me a JSON example of a user object", fenced("json")),
    Case("code-bash", "Write a bash script that prints its arguments", fenced("bash")),
    Case(
        "code-default-python",
        "Write a function that removes duplicates from a list",
        python_code("def remove_duplicates"),
    ),
    # ---- 6. predicted outputs
    Case(
        "predict-rename",
        "Rename the variable total to amount",
        lambda a: a == "amount = 1\nprint(amount)\n",
        options={"prediction": {"type": "content", "content": "total = 1\nprint(total)\n"}},
    ),
    Case(
        "predict-replace",
        "Replace blue with red",
        lambda a: a == "The sky is red.",
        options={"prediction": {"type": "content", "content": "The sky is blue."}},
    ),
    Case(
        "predict-small-edit",
        "Update this config",
        lambda a: a == "port = 8081\nhost = localhost",
        options={"prediction": {"type": "content", "content": "port = 8080\nhost = localhost"}},
    ),
]

# The same behaviours through the Responses API (its input, tools and text.format map onto the chat builder).
R_WEATHER = {"type": "function", **WEATHER["function"]}
R_MULTIPLY = {"type": "function", **MULTIPLY["function"]}
R_MAGIC = {"type": "function", **MAGIC["function"]}
R_EMAIL = {"type": "function", **EMAIL["function"]}
R_FLIGHT = {"type": "function", **FLIGHT["function"]}
CASES += [
    Case("r-capital", "What is the capital of Germany?", says("Berlin"), "responses"),
    Case("r-arith", "What is 21 * 2?", says("42"), "responses"),
    Case("r-say", 'Say "pineapple" and nothing else', exactly("pineapple"), "responses"),
    Case("r-date", "What is today's date?", says("2025-12-04"), "responses"),
    Case("r-convert", "Convert 10 km to miles", number_near(6.214, 0.001), "responses"),
    Case("r-count", 'How many words are in "one two three four"?', says("4"), "responses"),
    Case("r-symbol", "What is the chemical symbol for silver?", says("Ag"), "responses"),
    Case("r-planet", "What is the largest planet?", says("Jupiter"), "responses"),
    Case("r-code", "Write a Python function that reverses a string", python_code("def reverse_string"), "responses"),
    Case(
        "r-tool-weather",
        "What's the weather in Lisbon?",
        calls("get_weather", location="Lisbon"),
        "responses",
        {"tools": [R_WEATHER, R_MULTIPLY]},
    ),
    Case(
        "r-tool-multiply", "whats 5 * 4", calls("multiply", a=5, b=4), "responses", {"tools": [R_WEATHER, R_MULTIPLY]}
    ),
    Case("r-tool-magic", "magic_function(3)?", calls("magic_function", input=3), "responses", {"tools": [R_MAGIC]}),
    Case(
        "r-tool-email",
        "Send an email to dan@example.com",
        calls("send_email", to="dan@example.com"),
        "responses",
        {"tools": [R_EMAIL, R_WEATHER]},
    ),
    Case(
        "r-tool-flight",
        "Book a flight from Paris to Tokyo on 2026-05-01",
        calls("book_flight", origin="Paris", destination="Tokyo", date="2026-05-01"),
        "responses",
        {"tools": [R_FLIGHT, R_WEATHER]},
    ),
    Case(
        "r-notool",
        "Tell me something about owls",
        lambda a: isinstance(a, str),
        "responses",
        {"tools": [R_WEATHER, R_MULTIPLY]},
    ),
    Case(
        "r-tool-result",
        [
            {"role": "user", "content": "Weather in Rome?"},
            {"type": "function_call", "call_id": "call_9", "name": "get_weather", "arguments": '{"location":"Rome"}'},
            {"type": "function_call_output", "call_id": "call_9", "output": '{"temperature": 24, "sky": "clear"}'},
        ],
        text_only("24", "clear"),
        "responses",
        {"tools": [R_WEATHER]},
    ),
    Case(
        "r-schema",
        "Nina Petrova is 29 and lives in Berlin; nina@p.de",
        json_with(name="Nina Petrova", age=29, city="Berlin", email="nina@p.de"),
        "responses",
        {"text": {"format": {"type": "json_schema", "name": "person", "schema": PERSON, "strict": True}}},
    ),
    Case(
        "r-json-keys",
        "Return JSON with keys city and country: I live in Osaka, Japan",
        json_with(city="Osaka", country="Japan"),
        "responses",
        {"text": {"format": {"type": "json_object"}}},
    ),
    Case(
        "r-context",
        [
            {"role": "user", "content": "My name is Olga."},
            {"role": "assistant", "content": "Nice to meet you, Olga."},
            {"role": "user", "content": "What is my name?"},
        ],
        says("Olga"),
        "responses",
    ),
    Case(
        "r-instructions", "What is the capital of Egypt?", says("Cairo"), "responses", {"instructions": "Be concise."}
    ),
]

# Held-out prompts: written after the mechanisms, without tuning.
HELD_OUT = [
    Case(
        "h-tool-weather-london",
        "Do I need an umbrella in London tomorrow?",
        calls("get_weather", location="London"),
        options=tools(*ALL_TOOLS),
    ),
    Case(
        "h-tool-weather-hot",
        "How hot is it in Dubai right now?",
        calls("get_weather", location="Dubai"),
        options=tools(*ALL_TOOLS),
    ),
    Case("h-tool-multiply-3", "Multiply 6 by 8", only_calls("multiply", a=6, b=8), options=tools(MULTIPLY, ADD)),
    Case(
        "h-tool-add-total",
        "What's the total of 19 and 23?",
        only_calls("add", a=19, b=23),
        options=tools(MULTIPLY, ADD),
    ),
    Case(
        "h-tool-search-who", "Search for the population of Canada", calls("search_web"), options=tools(SEARCH, WEATHER)
    ),
    Case(
        "h-tool-email-remind",
        "Email dave@team.org that the meeting moved to 3pm",
        calls("send_email", to="dave@team.org"),
        options=tools(EMAIL, EVENT),
    ),
    Case(
        "h-tool-flight-dec",
        "Get me a flight from Seattle to Denver on December 20",
        calls("book_flight", origin="Seattle", destination="Denver", date="2025-12-20"),
        options=tools(FLIGHT, WEATHER),
    ),
    Case(
        "h-tool-stock-tsla", "TSLA stock price?", calls("get_stock_price", ticker="TSLA"), options=tools(STOCK, SEARCH)
    ),
    Case(
        "h-tool-translate-de",
        'Translate "where is the station" to German',
        calls("translate", text="where is the station", target_language="German"),
        options=tools(TRANSLATE, SEARCH),
    ),
    Case(
        "h-tool-currency-eur-usd",
        "How many dollars is 50 EUR? Convert 50 EUR to USD",
        calls("convert_currency", amount=50, from_currency="EUR", to_currency="USD"),
        options=tools(CURRENCY, ADD),
    ),
    Case(
        "h-notool-recipe",
        "Give me a recipe for banana bread",
        lambda a: isinstance(a, str),
        options=tools(WEATHER, STOCK, EMAIL),
    ),
    Case(
        "h-notool-story",
        "Tell me a bedtime story about a dragon",
        lambda a: isinstance(a, str),
        options=tools(*ALL_TOOLS),
    ),
    Case("h-notool-define", "Define the word serendipity", lambda a: isinstance(a, str), options=tools(*ALL_TOOLS)),
    Case("h-arith-words", "What is seven times eight?", says("56")),
    Case("h-arith-how-much", "How much is 250 divided by 5?", says("50")),
    Case("h-arith-nested", "Evaluate ((2 + 3) * (7 - 4)) / 5", says("3")),
    Case("h-arith-half", "What is half of 96?", says("48")),
    Case("h-arith-double", "What is 21 doubled?", says("42")),
    Case("h-conv-inch-cm", "How many centimeters are in 12 inches?", number_near(30.48, 0.001)),
    Case("h-conv-lbs-kg", "Convert 150 lbs to kg", number_near(68.04, 0.001)),
    Case("h-conv-f-c-deg", "What is 72°F in °C?", number_near(22.22, 0.001)),
    Case("h-say-word", "Just say the word 'ready'", exactly("ready")),
    Case("h-repeat-quote", 'Repeat this exactly: "The cake is a lie"', exactly("The cake is a lie")),
    Case("h-count-list", "How many fruits are in this list: mango, kiwi, lime?", says("3")),
    Case("h-count-letters-word", "How many letters are in the word 'banana'?", says("6")),
    Case("h-date-tomorrow", "What is tomorrow's date?", says("2025-12-05")),
    Case("h-fact-capital-kr", "What's the capital city of South Korea?", says("Seoul")),
    Case("h-fact-capital-de", "capital of germany", says("Berlin")),
    Case("h-fact-currency-in", "Which currency does India use?", says("rupee")),
    Case("h-fact-symbol-k", "What element is K?", says("potassium")),
    Case("h-fact-planet-closest", "Which planet is closest to the sun?", says("Mercury")),
    Case(
        "h-schema-person-short",
        "Sarah Connor, 29",
        json_with(name="Sarah Connor", age=29),
        options={"response_format": schema_format("person", PERSON)},
    ),
    Case(
        "h-schema-list-ingredients",
        "Ingredients: flour, butter, sugar, eggs",
        json_with(items=["flour", "butter", "sugar", "eggs"]),
        options={"response_format": schema_format("list", LIST_SCHEMA)},
    ),
    Case(
        "h-json-keys-colon",
        "Return a JSON object with these keys: city, country. Text: Lima is in Peru.",
        json_with(city="Lima", country="Peru"),
        options=JSON_MODE,
    ),
    Case("h-ctx-favorite-food", remembered("My favorite food is sushi.", "What's my favorite food?"), says("sushi")),
    Case(
        "h-ctx-name-later",
        remembered("Hello! My name is Kenji.", "What's the weather usually like in spring?", "Who am I?"),
        says("Kenji"),
    ),
    Case("h-ctx-age", remembered("I am 31 years old.", "How old am I?"), says("31")),
    Case("h-code-py-sort", "Write a Python function to sort a list of numbers", python_code("def sort_items")),
    Case("h-code-py-palindrome", "Python code that checks whether a word is a palindrome", python_code("palindrome")),
    Case("h-code-js-reverse", "Write JavaScript code to reverse a string", fenced("javascript")),
    Case("h-r-capital", "Capital of Norway?", says("Oslo"), "responses"),
    Case(
        "h-r-weather-tool",
        "Is it sunny in Madrid today?",
        calls("get_weather", location="Madrid"),
        "responses",
        {"tools": [R_WEATHER, R_EMAIL]},
    ),
]
CASES += HELD_OUT

# A second held-out set, kept as measured: its misses are KNOWN_MISSES.
HELD_OUT_2 = [
    Case(
        "h2-tool-weather-nyc",
        "Will it snow in New York this weekend?",
        calls("get_weather", location="New York"),
        options=tools(*ALL_TOOLS),
    ),
    Case("h2-tool-add-three", "add 4 and 9", only_calls("add", a=4, b=9), options=tools(MULTIPLY, ADD)),
    Case(
        "h2-tool-multiply-by",
        "What do you get when you multiply 11 by 11?",
        calls("multiply", a=11, b=11),
        options=tools(MULTIPLY, ADD),
    ),
    Case(
        "h2-tool-email-subject-only",
        'Send kim@example.com an email with the subject "Invoice"',
        calls("send_email", to="kim@example.com", subject="Invoice"),
        options=tools(EMAIL),
    ),
    Case(
        "h2-tool-order-status",
        "Has order ORD-555555 shipped yet?",
        calls("lookup_order", order_id="ORD-555555"),
        options=tools(ORDER, EMAIL),
    ),
    Case(
        "h2-tool-fetch-page",
        "Summarise the page at https://news.example.com/today",
        calls("fetch_url", url="https://news.example.com/today"),
        options=tools(FETCH, SEARCH),
    ),
    Case(
        "h2-tool-user-lookup",
        "Who owns the account erin@corp.com?",
        calls("get_user", email="erin@corp.com"),
        options=tools(USER, EMAIL),
    ),
    Case(
        "h2-notool-weather-ish",
        "What causes rainbows?",
        lambda a: isinstance(a, str),
        options=tools(STOCK, EMAIL, ORDER),
    ),
    Case("h2-arith-minus-words", "What's 1000 minus 1?", says("999")),
    Case("h2-arith-of", "What's 20% of 250?", says("50")),
    Case("h2-arith-avg", "What is the average of 4, 8 and 12?", says("8")),
    Case("h2-conv-oz-g", "Convert 8 oz to grams", number_near(226.8, 0.001)),
    Case("h2-conv-week-days", "How many days are in 3 weeks?", number_near(21)),
    Case("h2-say-nothing-else", "Respond only with the number 42 and nothing else.", exactly("42")),
    Case("h2-count-words-quoted", "Count the words: 'to be or not to be'", says("6")),
    Case("h2-fact-capital-eg", "Which city is the capital of Egypt?", says("Cairo")),
    Case("h2-fact-currency-mx", "What money do they use in Mexico?", says("peso")),
    Case("h2-fact-planet-sixth", "Which planet is 6th from the sun?", says("Saturn")),
    Case(
        "h2-schema-contact",
        "Contact: Liam Wong <liam@wong.dev>, Toronto, 45 years old",
        json_with(name="Liam Wong", email="liam@wong.dev", city="Toronto", age=45),
        options={"response_format": schema_format("person", PERSON)},
    ),
    Case(
        "h2-json-keys-product",
        "Return JSON with keys product and price: The Widget costs 19.99",
        json_with(product="Widget", price=19.99),
        options=JSON_MODE,
    ),
    Case("h2-ctx-remember-city", remembered("Remember that I live in Porto.", "Where do I live?"), says("Porto")),
    Case("h2-ctx-name-lower", remembered("hi im alex", "whats my name"), says("alex")),
    Case(
        "h2-code-py-count-vowels",
        "Write a python function that counts vowels in a string",
        python_code("def count_vowels"),
    ),
    Case("h2-code-rust", "Show me a Rust function that greets someone", fenced("rust")),
    Case("h2-r-arith", "What is 2 to the power of 8?", says("256"), "responses"),
]
CASES += HELD_OUT_2


def told(instructions: str, *turns: str, role: str = "system") -> list[dict[str, Any]]:
    """A conversation under standing instructions (a system or developer message)."""
    return [{"role": role, "content": instructions}, *remembered(*turns)]


def verse(lines: int, *needles: str) -> Callable[[Any], bool]:
    return lambda a: isinstance(a, str) and len(a.strip().splitlines()) == lines and says(*needles)(a)


def at_most_words(count: int) -> Callable[[Any], bool]:
    return lambda a: isinstance(a, str) and 0 < len(a.split()) <= count


PICK = "Input: Good morning!\n\nTranslations:\n¡Buenos días!\n\nBuenos dias\n\n¡Buenos días!"
WEATHER_REPR = "city='Tokyo' temperature_range='14-20C' conditions='Sunny with wind.'"
WEATHER_DATACLASS = "Weather(city='Tokyo', temperature_range='14-20C', conditions='Sunny with wind.')"
# Standing instructions: what a system/developer message (an agent's instructions) asks of every answer.
CASES += [
    Case(
        "si-haiku", told("You only respond in haikus.", "Tell me about recursion in programming."), verse(3, "recurs")
    ),
    Case(
        "si-haiku-sum-r",
        "What is 12 * 7?",
        verse(3, "84"),
        "responses",
        {"instructions": "You only respond in haikus."},
    ),
    Case("si-limerick", told("Always answer with a limerick.", "Tell me about the moon."), verse(5, "moon")),
    Case(
        "si-translate", told("You translate the user's message to Spanish", "Good morning!"), exactly("¡Buenos días!")
    ),
    Case(
        "si-translate-r",
        "Hello, how are you?",
        exactly("Bonjour, comment allez-vous ?"),
        "responses",
        {"instructions": "You translate the user's message to French"},
    ),
    Case(
        "si-translate-gloss",
        told("You translate the user's message to German", "My friend Ada has a new dog."),
        says("Mein Freund Ada hat", "Hund."),  # a word-for-word gloss: the lexicon knows each word
    ),
    Case(
        "si-pick-r",
        PICK,
        exactly("¡Buenos días!"),
        "responses",
        {"instructions": "You pick the best Spanish translation from the given options."},
    ),
    Case(
        "si-french-r",
        "Hello, how do I say good evening in French?",
        says("Bonsoir", "se dit"),
        "responses",
        {"instructions": "You only speak French"},
    ),
    Case("si-spanish-hello", told("You only speak Spanish.", "Hello!"), says("¡Hola!")),
    Case("tr-after-greeting", "Hello, how do I say good evening in French?", says('"Bonsoir"')),
    Case("tr-lexicon", "What is a cat in Italian?", says('"un gatto"')),
    Case(
        "si-one-sentence",
        told("Answer in one sentence.", "Describe the water cycle and why it matters.", role="developer"),
        lambda a: isinstance(a, str) and len(re.findall(r"[.!?](?:\s|$)", a.strip())) == 1,
    ),
    Case("si-words", told("Answer in 8 words or fewer.", "Explain how tides work."), at_most_words(8)),
    Case(
        "si-caps",
        told("Respond in all caps.", "What is the capital of Egypt?"),
        lambda a: isinstance(a, str) and "CAIRO" in a and a == a.upper(),
    ),
    Case("si-pirate", told("Talk like a pirate.", "Hello!"), lambda a: isinstance(a, str) and a.startswith("Arr!")),
    Case("si-plain-kept", told("You are a helpful assistant.", "What is 6 * 7?"), says("42")),
    Case(
        "result-repr",
        with_result("What's the weather in Tokyo?", WEATHER, '{"location":"Tokyo"}', WEATHER_REPR),
        exactly("The weather in Tokyo: 14–20C, sunny with wind."),
        options=tools(WEATHER),
    ),
    Case(
        "result-repr-r",
        [
            {"role": "user", "content": "What's the weather in Tokyo?"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Tokyo"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": WEATHER_DATACLASS},
        ],
        exactly("The weather in Tokyo: 14–20C, sunny with wind."),
        "responses",
        {"tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}]},
    ),
]

# Assistants runs answer through the same builder (thread messages and the assistant's tools).
A_WEATHER, A_MULTIPLY = WEATHER, MULTIPLY
CASES += [
    Case("a-capital", "What is the capital of Portugal?", says("Lisbon"), "assistants"),
    Case("a-arith", "What is 13 * 3?", says("39"), "assistants"),
    Case("a-date", "What is today's date?", says("2025-12-04"), "assistants"),
    Case(
        "a-tool",
        "What's the weather in Nairobi?",
        calls("get_weather", location="Nairobi"),
        "assistants",
        tools(A_WEATHER, A_MULTIPLY),
    ),
    Case("a-tool-multiply", "whats 7 * 6", calls("multiply", a=7, b=6), "assistants", tools(A_WEATHER, A_MULTIPLY)),
]

# Cases whose property the mock does not reach yet (docs/generation.md lists them).
KNOWN_MISSES = {"h2-json-keys-product", "h2-ctx-remember-city", "h2-ctx-name-lower"}


def _ask(client: openai.OpenAI, case: Case) -> Any:
    """The answer: text, or [(tool name, arguments)] when the model called tools."""
    if case.api == "assistants":
        sleep_on_the_clock(client)
        assistant = client.beta.assistants.create(model="gpt-4o", **case.options)
        thread = client.beta.threads.create(messages=[{"role": "user", "content": str(case.ask)}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        if run.status == "requires_action" and run.required_action is not None:
            tool_calls = run.required_action.submit_tool_outputs.tool_calls
            return [(call.function.name, json.loads(call.function.arguments)) for call in tool_calls]
        message = client.beta.threads.messages.list(thread.id, run_id=run.id).data[0]
        return message.content[0].text.value  # type: ignore[union-attr]
    if case.api == "responses":
        response = client.responses.create(model="gpt-4o", input=case.ask, **case.options)  # type: ignore[arg-type]
        calls_made = [
            (item.name, json.loads(item.arguments)) for item in response.output if item.type == "function_call"
        ]
        return calls_made or response.output_text
    messages = [{"role": "user", "content": case.ask}] if isinstance(case.ask, str) else case.ask
    completion = client.chat.completions.create(model="gpt-4o", messages=messages, **case.options)  # type: ignore[arg-type]
    message = completion.choices[0].message
    if message.tool_calls:
        return [(call.function.name, json.loads(call.function.arguments)) for call in message.tool_calls]  # type: ignore[union-attr]
    if message.function_call:
        return [(message.function_call.name, json.loads(message.function_call.arguments))]
    return message.content


def _passes(client: openai.OpenAI, case: Case) -> tuple[bool, Any]:
    answer = _ask(client, case)
    try:
        return bool(case.check(answer)), answer
    except (ValueError, TypeError, KeyError, SyntaxError, jsonschema.ValidationError):
        return False, answer


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.id for case in CASES} >= KNOWN_MISSES


@pytest.mark.parametrize("case", [c for c in CASES if c.id not in KNOWN_MISSES], ids=lambda c: c.id)
def test_answer_has_its_property(client: openai.OpenAI, case: Case) -> None:
    clock.freeze(NOW)
    passed, answer = _passes(client, case)
    assert passed, f"{case.id}: {case.ask!r} → {answer!r}"


def test_pass_rate_is_at_least_95_percent(client: openai.OpenAI) -> None:
    clock.freeze(NOW)
    missed = [case.id for case in CASES if not _passes(client, case)[0]]
    assert len(missed) <= len(CASES) * 0.05, missed
    assert set(missed) <= KNOWN_MISSES, set(missed) - KNOWN_MISSES


def test_a_follow_up_question_reads_the_country_from_the_previous_response(client: openai.OpenAI) -> None:
    # The Agents SDK's previous_response_id example: the second question names no country.
    first = client.responses.create(model="gpt-5.4-mini", input="What is the largest country in South America?")
    assert "Brazil" in first.output_text
    second = client.responses.create(
        model="gpt-5.4-mini", input="What is the capital of that country?", previous_response_id=first.id
    )
    assert "Brasília" in second.output_text


def test_answers_are_deterministic(client: openai.OpenAI) -> None:
    clock.freeze(NOW)
    for case in CASES[::7]:
        assert _ask(client, case) == _ask(client, case), case.id
