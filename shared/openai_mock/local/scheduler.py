"""The local server's webhook scheduler: a task in the server process that runs pending webhook items (events
due when their objects finish, delivery retries) when they fall due on their tenant's clock.

It sleeps until the next item is due, woken at once when something is scheduled or a tenant moves its clock
(`POST /__mock/clock`), and at least every `MAX_IDLE_SECONDS` (the process clock can be moved in-process,
`openai_mock.clock.advance`, without telling anyone). The work itself (store reads, HTTP deliveries) runs in a
daemon thread, off the event loop that serves requests: a slow receiver never holds up a request, nor the
server's shutdown. On AWS the WebhooksFunction does this (docs/webhooks.md)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from openai_mock.control import webhooks
from openai_mock.logs import logger

MAX_IDLE_SECONDS = 1.0
MIN_WAIT_SECONDS = 0.01  # between rounds, whatever is due: the loop never spins


def _round() -> float | None:
    """Run what is due; the real seconds until the next item is due (None: nothing pending)."""
    webhooks.run_due()
    return webhooks.local_dispatcher().seconds_until_next()  # (reads tenants' clocks: the store, off the loop)


async def _in_daemon_thread(work: Callable[[], float | None]) -> float | None:
    """Run `work` in a daemon thread and wait for its answer; cancelling the wait leaves the thread to finish
    alone (it may be in the middle of a delivery)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[float | None] = loop.create_future()

    def settle(value: float | None) -> None:
        if not done.done():
            done.set_result(value)

    def target() -> None:
        value = None
        try:
            value = work()
        except Exception:
            logger.exception("webhook scheduler round failed")
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(settle, value)

    threading.Thread(target=target, name="openai-mock-webhooks", daemon=True).start()
    return await done


async def run_webhooks() -> None:
    """Run until cancelled."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    dispatcher = webhooks.local_dispatcher()

    def listener() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(wake.set)

    dispatcher.on_schedule(listener)
    try:
        while True:
            wake.clear()
            wait = await _in_daemon_thread(_round)
            timeout = MAX_IDLE_SECONDS if wait is None else max(MIN_WAIT_SECONDS, min(wait, MAX_IDLE_SECONDS))
            # asyncio.timeout, not wait_for: 3.11's wait_for swallows a cancel that lands as `wake` is set, and the
            # server's shutdown would wait for this task forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await wake.wait()
    finally:
        dispatcher.remove_listener(listener)


def start() -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(run_webhooks(), name="openai-mock-webhooks")


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
