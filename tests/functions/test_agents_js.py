"""The OpenAI Agents SDK for JavaScript (`@openai/agents` 0.20.0 on npm, over the official `openai` 7.60.0, tests/node)
against the mock's local server on a real socket: each scenario of tests/node/agents_js.mjs runs agents, over the
Responses API (the SDK's default) and Chat Completions, and prints a summary of the run, checked here.

Never skipped: without node or tests/node/node_modules the tests fail and say to run `make node-sdk`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from tests.support.live_server import live_server_fixture
from tests.support.node_judge import NODE_DIR, Summary, node, run_judge

base_url = live_server_fixture()

AGENTS_JS_JUDGE = NODE_DIR / "agents_js.mjs"
RESPONSES = ("POST /v1/responses", "resp_")
CHAT = ("POST /v1/chat/completions", "chatcmpl-")
WEATHER = {"city": "Paris", "forecast": "Hail and 3 degrees"}
TWO_TURNS = ["message:user", "message:assistant", "message:user", "message:assistant"]


def _usage(summary: Summary, requests: int) -> None:
    usage = summary["usage"]
    assert usage["requests"] == requests  # the runner summed every model call of the run
    assert usage["input"] > 0
    assert usage["output"] > 0
    assert usage["total"] == usage["input"] + usage["output"]


def _responses_of(summary: Summary, api: tuple[str, str], count: int) -> None:
    path, id_prefix = api
    assert summary["paths"] == [path] * count
    assert len(summary["response_ids"]) == count
    assert all(response_id.startswith(id_prefix) for response_id in summary["response_ids"])
    _usage(summary, count)


def _ran(api: tuple[str, str]) -> Callable[[Summary], None]:
    def check(summary: Summary) -> None:
        _responses_of(summary, api, 1)
        assert "Ada" in summary["final_output"]
        assert summary["last_agent"] == "Greeter"
        assert summary["item_types"] == ["message_output_item"]
        if api == RESPONSES:
            assert summary["instructions"] == "Greet people by their name."  # the agent's instructions
        else:
            assert summary["system"] == {"role": "system", "content": "Greet people by their name."}

    return check


def _sent_back(summary: Summary, api: tuple[str, str]) -> None:
    """The second request carried the tool call and its result in the API's own shapes."""
    sent = summary["sent_back"]
    if api == RESPONSES:
        assert sent["types"] == ["message:user", "function_call", "function_call_output"]
        assert sent["call_id"] == summary["call_id"]
    else:
        assert sent["roles"] == ["system", "user", "assistant", "tool"]
        assert sent["tool_call_id"] == sent["assistant_call_id"] == summary["call_id"]
    assert sent["content"] == WEATHER


def _tools(api: tuple[str, str]) -> Callable[[Summary], None]:
    def check(summary: Summary) -> None:
        _responses_of(summary, api, 2)  # the call, then the answer from its result
        assert summary["sent_tools"] == ["get_weather"]
        assert summary["item_types"] == ["tool_call_item", "tool_call_output_item", "message_output_item"]
        assert (summary["tool"], summary["arguments"]) == ("get_weather", {"city": "Paris"})
        assert summary["call_id"].startswith("call_")
        assert summary["calls"] == [{"city": "Paris"}]  # zod parsed the mock's arguments, the tool ran once
        assert summary["tool_output"] == WEATHER
        _sent_back(summary, api)
        assert "Hail and 3 degrees" in summary["final_output"]  # the answer read the tool's result

    return check


def _streamed(api: tuple[str, str]) -> Callable[[Summary], None]:
    def check(summary: Summary) -> None:
        _responses_of(summary, api, 1)  # usage read from the stream's last event
        assert summary["stream_flag"] is True
        assert summary["deltas"] > 3
        assert summary["streamed"] == summary["final_output"]  # the text deltas add up to the final output
        assert "rivers" in summary["final_output"].lower()

    return check


def _stream_tools(api: tuple[str, str]) -> Callable[[Summary], None]:
    def check(summary: Summary) -> None:
        _responses_of(summary, api, 2)
        assert summary["stream_flags"] == [True, True]
        assert summary["item_events"] == ["tool_called", "tool_output", "message_output_created"]
        assert summary["calls"] == [{"city": "Paris"}]  # the streamed argument deltas made a valid call
        _sent_back(summary, api)
        assert summary["text_deltas"] == summary["final_output"]
        assert "Hail and 3 degrees" in summary["final_output"]

    return check


def _output_type(api: tuple[str, str]) -> Callable[[Summary], None]:
    def check(summary: Summary) -> None:
        _responses_of(summary, api, 1)
        assert (summary["format"], summary["strict"]) == ("json_schema", True)  # text.format / response_format
        # zod parsed the answer into an object of the schema: every field, of its type, the enum respected.
        assert summary["output_kind"] == "object"
        assert summary["valid"] is True
        assert summary["keys"] == ["climate", "coastal", "landmarks", "mayor", "name", "population"]
        assert summary["integer"] is True
        assert summary["final_output"]["climate"] in ("arid", "temperate", "tropical")

    return check


def _handoff(summary: Summary) -> None:
    _responses_of(summary, RESPONSES, 2)
    assert summary["sent_tools"] == ["transfer_to_Spanish_agent"]  # the handoff as a function tool
    assert summary["handoff_tool"] == "transfer_to_Spanish_agent"  # and the mock called it
    assert summary["item_types"] == ["handoff_call_item", "handoff_output_item", "message_output_item"]
    assert summary["last_agent"] == "Spanish agent"
    # The second model call was the specialist's, with the triage's turn in its input.
    assert summary["instructions"] == [
        "Hand off to the Spanish agent when the user writes in Spanish.",
        "You only speak Spanish.",
    ]
    assert summary["handoff_input"] == ["message:user", "function_call", "function_call_output"]
    assert summary["final_output"].strip()
    assert "assistant: Spanish agent" not in summary["final_output"]  # it answers the user, not the transfer


def _previous_response_id(summary: Summary) -> None:
    assert summary["paths"] == [RESPONSES[0]] * 2
    assert summary["sent_previous"] == summary["first_id"] != summary["second_id"]
    assert summary["sent_input"] == [{"role": "user", "content": "What is my name?"}]  # only the new turn
    assert "Ada" in summary["final_output"]  # the server-side history was read
    first, second = summary["input_tokens"]
    assert second > first  # and billed


def _conversation_id(summary: Summary) -> None:
    conversation = summary["conversation_id"]
    assert conversation.startswith("conv_")
    assert summary["paths"][:3] == ["POST /v1/conversations", RESPONSES[0], RESPONSES[0]]
    assert summary["sent_conversation"] == [conversation, conversation]
    assert summary["sent_inputs"] == [["message:user"], ["message:user"]]  # the server keeps the history
    assert "Ada" in summary["final_output"]
    assert summary["stored"] == TWO_TURNS  # both turns, in order, in the conversation's items


def _memory_session(summary: Summary) -> None:
    assert summary["paths"] == [RESPONSES[0]] * 2
    assert summary["sent_input"] == ["message:user", "message:assistant", "message:user"]  # the SDK keeps it
    assert summary["history"] == TWO_TURNS
    assert "Ada" in summary["final_output"]  # the mock read the first turn from the input


def _conversations_session(summary: Summary) -> None:
    conversation = summary["conversation_id"]
    assert conversation.startswith("conv_")
    items = f"/v1/conversations/{conversation}/items"
    assert summary["paths"][0] == "POST /v1/conversations"
    assert summary["paths"].count(RESPONSES[0]) == 2
    assert summary["paths"].count(f"POST {items}") == 2  # each turn's items added to the conversation
    assert summary["sent_conversation"] == [None, None]
    assert summary["sent_inputs"] == [["message:user"], ["message:user", "message:assistant", "message:user"]]
    assert summary["history"] == TWO_TURNS  # read back from the mock's item list
    assert "Ada" in summary["final_output"]


def _input_guardrail(summary: Summary) -> None:
    assert summary["allowed_paths"] == [RESPONSES[0]]
    assert "Ada Lovelace" in summary["allowed_output"]
    assert summary["checked"] == [False, True]
    assert summary["class"] == "InputGuardrailTripwireTriggered"
    assert summary["guardrail"] == "no homework"
    assert summary["output_info"] == {"homework": True}
    assert summary["paths"] == [RESPONSES[0]]  # the tripped run never reached the model


SCENARIOS: dict[str, Callable[[Summary], None]] = {
    "run_responses": _ran(RESPONSES),
    "run_chat": _ran(CHAT),
    "tools_responses": _tools(RESPONSES),
    "tools_chat": _tools(CHAT),
    "stream_responses": _streamed(RESPONSES),
    "stream_chat": _streamed(CHAT),
    "stream_tools_responses": _stream_tools(RESPONSES),
    "stream_tools_chat": _stream_tools(CHAT),
    "output_type_responses": _output_type(RESPONSES),
    "output_type_chat": _output_type(CHAT),
    "handoff": _handoff,
    "previous_response_id": _previous_response_id,
    "conversation_id": _conversation_id,
    "memory_session": _memory_session,
    "conversations_session": _conversations_session,
    "input_guardrail": _input_guardrail,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_agents_sdk_accepts_the_answers(base_url: str, scenario: str) -> None:
    SCENARIOS[scenario](run_judge(base_url, scenario, script=AGENTS_JS_JUDGE))


def test_every_scenario_of_the_agents_js_judge_is_checked() -> None:
    """A scenario added to agents_js.mjs without a check here would never run."""
    run = subprocess.run(
        [node(), str(AGENTS_JS_JUDGE), "--list"], capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(run.stdout) == list(SCENARIOS)
