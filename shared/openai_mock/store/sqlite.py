"""SQLite store: one database file shared by every process of a local mock (`openai-mock serve --store
sqlite:PATH`, `--workers N`), and kept across restarts. Stdlib `sqlite3` only.

One table of objects with a unique key (tenant, collection, id) — the order of a list page, so a page is one range
read of the key's index — and one of counter items. Objects are JSON text (store/codec.py) with a `version`:
updates are optimistic (read, change, write if the version is still the one read), as on DynamoDB, so a change
never runs while the database is locked and two processes never lose each other's updates. Counters too: read,
checked against their limits, written only if the row is still the one read, so two processes never both take the
last request of a quota. Expiry is on the process clock, hidden on read and swept now and then. File bytes live in
a folder (`FileBlobStore`), not in the database. A file of an earlier schema is upgraded when it is opened
(`_set_up`).

WAL journal (readers never wait for the writer), `synchronous=NORMAL` (a commit is durable once the WAL is
checkpointed; a power cut may lose the last commits, never corrupt the file), checkpoints by each process every few
hundred of its writes (`_Connection.checkpoint_when_due`), one connection per process
(opened lazily, again after a fork), used under a lock by the threads of the process, and a busy timeout:
a writer waits for another process's write instead of failing. A lock still held after it is OpenAI's 503."""

from __future__ import annotations

import functools
import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.pagination import Order, Page
from openai_mock.store import codec
from openai_mock.store.base import Change, ConflictError, Counted, CounterItems, Object, Predicate

BUSY_TIMEOUT_SECONDS = 5.0  # well under API Gateway's 29 s; a write takes microseconds
_FIRST_WAIT_SECONDS = 0.00002  # waits for another process's write lock (_Connection)
_LONGEST_WAIT_SECONDS = 0.001
# The first waits yield the core instead of sleeping: the shortest sleep takes ~100 µs here (the kernel's 50 µs timer
# slack and the wake-up), several times a write's hold of the lock, and a yield lets a lock holder that shares the
# core run. No `sched_yield` (Windows): sleeps only.
_SPIN_SECONDS = 0.0001
_yield_core = getattr(os, "sched_yield", None)
# Checkpoints: SQLite's own (after the commit that finds the log over 1,000 pages) copies what it can, but while
# another process reads an older snapshot the log can't restart, so it stays over the threshold and every commit of
# every process checkpoints again, with two fsyncs (two workers: 37 % of the time over it, 6× the fsyncs of one).
# So each process checkpoints itself instead (`_Connection.checkpoint_when_due`; measured in bench/README.md).
_CHECKPOINT_ROWS = 300
_RESTART_FRAMES = 2000
_UPDATE_ATTEMPTS = 50
_BACKOFF_CAP_SECONDS = 0.05
_jitter = random.Random()  # timing only (backoff between conflicting writers), never content: no seed
_COUNTER_SWEEP_SECONDS = 60  # ended rate-limit windows
_OBJECT_SWEEP_SECONDS = 3600  # objects past their TTL (a scan of the table: hourly, reads hide them meanwhile)
_LIST_BATCH = 100  # rows read per query while a `where` filter skips some

# Objects are rows of a rowid table with a unique key: an object is ~1–10 KB of JSON, and in a WITHOUT ROWID
# table (the layout of files written before schema version 1) a row over ~1 KB spills to overflow pages, so an
# insert wrote three pages where it now writes one (a 3 KB journal entry's create: p99 0.18–0.21 -> 0.10 ms,
# bench/README.md). Counters are small rows: the key is the table.
SCHEMA_VERSION = 1
_OBJECTS = """CREATE TABLE IF NOT EXISTS objects (
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires_at REAL
)"""
_OBJECTS_KEY = "CREATE UNIQUE INDEX IF NOT EXISTS objects_key ON objects (tenant, collection, id)"
_COUNTERS = """CREATE TABLE IF NOT EXISTS counters (
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    counts TEXT NOT NULL,
    expires_at REAL,
    PRIMARY KEY (tenant, collection, key)
) WITHOUT ROWID"""
_COLUMNS = "tenant, collection, id, body, version, expires_at"

_LIVE = "(expires_at IS NULL OR expires_at > ?)"
_GET = f"SELECT body FROM objects WHERE tenant = ? AND collection = ? AND id = ? AND {_LIVE}"
_GET_VERSIONED = f"SELECT body, version FROM objects WHERE tenant = ? AND collection = ? AND id = ? AND {_LIVE}"
# A live object keeps its id; an expired leftover is replaced (its version goes on, so a stale writer fails).
_CREATE = (
    "INSERT INTO objects (tenant, collection, id, body, version, expires_at) VALUES (?, ?, ?, ?, 1, ?) "
    "ON CONFLICT (tenant, collection, id) DO UPDATE SET body = excluded.body, version = objects.version + 1, "
    "expires_at = excluded.expires_at WHERE objects.expires_at IS NOT NULL AND objects.expires_at <= ?"
)
_UPDATE = (
    "UPDATE objects SET body = ?, version = version + 1 WHERE tenant = ? AND collection = ? AND id = ? AND version = ?"
)
_DELETE = "DELETE FROM objects WHERE tenant = ? AND collection = ? AND id = ? RETURNING body, expires_at"
# The objects older than the newest live ones (?4 = how many are kept, less one): ids are creation-ordered.
_KEEP_NEWEST = (
    "DELETE FROM objects WHERE tenant = ?1 AND collection = ?2 AND (expires_at IS NULL OR expires_at > ?3) AND id < "
    "(SELECT id FROM objects WHERE tenant = ?1 AND collection = ?2 AND (expires_at IS NULL OR expires_at > ?3) "
    "ORDER BY id DESC LIMIT 1 OFFSET ?4)"
)
_GET_COUNTER = "SELECT counts, expires_at FROM counters WHERE tenant = ? AND collection = ? AND key = ?"
# A counter's write: a new row unless another process made one first; a row changed only if it is still the one read.
_ADD_COUNTER = (
    "INSERT INTO counters (tenant, collection, key, counts, expires_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (tenant, collection, key) DO NOTHING"
)
_COUNTERS_AFTER = (
    "SELECT key, counts FROM counters WHERE tenant = ? AND collection = ? AND (expires_at IS NULL OR expires_at > ?) "
    "AND key > ?"
)
_SWAP_COUNTER = (
    "UPDATE counters SET counts = ?, expires_at = ? "
    "WHERE tenant = ? AND collection = ? AND key = ? AND counts = ? AND expires_at IS ?"
)


_KEYS_PER_READ = 100  # SQLite takes at most 500 terms in a compound SELECT


@functools.cache
def _get_many_query(count: int) -> str:
    """Point reads of `count` keys in one statement, each through the key's index (?1 the tenant, ?2 the time, then
    each key's collection and id); a row-value `IN` would scan the tenant's objects instead."""
    return " UNION ALL ".join(
        f"SELECT {position}, body FROM objects WHERE tenant = ?1 AND collection = ?{3 + 2 * position} "
        f"AND id = ?{4 + 2 * position} AND (expires_at IS NULL OR expires_at > ?2)"
        for position in range(count)
    )


def storage_busy() -> OpenAIError:
    """Another process held the database longer than the busy timeout: OpenAI's overloaded answer."""
    return OpenAIError(
        503,
        "The server is temporarily unable to reach its storage backend. Please retry your request after a brief wait.",
        type="server_error",
        code="service_unavailable",
        headers={"retry-after": "1"},
    )


def prepare(path: str | Path) -> None:
    """Create the database file, its tables and WAL mode (once, before the workers start: they then only open it)."""
    SQLiteStore(path)._connection()


def _set_up(conn: sqlite3.Connection) -> None:
    """Create the tables of a new file, or bring a file of an earlier schema to this one, in one transaction (the
    processes opening the file at once wait for it: the first upgrades, the others find it done)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            layout = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'objects'").fetchone()
            earlier = layout is not None and "WITHOUT ROWID" in layout[0].upper()
            if earlier:
                conn.execute("ALTER TABLE objects RENAME TO objects_before_rowid")
            conn.execute(_OBJECTS)
            conn.execute(_OBJECTS_KEY)
            if earlier:
                conn.execute(f"INSERT INTO objects ({_COLUMNS}) SELECT {_COLUMNS} FROM objects_before_rowid")
                conn.execute("DROP TABLE objects_before_rowid")
            conn.execute(_COUNTERS)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _back_off(attempt: int) -> None:
    """Before an optimistic write's next attempt: the first retry at once (the rival's write is already committed),
    then jittered waits growing to 50 ms."""
    if attempt > 1:
        time.sleep(_jitter.uniform(0, min(_BACKOFF_CAP_SECONDS, 0.001 * 2 ** min(attempt, 6))))


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]


def _busy(error: BaseException) -> None:
    """Another process held the database past the busy timeout: raise OpenAI's 503 from it."""
    if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error)):
        raise storage_busy() from error


class _Connection:
    """The connection, its statements retried while another process holds the write lock.

    SQLite's own busy handler sleeps at least a millisecond at the first conflict (then 2, 5, 10… ms), and the
    statement holds the event loop all that time: with two workers writing on every request, those sleeps made
    two workers barely faster than one. A write holds the lock for tens of microseconds, so the first 100 µs here
    are spent yielding the core and retrying; then the wait sleeps from 20 µs, doubling up to a millisecond, until
    the busy timeout. A statement that met the lock did nothing, so it is run again as it was: an autocommit write,
    `BEGIN IMMEDIATE`, a read (WAL readers are refused only while the log is being reset)."""

    __slots__ = ("_checkpointed_at", "_conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._checkpointed_at = 0  # the connection's `total_changes` at its last checkpoint

    def checkpoint_when_due(self) -> None:
        """After _CHECKPOINT_ROWS rows written since the last one: copy the log into the database (PASSIVE: what no
        reader still needs, no lock taken), then restart a log grown past _RESTART_FRAMES (RESTART: holds the write
        lock to copy the rest; if another process writes or reads the log, it does what it can and says busy).
        A checkpoint that fails fails no request, as SQLite's own does not: the writes are committed, and the next
        checkpoint copies them."""
        conn = self._conn
        if conn.total_changes - self._checkpointed_at < _CHECKPOINT_ROWS or conn.in_transaction:
            return
        self._checkpointed_at = conn.total_changes
        try:
            frames = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
            if frames > _RESTART_FRAMES:
                conn.execute("PRAGMA wal_checkpoint(RESTART)")
        except sqlite3.OperationalError:
            pass

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, parameters)
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
        started = time.monotonic()
        deadline, spun = started + BUSY_TIMEOUT_SECONDS, started + _SPIN_SECONDS
        wait = _FIRST_WAIT_SECONDS
        while True:
            if _yield_core is not None and time.monotonic() < spun:
                _yield_core()
            else:
                time.sleep(_jitter.uniform(wait / 2, wait))
                wait = min(wait * 2, _LONGEST_WAIT_SECONDS)
            try:
                return self._conn.execute(sql, parameters)
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() >= deadline:
                    raise


class _Database:
    """The store's connection under its lock, as a context manager; a database still locked after the busy timeout
    is OpenAI's 503."""

    __slots__ = ("_lock", "_store")

    def __init__(self, store: SQLiteStore) -> None:
        self._store, self._lock = store, store._lock

    def __enter__(self) -> _Connection:
        self._lock.acquire()
        try:
            return self._store._connection()
        except BaseException as error:
            self._lock.release()
            _busy(error)
            raise

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        try:
            if error is None and self._store._conn is not None:
                self._store._conn.checkpoint_when_due()
        finally:
            self._lock.release()
        if error is not None:
            _busy(error)


class SQLiteStore:
    def __init__(self, path: str | Path, ttl_seconds: int = 0) -> None:
        self._path = str(path)
        self._ttl = ttl_seconds
        self._lock = threading.RLock()
        self._conn: _Connection | None = None
        self._pid = 0
        self._next_counter_sweep = 0.0
        self._next_object_sweep = 0.0
        self._database = _Database(self)

    # ----------------------------------------------------------------------------------------- connection

    def _connection(self) -> _Connection:
        if self._conn is None or self._pid != os.getpid():  # never use a connection inherited through fork
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -32000")  # KiB: the hot pages of a 100k-object tenant stay cached
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # the process checkpoints itself (_CHECKPOINT_ROWS)
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                _set_up(conn)
            conn.execute("PRAGMA busy_timeout = 0")  # from now on, _Connection waits for the lock
            self._conn, self._pid = _Connection(conn), os.getpid()
        return self._conn

    def _db(self) -> _Database:
        """`with self._db() as conn`: the connection, under the lock (a class, not a generator-based context manager:
        a request takes it about ten times)."""
        return self._database

    @contextmanager
    def _transaction(self) -> Iterator[_Connection]:
        """A write transaction taken at once (BEGIN IMMEDIATE): what it reads no other process changes."""
        with self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _expiry(self) -> float | None:
        return clock.process_now() + self._ttl if self._ttl else None

    def _sweep(self, now: float) -> None:
        """Drop ended counters about once a minute and expired objects about once an hour (reads hide them)."""
        if now >= self._next_counter_sweep:
            self._next_counter_sweep = now + _COUNTER_SWEEP_SECONDS
            with self._db() as conn:
                conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        if now >= self._next_object_sweep:
            self._next_object_sweep = now + _OBJECT_SWEEP_SECONDS
            with self._db() as conn:
                conn.execute("DELETE FROM objects WHERE expires_at <= ?", (now,))

    # ----------------------------------------------------------------------------------------- objects

    def create(self, tenant: str, collection: str, obj: Object) -> Object:
        body = codec.encode(obj)
        now = clock.process_now()
        with self._db() as conn:
            written = conn.execute(
                _CREATE, (tenant, collection, obj["id"], codec.text(body), self._expiry(), now)
            ).rowcount
        if not written:
            raise ConflictError(obj["id"])
        return codec.decode(body)

    def create_many(self, tenant: str, collection: str, objects: Sequence[Object]) -> None:
        """One transaction (one commit), rolled back at a taken id."""
        rows = [(tenant, collection, obj["id"], codec.text(codec.encode(obj))) for obj in objects]
        expires_at, now = self._expiry(), clock.process_now()
        with self._transaction() as conn:
            for row in rows:
                if not conn.execute(_CREATE, (*row, expires_at, now)).rowcount:
                    raise ConflictError(row[2])

    def get(self, tenant: str, collection: str, object_id: str) -> Object | None:
        with self._db() as conn:
            row = conn.execute(_GET, (tenant, collection, object_id, clock.process_now())).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(
        self,
        tenant: str,
        keys: Sequence[tuple[str, str]],
        *,
        also: Sequence[tuple[str, str]] = (),  # noqa: ARG002 (a read here is in-process: nothing to read ahead)
    ) -> list[Object | None]:
        found: list[Object | None] = [None] * len(keys)
        now = clock.process_now()
        for start in range(0, len(keys), _KEYS_PER_READ):
            chunk = keys[start : start + _KEYS_PER_READ]
            with self._db() as conn:
                rows = conn.execute(
                    _get_many_query(len(chunk)), [tenant, now, *(part for key in chunk for part in key)]
                ).fetchall()
            for position, body in rows:
                found[start + position] = json.loads(body)
        return found

    def update(self, tenant: str, collection: str, object_id: str, change: Change) -> Object | None:
        for attempt in range(_UPDATE_ATTEMPTS):
            _back_off(attempt)
            with self._db() as conn:
                row = conn.execute(_GET_VERSIONED, (tenant, collection, object_id, clock.process_now())).fetchone()
            if row is None:
                return None
            updated = change(json.loads(row[0]))  # outside the lock: a change may read the store itself
            body = codec.encode(updated)
            with self._db() as conn:
                written = conn.execute(_UPDATE, (codec.text(body), tenant, collection, object_id, row[1])).rowcount
            if written:
                return codec.decode(body)
        raise ConflictError(object_id)

    def delete(self, tenant: str, collection: str, object_id: str) -> Object | None:
        with self._db() as conn:
            row = conn.execute(_DELETE, (tenant, collection, object_id)).fetchone()
        if row is None or (row[1] is not None and row[1] <= clock.process_now()):
            return None
        return json.loads(row[0])

    def list(
        self,
        tenant: str,
        collection: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        where: Predicate | None = None,
    ) -> Page:
        ascending = order == "asc"
        cursor = after
        if before is not None:
            ascending, cursor = not ascending, before  # walk away from the cursor, reverse at the end
        comparison, direction = (">", "ASC") if ascending else ("<", "DESC")
        # One more row than asked tells `has_more` in the same query when nothing is filtered out.
        batch = limit + 1 if where is None else max(limit + 1, _LIST_BATCH)
        now = clock.process_now()
        found: list[Object] = []
        has_more = False
        while True:
            query = f"SELECT id, body FROM objects WHERE tenant = ? AND collection = ? AND {_LIVE}"
            arguments: tuple[Any, ...] = (tenant, collection, now)
            if cursor is not None:
                query += f" AND id {comparison} ?"
                arguments += (cursor,)
            with self._db() as conn:
                rows = conn.execute(f"{query} ORDER BY id {direction} LIMIT ?", (*arguments, batch)).fetchall()
            for object_id, body in rows:
                cursor = object_id
                obj = json.loads(body)
                if where is not None and not where(obj):
                    continue
                if len(found) == limit:
                    has_more = True
                    break
                found.append(obj)
            if has_more or len(rows) < batch:
                break
        if before is not None:
            found.reverse()
        return Page(found, has_more)

    def keep_newest(self, tenant: str, collection: str, count: int) -> int:
        """Remove the live objects of a collection older than its `count` newest live ones, in one statement (a
        trimmed journal: no object read). Returns how many."""
        now = clock.process_now()
        with self._db() as conn:
            if count <= 0:
                return conn.execute(
                    f"DELETE FROM objects WHERE tenant = ? AND collection = ? AND {_LIVE}", (tenant, collection, now)
                ).rowcount
            return conn.execute(_KEEP_NEWEST, (tenant, collection, now, count - 1)).rowcount

    def delete_collection(self, tenant: str, collection: str) -> int:
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM objects WHERE tenant = ? AND collection = ?", (tenant, collection))
            counted = conn.execute("DELETE FROM counters WHERE tenant = ? AND collection = ?", (tenant, collection))
            return removed.rowcount + counted.rowcount

    def delete_tenant(self, tenant: str) -> int:
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM objects WHERE tenant = ?", (tenant,)).rowcount
            return removed + conn.execute("DELETE FROM counters WHERE tenant = ?", (tenant,)).rowcount

    # ----------------------------------------------------------------------------------------- counters

    def increment(
        self,
        tenant: str,
        collection: str,
        key: str,
        amounts: Mapping[str, int],
        *,
        limits: Mapping[str, int] | None = None,
        expires_in: float | None = None,
    ) -> Counted:
        """Read, check against the limits, and write only if the row is still the one read (else read again): the
        lock is held for the one writing statement, not across a transaction (two workers increment the same
        rate-limit window on every request)."""
        now = clock.process_now()
        self._sweep(now)
        for attempt in range(_UPDATE_ATTEMPTS):
            _back_off(attempt)
            with self._db() as conn:
                row = conn.execute(_GET_COUNTER, (tenant, collection, key)).fetchone()
            current: dict[str, int]
            expires_at: float | None
            if row is None or (row[1] is not None and row[1] <= now):
                current, expires_at = {}, (now + expires_in if expires_in else None)
            else:
                current, expires_at = json.loads(row[0]), row[1]
            values = {name: current.get(name, 0) for name in {*current, *amounts}}
            if any(values.get(name, 0) + amounts.get(name, 0) > limit for name, limit in (limits or {}).items()):
                return Counted(False, values)
            for name, amount in amounts.items():
                values[name] += amount
            counts = json.dumps(values)
            with self._db() as conn:
                if row is None:
                    cursor = conn.execute(_ADD_COUNTER, (tenant, collection, key, counts, expires_at))
                else:
                    cursor = conn.execute(_SWAP_COUNTER, (counts, expires_at, tenant, collection, key, *row))
                written = cursor.rowcount
            if written:
                return Counted(True, values)
        raise storage_busy()

    def counters(self, tenant: str, collection: str, *, after: str = "", before: str | None = None) -> CounterItems:
        query, parameters = _COUNTERS_AFTER, [tenant, collection, clock.process_now(), after]
        if before is not None:
            query, parameters = query + " AND key < ?", [*parameters, before]
        with self._db() as conn:
            rows = conn.execute(query + " ORDER BY key", parameters).fetchall()
        return [(key, json.loads(counts)) for key, counts in rows]
