"""Safety cases and alerts on DynamoDB Local, as Lambda with EnablePersistence=true runs them: issued through one
container (the SafetyFunction), retrieved and enforced by others (a deactivation refuses Chat's requests)."""

from __future__ import annotations

from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore

AUTH = {"Authorization": "Bearer sk-test"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello."}], "safety_identifier": "user_9"}


def test_a_deactivation_issued_in_one_container_blocks_requests_in_another(
    on_dynamodb_local: str, mock_app: TemplateRouter
) -> None:
    http = TestClient(mock_app)
    assert http.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200
    case = http.post(
        "/__mock/safety/cases", json={"entity_identifier": "user_9", "notice": "deactivation"}, headers=AUTH
    )
    alert = http.post("/__mock/safety/alerts", json={"response_id": "resp_1", "model": "gpt-5.4"}, headers=AUTH)
    assert case.status_code == alert.status_code == 200
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container
    refused = http.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "safety_identifier_blocked"
    assert http.get(f"/v1/safety/cases/{case.json()['id']}", headers=AUTH).json()["notice"] == {"type": "deactivation"}
    assert http.get(f"/v1/safety/alerts/{alert.json()['id']}", headers=AUTH).json()["model"] == "gpt-5.4"
