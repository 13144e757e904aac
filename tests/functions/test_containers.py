"""Containers through the official SDK: create (expires_after, memory limit, network policy, files copied from the
Files API), list with pagination and the name filter, retrieve, delete; files uploaded as bytes or copied from a
stored file, listed, retrieved, downloaded byte for byte, deleted; `running` → `expired` by the mock clock after
the idle time, and an expired container refusing use; bad input answering 400 with `param` and storing nothing;
the Responses `code_interpreter` tool running in a container it creates (or the one named) and writing a CSV or a
PNG chart there, cited in its answer. Every JSON answer checked against the 2026-08-21 contract."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.generation.png import decode_png
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
T0 = 1_770_000_000


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


def _stored_file(client: openai.OpenAI, name: str, data: bytes) -> str:
    return client.files.create(file=(name, io.BytesIO(data)), purpose="user_data").id


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(T0)


def test_create_with_files_list_paginate_retrieve_delete(client: openai.OpenAI, http: TestClient) -> None:
    sales = _stored_file(client, "sales.csv", b"region,total\nnorth,120\nsouth,80\n")
    raw = _ok(
        http.post(
            "/v1/containers",
            json={
                "name": "Analysis",
                "file_ids": [sales],
                "memory_limit": "4g",
                "expires_after": {"anchor": "last_active_at", "minutes": 5},
                "network_policy": {"type": "allowlist", "allowed_domains": ["pypi.org"]},
            },
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/containers", 200, raw, spec=SPEC)
    assert raw["id"].startswith("cntr_") and raw["object"] == "container" and raw["status"] == "running"
    assert (raw["created_at"], raw["last_active_at"], raw["memory_limit"]) == (T0, T0, "4g")
    assert raw["expires_after"] == {"anchor": "last_active_at", "minutes": 5}
    assert raw["network_policy"] == {"type": "allowlist", "allowed_domains": ["pypi.org"]}

    copied = client.containers.files.list(raw["id"])
    assert [(f.source, f.bytes, f.path.rsplit("-", 1)[-1]) for f in copied.data] == [("user", 32, "sales.csv")]
    assert copied.data[0].path.startswith("/mnt/data/")
    content = client.containers.files.content.retrieve(copied.data[0].id, container_id=raw["id"]).read()
    assert content == b"region,total\nnorth,120\nsouth,80\n"

    others = [client.containers.create(name=f"box {n}") for n in range(3)]
    defaults = client.containers.retrieve(others[0].id)
    assert (defaults.memory_limit, defaults.expires_after.minutes, defaults.expires_after.anchor) == (  # type: ignore[union-attr]
        "1g",
        20,
        "last_active_at",
    )
    listed = _ok(http.get("/v1/containers?limit=2", headers=AUTH))
    assert_conforms("GET", "/v1/containers", 200, listed, spec=SPEC)
    assert [c["name"] for c in listed["data"]] == ["box 2", "box 1"] and listed["has_more"]
    rest = client.containers.list(limit=2, after=listed["last_id"])
    assert [c.name for c in rest.data] == ["box 0", "Analysis"] and not rest.has_more
    assert [c.name for c in client.containers.list(order="asc").data] == ["Analysis", "box 0", "box 1", "box 2"]
    assert [c.id for c in client.containers.list(name="Analysis").data] == [raw["id"]]

    retrieved = _ok(http.get(f"/v1/containers/{raw['id']}", headers=AUTH))
    assert_conforms("GET", f"/v1/containers/{raw['id']}", 200, retrieved, spec=SPEC)
    deleted = _ok(http.delete(f"/v1/containers/{raw['id']}", headers=AUTH))
    assert deleted == {"id": raw["id"], "object": "container.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        client.containers.retrieve(raw["id"])
    gone = _error(http.get(f"/v1/containers/{raw['id']}/files", headers=AUTH), 404)
    assert gone["param"] == "container_id" and raw["id"] in gone["message"]
    assert client.files.retrieve(sales).filename == "sales.csv"  # the stored file itself stays


def test_files_upload_copy_list_paginate_download_delete(client: openai.OpenAI, http: TestClient) -> None:
    container = client.containers.create(name="files")
    payload = bytes(range(256)) * 40  # binary, byte-exact round trip
    uploaded = client.containers.files.create(container.id, file=("blob.bin", payload))
    assert (uploaded.bytes, uploaded.source, uploaded.container_id) == (len(payload), "user", container.id)
    assert uploaded.id.startswith("cfile_") and uploaded.path.endswith("-blob.bin")
    stored = _stored_file(client, "notes.txt", b"remember the milk")
    copied = _ok(http.post(f"/v1/containers/{container.id}/files", json={"file_id": stored}, headers=AUTH))
    assert_conforms("POST", f"/v1/containers/{container.id}/files", 200, copied, spec=SPEC)
    assert copied["bytes"] == 17 and copied["path"].endswith("-notes.txt")
    third = client.containers.files.create(container.id, file=("c.txt", b"three"))

    path = f"/v1/containers/{container.id}/files"
    page = _ok(http.get(f"{path}?limit=2&order=asc", headers=AUTH))
    assert_conforms("GET", path, 200, page, spec=SPEC)
    assert [f["id"] for f in page["data"]] == [uploaded.id, copied["id"]] and page["has_more"]
    rest = client.containers.files.list(container.id, limit=2, order="asc", after=page["last_id"])
    assert [f.id for f in rest.data] == [third.id] and not rest.has_more

    one = _ok(http.get(f"{path}/{uploaded.id}", headers=AUTH))
    assert_conforms("GET", f"{path}/{uploaded.id}", 200, one, spec=SPEC)
    download = http.get(f"{path}/{uploaded.id}/content", headers=AUTH)
    assert download.status_code == 200 and download.content == payload
    assert "blob.bin" in download.headers["content-disposition"]
    assert client.containers.files.content.retrieve(copied["id"], container_id=container.id).read() == (
        b"remember the milk"
    )

    removed = _ok(http.delete(f"{path}/{uploaded.id}", headers=AUTH))
    assert removed == {"id": uploaded.id, "object": "container.file.deleted", "deleted": True}
    missing = _error(http.get(f"{path}/{uploaded.id}/content", headers=AUTH), 404)
    assert missing["param"] == "file_id"
    assert [f.id for f in client.containers.files.list(container.id).data] == [third.id, copied["id"]]


def test_idle_container_expires_by_the_clock_and_refuses_use(client: openai.OpenAI, http: TestClient) -> None:
    container = client.containers.create(name="short", expires_after={"anchor": "last_active_at", "minutes": 2})
    clock.advance(90)
    client.containers.files.create(container.id, file=("a.txt", b"a"))  # use: last_active_at moves
    assert client.containers.retrieve(container.id).last_active_at == T0 + 90
    clock.advance(100)  # 190 s after creation, 100 s after the last use: still running
    assert client.containers.retrieve(container.id).status == "running"
    clock.advance(21)  # 121 s idle
    expired = _ok(http.get(f"/v1/containers/{container.id}", headers=AUTH))
    assert_conforms("GET", f"/v1/containers/{container.id}", 200, expired, spec=SPEC)
    assert expired["status"] == "expired" and expired["last_active_at"] == T0 + 90
    refused = _error(http.post(f"/v1/containers/{container.id}/files", files={"file": ("b.txt", b"b")}, headers=AUTH))
    assert refused["message"] == "Container is expired." and refused["param"] == "container_id"
    for answer in (
        http.get(f"/v1/containers/{container.id}/files", headers=AUTH),
        http.get(f"/v1/containers/{container.id}/files/cfile_x/content", headers=AUTH),
    ):
        assert _error(answer)["code"] == "container_expired"
    with pytest.raises(openai.BadRequestError):
        client.responses.create(
            model="gpt-4.1", input="Run it", tools=[{"type": "code_interpreter", "container": container.id}]
        )
    assert client.containers.list().data[0].status == "expired"
    client.containers.delete(container.id)  # an expired container can still be deleted


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "memory_limit": "2g"}, "memory_limit"),
        ({"name": "x", "expires_after": {"anchor": "created_at", "minutes": 5}}, "expires_after.anchor"),
        ({"name": "x", "expires_after": {"anchor": "last_active_at", "minutes": 0}}, "expires_after.minutes"),
        ({"name": "x", "expires_after": {"anchor": "last_active_at"}}, "expires_after.minutes"),
        ({"name": "x", "file_ids": ["file-missing"]}, "file_ids[0]"),
        ({"name": "x", "network_policy": {"type": "open"}}, "network_policy.type"),
        (
            {"name": "x", "network_policy": {"type": "allowlist", "allowed_domains": []}},
            "network_policy.allowed_domains",
        ),
        ({"name": "x", "skills": [{"type": "skill_reference", "skill_id": "skill_nope"}]}, "skills[0].skill_id"),
        (
            {
                "name": "x",
                "skills": [
                    {
                        "type": "inline",
                        "name": "a",
                        "description": "b",
                        "source": {"type": "base64", "media_type": "application/zip", "data": "!!"},
                    }
                ],
            },
            "skills[0].source.data",
        ),
        (
            {"name": "x", "network_policy": {"type": "allowlist", "allowed_domains": ["a.com"], "domain_secrets": [5]}},
            "network_policy.domain_secrets[0]",
        ),
        ({"name": "x", "color": "red"}, "color"),
    ],
)
def test_bad_create_is_a_400_naming_the_param_and_stores_nothing(
    client: openai.OpenAI, http: TestClient, body: dict[str, Any], param: str
) -> None:
    good = _stored_file(client, "ok.txt", b"fine")
    if "file_ids" in body:
        body = {**body, "file_ids": [good, *body["file_ids"]]}
        param = "file_ids[1]"
    answer = http.post("/v1/containers", json=body, headers=AUTH)
    status = 404 if param.startswith("file_ids") else 400
    assert _error(answer, status)["param"] == param
    assert client.containers.list().data == []


def test_bad_file_requests(client: openai.OpenAI, http: TestClient) -> None:
    container = client.containers.create(name="strict")
    path = f"/v1/containers/{container.id}/files"
    assert _error(http.post(path, json={}, headers=AUTH))["param"] == "file"
    assert _error(http.post(path, json={"file_id": "file-nope"}, headers=AUTH), 404)["param"] == "file_id"
    assert _error(http.post(path, json={"file_id": ""}, headers=AUTH))["param"] == "file"
    assert _error(http.post(path, files={"file": ("empty.txt", b"")}, headers=AUTH))["code"] == "empty_file"
    assert _error(http.get(f"{path}/cfile_unknown", headers=AUTH), 404)["param"] == "file_id"
    assert _error(http.get(f"{path}?limit=0", headers=AUTH))["param"] == "limit"
    assert client.containers.files.list(container.id).data == []
    with pytest.raises(openai.NotFoundError):
        client.containers.files.create("cntr_unknown", file=("a.txt", b"a"))


def test_containers_are_per_api_key(client: openai.OpenAI, client_for: Any) -> None:
    mine = client.containers.create(name="mine")
    stranger = client_for("sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.containers.retrieve(mine.id)
    assert stranger.containers.list().data == []


# --------------------------------------------------------------------------------------------- code_interpreter


def _code_calls(response: Any) -> list[Any]:
    return [item for item in response.output if item.type == "code_interpreter_call"]


def _citation(response: Any) -> Any:
    message = next(item for item in response.output if item.type == "message")
    [citation] = message.content[0].annotations
    return message.content[0].text, citation


def test_code_interpreter_auto_creates_a_container_and_writes_a_chart(client: openai.OpenAI, http: TestClient) -> None:
    body = {
        "model": "gpt-4.1",
        "input": "Plot a bar chart of our monthly revenue",
        "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
        "include": ["code_interpreter_call.outputs"],
    }
    raw = _ok(http.post("/v1/responses", json=body, headers=AUTH))
    assert_conforms("POST", "/v1/responses", 200, raw, spec=SPEC)
    response = client.responses.retrieve(raw["id"], include=["code_interpreter_call.outputs"])
    [call] = _code_calls(response)
    assert call.status == "completed" and "plt.savefig('/mnt/data/" in (call.code or "")
    [logs] = call.outputs or []
    assert logs.type == "logs" and "rows: 6" in logs.logs  # type: ignore[union-attr]

    container = client.containers.retrieve(call.container_id)
    assert container.status == "running"
    [written] = client.containers.files.list(call.container_id).data
    assert written.source == "assistant" and written.path.endswith("_chart.png")
    png = client.containers.files.content.retrieve(written.id, container_id=call.container_id).read()
    picture = decode_png(png)
    assert (picture.width, picture.height) == (640, 400)

    text, citation = _citation(response)
    assert citation.type == "container_file_citation"
    assert (citation.container_id, citation.file_id) == (call.container_id, written.id)
    assert citation.filename == written.path.rsplit("/", 1)[-1]
    assert text[citation.start_index : citation.end_index] == f"[{citation.filename}](sandbox:{written.path})"
    # Without `include`, the outputs are left out, as the real API leaves them out.
    assert _code_calls(client.responses.retrieve(raw["id"]))[0].outputs is None


def test_code_interpreter_in_a_named_container_reads_its_csv(client: openai.OpenAI) -> None:
    container = client.containers.create(name="data")
    client.containers.files.create(container.id, file=("scores.csv", b"team,points\nred,10\nblue,30\ngreen,20\n"))
    clock.advance(60)
    response = client.responses.create(
        model="gpt-4.1",
        input="Summarise the points in the CSV file",
        tools=[{"type": "code_interpreter", "container": container.id}],
        include=["code_interpreter_call.outputs"],
    )
    [call] = _code_calls(response)
    assert call.container_id == container.id and "pd.read_csv('/mnt/data/" in (call.code or "")
    logs = call.outputs[0].logs  # type: ignore[index,union-attr]
    assert "points: total=60.00 mean=20.00 min=10.00 max=30.00" in logs
    files = client.containers.files.list(container.id, order="asc").data
    assert [f.source for f in files] == ["user", "assistant"]
    summary = client.containers.files.content.retrieve(files[1].id, container_id=container.id).read().decode()
    rows = dict(csv.reader(io.StringIO(summary)))
    assert (rows["count"], rows["mean"], rows["median"], rows["max"]) == ("3", "20.0", "20.0", "30.0")
    assert client.containers.retrieve(container.id).last_active_at == T0 + 60  # the run used it
    _, citation = _citation(response)
    assert citation.file_id == files[1].id


def test_code_interpreter_streams_its_code(client: openai.OpenAI) -> None:
    stream = client.responses.create(
        model="gpt-4.1",
        input="Make a CSV of weekly signups",
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
        stream=True,
    )
    events = list(stream)
    kinds = [event.type for event in events]
    for kind in (
        "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call_code.delta",
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
    ):
        assert kind in kinds
    done = next(event for event in events if event.type == "response.code_interpreter_call_code.done")
    deltas = "".join(event.delta for event in events if event.type == "response.code_interpreter_call_code.delta")  # type: ignore[union-attr]
    assert deltas == done.code and "to_csv('/mnt/data/" in done.code  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "code_interpreter"}, "tools[0].container"),
        ({"type": "code_interpreter", "container": 7}, "tools[0].container"),
        ({"type": "code_interpreter", "container": {"type": "manual"}}, "tools[0].container.type"),
        (
            {"type": "code_interpreter", "container": {"type": "auto", "network_policy": "x"}},
            "tools[0].container.network_policy",
        ),
        (
            {"type": "code_interpreter", "container": {"type": "auto", "memory_limit": "3g"}},
            "tools[0].container.memory_limit",
        ),
        (
            {"type": "code_interpreter", "container": {"type": "auto", "file_ids": ["file-nope"]}},
            "tools[0].container.file_ids[0]",
        ),
    ],
)
def test_bad_code_interpreter_tools(client: openai.OpenAI, http: TestClient, tool: dict[str, Any], param: str) -> None:
    answer = http.post("/v1/responses", json={"model": "gpt-4.1", "input": "hi", "tools": [tool]}, headers=AUTH)
    assert _error(answer, 404 if "file_ids" in param else 400)["param"] == param
    assert client.containers.list().data == []


def test_code_interpreter_unknown_container_is_a_404(http: TestClient) -> None:
    body = {"model": "gpt-4.1", "input": "hi", "tools": [{"type": "code_interpreter", "container": "cntr_missing"}]}
    assert _error(http.post("/v1/responses", json=body, headers=AUTH), 404)["param"] == "container_id"


def test_container_files_on_dynamodb_and_s3(moto_persistence: None, client: openai.OpenAI) -> None:
    """Bytes in S3, metadata in DynamoDB (moto): the same answers, byte for byte, and nothing left on delete."""
    from openai_mock.store import get_blobs, reset_stores

    container = client.containers.create(name="persisted", file_ids=[_stored_file(client, "a.csv", b"x,y\n1,2\n")])
    payload = bytes(range(256)) * 1000
    uploaded = client.containers.files.create(container.id, file=("big.bin", payload))
    reset_stores()  # a new Lambda container
    assert client.containers.files.content.retrieve(uploaded.id, container_id=container.id).read() == payload
    assert len(client.containers.files.list(container.id).data) == 2
    client.containers.delete(container.id)
    assert get_blobs().get(_tenant(), f"container/{container.id}/{uploaded.id}") is None


def _tenant() -> str:
    from openai_mock.web.auth import principal_for_key

    return principal_for_key("sk-test").tenant


def test_counting_input_tokens_runs_the_same_code_and_writes_nothing(client: openai.OpenAI) -> None:
    stored = _stored_file(client, "scores.csv", b"team,points\nred,10\nblue,30\n")
    container = client.containers.create(name="data", file_ids=[stored])
    clock.advance(30)
    for tool_container in (container.id, {"type": "auto", "file_ids": [stored]}):
        request: dict[str, Any] = {
            "model": "gpt-4.1",
            "input": "Summarise the points in the CSV file",
            "tools": [{"type": "code_interpreter", "container": tool_container}],
        }
        active = client.containers.retrieve(container.id).last_active_at
        clock.advance(5)
        counted = client.responses.input_tokens.count(**request)
        assert client.containers.retrieve(container.id).last_active_at == active  # nothing touched
        assert [c.id for c in client.containers.list().data] == [container.id]  # nothing created
        assert len(client.containers.files.list(container.id).data) == 1  # nothing written
        created = client.responses.create(**request)
        assert created.usage is not None and counted.input_tokens == created.usage.input_tokens
        for made in client.containers.list().data:
            if made.id != container.id:
                client.containers.delete(made.id)
        for written in client.containers.files.list(container.id).data[:-1]:
            client.containers.files.delete(written.id, container_id=container.id)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_binary_files_through_the_lambda_handlers(version: str) -> None:
    """Multipart uploads in and octet-stream downloads out through API Gateway events (base64 both ways) and
    Mangum: the bytes survive exactly; skills' zips too."""
    from functions.containers.app import handler as containers_handler
    from functions.skills.app import handler as skills_handler
    from tests.support.sdk import lambda_client

    containers_sdk = lambda_client(containers_handler, version)  # type: ignore[arg-type]
    container = containers_sdk.containers.create(name="lambda")
    payload = bytes(range(256)) * 64 + b"\r\n--boundary-lookalike--\r\n"
    uploaded = containers_sdk.containers.files.create(container.id, file=("odd.bin", payload))
    assert containers_sdk.containers.files.content.retrieve(uploaded.id, container_id=container.id).read() == payload

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("lam/SKILL.md", "---\nname: lam\ndescription: Through Lambda.\n---\n")
    skills_sdk = lambda_client(skills_handler, version)  # type: ignore[arg-type]
    skill = skills_sdk.skills.create(files=("lam.zip", bundle.getvalue()))
    assert skills_sdk.skills.content.retrieve(skill.id).read() == bundle.getvalue()


def test_a_code_interpreter_turn_in_a_conversation(client: openai.OpenAI, http: TestClient) -> None:
    conversation = client.conversations.create()
    response = client.responses.create(
        model="gpt-4.1",
        input="Make a CSV of weekly signups",
        conversation=conversation.id,
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
    )
    [call] = _code_calls(response)
    path = f"/v1/conversations/{conversation.id}/items"
    plain = _ok(http.get(path, headers=AUTH))
    assert_conforms("GET", path, 200, plain, spec=SPEC)
    [stored] = [item for item in plain["data"] if item["type"] == "code_interpreter_call"]
    assert stored["id"] == call.id and stored["outputs"] is None and stored["container_id"] == call.container_id
    full = _ok(http.get(f"{path}?include[]=code_interpreter_call.outputs", headers=AUTH))
    [shown] = [item for item in full["data"] if item["type"] == "code_interpreter_call"]
    assert shown["outputs"][0]["type"] == "logs" and "saved /mnt/data/" in shown["outputs"][0]["logs"]
