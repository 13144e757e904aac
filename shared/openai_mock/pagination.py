"""The one list helper: OpenAI's cursor pagination (`limit` 1-100, `order`, `after`, `before`) and
its list envelope (`object`, `data`, `first_id`, `last_id`, `has_more`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from openai_mock.errors import invalid_request

MAX_LIMIT = 100
Order = Literal["asc", "desc"]


class Page(NamedTuple):
    """One page of a list, as a store (or `paginate`) returns it."""

    items: list[dict[str, Any]]
    has_more: bool


class ListParams(NamedTuple):
    limit: int = 20
    order: Order = "desc"
    after: str | None = None
    before: str | None = None


def check_limit(limit: int, maximum: int = MAX_LIMIT) -> int:
    if limit < 1:
        raise invalid_request(
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got {limit} instead.",
            "limit",
            "integer_below_min_value",
        )
    if limit > maximum:
        raise invalid_request(
            f"Invalid 'limit': integer above maximum value. Expected a value <= {maximum}, but got {limit} instead.",
            "limit",
            "integer_above_max_value",
        )
    return limit


def checked_list_params(
    limit: int, order: str, after: str | None, before: str | None, maximum: int = MAX_LIMIT
) -> ListParams:
    """The list parameters, checked: `order` asc|desc, `limit` 1–`maximum`; empty cursors are no cursors."""
    if order not in ("asc", "desc"):
        raise invalid_request(
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order", "invalid_value"
        )
    return ListParams(check_limit(limit, maximum), order, after or None, before or None)  # type: ignore[arg-type]


def list_object(
    page: Page, id_key: str = "id", view: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The API's list envelope for a page; `view` turns each stored object into what the API shows."""
    items = page.items if view is None else [view(item) for item in page.items]
    return {
        "object": "list",
        "data": items,
        "first_id": items[0][id_key] if items else None,
        "last_id": items[-1][id_key] if items else None,
        "has_more": page.has_more,
    }


def next_cursor_list(
    page: Page, id_key: str = "id", view: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The list envelope of the newer Administration API lists: `has_more` and a `next` cursor (the last
    item's id, to pass as `after`) instead of `first_id` / `last_id`."""
    items = page.items if view is None else [view(item) for item in page.items]
    return {
        "object": "list",
        "data": items,
        "has_more": page.has_more,
        "next": page.items[-1][id_key] if page.has_more and page.items else None,
    }


def paginate(items: list[dict[str, Any]], params: ListParams, id_key: str = "id") -> Page:
    """Cursor pagination over an in-memory sequence already sorted ascending by `id_key`
    (for lists that are computed, not stored)."""
    ordered = items if params.order == "asc" else items[::-1]
    ids = [item[id_key] for item in ordered]
    if params.before is not None:
        end = ids.index(params.before) if params.before in ids else len(ids)
        start = max(0, end - params.limit)
        return Page(ordered[start:end], start > 0)
    start = ids.index(params.after) + 1 if params.after in ids else 0
    return Page(ordered[start : start + params.limit], start + params.limit < len(ordered))
