"""Assistants, threads and messages through the official SDK: CRUD, validation, pagination, the beta header,
tenant isolation, and one operation through the Lambda handler."""

from __future__ import annotations

import io

import openai
import pytest
from starlette.testclient import TestClient

from functions.assistants import app as assistants_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.assistants_sdk import T0, WEATHER_TOOL, conforming_client, error_body
from tests.support.sdk import lambda_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks Assistants deprecated
BETA = {"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer sk-test"}


@pytest.fixture(autouse=True)
def frozen() -> None:
    clock.freeze(T0)


@pytest.fixture
def sdk(mock_app: TemplateRouter) -> openai.OpenAI:
    return conforming_client(mock_app)


def _upload(client: openai.OpenAI, name: str, text: str) -> str:
    return client.files.create(file=(name, io.BytesIO(text.encode())), purpose="assistants").id


# --------------------------------------------------------------------------- assistants


def test_assistant_lifecycle(sdk: openai.OpenAI) -> None:
    created = sdk.beta.assistants.create(
        model="gpt-4o-mini",
        name="Math tutor",
        description="Helps with sums",
        instructions="Be brief.",
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}, WEATHER_TOOL],
        metadata={"team": "edu"},
        temperature=0.5,
        top_p=0.9,
        response_format={"type": "json_object"},
    )
    assert created.id.startswith("asst_") and created.created_at == int(T0)
    assert [tool.type for tool in created.tools] == ["code_interpreter", "file_search", "function"]
    search = created.tools[1]
    assert search.type == "file_search" and search.file_search is not None
    assert search.file_search.ranking_options is not None
    assert search.file_search.ranking_options.ranker == "default_2024_08_21"
    assert (created.temperature, created.top_p, created.metadata) == (0.5, 0.9, {"team": "edu"})

    assert sdk.beta.assistants.retrieve(created.id).name == "Math tutor"
    modified = sdk.beta.assistants.update(created.id, name="Tutor", tools=[])
    assert (modified.name, modified.tools, modified.instructions) == ("Tutor", [], "Be brief.")
    deleted = sdk.beta.assistants.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "assistant.deleted")
    with pytest.raises(openai.NotFoundError) as raised:
        sdk.beta.assistants.retrieve(created.id)
    assert error_body(raised)["message"] == f"No assistant found with id '{created.id}'."


def test_assistants_list_paginates_both_ways(sdk: openai.OpenAI) -> None:
    ids = []
    for index in range(5):
        ids.append(sdk.beta.assistants.create(model="gpt-4o", name=f"a{index}").id)
        clock.advance(1)
    first = sdk.beta.assistants.list(limit=2, order="asc")
    assert [item.id for item in first.data] == ids[:2] and first.has_more
    assert [item.id for item in sdk.beta.assistants.list(limit=2, order="asc")] == ids  # auto-pagination
    assert [item.id for item in sdk.beta.assistants.list(limit=2, before=ids[3], order="asc").data] == ids[1:3]
    assert [item.id for item in sdk.beta.assistants.list(limit=10).data] == ids[::-1]


@pytest.mark.parametrize(
    ("kwargs", "param", "code"),
    [
        ({"model": "gpt-17"}, "model", "model_not_found"),
        ({"model": "text-embedding-3-small"}, "model", "unsupported_model"),
        ({"model": "gpt-4o", "temperature": 3}, "temperature", "decimal_above_max_value"),
        ({"model": "gpt-4o", "tools": [{"type": "browser"}]}, "tools[0].type", "invalid_value"),
        (
            {"model": "gpt-4o", "tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "tools[0].function.name",
            "invalid_value",
        ),
        ({"model": "gpt-4o", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "object_above_max_properties"),
        (
            {"model": "gpt-4o", "tool_resources": {"code_interpreter": {"file_ids": ["file-nope"]}}},
            "tool_resources.code_interpreter.file_ids",
            None,
        ),
        (
            {"model": "gpt-4o", "tool_resources": {"file_search": {"vector_store_ids": ["vs_nope"]}}},
            "vector_store_id",
            None,
        ),
    ],
)
def test_create_assistant_rejects_bad_input(sdk: openai.OpenAI, kwargs: dict, param: str, code: str | None) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        sdk.beta.assistants.create(**kwargs)
    assert raised.value.status_code in (400, 404)
    body = error_body(raised)
    assert body["param"] == param
    if code is not None:
        assert body["code"] == code
    assert sdk.beta.assistants.list().data == []  # nothing half-written


def test_tool_resources_reference_real_files_and_vector_stores(sdk: openai.OpenAI) -> None:
    file_id = _upload(sdk, "notes.txt", "Cats purr when they are content.")
    store = sdk.vector_stores.create(name="kb")
    assistant = sdk.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"code_interpreter": {"file_ids": [file_id]}, "file_search": {"vector_store_ids": [store.id]}},
    )
    assert assistant.tool_resources is not None
    assert assistant.tool_resources.code_interpreter and assistant.tool_resources.code_interpreter.file_ids == [file_id]
    assert assistant.tool_resources.file_search and assistant.tool_resources.file_search.vector_store_ids == [store.id]


# --------------------------------------------------------------------------- the beta header


def test_requests_without_the_v2_beta_header_are_refused(http: TestClient) -> None:
    missing = http.get("/v1/assistants", headers={"Authorization": "Bearer sk-test"})
    assert missing.status_code == 400
    assert missing.json()["error"] == {
        "message": "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by "
        "setting the header 'OpenAI-Beta: assistants=v2'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_beta",
    }
    v1 = http.post("/v1/threads", headers={"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v1"})
    assert v1.status_code == 400 and "v1 Assistants API has been deprecated" in v1.json()["error"]["message"]
    assert http.post("/v1/threads", headers=BETA).status_code == 200


# --------------------------------------------------------------------------- threads and messages


def test_thread_with_messages_and_vector_store_helper(sdk: openai.OpenAI) -> None:
    file_id = _upload(sdk, "guide.md", "The mock answers like the real API.")
    thread = sdk.beta.threads.create(
        messages=[
            {"role": "user", "content": "Hello there", "metadata": {"n": "1"}},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look:"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                ],
                "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
            },
        ],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [file_id], "metadata": {"k": "v"}}]}},
        metadata={"user": "u1"},
    )
    assert thread.id.startswith("thread_") and thread.metadata == {"user": "u1"}
    assert thread.tool_resources and thread.tool_resources.file_search
    (store_id,) = thread.tool_resources.file_search.vector_store_ids or []
    assert sdk.vector_stores.retrieve(store_id).metadata == {"k": "v"}

    messages = sdk.beta.threads.messages.list(thread.id, order="asc").data
    assert [m.role for m in messages] == ["user", "user"]
    first, second = messages
    assert first.content[0].type == "text" and first.content[0].text.value == "Hello there"
    assert [part.type for part in second.content] == ["text", "image_url"]
    assert second.attachments and second.attachments[0].file_id == file_id
    assert sdk.beta.threads.retrieve(thread.id).metadata == {"user": "u1"}
    assert sdk.beta.threads.update(thread.id, metadata={"user": "u2"}).metadata == {"user": "u2"}


def test_messages_crud_and_pagination(sdk: openai.OpenAI) -> None:
    thread = sdk.beta.threads.create()
    ids = [sdk.beta.threads.messages.create(thread.id, role="user", content=f"message {i}").id for i in range(4)]
    page = sdk.beta.threads.messages.list(thread.id, limit=3)
    assert [m.id for m in page.data] == ids[::-1][:3] and page.has_more
    assert [m.id for m in sdk.beta.threads.messages.list(thread.id, limit=2, order="asc", after=ids[1]).data] == ids[2:]
    assert [m.id for m in sdk.beta.threads.messages.list(thread.id, order="asc", before=ids[2]).data] == ids[:2]
    assert sdk.beta.threads.messages.retrieve(ids[0], thread_id=thread.id).content[0].text.value == "message 0"  # type: ignore[union-attr]
    updated = sdk.beta.threads.messages.update(ids[0], thread_id=thread.id, metadata={"seen": "yes"})
    assert updated.metadata == {"seen": "yes"}
    deleted = sdk.beta.threads.messages.delete(ids[0], thread_id=thread.id)
    assert (deleted.deleted, deleted.object) == (True, "thread.message.deleted")
    with pytest.raises(openai.NotFoundError):
        sdk.beta.threads.messages.retrieve(ids[0], thread_id=thread.id)


@pytest.mark.parametrize(
    ("content", "param", "code"),
    [
        ([], "content", "empty_array"),
        ([{"type": "video", "video": {}}], "content[0].type", "invalid_value"),
        ([{"type": "image_file", "image_file": {"file_id": "file-missing"}}], "content[0].image_file.file_id", None),
    ],
)
def test_bad_message_content_is_a_400_naming_the_part(
    sdk: openai.OpenAI, content: list, param: str, code: str | None
) -> None:
    thread = sdk.beta.threads.create()
    with pytest.raises(openai.APIStatusError) as raised:
        sdk.beta.threads.messages.create(thread.id, role="user", content=content)
    body = error_body(raised)
    assert body["param"] == param and (code is None or body["code"] == code)
    assert sdk.beta.threads.messages.list(thread.id).data == []


def test_deleting_a_thread_removes_its_messages(sdk: openai.OpenAI) -> None:
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    deleted = sdk.beta.threads.delete(thread.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (thread.id, True, "thread.deleted")
    with pytest.raises(openai.NotFoundError) as raised:
        sdk.beta.threads.messages.list(thread.id)
    assert error_body(raised)["message"] == f"No thread found with id '{thread.id}'."


def test_objects_belong_to_their_tenant(mock_app: TemplateRouter) -> None:
    owner, stranger = conforming_client(mock_app, "sk-owner"), conforming_client(mock_app, "sk-stranger")
    assistant = owner.beta.assistants.create(model="gpt-4o")
    thread = owner.beta.threads.create(messages=[{"role": "user", "content": "mine"}])
    assert stranger.beta.assistants.list().data == []
    for call in (
        lambda: stranger.beta.assistants.retrieve(assistant.id),
        lambda: stranger.beta.threads.retrieve(thread.id),
        lambda: stranger.beta.threads.messages.list(thread.id),
        lambda: stranger.beta.threads.delete(thread.id),
    ):
        with pytest.raises(openai.NotFoundError):
            call()
    stranger_thread = stranger.beta.threads.create()
    with pytest.raises(openai.NotFoundError):  # another tenant's assistant cannot run on your thread
        stranger.beta.threads.runs.create(stranger_thread.id, assistant_id=assistant.id)
    assert owner.beta.threads.retrieve(thread.id).id == thread.id


def test_assistants_through_the_lambda_handler() -> None:
    client = lambda_client(assistants_function.handler, "v1")  # type: ignore[arg-type]
    created = client.beta.assistants.create(model="gpt-4o-mini", name="From Lambda")
    assert client.beta.assistants.retrieve(created.id).name == "From Lambda"
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    assert client.beta.threads.messages.list(thread.id).data[0].content[0].text.value == "hello"  # type: ignore[union-attr]
