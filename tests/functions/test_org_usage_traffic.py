"""Usage and costs from real traffic: model requests made with a project's service-account key show up
in the organization's usage (exact tokens and request counts, in the right bucket and project) and
costs; an ordinary key's requests are its own organization's (Default Project); requests refused by a rate
limit are nobody's usage."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from functions.chat import app as chat_function
from openai_mock import clock
from openai_mock.control import quotas
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from openai_mock.resources.organization.usage import recorded
from openai_mock.settings import reset_settings
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.sdk import asgi_client, lambda_client

DAY = 86_400
T0 = 1_740_009_600  # 2025-02-20T00:00:00Z
NOW = T0 + 3 * DAY + 5_000


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    ratelimits.reset()  # the minute's counters are per tenant, and every test's organization is the same one
    return org_client(mock_app)


@pytest.fixture
def project_key(admin: openai.OpenAI) -> tuple[str, str, str]:
    """(project id, service-account key id, secret) of a fresh project's service account."""
    project = admin.admin.organization.projects.create(name="Traffic")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    return project.id, account.api_key.id, account.api_key.value  # type: ignore[union-attr]


def _chat(client: openai.OpenAI, text: str) -> Any:
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])


def _by_project(page: Any) -> dict[str | None, Any]:
    [bucket] = page.data
    return {result.project_id: result for result in bucket.results}


def test_chat_and_embeddings_of_a_project_key_are_its_projects_usage(
    admin: openai.OpenAI, mock_app: TemplateRouter, project_key: tuple[str, str, str]
) -> None:
    project_id, key_id, secret = project_key
    app = asgi_client(mock_app, api_key=secret)
    first, second = _chat(app, "Say hello."), _chat(app, "Name three rivers of Europe, please.")
    embedded = app.embeddings.create(model="text-embedding-3-small", input=["one", "two words", "three more words"])
    assert first.usage and second.usage and embedded.usage.prompt_tokens > 0

    day = {"start_time": T0 + 3 * DAY, "end_time": T0 + 4 * DAY, "group_by": ["project_id", "api_key_id", "model"]}
    completions = _by_project(admin.admin.organization.usage.completions(**day))
    assert list(completions) == [project_id]
    usage = completions[project_id]
    assert (usage.api_key_id, usage.model, usage.num_model_requests) == (key_id, first.model, 2)
    assert usage.input_tokens == first.usage.prompt_tokens + second.usage.prompt_tokens
    assert usage.output_tokens == first.usage.completion_tokens + second.usage.completion_tokens

    embeddings = _by_project(admin.admin.organization.usage.embeddings(**day))[project_id]
    assert (embeddings.input_tokens, embeddings.num_model_requests) == (embedded.usage.prompt_tokens, 1)
    assert embeddings.model == "text-embedding-3-small"

    # The minute bucket of the request holds it; the previous one is empty.
    minutes = admin.admin.organization.usage.completions(start_time=NOW - 60, end_time=NOW + 1, bucket_width="1m")
    assert [len(bucket.results) for bucket in minutes.data] == [0, 1]

    costs = admin.admin.organization.usage.costs(
        start_time=T0 + 3 * DAY, end_time=T0 + 4 * DAY, group_by=["project_id", "line_item"]
    )
    items = {(r.project_id, r.line_item): r.amount.value for r in costs.data[0].results}  # type: ignore[union-attr]
    assert items[(project_id, f"{first.model}, input")] == pytest.approx(usage.input_tokens * 2.50 / 1e6)
    assert items[(project_id, f"{first.model}, output")] == pytest.approx(usage.output_tokens * 10.00 / 1e6)
    assert items[(project_id, "text-embedding-3-small, input")] == pytest.approx(
        embedded.usage.prompt_tokens * 0.02 / 1e6
    )


def test_more_traffic_changes_usage_and_costs(
    admin: openai.OpenAI, mock_app: TemplateRouter, project_key: tuple[str, str, str]
) -> None:
    project_id, _, secret = project_key
    app = asgi_client(mock_app, api_key=secret)
    day = {"start_time": T0 + 3 * DAY, "end_time": T0 + 4 * DAY}

    def total_cost() -> float:
        return sum(r.amount.value for r in admin.admin.organization.usage.costs(**day).data[0].results)  # type: ignore[union-attr,misc]

    _chat(app, "First.")
    before = admin.admin.organization.usage.completions(**day).data[0].results[0]
    cost_before = total_cost()
    answer = _chat(app, "Second, a little longer this time.")
    after = admin.admin.organization.usage.completions(**day).data[0].results[0]
    assert answer.usage
    assert after.num_model_requests == before.num_model_requests + 1  # type: ignore[union-attr]
    assert after.input_tokens == before.input_tokens + answer.usage.prompt_tokens  # type: ignore[union-attr]
    assert total_cost() == pytest.approx(
        cost_before + answer.usage.prompt_tokens * 2.5e-6 + answer.usage.completion_tokens * 1e-5
    )

    moderated = app.moderations.create(model="omni-moderation-latest", input="I love sunny days.")
    assert moderated.results
    [moderations] = admin.admin.organization.usage.moderations(**day, project_ids=[project_id]).data[0].results
    assert moderations.num_model_requests == 1 and moderations.input_tokens > 0  # type: ignore[union-attr]
    assert total_cost() == pytest.approx(
        cost_before + answer.usage.prompt_tokens * 2.5e-6 + answer.usage.completion_tokens * 1e-5
    )  # moderation is free


def test_responses_images_and_speech_are_recorded_as_their_kinds(
    admin: openai.OpenAI, mock_app: TemplateRouter, project_key: tuple[str, str, str]
) -> None:
    project_id, _, secret = project_key
    app = asgi_client(mock_app, api_key=secret)
    response = app.responses.create(model="gpt-4o-mini", input="Write a haiku about rain.")
    app.images.generate(model="dall-e-2", prompt="a red square", n=2, size="256x256")
    app.audio.speech.create(model="tts-1", voice="alloy", input="Hello there.")
    day = {"start_time": T0 + 3 * DAY, "end_time": T0 + 4 * DAY, "project_ids": [project_id]}

    [completions] = admin.admin.organization.usage.completions(**day).data[0].results
    assert response.usage
    assert (completions.input_tokens, completions.output_tokens) == (  # type: ignore[union-attr]
        response.usage.input_tokens,
        response.usage.output_tokens,
    )
    [picture] = admin.admin.organization.usage.images(**day, group_by=["size", "source"]).data[0].results
    assert (picture.images, picture.size, picture.source) == (2, "256x256", "image.generation")  # type: ignore[union-attr]
    [speech] = admin.admin.organization.usage.audio_speeches(**day).data[0].results
    assert (speech.characters, speech.num_model_requests) == (len("Hello there."), 1)  # type: ignore[union-attr]


def test_refused_requests_are_nobodys_usage(
    admin: openai.OpenAI, mock_app: TemplateRouter, project_key: tuple[str, str, str]
) -> None:
    _, _, secret = project_key
    quotas.set_quota(principal_for_key(secret).tenant, requests_per_minute=1, tokens_per_minute=None)
    app = asgi_client(mock_app, api_key=secret)
    _chat(app, "Admitted.")
    with pytest.raises(openai.RateLimitError):
        _chat(app, "Refused.")
    [result] = admin.admin.organization.usage.completions(start_time=T0 + 3 * DAY).data[0].results
    assert result.num_model_requests == 1  # type: ignore[union-attr]
    assert principal_for_key(ADMIN_KEY).tenant == principal_for_key(secret).tenant


def test_an_ordinary_keys_traffic_is_its_organizations_default_project_usage(
    mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ordinary key is its own organization: its usage lands in that organization's Default Project, seen
    by the Administration API when the same key is also an admin key (OPENAI_MOCK_ADMIN_KEYS)."""
    monkeypatch.setenv("OPENAI_MOCK_ADMIN_KEYS", "sk-team-shared")
    reset_settings()
    clock.freeze(NOW)
    answer = _chat(asgi_client(mock_app, api_key="sk-team-shared"), "An ordinary key's question.")
    assert recorded(principal_for_key("sk-test").tenant) == []  # another key: not its usage
    org = org_client(mock_app, "sk-team-shared").admin.organization
    [default] = [project for project in org.projects.list() if project.name == "Default Project"]
    [result] = org.usage.completions(start_time=T0 + 3 * DAY, group_by=["project_id"]).data[0].results
    assert answer.usage
    assert (result.project_id, result.num_model_requests) == (default.id, 1)  # type: ignore[union-attr]
    assert result.input_tokens == answer.usage.prompt_tokens  # type: ignore[union-attr]


def test_usage_through_the_chat_lambda(admin: openai.OpenAI, project_key: tuple[str, str, str]) -> None:
    project_id, _, secret = project_key
    answer = _chat(lambda_client(chat_function.handler, "v1", api_key=secret), "Through API Gateway.")
    [result] = (
        admin.admin.organization.usage.completions(start_time=T0 + 3 * DAY, project_ids=[project_id]).data[0].results
    )
    assert answer.usage and result.input_tokens == answer.usage.prompt_tokens  # type: ignore[union-attr]
