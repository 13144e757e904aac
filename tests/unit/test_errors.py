"""Every failure leaves as OpenAI's envelope with OpenAI's status: never FastAPI's {"detail": …} or a 500."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.testclient import TestClient

from openai_mock.settings import reset_settings
from openai_mock.web.app_factory import create_app
from openai_mock.web.request_body import json_body, optional_json_body

AUTH = {"Authorization": "Bearer sk-test"}


class _Message(BaseModel):
    role: str
    content: str


class _Body(BaseModel):
    model: str
    messages: list[_Message]
    temperature: float = 1.0


_router = APIRouter()


class _Search(BaseModel):
    query: str  # a body field named like a request part ("query", "path")


@_router.post("/v1/echo")
async def _echo(request: Request) -> dict:
    return (await json_body(request, _Body)).model_dump()


@_router.post("/v1/optional")
async def _optional(request: Request) -> dict:
    body = await optional_json_body(request, _Search)
    return {"query": body.query if body else None}


@_router.post("/v1/search")
async def _search(request: Request) -> dict:
    return (await json_body(request, _Search)).model_dump()


@_router.get("/v1/boom")
async def _boom() -> dict:
    raise RuntimeError("a bug")


@pytest.fixture
def layer_app() -> TestClient:
    return TestClient(create_app(_router), base_url="http://testserver")


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_missing_key_is_401_with_openai_wording(http: TestClient) -> None:
    response = http.get("/v1/models")
    assert response.status_code == 401
    error = _error(response)
    assert error["message"].startswith("You didn't provide an API key.")
    assert error["code"] == "invalid_api_key"


def test_non_bearer_authorization_is_401(http: TestClient) -> None:
    assert http.get("/v1/models", headers={"Authorization": "Basic abc"}).status_code == 401


def test_restricted_deployment_rejects_unknown_keys(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_API_KEYS", "sk-allowed-1,sk-allowed-2")
    reset_settings()
    rejected = http.get("/v1/models", headers={"Authorization": "Bearer sk-intruder-key"})
    assert rejected.status_code == 401
    error = _error(rejected)
    assert error["code"] == "invalid_api_key"
    assert error["message"].startswith("Incorrect API key provided: sk-i")
    assert "sk-intruder-key" not in error["message"]  # the key is redacted
    assert http.get("/v1/models", headers={"Authorization": "Bearer sk-allowed-2"}).status_code == 200


def test_unknown_route_is_404_envelope(http: TestClient) -> None:
    response = http.get("/v1/no-such-thing", headers=AUTH)
    assert response.status_code == 404
    assert _error(response)["message"] == "Invalid URL (GET /v1/no-such-thing)"


def test_wrong_method_is_405_envelope(http: TestClient) -> None:
    response = http.put("/v1/models", headers=AUTH)
    assert response.status_code == 405
    assert _error(response)["message"] == "Method not allowed (PUT /v1/models)"


def test_invalid_json_is_400(layer_app: TestClient) -> None:
    response = layer_app.post("/v1/echo", content=b"{not json", headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    error = _error(response)
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("We could not parse the JSON body of your request.")


@pytest.mark.parametrize("content", [b"", b"null", b"[]", b'"text"', b"42"])
def test_a_body_that_is_not_a_json_object_is_400(layer_app: TestClient, content: bytes) -> None:
    response = layer_app.post("/v1/echo", content=content, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    assert _error(response)["message"].startswith("We could not parse the JSON body of your request.")


def test_json_is_read_only_under_a_json_content_type(layer_app: TestClient) -> None:
    body = b'{"query": "tides"}'
    for content_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
        response = layer_app.post("/v1/search", content=body, headers={**AUTH, "content-type": content_type})
        assert response.json() == {"query": "tides"}, content_type
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = layer_app.post("/v1/search", content=body, headers={**AUTH, "content-type": content_type})
        assert response.status_code == 400, content_type
        assert _error(response)["message"].startswith("We could not parse the JSON body")


def test_an_optional_body_may_be_absent(layer_app: TestClient) -> None:
    assert layer_app.post("/v1/optional", headers=AUTH).json() == {"query": None}
    assert layer_app.post("/v1/optional", content=b"null", headers=AUTH).json() == {"query": None}
    assert layer_app.post("/v1/optional", json={"query": "tides"}, headers=AUTH).json() == {"query": "tides"}
    assert _error(layer_app.post("/v1/optional", json={}, headers=AUTH))["param"] == "query"


def test_a_body_field_named_query_is_named_as_such(layer_app: TestClient) -> None:
    error = _error(layer_app.post("/v1/search", json={"query": 5}, headers=AUTH))
    assert (error["param"], error["code"]) == ("query", "invalid_type")


def test_missing_field_names_the_param(layer_app: TestClient) -> None:
    response = layer_app.post("/v1/echo", json={"messages": []}, headers=AUTH)
    assert response.status_code == 400
    assert _error(response) == {
        "message": "Missing required parameter: 'model'.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "missing_required_parameter",
    }


def test_nested_wrong_type_names_the_nested_param(layer_app: TestClient) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": 42}]}
    error = _error(layer_app.post("/v1/echo", json=body, headers=AUTH))
    assert error["param"] == "messages[0].content"
    assert error["code"] == "invalid_type"
    assert error["message"] == "Invalid type for 'messages[0].content': expected a string, but got an integer instead."


def test_wrong_scalar_type(layer_app: TestClient) -> None:
    body = {"model": "gpt-4o", "messages": [], "temperature": "hot"}
    error = _error(layer_app.post("/v1/echo", json=body, headers=AUTH))
    assert (error["param"], error["code"]) == ("temperature", "invalid_type")
    assert "expected a decimal, but got a string" in error["message"]


def test_body_over_the_limit_is_413(layer_app: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_MAX_BODY_BYTES", "100")
    reset_settings()
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * 200}]}
    response = layer_app.post("/v1/echo", json=body, headers=AUTH)
    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"
    assert response.headers["x-request-id"].startswith("req_")


def test_chunked_body_over_the_limit_is_413(layer_app: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_MAX_BODY_BYTES", "100")
    reset_settings()

    def chunks():  # no content-length: the limit must be enforced while reading
        yield b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "'
        yield b"y" * 300
        yield b'"}]}'

    response = layer_app.post("/v1/echo", content=chunks(), headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 413


def test_unexpected_exception_is_500_envelope(layer_app: TestClient) -> None:
    response = layer_app.get("/v1/boom", headers=AUTH)
    assert response.status_code == 500
    error = _error(response)
    assert error["type"] == "server_error"
    assert "a bug" not in error["message"]  # no internals leak
    assert response.headers["x-request-id"].startswith("req_")
