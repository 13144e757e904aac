"""One ASGI app that routes each request to the function app template.yaml assigns it, as API Gateway
does: same paths, same methods, the function's own app (auth, errors, headers) handling it."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from openai_mock.errors import EXCEPTION_HANDLERS
from openai_mock.local.template import Template


def build_app(template_path: Path) -> Starlette:
    template = Template(template_path)
    routes: list[Route] = []
    for function in template.functions:
        function_app = function.load_app()
        for route in function.routes:
            # An ASGI app as endpoint: Starlette matches path + method and passes the scope through
            # unchanged, so the function app routes on the full path exactly as behind API Gateway.
            routes.append(Route(route.path, function_app, methods=[route.method], name=route.event_name))
    app = Starlette(
        routes=routes,
        # Unknown paths and methods get OpenAI's 404 / 405 envelope, as inside a function.
        exception_handlers={HTTPException: EXCEPTION_HANDLERS[HTTPException]},
    )
    app.state.route_count = len(routes)
    app.state.function_count = len(template.functions)
    return app
