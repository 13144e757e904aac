"""Output items of the Responses tools whose calls the client runs and answers: `local_shell` (an `exec` action),
`shell` (the function shell tool: a list of commands) and `apply_patch` (create, update or delete a file with a
V4A diff). The model emits the call; the client runs it and sends a `*_call_output` item back; the next turn
answers reading that output (the chat machinery sees the pair as a tool exchange, see `chat_exchange`).

Pure builders of (tool, prompt, conversation, rng): the command is the prompt's back-quoted or fenced text, else a
plausible command for what is asked; the patched file is the path the prompt names."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from openai_mock.generation import text

KINDS = ("local_shell", "shell", "apply_patch")
CALLS = {"local_shell": "local_shell_call", "shell": "shell_call", "apply_patch": "apply_patch_call"}
OUTPUTS = ("local_shell_call_output", "shell_call_output", "apply_patch_call_output")

# What is asked → the command a model runs for it (first match wins); `ls` when nothing fits.
_COMMANDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("disk", "space", "storage"), "df -h"),
    (("memory", "ram"), "free -m"),
    (("process", "processes", "running"), "ps aux"),
    (("git", "branch", "commit", "commits"), "git status"),
    (("python",), "python3 --version"),
    (("node",), "node --version"),
    (("date", "time"), "date"),
    (("directory", "folder", "where", "pwd"), "pwd"),
    (("uptime", "load"), "uptime"),
    (("whoami", "user"), "whoami"),
    (("test", "tests"), "pytest -q"),
    (("list", "files", "contents", "show"), "ls -la"),
)
_SHELL_WORDS = frozenset(
    {"run", "execute", "command", "shell", "terminal", "bash", "ls", "list", "files", "directory", "folder", "disk"}
    | {"process", "processes", "install", "git", "uptime", "memory", "pwd", "cwd", "whoami", "version", "pytest"}
)
_EDIT_WORDS = frozenset(
    {"create", "add", "write", "update", "edit", "change", "fix", "modify", "delete", "remove", "patch", "append"}
    | {"rename", "insert", "make", "new", "replace"}
)
_DELETE_WORDS = frozenset({"delete", "remove", "rm"})
_UPDATE_WORDS = frozenset({"update", "edit", "change", "fix", "modify", "append", "insert", "replace", "patch"})
_PATH = re.compile(r"(?<![\w/.@:-])((?:[\w.-]+/)*[\w-]+\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w/])")
_QUOTED = (re.compile(r"```(?:[\w-]+\n)?(.*?)```", re.S), re.compile(r"`([^`\n]+)`"))
_NOT_FILES = frozenset({"e.g", "i.e", "node.js", "vue.js", "next.js", "react.js", "express.js", "asp.net"})
_SIMPLE = re.compile(r"[\w./=:@%+,-]+")


def _words(prompt: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", prompt.lower()))


def _prose_words(prompt: str) -> set[str]:
    """The words of the prompt outside quoted text and paths (a file called `new.txt` asks for no edit)."""
    return _words(_PATH.sub(" ", re.sub(r"`[^`]*`", " ", prompt)))


def _quoted(prompt: str) -> str | None:
    for pattern in _QUOTED:
        found = pattern.search(prompt)
        if found and found.group(1).strip():
            return found.group(1).strip()
    return None


def patch_path(prompt: str) -> str | None:
    """The file the prompt names: a back-quoted path, else the first path-like token (a name with an extension,
    maybe in folders) that is not an abbreviation or a framework's name ("e.g.", "Node.js")."""
    for token in re.findall(r"`([^`\s]+)`", prompt):
        if _PATH.fullmatch(token):
            return str(token)
    names = (found.group(1) for found in _PATH.finditer(prompt))
    return next((name for name in names if name.lower() not in _NOT_FILES), None)


def wants(kind: str, prompt: str) -> bool:
    """Whether the prompt asks for something the tool does: a file edit for apply_patch, a command for the shells."""
    if kind == "apply_patch":
        return patch_path(prompt) is not None and bool(_prose_words(prompt) & _EDIT_WORDS)
    return _quoted(prompt) is not None or bool(_words(prompt) & _SHELL_WORDS)


def keep_wanted(declared: Sequence[str], prompt: str) -> list[str]:
    """The declared hosted tools minus the shell tools the prompt does not ask for; a file edit goes to apply_patch
    rather than a shell."""
    editing = "apply_patch" in declared and wants("apply_patch", prompt)
    return [
        kind
        for kind in declared
        if kind not in KINDS or (kind == "apply_patch" if editing else kind != "apply_patch" and wants(kind, prompt))
    ]


def command(prompt: str) -> str:
    """The command the model runs: the quoted or fenced text of the prompt, else one for what is asked."""
    quoted = _quoted(prompt)
    if quoted:
        return quoted
    words = _words(prompt)
    return next((line for keys, line in _COMMANDS if words & set(keys)), "ls")


def _argv(line: str) -> list[str]:
    """A command line as `exec` argv: split when it is one plain command, else run by bash."""
    parts = line.split()
    if all(_SIMPLE.fullmatch(part) for part in parts) and parts:
        return shlex.split(line)
    return ["bash", "-lc", line]


def local_shell_call(prompt: str, item_id: str, call_id: str) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "exec",
        "command": _argv(command(prompt)),
        "env": {},
        "timeout_ms": None,
        "user": None,
        "working_directory": None,
    }
    return {"type": "local_shell_call", "id": item_id, "call_id": call_id, "action": action, "status": "completed"}


def _environment(tool: Mapping[str, Any]) -> dict[str, Any]:
    environment = tool.get("environment") or {"type": "local"}
    if environment.get("type") == "container_reference":
        return {"type": "container_reference", "container_id": environment["container_id"]}
    return {"type": "local"}


def shell_call(tool: Mapping[str, Any], prompt: str, item_id: str, call_id: str) -> dict[str, Any]:
    lines = [line.strip() for line in command(prompt).splitlines() if line.strip()]
    return {
        "type": "shell_call",
        "id": item_id,
        "call_id": call_id,
        "action": {"commands": lines, "timeout_ms": None, "max_output_length": None},
        "status": "completed",
        "environment": _environment(tool),
    }


def _patched_before(path: str, conversation: Sequence[Mapping[str, Any]]) -> bool:
    """Whether an earlier apply_patch call of the conversation created or updated the file."""
    return any(
        item["type"] == "apply_patch_call"
        and item["operation"].get("path") == path
        and item["operation"].get("type") != "delete_file"
        for item in conversation
    )


def _new_lines(path: str, prompt: str) -> list[str]:
    """Plausible content for the file: by its extension, about what the prompt asks."""
    topic = text.topic_of(prompt)
    extension = path.rsplit(".", 1)[-1].lower()
    stem = re.sub(r"\W", "_", path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "main"
    if extension == "py":
        return [f'"""{topic[:1].upper() + topic[1:]}."""', "", "", f"def {stem}() -> None:", f'    print("{topic}")']
    if extension in ("js", "ts"):
        return [f"// {topic}", f"export function {stem}() {{", f'  console.log("{topic}");', "}"]
    if extension == "json":
        return ["{", f'  "name": "{stem}",', f'  "description": "{topic}"', "}"]
    if extension in ("md", "markdown", "rst"):
        return [f"# {topic[:1].upper() + topic[1:]}", "", f"Notes on {topic}."]
    return [f"{topic[:1].upper() + topic[1:]}."]


def apply_patch_call(
    prompt: str, conversation: Sequence[Mapping[str, Any]], item_id: str, call_id: str
) -> dict[str, Any]:
    """Create the file the prompt names (update it if it exists already or the prompt says so; delete it when
    asked), with a V4A diff: added lines prefixed `+`, an update's hunk opened by `@@`."""
    path = patch_path(prompt) or "notes.txt"
    words = _prose_words(prompt)
    operation: dict[str, Any]
    if words & _DELETE_WORDS:
        operation = {"type": "delete_file", "path": path}
    else:
        added = "".join(f"+{line}\n" for line in _new_lines(path, prompt))
        if words & _UPDATE_WORDS or _patched_before(path, conversation):
            operation = {"type": "update_file", "path": path, "diff": "@@\n" + added}
        else:
            operation = {"type": "create_file", "path": path, "diff": added}
    return {
        "type": "apply_patch_call",
        "id": item_id,
        "call_id": call_id,
        "status": "completed",
        "operation": operation,
    }


def call_item(
    kind: str, tool: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]], prompt: str, ids: tuple[str, str]
) -> dict[str, Any]:
    """The call of `kind` for the prompt; `ids`: (the item id, the call id)."""
    if kind == "local_shell":
        return local_shell_call(prompt, *ids)
    if kind == "shell":
        return shell_call(tool, prompt, *ids)
    return apply_patch_call(prompt, conversation, *ids)


# --------------------------------------------------------------------------------------------- reading them back


def _shell_output_text(output: Sequence[Mapping[str, Any]]) -> str:
    chunks = []
    for chunk in output:
        outcome = chunk.get("outcome") or {}
        ended = "timed out" if outcome.get("type") == "timeout" else f"exit code {outcome.get('exit_code', 0)}"
        chunks.append("\n".join(part for part in (chunk.get("stdout"), chunk.get("stderr")) if part) + f"\n({ended})")
    return "\n".join(chunks)


def chat_call(item: Mapping[str, Any]) -> tuple[str, str]:
    """A call item as the chat machinery reads it: (tool name, JSON arguments)."""
    if item["type"] == "local_shell_call":
        return "local_shell", json.dumps({"command": item["action"]["command"]})
    if item["type"] == "shell_call":
        return "shell", json.dumps({"commands": item["action"]["commands"]})
    return "apply_patch", json.dumps(item["operation"])


def chat_output(item: Mapping[str, Any]) -> str:
    """A call output as the tool result the model reads."""
    if item["type"] == "local_shell_call_output":
        return str(item["output"])
    if item["type"] == "shell_call_output":
        return _shell_output_text(item["output"])
    done = "applied" if item.get("status") == "completed" else "failed"
    return item.get("output") or f"The patch {done}."


def command_events(item: Mapping[str, Any], index: int, fragments: Any) -> list[dict[str, Any]]:
    """A streamed shell call's commands: each added (empty), filled by deltas, done (`fragments(text)`: its
    pieces)."""
    events: list[dict[str, Any]] = []
    for number, line in enumerate(item["action"]["commands"]):
        where = {"output_index": index, "command_index": number}
        events.append({"type": "response.shell_call_command.added", **where, "command": ""})
        events += [{"type": "response.shell_call_command.delta", **where, "delta": piece} for piece in fragments(line)]
        events.append({"type": "response.shell_call_command.done", **where, "command": line})
    return events
