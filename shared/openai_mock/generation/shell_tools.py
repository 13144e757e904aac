"""Output items of the Responses tools whose calls the client runs and answers: `local_shell` (an `exec` action),
`shell` (the function shell tool: a list of commands) and `apply_patch` (create, update or delete a file with a
V4A diff). The model emits the call; the client runs it and sends a `*_call_output` item back; the next turn
answers reading that output (the chat machinery sees the pair as a tool exchange: `chat_call`, `chat_output`).
A shell tool with a hosted container is the exception: the container runs the commands (`run_in_container`, a
simulated shell over the container's files) and one response holds the call, its output and the answer.

Pure builders of (prompt, conversation, files): the command is the prompt's back-quoted or fenced text, else a
plausible command for what is asked; the patched file is the path the prompt names."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from openai_mock.generation import extract, text

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
_PATH = re.compile(r"(?<![\w/.@:-])(/?(?:[\w.-]+/)*[\w-]+\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w/])")
# The lines a prompt gives a file: indented under "these lines:" / "content:" (or a fenced block, `given_lines`).
_GIVEN_LINES = re.compile(r"\b(?:lines?|contents?|text)\s*:[ \t]*\n((?:[ \t]+\S.*(?:\n|$))+)", re.I)
# "change `a=1` to `a=2`", "replace `old` with `new`": one line of a file for another.
_CHANGE = re.compile(
    r"\b(?:change|replace|update|set|turn)\s+(?:only\s+)?(?:the\s+(?:line|text|value)\s+)?`([^`\n]+)`\s+"
    r"(?:to|with|into|by)\s+`([^`\n]+)`",
    re.I,
)
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


Skills = Sequence[Mapping[str, Any]]  # a shell's skills: name, description, path (of the skill's folder)


def local_skills(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The skills the model knows by name from the request: a local environment's (on the client's machine), and a
    hosted container's inline bundles (mounted under `skills/`, as `container_skills` finds them). A stored skill
    referenced by id is named only once the container mounts it."""
    shell: Mapping[str, Any] = next((tool for tool in request.get("tools", []) if tool["type"] == "shell"), {})
    environment = shell.get("environment") or {}
    if environment.get("type") == "local":
        return list(environment.get("skills") or [])
    if environment.get("type") != "container_auto":
        return []
    declared = environment.get("skills")
    inline = [
        skill
        for skill in (declared if isinstance(declared, list) else [])
        if isinstance(skill, dict) and skill.get("type") == "inline" and isinstance(skill.get("name"), str)
    ]
    return [{"name": s["name"], "description": s.get("description", ""), "path": f"skills/{s['name']}"} for s in inline]


def skills_note(skills: Skills) -> str:
    """The skills as the model reads them, after the instructions."""
    if not skills:
        return ""
    rows = [f"- {skill['name']}: {skill.get('description', '')} ({skill['path']})" for skill in skills]
    return "\n".join(["Skills available in the shell (read a skill's SKILL.md before using it):", *rows])


def _named_skill(prompt: str, skills: Skills) -> Mapping[str, Any] | None:
    """The skill the prompt names (its name, or its name's words)."""
    lowered = " ".join(re.findall(r"[a-z0-9]+", prompt.lower()))
    for skill in skills:
        words = " ".join(re.findall(r"[a-z0-9]+", str(skill["name"]).lower()))
        if words and re.search(rf"\b{re.escape(words)}\b", lowered):
            return skill
    return None


def _manifest(skill: Mapping[str, Any]) -> str:
    path = str(skill["path"]).rstrip("/")
    return path if path.endswith("SKILL.md") else f"{path}/SKILL.md"


def wants(kind: str, prompt: str, skills: Skills = ()) -> bool:
    """Whether the prompt asks for something the tool does: a file edit for apply_patch, a command (or one of the
    shell's skills) for the shells."""
    if kind == "apply_patch":
        return patch_path(prompt) is not None and bool(_prose_words(prompt) & _EDIT_WORDS)
    named = kind == "shell" and _named_skill(prompt, skills) is not None
    return named or _quoted(prompt) is not None or bool(_words(prompt) & _SHELL_WORDS)


def keep_wanted(declared: Sequence[str], prompt: str, skills: Skills = ()) -> list[str]:
    """The declared hosted tools minus the shell tools the prompt does not ask for; a file edit goes to apply_patch
    rather than a shell."""
    editing = "apply_patch" in declared and wants("apply_patch", prompt)
    return [
        kind
        for kind in declared
        if kind not in KINDS
        or (kind == "apply_patch" if editing else kind != "apply_patch" and wants(kind, prompt, skills))
    ]


def command(prompt: str, skills: Skills = ()) -> str:
    """The command the model runs: the quoted or fenced text of the prompt, else reading the SKILL.md of the skill
    it names, else one for what is asked."""
    quoted = _quoted(prompt)
    if quoted:
        return quoted
    skill = _named_skill(prompt, skills)
    if skill is not None:
        return f"cat {shlex.quote(_manifest(skill))}"
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


def shell_call(
    prompt: str, item_id: str, call_id: str, container_id: str | None = None, skills: Skills = ()
) -> dict[str, Any]:
    """The shell call: run by the client (a local environment), or in the hosted container `container_id`."""
    environment = (
        {"type": "local"} if container_id is None else {"type": "container_reference", "container_id": container_id}
    )
    lines = [line.strip() for line in command(prompt, skills).splitlines() if line.strip()]
    return {
        "type": "shell_call",
        "id": item_id,
        "call_id": call_id,
        "action": {"commands": lines, "timeout_ms": None, "max_output_length": None},
        "status": "completed",
        "environment": environment,
    }


def _patched_before(path: str, conversation: Sequence[Mapping[str, Any]]) -> bool:
    """Whether an earlier apply_patch call of the conversation created or updated the file."""
    return any(
        item["type"] == "apply_patch_call"
        and item["operation"].get("path") == path
        and item["operation"].get("type") != "delete_file"
        for item in conversation
    )


def given_lines(prompt: str) -> list[str] | None:
    """The lines the prompt gives the file: a fenced block's, or those indented under "these lines:"."""
    fenced = re.search(r"```(?:[\w-]+\n)?(.*?)```", prompt, re.S)
    if fenced and fenced[1].strip():
        return fenced[1].strip("\n").splitlines()
    listed = _GIVEN_LINES.search(prompt)
    return [line.strip() for line in listed[1].splitlines() if line.strip()] if listed else None


def spells_out_edit(prompt: str) -> bool:
    """Whether the prompt gives the edit line by line: the file's lines, or a line to change into another."""
    return given_lines(prompt) is not None or _CHANGE.search(prompt) is not None


def title_of(prompt: str) -> str:
    """What the prompt is about, as a heading."""
    topic = text.topic_of(prompt)
    return topic[:1].upper() + topic[1:]


def file_lines(path: str, prompt: str) -> list[str]:
    """The file's content: the lines the prompt gives, else plausible ones by its extension, about what it asks."""
    given = given_lines(prompt)
    if given:
        return given
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
    change = _CHANGE.search(prompt)
    if words & _DELETE_WORDS:
        operation = {"type": "delete_file", "path": path}
    elif change is not None:  # one line for another: the hunk shows both
        operation = {"type": "update_file", "path": path, "diff": f"@@\n-{change[1]}\n+{change[2]}\n"}
    else:
        added = "".join(f"+{line}\n" for line in file_lines(path, prompt))
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


def patch_text(operation: Mapping[str, Any]) -> str:
    """An apply_patch operation as the patch envelope a free-form patch tool takes (`*** Begin Patch` …)."""
    path = operation["path"]
    if operation["type"] == "delete_file":
        body = f"*** Delete File: {path}\n"
    elif operation["type"] == "update_file":
        body = f"*** Update File: {path}\n{operation['diff']}"
    else:
        body = f"*** Add File: {path}\n{operation['diff']}"
    return f"*** Begin Patch\n{body}*** End Patch\n"


def is_patch_tool(tool: Mapping[str, Any]) -> bool:
    """A free-form custom tool that takes a `*** Begin Patch` envelope as its text (the Agents SDK's sandbox
    `apply_patch`): named so and of text format (a grammar says itself what it takes)."""
    grammar = tool.get("format") or {"type": "text"}
    return tool.get("type") == "custom" and tool.get("name") == "apply_patch" and grammar.get("type") == "text"


def written_patch(tool: Mapping[str, Any], arguments: str) -> str | None:
    """The patch envelope a call to a free-form `apply_patch` (text or grammar format) already carries as its input
    (a planned step wrote it, `plans.py`); None for another tool or input."""
    if tool.get("type") != "custom" or tool.get("name") != "apply_patch":
        return None
    try:
        written = json.loads(arguments).get("input")
    except (ValueError, AttributeError):
        return None
    envelope = isinstance(written, str) and written.startswith("*** Begin Patch\n")
    return written if envelope and written.rstrip("\n").endswith("*** End Patch") else None


def patch_input(prompt: str, conversation: Sequence[Mapping[str, Any]]) -> str | None:
    """The patch envelope a model writes for the file edit the prompt (or its step naming `apply_patch`) asks for;
    None when it names no file to edit."""
    step = extract.step_for(prompt, "apply_patch") or prompt
    if not wants("apply_patch", step):
        return None
    return patch_text(apply_patch_call(step, conversation, "", "")["operation"])


def call_item(
    kind: str, conversation: Sequence[Mapping[str, Any]], prompt: str, ids: tuple[str, str], skills: Skills = ()
) -> dict[str, Any]:
    """The call of `kind` for the prompt, run by the client; `ids`: (the item id, the call id); `skills`: the
    local shell environment's."""
    if kind == "local_shell":
        return local_shell_call(prompt, *ids)
    if kind == "shell":
        return shell_call(prompt, *ids, skills=skills)
    return apply_patch_call(extract.step_for(prompt, "apply_patch") or prompt, conversation, *ids)


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


def output_events(item: Mapping[str, Any], index: int) -> list[dict[str, Any]]:
    """A streamed shell_call_output (commands run in a hosted container): each command's output as a delta, then
    done with its chunk."""
    events: list[dict[str, Any]] = []
    for number, chunk in enumerate(item["output"]):
        where = {"item_id": item["id"], "output_index": index, "command_index": number}
        delta = {key: chunk[key] for key in ("stdout", "stderr") if chunk[key]}
        events.append({"type": "response.shell_call_output_content.delta", **where, "delta": delta})
        events.append({"type": "response.shell_call_output_content.done", **where, "output": [chunk]})
    return events


# --------------------------------------------------------------------------------------------- hosted containers

_VERSIONS = {"python": "Python 3.11.12", "python3": "Python 3.11.12", "node": "v22.12.0", "npm": "10.9.0"}
_DF = (
    "Filesystem      Size  Used Avail Use% Mounted on\n"
    "overlay          16G  3.1G   13G  20% /\n"
    "/dev/vdb        8.0G  412M  7.6G   6% /mnt/data\n"
)


_DATA = "/mnt/data/"


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _relative(path: str) -> str:
    """A container file's path under /mnt/data (the shell's working directory)."""
    return path[len(_DATA) :] if path.startswith(_DATA) else _name(path)


def _find(files: Sequence[tuple[str, bytes]], wanted: str) -> bytes | None:
    wanted = wanted.removeprefix("./")
    return next((data for path, data in files if wanted in (path, _name(path), _relative(path))), None)


def _in_data(folder: str) -> str:
    """A folder as a path under /mnt/data (the working directory): `/mnt/data/out` and `./out` are `out`."""
    absolute = folder.rstrip("/") + "/"
    inside = absolute[len(_DATA) :] if absolute.startswith(_DATA) else folder
    return inside.strip("/").removeprefix(".").strip("/")


def _entries(files: Sequence[tuple[str, bytes]], folder: str) -> list[tuple[str, int | None]]:
    """What `ls folder` shows: (name, size) of its files, (name, None) of its folders, in order."""
    prefix = _in_data(folder)
    prefix = prefix + "/" if prefix else ""
    entries: dict[str, int | None] = {}
    for path, data in files:
        rest = _relative(path)
        if not rest.startswith(prefix):
            continue
        name, _, below = rest[len(prefix) :].partition("/")
        entries.setdefault(name, None if below else len(data))
    return list(entries.items())


def _listing(files: Sequence[tuple[str, bytes]], args: Sequence[str]) -> tuple[str, str, int]:
    folder = next((arg for arg in args if not arg.startswith("-")), "")
    entries = _entries(files, folder)
    if folder and _in_data(folder) and not entries:  # (/mnt/data itself is there even when empty)
        return "", f"ls: cannot access '{folder}': No such file or directory\n", 2
    if not any(arg.startswith("-") and "l" in arg for arg in args):
        return "".join(f"{name}\n" for name, _ in entries), "", 0
    rows = [
        f"drwxr-xr-x 2 root root {4096:>8} {name}" if size is None else f"-rw-r--r-- 1 root root {size:>8} {name}"
        for name, size in entries
    ]
    total = sum(size or 4096 for _, size in entries) // 1024 + len(entries) * 4
    return "\n".join([f"total {total}", *rows]) + "\n", "", 0


def _read(files: Sequence[tuple[str, bytes]], args: Sequence[str], count_lines: bool) -> tuple[str, str, int]:
    out, err, code = [], [], 0
    for arg in (arg for arg in args if not arg.startswith("-")):
        data = _find(files, arg)
        if data is None:
            err.append(f"{'wc' if count_lines else 'cat'}: {arg}: No such file or directory\n")
            code = 1
        else:
            body = data.decode("utf-8", errors="replace")
            out.append(f"{body.count(chr(10))} {arg}\n" if count_lines else body[:4000])
    return "".join(out), "".join(err), code


def _run(line: str, files: Sequence[tuple[str, bytes]]) -> tuple[str, str, int]:
    """What one command prints in a fresh container whose /mnt/data holds `files`: (stdout, stderr, exit code)."""
    try:
        program, *args = shlex.split(line) or [""]
    except ValueError:
        return "", "bash: -c: line 1: unexpected EOF while looking for matching quote\n", 2
    simple = {
        "pwd": "/mnt/data\n",
        "whoami": "root\n",
        "uname": "Linux\n",
        "echo": " ".join(args) + "\n",
        "df": _DF,
        "": "",
    }
    if program in simple:
        return simple[program], "", 0
    if program == "ls":
        return _listing(files, args)
    if program in ("cat", "head", "wc"):
        return _read(files, args, program == "wc")
    if program in _VERSIONS and "--version" in args:
        return _VERSIONS[program] + "\n", "", 0
    return "", "", 0  # a command that prints nothing when it succeeds (mkdir, touch, pip install -q, …)


def container_skills(files: Sequence[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """The skills mounted in a container (`skills/<name>/SKILL.md`), as the model knows them."""
    names = [
        _relative(path).split("/")[1] for path, _ in files if re.fullmatch(r"skills/[^/]+/SKILL\.md", _relative(path))
    ]
    return [{"name": name, "path": f"skills/{name}"} for name in names]


def run_in_container(call: Mapping[str, Any], files: Sequence[tuple[str, bytes]], item_id: str) -> dict[str, Any]:
    """The `shell_call_output` of a call the hosted container runs itself: each command's output and exit code."""
    chunks = []
    for line in call["action"]["commands"]:
        stdout, stderr, code = _run(line, files)
        chunks.append({"stdout": stdout, "stderr": stderr, "outcome": {"type": "exit", "exit_code": code}})
    return {
        "type": "shell_call_output",
        "id": item_id,
        "call_id": call["call_id"],
        "output": chunks,
        "max_output_length": None,
        "status": "completed",
    }
