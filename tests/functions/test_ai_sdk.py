"""The Vercel AI SDK (`ai` 7.0.185 with `@ai-sdk/openai` 4.0.126 on npm, tests/node) against the mock's local server
on a real socket: each scenario of tests/node/ai_sdk.mjs drives the SDK, over the Responses API (the provider's
default) and Chat Completions, and prints a summary of what it parsed, checked here.

Never skipped: without node or tests/node/node_modules the tests fail and say to run `make node-sdk`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from tests.support.live_server import live_server_fixture
from tests.support.node_judge import AI_SDK_JUDGE, Summary, node, run_judge

base_url = live_server_fixture()

RESPONSES = ("POST /v1/responses", "resp_", "gpt-4.1")
CHAT = ("POST /v1/chat/completions", "chatcmpl-", "gpt-4o-mini")
WEATHER = {"city": "Paris", "forecast": "Hail and 3 degrees"}


def _usage(usage: Summary) -> None:
    assert usage["input"] > 0
    assert usage["output"] > 0
    assert usage["total"] == usage["input"] + usage["output"]


def _generated(api: tuple[str, str, str]) -> Callable[[Summary], None]:
    path, id_prefix, model = api

    def check(summary: Summary) -> None:
        assert summary["paths"] == [path]
        assert "Ada" in summary["text"]
        assert summary["finish_reason"] == "stop"
        _usage(summary["usage"])
        assert summary["response_id"].startswith(id_prefix)
        assert summary["model"] == model

    return check


def _streamed(api: tuple[str, str, str]) -> Callable[[Summary], None]:
    path, id_prefix, model = api

    def check(summary: Summary) -> None:
        assert summary["paths"] == [path]
        assert summary["stream_flag"] is True
        assert summary["deltas"] > 3
        assert summary["streamed"] == summary["text"]  # the text deltas add up to the final text
        assert "rivers" in summary["text"].lower()
        assert summary["finish_reason"] == "stop"
        _usage(summary["usage"])  # read from the stream's last event (response.completed, the usage chunk)
        assert summary["response_id"].startswith(id_prefix)
        assert summary["model"] == model

    return check


def _sent_back(summary: Summary, path: str) -> None:
    """The second request carried the tool call and its result in the API's own shapes."""
    sent = summary["sent_back"]
    if path == RESPONSES[0]:
        assert sent["types"] == ["message:user", "function_call", "function_call_output"]
        assert sent["call_id"] == summary["call_id"]
    else:
        assert sent["roles"] == ["user", "assistant", "tool"]
        assert sent["tool_call_id"] == sent["assistant_call_id"] == summary["call_id"]
    assert sent["content"] == WEATHER


def _tools(api: tuple[str, str, str]) -> Callable[[Summary], None]:
    path = api[0]

    def check(summary: Summary) -> None:
        assert summary["paths"] == [path, path]  # two steps of three allowed: the model answered after the tool
        assert summary["steps"] == 2
        assert summary["step_finish_reasons"] == ["tool-calls", "stop"]
        assert summary["first_step_parts"] == ["tool-call", "tool-result"]  # no empty text part before the call
        assert (summary["tool"], summary["input"]) == ("get_weather", {"city": "Paris"})
        assert summary["call_id"].startswith("call_")
        assert summary["calls"] == [{"city": "Paris"}]  # the SDK ran the tool once, with the mock's arguments
        assert summary["tool_output"] == WEATHER
        _sent_back(summary, path)
        assert "Hail and 3 degrees" in summary["text"]  # the second answer read the tool's result
        assert summary["total_tokens"] > 0

    return check


def _stream_tools(api: tuple[str, str, str]) -> Callable[[Summary], None]:
    path = api[0]

    def check(summary: Summary) -> None:
        assert summary["paths"] == [path, path]
        assert summary["step_finish_reasons"] == ["tool-calls", "stop"]
        assert summary["first_step_parts"] == ["tool-call", "tool-result"]
        for part in ("tool-input-start", "tool-input-delta", "tool-call", "tool-result", "text-delta", "finish"):
            assert part in summary["part_types"]
        assert (summary["tool"], summary["input"]) == ("get_weather", {"city": "Paris"})
        assert json.loads(summary["input_deltas"]) == summary["input"]  # the argument deltas add up to the call
        assert summary["calls"] == [{"city": "Paris"}]
        assert summary["sent_back"]["content"] == WEATHER
        assert summary["text_deltas"] == summary["text"]
        assert "Hail and 3 degrees" in summary["text"]

    return check


def _city_report(summary: Summary) -> None:
    # zod validated the answer in the SDK: every field of the schema, of its type, the enum respected.
    assert summary["valid"] is True
    assert summary["keys"] == ["climate", "coastal", "landmarks", "mayor", "name", "population"]
    assert summary["integer"] is True
    assert summary["climate"] in ("arid", "temperate", "tropical")


def _output_object_responses(summary: Summary) -> None:
    assert summary["paths"] == [RESPONSES[0]]
    assert (summary["format"], summary["strict"]) == ("json_schema", True)  # sent as text.format
    _city_report(summary)


def _generate_object_chat(summary: Summary) -> None:
    assert summary["paths"] == [CHAT[0]]
    assert (summary["format"], summary["schema_name"]) == ("json_schema", "city_report")  # sent as response_format
    assert summary["finish_reason"] == "stop"
    _city_report(summary)


def _embed(summary: Summary) -> None:
    assert summary["paths"] == ["POST /v1/embeddings"] * 2
    assert summary["encoding_format"] == "float"
    assert summary["dimensions"] == 1536
    assert summary["numbers"] is True
    assert summary["norm"] == pytest.approx(1.0, abs=1e-4)
    assert summary["same"] is True  # the same text, the same vector
    assert summary["tokens"] > 0


def _embed_many(summary: Summary) -> None:
    assert summary["paths"] == ["POST /v1/embeddings"]  # one call for the three values
    assert summary["inputs_sent"] == summary["count"] == 3
    assert summary["dimensions"] == [256, 256, 256]  # providerOptions.openai.dimensions
    assert summary["same_text_similarity"] == pytest.approx(1.0)
    assert summary["other_text_similarity"] < 0.9
    assert summary["tokens"] > 0


def _unknown_model(summary: Summary) -> None:
    message = "The model 'gpt-does-not-exist' does not exist"
    assert summary["paths"] == [RESPONSES[0]]
    assert summary["class"] == "AI_APICallError"
    assert summary["status"] == 404
    assert summary["message"] == summary["data_message"] == message  # the provider read the mock's error body
    assert summary["retryable"] is False
    assert summary["url_path"] == "/v1/responses"
    assert summary["error"] == {
        "message": message,
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


SCENARIOS: dict[str, Callable[[Summary], None]] = {
    "generate_text_responses": _generated(RESPONSES),
    "generate_text_chat": _generated(CHAT),
    "stream_text_responses": _streamed(RESPONSES),
    "stream_text_chat": _streamed(CHAT),
    "tools_responses": _tools(RESPONSES),
    "tools_chat": _tools(CHAT),
    "stream_tools_responses": _stream_tools(RESPONSES),
    "stream_tools_chat": _stream_tools(CHAT),
    "output_object_responses": _output_object_responses,
    "generate_object_chat": _generate_object_chat,
    "embed": _embed,
    "embed_many": _embed_many,
    "unknown_model": _unknown_model,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_ai_sdk_accepts_the_answers(base_url: str, scenario: str) -> None:
    SCENARIOS[scenario](run_judge(base_url, scenario, script=AI_SDK_JUDGE))


def test_every_scenario_of_the_ai_sdk_judge_is_checked() -> None:
    """A scenario added to ai_sdk.mjs without a check here would never run."""
    run = subprocess.run([node(), str(AI_SDK_JUDGE), "--list"], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(run.stdout) == list(SCENARIOS)
