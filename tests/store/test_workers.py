"""`openai-mock serve --workers 2`: two processes behind one port share everything through the SQLite store.
Each check holds one keep-alive connection to each worker (which process owns a connection is read from /proc)
and creates on one, reads or counts on the other: objects, fixtures and their counts, quotas' windows."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90
ASK = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "What's the weather in Paris?"}]}

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="finds each worker's connection in /proc")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state: the parent's pid
                found.append(int(entry.name))
    return found


class Served:
    def __init__(self) -> None:
        self.port = _free_port()
        env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_MOCK_")}
        command = [sys.executable, "-m", "openai_mock", "serve", "--port", str(self.port), "--workers", "2"]
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.process.stdout is not None
        self.banner = self.process.stdout.readline()
        self.workers: list[int] = []

    def wait(self) -> None:
        """Until the server answers and both workers are known (each builds the app itself, then listens)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"openai-mock serve exited: {self.banner}{self.process.stdout.read()}")  # type: ignore[union-attr]
            # The workers: spawned processes (multiprocessing's resource tracker is a child too, and serves nothing).
            self.workers = [pid for pid in _children(self.process.pid) if b"spawn_main" in _cmdline(pid)]
            try:
                if len(self.workers) == 2:
                    call(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5), "GET", "/v1/models")
                    return
            except OSError:
                pass
            time.sleep(0.1)  # waiting for processes to start, not for state
        raise RuntimeError("the workers did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def connection_to(self, worker: int) -> http.client.HTTPConnection:
        """A keep-alive connection that `worker` serves (new connections go to whichever worker accepts first)."""
        deadline = time.monotonic() + START_TIMEOUT_S  # the other worker may still be building its app
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            call(connection, "GET", "/v1/models")  # accepted and answered: its socket is the worker's now
            if _owner(connection, self.port, self.workers) == worker:
                return connection
            connection.close()
        raise RuntimeError(f"no connection reached worker {worker}")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:["):
                found.add(target[8:-1])
    except OSError:
        pass
    return found


def _owner(connection: http.client.HTTPConnection, server_port: int, workers: list[int]) -> int | None:
    """The worker holding the server's end of this connection (/proc/net/tcp: local = server, remote = us)."""
    client_port = connection.sock.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if (local_port, remote_port) == (server_port, client_port):
            inode = fields[9]
    return next((pid for pid in workers if inode in _socket_inodes(pid)), None)


def call(
    connection: http.client.HTTPConnection, method: str, path: str, body: Any = None, key: str = "sk-workers"
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read())


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pair(served: Served) -> tuple[http.client.HTTPConnection, http.client.HTTPConnection]:
    return served.connection_to(served.workers[0]), served.connection_to(served.workers[1])


def test_without_a_store_the_workers_share_a_fresh_sqlite_database(served: Served) -> None:
    match = re.search(r"2 workers sharing the sqlite:(\S+) store", served.banner)
    assert match, served.banner
    assert Path(match.group(1)).is_file()


def test_an_object_created_on_one_worker_is_read_listed_and_deleted_on_the_other(
    pair: tuple[http.client.HTTPConnection, http.client.HTTPConnection],
) -> None:
    a, b = pair
    status, created = call(a, "POST", "/v1/conversations", {"metadata": {"topic": "workers"}})
    assert status == 200
    assert call(b, "GET", f"/v1/conversations/{created['id']}") == (200, created)
    assert call(b, "DELETE", f"/v1/conversations/{created['id']}")[0] == 200
    assert call(a, "GET", f"/v1/conversations/{created['id']}")[0] == 404


def test_a_fixtures_times_are_counted_by_both_workers(
    pair: tuple[http.client.HTTPConnection, http.client.HTTPConnection],
) -> None:
    a, b = pair
    key = "sk-workers-fixtures"
    fixture = {"match": {"contains": "weather"}, "response": {"content": "Sunny."}, "times": 2}
    assert call(a, "POST", "/__mock/fixtures", fixture, key)[0] == 200
    answers = [call(worker, "POST", "/v1/chat/completions", ASK, key)[1] for worker in (b, a, b)]
    assert [answer["choices"][0]["message"]["content"] == "Sunny." for answer in answers] == [True, True, False]
    assert call(a, "GET", "/__mock/fixtures", None, key)[1]["data"][0]["matched"] == 3


def test_a_fixtures_sequence_position_is_shared_by_both_workers(
    pair: tuple[http.client.HTTPConnection, http.client.HTTPConnection],
) -> None:
    a, b = pair
    key = "sk-workers-sequence"
    fixture = {"responses": [{"content": "one"}, {"content": "two"}, {"content": "three"}], "sequence_end": "cycle"}
    assert call(b, "POST", "/__mock/fixtures", fixture, key)[0] == 200
    answers = [call(worker, "POST", "/v1/chat/completions", ASK, key)[1] for worker in (a, b, a, b)]
    assert [answer["choices"][0]["message"]["content"] for answer in answers] == ["one", "two", "three", "one"]
    assert call(a, "GET", "/__mock/fixtures", None, key)[1]["data"][0]["served"] == 4


def test_a_quota_is_one_window_for_both_workers(
    pair: tuple[http.client.HTTPConnection, http.client.HTTPConnection],
) -> None:
    a, b = pair
    key = "sk-workers-quota"
    # the tenant's clock to a minute's start: the five requests fall in one window of the quota
    assert call(a, "POST", "/__mock/clock", {"advance_seconds": 61 - int(time.time()) % 60}, key)[0] == 200
    assert call(b, "POST", "/__mock/quotas", {"requests_per_minute": 3}, key)[0] == 200
    statuses = [call(worker, "POST", "/v1/chat/completions", ASK, key)[0] for worker in (a, b, a, b)]
    assert statuses == [200, 200, 200, 429]
    status, refused = call(a, "POST", "/v1/chat/completions", ASK, key)
    assert status == 429
    assert "Limit 3, Used 3, Requested 1" in refused["error"]["message"]


def test_the_temporary_database_is_removed_when_the_server_stops() -> None:
    server = Served()
    try:
        server.wait()
    finally:
        server.stop()
    match = re.search(r"sqlite:(\S+) store", server.banner)
    assert match, server.banner
    assert not Path(match.group(1)).parent.exists()
