"""The turn planner (`generation/plans.py`): a plan's next call from the task and the calls made so far."""

from __future__ import annotations

import json
from typing import Any

from openai_mock.generation import plans

OFFERED = ("exec_command", "write_stdin", "view_image", "apply_patch")
TASK = """Do this:

1. Call `exec_command` with `cat brief.md`.
2. Call `view_image` with `page.png`.
3. Use `apply_patch` on `notes.md` to change `a=1` to `a=2`.
4. Reply with what you saw."""


def _exchange(number: int, name: str, arguments: dict[str, Any], output: str) -> list[dict[str, Any]]:
    call = {"id": f"call_{number}", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": f"call_{number}", "content": output},
    ]


def test_numbered_steps_keep_only_the_steps_naming_an_offered_tool_in_order() -> None:
    assert [step.tool for step in plans.numbered_steps(TASK, OFFERED)] == ["exec_command", "view_image", "apply_patch"]
    assert plans.numbered_steps("Call `exec_command` with `ls`.", OFFERED) == []


def test_next_step_follows_the_calls_made_and_stops_when_the_steps_are_done() -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": TASK}]
    assert plans.next_step(messages, OFFERED).tool == "exec_command"  # type: ignore[union-attr]
    messages += _exchange(1, "exec_command", {"cmd": "cat brief.md"}, "Process exited with code 0\nOutput:\nhi")
    step = plans.next_step(messages, OFFERED)
    assert step is not None and step.tool == "view_image" and "page.png" in step.text
    messages += _exchange(2, "view_image", {"path": "page.png"}, "")
    assert plans.next_step(messages, OFFERED).tool == "apply_patch"  # type: ignore[union-attr]
    messages += _exchange(3, "apply_patch", {"input": "*** Begin Patch"}, "Updated notes.md")
    assert plans.next_step(messages, OFFERED) is None
    assert plans.ran_plan(messages, OFFERED)


def test_a_new_user_message_starts_a_new_run() -> None:
    messages = [{"role": "user", "content": TASK}, *_exchange(1, "exec_command", {"cmd": "cat brief.md"}, "ok")]
    messages.append({"role": "user", "content": TASK})
    assert plans.next_step(messages, OFFERED).tool == "exec_command"  # type: ignore[union-attr]


def test_pty_task_starts_the_program_then_writes_each_input_to_the_reported_session() -> None:
    task = "Start an interactive Python session, compute `2 + 2`, then multiply the previous result by 3."
    messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
    assert plans.next_step(messages, OFFERED).arguments == {"cmd": "python3", "tty": True}  # type: ignore[union-attr]
    messages += _exchange(1, "exec_command", {"cmd": "python3"}, "Process running with session ID 777\nOutput:\n>>>")
    assert plans.next_step(messages, OFFERED).arguments == {"session_id": 777, "chars": "2 + 2\n"}  # type: ignore[union-attr]
    messages += _exchange(2, "write_stdin", {"session_id": 777}, "Process running with session ID 777\nOutput:\n4")
    assert plans.next_step(messages, OFFERED).arguments == {"session_id": 777, "chars": "_ * 3\n"}  # type: ignore[union-attr]


def test_no_write_to_a_process_that_exited() -> None:
    task = "Start an interactive Python session and compute `1 + 1`."
    messages = [{"role": "user", "content": task}, *_exchange(1, "exec_command", {}, "Process exited with code 1")]
    assert plans.needs_session("write_stdin", messages)
    assert plans.next_step(messages, OFFERED) is None


def test_the_run_stops_after_two_failures_and_the_report_says_so() -> None:
    messages = [{"role": "user", "content": TASK}]
    messages += _exchange(1, "exec_command", {"cmd": "cat brief.md"}, "Process exited with code 1\nOutput:\nno")
    messages += _exchange(2, "view_image", {"path": "page.png"}, "view_image failed: not found")
    assert plans.next_step(messages, OFFERED) is None
    assert "failed twice" in plans.report(messages)


def test_the_run_never_makes_more_than_max_calls() -> None:
    steps = "\n".join(f"{n}. Call `exec_command` with `echo {n}`." for n in range(1, 12))
    messages: list[dict[str, Any]] = [{"role": "user", "content": steps}]
    for number in range(plans.MAX_CALLS):
        messages += _exchange(number, "exec_command", {"cmd": "echo"}, "Process exited with code 0")
    assert plans.next_step(messages, OFFERED) is None


SANDBOX = ("exec_command", "write_stdin", "view_image", "apply_patch", "load_skill")
PROCEDURE = """Check the workspace, then answer in one line. Follow this sequence:
1. Inspect the workspace root at `.`.
2. Use the `release-check` skill.
3. Create `out/status.txt` with exactly these lines:
   build=green
4. Use the apply_patch tool to update that file so it has exactly these lines:
   build=green
   docs=done
5. Create `out/tmp.txt`, then delete it.
6. Print `out/status.txt` from the shell.

Other rules:
1. Be brief."""


def test_a_procedure_of_the_instructions_is_planned_with_each_steps_own_tool_and_arguments() -> None:
    messages = [{"role": "system", "content": PROCEDURE}, {"role": "user", "content": "Run the check now."}]
    steps = [(step.tool, step.arguments) for step in plans.plan_of(messages, SANDBOX)]
    assert steps == [
        ("exec_command", {"cmd": "ls -la ."}),
        ("load_skill", {"skill_name": "release-check"}),
        ("apply_patch", {"input": "*** Begin Patch\n*** Add File: out/status.txt\n+build=green\n*** End Patch\n"}),
        (
            "apply_patch",  # the update's hunk keeps the line the earlier step wrote as context
            {
                "input": "*** Begin Patch\n*** Update File: out/status.txt\n@@\n build=green\n+docs=done\n"
                "*** End Patch\n"
            },
        ),
        ("apply_patch", steps[4][1]),
        ("exec_command", {"cmd": "cat out/status.txt"}),
    ]
    created_then_deleted = str((steps[4][1] or {})["input"])  # "create it, then delete it": one edit
    assert created_then_deleted.startswith("*** Begin Patch\n*** Add File: out/tmp.txt\n+")
    assert created_then_deleted.endswith("*** Delete File: out/tmp.txt\n*** End Patch\n")


def test_instructions_without_a_procedure_plan_nothing() -> None:
    told = "Rules:\n1. Read files before answering.\n2. Run the tests when asked."
    messages = [{"role": "system", "content": told}, {"role": "user", "content": "What is in README.md?"}]
    assert plans.plan_of(messages, SANDBOX) == []


def test_an_unnumbered_task_is_split_into_its_actions_and_notes_say_what_earlier_calls_found() -> None:
    task = "Inspect the repo, then write notes to `notes/summary.md`."
    messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
    first = plans.next_step(messages, SANDBOX)
    assert first is not None and (first.tool, first.arguments) == ("exec_command", {"cmd": "ls -la ."})
    messages += _exchange(1, "exec_command", {"cmd": "ls -la ."}, "Process exited with code 0\nOutput:\nREADME.md\nsrc")
    second = plans.next_step(messages, SANDBOX)
    assert second is not None and second.tool == "apply_patch"
    patch = (second.arguments or {})["input"]
    assert patch.startswith("*** Begin Patch\n*** Add File: notes/summary.md\n+# ")
    assert "+- `exec_command` (`ls -la .`): README.md; src\n" in patch


def test_a_task_asking_for_one_action_stays_ordinary_tool_use() -> None:
    assert plans.task_steps("Read `README.md` and tell me what it says.", SANDBOX) == []
    assert plans.task_steps("List the files, then read `a.txt`.", ("get_weather",)) == []
    assert [s.arguments for s in plans.task_steps("List the files, then read `a.txt`.", SANDBOX)] == [
        {"cmd": "ls -la ."},
        {"cmd": "cat a.txt"},
    ]
