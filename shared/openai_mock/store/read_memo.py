"""The items a request has read or written on DynamoDB, kept until it ends, so that a later read or update of one
in the same request makes no round trip more: the objects its path names, read with its first reads
(web/request_reads.NamedObjects), then read by its route; a Response in a conversation reads the conversation's items
as its context, then appends its turn; a cancel reads an object to check it, then changes it. On AWS each read is
a round trip the request waits for.

A read served from here is the strongly consistent read the request made moments before, or its own write.
Updates stay optimistic (store/dynamodb.py): the first attempt writes only if the item still has the version read,
and a write that finds another version reads the item again, as every attempt did before. Per request (opened
and closed around it by the middleware), never across requests; elsewhere (the memory and SQLite stores, where a
read is in-process; a Realtime session, a batch) nothing is kept."""

from __future__ import annotations

import contextvars
from typing import Any

from openai_mock.settings import get_settings

Key = tuple[str, str]  # an item's (partition key, sort key)

_items: contextvars.ContextVar[dict[Key, dict[str, Any]] | None] = contextvars.ContextVar("read_memo", default=None)


def begin() -> contextvars.Token[dict[Key, dict[str, Any]] | None] | None:
    """Keep what the request reads, where a read is a round trip (None elsewhere: nothing is kept)."""
    if get_settings().store != "dynamodb":
        return None
    return _items.set({})


def end(token: contextvars.Token[dict[Key, dict[str, Any]] | None] | None) -> None:
    if token is not None:
        _items.reset(token)


def remember(key: Key, item: dict[str, Any]) -> None:
    """The item as the store read or wrote it (with its version)."""
    items = _items.get()
    if items is not None:
        items[key] = item


def recall(key: Key) -> dict[str, Any] | None:
    items = _items.get()
    return None if items is None else items.get(key)


def forget(key: Key) -> None:
    items = _items.get()
    if items is not None:
        items.pop(key, None)


def forget_all() -> None:
    """After a write of many items at once (a collection's or a tenant's deletion, a trim)."""
    items = _items.get()
    if items is not None:
        items.clear()
