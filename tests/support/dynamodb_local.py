"""Run the official DynamoDB Local jar (installed by `tools/dynamodb_local.sh`) as a subprocess for tests.

Typical fixture::

    @pytest.fixture(scope="session")
    def dynamodb_local() -> Iterator[DynamoDBLocal]:
        if reason := dynamodb_local_unavailable_reason():
            pytest.skip(reason)
        with DynamoDBLocal() as ddb:
            yield ddb
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.configprovider import ConstantProvider
from botocore.exceptions import BotoCoreError

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DIR = REPO_ROOT / ".cache/dynamodb-local/node_modules/amplify-dynamodb-simulator/emulator"
JAR = EMULATOR_DIR / "DynamoDBLocal.jar"
NATIVE_LIB_DIR = EMULATOR_DIR / "DynamoDBLocal_lib"  # sqlite4java .so/.dylib/.dll files

REGION = "us-east-1"
# Dummy credentials keep boto3 away from the real credential chain. DynamoDB Local (>= 1.23) rejects
# access key ids that are not purely [A-Za-z0-9] with UnrecognizedClientException, so no dashes here.
DUMMY_ACCESS_KEY_ID = "dynamodblocal"
DUMMY_SECRET_ACCESS_KEY = "dynamodblocal"

START_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05
BIND_ATTEMPTS = 3  # the free port can be taken by someone else before java binds it


class _PortTaken(Exception):
    pass


def dynamodb_local_unavailable_reason() -> str | None:
    """Why DynamoDB Local cannot run here (for `pytest.skip`), or None if it can."""
    if shutil.which("java") is None:
        return "DynamoDB Local needs a Java 11+ runtime, but `java` is not on PATH"
    if not JAR.is_file():
        return f"DynamoDB Local is not installed ({JAR} missing); run `bash tools/dynamodb_local.sh`"
    return None


def isolated_boto3_session() -> boto3.session.Session:
    """A boto3 session with dummy credentials that ignores the user's AWS profile and config files.

    Explicit keys alone are not enough: AWS_PROFILE naming a missing profile still raises ProfileNotFound,
    and ~/.aws/config settings (retries, ...) would still apply.
    """
    core = botocore.session.Session()
    store = core.get_component("config_store")
    for name, value in {"profile": None, "config_file": os.devnull, "credentials_file": os.devnull}.items():
        store.set_config_provider(name, ConstantProvider(value))
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        region_name=REGION,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _terminate(proc: subprocess.Popen[bytes], workdir: tempfile.TemporaryDirectory[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    workdir.cleanup()


def mock_environment(endpoint_url: str, table: str) -> dict[str, str]:
    """The environment that puts openai-mock's store on a table of a DynamoDB Local (a benchmark's processes)."""
    return {
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "OPENAI_MOCK_STORE": "dynamodb",
        "OPENAI_MOCK_TABLE_NAME": table,
        "OPENAI_MOCK_DYNAMODB_ENDPOINT": endpoint_url,
    }


class DynamoDBLocal:
    """One in-memory DynamoDB Local process on a free port."""

    def __init__(self) -> None:
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None  # type: ignore[type-arg]

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("DynamoDB Local is not started")
        return f"http://127.0.0.1:{self.port}"

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `boto3.client("dynamodb", **kwargs)` / `boto3.resource(...)`.

        Plain boto3 still reads AWS_PROFILE and ~/.aws/config; use `client()` or `isolated_boto3_session()`
        where that matters.
        """
        return {
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
            "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        }

    def client(self, config: Config | None = None) -> Any:
        """A low-level DynamoDB client bound to this instance."""
        return isolated_boto3_session().client("dynamodb", endpoint_url=self.endpoint_url, config=config)

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError("DynamoDB Local is already started")
        if reason := dynamodb_local_unavailable_reason():
            raise RuntimeError(reason)
        started = time.monotonic()
        for attempt in range(1, BIND_ATTEMPTS + 1):
            log_path = self._launch(_free_port())
            try:
                self._wait_until_ready(log_path)
            except _PortTaken:
                self.stop()
                if attempt == BIND_ATTEMPTS:
                    raise RuntimeError(f"DynamoDB Local could not bind a free port in {attempt} attempts") from None
                continue
            except BaseException:
                self.stop()
                raise
            self.startup_seconds = time.monotonic() - started
            return

    def _launch(self, port: int) -> Path:
        self.port = port
        # Own cwd: the jar writes dynamodb-local-metadata.json into its working directory.
        workdir = tempfile.TemporaryDirectory(prefix="dynamodb-local-")
        log_path = Path(workdir.name) / "dynamodb-local.log"
        command = [
            "java",
            # Short-lived test server: C1-only JIT and serial GC halve start-up (~2.9 s -> ~1.3 s) and were
            # not slower on a 1,800-request workload; no hsperfdata files in /tmp either.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            # Without it sqlite4java extracts a copy of its native library into /tmp on every start.
            f"-Djava.library.path={NATIVE_LIB_DIR}",
            "-jar",
            str(JAR),
            "-inMemory",  # no .db files; every start is a clean database
            "-sharedDb",  # one database for all credentials/regions, so app code and tests see the same tables
            "-disableTelemetry",  # offline-friendly, no phoning home
            "-port",
            str(port),
        ]
        with log_path.open("wb") as log:  # a file, not a pipe: an unread pipe can fill up and block java
            self._proc = subprocess.Popen(
                command, cwd=workdir.name, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        # Kill java even if stop() is never called (e.g. the test session is interrupted).
        self._finalizer = weakref.finalize(self, _terminate, self._proc, workdir)
        return log_path

    def _wait_until_ready(self, log_path: Path) -> None:
        assert self._proc is not None
        # One quick attempt per poll; boto3's own retries would hide the deadline.
        probe = self.client(Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}))
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            # A failed start does not always end the JVM (Jetty threads keep it alive), so read the log too.
            log_text = log_path.read_text(errors="replace")
            if "Failed to bind" in log_text:
                raise _PortTaken
            if self._proc.poll() is not None or 'Exception in thread "main"' in log_text:
                raise RuntimeError(f"DynamoDB Local failed to start:\n{log_text[-2000:]}")
            try:
                probe.list_tables(Limit=1)
                return
            except BotoCoreError:  # not listening yet; a ClientError means it is up but unhappy, so raise
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"DynamoDB Local did not answer on {self.endpoint_url} within {START_TIMEOUT_S:.0f} s"
                    ) from None
            time.sleep(POLL_INTERVAL_S)

    def stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # runs _terminate at most once
        self._proc = None
        self._finalizer = None
        self.port = None

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
