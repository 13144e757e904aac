"""What only the SQLite store has to prove (the shared suite in test_object_store.py / test_counters.py runs on
it too): several processes on one database file lose no update and no count, objects outlive the process,
a database held too long by another process is OpenAI's 503, the settings put its bytes beside it, and a file of
the earlier layout is brought to the current one with its objects and counts."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from openai_mock.errors import OpenAIError
from openai_mock.settings import reset_settings
from openai_mock.store import get_blobs, get_store, reset_stores
from openai_mock.store.base import COUNTERS, ConflictError
from openai_mock.store.blobs import FileBlobStore
from openai_mock.store.sqlite import _CHECKPOINT_ROWS, _RESTART_FRAMES, SCHEMA_VERSION, SQLiteStore, prepare

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


def test_a_counter_changed_between_its_read_and_its_write_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counters are written only if the row is still the one read: when another process takes the last request of a
    window in between, this one is refused, not counted over the limit."""
    path = tmp_path / "store.sqlite3"
    mine, other = SQLiteStore(path), SQLiteStore(path)
    assert mine.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2}).admitted
    parse = json.loads
    raced: list[bool] = []

    def loads_while_the_other_process_writes(text: str) -> object:
        if not raced:  # this store has just read the window: the other process counts before it writes
            raced.append(False)
            raced[0] = other.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2}).admitted
        return parse(text)

    monkeypatch.setattr("openai_mock.store.sqlite.json.loads", loads_while_the_other_process_writes)
    refused = mine.increment(T, COUNTERS, "window", {"requests": 1}, limits={"requests": 2})
    assert raced == [True]
    assert not refused.admitted
    assert refused.values == {"requests": 2}
    monkeypatch.setattr("openai_mock.store.sqlite.json.loads", parse)
    assert mine.increment(T, COUNTERS, "window", {"requests": 0}).values == {"requests": 2}


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


def test_a_writer_waits_for_another_process_in_short_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own busy handler sleeps 1, 2, 5… ms, holding the event loop: the store waits in steps of at most a
    millisecond instead, and its write goes through once the other process lets go."""
    path = tmp_path / "store.sqlite3"
    prepare(path)
    store = SQLiteStore(path)
    store.get(T, "file", "none")  # the connection is open
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 5:  # the other process commits while the store waits
            holder.execute("COMMIT")

    monkeypatch.setattr("openai_mock.store.sqlite.time.sleep", sleep)
    try:
        assert store.create(T, "file", {"id": "file-1"}) == {"id": "file-1"}
    finally:
        holder.close()
    assert len(waits) == 5 and max(waits) <= 0.001
    assert waits[-1] > waits[0]  # backing off


def test_a_short_wait_for_the_lock_yields_the_core_instead_of_sleeping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shortest sleep lasts ~100 µs (timer slack, wake-up), several times a write's hold of the lock: the store's
    first waits yield the core and retry, and it sleeps only when the lock is held longer."""
    path = tmp_path / "store.sqlite3"
    prepare(path)
    store = SQLiteStore(path)
    store.get(T, "file", "none")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yields: list[None] = []

    def yield_core() -> None:
        yields.append(None)
        if len(yields) == 3:  # the other process commits while the store yields
            holder.execute("COMMIT")

    def sleep(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s for a lock held three yields long")

    monkeypatch.setattr("openai_mock.store.sqlite._yield_core", yield_core)
    monkeypatch.setattr("openai_mock.store.sqlite.time.sleep", sleep)
    try:
        assert store.create(T, "file", {"id": "file-1"}) == {"id": "file-1"}
    finally:
        holder.close()
    assert len(yields) == 3


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


def _statements(store: SQLiteStore) -> list[str]:
    """The statements the store's connection runs from now on."""
    statements: list[str] = []
    store._connection()._conn.set_trace_callback(statements.append)
    return statements


def _log_frames(path: Path) -> int:
    """How many pages the database's write-ahead log holds (a checkpoint that copies nothing new syncs nothing)."""
    other = sqlite3.connect(path)
    try:
        return int(other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        other.close()


def test_the_process_copies_its_log_into_the_database_every_few_hundred_rows(tmp_path: Path) -> None:
    """Checkpoints come from the store, by the rows its process writes, not from SQLite's 1,000-page threshold
    (which makes every commit of every process checkpoint again while another process reads)."""
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    statements = _statements(store)
    empty = path.stat().st_size
    for index in range(_CHECKPOINT_ROWS - 1):
        store.create(T, "file", {"id": f"file-{index:04d}", "notes": "x" * 200})
    assert path.stat().st_size == empty  # all of it still in the log
    store.create(T, "file", {"id": "file-last", "notes": "x" * 200})
    assert path.stat().st_size > empty + _CHECKPOINT_ROWS * 200  # copied into the database
    assert [sql for sql in statements if "wal_checkpoint" in sql] == ["PRAGMA wal_checkpoint(PASSIVE)"]
    assert store.get(T, "file", "file-0000") == {"id": "file-0000", "notes": "x" * 200}


class _FailingCheckpoints:
    """The store's connection, its checkpoints failing as they would on a disk error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    def execute(self, sql: str, parameters: object = ()) -> sqlite3.Cursor:
        if "wal_checkpoint" in sql:
            raise sqlite3.OperationalError("disk I/O error")
        return self._conn.execute(sql, parameters)  # type: ignore[arg-type]


def test_a_checkpoint_that_fails_fails_no_write(tmp_path: Path) -> None:
    """As with SQLite's own checkpoint: the writes that made it due are committed, and the next one copies them."""
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    connection = store._connection()
    real = connection._conn
    connection._conn = _FailingCheckpoints(real)  # type: ignore[assignment]
    for index in range(_CHECKPOINT_ROWS):
        store.create(T, "file", {"id": f"file-{index:04d}", "notes": "x" * 200})
    empty = path.stat().st_size
    connection._conn = real
    for index in range(_CHECKPOINT_ROWS):
        store.create(T, "file", {"id": f"file-more-{index:04d}"})
    assert path.stat().st_size > empty + _CHECKPOINT_ROWS * 200  # the earlier writes copied too
    assert store.get(T, "file", "file-0000") == {"id": "file-0000", "notes": "x" * 200}


def test_a_log_grown_while_another_process_read_is_restarted_once_it_lets_go(tmp_path: Path) -> None:
    """While another connection reads an old snapshot, nothing after it can be copied and the log grows; past
    _RESTART_FRAMES pages the store restarts it, and once the reader is gone the log starts again from its head."""
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    statements = _statements(store)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM objects").fetchone()  # holds its snapshot
    entry = "x" * 3000  # a journal entry's size: a page each
    written = 0
    while _log_frames(path) <= _RESTART_FRAMES:
        for _ in range(_CHECKPOINT_ROWS):
            store.create(T, "mock.request", {"id": f"mockreq_{written:06d}", "entry": entry})
            written += 1
    reader.execute("COMMIT")
    reader.close()
    for _ in range(_CHECKPOINT_ROWS):
        store.create(T, "mock.request", {"id": f"mockreq_{written:06d}", "entry": entry})
        written += 1
    assert "PRAGMA wal_checkpoint(RESTART)" in statements
    store.create(T, "mock.request", {"id": "mockreq_next", "entry": entry})
    assert _log_frames(path) < 10  # written from the log's head again
    assert len(store.list(T, "mock.request", limit=100).items) == 100
    assert store.get(T, "mock.request", "mockreq_000000") == {"id": "mockreq_000000", "entry": entry}


# The objects table as files written before schema version 1 have it (kept here, not imported: it is history).
_EARLIER_OBJECTS = """CREATE TABLE objects (
    tenant TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL,
    expires_at REAL, PRIMARY KEY (tenant, collection, id)
) WITHOUT ROWID"""
_EARLIER_COUNTERS = """CREATE TABLE counters (
    tenant TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, counts TEXT NOT NULL, expires_at REAL,
    PRIMARY KEY (tenant, collection, key)
) WITHOUT ROWID"""


def test_a_file_of_the_earlier_layout_keeps_its_objects_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    earlier = sqlite3.connect(path, isolation_level=None)
    earlier.execute("PRAGMA journal_mode = WAL")
    earlier.execute(_EARLIER_OBJECTS)
    earlier.execute(_EARLIER_COUNTERS)
    rows = [(T, "chat.completion", f"chatcmpl_{index}", f'{{"id": "chatcmpl_{index}", "n": {index}}}', 2, None)
            for index in range(3)]  # fmt: skip
    earlier.executemany("INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?)", rows)
    earlier.execute("INSERT INTO counters VALUES (?, ?, 'window', '{\"requests\": 5}', NULL)", (T, COUNTERS))
    earlier.close()

    store = SQLiteStore(path)
    assert [item["n"] for item in store.list(T, "chat.completion").items] == [2, 1, 0]
    assert store.update(T, "chat.completion", "chatcmpl_1", lambda stored: {**stored, "n": 10}) == {
        "id": "chatcmpl_1",
        "n": 10,
    }
    with pytest.raises(ConflictError):  # the unique key holds on the new table
        store.create(T, "chat.completion", {"id": "chatcmpl_0"})
    assert store.increment(T, COUNTERS, "window", {"requests": 1}).values == {"requests": 6}

    check = sqlite3.connect(path)
    tables = dict(check.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    assert set(tables) == {"objects", "counters"}
    assert "WITHOUT ROWID" not in tables["objects"].upper()
    assert check.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'objects_key'").fetchone()
    assert check.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert SQLiteStore(path).get(T, "chat.completion", "chatcmpl_2") == {"id": "chatcmpl_2", "n": 2}  # opened again
