"""Legacy Completions (`POST /v1/completions`): request model, the real API's checks, creation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ConfigDict

from openai_mock import clock, ids
from openai_mock.checks import check_range, stop_sequences
from openai_mock.control.api import scripted
from openai_mock.errors import invalid_request
from openai_mock.fields import Decimal, Integer, RequestModel
from openai_mock.generation import completions as builder
from openai_mock.generation import tokens
from openai_mock.generation.streaming import chat_style
from openai_mock.resources.models import chat_model_spec
from openai_mock.rng import request_rng

END_OF_TEXT = "<|endoftext|>"
SUFFIX_MODEL = "gpt-3.5-turbo-instruct"  # the one completions model with insert mode (`suffix`)
# Left out of the seed: they cut or present the answer, they do not change it (see chat.py).
_DELIVERY_FIELDS = frozenset(
    {"stream", "stream_options", "user", "stop", "n", "best_of", "max_tokens", "logprobs", "echo"}
)


class CompletionRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    prompt: Any = END_OF_TEXT
    best_of: Integer | None = None
    echo: bool | None = None
    frequency_penalty: Decimal | None = None
    logit_bias: dict[str, Integer] | None = None
    logprobs: Integer | None = None
    max_tokens: Integer | None = None
    n: Integer | None = None
    presence_penalty: Decimal | None = None
    seed: Integer | None = None
    stop: Any = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    suffix: str | None = None
    temperature: Decimal | None = None
    top_p: Decimal | None = None
    user: str | None = None


def _is_tokens(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(isinstance(t, int) and not isinstance(t, bool) for t in value)
    )


def prompts_of(prompt: Any, model: str) -> tuple[list[str], int]:
    """The prompts as text, and their exact token count: a string, strings, a token array or token arrays."""
    if prompt is None:
        prompt = END_OF_TEXT
    if isinstance(prompt, str):
        return [prompt], _count(prompt, model)
    if _is_tokens(prompt):
        return [_decode(prompt, model)], len(prompt)
    if isinstance(prompt, list) and prompt and all(isinstance(item, str) for item in prompt):
        return list(prompt), sum(_count(item, model) for item in prompt)
    if isinstance(prompt, list) and prompt and all(_is_tokens(item) for item in prompt):
        return [_decode(item, model) for item in prompt], sum(len(item) for item in prompt)
    raise invalid_request(
        "Invalid type for 'prompt': expected one of a string, array of strings, array of tokens or "
        "array of token arrays.",
        "prompt",
        "invalid_type",
    )


def _count(prompt: str, model: str) -> int:
    # `<|endoftext|>` as a prompt is the one special token: a single token, as the API counts it.
    return 1 if prompt == END_OF_TEXT else tokens.count_tokens(prompt, model)


def _decode(token_ids: list[int], model: str) -> str:
    vocabulary = tokens.encoding(tokens.encoding_name_for_model(model)).n_vocab
    for token in token_ids:
        if not 0 <= token < vocabulary:
            raise invalid_request(
                f"Invalid token in prompt: {token}. Minimum value is 0, maximum value is {vocabulary - 1} (inclusive).",
                "prompt",
                "invalid_value",
            )
    return tokens.decode(token_ids, model)


def validate(body: CompletionRequest, tenant: str) -> tuple[dict[str, Any], list[str], int]:
    spec = chat_model_spec(tenant, body.model, "completions")
    if body.suffix is not None and body.model != SUFFIX_MODEL:
        raise invalid_request(
            "Unsupported parameter: 'suffix' is not supported with this model.", "suffix", "unsupported_parameter"
        )
    prompts, prompt_tokens = prompts_of(body.prompt, body.model)
    # The suffix is model input like the prompt: every prompt is sent with it.
    suffix_tokens = tokens.count_tokens(body.suffix, body.model) if body.suffix else 0
    prompt_tokens += suffix_tokens * len(prompts)
    check_range(body.temperature, "temperature", 0, 2, decimal=True)
    check_range(body.top_p, "top_p", 0, 1, decimal=True)
    check_range(body.frequency_penalty, "frequency_penalty", -2, 2, decimal=True)
    check_range(body.presence_penalty, "presence_penalty", -2, 2, decimal=True)
    check_range(body.n, "n", 1, 128)
    check_range(body.best_of, "best_of", 0, 20)
    check_range(body.logprobs, "logprobs", 0, 5)
    check_range(body.max_tokens, "max_tokens", 0)
    stop = stop_sequences(body.stop)
    n, best_of = body.n or 1, body.best_of
    if best_of is not None and best_of < n:
        raise invalid_request("best_of must be greater than or equal to n.", "best_of", "invalid_value")
    if body.stream and best_of is not None and best_of > 1:
        raise invalid_request("Cannot stream results with best_of greater than 1.", "best_of", "invalid_value")
    if body.stream_options is not None and not body.stream:
        raise invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
            "invalid_value",
        )
    max_tokens = 16 if body.max_tokens is None else body.max_tokens
    longest = max(_count(prompt, body.model) for prompt in prompts) + suffix_tokens
    if longest + max_tokens > spec.context_window:
        raise invalid_request(
            f"This model's maximum context length is {spec.context_window} tokens, however you requested "
            f"{longest + max_tokens} tokens ({longest} in your prompt; {max_tokens} for the completion). Please "
            "reduce your prompt; or completion length.",
            "prompt",
            "context_length_exceeded",
        )
    request = body.model_dump(exclude_none=True)
    request.update(max_tokens=max_tokens, stop=stop)
    return request, prompts, prompt_tokens


def generate(body: CompletionRequest, tenant: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """Validate and build the completion: the core the endpoint and the Batch API share (no rate-limit
    accounting, never streamed)."""
    request, prompts, prompt_tokens = validate(body, tenant)
    script = scripted(
        tenant, "completions", {**request, "messages": [{"role": "user", "content": p} for p in prompts]}, body=request
    )
    return builder.build_completion(
        request,
        prompts,
        prompt_tokens,
        request_rng({k: v for k, v in request.items() if k not in _DELIVERY_FIELDS}, headers),
        completion_id=ids.new_id("text_completion"),
        created=clock.now_seconds(),
        script=None if script is None else script.content or "",
    )


def deliver(body: CompletionRequest, completion: dict[str, Any]) -> dict[str, Any] | Iterator[bytes]:
    """An admitted completion as JSON, or as its chunk stream."""
    if body.stream:
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        return chat_style(builder.stream_chunks(completion, include_usage))
    return completion
