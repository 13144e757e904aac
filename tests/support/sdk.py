"""The official `openai` SDK bound to the mock without a socket: in-process ASGI, or a Lambda handler."""

from __future__ import annotations

from typing import Any

import httpx
import openai
from pydantic import BaseModel
from starlette.testclient import TestClient

from tests.support.lambda_transport import EventVersion, Handler, LambdaTransport

BASE_URL = "http://testserver/v1"


def sdk_client(http_client: httpx.Client, api_key: str = "sk-test", **options: Any) -> openai.OpenAI:
    # No retries: a test must see the first answer, not a retried one.
    return openai.OpenAI(base_url=BASE_URL, api_key=api_key, http_client=http_client, max_retries=0, **options)


def asgi_client(app: Any, api_key: str = "sk-test", **options: Any) -> openai.OpenAI:
    return sdk_client(TestClient(app, base_url="http://testserver"), api_key, **options)


def async_asgi_client(app: Any, api_key: str = "sk-test") -> openai.AsyncOpenAI:
    """The async SDK client an Agents SDK model is given, answered in-process by `app`."""
    transport = httpx.ASGITransport(app=app)
    http_client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    return openai.AsyncOpenAI(
        base_url="http://testserver/v1",
        api_key=api_key,
        http_client=http_client,  # type: ignore[arg-type]  # the SDK types httpx2's client; httpx's is accepted
        max_retries=0,
    )


def lambda_client(handler: Handler, version: EventVersion, api_key: str = "sk-test") -> openai.OpenAI:
    transport = LambdaTransport(handler, version)
    return sdk_client(httpx.Client(transport=transport, base_url="http://testserver"), api_key)


def held(model: type[BaseModel], raw: Any) -> Any:
    """A raw SDK answer's JSON (`client.….with_raw_response.…`), validated strictly by the SDK's model of it."""
    body = raw.http_response.json()
    model.model_validate(body, strict=True)
    return body
