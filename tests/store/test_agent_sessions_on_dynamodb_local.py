"""Agent sessions on DynamoDB Local, as Lambda with EnablePersistence=true runs them: a session created and its turn
started in one container, settled by the clock, answered and read in others."""

from __future__ import annotations

from starlette.testclient import TestClient

from functions.agent_sessions.app import app
from openai_mock import clock
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore

AUTH = {"Authorization": "Bearer sk-test"}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def test_a_turn_started_in_one_container_waits_and_finishes_in_others(on_dynamodb_local: str) -> None:
    clock.freeze(1_790_000_000)
    http = TestClient(app)
    body = {
        "environment": {"type": "none"},
        "agent": {"model": "gpt-4o", "tools": [WEATHER]},
        "input": "What is the weather in Rome?",
        "metadata": {"case": "dynamodb"},
    }
    created = http.post("/v1/agents/sessions", json=body, headers=AUTH)
    assert created.status_code == 200, created.text
    session_id = created.json()["id"]
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container: the clock settles the turn to its function call
    clock.advance(2.0)
    waiting = http.get(f"/v1/agents/sessions/{session_id}", headers=AUTH).json()
    assert waiting["status"] == "requires_action" and waiting["metadata"] == {"case": "dynamodb"}
    (action,) = waiting["required_actions"]

    reset_stores()  # a third answers it
    result = {
        "type": "agent.session.input.tool_result",
        "call_id": action["call_id"],
        "turn_id": action["turn_id"],
        "success": True,
        "output": "21°C",
    }
    assert (
        http.post(f"/v1/agents/sessions/{session_id}/events", json={"events": [result]}, headers=AUTH).status_code
        == 202
    )

    reset_stores()
    clock.advance(1.0)
    done = http.get(f"/v1/agents/sessions/{session_id}", headers=AUTH).json()
    assert done["status"] == "idle" and done["usage"]["output_tokens"] > 0
    items = http.get(f"/v1/agents/sessions/{session_id}/items?order=asc", headers=AUTH).json()["data"]
    assert [item["type"] for item in items] == ["message", "function_call", "function_call_output", "message"]
    traces = http.get(f"/v1/agents/sessions/{session_id}/traces", headers=AUTH).json()["data"]
    assert len(traces) == 1
