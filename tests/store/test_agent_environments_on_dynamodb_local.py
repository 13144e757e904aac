"""Agent environments on DynamoDB Local, as Lambda with EnablePersistence=true runs them: a template and the
environment made from it in one container, set up by the clock, woken by a file write and listed in another."""

from __future__ import annotations

from openai.types.beta.agents import EnvironmentInfo

from functions.agent_environments.app import app
from openai_mock import clock
from openai_mock.resources.agents import environments
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.sdk import asgi_client, held


def test_an_environment_made_in_one_container_progresses_and_takes_files_in_another(on_dynamodb_local: str) -> None:
    clock.freeze(1_790_000_000)
    client = asgi_client(app)
    template = client.beta.agents.environments.templates.create(name="ci", packages={"python": ["pytest"]})
    created = client.beta.agents.environments.create(
        environment={"type": "openai_hosted", "environment_template_id": template.id}
    )
    assert created.status == "pending" and isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container
    clock.advance(environments.PROVISION_SECONDS + environments.IDLE_SUSPEND_SECONDS)
    client = asgi_client(app)
    assert client.beta.agents.environments.templates.retrieve(template.id).packages.python == ["pytest"]
    assert client.beta.agents.environments.retrieve(created.id).status == "suspended"
    client.beta.agents.environments.files.create(created.id, type="inline", path="/workspace/a.txt", data="aGk=")

    reset_stores()  # and a third
    retrieved = held(EnvironmentInfo, asgi_client(app).beta.agents.environments.with_raw_response.retrieve(created.id))
    assert retrieved["status"] == "pending"  # woken by the write: resuming
    assert [entry["path"] for entry in retrieved["files"]] == ["/workspace/a.txt"]
    assert [item.id for item in asgi_client(app).beta.agents.environments.list()] == [created.id]
