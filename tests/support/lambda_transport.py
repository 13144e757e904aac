"""Drive a Lambda handler with the official SDK: an httpx transport that turns each request into an
API Gateway event (REST v1 or HTTP API v2), calls the handler as Lambda would, and turns its result
back into an HTTP response."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx

EventVersion = Literal["v1", "v2"]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


@dataclass
class FakeLambdaContext:
    """What the Lambda runtime passes as `context` (Powertools reads these attributes)."""

    function_name: str = "openai-mock-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:openai-mock-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/openai-mock-test"
    log_stream_name: str = "2026/11/25/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def _body_fields(request: httpx.Request) -> tuple[str | None, bool]:
    raw = request.read()
    if not raw:
        return None, False
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_TEXT_TYPES):
        return raw.decode(), False
    return base64.b64encode(raw).decode(), True


def build_event(request: httpx.Request, version: EventVersion, stage: str = "test") -> dict[str, Any]:
    body, is_base64 = _body_fields(request)
    path = request.url.path
    query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
    headers = {name.lower(): value for name, value in request.headers.items()}
    request_id = str(uuid.uuid4())
    if version == "v1":
        multi_query: dict[str, list[str]] = {}
        for name, value in query:
            multi_query.setdefault(name, []).append(value)
        return {
            "resource": path,
            "path": path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": path,
                "httpMethod": request.method,
                "path": f"/{stage}{path}",
                "stage": stage,
                "requestId": request_id,
                "accountId": "123456789012",
                "apiId": "abcdef1234",
                "protocol": "HTTP/1.1",
                "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent", "")},
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": request.url.query.decode(),
        "headers": headers,
        "queryStringParameters": dict(query) or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "http": {
                "method": request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def response_from_result(result: dict[str, Any], request: httpx.Request) -> httpx.Response:
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, value) for value in values)
    for name, value in (result.get("headers") or {}).items():
        headers.append((name, value))
    body = result.get("body") or ""
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return httpx.Response(result["statusCode"], headers=headers, content=content, request=request)


class LambdaTransport(httpx.BaseTransport):
    def __init__(self, handler: Handler, version: EventVersion) -> None:
        self.handler = handler
        self.version = version

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        event = build_event(request, self.version)
        # Lambda hands the handler a JSON-decoded event: round-trip it to catch anything not serialisable.
        result = self.handler(json.loads(json.dumps(event)), FakeLambdaContext())
        return response_from_result(result, request)
