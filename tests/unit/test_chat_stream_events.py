"""`stream_events` writes exactly what encoding each of `stream_chunks`' chunks would write (it encodes the shared
fields once and cuts the content on the builder's tokens), for every kind of answer a stream carries."""

from __future__ import annotations

from typing import Any

import pytest

from openai_mock.generation import chat, tokens
from openai_mock.generation.streaming import chat_style
from openai_mock.rng import seeded_rng

_TOOL = {
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
_CASES: list[dict[str, Any]] = [
    {},
    {"max_tokens": 5},
    {"n": 3},
    {"logprobs": True, "top_logprobs": 2},
    {"tools": [{"type": "function", "function": _TOOL}], "tool_choice": "required"},
    {"functions": [_TOOL], "function_call": {"name": "get_weather"}},
    {"stop": ["e"]},
    {"response_format": {"type": "json_object"}},
    {"prediction": {"type": "content", "content": "x = 1\nprint(x)"}},
]
_PROMPTS = ["What is the capital of France?", "Write a long story about a dog.", 'Say "héllo wörld 😀 日本語"']


@pytest.mark.parametrize("extra", _CASES)
@pytest.mark.parametrize("prompt", _PROMPTS)
@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4"])
def test_stream_events_are_the_chunks_encoded(extra: dict[str, Any], prompt: str, model: str) -> None:
    content = prompt + (" as json" if "response_format" in extra else "")
    request = {"model": model, "messages": [{"role": "user", "content": content}], **extra}
    built: list[list[int]] = []
    completion = chat.build_chat_completion(
        request, seeded_rng(request), completion_id="chatcmpl-1", created=1_700_000_000, tokens_out=built
    )
    assert len(built) == len(completion["choices"])
    for choice, choice_tokens in zip(completion["choices"], built, strict=True):
        if choice_tokens:  # what the builder reports is the content's own encoding
            assert choice_tokens == tokens.encode(choice["message"]["content"], model)
    for include_usage in (False, True):
        for obfuscate in (False, True):
            expected = b"".join(chat_style(chat.stream_chunks(completion, include_usage, obfuscate)))
            assert b"".join(chat.stream_events(completion, include_usage, built, obfuscate)) == expected
            assert b"".join(chat.stream_events(completion, include_usage, obfuscate=obfuscate)) == expected
            assert (b'"obfuscation":"' in expected) is obfuscate
    assert expected.endswith(b"data: [DONE]\n\n") and expected.count(b"data: {") >= 3
