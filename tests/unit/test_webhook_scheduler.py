"""The local server's webhook scheduler stops when the server shuts down, whenever the stop lands."""

from __future__ import annotations

import asyncio

import pytest

from openai_mock.control import webhooks
from openai_mock.control.webhooks import dispatch
from openai_mock.local import scheduler


@pytest.mark.parametrize("steps_before_stop", range(6))
def test_a_stop_landing_as_the_scheduler_is_woken_still_stops_it(steps_before_stop: int) -> None:
    """A wake-up (something scheduled) and the shutdown's cancel in the same few loop steps: the cancel must win,
    or the server's shutdown waits for the scheduler forever (it did, under Python 3.11's `wait_for`)."""
    dispatch.reset()

    async def scenario() -> bool:
        task = scheduler.start()
        await asyncio.sleep(0.2)  # its first round done: it waits to be woken
        webhooks.local_dispatcher().wake()
        for _ in range(steps_before_stop):
            await asyncio.sleep(0)
        stopping = asyncio.create_task(scheduler.stop(task))
        stopped, _ = await asyncio.wait({stopping}, timeout=5)  # (asyncio.wait cancels nothing when it times out)
        task.cancel()  # (a second cancel, in case the first was lost: the loop can close)
        return bool(stopped)

    loop = asyncio.new_event_loop()  # not asyncio.run: it leaves the main thread without a loop (Mangum wants one)
    try:
        assert loop.run_until_complete(scenario())
    finally:
        loop.close()
