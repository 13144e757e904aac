"""`create_app` builds every function's FastAPI app the same way; `make_handler` wraps it for Lambda."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from mangum import Mangum

from openai_mock.errors import EXCEPTION_HANDLERS
from openai_mock.logs import logger
from openai_mock.web.middleware import OpenAIMiddleware
from openai_mock.web.request_reads import BodyObjects, CallerObjects, PathObjects


def create_app(
    *routers: APIRouter,
    title: str = "openai-mock",
    public: frozenset[str] = frozenset(),
    keyless: frozenset[tuple[str, str]] = frozenset(),
    path_objects: PathObjects | None = None,
    body_objects: BodyObjects | None = None,
    caller_objects: CallerObjects | None = None,
) -> FastAPI:
    """A function's app: its routers behind auth, OpenAI errors and OpenAI's standard headers
    (auth, headers and the body limit live in OpenAIMiddleware). `public` paths answer GET without a key, and the
    `keyless` (method, path) pairs any request.
    `path_objects`, `body_objects`, `caller_objects`: the objects its paths or its POST bodies name, or its caller
    has, which their routes read first (on DynamoDB read with the request's first reads: web/request_reads.py)."""
    app = FastAPI(
        title=title,
        openapi_url=None,  # the contract is OpenAI's spec, not a generated one
        docs_url=None,
        redoc_url=None,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        # FastAPI's native OpenTelemetry would look up the global providers on every request; the mock logs
        # through Powertools instead.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    for router in routers:
        # The routes join the app's own router as they are: complete (prefix, dependencies) since
        # the router built them. `include_router` would keep them behind FastAPI's lazily matched
        # include wrapper, which costs every request ~16 µs (more than the whole rest of the routing).
        app.router.routes.extend(router.routes)
    app.add_middleware(
        OpenAIMiddleware,
        public=public,
        keyless=keyless,
        path_objects=path_objects,
        body_objects=body_objects,
        caller_objects=caller_objects,
    )
    # What this app serves, as (METHOD, path) pairs: checked against template.yaml's events in tests.
    app.state.served_routes = frozenset(
        (method, route.path)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    )
    return app


def make_handler(app: FastAPI) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point: Mangum (lifespan off: it would otherwise run on every invocation)
    with Powertools' Lambda context in every log line."""
    adapter = Mangum(app, lifespan="off")

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return adapter(event, context)

    return handler
