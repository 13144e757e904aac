"""Writes a request need not wait for before it answers, as nothing in its answer depends on them: its usage records
(the Usage API's counters, the spend limits' month counters) and, now and then, its journal's trim.

On DynamoDB every store call is a network round trip, made one after the other: a model request counted its rate
limit, then its usage, then wrote its journal entry. There a write given to `soon` runs in a thread beside what the
request does next (its answer, its journal entry), and the request waits for it before it ends (`end`, from the
middleware): on Lambda, before the invocation returns, so nothing is left running in a frozen container. A write
that fails then is logged: the answer has gone (as OpenAI's usage, the mock's never fails a request already
answered). On the memory and SQLite stores (calls in-process, where a thread would only add its hop) and outside an
HTTP request (a Realtime session, a batch), a write runs at once, as before.

The same threads send a store's independent calls at once where it must make several (`together`: DynamoDB's
deletes, 25 items per call)."""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from openai_mock.logs import logger
from openai_mock.settings import get_settings

THREADS = 4  # a Lambda container serves one request at a time; a local server's loop joins one request at a time
T = TypeVar("T")


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


def _submit(call: Callable[[], T]) -> Future[T]:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="write-behind")
    return _pool.submit(contextvars.copy_context().run, call)


def together(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Make the calls at once (the first in this thread) and answer their results in order; a failure is raised
    once they have all ended. A call no thread has started yet (every thread busy: several requests trimming at
    once) is made in this one, so a call from one of the threads never waits for a thread."""
    if len(calls) < 2:
        return [call() for call in calls]
    others = [_submit(call) for call in calls[1:]]
    outcomes = [_outcome(calls[0])]
    for call, other in zip(calls[1:], others, strict=True):
        outcomes.append(_outcome(call) if other.cancel() else _outcome(other.result))
    failed = next((error for _, error in outcomes if error is not None), None)
    if failed is not None:
        raise failed
    return [result for result, _ in outcomes]  # type: ignore[misc]


def _outcome(call: Callable[[], T]) -> tuple[T | None, BaseException | None]:
    try:
        return call(), None
    except Exception as error:
        return None, error


def begin() -> contextvars.Token[Writes | None] | None:
    """Open the request's writes where a store call is a round trip (None elsewhere: `soon` writes at once)."""
    if get_settings().store != "dynamodb":
        return None
    return _writes.set(Writes())


def running() -> bool:
    """Whether a write given to `soon` now runs behind the request (else it is made at once)."""
    writes = _writes.get()
    return writes is not None and not writes.closed


def soon(write: Callable[..., object], *arguments: object) -> None:
    """Run `write(*arguments)` behind the request (in the request's context: its tenant clock, say), or at once."""
    writes = _writes.get()
    if writes is None or writes.closed:
        write(*arguments)
        return
    writes.running.append(_submit(functools.partial(write, *arguments)))


def end(token: contextvars.Token[Writes | None] | None) -> None:
    """Wait for the request's writes; log those that failed."""
    if token is None:
        return
    writes = _writes.get()
    _writes.reset(token)
    if writes is None:
        return
    writes.closed = True
    for write in writes.running:
        try:
            write.result()
        except Exception:
            logger.exception("a write behind the request failed")
