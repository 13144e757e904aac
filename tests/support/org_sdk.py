"""SDK clients for the Administration API tests. openai 2.x sends `/organization/*` requests with its
`admin_api_key` (not `api_key`), so these clients set both to the same key."""

from __future__ import annotations

from typing import Any

import httpx
import openai

from tests.support.lambda_transport import EventVersion, Handler, LambdaTransport
from tests.support.sdk import asgi_client, sdk_client

ADMIN_KEY = "sk-admin-test-organization"


def org_client(app: Any, key: str = ADMIN_KEY) -> openai.OpenAI:
    return asgi_client(app, api_key=key, admin_api_key=key)


def org_lambda_client(handler: Handler, version: EventVersion, key: str = ADMIN_KEY) -> openai.OpenAI:
    http = httpx.Client(transport=LambdaTransport(handler, version), base_url="http://testserver")
    return sdk_client(http, key, admin_api_key=key)
