"""Responses tool search, deferred tools and namespaces, through the official SDK: a namespace's tools are called
with their `namespace`; a deferred tool is found by a tool search first (the server's in the same response, the
client's over two requests); the new items are streamed, stored, listed and kept in conversations."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.conversations import ConversationItem
from openai.types.responses import Response, ResponseItem, ResponseToolSearchCall, ResponseToolSearchOutputItem
from pydantic import TypeAdapter

from tests.support.sdk import held
from tests.support.spec import assert_conforms, validate_component

MODEL = "gpt-5.4"
ORDERS = {
    "type": "object",
    "properties": {"customer_id": {"type": "string", "description": "The customer's id."}},
    "required": ["customer_id"],
    "additionalProperties": False,
}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}


def _crm(*, deferred: bool) -> dict[str, Any]:
    lister = {
        "type": "function",
        "name": "list_open_orders",
        "description": "List the open orders of a customer.",
        "parameters": ORDERS,
    }
    profile = {"type": "function", "name": "get_customer_profile", "description": "Get a customer's profile."}
    members = [{**lister, "defer_loading": True}, {**profile, "defer_loading": True}] if deferred else [lister, profile]
    return {"type": "namespace", "name": "crm", "description": "CRM tools for customers and orders.", "tools": members}


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = held(Response, client.responses.with_raw_response.create(model=MODEL, **body))
    assert_conforms("POST", "/v1/responses", 200, data)
    return data


def _refused(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, **body)
    return raised.value.body  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------- namespaces


def test_a_namespace_tool_is_called_with_its_namespace_and_its_output_continues(client: openai.OpenAI) -> None:
    first = _create(client, input="List the open orders of customer CUST-42", tools=[_crm(deferred=False), WEATHER])
    calls = [item for item in first["output"] if item["type"] == "function_call"]
    assert [(call["namespace"], call["name"]) for call in calls] == [("crm", "list_open_orders")]
    assert json.loads(calls[0]["arguments"]).keys() == {"customer_id"}
    assert first["tools"][0]["type"] == "namespace" and first["tools"][0]["tools"][0]["strict"] is True

    output = {"type": "function_call_output", "call_id": calls[0]["call_id"], "output": '{"orders": 2}'}
    second = _create(client, previous_response_id=first["id"], input=[output], tools=[_crm(deferred=False), WEATHER])
    assert [item["type"] for item in second["output"] if item["type"] != "reasoning"] == ["message"]


def test_a_top_level_call_has_no_namespace(client: openai.OpenAI) -> None:
    answer = _create(client, input="What's the weather in Paris?", tools=[_crm(deferred=False), WEATHER])
    call = next(item for item in answer["output"] if item["type"] == "function_call")
    assert call["name"] == "get_weather" and "namespace" not in call


def test_a_namespaced_call_passed_back_is_read_under_its_namespace(client: openai.OpenAI) -> None:
    """A stateless continuation: the call and its output sent as input; the model answers from the output."""
    call = {
        "type": "function_call",
        "call_id": "call_abc",
        "namespace": "crm",
        "name": "list_open_orders",
        "arguments": '{"customer_id": "CUST-42"}',
    }
    output = {"type": "function_call_output", "call_id": "call_abc", "output": "2 open orders"}
    answer = _create(
        client,
        input=[{"role": "user", "content": "List the open orders of CUST-42"}, call, output],
        tools=[_crm(deferred=False)],
        store=False,
    )
    assert [item["type"] for item in answer["output"] if item["type"] != "reasoning"] == ["message"]


def test_a_custom_tool_in_a_namespace_is_a_namespaced_custom_call(client: openai.OpenAI) -> None:
    patcher = {"type": "custom", "name": "apply_diff", "description": "Apply a diff to the repository."}
    tools = [{"type": "namespace", "name": "repo", "description": "Repository tools.", "tools": [patcher]}]
    answer = _create(client, input="Apply a diff to the repository: `+print(1)`", tools=tools)
    call = next(item for item in answer["output"] if item["type"] == "custom_tool_call")
    assert (call["namespace"], call["name"], call["input"]) == ("repo", "apply_diff", "+print(1)")


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "namespace", "description": "x", "tools": [WEATHER]}, "tools[0].name"),
        ({"type": "namespace", "name": "crm tools", "description": "x", "tools": [WEATHER]}, "tools[0].name"),
        ({"type": "namespace", "name": "crm", "tools": [WEATHER]}, "tools[0].description"),
        ({"type": "namespace", "name": "crm", "description": "x", "tools": []}, "tools[0].tools"),
        (
            {"type": "namespace", "name": "crm", "description": "x", "tools": [{"type": "mcp"}]},
            "tools[0].tools[0].type",
        ),
        (
            {"type": "namespace", "name": "crm", "description": "x", "tools": [WEATHER, WEATHER]},
            "tools[0].tools[1].name",
        ),
        (
            {"type": "namespace", "name": "crm", "description": "x", "tools": [{"type": "function", "name": "a b"}]},
            "tools[0].tools[0].name",
        ),
    ],
)
def test_a_namespace_is_checked(client: openai.OpenAI, tool: dict[str, Any], param: str) -> None:
    assert _refused(client, input="hi", tools=[tool])["param"] == param


# --------------------------------------------------------------------------------------------- server tool search


def test_a_server_search_loads_the_namespace_then_calls_its_tool_in_one_response(client: openai.OpenAI) -> None:
    tools = [_crm(deferred=True), {"type": "tool_search"}, WEATHER]
    answer = _create(client, input="List the open orders of customer CUST-42", tools=tools)
    kinds = [item["type"] for item in answer["output"] if item["type"] != "reasoning"]
    assert kinds == ["tool_search_call", "tool_search_output", "function_call"]
    search, loaded, call = (item for item in answer["output"] if item["type"] != "reasoning")
    assert search["execution"] == "server" and search["call_id"] is None and search["status"] == "completed"
    assert search["arguments"] == {"paths": ["crm"]} and search["id"].startswith("tsc_")
    assert loaded["id"].startswith("tso_") and loaded["execution"] == "server"
    namespace = loaded["tools"][0]
    assert (namespace["type"], namespace["name"]) == ("namespace", "crm")
    assert [tool["name"] for tool in namespace["tools"]] == ["list_open_orders", "get_customer_profile"]
    assert (call["namespace"], call["name"]) == ("crm", "list_open_orders")
    assert answer["tools"][1] == {"type": "tool_search", "execution": "server"}
    for item in (search, loaded):
        validate_component("ToolSearchCall" if item is search else "ToolSearchOutput", item)


def test_a_visible_tool_asked_for_needs_no_search(client: openai.OpenAI) -> None:
    tools = [_crm(deferred=True), {"type": "tool_search"}, WEATHER]
    answer = _create(client, input="What's the weather in Paris?", tools=tools)
    kinds = [item["type"] for item in answer["output"] if item["type"] != "reasoning"]
    assert kinds == ["function_call"]


def test_deferred_tools_cost_no_prompt_tokens_until_loaded(client: openai.OpenAI) -> None:
    prompt = "Say hello to the team"
    deferred = _create(client, input=prompt, tools=[_crm(deferred=True), {"type": "tool_search"}])
    shown = _create(client, input=prompt, tools=[_crm(deferred=False)])
    bare = _create(client, input=prompt)
    assert deferred["usage"]["input_tokens"] == bare["usage"]["input_tokens"]
    assert shown["usage"]["input_tokens"] > bare["usage"]["input_tokens"]


def test_a_loaded_tool_stays_loaded_in_the_conversation(client: openai.OpenAI) -> None:
    tools = [_crm(deferred=True), {"type": "tool_search"}]
    first = _create(client, input="List the open orders of customer CUST-42", tools=tools)
    call = next(item for item in first["output"] if item["type"] == "function_call")
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "2 open orders"}
    second = _create(client, previous_response_id=first["id"], input=[output], tools=tools)
    assert [item["type"] for item in second["output"] if item["type"] != "reasoning"] == ["message"]
    again = _create(client, previous_response_id=second["id"], input="Now list the open orders of CUST-7", tools=tools)
    kinds = [item["type"] for item in again["output"] if item["type"] != "reasoning"]
    assert kinds == ["function_call"]  # loaded before: no second search


# --------------------------------------------------------------------------------------------- client tool search

CLIENT_SEARCH = {
    "type": "tool_search",
    "execution": "client",
    "description": "Find the project tools needed to continue the task.",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 10}},
        "required": ["query", "limit"],
        "additionalProperties": False,
    },
}
ETA = {
    "type": "function",
    "name": "get_shipping_eta",
    "description": "Look up the shipping ETA of an order.",
    "defer_loading": True,
    "parameters": {
        "type": "object",
        "properties": {"order_id": {"type": "string"}},
        "required": ["order_id"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_a_client_search_ends_the_response_and_its_output_lets_the_model_call_the_tool(client: openai.OpenAI) -> None:
    first = _create(client, input="What is the shipping ETA of order_42?", tools=[CLIENT_SEARCH, ETA])
    search = first["output"][-1]
    assert search["type"] == "tool_search_call" and search["execution"] == "client"
    assert search["call_id"].startswith("call_") and set(search["arguments"]) == {"query", "limit"}
    assert isinstance(search["arguments"]["query"], str) and 1 <= search["arguments"]["limit"] <= 10
    assert not any(item["type"] == "function_call" for item in first["output"])

    loaded = {"type": "tool_search_output", "call_id": search["call_id"], "execution": "client", "tools": [ETA]}
    second = _create(client, previous_response_id=first["id"], input=[loaded], tools=[CLIENT_SEARCH, ETA])
    call = next(item for item in second["output"] if item["type"] == "function_call")
    assert call["name"] == "get_shipping_eta" and "order_id" in json.loads(call["arguments"])

    listed = client.responses.input_items.with_raw_response.list(second["id"]).http_response.json()
    assert listed["data"][0]["type"] == "tool_search_output" and listed["data"][0]["id"].startswith("tso_")
    TypeAdapter(ResponseItem).validate_python(listed["data"][0])
    assert_conforms("GET", "/v1/responses/{response_id}/input_items", 200, listed)


def test_a_client_search_loads_tools_the_request_never_declared(client: openai.OpenAI) -> None:
    """Codex's way: the client holds the catalogue; what its search output loads is callable."""
    search = {
        "type": "tool_search",
        "execution": "client",
        "description": "Search the available tools.",
        "parameters": CLIENT_SEARCH["parameters"],
    }
    first = _create(client, input="Search the available tools for one that lists calendar events", tools=[search])
    call = first["output"][-1]
    assert call["type"] == "tool_search_call" and call["execution"] == "client"
    calendar = {
        "type": "namespace",
        "name": "calendar",
        "description": "Calendar tools.",
        "tools": [
            {
                "type": "function",
                "name": "list_events",
                "description": "List calendar events.",
                "parameters": {"type": "object", "properties": {}},
            }
        ],
    }
    loaded = {"type": "tool_search_output", "call_id": call["call_id"], "tools": [calendar]}
    second = _create(client, previous_response_id=first["id"], input=[loaded], tools=[search])
    done = next(item for item in second["output"] if item["type"] == "function_call")
    assert (done["namespace"], done["name"]) == ("calendar", "list_events")


def test_a_client_search_without_parameters_names_the_paths(client: openai.OpenAI) -> None:
    tools = [{"type": "tool_search", "execution": "client"}, _crm(deferred=True)]
    answer = _create(client, input="List the open orders of customer CUST-42", tools=tools)
    assert answer["output"][-1]["arguments"] == {"paths": ["crm"]}


def test_a_required_tool_choice_searches_when_every_tool_is_deferred(client: openai.OpenAI) -> None:
    tools = [_crm(deferred=True), {"type": "tool_search"}]
    answer = _create(client, input="Say hello", tools=tools, tool_choice="required")
    kinds = [item["type"] for item in answer["output"] if item["type"] != "reasoning"]
    assert kinds[:2] == ["tool_search_call", "tool_search_output"] and kinds[-1] == "function_call"


def test_a_client_search_output_must_answer_a_search_call(client: openai.OpenAI) -> None:
    loaded = {"type": "tool_search_output", "call_id": "call_nope", "execution": "client", "tools": [ETA]}
    body = _refused(client, input=[{"role": "user", "content": "hi"}, loaded], tools=[CLIENT_SEARCH])
    assert body["param"] == "input" and "call_nope" in body["message"]


# --------------------------------------------------------------------------------------------- checks


def test_a_deferred_tool_needs_a_tool_search_tool(client: openai.OpenAI) -> None:
    assert _refused(client, input="hi", tools=[ETA])["param"] == "tools[0].defer_loading"
    assert (
        _refused(client, input="hi", tools=[WEATHER, _crm(deferred=True)])["param"] == "tools[1].tools[0].defer_loading"
    )


@pytest.mark.parametrize(
    ("tools", "param"),
    [
        ([{"type": "tool_search", "execution": "both"}], "tools[0].execution"),
        ([{"type": "tool_search", "description": "x"}], "tools[0].description"),
        ([{"type": "tool_search", "execution": "client", "parameters": {"type": "nope"}}], "tools[0].parameters"),
        ([{"type": "tool_search"}, {"type": "tool_search"}], "tools[1].type"),
    ],
)
def test_a_tool_search_tool_is_checked(client: openai.OpenAI, tools: list[dict[str, Any]], param: str) -> None:
    assert _refused(client, input="hi", tools=tools)["param"] == param


def test_a_deferred_tool_cannot_be_forced(client: openai.OpenAI) -> None:
    body = _refused(
        client,
        input="hi",
        tools=[ETA, CLIENT_SEARCH],
        tool_choice={"type": "function", "name": "get_shipping_eta"},
    )
    assert body["param"] == "tool_choice"


# --------------------------------------------------------------------------------------------- stream, state


def test_a_streamed_search_opens_and_closes_its_items(client: openai.OpenAI) -> None:
    tools: Any = [_crm(deferred=True), {"type": "tool_search"}]
    with client.responses.stream(model=MODEL, input="List the open orders of customer CUST-42", tools=tools) as stream:
        events = list(stream)
    added = [event.item.type for event in events if event.type == "response.output_item.added"]
    done = [event.item for event in events if event.type == "response.output_item.done"]
    assert [kind for kind in added if kind != "reasoning"] == [
        "tool_search_call",
        "tool_search_output",
        "function_call",
    ]
    opened = next(
        event.item
        for event in events
        if event.type == "response.output_item.added" and event.item.type == "tool_search_call"
    )
    assert isinstance(opened, ResponseToolSearchCall) and opened.status == "in_progress"
    closed = [item for item in done if isinstance(item, ResponseToolSearchCall | ResponseToolSearchOutputItem)]
    assert [item.status for item in closed] == ["completed", "completed"]
    for event in events:
        validate_component("ResponseStreamEvent", event.model_dump(mode="json", exclude_unset=True))


def test_search_items_are_stored_retrieved_and_kept_in_a_conversation(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    tools = [_crm(deferred=True), {"type": "tool_search"}]
    answer = _create(
        client, input="List the open orders of customer CUST-42", tools=tools, conversation=conversation.id
    )
    fetched = held(Response, client.responses.with_raw_response.retrieve(answer["id"]))
    searched = [item for item in answer["output"] if item["type"].startswith("tool_search")]
    assert [item for item in fetched["output"] if item["type"].startswith("tool_search")] == searched
    raw = client.conversations.items.with_raw_response.list(conversation.id, order="asc").http_response.json()
    kinds = [item["type"] for item in raw["data"] if item["type"] != "reasoning"]
    assert kinds == ["message", "tool_search_call", "tool_search_output", "function_call"]
    for item in raw["data"]:
        TypeAdapter(ConversationItem).validate_python(item)
