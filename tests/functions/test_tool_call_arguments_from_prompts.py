"""The arguments a tool call takes from the prompt, as a model fills them, through the official SDK (and the Agents
SDK where its loop is what broke): an identifier parameter takes the identifier the user wrote; a parameter that is
the user's message takes it whole; a `<thing>_name` takes the thing the prompt (or its list) names; the step of a
numbered list that names a tool gives that tool's arguments; a patch tool writes the lines the prompt spells out; a
deferred top-level tool is called under a namespace of its own name; a hosted shell runs the skill a prompt names."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import agents
import openai
import pytest
from openai.types.chat import ChatCompletion
from openai.types.responses import Response, ResponseFunctionShellToolCall
from openai.types.responses.response_container_reference import ResponseContainerReference

from openai_mock.generation import extract
from openai_mock.local.server import TemplateRouter
from tests.functions.test_responses_custom_grammar import APPLY_PATCH
from tests.support.loop import run_on_private_loop
from tests.support.sdk import async_asgi_client, held
from tests.support.spec import assert_conforms


def _function(name: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


def _arguments(client: openai.OpenAI, prompt: str, tool: dict[str, Any]) -> Any:
    """The arguments of the call the model makes to `tool` (forced, so only the arguments are under test)."""
    raw = client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
        model="gpt-4.1",
        messages=[{"role": "user", "content": prompt}],
        tools=[tool],
        tool_choice={"type": "function", "function": {"name": tool["function"]["name"]}},
    )
    body = held(ChatCompletion, raw)
    return json.loads(body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])


def _response(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = held(Response, client.responses.with_raw_response.create(model="gpt-5.4", **body))
    assert_conforms("POST", "/v1/responses", 200, data)
    return data


# --------------------------------------------------------------------------------------------- identifiers

PROFILE = _function(
    "get_customer_profile",
    "Fetch a CRM customer profile.",
    customer_id={"type": "string", "description": "The CRM customer identifier to look up."},
)


@pytest.mark.parametrize(
    ("prompt", "tool", "expected"),
    [
        ("Look up customer_42 and list their open orders.", PROFILE, {"customer_id": "customer_42"}),
        ("Fetch profile for customer 104.", PROFILE, {"customer_id": "104"}),
        (
            "Where is my parcel? It shipped on 2026-03-01, tracking number 1Z999AA10123456784.",
            _function("track", "Track a parcel.", tracking_number={"type": "string"}),
            {"tracking_number": "1Z999AA10123456784"},
        ),
        (
            "Can you get my ETA for ZX-123?",
            _function("eta", "Shipment ETA.", tracking={"type": "string", "description": "The shipment's ID."}),
            {"tracking": "ZX-123"},
        ),
        (
            "Refund invoice inv_2001 for order ORD-1001 (3 items, $125.00).",
            _function("refund", "Refund.", order_id={"type": "string"}, invoice_id={"type": "string"}),
            {"order_id": "ORD-1001", "invoice_id": "inv_2001"},
        ),
    ],
)
def test_an_identifier_parameter_takes_the_identifier_the_prompt_gives(
    client: openai.OpenAI, prompt: str, tool: dict[str, Any], expected: dict[str, str]
) -> None:
    assert _arguments(client, prompt, tool) == expected


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Inspect proposal alpha and report its risk.", {"proposal": "alpha"}),  # the hosted multi-agent example
        ("Compare it with proposal `beta-2`.", {"proposal": "beta-2"}),
        ("What is the proposal for the budget?", None),  # "proposal for": no value given
    ],
)
def test_a_value_written_after_the_parameters_name_is_taken(
    client: openai.OpenAI, prompt: str, expected: dict[str, str] | None
) -> None:
    tool = _function("get_proposal", "Return one proposal's details.", proposal={"type": "string"})
    arguments = _arguments(client, prompt, tool)
    if expected is None:
        assert arguments["proposal"] not in ("for", "the")
    else:
        assert arguments == expected


# --------------------------------------------------------------------------------------------- the user's message


def test_a_parameter_described_as_the_users_message_takes_it_whole(client: openai.OpenAI) -> None:
    echo = _function("echo", "Echo a query.", query={"type": "string", "description": "The user's request, as is."})
    assert _arguments(client, "Fetch profile for customer 104.", echo) == {"query": "Fetch profile for customer 104."}
    plain = _function("search", "Search the notes.", query={"type": "string"})
    assert _arguments(client, "Search for customer 104.", plain) == {"query": "customer 104"}  # a search phrase


def test_instructions_that_pass_the_user_input_as_an_argument_are_followed() -> None:
    """The layer's half (the chat machinery hands the extractor the system's words: docs/generation.md)."""
    told = "You must call approved_echo once. Pass the user input as the 'query' argument."
    picked = extract.Extractor.of("Fetch profile for customer 104.", instructions=told).pick("query", "string", {})
    assert picked == "Fetch profile for customer 104."
    untold = extract.Extractor.of("Fetch profile for customer 104.", instructions="Be brief.")
    assert untold.pick("query", "string", {}) == "customer 104"


# --------------------------------------------------------------------------------------------- named things

LOAD_SKILL = _function("load_skill", "Load one lazily configured skill.", skill_name={"type": "string"})


def test_a_name_parameter_takes_the_thing_the_prompt_names(client: openai.OpenAI) -> None:
    prompt = "Open `repo/task.md`, use the `$credit-note-fixer` skill, fix the bug, and summarize."
    assert _arguments(client, prompt, LOAD_SKILL) == {"skill_name": "credit-note-fixer"}
    listed = _function(
        "load_skill",
        "Load a skill.",
        skill_name={"type": "string", "description": "The skill to load. Available skills:\n- pdf-tools\n- csv-kit"},
    )
    assert _arguments(client, "Summarise report.csv, csv-kit should help", listed) == {"skill_name": "csv-kit"}


def test_a_name_parameter_takes_the_one_the_instructions_list() -> None:
    """A skill the instructions list (the Agents SDK's sandbox lists its lazy skills there), chosen as they say."""
    instructions = (
        "4. Use the `capability-proof` skill.\n5. Then stop.\n\n### Available skills\n"
        "- capability-proof: Verifies the sandbox. (file: .agents/capability-proof)\n- other-skill: Something else.\n"
    )
    said = "Run the smoke test now."
    picked = extract.Extractor.of(said, instructions=instructions).pick("skill_name", "string", {})
    assert picked == "capability-proof"


# --------------------------------------------------------------------------------------------- steps

STEPS = """Complete task-a in your working directory:

1. Call `exec_command` with `cp reference.png page.png && cat brief.md`.
2. Call `view_image` with `page.png` and identify its color.
3. Use `apply_patch` on `notes.md` to change only `status=pending-task-a` to
   `status=complete-task-a`.
4. Reply with the task name and the color."""


def test_the_step_that_names_a_tool_gives_its_arguments(client: openai.OpenAI) -> None:
    shell = _function("exec_command", "Run a command.", cmd={"type": "string", "description": "Shell command."})
    image = _function("view_image", "Look at an image.", path={"type": "string", "description": "The image path."})
    assert _arguments(client, STEPS, shell) == {"cmd": "cp reference.png page.png && cat brief.md"}
    assert _arguments(client, STEPS, image) == {"path": "page.png"}


def test_a_patch_tool_writes_the_change_the_step_spells_out(client: openai.OpenAI) -> None:
    body = _response(client, input=STEPS, tools=[APPLY_PATCH], tool_choice={"type": "custom", "name": "apply_patch"})
    (call,) = [item for item in body["output"] if item["type"] == "custom_tool_call"]
    assert call["input"] == (
        "*** Begin Patch\n*** Update File: notes.md\n@@\n-status=pending-task-a\n+status=complete-task-a\n"
        "*** End Patch\n"
    )


def test_a_patch_tool_writes_the_lines_the_prompt_gives(client: openai.OpenAI) -> None:
    prompt = (
        "Create `verification/capabilities.txt` with exactly these two lines:\n   skill_loaded=true\n   codename=atlas"
    )
    body = _response(client, input=prompt, tools=[APPLY_PATCH], tool_choice={"type": "custom", "name": "apply_patch"})
    (call,) = [item for item in body["output"] if item["type"] == "custom_tool_call"]
    assert call["input"] == (
        "*** Begin Patch\n*** Add File: verification/capabilities.txt\n+skill_loaded=true\n+codename=atlas\n"
        "*** End Patch\n"
    )


# --------------------------------------------------------------------------------------------- deferred tools

ETA = {
    "type": "function",
    "name": "get_shipping_eta",
    "description": "Look up a shipment ETA by tracking number.",
    "parameters": {
        "type": "object",
        "properties": {"tracking_number": {"type": "string", "description": "The shipment tracking number."}},
        "required": ["tracking_number"],
        "additionalProperties": False,
    },
    "defer_loading": True,
}


def test_a_deferred_top_level_tool_is_called_under_a_namespace_of_its_own_name(client: openai.OpenAI) -> None:
    prompt = "Can you get my shipping ETA for tracking number ZX-123?"
    first = _response(client, input=prompt, tools=[ETA, {"type": "tool_search"}])
    (call,) = [item for item in first["output"] if item["type"] == "function_call"]
    assert (call["name"], call["namespace"]) == ("get_shipping_eta", "get_shipping_eta")
    assert json.loads(call["arguments"]) == {"tracking_number": "ZX-123"}
    # Passed back, the call is the loaded tool's (not a namespace's): the model answers from its output.
    history = [item for item in first["output"] if item["type"] != "reasoning"]
    answer = {"type": "function_call_output", "call_id": call["call_id"], "output": "2026-03-06 14:00 JST"}
    tools = [ETA, {"type": "tool_search"}]
    second = _response(client, input=[{"role": "user", "content": prompt}, *history, answer], tools=tools)
    assert [item["type"] for item in second["output"] if item["type"] != "reasoning"] == ["message"]
    assert "2026-03-06 14:00 JST" in second["output"][-1]["content"][0]["text"]


@pytest.fixture
def agents_model(mock_app: TemplateRouter) -> Iterator[Any]:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform
    client = async_asgi_client(mock_app, "sk-agents")
    yield agents.OpenAIResponsesModel(model="gpt-5.4", openai_client=client)


def test_the_agents_sdk_runs_a_deferred_top_level_tool_a_search_loaded(agents_model: Any) -> None:
    asked: list[str] = []

    @agents.function_tool(defer_loading=True)
    def get_shipping_eta(tracking_number: str) -> str:
        """Look up a shipment ETA by tracking number."""
        asked.append(tracking_number)
        return "2026-03-06 14:00 JST"

    agent = agents.Agent(
        name="Shipping",
        model=agents_model,
        tools=[get_shipping_eta, agents.ToolSearchTool()],
        model_settings=agents.ModelSettings(parallel_tool_calls=False),
    )
    result = run_on_private_loop(agents.Runner.run(agent, "Can you get my shipping ETA for tracking number ZX-123?"))
    assert asked == ["ZX-123"]
    assert "2026-03-06 14:00 JST" in result.final_output


# --------------------------------------------------------------------------------------------- hosted shell skills


def _inline_skill(name: str) -> dict[str, Any]:
    manifest = f"---\nname: {name}\ndescription: Summarise CSV files.\n---\n\n# {name}\n".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{name}/SKILL.md", manifest)
    data = base64.b64encode(out.getvalue()).decode()
    source = {"type": "base64", "media_type": "application/zip", "data": data}
    return {"type": "inline", "name": name, "description": "Summarise CSV files.", "source": source}


def test_a_hosted_shell_runs_the_inline_skill_the_prompt_names(client: openai.OpenAI) -> None:
    environment = {"type": "container_auto", "skills": [_inline_skill("csv-workbench")]}
    prompt = "Use the csv-workbench skill. Report the total amount by region of orders.csv."
    body = _response(client, input=prompt, tools=[{"type": "shell", "environment": environment}])
    call = next(item for item in body["output"] if item["type"] == "shell_call")
    typed = ResponseFunctionShellToolCall.model_validate(call)
    assert isinstance(typed.environment, ResponseContainerReference)
    assert typed.environment.container_id.startswith("cntr_")
    assert call["action"]["commands"] == ["cat skills/csv-workbench/SKILL.md"]
    # The container it ran in is reused by reference: its /mnt/data is there, even with nothing in it.
    reused = {"type": "container_reference", "container_id": typed.environment.container_id}
    again = _response(client, input="Run `ls -la /mnt/data`", tools=[{"type": "shell", "environment": reused}])
    (output,) = [item for item in again["output"] if item["type"] == "shell_call_output"]
    assert output["output"][0]["outcome"] == {"type": "exit", "exit_code": 0}
    assert output["output"][0]["stderr"] == ""
