"""Multi-step tasks over function tools, through the official SDK: after each tool result the model takes the plan's
next step (a numbered plan's next named tool; an interactive program's next input, written to the session id its
start reported) and answers once the steps are done, reporting what each call did."""

from __future__ import annotations

import json
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from tests.support.sdk import held


def _function(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties, "required": required}
    return {"type": "function", "name": name, "description": f"The sandbox's {name}.", "parameters": parameters}


EXEC = _function(
    "exec_command",
    {"cmd": {"type": "string"}, "workdir": {"type": "string"}, "tty": {"type": "boolean"}},
    ["cmd"],
)
STDIN = _function("write_stdin", {"session_id": {"type": "integer"}, "chars": {"type": "string"}}, ["session_id"])
READ = _function("read_file", {"path": {"type": "string"}}, ["path"])
TOOLS = [EXEC, STDIN, READ]

PLAN = """Finish the release check in this folder:

1. Call `read_file` with `CHANGELOG.md`.
2. Call `exec_command` with `pytest -q tests/test_release.py`.
3. Call `read_file` with `version.txt`.
4. Reply with the version and the test result."""

PTY_TASK = (
    "Start an interactive Python session. In that same session, compute `6 * 7`, then add 8 more to the previous "
    "result. Report the outputs."
)


def _respond(client: openai.OpenAI, items: list[dict[str, Any]], tool_choice: str = "auto") -> Response:
    raw = client.responses.with_raw_response.create(  # type: ignore[call-overload]
        model="gpt-5.1", input=items, tools=TOOLS, tool_choice=tool_choice, parallel_tool_calls=False
    )
    return Response.model_validate(held(Response, raw))


def _calls(response: Response) -> list[Any]:
    return [item for item in response.output if item.type == "function_call"]


def _ran(items: list[dict[str, Any]], response: Response, output: str) -> None:
    """The client's side: the call goes back in the input with what the tool printed."""
    (call,) = _calls(response)
    items.append({"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments})
    items.append({"type": "function_call_output", "call_id": call.call_id, "output": output})


def test_responses_numbered_plan_takes_each_step_in_order_then_reports(client: openai.OpenAI) -> None:
    items: list[dict[str, Any]] = [{"role": "user", "content": PLAN}]
    first = _respond(client, items, tool_choice="required")
    assert [(c.name, json.loads(c.arguments)["path"]) for c in _calls(first)] == [("read_file", "CHANGELOG.md")]
    _ran(items, first, "## 2.4.0\n- Faster exports")
    # The SDK resets tool_choice after the first call: the plan, not the choice, asks for the next steps.
    second = _respond(client, items)
    (run,) = _calls(second)
    assert (run.name, json.loads(run.arguments)["cmd"]) == ("exec_command", "pytest -q tests/test_release.py")
    _ran(items, second, "Process exited with code 0\nOutput:\n3 passed in 0.02s")
    third = _respond(client, items)
    assert [(c.name, json.loads(c.arguments)["path"]) for c in _calls(third)] == [("read_file", "version.txt")]
    _ran(items, third, "2.4.0")
    answer = _respond(client, items)
    assert _calls(answer) == []
    assert "3 passed" in answer.output_text and "2.4.0" in answer.output_text
    assert "`exec_command` (`pytest -q tests/test_release.py`): done" in answer.output_text


def test_responses_pty_task_writes_to_the_session_id_its_start_printed(client: openai.OpenAI) -> None:
    items: list[dict[str, Any]] = [{"role": "user", "content": PTY_TASK}]
    first = _respond(client, items, tool_choice="required")
    (start,) = _calls(first)
    assert (start.name, json.loads(start.arguments)) == ("exec_command", {"cmd": "python3", "tty": True})
    _ran(items, first, "Wall time: 0.2 seconds\nProcess running with session ID 40417\nOutput:\nPython 3.11.7\n>>> ")
    second = _respond(client, items)
    (typed,) = _calls(second)
    assert (typed.name, json.loads(typed.arguments)) == ("write_stdin", {"session_id": 40417, "chars": "6 * 7\n"})
    _ran(items, second, "Process running with session ID 40417\nOutput:\n6 * 7\n42\n>>> ")
    third = _respond(client, items)
    (more,) = _calls(third)
    assert (more.name, json.loads(more.arguments)) == ("write_stdin", {"session_id": 40417, "chars": "_ + 8\n"})
    _ran(items, third, "Process running with session ID 40417\nOutput:\n_ + 8\n50\n>>> ")
    answer = _respond(client, items)
    assert _calls(answer) == []
    assert "same process (session 40417)" in answer.output_text and "50" in answer.output_text


def test_responses_never_writes_to_a_session_no_output_reported(client: openai.OpenAI) -> None:
    prompt = "Open a session with the shell and save the summary to notes.md, then write it to stdin."
    first = _respond(client, [{"role": "user", "content": prompt}], tool_choice="required")
    assert [call.name for call in _calls(first)] != ["write_stdin"]


def test_responses_plan_stops_after_a_tool_failed_twice(client: openai.OpenAI) -> None:
    items: list[dict[str, Any]] = [{"role": "user", "content": PLAN}]
    first = _respond(client, items, tool_choice="required")
    _ran(items, first, "read_file failed: No such file or directory")
    second = _respond(client, items)
    _ran(items, second, "Process exited with code 2\nOutput:\nERROR: file not found")
    answer = _respond(client, items)
    assert _calls(answer) == []
    assert "failed twice" in answer.output_text


def _chat(client: openai.OpenAI, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ChatCompletion:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=messages, tools=tools)  # type: ignore[arg-type]
    return ChatCompletion.model_validate(held(ChatCompletion, raw))


def test_chat_numbered_plan_takes_the_next_step_after_a_tool_result(client: openai.OpenAI) -> None:
    tools = [{"type": "function", "function": {k: v for k, v in tool.items() if k != "type"}} for tool in TOOLS]
    messages: list[dict[str, Any]] = [{"role": "user", "content": PLAN}]
    first = _chat(client, messages, tools)
    (call,) = first.choices[0].message.tool_calls or []
    messages += [
        {"role": "assistant", "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "## 2.4.0"},
    ]
    second = _chat(client, messages, tools)
    (run,) = second.choices[0].message.tool_calls or []
    assert run.type == "function"
    assert run.function.name == "exec_command"
    assert json.loads(run.function.arguments)["cmd"] == "pytest -q tests/test_release.py"
    assert second.choices[0].finish_reason == "tool_calls"


# A free-form patch tool as sandbox agents declare it: custom, with a Lark grammar of the patch envelope.
PATCH_GRAMMAR = r"""start: "*** Begin Patch" LF op+ "*** End Patch" LF?
op: "*** Add File: " /.+/ LF added+ | "*** Update File: " /.+/ LF "@@" LF changed+ | "*** Delete File: " /.+/ LF
added: "+" /.*/ LF
changed: /[ +-]/ /.*/ LF
%import common.LF"""
PATCH: dict[str, Any] = {
    "type": "custom",
    "name": "apply_patch",
    "description": "Edit files with a patch envelope.",
    "format": {"type": "grammar", "syntax": "lark", "definition": PATCH_GRAMMAR},
}
PROCEDURE = """You check release folders. Follow this sequence:
1. List the files in `.`.
2. Create `out/status.txt` with exactly these lines:
   build=green
3. Use the apply_patch tool to update that file so it has exactly these lines:
   build=green
   docs=done
4. Print `out/status.txt` from the shell."""


def _sandbox_turn(
    client: openai.OpenAI, items: list[dict[str, Any]], tool_choice: str = "auto", instructions: str = PROCEDURE
) -> Response:
    raw = client.responses.with_raw_response.create(  # type: ignore[call-overload]
        model="gpt-5.1", instructions=instructions, input=items, tools=[EXEC, PATCH], tool_choice=tool_choice
    )
    return Response.model_validate(held(Response, raw))


def _sandbox_call(items: list[dict[str, Any]], response: Response, output: str) -> tuple[str, str]:
    """The one call the turn made, sent back with its output: (tool, its command or patch)."""
    (call,) = [item for item in response.output if item.type in ("function_call", "custom_tool_call")]
    if call.type == "custom_tool_call":
        items.append({"type": "custom_tool_call", "call_id": call.call_id, "name": call.name, "input": call.input})
        items.append({"type": "custom_tool_call_output", "call_id": call.call_id, "output": output})
        return call.name, call.input
    items.append({"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments})
    items.append({"type": "function_call_output", "call_id": call.call_id, "output": output})
    return call.name, json.loads(call.arguments)["cmd"]


def test_responses_instructions_procedure_runs_step_by_step_with_a_grammar_patch_tool(client: openai.OpenAI) -> None:
    items: list[dict[str, Any]] = [{"role": "user", "content": "Run the release check now."}]
    done = "Process exited with code 0\nOutput:\n"
    made = [_sandbox_call(items, _sandbox_turn(client, items, "required"), done + "out\nREADME.md")]
    made.append(_sandbox_call(items, _sandbox_turn(client, items), "Created out/status.txt"))
    made.append(_sandbox_call(items, _sandbox_turn(client, items), "Updated out/status.txt"))
    made.append(_sandbox_call(items, _sandbox_turn(client, items), done + "build=green\ndocs=done"))
    assert made == [
        ("exec_command", "ls -la ."),
        ("apply_patch", "*** Begin Patch\n*** Add File: out/status.txt\n+build=green\n*** End Patch\n"),
        (
            "apply_patch",
            "*** Begin Patch\n*** Update File: out/status.txt\n@@\n build=green\n+docs=done\n*** End Patch\n",
        ),
        ("exec_command", "cat out/status.txt"),
    ]
    answer = _sandbox_turn(client, items)
    assert [item.type for item in answer.output if item.type != "reasoning"] == ["message"]
    assert "I made 4 tool calls" in answer.output_text and "docs=done" in answer.output_text


def test_responses_unnumbered_task_lists_then_writes_notes_of_what_it_found(client: openai.OpenAI) -> None:
    items: list[dict[str, Any]] = [
        {"role": "user", "content": "Inspect the repo, then save your notes to `notes/repo.md`."}
    ]
    told = "You keep notes on repositories."
    first = _sandbox_turn(client, items, "required", told)
    listed = _sandbox_call(items, first, "Process exited with code 0\nOutput:\nsetup.py")
    tool, patch = _sandbox_call(items, _sandbox_turn(client, items, instructions=told), "Created notes/repo.md")
    assert listed == ("exec_command", "ls -la .")
    assert tool == "apply_patch" and patch.startswith("*** Begin Patch\n*** Add File: notes/repo.md\n+# ")
    assert "+- `exec_command` (`ls -la .`): setup.py\n" in patch
