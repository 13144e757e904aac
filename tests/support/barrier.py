"""Proving that calls are made at once: each waits at a barrier for the others to start."""

from __future__ import annotations

import threading

WAIT_SECONDS = 10  # only a failing run waits this long


def at_once(barrier: threading.Barrier) -> bool:
    """Whether the calls waiting at the barrier were all under way at once (else it broke after its timeout)."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        return False
    return True
