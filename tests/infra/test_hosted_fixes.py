"""Deployment fixes for the hosted mock (#22): binary downloads, boto3 timeouts under API Gateway's 29 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.decode import decode_str

from openai_mock.settings import reset_settings
from openai_mock.store import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, get_blobs, get_store, reset_stores

REPO = Path(__file__).resolve().parents[2]
API_GATEWAY_TIMEOUT_SECONDS = 29


def test_sdk_file_downloads_are_binary_media_types() -> None:
    template, errors = decode_str((REPO / "template.yaml").read_text())
    assert not errors and template is not None
    types = template["Resources"]["MockApi"]["Properties"]["BinaryMediaTypes"]
    assert "application/binary" in types  # the SDKs' Accept for files.content()
    assert "application/octet-stream" in types


def test_boto3_clients_give_up_before_api_gateway_does(monkeypatch: pytest.MonkeyPatch, aws_credentials: None) -> None:
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    monkeypatch.setenv("OPENAI_MOCK_BUCKET_NAME", "blobs")
    reset_settings()
    reset_stores()
    for client in (get_store()._client._client, get_blobs()._client._client):  # type: ignore[attr-defined]
        config = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
        attempts = config.retries["total_max_attempts"]
        assert (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) * attempts < API_GATEWAY_TIMEOUT_SECONDS
        assert config.retries["mode"] == "standard"


def test_unknown_routes_answer_openais_404_not_api_gateways_403() -> None:
    """template.yaml routes `/{proxy+}` (any method) to MockControlsFunction: API Gateway's 403 "Missing
    Authentication Token" becomes OpenAI's 404, while every declared route keeps its own function."""
    from starlette.testclient import TestClient

    from functions.mock_controls.app import app

    http = TestClient(app)
    key = {"Authorization": "Bearer sk-unknown-route"}
    for method, path in (("GET", "/v1/not-an-endpoint"), ("POST", "/v1/chat/completion"), ("DELETE", "/nowhere")):
        answer = http.request(method, path, headers=key)
        assert answer.status_code == 404
        assert answer.json()["error"] == {
            "message": f"Invalid URL ({method} {path})",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    assert http.get("/__mock/fixtures", headers=key).status_code == 200  # declared routes come first
