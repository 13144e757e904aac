"""The local server's webhook scheduler: a task in the server process that runs pending webhook items (events
due when their objects finish, delivery retries) when they fall due on their tenant's clock.

It sleeps until the next item is due, woken at once when something is scheduled or a tenant moves its clock
(`POST /__mock/clock`), and at least every `MAX_IDLE_SECONDS` (the process clock can be moved in-process,
`openai_mock.clock.advance`, without telling anyone). The work itself (store reads, HTTP deliveries) runs in a
worker thread, off the event loop that serves requests. On AWS the WebhooksFunction does this (docs/webhooks.md)."""

from __future__ import annotations

import asyncio
import contextlib

from openai_mock.control import webhooks
from openai_mock.logs import logger

MAX_IDLE_SECONDS = 1.0


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
            try:
                await asyncio.to_thread(webhooks.run_due)
            except Exception:  # the scheduler outlives a broken item (run_due logs per item already)
                logger.exception("webhook scheduler round failed")
            wait = dispatcher.seconds_until_next()
            timeout = MAX_IDLE_SECONDS if wait is None else min(wait, MAX_IDLE_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
    finally:
        dispatcher.remove_listener(listener)


def start() -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(run_webhooks(), name="openai-mock-webhooks")


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
