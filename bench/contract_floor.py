"""The floor under the mock's per-request cost: the bare app of bench/bare_groups.py (the same routes and fixed
answers) plus only what every answer of the real API carries, and nothing else of the mock. A pure ASGI
middleware, added the way the mock's functions add theirs, refuses a request without a bearer key (401, OpenAI's
envelope) and puts `x-request-id`, `openai-processing-ms`, `openai-version` and `openai-organization` on every
answer. No tenants, store, journal, controls, fixtures or rate limits.

bench/peers.py runs it beside the bare app: what separates the two is the price of the API's contract alone,
which any mock pays; what separates it from `openai-mock serve` is the price of the mock's own features."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench import bare_groups

_UNAUTHORIZED = json.dumps(
    {
        "error": {
            "message": "You didn't provide an API key.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
).encode()
_request_ids = random.Random()


class OpenAIContract:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        key = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        if not key.startswith(b"Bearer "):
            headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(_UNAUTHORIZED))]
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": _UNAUTHORIZED})
            return
        request_id = b"req_%032x" % _request_ids.getrandbits(128)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = max(1, round((time.perf_counter() - started) * 1000))
                headers: list[Any] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id),
                    (b"openai-processing-ms", b"%d" % elapsed_ms),
                    (b"openai-version", b"2020-10-01"),
                    (b"openai-organization", b"org-bench"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


app = FastAPI()
app.router.routes.extend(bare_groups.app.router.routes)  # the bare app's routes and answers, unchanged
app.add_middleware(OpenAIContract)
