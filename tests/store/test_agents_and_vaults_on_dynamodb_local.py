"""Agents, vaults and credentials on DynamoDB Local, as Lambda with EnablePersistence=true runs them: written through
one container, read and changed in another (a fresh store, as a request landing elsewhere sees it)."""

from __future__ import annotations

from functions.agent_vaults.app import app as vaults_app
from functions.agents.app import app as agents_app
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client

TENANT = principal_for_key("sk-test").tenant
BEARER = {"type": "static_bearer", "token": "first-token", "mcp_server_url": "https://mcp.example.com/mcp"}


def test_an_agent_and_its_vault_credential_written_in_one_container_change_in_another(on_dynamodb_local: str) -> None:
    vaults, agents = asgi_client(vaults_app), asgi_client(agents_app)
    vault = vaults.beta.agents.vaults.create(name="Shared", metadata={"team": "ops"})
    credential = vaults.beta.agents.vaults.credentials.create(vault.id, name="Docs", auth=BEARER)  # type: ignore[arg-type]
    tool = {"type": "mcp", "server_label": "docs", "credential_id": credential.id,
            "transport": {"type": "http", "server_url": BEARER["mcp_server_url"]}}  # fmt: skip
    agent = agents.beta.agents.create(model="gpt-5", name="Ops", tools=[tool])  # type: ignore[list-item]
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container
    assert agents.beta.agents.retrieve(agent.id).tools[0].credential_id == credential.id  # type: ignore[union-attr]
    assert agents.beta.agents.update(agent.id, name="Ops on call").name == "Ops on call"
    assert [item.id for item in agents.beta.agents.list()] == [agent.id]
    rotated = vaults.beta.agents.vaults.credentials.update(
        credential.id, vault_id=vault.id, auth={"type": "static_bearer", "token": "second-token"}
    )
    assert rotated.updated_at >= credential.updated_at
    assert [item.metadata for item in vaults.beta.agents.vaults.list(metadata={"team": "ops"})] == [{"team": "ops"}]

    reset_stores()  # a third
    assert agents.beta.agents.retrieve(agent.id).name == "Ops on call"
    stored = get_store().get(TENANT, "agent_vault_credential", credential.id)
    assert stored is not None and stored["_secrets"] == {"token": "second-token"}
    vaults.beta.agents.vaults.delete(vault.id)
    reset_stores()
    assert vaults.beta.agents.vaults.list().data == []
    assert get_store().get(TENANT, "agent_vault_credential", credential.id) is None
