"""Today's Responses tools the mock answers without a network, through the official SDK: remote MCP servers (tool
list, approval, call), image generation (a real picture, partial images when streamed) and custom tools."""

from __future__ import annotations

import base64
import io

import openai
import pytest
from starlette.testclient import TestClient

from tests.support.spec import assert_conforms, validate_component

MCP = {
    "type": "mcp",
    "server_label": "deepwiki",
    "server_url": "https://mcp.deepwiki.com/mcp",
    "allowed_tools": ["ask_question", "read_wiki_structure"],
}


def _raw(client: openai.OpenAI, **body: object) -> dict[str, object]:
    raw = client.responses.with_raw_response.create(model="gpt-4.1", **body)  # type: ignore[call-overload]
    data = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, data)
    return data  # type: ignore[no-any-return]


def test_mcp_lists_tools_asks_for_approval_then_calls_once_approved(client: openai.OpenAI) -> None:
    first = _raw(client, input="Ask a question about the structure of the openai-python repo", tools=[MCP])
    listed, request = first["output"]  # type: ignore[misc]
    assert listed["type"] == "mcp_list_tools" and listed["server_label"] == "deepwiki"
    assert [tool["name"] for tool in listed["tools"]] == ["ask_question", "read_wiki_structure"]
    assert request["type"] == "mcp_approval_request" and request["name"] == "ask_question"
    assert "openai-python" in request["arguments"]

    second = _raw(
        client,
        previous_response_id=first["id"],
        input=[{"type": "mcp_approval_response", "approval_request_id": request["id"], "approve": True}],
        tools=[MCP],
    )
    call, message = second["output"]  # type: ignore[misc]
    assert call["type"] == "mcp_call" and call["approval_request_id"] == request["id"]
    assert (call["name"], call["arguments"], call["error"]) == ("ask_question", request["arguments"], None)
    assert "deepwiki" in call["output"]
    assert message["type"] == "message" and message["content"][0]["text"]


def test_mcp_declined_runs_nothing_and_never_needs_no_approval(client: openai.OpenAI) -> None:
    first = _raw(client, input="Ask about the repo", tools=[MCP])
    declined = _raw(
        client,
        previous_response_id=first["id"],
        input=[
            {"type": "mcp_approval_response", "approval_request_id": first["output"][1]["id"], "approve": False}  # type: ignore[index]
        ],
        tools=[MCP],
    )
    assert [item["type"] for item in declined["output"]] == ["message"]  # type: ignore[union-attr]
    direct = _raw(
        client, input="Read the wiki structure of openai/openai-python", tools=[{**MCP, "require_approval": "never"}]
    )
    kinds = [item["type"] for item in direct["output"]]  # type: ignore[union-attr]
    assert kinds == ["mcp_list_tools", "mcp_call", "message"]
    assert direct["output"][1]["name"] == "read_wiki_structure"  # type: ignore[index]


def test_an_approval_must_answer_a_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4.1",
            input=[{"type": "mcp_approval_response", "approval_request_id": "mcpr_nope", "approve": True}],
            tools=[MCP],
        )
    assert raised.value.body["param"] == "input"  # type: ignore[index]


@pytest.mark.parametrize(("output_format", "pillow_format"), [("png", "PNG"), ("webp", "WEBP")])
def test_image_generation_draws_a_real_picture(client: openai.OpenAI, output_format: str, pillow_format: str) -> None:
    from PIL import Image

    tool = {"type": "image_generation", "size": "1536x1024", "output_format": output_format}
    response = _raw(client, input="Draw a picture of a red lighthouse at dusk", tools=[tool])
    call, message = response["output"]  # type: ignore[misc]
    assert call["type"] == "image_generation_call" and call["status"] == "completed"
    with Image.open(io.BytesIO(base64.b64decode(call["result"]))) as picture:
        assert (picture.format, picture.size) == (pillow_format, (1536, 1024))
    assert message["type"] == "message"


def test_image_generation_is_not_used_when_nothing_is_to_be_drawn(client: openai.OpenAI) -> None:
    response = _raw(client, input="What is the capital of France?", tools=[{"type": "image_generation"}])
    assert [item["type"] for item in response["output"]] == ["message"]  # type: ignore[union-attr]


def test_streamed_image_generation_sends_its_events_in_order(client: openai.OpenAI) -> None:
    events = list(
        client.responses.create(
            model="gpt-4.1",
            input="Draw an image of a cat",
            tools=[{"type": "image_generation", "partial_images": 2}],
            stream=True,
        )
    )
    kinds = [event.type for event in events]
    image_events = [kind for kind in kinds if kind.startswith("response.image_generation_call.")]
    assert image_events == [
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.completed",
    ]
    for event in events:
        validate_component("ResponseStreamEvent", event.model_dump(mode="json", exclude_unset=True))
    assert [event.sequence_number for event in events] == list(range(len(events)))


def test_custom_tool_is_called_with_free_form_input_and_its_output_answered(client: openai.OpenAI) -> None:
    tool = {"type": "custom", "name": "code_exec", "description": "Executes arbitrary Python code."}
    first = _raw(client, input="Use the code_exec tool to run `print(6 * 7)`", tools=[tool])
    (call,) = first["output"]  # type: ignore[misc]
    assert call["type"] == "custom_tool_call" and call["name"] == "code_exec"
    assert call["input"] == "print(6 * 7)"
    second = _raw(
        client,
        previous_response_id=first["id"],
        input=[{"type": "custom_tool_call_output", "call_id": call["call_id"], "output": "42"}],
        tools=[tool],
    )
    (message,) = second["output"]  # type: ignore[misc]
    assert "42" in message["content"][0]["text"]


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "mcp", "server_url": "https://x.example/mcp"}, "tools[0].server_label"),
        ({"type": "mcp", "server_label": "x"}, "tools[0].server_url"),
        (
            {"type": "mcp", "server_label": "x", "server_url": "https://x", "require_approval": "sometimes"},
            "tools[0].require_approval",
        ),
        ({"type": "image_generation", "size": "999x999"}, "tools[0].size"),
        ({"type": "image_generation", "partial_images": 9}, "tools[0].partial_images"),
        ({"type": "custom", "name": "has spaces"}, "tools[0].name"),
    ],
)
def test_bad_tools_are_400_naming_the_param(client: openai.OpenAI, tool: dict[str, object], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4.1", input="Hi", tools=[tool])  # type: ignore[list-item]
    assert raised.value.body["param"] == param  # type: ignore[index]


# --- stored prompts ---------------------------------------------------------------------------------------------
def _register(http: TestClient, **body: object) -> dict[str, object]:
    created = http.post("/__mock/prompts", json=body, headers={"Authorization": "Bearer sk-test"})
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


def test_a_stored_prompt_is_expanded_with_its_variables(client: openai.OpenAI, http: TestClient) -> None:
    prompt = _register(http, instructions="You are a {{role}}. Always answer in {{language}}.", model="gpt-4.1-mini")
    assert str(prompt["id"]).startswith("pmpt_") and prompt["versions"][0]["version"] == "1"  # type: ignore[index]
    raw = client.responses.with_raw_response.create(
        prompt={"id": prompt["id"], "variables": {"role": "travel agent", "language": "French"}},  # type: ignore[typeddict-item]
        input="Where should I go in May?",
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, body)
    assert body["model"] == "gpt-4.1-mini"  # the prompt's model: the request named none
    assert body["instructions"] == "You are a travel agent. Always answer in French."
    assert body["prompt"] == {
        "id": prompt["id"],
        "version": "1",
        "variables": {"role": "travel agent", "language": "French"},
    }
    assert (
        body["usage"]["input_tokens"]
        > client.responses.create(model="gpt-4.1-mini", input="Where should I go in May?").usage.input_tokens
    )  # type: ignore[union-attr]


def test_prompt_versions_and_missing_or_unknown_prompts(client: openai.OpenAI, http: TestClient) -> None:
    first = _register(http, instructions="Be brief.")
    _register(http, id=first["id"], instructions="Be {{tone}}.", variables={"tone": "cheerful"})
    latest = client.responses.create(model="gpt-4.1", prompt={"id": first["id"]}, input="Hi")  # type: ignore[typeddict-item]
    assert (latest.instructions, latest.prompt.version) == ("Be cheerful.", "2")  # type: ignore[union-attr]
    pinned = client.responses.create(model="gpt-4.1", prompt={"id": first["id"], "version": "1"}, input="Hi")  # type: ignore[typeddict-item]
    assert pinned.instructions == "Be brief."
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model="gpt-4.1", prompt={"id": "pmpt_unknown"}, input="Hi")
    assert raised.value.body == {  # type: ignore[comparison-overlap]
        "message": "Prompt with id 'pmpt_unknown' not found.",
        "type": "invalid_request_error",
        "param": "prompt.id",
        "code": None,
    }
    needs = _register(http, instructions="Greet {{name}}.")
    with pytest.raises(openai.BadRequestError) as missing:
        client.responses.create(model="gpt-4.1", prompt={"id": needs["id"]}, input="Hi")  # type: ignore[typeddict-item]
    assert missing.value.body["param"] == "prompt.variables"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as no_model:
        client.responses.create(prompt={"id": needs["id"], "variables": {"name": "Ann"}}, input="Hi")  # type: ignore[typeddict-item]
    assert no_model.value.body["param"] == "model"  # type: ignore[index]


def test_max_tool_calls_is_echoed_and_checked(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gpt-4.1", input="Search the web for news", tools=[{"type": "web_search"}], max_tool_calls=1
    )
    assert response.max_tool_calls == 1
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4.1", input="Hi", max_tool_calls=0)
    assert raised.value.body["param"] == "max_tool_calls"  # type: ignore[index]
