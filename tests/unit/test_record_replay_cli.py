"""`openai-mock serve --proxy URL --record DIR` and `serve --replay DIR --strict` for real: subprocesses on free
ports, the upstream a mock on a real socket in this process, answered through the official SDK."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.support.live_server import live_server

REPO = Path(__file__).resolve().parents[2]
KEY = "sk-proj-clirecording0123456789"
ASK: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Name three colours."}]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(*options: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_mock.local.cli", "serve", "--port", str(port), *options],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/__mock/fixtures", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"openai-mock serve did not answer on port {port}: {process.stdout.read()}")
                time.sleep(0.05)  # waiting for a process to bind, not for state
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_record_against_a_live_upstream_then_replay_strictly(tmp_path: Path) -> None:
    folder = tmp_path / "cassette"
    with live_server() as upstream, serving("--proxy", upstream, "--record", str(folder)) as proxy:
        client = openai.OpenAI(base_url=proxy, api_key=KEY, max_retries=0)
        recorded = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
        streamed = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK, stream=True)
        stream_text = streamed.http_response.read().decode()
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["0001-post-v1_chat_completions.json", "0002-post-v1_chat_completions.json"]
    assert all(KEY not in (folder / name).read_text() for name in names)
    events = json.loads((folder / names[1]).read_text())["fixtures"][0]["exchange"]["response"]["events"]
    assert events[-1] == {"data": "[DONE]", "delay_ms": events[-1]["delay_ms"]}

    with serving("--replay", str(folder), "--strict", "--replay-speed", "0") as replay:
        client = openai.OpenAI(base_url=replay, api_key=KEY, max_retries=0)
        again = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
        assert again.http_response.content == recorded.http_response.content
        streamed_again = client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=ASK, stream=True
        )
        assert streamed_again.http_response.read().decode() == stream_text
        with pytest.raises(openai.NotFoundError) as raised:
            client.models.list()
        assert raised.value.code == "unrecorded_request"


def test_bad_recording_options_are_one_line_errors(tmp_path: Path) -> None:
    for options, message in (
        (["--record", str(tmp_path)], "--record saves what --proxy forwards"),
        (["--replay", str(tmp_path / "missing")], "no such folder"),
        (["--replay", str(tmp_path), "--workers", "2", "--store", "sqlite"], "leave out --workers"),
        (["--proxy", "api.openai.com"], "expected an http:// or https:// URL"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "openai_mock.local.cli", "serve", *options],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
