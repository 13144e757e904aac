"""Agent automations on DynamoDB Local, as Lambda with EnablePersistence=true runs them: an automation created in
one container falls due by the mock clock, and two other containers reading it at once record one invocation (its
id is the fire's, its create conditional) and start one session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.agent_automations.app import app
from openai_mock import clock
from openai_mock.resources.agents import automations
from openai_mock.resources.agents import sessions as agent_sessions
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client

NOW = 1_760_000_000  # 2025-10-09 08:53:20 UTC
TARGET: Any = {
    "type": "new_session",
    "agent": {"model": "gpt-5.4-mini"},
    "environment": {"type": "none"},
    "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Triage the inbox."}]}],
}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The sessions the deliveries start: counted, each an ordinary id."""
    bodies: list[dict[str, Any]] = []

    def start_session(principal: Any, params: dict[str, Any]) -> dict[str, Any]:
        bodies.append(params)
        return {"id": f"sess_dynamo{len(bodies)}"}

    monkeypatch.setattr(agent_sessions, "start_session", start_session)
    clock.freeze(NOW)
    yield bodies


def test_a_fire_due_in_one_container_is_one_invocation_for_two_readers(
    on_dynamodb_local: str, started: list[dict[str, Any]]
) -> None:
    client = asgi_client(app)
    automation = client.beta.agents.automations.create(
        type="periodic",
        name="Inbox triage",
        expression="0 * * * *",
        timezone="UTC",
        target=TARGET,
    )
    assert isinstance(get_store(), DynamoDBStore)
    clock.advance(3600)

    reset_stores()  # container B reads the automation as stored, about to catch it up…
    principal = principal_for_key("sk-test")
    stale = get_store().get(principal.tenant, automations.AUTOMATIONS, automation.id)
    assert stale is not None and stale["_next_at"] == (NOW // 3600 + 1) * 3600

    reset_stores()  # …while container C lists its invocations: the fire is recorded and delivered there
    [invocation] = client.beta.agents.automations.invocations.list(automation.id).data
    assert (invocation.scheduled_at, invocation.status, invocation.session_id) == (
        (NOW // 3600 + 1) * 3600, "completed", "sess_dynamo1"
    )  # fmt: skip

    reset_stores()  # B goes on with its stale copy: the fire's invocation exists, nothing more is started
    automations.catch_up(principal, stale)
    assert [item.id for item in client.beta.agents.automations.invocations.list(automation.id).data] == [invocation.id]
    assert len(started) == 1
    assert client.beta.agents.automations.retrieve(automation.id).status == "active"
