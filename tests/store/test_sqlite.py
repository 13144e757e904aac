"""What only the SQLite store has to prove (the shared suite in test_object_store.py / test_counters.py runs on
it too): several processes on one database file lose no update and no count, objects outlive the process,
a database held too long by another process is OpenAI's 503, and the settings put its bytes beside it."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from openai_mock.errors import OpenAIError
from openai_mock.settings import reset_settings
from openai_mock.store import get_blobs, get_store, reset_stores
from openai_mock.store.base import COUNTERS, begin_request
from openai_mock.store.blobs import FileBlobStore
from openai_mock.store.sqlite import SQLiteStore, prepare

T = "t_sqlite"
ROUNDS = 40


def _hammer(path: str, rounds: int) -> None:
    """One process: bumps a shared object and a shared counter `rounds` times each."""
    store = SQLiteStore(path)
    for _ in range(rounds):
        store.update(T, "counter.object", "shared", lambda stored: {**stored, "n": stored["n"] + 1})
        store.increment(T, COUNTERS, "shared", {"n": 1})


def test_processes_on_one_file_lose_no_update_and_no_count(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite3")
    prepare(path)
    SQLiteStore(path).create(T, "counter.object", {"id": "shared", "n": 0})
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as `serve --workers` starts them
    workers = [context.Process(target=_hammer, args=(path, ROUNDS)) for _ in range(3)]
    for worker in workers:
        worker.start()
    _hammer(path, ROUNDS)  # and this process at the same time
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = SQLiteStore(path)
    assert store.get(T, "counter.object", "shared") == {"id": "shared", "n": 4 * ROUNDS}
    assert store.increment(T, COUNTERS, "shared", {"n": 0}).values == {"n": 4 * ROUNDS}


def test_limits_hold_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite3")
    first, second = SQLiteStore(path), SQLiteStore(path)  # two connections: two processes as SQLite sees them
    assert first.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2}).admitted
    assert second.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2}).admitted
    refused = first.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2})
    assert not refused.admitted
    assert refused.values == {"requests": 2}


def test_objects_outlive_the_store_that_wrote_them(tmp_path: Path) -> None:
    path = tmp_path / "kept" / "store.sqlite3"  # the folder is created
    SQLiteStore(path).create(T, "file", {"id": "file-1", "filename": "a.txt"})
    assert SQLiteStore(path).get(T, "file", "file-1") == {"id": "file-1", "filename": "a.txt"}
    assert [item["id"] for item in SQLiteStore(path).list(T, "file").items] == ["file-1"]


def test_a_database_locked_by_another_process_is_a_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.sqlite3"
    prepare(path)
    monkeypatch.setattr("openai_mock.store.sqlite.BUSY_TIMEOUT_SECONDS", 0.05)
    store = SQLiteStore(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
    try:
        with pytest.raises(OpenAIError) as busy:
            store.create(T, "file", {"id": "file-1"})
        assert busy.value.status == 503
        assert busy.value.headers["retry-after"] == "1"
        assert store.get(T, "file", "file-1") is None  # readers are never blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.create(T, "file", {"id": "file-1"}) == {"id": "file-1"}  # and it recovers at once


def test_settings_choose_the_database_and_a_blob_folder_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_STORE", "sqlite")
    monkeypatch.setenv("OPENAI_MOCK_SQLITE_PATH", str(tmp_path / "mock.sqlite3"))
    reset_settings()
    reset_stores()
    get_store().create(T, "file", {"id": "file-1"})
    get_blobs().put(T, "file-1/content", b"hello")
    assert SQLiteStore(tmp_path / "mock.sqlite3").get(T, "file", "file-1") == {"id": "file-1"}
    assert FileBlobStore(tmp_path / "mock.sqlite3.blobs").get(T, "file-1/content") == b"hello"


def _write_fixture(path: str, fixture_id: str, note: str) -> None:
    """Another process: creates or rewrites one fixture of T."""
    store = SQLiteStore(path)
    if store.update(T, "mock.fixture", fixture_id, lambda stored: {**stored, "note": note}) is None:
        store.create(T, "mock.fixture", {"id": fixture_id, "note": note})


def _in_other_process(target: object, *args: object) -> None:
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    process.join(60)
    assert process.exitcode == 0


def test_kept_read_mostly_objects_see_another_process_write_at_the_next_request(tmp_path: Path) -> None:
    """A tenant's fixtures are kept between requests; another process's create, update, delete and tenant reset
    are seen by the next request all the same, and within a request this process's own writes at once."""
    path = str(tmp_path / "store.sqlite3")
    prepare(path)
    store = SQLiteStore(path)

    def listed() -> list[tuple[str, str]]:
        reads = begin_request()
        try:
            page = store.list(T, "mock.fixture", limit=10, order="asc")
            kept = [(item["id"], item["note"]) for item in page.items]
            assert [store.get(T, "mock.fixture", object_id) for object_id, _ in kept] == page.items
            return kept
        finally:
            reads.open = False

    assert listed() == []
    _in_other_process(_write_fixture, path, "fixture_a", "one")
    assert listed() == [("fixture_a", "one")]
    assert listed() == [("fixture_a", "one")]  # kept: no read of the rows (below: still fresh)
    _in_other_process(_write_fixture, path, "fixture_a", "two")
    assert listed() == [("fixture_a", "two")]
    _in_other_process(_write_fixture, path, "fixture_b", "three")
    assert listed() == [("fixture_a", "two"), ("fixture_b", "three")]
    reads = begin_request()
    assert store.list(T, "mock.fixture", limit=1, order="desc").items[0]["id"] == "fixture_b"
    store.delete(T, "mock.fixture", "fixture_b")  # this process's own write, in the same request
    assert [item["id"] for item in store.list(T, "mock.fixture", order="desc").items] == ["fixture_a"]
    reads.open = False
    SQLiteStore(path).delete_tenant(T)  # another connection
    assert listed() == []


def test_kept_objects_are_not_read_again_while_nothing_changes(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite3")
    store = SQLiteStore(path)
    store.create(T, "mock.clock", {"id": "clock", "offset_seconds": 5})
    statements: list[str] = []
    store._connection().set_trace_callback(statements.append)
    for _ in range(3):
        reads = begin_request()
        assert store.get(T, "mock.clock", "clock") == {"id": "clock", "offset_seconds": 5}
        assert store.get(T, "mock.clock", "clock") == {"id": "clock", "offset_seconds": 5}
        reads.open = False
    assert sum("FROM objects" in statement for statement in statements) == 1  # read once, then kept
    assert sum("data_version" in statement for statement in statements) == 3  # one check per request
    assert store.get(T, "mock.clock", "clock") is not None  # outside a request: read from the database
    assert sum("FROM objects" in statement for statement in statements) == 2
