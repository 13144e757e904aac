"""The memory store keeps objects as JSON text (orjson's when installed): what comes back is what JSON keeps,
whichever encoder wrote it, and values orjson refuses are kept by the standard library instead of failing."""

from __future__ import annotations

import pytest

from openai_mock.store.memory import MemoryStore

pytest.importorskip("orjson")


def test_a_stored_object_comes_back_as_json_keeps_it_and_is_a_copy() -> None:
    store = MemoryStore()
    obj = {"id": "a", "n": 3, "f": 0.1, "list": (1, 2), "keys": {1: "one"}, "text": "café ✓", "none": None}
    returned = store.create("t", "c", obj)
    as_json = {"id": "a", "n": 3, "f": 0.1, "list": [1, 2], "keys": {"1": "one"}, "text": "café ✓", "none": None}
    assert returned == as_json
    returned["n"] = 99
    assert store.get("t", "c", "a")["n"] == 3  # type: ignore[index]
    updated = store.update("t", "c", "a", lambda current: {**current, "n": current["n"] + 1})
    assert updated is not None and updated["n"] == 4 and store.get("t", "c", "a") == updated


@pytest.mark.parametrize("value", [2**70, -(2**64), "\ud800 lone surrogate"])
def test_what_orjson_refuses_is_kept_exactly(value: object) -> None:
    store = MemoryStore()
    store.create("t", "c", {"id": "big", "value": value})
    assert store.get("t", "c", "big") == {"id": "big", "value": value}
    store.update("t", "c", "big", lambda current: {**current, "again": value})
    assert store.get("t", "c", "big") == {"id": "big", "value": value, "again": value}
