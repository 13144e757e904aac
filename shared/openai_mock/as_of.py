"""The day the API answers as (`OPENAI_MOCK_AS_OF`, docs/configuration.md), and what OpenAI has shut down by then.

By default the mock answers as its contract (the 2026-08-21 spec) describes the API; a date answers as the real
API did that day; "clock" takes the day from the mock clock (the tenant's, when moved)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from openai_mock import clock
from openai_mock.settings import get_settings

CONTRACT_DAY = date(2026, 8, 21)
SORA_SHUTDOWN = date(2026, 9, 24)  # the Videos API and the Sora 2 models (announced 2026-03-24)
EVALS_SHUTDOWN = date(2026, 11, 30)  # the Evals API (the official SDK's deprecation notice since openai 3.63)
# Model families removed from the API, and the day each went (the SDK dates the other models: resources/models.py).
SHUT_DOWN_FAMILIES = {"sora-2": SORA_SHUTDOWN, "sora-2-pro": SORA_SHUTDOWN}


def answering_day() -> date:
    as_of = get_settings().as_of
    if not as_of:
        return CONTRACT_DAY
    if as_of == "clock":
        return datetime.fromtimestamp(clock.now(), UTC).date()
    return date.fromisoformat(as_of)
