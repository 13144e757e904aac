"""Running a coroutine from a sync test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def run_on_private_loop(awaitable: Awaitable[T]) -> T:
    """`asyncio.run` would leave the main thread without an event loop, which Mangum (the Lambda handler
    tests that run later) still asks for: run on a loop of its own instead."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(awaitable)
    finally:
        loop.close()
