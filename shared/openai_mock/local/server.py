"""One ASGI app that routes each request to the function app template.yaml assigns it, as API Gateway
does: same paths, same methods, the function's own app (auth, errors, headers) handling it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from starlette.datastructures import State
from starlette.routing import BaseRoute, Match, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from openai_mock.errors import invalid_url, method_not_allowed
from openai_mock.generation import tokens
from openai_mock.local import scheduler
from openai_mock.local.template import FunctionDef, Template
from openai_mock.settings import get_settings
from openai_mock.web.middleware import CORS_HEADERS

# What API Gateway's CORS configuration answers to a browser's preflight (template.yaml, MockApi.Cors).
_PREFLIGHT_HEADERS = [
    *CORS_HEADERS,
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    # "*" does not cover Authorization (Fetch standard), so it is named.
    (
        b"access-control-allow-headers",
        b"authorization, content-type, openai-beta, openai-organization, openai-project, x-mock-seed, *",
    ),
    (b"access-control-max-age", b"600"),
]

_INDEX_DEPTH = 3  # "/v1/organization/projects/{id}" is indexed under ("v1", "organization", "projects")


def _literal_prefix(path: str) -> tuple[str, ...]:
    """The leading segments of a route path before its first parameter, at most _INDEX_DEPTH of them."""
    literal = []
    for segment in path.strip("/").split("/")[:_INDEX_DEPTH]:
        if segment.startswith("{"):
            break
        literal.append(segment)
    return tuple(literal)


class TemplateRouter:
    """The local server's ASGI app. Matches a request against the routes that share its leading path segments
    only: with ~120 routes a linear scan (Starlette's Router) costs more than the rest of a simple request. No
    Starlette app around it: each function app already has its error handling, as behind API Gateway."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.routes = routes
        self.state = State()
        self._index: dict[tuple[str, ...], list[BaseRoute]] = defaultdict(list)
        # Paths without parameters (/v1/chat/completions, /v1/models…), answered by one dict look-up: (method, path)
        # → the function app. Starlette's Route adds HEAD to GET, as API Gateway answers it.
        self._static: dict[tuple[str, str], ASGIApp] = {}
        for route in routes:
            self._index[_literal_prefix(route.path)].append(route)  # type: ignore[attr-defined]
            if isinstance(route, Route) and "{" not in route.path:
                for method in route.methods or ():
                    self._static.setdefault((method, route.path), route.app)

    def _candidates(self, path: str) -> list[BaseRoute]:
        segments = tuple(path.strip("/").split("/")[:_INDEX_DEPTH])
        found: list[BaseRoute] = []
        for depth in range(len(segments), -1, -1):
            found.extend(self._index.get(segments[:depth], ()))
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)  # the function apps need no start-up work; the server runs webhooks
            return
        static = self._static.get((scope.get("method", ""), scope["path"]))  # a WebSocket has no method
        if static is not None:
            # What Route.matches + Route.handle would do for a path without parameters, without the regex.
            scope["endpoint"] = static
            scope["path_params"] = {}
            await static(scope, receive, send)
            return
        partial = False
        for route in self._candidates(scope["path"]):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            partial = partial or match is Match.PARTIAL
        if scope["type"] == "websocket":  # no WebSocket API here: refused before the upgrade, as API Gateway does
            await send({"type": "websocket.close", "code": 1008, "reason": "not_found"})
            return
        if partial and scope["method"] == "OPTIONS":  # a browser's CORS preflight, answered without auth
            await send({"type": "http.response.start", "status": 204, "headers": _PREFLIGHT_HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return
        error = (method_not_allowed if partial else invalid_url)(scope["method"], scope["path"])
        await error.response()(scope, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    """Start-up starts the webhook scheduler (docs/webhooks.md) unless a queue does its work; shut-down stops it."""
    task = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if not get_settings().webhooks_queue_url:
                task = scheduler.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if task is not None:
                await scheduler.stop(task)
            await send({"type": "lifespan.shutdown.complete"})
            return


def _sockets_on_declared_paths(function_app: Any, function: FunctionDef) -> list[str]:
    """The function app's own WebSocket routes at a path the template routes to it over HTTP (the Live API's
    `/v1/live/sessions`: created by POST, connected to by the SDK's `client.live.connect` at the same address).
    Served locally only: an API Gateway WebSocket API answers at its stage's URL, never at such a path."""
    declared = {route.path for route in function.routes} - set(function.websocket_paths)
    return [
        route.path
        for route in getattr(function_app, "routes", ())
        if isinstance(route, WebSocketRoute) and route.path in declared
    ]


def build_app(template_path: Path) -> TemplateRouter:
    """Every function of the template behind one router. A template that cannot be read or is not of the
    expected shape raises `TemplateError` (one line, no traceback needed); a function module that fails to
    import raises what it raised."""
    template = Template(template_path)
    template.make_importable()
    routes: list[BaseRoute] = []
    for function in template.functions:
        function_app = function.load_app()  # a worker without routes (WebhooksFunction) is loaded, not mounted
        for route in function.routes:
            # An ASGI app as endpoint: the scope passes through unchanged, so the function app routes on the
            # full path exactly as behind API Gateway.
            routes.append(Route(route.path, function_app, methods=[route.method], name=route.event_name))
        for path in function.websocket_paths:
            routes.append(WebSocketRoute(path, function_app, name=f"{function.logical_id}WebSocket"))
        for path in _sockets_on_declared_paths(function_app, function):
            routes.append(WebSocketRoute(path, function_app, name=f"{function.logical_id}Socket"))
    app = TemplateRouter(routes)
    app.state.route_count = len(routes)
    app.state.function_count = len(template.functions)
    app.state.template = template.path
    return app


def app_from_environment() -> TemplateRouter:
    """The app of one worker of `openai-mock serve --workers N`: the template the command chose (it sets
    OPENAI_MOCK_TEMPLATE), the settings it put in the environment."""
    from openai_mock.local.bundle import find_template

    app = build_app(find_template(None).path)
    tokens.preload()  # before the worker takes requests, as `serve` does for one process
    return app
