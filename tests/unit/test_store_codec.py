"""The memory and SQLite stores keep objects as JSON text (orjson's when installed, store/codec.py): what comes
back is what JSON keeps, whichever encoder wrote it, and values orjson refuses are kept by the standard library
instead of failing, and read back exactly."""

from __future__ import annotations

from pathlib import Path

import orjson  # noqa: F401  (the codec under test encodes with it: a missing install fails, never skips)
import pytest

from openai_mock.store.base import ObjectStore
from openai_mock.store.memory import MemoryStore
from openai_mock.store.sqlite import SQLiteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    return MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "store.sqlite3")


def test_a_stored_object_comes_back_as_json_keeps_it_and_is_a_copy(store: ObjectStore) -> None:
    obj = {"id": "a", "n": 3, "f": 0.1, "list": (1, 2), "keys": {1: "one"}, "text": "café ✓", "none": None}
    returned = store.create("t", "c", obj)
    as_json = {"id": "a", "n": 3, "f": 0.1, "list": [1, 2], "keys": {"1": "one"}, "text": "café ✓", "none": None}
    assert returned == as_json
    returned["n"] = 99
    assert store.get("t", "c", "a") == as_json
    updated = store.update("t", "c", "a", lambda current: {**current, "n": current["n"] + 1})
    assert updated == {**as_json, "n": 4} and store.get("t", "c", "a") == updated


@pytest.mark.parametrize("value", [2**70 + 1, -(2**64) - 1, "\ud800 lone surrogate"])  # not floats exactly
def test_what_orjson_refuses_is_kept_exactly(store: ObjectStore, value: object) -> None:
    assert store.create("t", "c", {"id": "big", "value": value}) == {"id": "big", "value": value}
    assert store.get("t", "c", "big") == {"id": "big", "value": value}
    store.update("t", "c", "big", lambda current: {**current, "again": value})
    assert store.get("t", "c", "big") == {"id": "big", "value": value, "again": value}
    assert store.list("t", "c").items == [{"id": "big", "value": value, "again": value}]
