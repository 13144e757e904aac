"""The next step of a multi-step task over tools, as a model takes it: after each tool result it reads what was asked
and what the tools did so far, then makes the next call or, once the work is done, answers.

Two kinds of task are planned (others keep the ordinary one-call-then-answer behaviour of `chat.plan`):
- a numbered plan whose steps name the tools offered ("1. Call `exec_command` with …", "2. Call `view_image` …"):
  each such step is one call, in order, its arguments read from the step's own text;
- an interactive program in a PTY ("start an interactive Python session, compute `5 + 5`, then add 5 more"): the
  program is started with a terminal (`exec_command`, `tty: true`), then each input is written to that process
  (`write_stdin`) under the session id its start printed ("Process running with session ID 123");
- a task a model breaks into steps itself: a numbered step that names no tool, or each clause of an unnumbered task
  ("inspect the repo, then write notes to `notes.md`"), that asks for an action the offered sandbox tools do (the Agents
  SDK's `exec_command`, free-form `apply_patch`, `view_image`, `load_skill`): list,
  read, run, create/write/save, update, delete, view an image, use a skill. Each step is one call whose arguments
  come from the step (the path, the lines given, the command) and from the steps before it ("that file", "it", a
  file's earlier lines for an update's diff, earlier outputs for notes).

The plan is the user's message's; when it has none, a numbered procedure of the instructions ("Follow this
sequence: 1. … 2. …").

A tool that needs a running session (`write_stdin`) is never called before one was reported. A run stops after
`MAX_CALLS` calls since the user's message, or when a tool failed twice: a model that loops forever is worse than one
that stops. Pure: a function of the messages and the tools offered."""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import extract, shell_tools
from openai_mock.generation.content import content_text

MAX_CALLS = 8  # calls in one run (since the user's message) before the model answers whatever it has
_SESSION_ID = re.compile(r"\bsession ID (\d+)\b")  # how the Agents SDK's exec_command reports a live process
_EXIT_CODE = re.compile(r"\bProcess exited with code (\d+)\b")
_FAILED = re.compile(r"\b(?:failed|error|not found|no such file)\b", re.IGNORECASE)
START_TOOL, STDIN_TOOL = "exec_command", "write_stdin"
# An interactive program the task asks for, and the command that starts it.
_PROGRAMS = {"python": "python3", "node": "node", "irb": "irb", "ruby": "irb", "sqlite": "sqlite3", "bash": "bash"}
_INTERACTIVE = re.compile(r"\b(?:interactive|repl|same (?:session|process))\b", re.IGNORECASE)
# "add 5 more to the previous result", "multiply the previous result by 3": an input that builds on the last value.
_FOLLOW_UP = re.compile(
    r"\b(add|subtract|multiply|divide)\s+(?:(\d+(?:\.\d+)?)\s+(?:more\s+)?(?:to|from)\s+the\s+previous\s+result"
    r"|the\s+previous\s+result\s+by\s+(\d+(?:\.\d+)?))",
    re.IGNORECASE,
)
_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}


class Step(NamedTuple):
    """One planned call: the tool's name, the text its arguments are read from, or the arguments themselves."""

    tool: str
    text: str
    arguments: dict[str, Any] | None = None


class Call(NamedTuple):
    """A call already made in this run, and what it returned."""

    tool: str
    arguments: str
    output: str


# --------------------------------------------------------------------------------------------- the run so far


def _task_index(messages: Sequence[Mapping[str, Any]]) -> int:
    return max((at for at, message in enumerate(messages) if message["role"] == "user"), default=-1)


def task_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """What was asked: the last user message."""
    at = _task_index(messages)
    return content_text(messages[at].get("content")) if at >= 0 else ""


def calls_made(messages: Sequence[Mapping[str, Any]]) -> list[Call]:
    """The calls since the user's message with their results, in order (a call with no result yet is left out)."""
    outputs = {
        str(message.get("tool_call_id")): content_text(message.get("content"))
        for message in messages
        if message["role"] == "tool"
    }
    made = []
    for message in messages[_task_index(messages) + 1 :]:
        for call in message.get("tool_calls") or []:
            if str(call.get("id")) in outputs:
                function = call.get("function") or {}
                made.append(
                    Call(str(function.get("name", "")), str(function.get("arguments", "")), outputs[call["id"]])
                )
    return made


def failed(output: str) -> bool:
    """Whether a tool result reports a failure: a non-zero exit code, else an error's words."""
    code = _EXIT_CODE.search(output)
    if code is not None:
        return code[1] != "0"
    return bool(_FAILED.search(output[:200]))


def session_id(made: Sequence[Call]) -> int | None:
    """The live process's session id the latest result reported (a result that ended the process ends it)."""
    for call in reversed(made):
        found = _SESSION_ID.search(call.output)
        if found is not None:
            return int(found[1])
        if _EXIT_CODE.search(call.output) and call.tool in (START_TOOL, STDIN_TOOL):
            return None
    return None


# --------------------------------------------------------------------------------------------- the plans


def numbered_steps(task: str, offered: Collection[str]) -> list[Step]:
    """The calls of a numbered (or bulleted) plan: each step that names an offered tool or asks for an action one
    does (`inferred_steps`), in order; [] when there is no plan."""
    steps = extract.steps_of(task)
    return inferred_steps(steps, offered) if len(steps) >= 2 and offered else []


def _program(task: str) -> str | None:
    words = set(re.findall(r"[a-z0-9]+", task.lower()))
    return next((command for word, command in _PROGRAMS.items() if word in words), None)


def _inputs(task: str) -> list[str]:
    """What is typed into the program, in order: the task's back-quoted snippets, and "add N more to the previous
    result" as an expression on the last value (`_` in Python)."""
    found = [(match.start(), match[1]) for match in re.finditer(r"`([^`\n]+)`", task)]
    for match in _FOLLOW_UP.finditer(task):
        number = match[2] or match[3]
        found.append((match.start(), f"_ {_OPERATORS[match[1].lower()]} {number}"))
    return [typed for _, typed in sorted(found)]


def pty_steps(task: str, offered: Collection[str]) -> list[Step]:
    """An interactive program started in a terminal, then each input written to it; [] when the task asks for none
    or the tools to do it are not offered."""
    program = _program(task)
    if not (START_TOOL in offered and STDIN_TOOL in offered and program and _INTERACTIVE.search(task)):
        return []
    started = Step(START_TOOL, task, {"cmd": program, "tty": True})
    return [started, *(Step(STDIN_TOOL, task, {"chars": typed + "\n"}) for typed in _inputs(task))]


# --------------------------------------------------------------------------------------------- steps a model infers

SHELL_TOOL, PATCH_TOOL, IMAGE_TOOL, SKILL_TOOL = "exec_command", "apply_patch", "view_image", "load_skill"
_IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
# What a clause asks for, by the first of these verbs outside its quoted text ("use the apply_patch tool to update
# that file": an update); a skill is used when the clause names one.
_VERBS = (
    ("delete", r"delete|remove"),
    ("update", r"update|edit|change|modify|append|patch"),
    ("write", r"create|write|save|add|record|put"),
    ("view", r"view|look\s+at"),
    ("read", r"read|print|show|cat|display|open|review|fix|debug"),
    ("list", r"inspect|list|explore|survey|browse"),
    ("run", r"run|execute"),
)
_ACTION = re.compile("|".join(rf"\b(?P<{kind}>{verbs})\b" for kind, verbs in _VERBS), re.IGNORECASE)
_USES_SKILL = re.compile(r"^\W*(?:use|load|apply|follow)\b.*\bskills?\b", re.IGNORECASE | re.DOTALL)
# Where an unnumbered task's clauses part: sentences, ";", "then", ", and", "and" before an action's verb.
_CLAUSES = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z])|;\s*|,?\s+(?:and\s+)?then\s+|,\s+and\s+|\s+and\s+(?=(?:"
    + "|".join(verbs for _, verbs in _VERBS)
    + r")\b)",
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(r"\b(?:it|that file|this file|the file|the same file)\b", re.IGNORECASE)
# "the instructions' procedure": a numbered list the instructions introduce as one ("Follow this sequence:").
_PROCEDURE = re.compile(r"\b(?:sequence|these steps|the steps|in (?:this|that) order|step by step)\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^[ \t]*\d+[.)][ \t]+.*(?:\n[ \t]+(?![ \t]*\d+[.)][ \t]).*)*", re.MULTILINE)


class _Workspace:
    """What the steps planned so far did to the files: each one's lines, and the last path a step named."""

    def __init__(self) -> None:
        self.files: dict[str, list[str]] = {}
        self.last_path: str | None = None


def _path_in(clause: str, workspace: _Workspace) -> str | None:
    """The file (or folder) a clause acts on: a path it names, else the one an earlier step named ("that file")."""
    named = shell_tools.patch_path(clause)
    if named is None:
        quoted = re.search(r"`(\.{1,2}/?|[\w.-]+/)`", clause)
        named = quoted[1] if quoted else None
    if named is None and _BACK_REFERENCE.search(clause):
        named = workspace.last_path
    return named


def _action(clause: str) -> str | None:
    """What a clause asks for: a skill's use, else its first action verb outside quoted text and paths."""
    if _USES_SKILL.search(clause):
        return "skill"
    prose = re.sub(r"`[^`]*`", lambda quoted: " " * len(quoted[0]), clause.split("\n", 1)[0])
    found = _ACTION.search(prose)
    return next((kind for kind, _ in _VERBS if found and found[kind]), None)


def _notes(path: str, clause: str, made: Sequence[Call]) -> list[str]:
    """A written file's lines: those the clause gives; notes of what the run's calls found when it asks for notes or
    a summary; else plausible lines about what it asks (`shell_tools.file_lines`)."""
    given = shell_tools.given_lines(clause)
    if given:
        return given
    if made and re.search(r"\b(?:notes?|summary|summari[sz]e|findings|memory|memories|report)\b", clause, re.I):
        found = [f"- {_what(call)}: {_printed(call.output) or 'done'}" for call in made if not failed(call.output)]
        return [f"# {shell_tools.title_of(clause)}", "", *found] if found else shell_tools.file_lines(path, clause)
    return shell_tools.file_lines(path, clause)


def _hunk(old: list[str], new: list[str]) -> str:
    """A V4A update hunk turning `old` into `new`: kept lines as context, removed with `-`, added with `+`."""
    lines = ["@@"]
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [f" {line}" for line in old[a1:a2]]
            continue
        lines += [f"-{line}" for line in old[a1:a2]] + [f"+{line}" for line in new[b1:b2]]
    return "\n".join(lines) + "\n"


def _file_operation(kind: str, path: str, clause: str, workspace: _Workspace, made: Sequence[Call]) -> str:
    """One file operation of a patch envelope (`*** Add File: …`), keeping track of the file's lines."""
    if kind == "delete":
        workspace.files.pop(path, None)
        return f"*** Delete File: {path}\n"
    old = workspace.files.get(path)
    if kind == "update" and old is None and shell_tools.spells_out_edit(clause):  # "change `a=1` to `a=2`"
        envelope = shell_tools.patch_text(shell_tools.apply_patch_call(clause, (), "", "")["operation"])
        return envelope.removeprefix("*** Begin Patch\n").removesuffix("*** End Patch\n")
    lines = _notes(path, clause, made)
    workspace.files[path] = lines
    if kind == "update" or old is not None:
        return f"*** Update File: {path}\n" + _hunk(old or [], lines)
    return f"*** Add File: {path}\n" + "".join(f"+{line}\n" for line in lines)


def _shell_line(kind: str, path: str | None, clause: str, workspace: _Workspace, made: Sequence[Call]) -> str | None:
    """The command a clause asks the shell for: the one it quotes, else one for what it asks."""
    quoted = re.search(r"`([^`\n]+)`", clause)
    if kind == "run":
        if quoted and not shell_tools.patch_path(quoted[1]):
            return quoted[1]
        return shell_tools.command(clause)
    if kind == "list":
        return f"ls -la {shlex.quote(path or '.')}"
    if path is None:
        return None
    if kind == "read":
        return f"cat {shlex.quote(path)}"
    if kind == "delete":
        workspace.files.pop(path, None)
        return f"rm -f {shlex.quote(path)}"
    lines = _notes(path, clause, made)
    workspace.files[path] = lines
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    made_folder = f"mkdir -p {shlex.quote(folder)} && " if folder else ""
    body = "\n".join(lines)
    return f"{made_folder}cat > {shlex.quote(path)} <<'EOF'\n{body}\nEOF"


def _clause_call(clause: str, offered: Collection[str], workspace: _Workspace, made: Sequence[Call]) -> Step | None:
    """The call a clause asks for with the tools offered, or None when it asks for none of their actions."""
    kind = _action(clause)
    if kind == "skill":
        skill = next(iter(extract.named_things(clause, "skill")), None)
        return Step(SKILL_TOOL, clause, {"skill_name": skill}) if skill and SKILL_TOOL in offered else None
    path = _path_in(clause, workspace)
    if path is not None:
        workspace.last_path = path
    image = path is not None and path.rsplit(".", 1)[-1].lower() in _IMAGE_EXTENSIONS
    if image and IMAGE_TOOL in offered and kind in (None, "view", "read"):
        return Step(IMAGE_TOOL, clause, {"path": path})
    if kind is None:
        return None
    if kind in ("write", "update", "delete") and path is not None and _free_form_patch(offered):
        patch = f"*** Begin Patch\n{_file_operation(kind, path, clause, workspace, made)}*** End Patch\n"
        return Step(PATCH_TOOL, clause, {"input": patch})
    line = _shell_line(kind, path, clause, workspace, made) if SHELL_TOOL in offered else None
    return Step(SHELL_TOOL, clause, {"cmd": line}) if line else None


def _free_form_patch(offered: Collection[str]) -> bool:
    """Whether an `apply_patch` taking a patch envelope as its `input` is offered (the Agents SDK's free-form tool, as
    the chat machinery sees a custom tool); names alone are taken to be that tool."""
    if PATCH_TOOL not in offered:
        return False
    if not isinstance(offered, Mapping):
        return True
    properties = (offered[PATCH_TOOL].get("parameters") or {}).get("properties") or {}
    return list(properties) == ["input"]


def _merged(calls: Sequence[Step]) -> list[Step]:
    """A step's calls, consecutive ones of one tool as one call: patches in one envelope, commands joined by `&&`
    (a model does "create it, then delete it" in one edit)."""
    merged: list[Step] = []
    for call in calls:
        last = merged[-1] if merged else None
        if last is None or last.tool != call.tool or call.tool not in (PATCH_TOOL, SHELL_TOOL):
            merged.append(call)
        elif call.tool == SHELL_TOOL:
            joined = f"{(last.arguments or {})['cmd']} && {(call.arguments or {})['cmd']}"
            merged[-1] = last._replace(arguments={"cmd": joined})
        else:
            body = str((call.arguments or {})["input"]).removeprefix("*** Begin Patch\n")
            joined = str((last.arguments or {})["input"]).removesuffix("*** End Patch\n") + body
            merged[-1] = last._replace(arguments={"input": joined})
    return merged


def clauses_of(text: str) -> list[str]:
    """A step's or an unnumbered task's clauses, in order ("Inspect the repo, then write notes to `a.md`": two)."""
    parts = [part.strip() for part in _CLAUSES.split(text.strip()) if part and part.strip()]
    return [part for part in parts if re.search(r"\w", part)]


def inferred_steps(steps: Sequence[str], offered: Collection[str], made: Sequence[Call] = ()) -> list[Step]:
    """The calls the steps ask for with the offered tools, in order, each with arguments from its step and the
    steps before it; a step that names an offered tool whose call it does not spell out calls it with arguments
    read from its text."""
    workspace = _Workspace()
    planned: list[Step] = []
    for step in steps:
        calls = [
            call
            for clause in clauses_of(re.sub(r"^[ \t]*(?:\d+[.)]|[-*•])[ \t]+", "", step))
            if (call := _clause_call(clause, offered, workspace, made[: len(planned)])) is not None
        ]
        named = sorted(
            (found.start(), tool)
            for tool in offered
            if (found := re.search(rf"(?<![\w-]){re.escape(tool)}(?![\w-])", step)) is not None
        )
        if named and not any(call.tool == named[0][1] for call in calls):
            planned.append(Step(named[0][1], step))
        else:
            planned += _merged(calls)
    return planned


def task_steps(task: str, offered: Collection[str], made: Sequence[Call] = ()) -> list[Step]:
    """The calls an unnumbered task's clauses ask for; [] when fewer than two (one call is ordinary tool use)."""
    if extract.steps_of(task) or not ({SHELL_TOOL, PATCH_TOOL} & set(offered)):
        return []
    steps = inferred_steps(clauses_of(task), offered, made)
    return steps if len(steps) >= 2 else []


def procedure(instructions: str) -> list[str]:
    """The numbered steps of the procedure the instructions set out: the list from 1 right after "Follow this
    sequence:" (or "these steps", "in this order"), up to where its numbering or the list stops."""
    for found in _PROCEDURE.finditer(instructions):
        steps: list[str] = []
        at = found.end()
        for match in _NUMBERED.finditer(instructions, at):
            gap = instructions[at : match.start()]
            number = int(re.match(r"\s*(\d+)", match[0])[1])  # type: ignore[index]
            if number != len(steps) + 1 or (steps and gap.strip()) or len(gap) > 200:
                break
            steps.append(match[0])
            at = match.end()
        if len(steps) >= 2:
            return steps
    return []


def planned_steps(task: str, offered: Collection[str], made: Sequence[Call] = ()) -> list[Step]:
    numbered = extract.steps_of(task)
    if len(numbered) >= 2 and offered:
        return inferred_steps(numbered, offered, made)
    return pty_steps(task, offered) or task_steps(task, offered, made)


def plan_of(messages: Sequence[Mapping[str, Any]], offered: Collection[str]) -> list[Step]:
    """The run's plan: the user's message's, else the procedure its instructions set out."""
    made = calls_made(messages)
    steps = planned_steps(task_text(messages), offered, made)
    if steps or not offered:
        return steps
    told = "\n".join(content_text(m.get("content")) for m in messages if m["role"] in ("system", "developer"))
    listed = procedure(told)
    return inferred_steps(listed, offered, made) if len(listed) >= 2 else []


def next_step(messages: Sequence[Mapping[str, Any]], offered: Collection[str]) -> Step | None:
    """The call to make now in a planned task, with the session id an earlier result reported filled in; None when
    the task is not a plan, its steps are done, a tool failed twice, the run made `MAX_CALLS` calls, or the step
    needs a session none reported."""
    steps = plan_of(messages, offered)
    made = calls_made(messages)
    if not steps or len(made) >= min(len(steps), MAX_CALLS) or sum(failed(call.output) for call in made) >= 2:
        return None
    step = steps[len(made)]
    if step.tool != STDIN_TOOL:
        return step
    live = session_id(made)
    return None if live is None else step._replace(arguments={"session_id": live, **(step.arguments or {})})


def needs_session(tool: str, messages: Sequence[Mapping[str, Any]]) -> bool:
    """Whether `tool` writes to a running process that no result of this run reported."""
    return tool == STDIN_TOOL and session_id(calls_made(messages)) is None


# --------------------------------------------------------------------------------------------- the answer


def ran_plan(messages: Sequence[Mapping[str, Any]], offered: Collection[str]) -> bool:
    """Whether the run's calls were a plan's (so the answer reports each of them)."""
    return len(calls_made(messages)) >= 2 and bool(plan_of(messages, offered))


def _printed(output: str) -> str:
    """What a tool printed: after the Agents SDK's "Output:" header when there is one, trimmed to a line or two."""
    body = output.split("\nOutput:\n", 1)[1] if "\nOutput:\n" in output else output
    lines = [line.strip() for line in body.strip().splitlines() if line.strip() and line.strip() != ">>>"]
    shown = "; ".join(line.removeprefix(">>> ").strip() for line in lines[-2:])
    return shown[:200]


def _what(call: Call) -> str:
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError:
        arguments = {}
    if not isinstance(arguments, dict):
        arguments = {}
    said = arguments.get("cmd") or str(arguments.get("chars", "")).strip() or arguments.get("path")
    patched = re.search(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$", str(arguments.get("input") or ""), re.M)
    said = said or (patched[1] if patched else "")
    said = str(said).splitlines()[0] if said else ""
    return f"`{call.tool}` (`{said}`)" if said else f"`{call.tool}`"


def report(messages: Sequence[Mapping[str, Any]]) -> str:
    """The answer after a plan: each call and what it printed (or that it failed), the session kept, and the end."""
    made = calls_made(messages)
    lines = []
    for number, call in enumerate(made, 1):
        printed = _printed(call.output)
        outcome = "failed" if failed(call.output) else "done"
        lines.append(f"{number}. {_what(call)}: {outcome}" + (f", output: {printed}" if printed else "."))
    sessions = {found[1] for call in made for found in _SESSION_ID.finditer(call.output)}
    summary = f"I made {len(made)} tool calls:"
    if len(sessions) == 1:
        summary = f"I made {len(made)} tool calls, all in the same process (session {next(iter(sessions))}):"
    ending = "One step failed twice, so I stopped there." if sum(failed(c.output) for c in made) >= 2 else "Done."
    return "\n".join([summary, *lines, ending])
