"""API groups OpenAI has shut down: past the day (`OPENAI_MOCK_AS_OF`, openai_mock/as_of.py), every route of the
group answers as a URL the API no longer has."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from starlette.requests import Request

from openai_mock.as_of import answering_day
from openai_mock.errors import invalid_url


def served_until(shutdown: date) -> Callable[[Request], Awaitable[None]]:
    """A router dependency: the group's routes answer until `shutdown`, then 404 "Invalid URL"."""

    async def still_served(request: Request) -> None:
        if answering_day() >= shutdown:
            raise invalid_url(request.method, request.url.path)

    return still_served
