"""LiteLLM as a judge: `litellm.completion` (plain, streamed, with tools), `litellm.embedding` and
`litellm.responses` through its `openai/` provider against the mock on a live socket (LiteLLM builds its own HTTP
clients), parsed into LiteLLM's own objects. Nothing leaves the machine: the model cost map is LiteLLM's bundled
copy and any connection other than the local server's fails the test."""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

import openai
import pytest

from tests.support.live_server import live_server_fixture
from tests.support.offline import offline_fixture

# LiteLLM's own pydantic types warn about ReadOnly TypedDict items when first built.
pytestmark = pytest.mark.filterwarnings("ignore:Items? .*ReadOnly. qualifier:UserWarning")

base_url = live_server_fixture()
KEY = "sk-litellm"
SEED = {"x-mock-seed": "30"}  # the same seed for every call: a streamed answer equals the unstreamed one

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}


# Any connection but loopback (a cost map, telemetry, a tokenizer download) fails the test, even one LiteLLM tried
# in a background thread and swallowed.
offline = offline_fixture("LiteLLM")


@pytest.fixture
def litellm(monkeypatch: pytest.MonkeyPatch, offline: None) -> Any:
    # Read when LiteLLM is imported: its bundled model cost map instead of downloading the newest one.
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    # LiteLLM points TIKTOKEN_CACHE_DIR at its own copy of the encodings when it first counts tokens; the rest of
    # the suite keeps the mock's.
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", os.environ["TIKTOKEN_CACHE_DIR"])
    else:
        monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    module = importlib.import_module("litellm")
    monkeypatch.setattr(module, "num_retries", 0)
    return module


def _call(base_url: str) -> dict[str, Any]:
    return {"api_base": base_url, "api_key": KEY, "extra_headers": SEED}


def test_completion_answers_text_with_usage(litellm: Any, base_url: str) -> None:
    answer = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "Write one sentence about rivers."}],
        **_call(base_url),
    )
    assert answer.id.startswith("chatcmpl-")
    assert answer.model.startswith("gpt-4o-mini")
    choice = answer.choices[0]
    assert choice.finish_reason == "stop"
    assert len(choice.message.content.split()) > 2
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_streamed_completion_adds_up_to_the_unstreamed_text(litellm: Any, base_url: str) -> None:
    request = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Describe a bridge."}]}
    whole = litellm.completion(**request, **_call(base_url))
    chunks = list(litellm.completion(**request, stream=True, **_call(base_url)))
    assert len(chunks) > 2
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    rebuilt = litellm.stream_chunk_builder(chunks)
    assert rebuilt.choices[0].message.content == whole.choices[0].message.content


def test_completion_with_tools_answers_the_tool_call(litellm: Any, base_url: str) -> None:
    answer = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "What is the weather like in Tokyo right now?"}],
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        **_call(base_url),
    )
    [call] = answer.choices[0].message.tool_calls
    assert call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Tokyo"}


def test_embedding_answers_the_mocks_vectors(litellm: Any, base_url: str) -> None:
    texts = ["A harbour at dawn.", "Quarterly revenue grew."]
    answer = litellm.embedding(model="openai/text-embedding-3-small", input=texts, **_call(base_url))
    assert [item["index"] for item in answer.data] == [0, 1]
    sdk = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0)
    direct = sdk.embeddings.create(model="text-embedding-3-small", input=texts, encoding_format="float")
    for given, expected in zip(answer.data, direct.data, strict=True):
        assert len(given["embedding"]) == 1536
        assert given["embedding"] == pytest.approx(expected.embedding)
    assert answer.usage.prompt_tokens == direct.usage.prompt_tokens > 0


def test_responses_answers_text_with_usage(litellm: Any, base_url: str) -> None:
    answer = litellm.responses(model="openai/gpt-4o-mini", input="Say hello to a new colleague.", **_call(base_url))
    assert answer.id.startswith("resp_")
    assert answer.status == "completed"
    [message] = [item for item in answer.output if item.type == "message"]
    assert message.content[0].text.strip()
    assert answer.usage.input_tokens > 0 and answer.usage.output_tokens > 0
