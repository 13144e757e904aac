"""OpenAI's Codex CLI (`@openai/codex` on npm, tests/codex) pointed at the mock's Responses API on a real socket:
`codex exec` runs one turn offline and the mock's journal shows what Codex sent and what it was answered.

Codex is one of the most demanding Responses clients: every turn is a stream with `store: false`,
`include: ["reasoning.encrypted_content"]`, a `prompt_cache_key`, `client_metadata`, a dozen tools (its shell is the
function `exec_command`, apply_patch a grammar custom tool, sub-agents a `namespace`, `tool_search`, `web_search`)
and the whole history sent again after a tool ran. Its config is written to a temporary CODEX_HOME: a provider
whose `base_url` is the mock, its key from an environment variable; no login, update check, analytics or feedback,
and a dead proxy for anything but loopback.

Never skipped: without node or tests/codex/node_modules the tests fail and say to run `make codex-cli` (the only
place npm runs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import live_server_fixture

CODEX_DIR = Path(__file__).resolve().parents[1] / "codex"
CODEX_JS = CODEX_DIR / "node_modules" / "@openai" / "codex" / "bin" / "codex.js"
PINNED = json.loads((CODEX_DIR / "package.json").read_text())["dependencies"]["@openai/codex"]
MODEL = "gpt-5.5"  # in Codex's own catalogue (no "model metadata not found" warning) and in the mock's
KEY_VARIABLE = "OPENAI_MOCK_CODEX_KEY"
TURN_SECONDS = 120
NOTES = "Owls hunt at night.\n"  # the file the shell reads in the throwaway working directory

base_url = live_server_fixture()


def _codex() -> list[str]:
    """The command that starts the pinned CLI: node and its launcher, which runs the platform's native binary."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("The Codex CLI tests need Node.js on PATH, then `make codex-cli`.", pytrace=False)
    manifest = CODEX_JS.parents[1] / "package.json"
    if not manifest.is_file():
        pytest.fail(f"@openai/codex is not installed in {CODEX_DIR}: run `make codex-cli`.", pytrace=False)
    version = json.loads(manifest.read_text())["version"]
    if version != PINNED:
        pytest.fail(
            f"tests/codex has @openai/codex {version}, package.json pins {PINNED}: run `make codex-cli`.", pytrace=False
        )
    return [node, str(CODEX_JS)]


def _config(base_url: str) -> str:
    return f"""model = "{MODEL}"
model_provider = "openai-mock"
check_for_update_on_startup = false

[model_providers.openai-mock]
name = "openai-mock"
base_url = "{base_url}"
env_key = "{KEY_VARIABLE}"
wire_api = "responses"

[analytics]
enabled = false

[feedback]
enabled = false
"""


@dataclass
class Turn:
    """One `codex exec` run: its exit code and output, and the journal of its Responses requests (oldest first)."""

    returncode: int
    stdout: str
    stderr: str
    exchanges: list[dict[str, Any]]

    def completed(self, index: int) -> dict[str, Any]:
        """The response of the index-th request, from its stream's `response.completed` event."""
        events = self.exchanges[index]["response"]["events"]
        return next(event["data"]["response"] for event in events if event["event"] == "response.completed")

    def output_text(self, index: int) -> str:
        return "".join(
            part["text"]
            for item in self.completed(index)["output"]
            if item["type"] == "message"
            for part in item["content"]
            if part["type"] == "output_text"
        )

    def __repr__(self) -> str:  # pytest prints it in every failed assertion: the journal is too long for that
        return f"Turn(exit {self.returncode}, {len(self.exchanges)} Responses requests)"

    def explain(self) -> str:
        answers = [(exchange["status"], exchange["response"].get("body")) for exchange in self.exchanges]
        return f"codex exited {self.returncode}\nstderr: {self.stderr[-3000:]}\nthe mock answered: {answers}"


def _run(base_url: str, tmp_path: Path, key: str, prompt: str, *options: str, fixture: Any = None) -> Turn:
    """`codex exec` of `prompt` in a throwaway directory holding notes.txt, as the tenant of `key`."""
    command = _codex()
    home, work = tmp_path / "codex-home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    (home / "config.toml").write_text(_config(base_url))
    (work / "notes.txt").write_text(NOTES)
    controls = httpx.Client(
        base_url=base_url.removesuffix("/v1") + "/__mock", headers={"Authorization": f"Bearer {key}"}
    )
    with controls:
        if fixture is not None:
            controls.post("/fixtures", json=fixture).raise_for_status()
        run = _exec(command, work, home, key, prompt, options)
        journal = controls.get("/requests", params={"path": "/v1/responses", "order": "asc"}).json()
    return Turn(run.returncode, run.stdout, run.stderr, journal["data"])


def _exec(
    command: list[str], work: Path, home: Path, key: str, prompt: str, options: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    """`codex exec` with only this run's environment: the prompt on stdin, the throwaway directory as workspace."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home.parent),  # no profile of the developer's own in Codex's login shell
        "CODEX_HOME": str(home),
        KEY_VARIABLE: key,
        # Nothing leaves the machine: whatever is not loopback goes to a proxy that refuses it.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return subprocess.run(
        [*command, "exec", "--skip-git-repo-check", "--ephemeral", "--color", "never", "-C", str(work), *options],
        input=prompt,
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=TURN_SECONDS,
    )


@pytest.fixture(scope="module")
def question(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Turn:
    return _run(
        base_url, tmp_path_factory.mktemp("question"), "sk-codex-question", "Say hello to the team in one sentence."
    )


@pytest.fixture(scope="module")
def shell_turn(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Turn:
    """The mock decides from the prompt to call Codex's shell function; Codex runs it read-only and asks again."""
    prompt = "Run the command `cat notes.txt` in the shell."
    return _run(base_url, tmp_path_factory.mktemp("shell"), "sk-codex-shell", prompt, "--sandbox", "read-only")


@pytest.fixture(scope="module")
def scripted_turn(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Turn:
    """A fixture scripts the shell call (as a developer testing an agent would); `--json` prints Codex's events."""
    fixture = {
        "match": {"endpoint": "responses", "tool": "exec_command", "tool_result": False},
        "response": {"tool_calls": [{"name": "exec_command", "arguments": {"cmd": "cat notes.txt"}}]},
    }
    prompt = "What do the notes say?"
    return _run(
        base_url,
        tmp_path_factory.mktemp("scripted"),
        "sk-codex-scripted",
        prompt,
        "--sandbox",
        "read-only",
        "--json",
        fixture=fixture,
    )


@pytest.fixture(scope="module")
def patch_turn(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Turn, Path]:
    """The mock answers a request to create a file with a call of Codex's `apply_patch` (a custom tool whose input a
    Lark grammar constrains); Codex applies the patch in its writable workspace (`codex exec` never asks for
    approval) and asks again with the tool's output. The turn and the workspace."""
    where = tmp_path_factory.mktemp("patch")
    prompt = "Use apply_patch to create a file hello.txt containing the line Hello, world."
    return _run(base_url, where, "sk-codex-patch", prompt, "--sandbox", "workspace-write"), where / "work"


def _tool_output(request: dict[str, Any], call_id: str) -> str:
    outputs = [item for item in request["input"] if item["type"] == "function_call_output"]
    assert [item["call_id"] for item in outputs] == [call_id]
    output: str = outputs[0]["output"]
    return output


def test_codex_exec_prints_the_answer_the_mock_streamed(question: Turn) -> None:
    assert question.returncode == 0, question.explain()
    assert len(question.exchanges) == 1
    request = question.exchanges[0]["body"]
    # What makes Codex a demanding client: a stateless streamed turn that asks for its reasoning back encrypted.
    assert request["stream"] is True
    assert request["store"] is False
    assert request["include"] == ["reasoning.encrypted_content"]
    assert request["prompt_cache_key"]
    assert request["model"] == MODEL
    assert "exec_command" in {tool.get("name") for tool in request["tools"]}
    answer = question.output_text(0)
    assert answer
    assert question.stdout.strip() == answer.strip()  # exec prints the last message alone on stdout
    assert question.completed(0)["status"] == "completed"


def test_codex_runs_the_shell_command_the_mock_calls_and_sends_its_output_back(shell_turn: Turn) -> None:
    assert shell_turn.returncode == 0, shell_turn.explain()
    assert len(shell_turn.exchanges) == 2
    calls = [item for item in shell_turn.completed(0)["output"] if item["type"] == "function_call"]
    assert [call["name"] for call in calls] == ["exec_command"]
    assert json.loads(calls[0]["arguments"])["cmd"] == "cat notes.txt"  # the command the prompt quoted
    second = shell_turn.exchanges[1]["body"]
    output = _tool_output(second, calls[0]["call_id"])
    assert "Process exited with code 0" in output
    assert NOTES.strip() in output  # Codex ran it in the sandbox and sent what it printed
    assert shell_turn.stdout.strip() == shell_turn.output_text(1).strip()


def test_a_scripted_shell_call_runs_and_codex_reports_each_event(scripted_turn: Turn) -> None:
    assert scripted_turn.returncode == 0, scripted_turn.explain()
    assert len(scripted_turn.exchanges) == 2
    call = next(item for item in scripted_turn.completed(0)["output"] if item["type"] == "function_call")
    assert json.loads(call["arguments"]) == {"cmd": "cat notes.txt"}
    assert NOTES.strip() in _tool_output(scripted_turn.exchanges[1]["body"], call["call_id"])
    events = [json.loads(line) for line in scripted_turn.stdout.splitlines()]
    items = [event["item"] for event in events if event["type"] == "item.completed"]
    command = next(item for item in items if item["type"] == "command_execution")
    assert command["exit_code"] == 0
    assert command["aggregated_output"] == NOTES
    message = next(item for item in items if item["type"] == "agent_message")
    assert message["text"] == scripted_turn.output_text(1)
    usage = next(event["usage"] for event in events if event["type"] == "turn.completed")
    answered = [scripted_turn.completed(index)["usage"] for index in (0, 1)]
    assert usage["input_tokens"] == sum(each["input_tokens"] for each in answered)
    assert usage["output_tokens"] == sum(each["output_tokens"] for each in answered)


def test_reasoning_comes_back_encrypted_and_codex_returns_it(scripted_turn: Turn) -> None:
    """`store: false` + `include: ["reasoning.encrypted_content"]`: each reasoning item carries its encrypted content,
    and Codex sends the first turn's item back with it unchanged (the only way a stateless turn keeps it)."""
    assert scripted_turn.returncode == 0, scripted_turn.explain()
    reasoning = next(item for item in scripted_turn.completed(0)["output"] if item["type"] == "reasoning")
    assert reasoning.get("encrypted_content")
    sent_back = next(item for item in scripted_turn.exchanges[1]["body"]["input"] if item["type"] == "reasoning")
    assert sent_back["id"] == reasoning["id"]
    assert sent_back["encrypted_content"] == reasoning["encrypted_content"]


def test_codex_applies_the_patch_the_mock_writes_in_its_grammar(patch_turn: tuple[Turn, Path]) -> None:
    turn, work = patch_turn
    assert turn.returncode == 0, turn.explain()
    assert len(turn.exchanges) == 2
    tool = next(tool for tool in turn.exchanges[0]["body"]["tools"] if tool.get("name") == "apply_patch")
    assert (tool["type"], tool["format"]["type"], tool["format"]["syntax"]) == ("custom", "grammar", "lark")
    (call,) = [item for item in turn.completed(0)["output"] if item["type"] == "custom_tool_call"]
    assert call["name"] == "apply_patch"
    # The grammar lets the patch end with or without a newline: each run's request (a new session) draws its own.
    assert call["input"].removesuffix("\n") == "*** Begin Patch\n*** Add File: hello.txt\n+Hello, world\n*** End Patch"
    assert (work / "hello.txt").read_text() == "Hello, world\n"  # Codex's own parser took the patch and applied it
    outputs = [item for item in turn.exchanges[1]["body"]["input"] if item["type"] == "custom_tool_call_output"]
    assert [output["call_id"] for output in outputs] == [call["call_id"]]
    assert "A hello.txt" in outputs[0]["output"]
    assert turn.stdout.strip() == turn.output_text(1).strip()
