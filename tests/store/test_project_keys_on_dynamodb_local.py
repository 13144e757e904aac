"""A project API key's update on DynamoDB Local, as Lambda with EnablePersistence=true keeps it: scopes and a
spend limit set through one container bind the key in the next one on its very next request (the key's registry
entry and the organization's spend state are items of the table, not a container's memory)."""

from __future__ import annotations

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client


def test_a_key_update_binds_it_in_another_container(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    clock.freeze(1_779_235_200)
    admin = org_client(mock_app)
    projects = admin.admin.organization.projects
    project = projects.create(name="Persisted")
    account = projects.service_accounts.create(project.id, name="app")
    key = projects.service_accounts.api_keys.create(account.id, project_id=project.id)
    assert isinstance(get_store(), DynamoDBStore)
    projects.api_keys.update(key.id, project_id=project.id, scopes=["api.model.read"])

    reset_stores()  # another container
    app = asgi_client(mock_app, api_key=key.value)
    assert app.models.list().data
    with pytest.raises(openai.PermissionDeniedError):
        app.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])

    reset_stores()
    org_client(mock_app).admin.organization.projects.api_keys.update(
        key.id,
        project_id=project.id,
        scopes=[],
        spend_limit={"threshold_amount": 3, "currency": "USD", "interval": "month"},
    )
    reset_stores()
    app = asgi_client(mock_app, api_key=key.value)
    app.images.generate(
        model="dall-e-3", prompt="A lighthouse", size="1024x1024", response_format="b64_json"
    )  # 4 cents
    reset_stores()
    with pytest.raises(openai.RateLimitError):
        asgi_client(mock_app, api_key=key.value).images.generate(model="dall-e-3", prompt="Again", size="1024x1024")
    listed = org_client(mock_app).admin.organization.projects.api_keys.retrieve(key.id, project_id=project.id)
    assert listed.spend_limit is not None and listed.spend_limit.enforcement.status == "enforcing"
