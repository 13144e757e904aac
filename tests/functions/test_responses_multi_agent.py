"""Server-hosted multi-agent execution on the beta Responses API (`multi_agent`, `OpenAI-Beta:
responses_multi_agent=v1`) through the official SDK: over HTTP (JSON and stream), over the WebSocket, a subagent's
function call and its output routed back to it, the bound on concurrent subagents, the 400s, and the Agents SDK's
`OpenAIHostedMultiAgentModel` coordinating two subagents that call a local tool."""

from __future__ import annotations

import json
from typing import Any, Literal

import openai
import pytest
from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.extensions.experimental.hosted_multi_agent import OpenAIHostedMultiAgentModel, get_hosted_agent_metadata
from agents.tool_context import ToolContext
from openai.types.beta import BetaResponse
from openai.types.beta.beta_response_stream_event import BetaResponseStreamEvent
from openai.types.beta.beta_responses_server_event import BetaResponsesServerEvent
from pydantic import TypeAdapter

from tests.support.live_server import live_server_fixture
from tests.support.loop import run_on_private_loop
from tests.support.sdk import held
from tests.support.spec import assert_conforms, validate_component

SPEC = "2026-08-21"
BETAS: Any = ["responses_multi_agent=v1"]
BETA_HEADER = {"OpenAI-Beta": "responses_multi_agent=v1"}
MODEL = "gpt-6.2-sol"
PROPOSALS = """Compare these fictional proposals on speed, cost, reliability, and security.
Proposal Alpha: 2-week launch, $40k, managed vendor, 99.9% SLA, data leaves the VPC.
Proposal Beta: 6-week launch, $70k, self-hosted, 99.5% target, data stays in the VPC.
Delegate each proposal to a separate agent, then compare their evidence and recommend one."""
COORDINATOR = (
    "Create two subagents. Ask one to inspect proposal alpha and the other to inspect proposal beta. Each subagent "
    "must call get_proposal for its assigned proposal. Wait for both results, then compare them."
)
DETAILS = {"alpha": {"estimated_weeks": 6, "risk": "medium"}, "beta": {"estimated_weeks": 8, "risk": "low"}}
GET_PROPOSAL: Any = {
    "type": "function",
    "name": "get_proposal",
    "description": "Return deterministic details for one proposal.",
    "parameters": {
        "type": "object",
        "properties": {"proposal": {"type": "string", "enum": ["alpha", "beta"]}},
        "required": ["proposal"],
        "additionalProperties": False,
    },
    "strict": True,
}
STREAM_EVENT: TypeAdapter[Any] = TypeAdapter(BetaResponseStreamEvent)
SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(BetaResponsesServerEvent)

base_url = live_server_fixture()


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    answer = held(BetaResponse, client.beta.responses.with_raw_response.create(model=MODEL, betas=BETAS, **body))
    assert_conforms("POST", "/responses?beta=true", 200, answer, spec=SPEC)
    return answer


def _agent(item: dict[str, Any]) -> str | None:
    return (item.get("agent") or {}).get("agent_name")


def _said(item: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in item["content"])


def _calls(output: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [item for item in output if item["type"] == "multi_agent_call" and item["action"] == action]


def _final(output: list[dict[str, Any]]) -> dict[str, Any]:
    [final] = [item for item in output if item["type"] == "message" and _agent(item) == "/root"]
    assert final["phase"] == "final_answer" and final is output[-1]
    return final


def test_a_delegating_prompt_spawns_a_subagent_per_proposal_and_the_root_compares_them(client: openai.OpenAI) -> None:
    answer = _create(client, input=PROPOSALS, multi_agent={"enabled": True})
    output = answer["output"]
    spawned = [json.loads(call["arguments"]) for call in _calls(output, "spawn_agent")]
    names = [entry["agent_name"] for entry in spawned]
    assert names == ["/root/proposal_alpha", "/root/proposal_beta"]
    assert "Proposal Alpha" in spawned[0]["task"] and "$40k" in spawned[0]["task"]
    outputs = {item["call_id"]: item for item in output if item["type"] == "multi_agent_call_output"}
    assert all(call["call_id"] in outputs for call in _calls(output, "spawn_agent"))
    for name, subject in zip(names, ("Proposal Alpha", "Proposal Beta"), strict=True):
        [report] = [item for item in output if item["type"] == "message" and _agent(item) == name]
        assert subject in _said(report) and report["phase"] == "commentary"  # an answer about its own task
    [waited] = _calls(output, "wait_agent")
    assert json.loads(waited["arguments"])["agent_names"] == names
    assert all(_agent(item) for item in output)  # every item names its agent
    final = _said(_final(output))
    assert "Proposal Alpha" in final and "Proposal Beta" in final
    alone = _create(client, input="Compare proposal alpha and proposal beta.", multi_agent={"enabled": False})
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_tokens"] > alone["usage"]["output_tokens"]  # every agent's tokens
    kept = held(BetaResponse, client.beta.responses.with_raw_response.retrieve(answer["id"], betas=BETAS))
    shown = [item for item in output if item["type"] != "reasoning"]  # its sealed content is shown on create only
    assert [item for item in kept["output"] if item["type"] != "reasoning"] == shown


def test_without_a_delegation_request_the_root_answers_alone(client: openai.OpenAI) -> None:
    output = _create(client, input="Explain how tides work.", multi_agent={"enabled": True})["output"]
    assert not _calls(output, "spawn_agent") and {_agent(item) for item in output} == {"/root"}
    assert "tides" in _said(_final(output)).lower()


def test_the_stream_labels_each_agents_items(client: openai.OpenAI) -> None:
    """The openai example's loop: each output item's agent from `response.output_item.added`, its text deltas
    printed under it, coordinator or agent."""
    raw = client.beta.responses.with_raw_response.create(
        model=MODEL, input=PROPOSALS, multi_agent={"enabled": True}, stream=True, betas=BETAS
    )
    body = raw.http_response.read().decode()
    events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    sections: dict[str, str] = {}
    owners: dict[int, str] = {}
    for event in events:
        validate_component("BetaResponseStreamEvent", event, spec=SPEC)
        STREAM_EVENT.validate_python(event, strict=True)
        if event["type"] == "response.output_item.added":
            owners[event["output_index"]] = _agent(event["item"]) or "/root"
            assert event["agent"] == event["item"]["agent"]
        elif event["type"] == "response.output_text.delta":
            owner = owners[event["output_index"]]
            assert event["agent"]["agent_name"] == owner
            sections[owner] = sections.get(owner, "") + event["delta"]
    assert list(sections) == ["/root/proposal_alpha", "/root/proposal_beta", "/root"]
    assert "Proposal Beta" in sections["/root"]
    completed = events[-1]
    assert completed["type"] == "response.completed" and "agent" not in completed  # the run's, not an agent's
    assert [event["sequence_number"] for event in events] == list(range(len(events)))


def test_a_subagents_function_call_ends_the_response_and_its_output_goes_back_to_it(client: openai.OpenAI) -> None:
    asked = {"instructions": COORDINATOR, "tools": [GET_PROPOSAL], "multi_agent": {"enabled": True}}
    first = _create(client, input="Compare proposal alpha and proposal beta.", **asked)
    calls = [item for item in first["output"] if item["type"] == "function_call"]
    callers = {_agent(call): json.loads(call["arguments"])["proposal"] for call in calls}
    assert callers == {"/root/proposal_alpha": "alpha", "/root/proposal_beta": "beta"}
    assert not _calls(first["output"], "wait_agent") and first["output"][-1]["type"] == "function_call"
    results = [
        {"type": "function_call_output", "call_id": call["call_id"], "output": json.dumps(DETAILS[proposal])}
        for call in calls
        for proposal in [json.loads(call["arguments"])["proposal"]]
    ]
    second = _create(client, input=results, previous_response_id=first["id"], **asked)
    reports = {_agent(item): _said(item) for item in second["output"] if item["type"] == "message"}
    assert "6" in reports["/root/proposal_alpha"] and "medium" in reports["/root/proposal_alpha"]
    assert "8" in reports["/root/proposal_beta"] and "low" in reports["/root/proposal_beta"]
    assert not _calls(second["output"], "spawn_agent")  # the same subagents carry on
    final = _said(_final(second["output"]))
    assert "proposal alpha" in final and "proposal beta" in final


def test_no_more_subagents_are_active_than_max_concurrent_subagents(client: openai.OpenAI) -> None:
    output = _create(client, input=PROPOSALS, multi_agent={"enabled": True, "max_concurrent_subagents": 1})["output"]
    active, most = set(), 0
    for item in output:
        if item["type"] == "multi_agent_call":
            named = json.loads(item["arguments"])
            if item["action"] == "spawn_agent":
                active.add(named["agent_name"])
            else:
                active -= set(named["agent_names"])
            most = max(most, len(active))
    assert most == 1 and len(_calls(output, "spawn_agent")) == 2 and len(_calls(output, "wait_agent")) == 2
    two = _create(client, input=PROPOSALS, multi_agent={"enabled": True})["output"]
    assert len(_calls(two, "wait_agent")) == 1  # the default bound (3) lets both run at once


@pytest.mark.parametrize(
    ("multi_agent", "headers", "param"),
    [
        ({"enabled": True, "max_concurrent_subagents": 0}, BETA_HEADER, "multi_agent.max_concurrent_subagents"),
        ({"max_concurrent_subagents": 2}, BETA_HEADER, "multi_agent.enabled"),
        ({"enabled": True}, {}, "multi_agent"),  # the beta header is required
    ],
)
def test_a_bad_multi_agent_is_a_400(
    client: openai.OpenAI, multi_agent: Any, headers: dict[str, str], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.beta.responses.create(model=MODEL, input=PROPOSALS, multi_agent=multi_agent, extra_headers=headers)
    assert refused.value.body["param"] == param  # type: ignore[index]


def test_a_passed_back_call_whose_arguments_are_not_an_object_names_no_agent(client: openai.OpenAI) -> None:
    spawned = {"type": "multi_agent_call", "id": "mac_1", "call_id": "call_1", "action": "spawn_agent"}
    for arguments in ("not json", "[1, 2]"):
        passed_back = [{"role": "user", "content": PROPOSALS}, {**spawned, "arguments": arguments}]
        answered = _create(client, input=passed_back, multi_agent={"enabled": True})
        assert answered["status"] == "completed" and _final(answered["output"])


def test_over_the_websocket_the_subagents_answer_too(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="sk-multi-agent", max_retries=0)
    with client.beta.responses.connect(extra_headers=BETA_HEADER) as connection:
        connection.send(
            {"type": "response.create", "model": MODEL, "input": PROPOSALS, "multi_agent": {"enabled": True}}
        )
        events: list[dict[str, Any]] = []
        while not events or events[-1]["type"] not in ("response.completed", "error"):
            raw = connection._connection.recv(timeout=30, decode=False)
            events.append(json.loads(raw))
            SERVER_EVENT.validate_python(events[-1], strict=True)
    output = events[-1]["response"]["output"]
    agents = [_agent(item) for item in output if item["type"] == "message"]
    assert agents == ["/root/proposal_alpha", "/root/proposal_beta", "/root"]
    assert "Proposal Alpha" in _said(_final(output))


def test_the_agents_sdk_hosted_multi_agent_model_runs_a_coordinator(base_url: str) -> None:
    callers: dict[str, str] = {}

    @function_tool
    def get_proposal(ctx: ToolContext[Any], proposal: Literal["alpha", "beta"]) -> dict[str, object]:
        """Return deterministic details for one proposal."""
        metadata = get_hosted_agent_metadata(ctx)
        callers[proposal] = metadata.agent_name if metadata else "unknown"
        return DETAILS[proposal]

    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-hosted-multi-agent", max_retries=0)
    model = OpenAIHostedMultiAgentModel(model=MODEL, openai_client=client, config={"max_concurrent_subagents": 2})
    coordinator = Agent(name="Coordinator", instructions=COORDINATOR, model=model, tools=[get_proposal])
    set_tracing_disabled(True)  # traces would be exported to OpenAI's platform

    async def run() -> Any:
        try:
            return await Runner.run(coordinator, "Compare proposal alpha and proposal beta.", max_turns=6)
        finally:
            await model.close()

    result = run_on_private_loop(run())
    assert callers == {"alpha": "/root/proposal_alpha", "beta": "/root/proposal_beta"}
    assert "proposal alpha" in result.final_output and "proposal beta" in result.final_output
