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
