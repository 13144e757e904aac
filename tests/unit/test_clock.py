"""The one clock: frozen and advanced by tests."""

from __future__ import annotations

from openai_mock import clock


def test_clock_freezes_and_advances() -> None:
    clock.freeze(1_700_000_000.5)
    assert clock.now_seconds() == 1_700_000_000
    clock.advance(60)
    assert clock.now() == 1_700_000_060.5
    clock.reset()
    assert clock.now() > 1_700_000_060.5
