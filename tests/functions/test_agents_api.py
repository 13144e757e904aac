"""Reusable agents through the official SDK (`client.beta.agents`, the Agents API beta the API gained after the
2026-08-21 spec, every answer held strictly to the SDK's models): created with every omitted setting resolved,
read, listed per project by page, updated field by field (a null resets), deleted; bad input refused with OpenAI's
error naming the nested param; `stored_agent`, what sessions and automations resolve an `agent_id` with."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.beta import Agent, AgentDeleted
from starlette.testclient import TestClient

from functions.agent_vaults.app import app as vaults_app
from functions.agents.app import app as agents_app
from functions.projects.app import app as projects_app
from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.resources.agents.definitions import stored_agent
from openai_mock.web.auth import principal_for_key
from tests.hardening.test_nested_types import WRONG, paths, replaced
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held

NOW = 1_790_000_000
FUNCTION: dict[str, Any] = {
    "type": "function",
    "name": "lookup_order",
    "description": "Find an order by its number.",
    "parameters": {"type": "object", "properties": {"number": {"type": "string"}}, "required": ["number"]},
}
DOCS_MCP: dict[str, Any] = {
    "type": "mcp",
    "server_label": "docs",
    "transport": {"type": "http", "server_url": "https://mcp.example.com"},
}


@pytest.fixture
def client() -> openai.OpenAI:
    clock.freeze(NOW)
    return asgi_client(agents_app)


def _create(client: openai.OpenAI, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = held(Agent, client.beta.agents.with_raw_response.create(**{"model": "gpt-5", **fields}))
    return body


def _refused(call: Any, status: int = 400) -> dict[str, Any]:
    with pytest.raises(openai.APIStatusError) as refused:
        call()
    assert refused.value.status_code == status
    error: dict[str, Any] = refused.value.body  # type: ignore[assignment]
    return error


# --- create and retrieve ----------------------------------------------------------------------------------------


def test_an_agent_created_with_only_a_model_reads_back_with_every_setting_resolved(client: openai.OpenAI) -> None:
    agent = _create(client)
    assert agent["id"].startswith("agent_") and agent["object"] == "agent"
    assert (agent["created_at"], agent["updated_at"]) == (NOW, NOW)
    assert agent["model"] == "gpt-5" and agent["name"] is None and agent["instructions"] is None
    assert agent["metadata"] == {} and agent["tools"] == [] and agent["service_tier"] == "auto"
    assert agent["multi_agent"] == {"enabled": False, "max_concurrent_subagents": None}
    assert agent["reasoning"] == {"effort": "medium", "summary": None}  # gpt-5 reasons: its own default effort
    assert agent["text"] == {"format": {"type": "text"}, "verbosity": "medium"}
    assert agent["compaction"] == {"async": False} and agent["experimental"] == {"time_awareness": False}
    assert held(Agent, client.beta.agents.with_raw_response.retrieve(agent["id"])) == agent


def test_every_setting_sent_is_kept_and_every_tool_completed(client: openai.OpenAI) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    agent = _create(
        client,
        name="  Support triage  ",
        instructions="Answer in French.",
        metadata={"team": "support"},
        multi_agent={"enabled": True},
        reasoning={"effort": "high", "summary": "concise"},
        service_tier="flex",
        text={"format": {"type": "json_schema", "schema": schema}, "verbosity": "low"},
        compaction={"async": True},
        experimental={"time_awareness": True},
        tools=[
            {**FUNCTION, "defer_loading": True, "async": True},
            {"type": "tool_search"},
            {"type": "programmatic_tool_calling"},
            {**DOCS_MCP, "allowed_tools": ["search", "search"], "required": True},
            {"type": "mcp", "server_label": "fs", "transport": {"type": "stdio", "command": "npx", "cwd": "/srv"}},
            {"type": "web_search", "location": {"country": "FR", "city": "Lyon"}},
            {"type": "computer_use"},
            {"type": "automations"},
        ],
    )
    assert agent["name"] == "Support triage" and agent["instructions"] == "Answer in French."
    assert agent["metadata"] == {"team": "support"} and agent["service_tier"] == "flex"
    assert agent["multi_agent"] == {"enabled": True, "max_concurrent_subagents": 6}
    assert agent["reasoning"] == {"effort": "high", "summary": "concise"}
    assert agent["text"] == {"format": {"type": "json_schema", "schema": schema}, "verbosity": "low"}
    assert agent["compaction"] == {"async": False}  # accepted and ignored: compaction always blocks
    assert agent["experimental"] == {"time_awareness": True}
    function, search, programmatic, docs, stdio, web, computer, automations = agent["tools"]
    assert function == {**FUNCTION, "defer_loading": True, "async": True}
    assert search == {"type": "tool_search"} and automations == {"type": "automations"}
    assert programmatic == {"type": "programmatic_tool_calling", "enabled": True}
    assert docs == {
        **DOCS_MCP,
        "transport": {"type": "http", "server_url": "https://mcp.example.com", "headers": {}},
        "allowed_tools": ["search"],
        "connection_origin": "service",
        "credential_id": None,
        "request_metadata": {},
        "required": True,
    }
    assert stdio["transport"] == {"type": "stdio", "command": "npx", "cwd": "/srv", "args": [], "env_vars": []}
    assert web == {
        "type": "web_search",
        "allowed_domains": None,
        "context_size": "medium",
        "location": {"city": "Lyon", "country": "FR", "region": None, "timezone": None},
        "mode": "live",
    }
    assert computer == {"type": "computer_use", "include_screenshots": False}


def test_a_model_that_does_not_reason_has_no_effort_and_takes_none(client: openai.OpenAI) -> None:
    assert _create(client, model="gpt-4o-mini")["reasoning"] == {"effort": None, "summary": None}
    error = _refused(lambda: client.beta.agents.create(model="gpt-4o-mini", reasoning={"effort": "low"}))
    assert error["param"] == "reasoning.effort" and error["code"] == "unsupported_parameter"


def test_an_unknown_model_is_not_found_and_one_outside_responses_is_refused(client: openai.OpenAI) -> None:
    missing = _refused(lambda: client.beta.agents.create(model="gpt-nope-9"), 404)
    assert missing["param"] == "model" and missing["code"] == "model_not_found"
    embedding = _refused(lambda: client.beta.agents.create(model="text-embedding-3-small"))
    assert embedding["param"] == "model" and embedding["code"] == "model_not_supported"


def test_a_vault_credential_named_by_an_mcp_tool_must_exist_in_the_project(client: openai.OpenAI) -> None:
    vaults = asgi_client(vaults_app)
    vault = vaults.beta.agents.vaults.create(name="Docs")
    credential = vaults.beta.agents.vaults.credentials.create(
        vault.id,
        name="Docs token",
        auth={"type": "static_bearer", "token": "s3cret", "mcp_server_url": DOCS_MCP["transport"]["server_url"]},
    )
    agent = _create(client, tools=[{**DOCS_MCP, "credential_id": credential.id}])
    assert agent["tools"][0]["credential_id"] == credential.id
    unknown: Any = {**DOCS_MCP, "credential_id": "vcred_unknown"}
    error = _refused(lambda: client.beta.agents.create(model="gpt-5", tools=[unknown]), 404)
    assert error["param"] == "tools[0].credential_id"


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"temperature": 0.2}, "temperature"),
        ({"tools": [{"type": "function", "name": "f", "parameters": {}}]}, "tools[0].description"),
        ({"tools": [{"type": "shell"}]}, "tools[0].type"),
        ({"tools": [{"name": "f"}]}, "tools[0].type"),
        ({"tools": [{**DOCS_MCP, "transport": {"type": "sse", "server_url": "https://x"}}]}, "tools[0].transport.type"),
        ({"tools": [{"type": "web_search", "mode": "offline"}]}, "tools[0].mode"),
        ({"tools": [{"type": "computer_use", "include_screenshots": "yes"}]}, "tools[0].include_screenshots"),
        ({"multi_agent": {"enabled": True, "max_concurrent_subagents": "4"}}, "multi_agent.max_concurrent_subagents"),
        ({"multi_agent": {"enabled": True, "max_concurrent_subagents": 0}}, "multi_agent.max_concurrent_subagents"),
        ({"multi_agent": {"max_concurrent_subagents": 2}}, "multi_agent.enabled"),
        ({"service_tier": "scale"}, "service_tier"),
        ({"text": {"format": {"type": "json_object"}}}, "text.format.type"),
        ({"text": {"format": {"type": "json_schema"}}}, "text.format.schema"),
        ({"reasoning": {"effort": "max"}}, "reasoning.effort"),
        ({"metadata": {f"k{index}": "v" for index in range(17)}}, "metadata"),
        ({"name": "   "}, "name"),
        ({"name": "é" * 129}, "name"),
    ],
)
def test_bad_input_is_refused_naming_the_param(client: openai.OpenAI, fields: dict[str, Any], param: str) -> None:
    error = _refused(lambda: client.beta.agents.create(model="gpt-5", extra_body=fields))
    assert error["param"] == param, error
    assert error["type"] == "invalid_request_error"


def test_a_missing_model_is_a_missing_parameter(client: openai.OpenAI) -> None:
    error = _refused(lambda: client.post("/agents", body={"name": "No model"}, cast_to=Agent))
    assert (error["param"], error["code"]) == ("model", "missing_required_parameter")


@pytest.mark.parametrize(
    ("tools", "param"),
    [
        ([FUNCTION, FUNCTION], "tools[1].name"),
        ([DOCS_MCP, DOCS_MCP], "tools[1].server_label"),
        ([{"type": "web_search"}, {"type": "web_search"}], "tools[1].type"),
        ([{**FUNCTION, "defer_loading": True}], "tools"),
        ([{**DOCS_MCP, "transport": {**DOCS_MCP["transport"], "headers": {"Authorization": "Bearer x"}}}],
         "tools[0].transport.headers.Authorization"),
        ([{**DOCS_MCP, "transport": {"type": "http", "server_url": "ftp://mcp.example.com"}}],
         "tools[0].transport.server_url"),
        ([{**FUNCTION, "description": "x" * (3 * 1024 * 1024)}], "tools"),
    ],
)  # fmt: skip
def test_a_tool_list_the_agent_cannot_run_is_refused(
    client: openai.OpenAI, tools: list[dict[str, Any]], param: str
) -> None:
    error = _refused(lambda: client.beta.agents.create(model="gpt-5", tools=tools))  # type: ignore[arg-type]
    assert error["param"] == param, error


def test_a_header_that_is_no_secret_is_kept(client: openai.OpenAI) -> None:
    transport = {**DOCS_MCP["transport"], "headers": {"X-Tenant": "acme"}}
    agent = _create(client, tools=[{**DOCS_MCP, "transport": transport}])
    assert agent["tools"][0]["transport"]["headers"] == {"X-Tenant": "acme"}


# --- update -----------------------------------------------------------------------------------------------------


def test_an_update_changes_what_it_sends_and_keeps_the_rest(client: openai.OpenAI) -> None:
    agent = _create(client, name="Triage", instructions="Be brief.", tools=[FUNCTION], metadata={"a": "1"})
    clock.advance(90)
    updated = held(
        Agent,
        client.beta.agents.with_raw_response.update(
            agent["id"], instructions="Be thorough.", experimental={"time_awareness": True}
        ),
    )
    assert updated["instructions"] == "Be thorough." and updated["experimental"] == {"time_awareness": True}
    assert updated["name"] == "Triage" and updated["tools"] == agent["tools"] and updated["metadata"] == {"a": "1"}
    assert (updated["created_at"], updated["updated_at"]) == (NOW, NOW + 90)
    assert client.beta.agents.retrieve(agent["id"]).instructions == "Be thorough."


def test_a_null_resets_a_setting_to_its_default(client: openai.OpenAI) -> None:
    agent = _create(
        client,
        name="Triage",
        tools=[FUNCTION],
        metadata={"a": "1"},
        reasoning={"effort": "low"},
        multi_agent={"enabled": True, "max_concurrent_subagents": 3},
        service_tier="priority",
        text={"verbosity": "high"},
    )
    assert agent["multi_agent"]["max_concurrent_subagents"] == 3 and agent["reasoning"]["effort"] == "low"
    reset = held(
        Agent,
        client.beta.agents.with_raw_response.update(
            agent["id"], name=None, tools=None, metadata=None, reasoning=None, multi_agent=None, service_tier=None,
            text=None,
        ),
    )  # fmt: skip
    assert reset["name"] is None and reset["tools"] == [] and reset["metadata"] == {}
    assert reset["reasoning"] == {"effort": "medium", "summary": None}
    assert reset["multi_agent"] == {"enabled": False, "max_concurrent_subagents": None}
    assert reset["service_tier"] == "auto" and reset["text"]["verbosity"] == "medium"


def test_a_new_model_resolves_the_requested_reasoning_again(client: openai.OpenAI) -> None:
    agent = _create(client)
    moved = client.beta.agents.update(agent["id"], model="gpt-4o-mini")
    assert (moved.model, moved.reasoning.effort) == ("gpt-4o-mini", None)
    back = client.beta.agents.update(agent["id"], model="gpt-5")
    assert back.reasoning.effort == "medium"
    client.beta.agents.update(agent["id"], reasoning={"effort": "high"})
    error = _refused(lambda: client.beta.agents.update(agent["id"], model="gpt-4o-mini"))
    assert error["param"] == "reasoning.effort"
    assert client.beta.agents.retrieve(agent["id"]).model == "gpt-5"  # a refused update writes nothing


def test_an_update_is_checked_like_a_create(client: openai.OpenAI) -> None:
    agent = _create(client)
    error = _refused(lambda: client.beta.agents.update(agent["id"], extra_body={"model": None}))
    assert error["param"] == "model"
    error = _refused(lambda: client.beta.agents.update(agent["id"], tools=[{"type": "function", "name": "x"}]))  # type: ignore[list-item]
    assert error["param"] == "tools[0].description"
    missing = _refused(lambda: client.beta.agents.update("agent_missing", name="x"), 404)
    assert missing["param"] == "agent_id"


# --- list and delete --------------------------------------------------------------------------------------------


def test_agents_list_newest_first_by_page(client: openai.OpenAI) -> None:
    made = []
    for index in range(5):
        made.append(_create(client, name=f"Agent {index}")["id"])
        clock.advance(1)
    first = client.beta.agents.list(limit=2)
    assert [agent.id for agent in first.data] == made[::-1][:2] and first.has_more is True
    second = client.beta.agents.list(limit=2, after=first.data[-1].id)
    assert [agent.id for agent in second.data] == made[::-1][2:4]
    assert [agent.id for agent in client.beta.agents.list(limit=2)] == made[::-1]  # the SDK follows `after`
    oldest = client.beta.agents.list(order="asc", limit=3)
    assert [agent.id for agent in oldest.data] == made[:3]
    page = client.beta.agents.with_raw_response.list(limit=5).http_response.json()
    assert page["object"] == "list" and page["has_more"] is False and page["last_id"] == made[0]
    assert _refused(lambda: client.beta.agents.list(limit=101))["param"] == "limit"


def test_an_agent_belongs_to_its_project() -> None:
    clock.freeze(NOW)
    admin = org_client(projects_app)
    project = admin.admin.organization.projects.create(name="Agents")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="agent")
    assert account.api_key is not None
    in_project = asgi_client(agents_app, api_key=account.api_key.value)
    agent = in_project.beta.agents.create(model="gpt-5")
    assert [item.id for item in in_project.beta.agents.list()] == [agent.id]
    default_project = asgi_client(agents_app, api_key="sk-admin-test-organization")
    assert default_project.beta.agents.list().data == []
    error = _refused(lambda: default_project.beta.agents.retrieve(agent.id), 404)
    assert error["param"] == "agent_id"


def test_a_deleted_agent_is_gone(client: openai.OpenAI) -> None:
    agent = _create(client)
    kept = _create(client)
    deleted = held(AgentDeleted, client.beta.agents.with_raw_response.delete(agent["id"]))
    assert deleted == {"id": agent["id"], "object": "agent.deleted", "deleted": True}
    assert _refused(lambda: client.beta.agents.retrieve(agent["id"]), 404)["param"] == "agent_id"
    assert _refused(lambda: client.beta.agents.delete(agent["id"]), 404)["param"] == "agent_id"
    assert [item.id for item in client.beta.agents.list()] == [kept["id"]]


def test_stored_agent_is_the_agent_as_answered(client: openai.OpenAI) -> None:
    agent = _create(client, name="For sessions", tools=[FUNCTION])
    principal = principal_for_key("sk-test")
    assert stored_agent(principal, agent["id"]) == agent
    client.beta.agents.delete(agent["id"])
    with pytest.raises(OpenAIError) as missing:
        stored_agent(principal, agent["id"])
    assert (missing.value.status, missing.value.param) == (404, "agent_id")


# --- hostile input ----------------------------------------------------------------------------------------------

RICH_AGENT: dict[str, Any] = {
    "model": "gpt-5",
    "name": "Rich",
    "instructions": "Be brief.",
    "metadata": {"k": "v"},
    "multi_agent": {"enabled": True, "max_concurrent_subagents": 2},
    "reasoning": {"effort": "low", "summary": "auto"},
    "service_tier": "auto",
    "text": {"format": {"type": "json_schema", "schema": {"type": "object"}}, "verbosity": "low"},
    "compaction": {"async": False},
    "experimental": {"time_awareness": True},
    "tools": [
        {**FUNCTION, "defer_loading": True, "async": False},
        {"type": "tool_search"},
        {"type": "programmatic_tool_calling", "enabled": True},
        {**DOCS_MCP, "allowed_tools": ["a"], "connection_origin": "environment", "request_metadata": {"x": 1}},
        {"type": "mcp", "server_label": "fs", "transport": {"type": "stdio", "command": "npx", "cwd": "/",
                                                          "args": ["-y"], "env_vars": ["HOME"]}},
        {"type": "web_search", "allowed_domains": ["a.com"], "context_size": "low", "mode": "cached",
         "location": {"city": "Paris", "country": "FR", "region": "IDF", "timezone": "Europe/Paris"}},
        {"type": "computer_use", "include_screenshots": True},
        {"type": "automations"},
    ],
}  # fmt: skip


def test_a_wrong_type_anywhere_is_a_400_naming_it_never_a_500() -> None:
    raw = TestClient(agents_app, raise_server_exceptions=False)
    auth = {"Authorization": "Bearer sk-test"}
    created = raw.post("/v1/agents", json=RICH_AGENT, headers=auth)
    assert created.status_code == 200, created.text
    problems = []
    for where in paths(RICH_AGENT):
        for value in WRONG:
            for path in ("/v1/agents", f"/v1/agents/{created.json()['id']}"):
                answer = raw.post(path, json=replaced(RICH_AGENT, where, value), headers=auth)
                if answer.status_code != 200 and (answer.status_code >= 500 or not answer.json()["error"]["param"]):
                    problems.append(f"{path} {where} = {value!r}: {answer.status_code} {answer.text[:200]}")
                elif answer.status_code == 200:
                    Agent.model_validate(answer.json(), strict=True)
    assert not problems, "\n".join(problems[:20])
