"""Writes a request need not wait for before it answers: its usage records (the Usage API's counters, the spend
limits' month counters), which nothing in its answer depends on.

On DynamoDB every store call is a network round trip, made one after the other: a model request counted its rate
limit, then its usage, then wrote its journal entry. There a write given to `soon` runs in a thread beside what the
request does next (its answer, its journal entry), and the request waits for it before it ends (`end`, from the
middleware): on Lambda, before the invocation returns, so nothing is left running in a frozen container. A write
that fails then is logged: the answer has gone (as OpenAI's usage, the mock's never fails a request already
answered). On the memory and SQLite stores (calls in-process, where a thread would only add its hop) and outside an
HTTP request (a Realtime session, a batch), a write runs at once, as before."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from openai_mock.logs import logger
from openai_mock.settings import get_settings

THREADS = 4  # a Lambda container serves one request at a time; a local server's loop joins one request at a time


class Writes:
    """A request's writes running behind it; `closed` once it ended (a task it left behind writes at once)."""

    __slots__ = ("closed", "running")

    def __init__(self) -> None:
        self.running: list[Future[object]] = []
        self.closed = False


_writes: contextvars.ContextVar[Writes | None] = contextvars.ContextVar("write_behind", default=None)
_pool: ThreadPoolExecutor | None = None


def _forget_pool() -> None:  # a forked child has none of its parent's threads
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool)


def begin() -> contextvars.Token[Writes | None] | None:
    """Open the request's writes where a store call is a round trip (None elsewhere: `soon` writes at once)."""
    if get_settings().store != "dynamodb":
        return None
    return _writes.set(Writes())


def soon(write: Callable[[], object]) -> None:
    """Run `write` behind the request (in the request's context: its tenant clock, say), or at once."""
    global _pool
    writes = _writes.get()
    if writes is None or writes.closed:
        write()
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="write-behind")
    writes.running.append(_pool.submit(contextvars.copy_context().run, write))


def end(token: contextvars.Token[Writes | None] | None) -> None:
    """Wait for the request's writes; log those that failed."""
    if token is None:
        return
    writes = _writes.get()
    _writes.reset(token)
    if writes is None:
        return
    writes.closed = True
    for running in writes.running:
        try:
            running.result()
        except Exception:
            logger.exception("a write behind the request failed: its usage is not recorded")
