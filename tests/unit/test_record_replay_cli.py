"""`openai-mock serve --proxy URL --record DIR` and `serve --replay DIR --strict` for real: subprocesses on free
ports, the upstream a mock on a real socket in this process, answered through the official SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.support.live_server import live_server, served_process

REPO = Path(__file__).resolve().parents[2]
KEY = "sk-proj-clirecording0123456789"
ASK: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Name three colours."}]


@contextmanager
def serving(*options: str) -> Iterator[str]:
    with served_process(*options) as (url, _):
        yield f"{url}/v1"


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
