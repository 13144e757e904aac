"""Query parameters of the Administration API: `limit` + `after` lists, and arrays, which the SDK
sends as `name[]=a&name[]=b` while the spec also spells some of them `name=a&name=b` (both are read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request

from openai_mock.errors import invalid_request
from openai_mock.pagination import ListParams, check_limit, checked_list_params

# Async dependencies: they never block, and FastAPI would run plain functions in a worker thread.


async def org_list_params(
    limit: Annotated[int, Query()] = 20,
    after: Annotated[str | None, Query()] = None,
    before: Annotated[str | None, Query()] = None,
) -> ListParams:
    return ListParams(check_limit(limit), "asc", after or None, before or None)


async def ordered_list_params(
    limit: Annotated[int, Query()] = 20,
    after: Annotated[str | None, Query()] = None,
    order: Annotated[str, Query()] = "asc",
) -> ListParams:
    """Like the other lists, but oldest first unless asked otherwise (and no `before`)."""
    return checked_list_params(limit, order, after, None)


async def rate_limit_list_params(
    limit: Annotated[int, Query()] = 100,
    after: Annotated[str | None, Query()] = None,
    before: Annotated[str | None, Query()] = None,
) -> ListParams:
    return ListParams(check_limit(limit), "asc", after or None, before or None)


OrgPagination = Annotated[ListParams, Depends(org_list_params)]
OrderedPagination = Annotated[ListParams, Depends(ordered_list_params)]
RateLimitPagination = Annotated[ListParams, Depends(rate_limit_list_params)]


def query_array(name: str) -> Callable[[Request], Awaitable[list[str]]]:
    """A dependency reading `name[]` and `name` (repeated, or comma-separated) into one list."""

    async def read(request: Request) -> list[str]:
        return array_param(request, name)

    return read


def array_param(request: Request, name: str) -> list[str]:
    values = request.query_params.getlist(f"{name}[]") + request.query_params.getlist(name)
    return [item for value in values for item in value.split(",") if item]


def optional_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise invalid_request(
            f"Invalid type for '{name}': expected an integer, but got a string instead.", name, "invalid_type"
        ) from None
