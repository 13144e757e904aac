"""Prompt caching as OpenAI documents it (resources/prompt_cache.py): a prompt of 1,024 tokens or more is cached,
a repeat hits the longest prefix written before in 128-token steps, per tenant, model and `prompt_cache_key`, for
as long as the retention or TTL says by the mock clock; explicit breakpoints; Responses continuations; the cached
tokens in the organization's usage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from openai_mock import clock
from openai_mock.generation import tokens
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.batches import batch_line, batch_records, run_batch
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held
from tests.support.spec import assert_conforms

# A system prompt of 1,400 tokens (700 "wordN" words, two tokens each): the whole prompt is 1,417 tokens.
HANDBOOK = " ".join(f"word{index}" for index in range(700))
LONG = [{"role": "system", "content": HANDBOOK}, {"role": "user", "content": "Summarise the handbook."}]
LONG_PROMPT_TOKENS = 1_417
LONG_HIT = 1_408  # 11 steps of 128: the prompt's last 9 tokens are never cached


def _chat(client: openai.OpenAI, messages: list[dict[str, Any]] = LONG, **extra: Any) -> dict[str, Any]:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages, **extra)  # type: ignore[arg-type]
    body: dict[str, Any] = held(ChatCompletion, raw)
    assert_conforms("POST", "/v1/chat/completions", 200, body)
    return body


def _details(completion: dict[str, Any]) -> tuple[int, int]:
    details = completion["usage"]["prompt_tokens_details"]
    return details["cached_tokens"], details["cache_write_tokens"]


def _respond(client: openai.OpenAI, *, sdk_only: bool = False, **params: Any) -> dict[str, Any]:
    """The response's JSON, held to the SDK's `Response` and the spec (`sdk_only`: to the SDK's alone, for what
    only SDK 3.63 knows, such as a `12h` ttl, which the 2026-08-21 spec's enum lacks)."""
    body: dict[str, Any] = held(Response, client.responses.with_raw_response.create(**params))
    if not sdk_only:
        assert_conforms("POST", "/v1/responses", 200, body)
    return body


# --------------------------------------------------------------------------------------------- chat


def test_a_long_prompt_sent_twice_hits_its_last_whole_step(client: openai.OpenAI) -> None:
    first, second = _chat(client), _chat(client)
    assert first["usage"]["prompt_tokens"] == second["usage"]["prompt_tokens"] == LONG_PROMPT_TOKENS
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == LONG_HIT
    # A prompt that differs from the 1,405th token on hits the whole steps before it.
    amended = [{"role": "system", "content": HANDBOOK + " Be brief."}, LONG[1]]
    assert _details(_chat(client, amended))[0] == 1_280  # framing, role and handbook: 1,404 tokens, 10 whole steps


def test_a_short_prompt_is_never_cached(client: openai.OpenAI) -> None:
    short = [{"role": "user", "content": "Hello there, how are you today?"}]
    for _ in range(3):
        assert _details(_chat(client, short)) == (0, 0)


def test_another_tenant_model_or_cache_key_misses(
    client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    _chat(client)
    assert _details(_chat(client_for("sk-another-tenant")))[0] == 0
    other_model = client.chat.completions.create(model="gpt-4o", messages=LONG)  # type: ignore[arg-type]
    assert other_model.usage and other_model.usage.prompt_tokens_details
    assert other_model.usage.prompt_tokens_details.cached_tokens == 0
    assert _details(_chat(client, prompt_cache_key="user-7"))[0] == 0  # a key narrows the match
    assert _details(_chat(client, prompt_cache_key="user-7"))[0] == LONG_HIT
    assert _details(_chat(client, prompt_cache_key="user-8"))[0] == 0
    assert _details(_chat(client))[0] == LONG_HIT  # no key: the keyless cache, written first


def test_in_memory_retention_expires_ten_minutes_after_last_use(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)
    _chat(client, prompt_cache_retention="in_memory")
    clock.advance(9 * 60)
    assert _details(_chat(client, prompt_cache_retention="in_memory"))[0] == LONG_HIT  # and refreshed
    clock.advance(9 * 60)
    assert _details(_chat(client, prompt_cache_retention="in_memory"))[0] == LONG_HIT
    clock.advance(11 * 60)
    assert _details(_chat(client, prompt_cache_retention="in_memory"))[0] == 0


def test_24h_retention_survives_an_hour_and_ends_after_a_day(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)
    _chat(client, prompt_cache_retention="24h")
    clock.advance(3600)
    assert _details(_chat(client, prompt_cache_retention="24h"))[0] == LONG_HIT
    clock.advance(24 * 3600 + 1)
    assert _details(_chat(client, prompt_cache_retention="24h"))[0] == 0


def test_the_ttl_option_is_a_minimum_lifetime(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)
    options: dict[str, Any] = {"prompt_cache_retention": "in_memory", "prompt_cache_options": {"ttl": "30m"}}
    _chat(client, **options)
    clock.advance(25 * 60)  # past in-memory's 10 minutes, within the 30-minute minimum
    assert _details(_chat(client, **options))[0] == LONG_HIT


def _marked(text: str, **breakpoint: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text, "prompt_cache_breakpoint": {"mode": "explicit", **breakpoint}}]


def test_explicit_mode_writes_only_marked_prefixes_at_their_exact_end(client: openai.OpenAI) -> None:
    explicit: dict[str, Any] = {"prompt_cache_options": {"mode": "explicit"}}
    _chat(client, **explicit)
    assert _details(_chat(client, **explicit)) == (0, 0)  # no breakpoint: no caching at all
    marked: list[dict[str, Any]] = [{"role": "system", "content": _marked(HANDBOOK)}, LONG[1]]
    # framing (3) + "system" (1) + the handbook: the boundary is not rounded to a step
    boundary = 3 + 1 + tokens.count_tokens(HANDBOOK, "gpt-4o-mini")
    assert boundary % 128 != 0
    assert _details(_chat(client, marked, **explicit)) == (0, 0)  # gpt-4o-mini writes for free (no count)
    asked_again = [marked[0], {"role": "user", "content": "Which word comes after word41?"}]
    assert _details(_chat(client, asked_again, **explicit))[0] == boundary


def test_a_breakpoint_is_checked(client: openai.OpenAI) -> None:
    marked: list[dict[str, Any]] = [{"role": "system", "content": _marked(HANDBOOK)}, LONG[1]]
    marked[0]["content"][0]["prompt_cache_breakpoint"]["mode"] = "implicit"
    with pytest.raises(openai.BadRequestError) as refused:
        _chat(client, marked)
    assert refused.value.body["param"] == "messages[0].content[0].prompt_cache_breakpoint.mode"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as refused:
        _chat(client, [{"role": "system", "content": _marked(HANDBOOK, ttl="1h")}, LONG[1]])
    assert refused.value.body["param"] == "messages[0].content[0].prompt_cache_breakpoint.ttl"  # type: ignore[index]


def test_newer_models_report_their_cache_writes(client: openai.OpenAI) -> None:
    first = client.chat.completions.with_raw_response.create(model="gpt-5.6-sol", messages=LONG)  # type: ignore[arg-type]
    second = client.chat.completions.with_raw_response.create(model="gpt-5.6-sol", messages=LONG)  # type: ignore[arg-type]
    assert _details(held(ChatCompletion, first)) == (0, LONG_HIT)
    assert _details(held(ChatCompletion, second)) == (LONG_HIT, 0)  # a full hit writes nothing new


def test_a_streamed_completion_reports_its_cached_tokens(client: openai.OpenAI) -> None:
    _chat(client)
    stream = client.chat.completions.create(  # type: ignore[call-overload]
        model="gpt-4o-mini", messages=LONG, stream=True, stream_options={"include_usage": True}
    )
    usage = [chunk.usage for chunk in stream if chunk.usage is not None]
    assert usage[-1].prompt_tokens_details and usage[-1].prompt_tokens_details.cached_tokens == LONG_HIT


# --------------------------------------------------------------------------------------------- responses


def test_a_responses_continuation_hits_the_prefix_it_shares(client: openai.OpenAI) -> None:
    first = _respond(client, model="gpt-5.6-sol", input=f"{HANDBOOK}\n\nSummarise the handbook.")
    details = first["usage"]["input_tokens_details"]
    assert details["cached_tokens"] == 0
    assert details["cache_write_tokens"] == first["usage"]["input_tokens"] // 128 * 128
    written = details["cache_write_tokens"]
    assert details["cache_write_tokens_details"] == {"ttl_30m_tokens": written, "ttl_12h_tokens": 0}
    second = _respond(client, model="gpt-5.6-sol", input="And the last word?", previous_response_id=first["id"])
    # The continuation reads the first turn again (its input and its answer): the first's cached prefix hits.
    assert second["usage"]["input_tokens_details"]["cached_tokens"] == written
    new_steps = second["usage"]["input_tokens"] // 128 * 128 - written
    assert second["usage"]["input_tokens_details"]["cache_write_tokens"] == new_steps
    # Instructions are not carried over: a continuation of a turn whose handbook was the instructions misses it.
    told = _respond(client, model="gpt-5.6-sol", instructions=HANDBOOK, input="Summarise the handbook.")
    onward = _respond(client, model="gpt-5.6-sol", input="And the last word?", previous_response_id=told["id"])
    assert onward["usage"]["input_tokens_details"]["cached_tokens"] == 0


def test_a_responses_12h_ttl_writes_twelve_hour_breakpoints(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)
    asked: dict[str, Any] = {"model": "gpt-5.6-sol", "input": f"{HANDBOOK}\n\nSummarise the handbook."}
    kept = {"prompt_cache_options": {"ttl": "12h"}, "sdk_only": True}
    first = _respond(client, **asked, **kept)
    assert first["prompt_cache_options"]["ttl"] == "12h"
    details = first["usage"]["input_tokens_details"]
    assert details["cache_write_tokens_details"] == {
        "ttl_30m_tokens": 0,
        "ttl_12h_tokens": details["cache_write_tokens"],
    }
    clock.advance(11 * 3600)
    hit = _respond(client, **asked, **kept)["usage"]["input_tokens_details"]["cached_tokens"]
    assert hit == details["cache_write_tokens"] > 0
    with pytest.raises(openai.BadRequestError, match=r"prompt_cache_options\.ttl"):
        client.chat.completions.create(
            model="gpt-5.6-sol",
            messages=LONG,
            prompt_cache_options={"ttl": "12h"},  # type: ignore[arg-type,typeddict-item]
        )


def test_prewarm_writes_the_cache_and_generates_nothing(client: openai.OpenAI) -> None:
    asked: dict[str, Any] = {"model": "gpt-5.6-sol", "input": f"{HANDBOOK}\n\nSummarise the handbook."}
    warmed = _respond(client, **asked, prompt_cache_options={"prewarm": True})
    assert warmed["status"] == "completed" and warmed["output"] == []
    usage = warmed["usage"]
    assert usage["output_tokens"] == 0 and usage["total_tokens"] == usage["input_tokens"]
    written = usage["input_tokens_details"]["cache_write_tokens"]
    assert written == usage["input_tokens"] // 128 * 128
    assert warmed["prompt_cache_options"] == {"mode": "implicit", "ttl": "30m"}  # the options applied, echoed
    answered = _respond(client, **asked)
    assert answered["output"] and answered["usage"]["input_tokens_details"]["cached_tokens"] == written


def test_a_short_response_is_never_cached(client: openai.OpenAI) -> None:
    for _ in range(2):
        body = _respond(client, model="gpt-4o-mini", input="Hello!")
        assert body["usage"]["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}


def test_a_response_breakpoint_is_checked(client: openai.OpenAI) -> None:
    marked = [{"role": "user", "content": [{"type": "input_text", "text": HANDBOOK, "prompt_cache_breakpoint": {}}]}]
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="gpt-4o-mini", input=marked)  # type: ignore[arg-type]
    assert refused.value.body["param"] == "input[0].content[0].prompt_cache_breakpoint.mode"  # type: ignore[index]


def test_prompt_cache_diagnostics_against_a_comparison_response(client: openai.OpenAI) -> None:
    asked = {"model": "gpt-5.6-sol", "input": f"{HANDBOOK}\n\nSummarise the handbook."}
    first = _respond(client, **asked)

    def diagnosed(**params: Any) -> dict[str, Any]:
        options = {"comparison_response_id": first["id"]}
        body = _respond(client, **{**asked, **params}, prompt_cache_options=options)
        assert body["prompt_cache_options"] == {"mode": "implicit", "ttl": "30m", **options}
        return body

    assert diagnosed()["prompt_cache_diagnostics"] == {"type": "cache_hit"}
    keyed = diagnosed(prompt_cache_key="another")
    missed = keyed["usage"]["input_tokens"]
    assert keyed["prompt_cache_diagnostics"] == {
        "type": "cache_miss",
        "reason": "prompt_cache_key_changed",
        "cache_missed_tokens": missed,
    }
    gone = _respond(client, **asked, prompt_cache_options={"comparison_response_id": "resp_missing"})
    assert gone["prompt_cache_diagnostics"] == {"type": "comparison_response_not_found"}


# --------------------------------------------------------------------------------------------- billing


def test_cached_tokens_are_the_organizations_cached_input(mock_app: TemplateRouter) -> None:
    start = 1_740_009_600
    clock.freeze(start + 5_000)
    ratelimits.reset()
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Caching")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    app = asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]
    app.chat.completions.create(model="gpt-4o-mini", messages=LONG)  # type: ignore[arg-type]
    app.chat.completions.create(model="gpt-4o-mini", messages=LONG)  # type: ignore[arg-type]
    page = admin.admin.organization.usage.completions(start_time=start, end_time=start + 86_400)
    [result] = page.data[0].results
    assert (result.input_tokens, result.input_cached_tokens) == (2 * LONG_PROMPT_TOKENS, LONG_HIT)  # type: ignore[union-attr]


def test_in_memory_retention_is_refused_from_gpt_5_5_on(client: openai.OpenAI) -> None:
    for create in (
        lambda model: client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "Hi"}], prompt_cache_retention="in_memory"
        ),
        lambda model: client.responses.create(model=model, input="Hi", prompt_cache_retention="in_memory"),
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            create("gpt-5.5")
        assert refused.value.param == "prompt_cache_retention" and refused.value.code == "unsupported_value"
        assert create("gpt-5.4")  # earlier models keep both retentions


def test_batch_lines_write_the_cache_they_read(client: openai.OpenAI) -> None:
    """A batch's lines are cached as the endpoint's requests are: the second chat line with the same long prompt
    reads what the first wrote; a Responses line writes what a later request reads."""
    chat_lines = [
        batch_line(name, "/v1/chat/completions", model="gpt-4o-mini", messages=LONG) for name in ("first", "second")
    ]
    records = batch_records(client, run_batch(client, "/v1/chat/completions", chat_lines)["output_file_id"])
    cached = {name: record["response"]["body"]["usage"]["prompt_tokens_details"] for name, record in records.items()}
    assert (cached["first"]["cached_tokens"], cached["second"]["cached_tokens"]) == (0, LONG_HIT)
    asked = {"model": "gpt-4o-mini", "input": "Summarise.", "instructions": HANDBOOK, "prompt_cache_key": "batched"}
    run_batch(client, "/v1/responses", [batch_line("answer", "/v1/responses", **asked)])
    again = _respond(client, **asked)
    assert again["usage"]["input_tokens_details"]["cached_tokens"] > 1_024  # the line wrote it: its key is its own
