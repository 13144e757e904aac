"""`multi_agent` on a create (`POST /v1/responses?beta=true`, the WebSocket's `response.create`): checked as the beta
API checks it, and the bound it sets on concurrent subagents. The run itself is generation/multi_agent.py's."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict

from openai_mock import ids
from openai_mock.checks import check_range
from openai_mock.errors import invalid_request, missing_parameter
from openai_mock.fields import Flag, Integer, RequestModel
from openai_mock.generation import multi_agent
from openai_mock.generation import responses as builder
from openai_mock.resources.models import ModelSpec

BETA = "responses_multi_agent=v1"  # the spec's `x-oai-beta` of everything multi-agent
BETA_HEADER = "openai-beta"


class MultiAgentParam(RequestModel):
    model_config = ConfigDict(extra="forbid")
    enabled: Flag | None = None
    max_concurrent_subagents: Integer | None = None


def _betas(headers: Mapping[str, str]) -> set[str]:
    return {part.strip() for part in (headers.get(BETA_HEADER) or "").split(",") if part.strip()}


def max_concurrent(param: MultiAgentParam | None, headers: Mapping[str, str]) -> int | None:
    """How many subagents may be active at once, or None when the response runs as one agent. `multi_agent` needs
    `enabled`, a bound of at least 1 (3 unless given), and the beta header."""
    if param is None:
        return None
    if param.enabled is None:
        raise missing_parameter("multi_agent.enabled")
    check_range(param.max_concurrent_subagents, "multi_agent.max_concurrent_subagents", 1)
    if BETA not in _betas(headers):
        raise invalid_request(
            f"The 'multi_agent' parameter is part of a beta: send the 'OpenAI-Beta: {BETA}' header to use it.",
            "multi_agent",
            "beta_header_required",
        )
    if not param.enabled:
        return None
    return param.max_concurrent_subagents or multi_agent.DEFAULT_MAX_CONCURRENT


def take_over(
    response: dict[str, Any],
    turn: builder.Turn,
    rng: random.Random,
    bound: int | None,
    *,
    scripted: bool,
    spec: ModelSpec,
) -> None:
    """A built response made a multi-agent one when `multi_agent` is enabled (`bound`), unless a fixture said it."""
    if bound is None or scripted:
        return
    multi_agent.take_over(response, turn, rng, new_id=ids.new_id, reasoning=spec.reasoning, max_concurrent=bound)
