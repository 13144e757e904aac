"""A batch's lines held to the project settings of the key that created it, through the official SDK: model and
hosted tool permissions, service tier settings, data retention and deactivated safety identifiers. A line that
breaks one fails in the error file with the very status and error the direct call answers; the others run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits, safety
from tests.support.batches import batch_line, batch_records, run_batch
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.sdk import asgi_client, held

START = 1_750_032_000
CHAT, RESPONSES, EMBEDDINGS = "/v1/chat/completions", "/v1/responses", "/v1/embeddings"
MESSAGES: Any = [{"role": "user", "content": "Name a colour."}]


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)
    ratelimits.reset()


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


@pytest.fixture
def project(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, openai.OpenAI]:
    """A project, and its service account's key (a Member: it may create files and batches, and call models)."""
    created = admin.admin.organization.projects.create(name="Batch checks")
    account = admin.admin.organization.projects.service_accounts.create(created.id, name="batcher")
    assert account.api_key is not None and account.api_key.value is not None
    return created.id, asgi_client(mock_app, api_key=account.api_key.value)


def _refused(call: Callable[[], object]) -> tuple[int, dict[str, Any]]:
    """The direct call's status and OpenAI error body."""
    with pytest.raises(openai.APIStatusError) as raised:
        call()
    error: dict[str, Any] = raised.value.response.json()
    return raised.value.status_code, error


def _failed_as(record: dict[str, Any], direct: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    """A failed line's error, asserted equal to the direct call's (status and body)."""
    assert record["error"] is None and record["response"]["request_id"].startswith("req_")
    assert (record["response"]["status_code"], record["response"]["body"]) == direct
    error: dict[str, Any] = direct[1]["error"]
    return error


# ------------------------------------------------------------------------------------------- model permissions

_VIDEO: Any = {"model": "sora-2", "prompt": "A paper boat drifting down a rainy street."}
# endpoint, a blocked line's body, the same request made directly, an allowed line's body (its model allowed)
BLOCKED_MODEL_CASES: list[tuple[str, dict[str, Any], Callable[[openai.OpenAI], object], dict[str, Any]]] = [
    (
        CHAT,
        {"model": "gpt-4o", "messages": MESSAGES},
        lambda key: key.chat.completions.create(model="gpt-4o", messages=MESSAGES),
        {"model": "gpt-4o-mini", "messages": MESSAGES},
    ),
    (
        RESPONSES,
        {"model": "gpt-4o", "input": "Name a colour."},
        lambda key: key.responses.create(model="gpt-4o", input="Name a colour."),
        {"model": "gpt-4o-mini", "input": "Name a colour."},
    ),
    (
        EMBEDDINGS,
        {"model": "text-embedding-3-large", "input": "hello"},
        lambda key: key.embeddings.create(model="text-embedding-3-large", input="hello"),
        {"model": "text-embedding-3-small", "input": "hello"},
    ),
    (
        "/v1/completions",
        {"model": "davinci-002", "prompt": "Once upon a time", "max_tokens": 8},
        lambda key: key.completions.create(model="davinci-002", prompt="Once upon a time", max_tokens=8),
        {"model": "gpt-3.5-turbo-instruct", "prompt": "Once upon a time", "max_tokens": 8},
    ),
    (
        "/v1/moderations",
        {"model": "omni-moderation-2024-09-26", "input": "I like tea."},
        lambda key: key.moderations.create(model="omni-moderation-2024-09-26", input="I like tea."),
        {"model": "omni-moderation-latest", "input": "I like tea."},
    ),
    (  # no model named: the endpoint's default, checked as the route's accounting checks it
        "/v1/images/generations",
        {"prompt": "A lighthouse at dusk", "size": "256x256"},
        lambda key: key.images.generate(prompt="A lighthouse at dusk", size="256x256"),
        {"model": "gpt-image-1", "prompt": "A lighthouse at dusk", "size": "1024x1024", "quality": "low"},
    ),
    ("/v1/videos", _VIDEO, lambda key: key.videos.create(**_VIDEO), {**_VIDEO, "model": "sora-2-pro"}),
]


@pytest.mark.parametrize(
    ("endpoint", "blocked", "direct", "allowed"),
    BLOCKED_MODEL_CASES,
    ids=[case[0] for case in BLOCKED_MODEL_CASES],
)
def test_a_line_naming_a_blocked_model_fails_as_the_direct_call_does(
    admin: openai.OpenAI,
    project: tuple[str, openai.OpenAI],
    endpoint: str,
    blocked: dict[str, Any],
    direct: Callable[[openai.OpenAI], object],
    allowed: dict[str, Any],
) -> None:
    project_id, key = project
    blocked_model = blocked.get("model", "dall-e-2")
    admin.admin.organization.projects.model_permissions.update(project_id, mode="deny_list", model_ids=[blocked_model])
    refused = _refused(lambda: direct(key))
    assert refused[0] == 403 and refused[1]["error"]["code"] == "model_not_found"

    batch = run_batch(
        key, endpoint, [batch_line("ok", endpoint, **allowed), batch_line("blocked", endpoint, **blocked)]
    )
    assert batch["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    error = _failed_as(batch_records(key, batch["error_file_id"])["blocked"], refused)
    assert error["message"] == f"Project `{project_id}` does not have access to model `{blocked_model}`"
    assert batch_records(key, batch["output_file_id"])["ok"]["response"]["status_code"] == 200


def test_a_key_outside_the_project_is_not_bound_by_its_permissions(
    admin: openai.OpenAI, project: tuple[str, openai.OpenAI]
) -> None:
    project_id, _ = project
    admin.admin.organization.projects.model_permissions.update(project_id, mode="allow_list", model_ids=["o3"])
    batch = run_batch(admin, CHAT, [batch_line("free", CHAT, model="gpt-4o-mini", messages=MESSAGES)])  # the admin key
    assert batch["request_counts"] == {"total": 1, "completed": 1, "failed": 0}


# ------------------------------------------------------------------------------------------------ hosted tools


def test_lines_using_a_disabled_hosted_tool_fail_as_the_direct_calls_do(
    admin: openai.OpenAI, project: tuple[str, openai.OpenAI]
) -> None:
    project_id, key = project
    admin.admin.organization.projects.hosted_tool_permissions.update(project_id, web_search={"enabled": False})
    ask: Any = {"model": "gpt-4o", "input": "Search the web for the latest Mars rover news."}
    tools: Any = [
        {"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {}}},
        {"type": "web_search_preview"},
    ]
    refused = _refused(lambda: key.responses.create(**ask, tools=tools))
    batch = run_batch(
        key, RESPONSES, [batch_line("plain", RESPONSES, **ask), batch_line("search", RESPONSES, **ask, tools=tools)]
    )
    assert batch["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    error = _failed_as(batch_records(key, batch["error_file_id"])["search"], refused)
    assert (error["code"], error["param"]) == ("hosted_tool_disabled", "tools[1]")

    searching: Any = {"model": "gpt-4o-search-preview", "messages": MESSAGES, "web_search_options": {}}
    refused_chat = _refused(lambda: key.chat.completions.create(**searching))
    chat_batch = run_batch(
        key, CHAT, [batch_line("search", CHAT, **searching), batch_line("ok", CHAT, model="gpt-4o", messages=MESSAGES)]
    )
    error = _failed_as(batch_records(key, chat_batch["error_file_id"])["search"], refused_chat)
    assert error["param"] == "web_search_options"
    assert chat_batch["request_counts"]["completed"] == 1


# ----------------------------------------------------------------------------------------------- service tiers


def test_lines_are_served_in_the_tier_the_projects_settings_allow(
    admin: openai.OpenAI, project: tuple[str, openai.OpenAI]
) -> None:
    project_id, key = project
    admin.admin.organization.projects.service_tier_settings.update(project_id, default="fast", enabled_tiers=["fast"])
    asked: dict[str, dict[str, Any]] = {
        "flex": {"service_tier": "flex"},  # not enabled: the default tier
        "auto": {"service_tier": "auto"},  # the project's default: Fast, served as priority
        "none": {},
    }
    lines = [batch_line(name, CHAT, model="gpt-4o-mini", messages=MESSAGES, **extra) for name, extra in asked.items()]
    answers = batch_records(key, run_batch(key, CHAT, lines)["output_file_id"])
    for name, extra in asked.items():
        direct = held(
            ChatCompletion,
            key.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, **extra),
        )
        line = answers[name]["response"]["body"]
        ChatCompletion.model_validate(line, strict=True)
        assert line["service_tier"] == direct["service_tier"], name
    assert answers["flex"]["response"]["body"]["service_tier"] == "default"
    assert answers["none"]["response"]["body"]["service_tier"] == "priority"


# ---------------------------------------------------------------------------------------------- data retention


def test_stored_chat_lines_keep_nothing_under_zero_data_retention(
    admin: openai.OpenAI, project: tuple[str, openai.OpenAI]
) -> None:
    project_id, key = project
    line = batch_line("kept", CHAT, model="gpt-4o-mini", messages=MESSAGES, store=True)
    kept = batch_records(key, run_batch(key, CHAT, [line])["output_file_id"])["kept"]["response"]["body"]
    assert key.chat.completions.retrieve(kept["id"]).id == kept["id"]  # before: stored, as `store: true` asks

    admin.admin.organization.projects.data_retention.update(project_id, retention_type="zero_data_retention")
    direct = key.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, store=True)
    with pytest.raises(openai.NotFoundError):
        key.chat.completions.retrieve(direct.id)
    answered = batch_records(key, run_batch(key, CHAT, [line])["output_file_id"])["kept"]["response"]
    assert answered["status_code"] == 200 and answered["body"]["choices"][0]["message"]["content"]
    with pytest.raises(openai.NotFoundError):  # answered, but kept nowhere
        key.chat.completions.retrieve(answered["body"]["id"])
    assert [completion.id for completion in key.chat.completions.list()] == [kept["id"]]


# ------------------------------------------------------------------------------------------ safety identifiers


def _deactivate(http: TestClient, identifier: str) -> None:
    issued = http.post(
        "/__mock/safety/cases",
        json={"entity_identifier": identifier, "notice": "deactivation", "safety_category": "cyber"},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert issued.status_code == 200, issued.text


def test_lines_of_a_deactivated_safety_identifier_fail_as_the_direct_calls_do(
    admin: openai.OpenAI, project: tuple[str, openai.OpenAI], http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id, key = project
    conversation = key.conversations.create(safety_identifier="user_42")
    _deactivate(http, "user_42")
    events: list[dict[str, Any]] = []  # the `safety_identifier.blocked` events' data, from here on
    monkeypatch.setattr(safety, "_emit", lambda _tenant, _type, _id, **event: events.append(event["data"]))

    refused_chat = _refused(
        lambda: key.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, safety_identifier="user_42")
    )
    chat_lines = [
        batch_line("blocked", CHAT, model="gpt-4o-mini", messages=MESSAGES, safety_identifier="user_42"),
        batch_line("other", CHAT, model="gpt-4o-mini", messages=MESSAGES, safety_identifier="user_7"),
    ]
    chat_batch = run_batch(key, CHAT, chat_lines)
    assert chat_batch["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    blocked_line = batch_records(key, chat_batch["error_file_id"])["blocked"]
    error = _failed_as(blocked_line, refused_chat)
    assert (error["code"], error["param"]) == ("safety_identifier_blocked", "safety_identifier")
    assert events[-1] == {  # the event names the line's request, in the batch creator's project
        "safety_category": "cyber",
        "safety_identifier": "user_42",
        "model": "gpt-4o-mini",
        "project_id": project_id,
        "request_id": blocked_line["response"]["request_id"],
    }

    # A Responses turn of the end user's conversation is theirs: refused without naming the identifier.
    turn: Any = {"model": "gpt-4o-mini", "input": "Hello again.", "conversation": conversation.id}
    refused_turn = _refused(lambda: key.responses.create(**turn))
    alone = batch_line("alone", RESPONSES, model="gpt-4o-mini", input="Hello again.")
    responses_batch = run_batch(key, RESPONSES, [batch_line("turn", RESPONSES, **turn), alone])
    _failed_as(batch_records(key, responses_batch["error_file_id"])["turn"], refused_turn)
    assert responses_batch["request_counts"] == {"total": 2, "completed": 1, "failed": 1}

    image: Any = {
        "model": "dall-e-2",
        "prompt": "A lighthouse at dusk",
        "size": "256x256",
        "safety_identifier": "user_42",
    }
    refused_image = _refused(lambda: key.images.generate(**image))
    images_batch = run_batch(key, "/v1/images/generations", [batch_line("image", "/v1/images/generations", **image)])
    _failed_as(batch_records(key, images_batch["error_file_id"])["image"], refused_image)
