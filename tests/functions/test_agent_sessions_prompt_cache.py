"""Prompt caching in agent sessions through the official SDK (held strictly to its models): each turn re-reads the
session's history, so from 1,024 tokens on a turn reads from the cache what the previous turns wrote, and the
session's usage adds it up (docs/agent-sessions.md, "Prompt caching")."""

from __future__ import annotations

from typing import Any

import openai
from openai.types.beta.agents.sessions import Turn

from openai_mock import clock
from tests.support import agent_sessions as sessions

LONG_BRIEF = "Review this service's incident log and list the recurring causes of outages. " * 90
STEP = 128  # a hit covers whole 128-token steps of the prompt

pinned_clock = sessions.pinned_clock_fixture()
sdk = sessions.sdk_fixture()
_create = sessions.creator(environment={"type": "none"}, agent={"model": "gpt-4o", "instructions": "Answer as an SRE."})


def _run_turn(sdk: openai.OpenAI, session_id: str) -> dict[str, Any]:
    """Let the active turn run (queued, then in progress) and answer the session as it stands after it."""
    sessions.stage(2)
    return sessions.retrieve(sdk, session_id)


def _turns(sdk: openai.OpenAI, session_id: str) -> list[dict[str, Any]]:
    listed = sdk.beta.agents.sessions.turns.with_raw_response.list(session_id, order="asc").http_response.json()
    for turn in listed["data"]:
        Turn.model_validate(turn, strict=True)
    return listed["data"]  # type: ignore[no-any-return]


def test_a_second_turn_reads_the_history_the_first_turn_wrote(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input=LONG_BRIEF)
    after_first = _run_turn(sdk, session["id"])
    sessions.say(sdk, session["id"], "Which cause should we fix first?")
    after_second = _run_turn(sdk, session["id"])

    first, second = (turn["usage"] for turn in _turns(sdk, session["id"]))
    assert first["input_tokens"] == 1278 and first["input_tokens_details"] == {"cached_tokens": 0}
    # The first turn wrote its prompt's last whole step (1,152); the second re-reads that prefix (its system and
    # user messages) before the first turn's answer and the new message.
    assert first["input_tokens"] // STEP * STEP == 1152
    assert second["input_tokens"] > first["input_tokens"]
    assert second["input_tokens_details"] == {"cached_tokens": 1152}
    assert after_first["usage"]["input_tokens_details"] == {"cached_tokens": 0}
    total = after_second["usage"]
    assert total["input_tokens"] == first["input_tokens"] + second["input_tokens"]
    assert total["input_tokens_details"] == {"cached_tokens": 1152}


def test_short_turns_read_nothing_from_the_cache(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Explain how tides work.")
    _run_turn(sdk, session["id"])
    sessions.say(sdk, session["id"], "And why are there two a day?")
    after = _run_turn(sdk, session["id"])
    assert [turn["usage"]["input_tokens_details"] for turn in _turns(sdk, session["id"])] == [{"cached_tokens": 0}] * 2
    assert after["usage"]["input_tokens_details"] == {"cached_tokens": 0}


def test_another_session_with_the_same_opening_reads_it_too(sdk: openai.OpenAI) -> None:
    """The cache is the model's (sessions have no prompt_cache_key): the same long opening hits across sessions,
    and a different model misses."""
    _run_turn(sdk, _create(sdk, input=LONG_BRIEF)["id"])
    twin = _create(sdk, input=LONG_BRIEF)
    other_model = _create(sdk, agent={"model": "gpt-4.1", "instructions": "Answer as an SRE."}, input=LONG_BRIEF)
    assert _run_turn(sdk, twin["id"])["usage"]["input_tokens_details"] == {"cached_tokens": 1152}
    assert _run_turn(sdk, other_model["id"])["usage"]["input_tokens_details"] == {"cached_tokens": 0}


def test_the_cache_expires_a_day_after_the_last_turn(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input=LONG_BRIEF, prompt_cache_options={"ttl": "12h"})
    _run_turn(sdk, session["id"])
    clock.advance(24 * 3600 + 60)  # past the default retention (a day), longer than the session's 12h minimum
    sessions.say(sdk, session["id"], "Which cause should we fix first?")
    _run_turn(sdk, session["id"])
    second = _turns(sdk, session["id"])[1]
    assert second["prompt_cache_options"] == {"ttl": "12h"}
    assert second["usage"]["input_tokens_details"] == {"cached_tokens": 0}


def test_cached_input_is_spent_at_the_cached_price(sdk: openai.OpenAI) -> None:
    """gpt-4o's cached input costs half its input: the same long turn spends less when its prompt is cached."""
    cold = _create(sdk, input=LONG_BRIEF * 30)
    cold_spent = _run_turn(sdk, cold["id"])["spend_control"]["consumed"]
    warm_spent = _run_turn(sdk, _create(sdk, input=LONG_BRIEF * 30)["id"])["spend_control"]["consumed"]
    assert cold_spent > warm_spent > 0
