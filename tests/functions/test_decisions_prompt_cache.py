"""Prompt caching in the Decisions API through the official SDK (held strictly to `Decision`): the input is read
first, then the questions, so a long input asked again reads its prefix from the cache (docs/decisions.md)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types import Decision

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client

MODEL = "gpt-6-luna"
TICKET = "Customer reports that the nightly export job fails with a timeout after the schema migration. " * 90
REFUND = {"type": "predicate", "name": "refund", "instructions": "The customer wants their money back."}
URGENT = {"type": "predicate", "name": "urgent", "instructions": "The customer needs an answer today."}


def _usage(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    raw = client.decisions.with_raw_response.create(**{"model": MODEL, **body})
    decision: dict[str, Any] = raw.http_response.json()
    Decision.model_validate(decision, strict=True)
    return decision["usage"]  # type: ignore[no-any-return]


def test_a_long_input_asked_again_reads_the_prefix_it_wrote(client: openai.OpenAI) -> None:
    first = _usage(client, input=TICKET, questions=[REFUND])
    assert first["input_tokens"] == 1448
    # gpt-6-luna reports its writes: the prompt's last whole 128-token step.
    assert first["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 1408}
    again = _usage(client, input=TICKET, questions=[REFUND])
    assert again["input_tokens_details"] == {"cached_tokens": 1408, "cache_write_tokens": 0}
    # Another question about the same input (1,440 tokens, read first): every step of the input is read.
    other = _usage(client, input=TICKET, questions=[URGENT])
    assert other["input_tokens"] == 1448
    assert other["input_tokens_details"] == {"cached_tokens": 1408, "cache_write_tokens": 0}


def test_short_inputs_neither_read_nor_write(client: openai.OpenAI) -> None:
    for _ in range(2):
        usage = _usage(client, input="The package arrived broken.", questions=[REFUND])
        assert usage["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}


def test_the_cache_key_partitions_and_explicit_mode_needs_a_breakpoint(client: openai.OpenAI) -> None:
    _usage(client, input=TICKET, questions=[REFUND], prompt_cache_key="team-a")
    other_key = _usage(client, input=TICKET, questions=[REFUND], prompt_cache_key="team-b")
    assert other_key["input_tokens_details"]["cached_tokens"] == 0
    explicit: Any = {"mode": "explicit"}
    no_marker = _usage(
        client, input=TICKET, questions=[REFUND], prompt_cache_key="team-a", prompt_cache_options=explicit
    )
    assert no_marker["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}


def test_an_explicit_breakpoint_caches_exactly_its_prefix(client: openai.OpenAI) -> None:
    marked: Any = [
        {
            "role": "user",
            "content": [{"type": "input_text", "text": TICKET, "prompt_cache_breakpoint": {"mode": "explicit"}}],
        }
    ]
    options: Any = {"mode": "explicit"}
    first = _usage(client, input=marked, questions=[REFUND], prompt_cache_options=options)
    end = first["input_tokens_details"]["cache_write_tokens"]
    assert 1024 <= end < first["input_tokens"] and end % 128 != 0  # the ticket's own tokens, not a whole step
    second = _usage(client, input=marked, questions=[URGENT], prompt_cache_options=options)
    assert second["input_tokens_details"] == {"cached_tokens": end, "cache_write_tokens": 0}


def test_the_cache_lasts_a_day(client: openai.OpenAI) -> None:
    _usage(client, input=TICKET, questions=[REFUND])
    clock.advance(24 * 3600 + 60)
    later = _usage(client, input=TICKET, questions=[REFUND])
    assert later["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 1408}


def test_cached_input_is_the_organizations_and_a_refused_decision_caches_nothing(mock_app: TemplateRouter) -> None:
    start = 1_740_009_600
    clock.freeze(start + 5_000)
    ratelimits.reset()
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Decisions")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    app = asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]
    for _ in range(2):
        app.decisions.create(model=MODEL, input=TICKET, questions=[REFUND])  # type: ignore[arg-type]
    page = admin.admin.organization.usage.decisions(start_time=start, end_time=start + 86_400)
    [result] = page.data[0].results
    assert (result.input_tokens, result.input_cached_tokens) == (2 * 1448, 1408)  # type: ignore[union-attr]
    # Over its quota, a decision is refused (429) and writes nothing to the cache.
    refused = asgi_client(mock_app, api_key="sk-decisions-quota")
    refused.post("/../__mock/quotas", cast_to=object, body={"requests_per_minute": 1})
    refused.decisions.create(model=MODEL, input="A short first question.", questions=[REFUND])  # type: ignore[arg-type]
    with pytest.raises(openai.RateLimitError):
        refused.with_options(max_retries=0).decisions.create(model=MODEL, input=TICKET, questions=[REFUND])  # type: ignore[arg-type]
    clock.advance(60)
    usage = refused.decisions.with_raw_response.create(model=MODEL, input=TICKET, questions=[REFUND]).parse().usage  # type: ignore[arg-type]
    assert usage.input_tokens_details.cached_tokens == 0  # the refused one wrote nothing
