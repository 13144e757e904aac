"""Tool outputs made of content parts, and input files sent inline or by address, through the official SDK.

A `function_call_output` (and a `custom_tool_call_output`) may be a string or a list of `input_text` / `input_image` /
`input_file` parts, as the Agents SDK sends for tools that return images or structured content and for every MCP tool
result: the parts are checked like a message's, counted (text as text, images as images), read by the answer, and kept
as sent. An `input_file` gives exactly one of `file_id`, `file_data` (read as the bytes sent) or `file_url` (an https
address the mock does not fetch: billed as a remote document of `REMOTE_PAGES` pages, known by its address's words)."""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion
from openai.types.conversations import ConversationItemList
from openai.types.responses import Response, ResponseItem
from openai.types.responses.input_token_count_response import InputTokenCountResponse
from pydantic import TypeAdapter

from openai_mock.generation import documents
from openai_mock.generation.chat import IMAGE_HIGH_TOKENS, IMAGE_LOW_TOKENS
from tests.support.sdk import held
from tests.support.spec import assert_conforms

MODEL = "gpt-5.4"
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
CALL = {"type": "function_call", "call_id": "call_weather", "name": "get_weather", "arguments": '{"city": "Paris"}'}
QUESTION = {"role": "user", "content": "What's the weather in Paris?"}
IMAGE_URL = "https://images.example.com/paris-sky.jpg"
LETTER_URL = "https://www.berkshirehathaway.com/letters/2024ltr.pdf"
NOTES = (
    "The tide pools at Point Lobos hold sea stars, anemones and hermit crabs. Visitors should stay on marked trails. "
    "Collecting shells is forbidden. The reserve opens at eight in the morning."
)


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = held(Response, client.responses.with_raw_response.create(model=MODEL, **body))
    assert_conforms("POST", "/v1/responses", 200, data)
    return data


def _counted(client: openai.OpenAI, items: list[dict[str, Any]]) -> int:
    raw = client.responses.input_tokens.with_raw_response.count(model=MODEL, input=items, tools=[WEATHER])
    count: int = held(InputTokenCountResponse, raw)["input_tokens"]
    return count


def _refused(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, **body)
    error: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return error


def _output(output: Any) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": "call_weather", "output": output}


def _answer_text(response: dict[str, Any]) -> str:
    return "".join(part["text"] for item in response["output"] if item["type"] == "message" for part in item["content"])


# --------------------------------------------------------------------------------------------- tool outputs


def test_a_function_output_of_parts_is_answered_from_its_text_and_kept_as_sent(client: openai.OpenAI) -> None:
    parts = [
        {"type": "input_text", "text": '{"city": "Paris", "temperature": "18C", "sky": "overcast"}'},
        {"type": "input_image", "image_url": IMAGE_URL, "detail": "low"},
    ]
    response = _create(client, input=[QUESTION, CALL, _output(parts)], tools=[WEATHER])
    assert "18C" in _answer_text(response) and "overcast" in _answer_text(response)

    listed = client.responses.input_items.with_raw_response.list(response["id"])
    kept = TypeAdapter(list[ResponseItem]).validate_python(listed.http_response.json()["data"], strict=True)
    assert kept[2].type == "function_call_output"
    assert listed.http_response.json()["data"][2]["output"] == parts


def test_an_image_in_a_tool_output_is_counted_as_an_image(client: openai.OpenAI) -> None:
    text = {"type": "input_text", "text": "A photo of the sky over Paris."}
    plain = _counted(client, [QUESTION, CALL, _output([text])])
    low = _counted(
        client, [QUESTION, CALL, _output([text, {"type": "input_image", "image_url": IMAGE_URL, "detail": "low"}])]
    )
    high = _counted(client, [QUESTION, CALL, _output([text, {"type": "input_image", "image_url": IMAGE_URL}])])
    assert (low - plain, high - plain) == (IMAGE_LOW_TOKENS, IMAGE_HIGH_TOKENS)
    assert plain == _counted(client, [QUESTION, CALL, _output(text["text"])])  # text parts count as the string


def test_a_custom_tool_output_of_parts_is_counted_the_same_way(client: openai.OpenAI) -> None:
    tool = {"type": "custom", "name": "render_chart", "description": "Render a chart."}
    call = {"type": "custom_tool_call", "call_id": "call_chart", "name": "render_chart", "input": "sales by month"}
    output = {"type": "custom_tool_call_output", "call_id": "call_chart"}
    items = [{"role": "user", "content": "Render a chart of sales by month"}, call]
    text = {"type": "input_text", "text": "The chart is ready."}

    def count(parts: Any) -> int:
        raw = client.responses.input_tokens.with_raw_response.count(
            model=MODEL, input=[*items, {**output, "output": parts}], tools=[tool]
        )
        counted: int = held(InputTokenCountResponse, raw)["input_tokens"]
        return counted

    assert count([text, {"type": "input_image", "image_url": IMAGE_URL}]) - count([text]) == IMAGE_HIGH_TOKENS


def test_a_file_in_a_tool_output_is_counted_as_its_document(client: openai.OpenAI) -> None:
    text = {"type": "input_text", "text": "The report is attached."}
    pdf = {"type": "input_file", "file_url": "https://reports.example.com/q3-sales.pdf"}
    added = _counted(client, [QUESTION, CALL, _output([text, pdf])]) - _counted(
        client, [QUESTION, CALL, _output([text])]
    )
    assert added >= documents.REMOTE_PAGES * documents.PAGE_TOKENS


@pytest.mark.parametrize(
    ("output", "param", "code"),
    [
        (7, "input[2].output", "invalid_type"),
        ([{"type": "input_text"}], "input[2].output[0].text", "missing_required_parameter"),
        ([{"type": "output_text", "text": "hi"}], "input[2].output[0].type", "invalid_value"),
        (["plain"], "input[2].output[0]", "invalid_type"),
        ([{"type": "input_image", "detail": "low"}], "input[2].output[0].image_url", "missing_required_parameter"),
        (
            [{"type": "input_file", "file_url": "http://example.com/a.pdf"}],
            "input[2].output[0].file_url",
            "invalid_value",
        ),
    ],
)
def test_a_tool_output_part_it_cannot_take_is_a_400_naming_it(
    client: openai.OpenAI, output: Any, param: str, code: str
) -> None:
    error = _refused(client, input=[QUESTION, CALL, _output(output)], tools=[WEATHER])
    assert (error["param"], error["code"]) == (param, code)


def test_a_conversation_keeps_a_tool_output_of_parts(client: openai.OpenAI) -> None:
    parts = [{"type": "input_text", "text": '{"temperature": "18C"}'}]
    conversation = client.conversations.create(items=[QUESTION, CALL, _output(parts)])  # type: ignore[list-item]
    raw = client.conversations.items.with_raw_response.list(conversation.id, order="asc")
    body = held(ConversationItemList, raw)
    assert body["data"][2]["type"] == "function_call_output" and body["data"][2]["output"] == parts


# --------------------------------------------------------------------------------------------- input files


def _file_message(part: dict[str, Any], question: str | None = None) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "input_file", **part}]
    if question is not None:
        content.append({"type": "input_text", "text": question})
    return [{"role": "user", "content": content}]


def test_a_remote_document_is_billed_and_answered_from_its_address(client: openai.OpenAI) -> None:
    asked = [*_file_message({"file_url": LETTER_URL}), {"role": "user", "content": "Can you summarize the letter?"}]
    response = _create(client, input=asked)
    assert "2024ltr.pdf" in _answer_text(response) and "berkshirehathaway" in _answer_text(response)
    alone = _create(client, input="Can you summarize the letter?")
    billed = response["usage"]["input_tokens"] - alone["usage"]["input_tokens"]
    assert documents.REMOTE_PAGES * documents.PAGE_TOKENS < billed < documents.REMOTE_PAGES * documents.PAGE_TOKENS + 40


def test_inline_file_data_is_read_as_sent(client: openai.OpenAI) -> None:
    encoded = base64.b64encode(NOTES.encode()).decode()
    data_url = _create(
        client, input=_file_message({"file_data": f"data:text/plain;base64,{encoded}"}, "Summarize this file.")
    )
    named = _create(
        client, input=_file_message({"file_data": encoded, "filename": "lobos.txt"}, "Summarize this file.")
    )
    assert "tide pools at Point Lobos" in _answer_text(data_url)
    assert _answer_text(named).startswith("lobos.txt: ") and "tide pools at Point Lobos" in _answer_text(named)
    bare = _create(client, input="Summarize this file.")
    assert data_url["usage"]["input_tokens"] - bare["usage"]["input_tokens"] > 30  # the notes' own tokens


def test_a_pdf_sent_inline_costs_its_pages(client: openai.OpenAI) -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type /Page >>\n%%EOF"
    part = {"file_data": base64.b64encode(pdf).decode(), "filename": "two.pdf"}
    billed = _create(client, input=_file_message(part, "Summarize it."))["usage"]["input_tokens"]
    assert billed - _create(client, input="Summarize it.")["usage"]["input_tokens"] >= 2 * documents.PAGE_TOKENS


@pytest.mark.parametrize(
    ("part", "param", "code"),
    [
        ({}, "input[0].content[0].file_id", "missing_required_parameter"),
        ({"file_url": "http://www.example.com/a.pdf"}, "input[0].content[0].file_url", "invalid_value"),
        ({"file_url": "not a url"}, "input[0].content[0].file_url", "invalid_value"),
        ({"file_url": LETTER_URL, "file_id": "file-abc"}, "input[0].content[0].file_url", "invalid_value"),
        ({"file_data": "%%% not base64 %%%", "filename": "a.txt"}, "input[0].content[0].file_data", "invalid_value"),
        ({"file_data": "aGVsbG8="}, "input[0].content[0].filename", "missing_required_parameter"),
        ({"file_url": LETTER_URL, "detail": "max"}, "input[0].content[0].detail", "invalid_value"),
    ],
)
def test_an_input_file_it_cannot_take_is_a_400_naming_it(
    client: openai.OpenAI, part: dict[str, Any], param: str, code: str
) -> None:
    error = _refused(client, input=_file_message(part, "What is in it?"))
    assert (error["param"], error["code"]) == (param, code)


# --------------------------------------------------------------------------------------------- chat completions


def test_a_chat_tool_message_of_text_parts_is_read_by_the_answer(client: openai.OpenAI) -> None:
    call = {
        "id": "call_weather",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    messages: list[Any] = [
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {
            "role": "tool",
            "tool_call_id": "call_weather",
            "content": [{"type": "text", "text": '{"temperature": "18C"}'}],
        },
    ]
    tools: list[Any] = [
        {"type": "function", "function": {k: WEATHER[k] for k in ("name", "description", "parameters")}}
    ]
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=messages, tools=tools)
    body = held(ChatCompletion, raw)
    assert "18C" in body["choices"][0]["message"]["content"]


def test_a_chat_file_part_with_file_data_is_read(client: openai.OpenAI) -> None:
    encoded = base64.b64encode(NOTES.encode()).decode()
    content: list[Any] = [
        {"type": "file", "file": {"file_data": encoded, "filename": "lobos.txt"}},
        {"type": "text", "text": "Summarize this file."},
    ]
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=[{"role": "user", "content": content}])
    assert "tide pools at Point Lobos" in held(ChatCompletion, raw)["choices"][0]["message"]["content"]
