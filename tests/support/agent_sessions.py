"""Agent sessions through the official SDK, for the tests/functions/test_agent_sessions*.py modules: every answer
held strictly to the SDK's models.

A module imports this as `sessions` and takes its fixtures as made here, `pinned_clock =
sessions.pinned_clock_fixture()` (autouse: the clock frozen at START) and `sdk = sessions.sdk_fixture()`, and its own
session defaults as `_create = sessions.creator(environment=…, agent=…)`; the helpers below take the client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from openai.types.beta import AgentSession
from openai.types.beta.agent_session_event import AgentSessionEvent
from openai.types.beta.agent_session_item import AgentSessionItem
from pydantic import TypeAdapter

from functions.agent_sessions.app import app
from openai_mock import clock
from tests.support.sdk import asgi_client, held

START = 1_790_000_000
EVENT: TypeAdapter[Any] = TypeAdapter(AgentSessionEvent)
ITEM: TypeAdapter[Any] = TypeAdapter(AgentSessionItem)
Session = dict[str, Any]


def pinned_clock_fixture() -> Callable[..., object]:
    """An autouse fixture freezing the clock at START: every test's times are START plus the stages it ran."""

    @pytest.fixture(autouse=True)
    def pinned_clock() -> Iterator[None]:
        clock.freeze(START)
        yield

    return pinned_clock


def sdk_fixture() -> Callable[..., object]:
    """A fixture of an SDK client of the agent sessions function (in process)."""

    @pytest.fixture
    def sdk() -> openai.OpenAI:
        return asgi_client(app)

    return sdk


def creator(*, environment: Any, agent: Any) -> Callable[..., Session]:
    """`create(sdk, **body)`: a session created with the module's environment and agent unless the body names its
    own."""

    def create(sdk: openai.OpenAI, **body: Any) -> Session:
        body.setdefault("environment", environment)
        body.setdefault("agent", agent)
        return held(AgentSession, sdk.beta.agents.sessions.with_raw_response.create(**body))  # type: ignore[no-any-return]

    return create


def retrieve(sdk: openai.OpenAI, session_id: str) -> Session:
    return held(AgentSession, sdk.beta.agents.sessions.with_raw_response.retrieve(session_id))  # type: ignore[no-any-return]


def held_items(page: Any) -> list[dict[str, Any]]:
    """A raw page of items (a session's, a turn's, a subagent's), each held strictly to `AgentSessionItem`."""
    body = page.http_response.json()
    for entry in body["data"]:
        ITEM.validate_python(entry, strict=True)
    return body["data"]  # type: ignore[no-any-return]


def items(sdk: openai.OpenAI, session_id: str) -> list[dict[str, Any]]:
    """The session's items, oldest first."""
    return held_items(sdk.beta.agents.sessions.items.with_raw_response.list(session_id, order="asc"))


def held_events(response: Any) -> list[dict[str, Any]]:
    """An event stream's events, each held strictly to the SDK's `AgentSessionEvent` union."""
    text = response.read().decode()
    events = [json.loads(line[len("data: ") :]) for line in text.splitlines() if line.startswith("data: ")]
    for event in events:
        EVENT.validate_python(event, strict=True)
    return events


def stage(count: int = 1) -> None:
    """Let `count` stages of the active turn run (a stage is one second of the clock)."""
    clock.advance(float(count))


def send(sdk: openai.OpenAI, session_id: str, event: Any) -> None:
    """One input event (an approval's answer), accepted for later: 202."""
    raw = sdk.beta.agents.sessions.events.with_raw_response.create(session_id, events=[event])
    assert raw.http_response.status_code == 202


def say(sdk: openai.OpenAI, session_id: str, text: str) -> None:
    """A user message to the session: its next turn."""
    message: Any = {
        "type": "agent.session.input.message",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]}],
    }
    sdk.beta.agents.sessions.events.create(session_id, events=[message])


def waiting(sdk: openai.OpenAI, session_id: str, stages: int = 2) -> dict[str, Any]:
    """After `stages` stages the session waits for the application: its one required action."""
    stage(stages)
    waiting = retrieve(sdk, session_id)
    assert waiting["status"] == "requires_action"
    (action,) = waiting["required_actions"]
    return action  # type: ignore[no-any-return]


def idle(sdk: openai.OpenAI, session_id: str, stages: int = 1) -> list[dict[str, Any]]:
    """After `stages` stages the session is idle with nothing asked: its items, oldest first."""
    stage(stages)
    done = retrieve(sdk, session_id)
    assert done["status"] == "idle" and done["required_actions"] == []
    return items(sdk, session_id)


def answer(listed: list[dict[str, Any]]) -> str:
    """The text of the last item listed, the turn's answer."""
    return str(listed[-1]["content"][0]["text"])


def assert_refuses_unknown_and_repeated(answer_to: Callable[[str], None], unknown_id: str, request_id: str) -> None:
    """`answer_to(id)` answers a request: to an unknown one, and a second time to one answered already, it is refused
    (400 naming the id, at `events[0].request_id`)."""
    for refused_id in (unknown_id, request_id):
        if refused_id == request_id:
            answer_to(request_id)
        with pytest.raises(openai.BadRequestError) as caught:
            answer_to(refused_id)
        assert caught.value.body["param"] == "events[0].request_id"  # type: ignore[index]
        assert f"'{refused_id}'" in caught.value.body["message"]  # type: ignore[index]
