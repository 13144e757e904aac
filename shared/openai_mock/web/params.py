"""The query-string dependencies of list routes, in one place: `list_query(...)` builds the cursor-pagination
parameters every list takes (each list differs only in its defaults), and the array, integer and metadata
filters some lists add. All are async: they never block, and FastAPI would run a plain function in a worker
thread (~100 µs a request)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from openai_mock.errors import invalid_request
from openai_mock.pagination import MAX_LIMIT, ListParams, Order, checked_list_params


def list_query(
    *,
    default_limit: int = 20,
    default_order: Order = "desc",
    maximum: int = MAX_LIMIT,
    ordered: bool = True,
    before: bool = True,
) -> Any:
    """The dependency of a list's `limit`, `order`, `after` and `before`, checked as the API checks them:
    `params: Annotated[ListParams, list_query(...)]`. `ordered=False`: the list has one order (`default_order`)
    and ignores `order`; `before=False`: it has no `before` cursor."""

    async def read(
        limit: Annotated[int, Query()] = default_limit,
        order: Annotated[str, Query()] = default_order,
        after: Annotated[str | None, Query()] = None,
        before_id: Annotated[str | None, Query(alias="before")] = None,
    ) -> ListParams:
        return checked_list_params(
            limit, order if ordered else default_order, after, before_id if before else None, maximum
        )

    return Depends(read)


Pagination = Annotated[ListParams, list_query()]  # newest first, both cursors: most lists
# The Administration API's lists: oldest first, no `order`.
AdminPagination = Annotated[ListParams, list_query(default_order="asc", ordered=False)]


async def metadata_filter(request: Request) -> dict[str, str]:
    """List filters written `metadata[key]=value` in the query string (chat completions, fine-tuning jobs)."""
    return {
        key[len("metadata[") : -1]: value
        for key, value in request.query_params.items()
        if key.startswith("metadata[") and key.endswith("]")
    }


MetadataFilter = Annotated[dict[str, str], Depends(metadata_filter)]


def query_array(name: str) -> Callable[[Request], Awaitable[list[str]]]:
    """A dependency reading `name[]` and `name` (repeated, or comma-separated) into one list: the SDK sends
    `name[]=a&name[]=b` while the spec also spells some of them `name=a&name=b`."""

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
