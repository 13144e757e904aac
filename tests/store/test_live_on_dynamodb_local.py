"""Live sessions on DynamoDB Local, as Lambda with EnablePersistence=true runs them: an incoming call simulated
through one container, accepted through another, ended by a third, its recording downloaded from a fourth; the
state machine holds across them (a second accept is refused wherever it lands)."""

from __future__ import annotations

from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.generation.audio.probe import probe_audio
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore

AUTH = {"Authorization": "Bearer sk-test"}
OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
ACCEPT = {"session": {"type": "live", "model": "gpt-live-1", "store": True}}


def test_a_call_moves_through_its_states_across_containers(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    clock.freeze(1_790_000_000)
    http = TestClient(mock_app)
    created = http.post(
        "/v1/live/sessions",
        json={"session": {"model": "gpt-live-1"}, "transport": {"type": "webrtc", "sdp": OFFER}},
        headers={**AUTH, "x-mock-live-transport": "sip"},
    )
    assert created.status_code == 200, created.text
    session_id = created.json()["session"]["id"]
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container answers the call
    assert http.post(f"/v1/live/sessions/{session_id}/accept", json=ACCEPT, headers=AUTH).status_code == 200
    clock.advance(5)

    reset_stores()
    again = http.post(f"/v1/live/sessions/{session_id}/accept", json=ACCEPT, headers=AUTH)
    assert again.status_code == 409 and "is active" in again.json()["error"]["message"]
    assert http.post(f"/v1/live/sessions/{session_id}/hangup", headers=AUTH).status_code == 200

    reset_stores()
    recording = http.get(f"/v1/live/sessions/{session_id}/content", headers=AUTH)
    assert recording.status_code == 200 and probe_audio(recording.content).duration == 5.0
    ended = http.post(f"/v1/live/sessions/{session_id}/hangup", headers=AUTH)
    assert ended.status_code == 409 and "is ended" in ended.json()["error"]["message"]
