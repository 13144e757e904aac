"""The Responses tools whose calls the client runs, through the official SDK: `local_shell`, `shell` (the function
shell tool) and `apply_patch`. The model emits the call, the client sends its output back (by
`previous_response_id` or the whole input), and the answer reports what the output says."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.support.sdk import async_asgi_client
from tests.support.spec import assert_conforms, validate_component

_CALL = {"type": "shell_call", "call_id": "call_1", "action": {"commands": ["ls"]}}
_OUT = {"stdout": "", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}


def _raw(client: openai.OpenAI, **body: object) -> dict[str, Any]:
    raw = client.responses.with_raw_response.create(model=body.pop("model", "gpt-5.1"), **body)  # type: ignore[call-overload]
    data = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, data)
    return data  # type: ignore[no-any-return]


def _only(response: dict[str, Any], kind: str) -> dict[str, Any]:
    items = [item for item in response["output"] if item["type"] != "reasoning"]
    assert [item["type"] for item in items] == [kind]
    return items[0]


def _answer(response: dict[str, Any]) -> str:
    (message,) = [item for item in response["output"] if item["type"] == "message"]
    return str(message["content"][0]["text"])


# --------------------------------------------------------------------------------------------- shell


def test_shell_runs_the_back_quoted_command_then_reports_its_output(client: openai.OpenAI) -> None:
    tool = {"type": "shell", "environment": {"type": "local"}}
    first = _raw(client, input="Run `wc -l README.md` in the repo", tools=[tool])
    call = _only(first, "shell_call")
    assert call["id"].startswith("sh_") and call["status"] == "completed"
    assert call["action"] == {"commands": ["wc -l README.md"], "timeout_ms": None, "max_output_length": None}
    assert call["environment"] == {"type": "local"}
    assert first["usage"]["output_tokens"] > 0

    output = {"stdout": "412 README.md\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}
    second = _raw(
        client,
        previous_response_id=first["id"],
        input=[{"type": "shell_call_output", "call_id": call["call_id"], "output": [output]}],
        tools=[tool],
    )
    assert "412" in _answer(second)
    items = client.responses.input_items.list(second["id"])
    assert [item.type for item in items.data] == ["shell_call_output"]
    assert_conforms(
        "GET", "/v1/responses/{response_id}/input_items", 200, items.model_dump(mode="json", exclude_unset=True)
    )


@pytest.mark.parametrize(
    ("prompt", "command"),
    [("List the files in this project", "ls -la"), ("How much disk space is left?", "df -h")],
)
def test_shell_picks_a_command_for_what_is_asked(client: openai.OpenAI, prompt: str, command: str) -> None:
    call = _only(_raw(client, input=prompt, tools=[{"type": "shell"}]), "shell_call")
    assert call["action"]["commands"] == [command]


def test_shell_is_left_unused_when_nothing_is_to_be_run(client: openai.OpenAI) -> None:
    response = _raw(client, input="What is the capital of France?", tools=[{"type": "shell"}])
    assert [item["type"] for item in response["output"] if item["type"] != "reasoning"] == ["message"]
    forced = _raw(
        client, input="What is the capital of France?", tools=[{"type": "shell"}], tool_choice={"type": "shell"}
    )
    assert _only(forced, "shell_call")["action"]["commands"] == ["ls"]


def test_shell_output_sent_with_the_whole_input_is_answered(client: openai.OpenAI) -> None:
    tool = {"type": "shell"}
    first = _raw(client, input="Show me the python version", tools=[tool], store=False)
    call = _only(first, "shell_call")
    assert call["action"]["commands"] == ["python3 --version"]
    timed_out = {"stdout": "", "stderr": "Python 3.12.4\n", "outcome": {"type": "exit", "exit_code": 0}}
    second = _raw(
        client,
        input=[
            {"role": "user", "content": "Show me the python version"},
            call,
            {"type": "shell_call_output", "call_id": call["call_id"], "output": [timed_out]},
        ],
        tools=[tool],
    )
    assert "3.12.4" in _answer(second)


def test_streamed_shell_call_sends_its_command_events(client: openai.OpenAI) -> None:
    stream = client.responses.create(
        model="gpt-5.1",
        input="Run this:\n```\nls -la\ngit status\n```",
        tools=[{"type": "shell"}],
        stream=True,
        stream_options={"include_obfuscation": True},
    )
    events: list[dict[str, Any]] = [event.model_dump(mode="json", exclude_unset=True) for event in stream]
    for event in events:
        validate_component("ResponseStreamEvent", event)
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    # The shell call's own events, between its output_item.added and .done (a reasoning item may come first).
    at = next(
        i
        for i, e in enumerate(events)
        if e["type"] == "response.output_item.added" and e["item"]["type"] == "shell_call"
    )
    index = events[at]["output_index"]
    end = next(
        i for i, e in enumerate(events) if e["type"] == "response.output_item.done" and e["output_index"] == index
    )
    inner = events[at + 1 : end]
    assert all(event["type"].startswith("response.shell_call_command.") for event in inner)
    assert [event["type"].rsplit(".", 1)[-1] for event in inner if not event["type"].endswith("delta")] == [
        "added",
        "done",
        "added",
        "done",
    ]
    assert all(event["output_index"] == index for event in inner)
    done = [(e["command_index"], e["command"]) for e in inner if e["type"] == "response.shell_call_command.done"]
    assert done == [(0, "ls -la"), (1, "git status")]
    deltas = [event for event in inner if event["type"] == "response.shell_call_command.delta"]
    assert "".join(event["delta"] for event in deltas if event["command_index"] == 0) == "ls -la"
    assert all(event["obfuscation"] for event in deltas)
    assert events[at]["item"]["status"] == "in_progress" and events[at]["item"]["action"]["commands"] == []
    assert events[-1]["response"]["output"][index]["action"]["commands"] == ["ls -la", "git status"]


def test_a_hosted_container_runs_the_commands_itself(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("sales.csv", b"month,total\njan,10\nfeb,12\n"), purpose="user_data")
    tool = {"type": "shell", "environment": {"type": "container_auto", "file_ids": [uploaded.id]}}
    response = _raw(client, input="Run `ls` and `wc -l sales.csv`", tools=[tool])
    call, output, message = [item for item in response["output"] if item["type"] != "reasoning"]
    assert call["type"] == "shell_call" and call["action"]["commands"] == ["ls"]
    container_id = call["environment"]["container_id"]
    assert call["environment"]["type"] == "container_reference" and container_id.startswith("cntr_")
    assert client.containers.retrieve(container_id).id == container_id
    assert output["type"] == "shell_call_output" and output["call_id"] == call["call_id"]
    (chunk,) = output["output"]
    assert chunk["outcome"] == {"type": "exit", "exit_code": 0} and chunk["stderr"] == ""
    (listed,) = chunk["stdout"].splitlines()  # the uploaded file, under the name the container gives it
    assert (
        listed.endswith("sales.csv")
        and listed == client.containers.files.list(container_id).data[0].path.split("/")[-1]
    )
    assert listed in message["content"][0]["text"]

    again: Any = {"type": "shell", "environment": {"type": "container_reference", "container_id": container_id}}
    stream = client.responses.create(
        model="gpt-5.1",
        input=f"Run:\n```\ncat {listed}\ncat missing.txt\n```",
        tools=[again],
        stream=True,  # type: ignore[list-item]
    )
    events: list[dict[str, Any]] = [event.model_dump(mode="json", exclude_unset=True) for event in stream]
    for event in events:
        validate_component("ResponseStreamEvent", event)
    done = [event for event in events if event["type"] == "response.shell_call_output_content.done"]
    assert [event["command_index"] for event in done] == [0, 1]
    assert done[0]["output"][0]["stdout"].startswith("month,total")
    assert done[1]["output"][0]["outcome"] == {"type": "exit", "exit_code": 1}
    assert "No such file" in done[1]["output"][0]["stderr"]
    with pytest.raises(openai.NotFoundError) as missing:
        gone: Any = {"type": "shell", "environment": {"type": "container_reference", "container_id": "cntr_nope"}}
        client.responses.create(model="gpt-5.1", input="Run `ls`", tools=[gone])
    assert "cntr_nope" in missing.value.body["message"]  # type: ignore[index]


# --------------------------------------------------------------------------------------------- local_shell


def test_local_shell_exec_action_and_its_output_answered(client: openai.OpenAI) -> None:
    first = _raw(client, model="codex-mini-latest", input="List the files here", tools=[{"type": "local_shell"}])
    call = _only(first, "local_shell_call")
    assert call["id"].startswith("lsh_")
    assert call["action"] == {
        "type": "exec",
        "command": ["ls", "-la"],
        "env": {},
        "timeout_ms": None,
        "user": None,
        "working_directory": None,
    }
    piped = _only(
        _raw(client, model="codex-mini-latest", input="Run `ps aux | grep python`", tools=[{"type": "local_shell"}]),
        "local_shell_call",
    )
    assert piped["action"]["command"] == ["bash", "-lc", "ps aux | grep python"]

    output = json.dumps({"stdout": "app.py\nsetup.cfg\n", "stderr": "", "exit_code": 0})
    # The SDK's type names the call by `id`; the real API's docs by `call_id`: both are accepted, and the call's
    # item id as well as its call id.
    for reference in ({"id": call["call_id"]}, {"call_id": call["call_id"]}, {"id": call["id"]}):
        second = _raw(
            client,
            model="codex-mini-latest",
            previous_response_id=first["id"],
            input=[{"type": "local_shell_call_output", "output": output, **reference}],
            tools=[{"type": "local_shell"}],
        )
        assert "setup.cfg" in _answer(second)
        (sent,) = client.responses.input_items.list(second["id"]).data
        assert sent.call_id == call["call_id"] and sent.id not in (call["id"], call["call_id"])  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------- apply_patch


def test_apply_patch_creates_then_updates_the_named_file(client: openai.OpenAI) -> None:
    tool = {"type": "apply_patch"}
    first = _raw(client, input="Create a file docs/usage.md describing the command line", tools=[tool])
    call = _only(first, "apply_patch_call")
    assert call["id"].startswith("apc_") and call["status"] == "completed"
    operation = call["operation"]
    assert (operation["type"], operation["path"]) == ("create_file", "docs/usage.md")
    lines = operation["diff"].splitlines()
    assert lines[0].startswith("+# ") and all(line.startswith("+") for line in lines)

    done = _raw(
        client,
        previous_response_id=first["id"],
        input=[{"type": "apply_patch_call_output", "call_id": call["call_id"], "status": "completed", "output": None}],
        tools=[tool],
    )
    assert "applied" in _answer(done)
    again = _raw(client, previous_response_id=done["id"], input="Now add an example to docs/usage.md", tools=[tool])
    update = _only(again, "apply_patch_call")["operation"]
    assert (update["type"], update["path"]) == ("update_file", "docs/usage.md")
    assert update["diff"].startswith("@@\n+")


def test_apply_patch_deletes_and_failed_patches_are_reported(client: openai.OpenAI) -> None:
    tool = {"type": "apply_patch"}
    first = _raw(client, input="Delete the file old_config.yaml, it is unused", tools=[tool])
    call = _only(first, "apply_patch_call")
    assert call["operation"] == {"type": "delete_file", "path": "old_config.yaml"}
    failed = _raw(
        client,
        previous_response_id=first["id"],
        input=[
            {
                "type": "apply_patch_call_output",
                "call_id": call["call_id"],
                "status": "failed",
                "output": "old_config.yaml: no such file",
            }
        ],
        tools=[tool],
    )
    assert "no such file" in _answer(failed)


def test_a_file_edit_goes_to_apply_patch_and_a_question_to_no_tool(client: openai.OpenAI) -> None:
    tools = [{"type": "shell"}, {"type": "apply_patch"}]
    edit = _raw(client, input="Fix the typo in src/app.py", tools=tools)
    assert _only(edit, "apply_patch_call")["operation"]["type"] == "update_file"
    run = _raw(client, input="Run `pytest -q`", tools=tools)
    assert _only(run, "shell_call")["action"]["commands"] == ["pytest -q"]
    touch = _raw(client, input="Run `touch new.txt`", tools=tools)  # a command naming a file: still a command
    assert _only(touch, "shell_call")["action"]["commands"] == ["touch new.txt"]
    chat = _raw(client, input="Tell me a joke", tools=tools)
    assert [item["type"] for item in chat["output"] if item["type"] != "reasoning"] == ["message"]


# --------------------------------------------------------------------------------------------- bad input


def test_an_output_must_answer_a_call(client: openai.OpenAI) -> None:
    item: Any = {"type": "shell_call_output", "call_id": "call_nope", "output": [_OUT]}
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-5.1",
            input=[item],
            tools=[{"type": "shell"}],
        )
    assert raised.value.body["param"] == "input"  # type: ignore[index]
    assert "call_nope" in raised.value.body["message"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("items", "param"),
    [
        ([{"type": "shell_call", "call_id": "call_1"}], "input[0].action"),
        ([{"type": "shell_call", "call_id": "call_1", "action": {"commands": "ls"}}], "input[0].action.commands"),
        ([_CALL, {"type": "shell_call_output", "call_id": "call_1"}], "input[1].output"),
        (
            [_CALL, {"type": "shell_call_output", "call_id": "call_1", "output": [{**_OUT, "outcome": {"type": "x"}}]}],
            "input[1].output[0].outcome.type",
        ),
        (
            [_CALL, {"type": "shell_call_output", "call_id": "call_1", "output": [{"stdout": "", "outcome": {}}]}],
            "input[1].output[0].stderr",
        ),
        ([{"type": "local_shell_call", "call_id": "c", "action": {"type": "exec"}}], "input[0].action.command"),
        ([{"type": "local_shell_call_output", "output": "x"}], "input[0].call_id"),
        (
            [{"type": "apply_patch_call", "call_id": "c", "status": "completed", "operation": {"type": "move_file"}}],
            "input[0].operation.type",
        ),
        (
            [
                {
                    "type": "apply_patch_call",
                    "call_id": "c",
                    "status": "completed",
                    "operation": {"type": "create_file", "path": "a.txt"},
                }
            ],
            "input[0].operation.diff",
        ),
        ([{"type": "apply_patch_call_output", "call_id": "c"}], "input[0].status"),
    ],
)
def test_malformed_items_are_400_naming_the_param(
    client: openai.OpenAI, items: list[dict[str, object]], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-5.1", input=items, tools=[{"type": "shell"}])  # type: ignore[arg-type]
    assert raised.value.body["param"] == param  # type: ignore[index]


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "shell", "environment": {"type": "cloud"}}, "tools[0].environment.type"),
        ({"type": "shell", "environment": {"type": "container_reference"}}, "tools[0].environment.container_id"),
        ({"type": "shell", "environment": "local"}, "tools[0].environment"),
        ({"type": "apply_patch", "allowed_callers": ["someone"]}, "tools[0].allowed_callers[0]"),
    ],
)
def test_bad_tool_params_are_400_naming_the_param(client: openai.OpenAI, tool: dict[str, object], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-5.1", input="Hi", tools=[tool])  # type: ignore[list-item]
    assert raised.value.body["param"] == param  # type: ignore[index]


def test_local_shell_cannot_be_forced_and_a_choice_must_be_declared(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as forced:
        forcing: Any = {"type": "local_shell"}
        client.responses.create(model="gpt-5.1", input="Hi", tools=[{"type": "local_shell"}], tool_choice=forcing)
    assert forced.value.body["param"] == "tool_choice.type"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as undeclared:
        client.responses.create(
            model="gpt-5.1", input="Hi", tools=[{"type": "shell"}], tool_choice={"type": "apply_patch"}
        )
    assert undeclared.value.body["param"] == "tool_choice"  # type: ignore[index]


def test_a_reasoning_model_thinks_before_the_call_and_required_forces_one(client: openai.OpenAI) -> None:
    response = _raw(client, model="o4-mini", input="List the files", tools=[{"type": "shell"}])
    reasoning, call = response["output"]
    assert (reasoning["type"], call["type"]) == ("reasoning", "shell_call")
    usage = response["usage"]
    assert 0 < usage["output_tokens_details"]["reasoning_tokens"] < usage["output_tokens"]
    plain = _raw(client, model="gpt-4.1", input="Say hi", tools=[{"type": "apply_patch"}], tool_choice="required")
    assert _only(plain, "apply_patch_call")["operation"]["type"] == "create_file"


# --------------------------------------------------------------------------------------------- an agents framework


def test_the_agents_sdk_runs_shell_and_apply_patch_loops(mock_app: Any) -> None:
    """The OpenAI Agents SDK's ShellTool and ApplyPatchTool: the framework runs the call the mock makes, sends the
    output back, and the run ends on an answer that reports it."""

    import agents

    from tests.support.loop import run_on_private_loop

    agents.set_tracing_disabled(True)
    client = async_asgi_client(mock_app, "sk-agents-shell")
    model = agents.OpenAIResponsesModel(model="gpt-5.1", openai_client=client)
    ran: list[list[str]] = []

    def executor(request: Any) -> str:
        ran.append(list(request.data.action.commands))
        return "Filesystem Size Used Avail\n/dev/sda1 100G 42G 58G"

    shell_agent = agents.Agent(name="Ops", tools=[agents.ShellTool(executor=executor)], model=model)
    result = run_on_private_loop(agents.Runner.run(shell_agent, "How much disk space is left?"))
    assert ran == [["df -h"]]
    assert "58G" in result.final_output

    edits: list[tuple[str, str]] = []

    class Editor:
        def create_file(self, operation: Any) -> str:
            edits.append(("create", operation.path))
            return f"Created {operation.path}"

        def update_file(self, operation: Any) -> str:
            edits.append(("update", operation.path))
            return f"Updated {operation.path}"

        def delete_file(self, operation: Any) -> str:
            edits.append(("delete", operation.path))
            return f"Deleted {operation.path}"

    patch_agent = agents.Agent(name="Editor", tools=[agents.ApplyPatchTool(editor=Editor())], model=model)
    result = run_on_private_loop(agents.Runner.run(patch_agent, "Create a file hello.py that prints a greeting"))
    assert edits == [("create", "hello.py")]
    assert "Created hello.py" in result.final_output
