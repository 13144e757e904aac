"""Programmatic tool calling on Responses, through the official SDK: the model writes a JavaScript `program` that
calls functions only programs may call; the response ends with the program and its caller-tagged calls; once their
outputs come back (statelessly or by previous_response_id) a `program_output` holds what they returned and the
answer reports it. Also the Agents SDK's round trip, with its ProgrammaticToolCallingTool."""

from __future__ import annotations

import json
from typing import Any, Literal

import openai
import pytest
from agents import Agent, ModelSettings, ProgrammaticToolCallingTool, Runner, set_tracing_disabled
from agents.decorators import tool
from agents.models.openai_responses import OpenAIResponsesModel
from openai.types.responses import Response, ResponseFunctionToolCall, ResponseItem
from openai.types.responses.response_output_item import Program, ProgramOutput
from pydantic import BaseModel, TypeAdapter

from tests.support.live_server import live_server_fixture
from tests.support.loop import run_on_private_loop
from tests.support.sdk import held
from tests.support.spec import assert_conforms, validate_component

MODEL = "gpt-4.1"
FRUIT = {"type": "string", "enum": ["apple", "pear", "plum"]}
STOCK = {
    "type": "function",
    "name": "get_stock",
    "description": "Return the units in stock for one fruit.",
    "parameters": {
        "type": "object",
        "properties": {"fruit": FRUIT},
        "required": ["fruit"],
        "additionalProperties": False,
    },
    "strict": True,
    "allowed_callers": ["programmatic"],
}
PRICE = {**STOCK, "name": "get_price", "description": "Return the price of one fruit."}
PROGRAMMATIC = {"type": "programmatic_tool_calling"}
INSTRUCTIONS = "For apple and plum, call get_stock and get_price, all at once with one Promise.all."
STOCKS = {"apple": 4, "pear": 9, "plum": 0}

base_url = live_server_fixture()


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = held(Response, client.responses.with_raw_response.create(model=MODEL, **body))
    assert_conforms("POST", "/v1/responses", 200, data)
    return data


def _refused(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, **body)
    return raised.value.body  # type: ignore[return-value]


def _started(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    body.setdefault("instructions", INSTRUCTIONS)
    body.setdefault("tools", [STOCK, PRICE, PROGRAMMATIC])
    question = "How many of each fruit do we have, and at what price?"
    return _create(client, input=question, tool_choice={"type": "programmatic_tool_calling"}, **body)


def _outputs(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def returned(call: dict[str, Any]) -> str:
        fruit = json.loads(call["arguments"])["fruit"]
        value = STOCKS[fruit] if call["name"] == "get_stock" else 1.5
        return json.dumps({"fruit": fruit, call["name"].removeprefix("get_"): value})

    return [{"type": "function_call_output", "call_id": call["call_id"], "output": returned(call)} for call in calls]


def test_a_forced_program_calls_each_named_function_for_each_named_value(client: openai.OpenAI) -> None:
    data = _started(client)
    program, *calls = data["output"]
    Program.model_validate(program, strict=True)
    validate_component("Program", program)
    assert program["id"].startswith("cm_") and program["fingerprint"]
    assert "await Promise.all(" in program["code"] and "tools[name](args)" in program["code"]
    asked = [(call["name"], json.loads(call["arguments"])) for call in calls]
    assert asked == [
        ("get_stock", {"fruit": "apple"}),
        ("get_price", {"fruit": "apple"}),
        ("get_stock", {"fruit": "plum"}),
        ("get_price", {"fruit": "plum"}),
    ]
    assert all(call["caller"] == {"type": "program", "caller_id": program["call_id"]} for call in calls)
    assert '["get_stock", {"fruit": "plum"}]' in program["code"]
    assert data["usage"]["output_tokens"] > 20


def test_without_promise_all_in_the_instructions_the_program_awaits_each_call(client: openai.OpenAI) -> None:
    data = _started(client, instructions="Use programmatic tool calling to call get_stock for pear.")
    program, call = data["output"]
    assert "Promise.all" not in program["code"] and "await tools[name](args)" in program["code"]
    assert (call["name"], json.loads(call["arguments"])) == ("get_stock", {"fruit": "pear"})


def test_parallel_tool_calls_off_runs_the_calls_one_after_another(client: openai.OpenAI) -> None:
    data = _started(client, parallel_tool_calls=False)
    assert "Promise.all" not in data["output"][0]["code"]


def test_outputs_sent_back_statelessly_run_the_program_and_the_answer_reports_them(client: openai.OpenAI) -> None:
    first = _started(client)
    program, *calls = first["output"]
    replay = [program, *calls, *_outputs(calls)]
    data = _create(
        client,
        input=[{"role": "user", "content": "How many of each fruit do we have?"}, *replay],
        instructions=INSTRUCTIONS,
        tools=[STOCK, PRICE, PROGRAMMATIC],
    )
    ran, message = data["output"]
    ProgramOutput.model_validate(ran, strict=True)
    validate_component("ProgramOutput", ran)
    assert ran["id"].startswith("cmo_") and ran["call_id"] == program["call_id"] and ran["status"] == "completed"
    result = json.loads(ran["result"])
    assert [entry["output"] for entry in result][:3] == [
        {"fruit": "apple", "stock": 4},
        {"fruit": "apple", "price": 1.5},
        {"fruit": "plum", "stock": 0},
    ]
    said = message["content"][0]["text"]
    assert "apple" in said and "plum" in said and "stock 4" in said


def test_outputs_after_previous_response_id_run_the_program_too(client: openai.OpenAI) -> None:
    first = _started(client)
    data = _create(
        client, previous_response_id=first["id"], input=_outputs(first["output"][1:]), tools=[STOCK, PROGRAMMATIC]
    )
    assert [item["type"] for item in data["output"]] == ["program_output", "message"]
    listed = client.responses.input_items.with_raw_response.list(first["id"]).http_response.json()
    assert listed["data"][0]["type"] == "message"
    stored = held(Response, client.responses.with_raw_response.retrieve(first["id"]))
    assert stored["output"][0]["type"] == "program"


def test_a_program_is_written_when_the_needed_functions_allow_only_programs(client: openai.OpenAI) -> None:
    data = _create(client, input="What is the stock of the plum fruit?", tools=[STOCK, PROGRAMMATIC])
    assert [item["type"] for item in data["output"]] == ["program", "function_call"]


def test_a_programmatic_only_function_is_never_called_directly(client: openai.OpenAI) -> None:
    data = _create(
        client, input="What is the stock of the plum fruit?", tools=[STOCK, PROGRAMMATIC], tool_choice="none"
    )
    assert [item["type"] for item in data["output"]] == ["message"]
    direct = {**STOCK, "name": "get_fruit_stock", "allowed_callers": ["direct", "programmatic"]}
    data = _create(client, input="What is the stock of the plum fruit?", tools=[STOCK, direct, PROGRAMMATIC])
    assert [item.get("name") for item in data["output"] if item["type"] == "function_call"] == ["get_fruit_stock"]


def test_the_streamed_program_is_opened_and_closed_like_an_item(client: openai.OpenAI) -> None:
    tools: Any = [STOCK, PROGRAMMATIC]
    with client.responses.stream(
        model=MODEL,
        input="Stock of pear?",
        instructions=INSTRUCTIONS,
        tools=tools,
        tool_choice={"type": "programmatic_tool_calling"},
    ) as stream:
        events = list(stream)
    for event in events:
        validate_component("ResponseStreamEvent", event.model_dump(mode="json", exclude_unset=True))
    done = [event.item for event in events if event.type == "response.output_item.done"]
    assert [item.type for item in done] == ["program", *["function_call"] * 3]
    call = done[1]
    assert isinstance(done[0], Program) and isinstance(call, ResponseFunctionToolCall)
    assert call.caller is not None and call.caller.type == "program"


def test_the_same_request_writes_the_same_program(client: openai.OpenAI) -> None:
    first, second = _started(client), _started(client)
    assert first["output"][0]["code"] == second["output"][0]["code"]
    assert first["output"][0]["fingerprint"] == second["output"][0]["fingerprint"]


def test_program_items_are_checked(client: openai.OpenAI) -> None:
    program, *calls = _started(client)["output"]
    edited = {**program, "code": program["code"] + "\n// edited"}
    assert _refused(client, input=[edited, *calls], tools=[STOCK, PROGRAMMATIC])["param"] == ("input[0].fingerprint")
    orphan = {**calls[0], "caller": {"type": "program", "caller_id": "call_unknown"}}
    assert "No program found" in _refused(client, input=[orphan], tools=[STOCK, PROGRAMMATIC])["message"]
    bad_status = {"type": "program_output", "id": "cmo_1", "call_id": program["call_id"], "result": "", "status": "x"}
    assert _refused(client, input=[program, bad_status], tools=[STOCK, PROGRAMMATIC])["param"] == ("input[1].status")


def test_the_tool_choice_and_callers_are_checked(client: openai.OpenAI) -> None:
    error = _refused(client, input="hi", tools=[{**STOCK, "allowed_callers": ["direct"]}], tool_choice=PROGRAMMATIC)
    assert error["param"] == "tool_choice"
    error = _refused(client, input="hi", tools=[STOCK])
    assert error["param"] == "tools[0].allowed_callers"
    error = _refused(client, input="hi", tools=[{**STOCK, "allowed_callers": ["robot"]}, PROGRAMMATIC])
    assert error["param"] == "tools[0].allowed_callers[0]"


def test_the_round_trip_is_listed_in_the_input_items(client: openai.OpenAI) -> None:
    first = _started(client)
    replay = [*first["output"], *_outputs(first["output"][1:])]
    data = _create(client, input=replay, tools=[STOCK, PRICE, PROGRAMMATIC])
    listed = client.responses.input_items.with_raw_response.list(data["id"], order="asc").http_response.json()
    items = TypeAdapter(list[ResponseItem]).validate_python(listed["data"])
    assert [item.type for item in items][:2] == ["program", "function_call"]


Fruit = Literal["apple", "pear", "plum"]


class Stock(BaseModel):
    fruit: Fruit
    units: int


def test_the_agents_sdk_runs_a_program_and_answers_from_its_output(base_url: str) -> None:
    """The Agents SDK's pattern: tools only programs may call, the programmatic tool forced; the SDK runs the
    calls the program makes and sends their outputs back statelessly."""
    ran: list[str] = []

    @tool(allowed_callers=["programmatic"])
    def get_stock(fruit: Fruit) -> Stock:
        """Return the units in stock for one fruit."""
        ran.append(fruit)
        return Stock(fruit=fruit, units=STOCKS[fruit])

    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-programmatic", max_retries=0)
    agent = Agent(
        name="Stock keeper",
        instructions="Call get_stock for every fruit concurrently with Promise.all, then report the stock.",
        model=OpenAIResponsesModel(model=MODEL, openai_client=client),
        model_settings=ModelSettings(tool_choice="programmatic_tool_calling"),
        tools=[get_stock, ProgrammaticToolCallingTool()],
    )
    set_tracing_disabled(True)  # traces would be exported to OpenAI's platform
    result = run_on_private_loop(Runner.run(agent, "How many of each fruit are in stock?"))
    assert ran == ["apple", "pear", "plum"]
    assert "units 9" in result.final_output and "pear" in result.final_output
