"""Agent environments through the official SDK (`client.beta.agents.environments[.templates|.files]`, beta operations
the API gained after the 2026-08-21 spec, held strictly to the SDK's models): templates kept without their
confidential parts, prewarmed environments set up, suspended and expired by the mock clock with their webhook
events, files written and listed by path, and what sessions use (`provision`, `current`, `session_environment`)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.beta.agents import EnvironmentInfo
from openai.types.beta.agents.environments import EnvironmentFile, EnvironmentTemplate, EnvironmentTemplateDeleted
from openai.types.beta.environment import EnvironmentResourceOpenAIHosted, EnvironmentResourceSelfHosted

from functions.agent_environments.app import app
from openai_mock import clock
from openai_mock.control import webhooks
from openai_mock.errors import OpenAIError
from openai_mock.resources import files as files_api
from openai_mock.resources import skills
from openai_mock.resources.agents import environment_templates, environments
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client, held

START = 1_790_000_000


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    clock.freeze(START)
    yield


@pytest.fixture
def client() -> openai.OpenAI:
    return asgi_client(app)


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """The webhook events sent: (type, object id, at)."""
    sent: list[tuple[str, str, int]] = []

    def record(tenant: str, event_type: str, object_id: str, *, at: float | None = None, **_: Any) -> bool:
        sent.append((event_type, object_id, int(at or 0)))
        return True

    monkeypatch.setattr(webhooks, "emit", record)
    return sent


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _zip(files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return _b64(buffer.getvalue())


def _plugin(name: str = "linter") -> Any:
    manifest = json.dumps({"name": name, "version": "1.0.0"})
    source = {"type": "base64", "media_type": "application/zip", "data": _zip({".codex-plugin/plugin.json": manifest})}
    return {"type": "inline", "name": name, "description": "Lints the workspace.", "source": source}


def _inline_skill(name: str = "csv-tools") -> Any:
    skill_md = f"---\nname: {name}\ndescription: Reads CSV files.\n---\nUse pandas.\n"
    source = {"type": "base64", "media_type": "application/zip", "data": _zip({f"{name}/SKILL.md": skill_md})}
    return {"type": "inline", "name": name, "description": "Reads CSV files.", "source": source}


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body: dict[str, Any] = raised.value.response.json()["error"]
    return body


def _hosted(client: openai.OpenAI, **environment: Any) -> dict[str, Any]:
    sent: Any = {"type": "openai_hosted", **environment}
    raw = client.beta.agents.environments.with_raw_response.create(environment=sent)
    body: dict[str, Any] = held(EnvironmentInfo, raw)
    return body


# --- templates --------------------------------------------------------------------------------------------------


def test_a_template_keeps_its_configuration_and_hides_its_confidential_parts(client: openai.OpenAI) -> None:
    tenant = principal_for_key("sk-test").tenant
    uploaded = files_api.create_file(tenant, "data.csv", "user_data", b"a,b\n1,2\n")
    raw = client.beta.agents.environments.templates.with_raw_response.create(
        name="Python CI",
        capability_directories=["/workspace/.agents"],
        desktop={"enabled": True},
        env={"API_TOKEN": "s3cret"},
        files=[
            {"type": "inline", "path": "/workspace/README.md", "data": _b64(b"# Demo\n")},
            {"type": "file_id", "file_id": uploaded["id"], "path": "/workspace/data/data.csv"},
        ],
        network={"access": "restricted", "allowed_domains": ["PyPI.org", "github.com"]},
        packages={"python": ["pytest"], "system": ["jq"]},
        plugins=[_plugin()],
        setup_commands=[{"command": "pip install -e ."}],
        skills=[_inline_skill(), {"type": "skill_reference", "skill_id": "openai-spreadsheets"}],
    )
    template = held(EnvironmentTemplate, raw)
    assert template["id"].startswith("envtpl_") and template["object"] == "agent.environment.template"
    assert (template["created_at"], template["updated_at"], template["name"]) == (START, START, "Python CI")
    assert template["files"] == [
        {"path": "/workspace/README.md", "size_bytes": 7, "type": "inline"},
        {"file_id": uploaded["id"], "path": "/workspace/data/data.csv", "type": "file_id"},
    ]
    assert template["network"] == {"access": "restricted", "allowed_domains": ["pypi.org", "github.com"]}
    assert template["packages"] == {"npm": [], "python": ["pytest"], "system": ["jq"]}
    assert template["plugins"] == [{"description": "Lints the workspace.", "name": "linter", "type": "inline"}]
    assert template["skills"] == [
        {"description": "Reads CSV files.", "name": "csv-tools", "type": "inline"},
        {"skill_id": "openai-spreadsheets", "type": "skill_reference", "version": None},
    ]
    assert template["desktop"] == {"enabled": True}
    assert "s3cret" not in raw.http_response.text and "pip install" not in raw.http_response.text
    assert (
        client.beta.agents.environments.templates.retrieve(template["id"]).model_dump()
        == EnvironmentTemplate(**template).model_dump()
    )
    blob = get_blobs().get(tenant, environment_templates.file_blob_key(template["id"], "/workspace/README.md"))
    assert blob == b"# Demo\n"


def test_a_template_update_changes_what_it_sends_and_a_null_resets(client: openai.OpenAI) -> None:
    templates = client.beta.agents.environments.templates
    created = templates.create(
        name="base", packages={"npm": ["typescript"]}, network={"access": "enabled"}, desktop={"enabled": True}
    )
    clock.advance(30)
    raw = templates.with_raw_response.update(created.id, name=None, network=None, capability_directories=["/opt/caps"])
    updated = held(EnvironmentTemplate, raw)
    assert updated["name"] is None and updated["network"] == {"access": "disabled", "allowed_domains": []}
    assert updated["capability_directories"] == ["/opt/caps"]
    assert updated["packages"] == {"npm": ["typescript"], "python": [], "system": []}  # not sent: kept
    assert updated["desktop"] == {"enabled": True}
    assert (updated["created_at"], updated["updated_at"]) == (START, START + 30)
    assert templates.update(created.id, desktop=None).desktop is not None
    assert templates.retrieve(created.id).desktop.enabled is False  # type: ignore[union-attr]


def test_templates_list_newest_first_with_after_and_delete(client: openai.OpenAI) -> None:
    templates = client.beta.agents.environments.templates
    made = []
    for index in range(3):
        made.append(templates.create(name=f"t{index}").id)
        clock.advance(1)
    first = templates.list(limit=2)
    assert [item.id for item in first.data] == [made[2], made[1]] and first.has_more is True
    rest = templates.list(limit=2, after=first.data[-1].id)
    assert [item.id for item in rest.data] == [made[0]] and rest.has_more is False
    assert [item.id for item in templates.list(order="asc")] == made

    deleted = held(EnvironmentTemplateDeleted, templates.with_raw_response.delete(made[1]))
    assert deleted == {"id": made[1], "deleted": True, "object": "agent.environment.template.deleted"}
    with pytest.raises(openai.NotFoundError) as raised:
        templates.retrieve(made[1])
    assert _error(raised)["param"] == "environment_template_id"
    assert [item.id for item in templates.list()] == [made[2], made[0]]


def test_another_projects_template_is_not_found(client: openai.OpenAI) -> None:
    template = client.beta.agents.environments.templates.create(name="mine")
    stranger = asgi_client(app, api_key="sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.beta.agents.environments.templates.retrieve(template.id)
    assert stranger.beta.agents.environments.templates.list().data == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"files": [{"type": "inline", "path": "/tmp/x", "data": "aGk="}]}, "files[0].path"),
        ({"files": [{"type": "inline", "path": "/workspace/../etc", "data": "aGk="}]}, "files[0].path"),
        ({"files": [{"type": "inline", "path": "/workspace/.codex/x", "data": "aGk="}]}, "files[0].path"),
        ({"files": [{"type": "inline", "path": "/workspace/a", "data": "!!"}]}, "files[0].data"),
        ({"files": [{"type": "inline", "path": "/workspace/a", "data": "aGk=", "file_id": "f"}]}, "files[0].file_id"),
        ({"files": [{"type": "file_id", "path": "/workspace/a", "file_id": "file-nope"}]}, "files[0].file_id"),
        (
            {
                "files": [
                    {"type": "inline", "path": "/workspace/a", "data": "aGk="},
                    {"type": "inline", "path": "/workspace/a/b", "data": "aGk="},
                ]
            },
            "files[1].path",
        ),
        ({"files": [{"type": "folder", "path": "/workspace/a"}]}, "files[0].type"),
        ({"network": {"access": "enabled", "allowed_domains": ["a.com"]}}, "network.allowed_domains"),
        ({"network": {"access": "restricted", "blocked_domains": ["*.evil.com"]}}, "network.blocked_domains[0]"),
        (
            {"network": {"access": "restricted", "allowed_domains": ["a.com"], "blocked_domains": ["b.com"]}},
            "network.blocked_domains",
        ),
        ({"network": {"access": "open"}}, "network.access"),
        ({"desktop": {"enabled": "yes"}}, "desktop.enabled"),
        ({"env": {"1BAD": "x"}}, "env.1BAD"),
        ({"setup_commands": [{"command": "make", "cwd": "relative"}]}, "setup_commands[0].cwd"),
        ({"plugins": [{**_plugin(), "name": "other"}]}, "plugins[0].name"),
        ({"skills": [{**_inline_skill(), "name": "other-name"}]}, "skills[0].name"),
        ({"skills": [{"type": "skill_reference", "skill_id": "skill_missing"}]}, "skills[0].skill_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(client: openai.OpenAI, body: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.beta.agents.environments.templates.create(extra_body=body)
    assert raised.value.status_code in (400, 404) and _error(raised)["param"] == param
    assert client.beta.agents.environments.templates.list().data == []


# --- environments -----------------------------------------------------------------------------------------------


def test_a_prewarmed_environment_sets_up_by_the_clock_and_announces_it(
    client: openai.OpenAI, emitted: list[tuple[str, str, int]]
) -> None:
    environment = _hosted(
        client,
        files=[{"type": "inline", "path": "/workspace/notes.txt", "data": _b64(b"remember")}],
        plugins=[_plugin()],
        skills=[{"type": "skill_reference", "skill_id": "openai-spreadsheets", "version": "2"}],
    )
    assert environment["id"].startswith("env_") and environment["status"] == "pending"
    assert environment["type"] == "openai_hosted" and environment["object"] == "agent.environment"
    [installed] = environment["files"]
    assert installed["id"].startswith("envfile_")
    assert (installed["path"], installed["size_bytes"], installed["type"]) == ("/workspace/notes.txt", 8, "inline")
    assert environment["plugins"] == [{"description": "Lints the workspace.", "name": "linter", "type": "inline"}]
    assert environment["skills"][0]["version"] == "2" and environment["skills"][0]["skill_id"] == "openai-spreadsheets"
    assert emitted == [("agent.environment.ready", environment["id"], START + environments.PROVISION_SECONDS)]

    clock.advance(environments.PROVISION_SECONDS - 1)
    assert client.beta.agents.environments.retrieve(environment["id"]).status == "pending"
    clock.advance(1)
    retrieved = held(EnvironmentInfo, client.beta.agents.environments.with_raw_response.retrieve(environment["id"]))
    assert retrieved["status"] == "ready" and retrieved["files"] == environment["files"]


def test_an_idle_environment_is_suspended_then_expires_each_announced_once(
    client: openai.OpenAI, emitted: list[tuple[str, str, int]]
) -> None:
    environment_id = _hosted(client)["id"]
    ready_at = START + environments.PROVISION_SECONDS
    suspends_at = ready_at + environments.IDLE_SUSPEND_SECONDS
    clock.advance(environments.PROVISION_SECONDS + environments.IDLE_SUSPEND_SECONDS)
    assert client.beta.agents.environments.retrieve(environment_id).status == "suspended"
    assert client.beta.agents.environments.retrieve(environment_id).status == "suspended"
    stored = get_store().get(principal_for_key("sk-test").tenant, environments.COLLECTION, environment_id)
    assert stored is not None and stored["status"] == "suspended"  # persisted, for every container to see

    clock.advance(environments.CHECKPOINT_RETENTION_SECONDS)
    assert client.beta.agents.environments.retrieve(environment_id).status == "expired"
    assert emitted[1:] == [
        ("agent.environment.suspended", environment_id, suspends_at),
        ("agent.environment.expired", environment_id, suspends_at + environments.CHECKPOINT_RETENTION_SECONDS),
    ]
    with pytest.raises(openai.ConflictError) as raised:
        client.beta.agents.environments.files.create(environment_id, type="inline", path="/workspace/a", data="aGk=")
    assert _error(raised)["code"] == "environment_expired" and _error(raised)["param"] == "environment_id"


def test_a_failing_setup_command_fails_the_environment(
    client: openai.OpenAI, emitted: list[tuple[str, str, int]]
) -> None:
    environment_id = _hosted(client, setup_commands=[{"command": "pip install -e ."}, {"command": "exit 2"}])["id"]
    assert emitted == [("agent.environment.failed", environment_id, START + environments.PROVISION_SECONDS)]
    clock.advance(environments.PROVISION_SECONDS)
    assert client.beta.agents.environments.retrieve(environment_id).status == "failed"
    clock.advance(environments.IDLE_SUSPEND_SECONDS * 10)
    assert client.beta.agents.environments.retrieve(environment_id).status == "failed"
    assert _hosted(client, setup_commands=[{"command": "exit 0"}])["status"] == "pending"
    assert emitted[-1][0] == "agent.environment.ready"


def test_an_environment_from_a_template_inherits_and_may_only_narrow_its_network(client: openai.OpenAI) -> None:
    template = client.beta.agents.environments.templates.create(
        files=[{"type": "inline", "path": "/workspace/README.md", "data": _b64(b"# Demo\n")}],
        network={"access": "restricted", "allowed_domains": ["pypi.org", "github.com"]},
        env={"CI": "1"},
        plugins=[_plugin()],
    )
    environment = _hosted(
        client, environment_template_id=template.id, network={"access": "restricted", "allowed_domains": ["pypi.org"]}
    )
    assert [entry["path"] for entry in environment["files"]] == ["/workspace/README.md"]
    assert environment["plugins"][0]["name"] == "linter"
    principal = principal_for_key("sk-test")
    shown = environments.session_environment(principal, environment["id"])
    EnvironmentResourceOpenAIHosted.model_validate(shown, strict=True)
    assert shown["network"] == {"access": "restricted", "allowed_domains": ["pypi.org"]}
    assert (shown["container_size"], shown["desktop"]) == ("medium", {"enabled": False})
    tenant = principal.tenant
    copied = environment_templates.read_inline(tenant, environment["id"], "/workspace/README.md")
    assert copied == b"# Demo\n"  # the template's bytes copied: it may change before the session ends

    with pytest.raises(openai.BadRequestError) as raised:
        _hosted(client, environment_template_id=template.id, network={"access": "enabled"})
    assert _error(raised)["param"] == "environment.network"
    with pytest.raises(openai.BadRequestError):
        _hosted(
            client,
            environment_template_id=template.id,
            network={"access": "restricted", "allowed_domains": ["pypi.org", "evil.com"]},
        )
    with pytest.raises(openai.NotFoundError) as missing:
        _hosted(client, environment_template_id="envtpl_missing")
    assert _error(missing)["param"] == "environment.environment_template_id"


def test_environments_list_newest_first_with_after_and_current_status(client: openai.OpenAI) -> None:
    made = []
    for _ in range(3):
        made.append(_hosted(client)["id"])
        clock.advance(3)
    page = client.beta.agents.environments.list(limit=2)
    assert [item.id for item in page.data] == [made[2], made[1]] and page.has_more is True
    assert [item.status for item in page.data] == ["pending", "ready"]
    rest = client.beta.agents.environments.list(limit=2, after=page.data[-1].id)
    assert [item.id for item in rest.data] == [made[0]] and rest.has_more is False
    assert [item.id for item in client.beta.agents.environments.list(order="asc")] == made
    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.environments.list(type="self_hosted")  # type: ignore[arg-type]
    assert _error(raised)["param"] == "type"


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"environment": {"type": "self_hosted"}}, 400, "environment.type"),
        ({"environment": {"type": "openai_hosted", "container_size": "small"}}, 400, "environment.container_size"),
        ({"environment": {"type": "openai_hosted"}, "vault_ids": ["vault_missing"]}, 404, "vault_ids[0]"),
        ({"environment": {"type": "openai_hosted"}, "vault_ids": [f"v{i}" for i in range(11)]}, 400, "vault_ids"),
        ({"environment": {"type": "openai_hosted", "packages": {"pip": ["x"]}}}, 400, "environment.packages.pip"),
        ({"environment": {"type": "openai_hosted", "capability_directories": [3]}}, 400,
         "environment.capability_directories[0]"),
    ],
)  # fmt: skip
def test_a_bad_environment_is_refused_naming_the_field(
    client: openai.OpenAI, body: dict[str, Any], status: int, param: str
) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.beta.agents.environments.create(environment={"type": "openai_hosted"}, extra_body=body)
    assert raised.value.status_code == status and _error(raised)["param"] == param
    assert client.beta.agents.environments.list().data == []


def test_an_unknown_environment_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.beta.agents.environments.retrieve("env_missing")
    assert _error(raised)["param"] == "environment_id"
    environment_id = _hosted(client)["id"]
    with pytest.raises(openai.NotFoundError):
        asgi_client(app, api_key="sk-someone-else").beta.agents.environments.retrieve(environment_id)


# --- files ------------------------------------------------------------------------------------------------------


def test_files_are_written_replaced_and_listed_by_path_with_page_tokens(client: openai.OpenAI) -> None:
    environment_id = _hosted(client)["id"]
    files = client.beta.agents.environments.files
    tenant = principal_for_key("sk-test").tenant
    uploaded = files_api.create_file(tenant, "big.bin", "user_data", b"x" * 1234)
    written = held(
        EnvironmentFile,
        files.with_raw_response.create(environment_id, type="file_id", file_id=uploaded["id"], path="/workspace/b.bin"),
    )
    assert written == {
        "environment_id": environment_id,
        "object": "agent.environment.file",
        "path": "/workspace/b.bin",
        "size_bytes": 1234,
    }
    for path, text in (("/workspace/src/z.py", b"z"), ("/workspace/src/a.py", b"aa"), ("/workspace/a.txt", b"a")):
        files.create(environment_id, type="inline", path=path, data=_b64(text))
    replaced = files.create(environment_id, type="inline", path="/workspace/src/a.py", data=_b64(b"replaced"))
    assert replaced.size_bytes == 8
    assert environment_templates.read_inline(tenant, environment_id, "/workspace/src/a.py") == b"replaced"

    ascending = ["/workspace/a.txt", "/workspace/b.bin", "/workspace/src/a.py", "/workspace/src/z.py"]
    first = files.list(environment_id, limit=3, order="asc")
    assert [item.path for item in first.data] == ascending[:3] and first.has_more is True and first.next
    assert [item.path for item in files.list(environment_id, limit=3, order="asc", page=first.next).data] == [
        ascending[3]
    ]
    assert [item.path for item in files.list(environment_id, limit=1)] == ascending[::-1]  # every page, newest path
    assert [item.path for item in files.list(environment_id, path="/workspace/src", order="asc")] == ascending[2:]
    retrieved = client.beta.agents.environments.retrieve(environment_id)
    assert sorted(entry.path for entry in retrieved.files) == ascending


def test_a_bad_file_is_refused_naming_the_field(client: openai.OpenAI) -> None:
    environment_id = _hosted(client)["id"]
    files = client.beta.agents.environments.files
    files.create(environment_id, type="inline", path="/workspace/src/a.py", data="aGk=")
    cases = [
        ({"type": "inline", "path": "/workspace/src", "data": "aGk="}, 400, "path"),
        ({"type": "inline", "path": "/workspace/src/a.py/x", "data": "aGk="}, 400, "path"),
        ({"type": "inline", "path": "/workspace/outputs", "data": "aGk="}, 400, "path"),
        ({"type": "inline", "path": "/workspace/x", "data": "not base64!"}, 400, "data"),
        ({"type": "file_id", "path": "/workspace/x", "file_id": "file-missing"}, 404, "file_id"),
        ({"type": "inline", "path": "/workspace/x"}, 400, "data"),
    ]
    for body, status, param in cases:
        with pytest.raises(openai.APIStatusError) as raised:
            client.post(f"/agents/environments/{environment_id}/files", body=body, cast_to=EnvironmentFile)
        assert (raised.value.status_code, _error(raised)["param"]) == (status, param), body
    with pytest.raises(openai.NotFoundError) as missing:
        files.create("env_missing", type="inline", path="/workspace/x", data="aGk=")
    assert _error(missing)["param"] == "environment_id"
    with pytest.raises(openai.BadRequestError) as bad_page:
        files.list(environment_id, page="%%%")
    assert _error(bad_page)["param"] == "page"
    assert [item.path for item in files.list(environment_id)] == ["/workspace/src/a.py"]


def test_writing_a_file_wakes_a_suspended_environment(client: openai.OpenAI) -> None:
    environment_id = _hosted(client)["id"]
    clock.advance(environments.PROVISION_SECONDS + environments.IDLE_SUSPEND_SECONDS)
    assert client.beta.agents.environments.retrieve(environment_id).status == "suspended"
    client.beta.agents.environments.files.create(environment_id, type="inline", path="/workspace/a", data="aGk=")
    assert client.beta.agents.environments.retrieve(environment_id).status == "pending"
    clock.advance(environments.RESUME_SECONDS)
    assert client.beta.agents.environments.retrieve(environment_id).status == "ready"
    clock.advance(environments.IDLE_SUSPEND_SECONDS - 1)  # idle counted from the write
    assert client.beta.agents.environments.retrieve(environment_id).status == "ready"


# --- what sessions use ------------------------------------------------------------------------------------------


def test_provision_makes_a_held_hosted_environment_or_none(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    assert environments.provision(principal, {"type": "none"}, None) is None
    provisioned = environments.provision(
        principal, {"type": "openai_hosted", "container_size": "large", "packages": {"python": ["numpy"]}}, None
    )
    assert provisioned is not None
    EnvironmentInfo.model_validate(provisioned, strict=True)
    assert provisioned["status"] == "pending"
    clock.advance(environments.PROVISION_SECONDS)
    assert environments.current(principal, provisioned["id"])["status"] == "connected"
    shown = environments.session_environment(principal, provisioned["id"])
    assert shown["container_size"] == "large" and shown["packages"]["python"] == ["numpy"]
    clock.advance(environments.IDLE_SUSPEND_SECONDS - 1)
    environments.touch(principal, provisioned["id"])
    clock.advance(environments.IDLE_SUSPEND_SECONDS - 1)
    assert environments.current(principal, provisioned["id"])["status"] == "connected"


def test_provision_attaches_a_prewarmed_environment_once(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    prewarmed = _hosted(client)["id"]
    clock.advance(environments.PROVISION_SECONDS)
    attached = environments.provision(principal, {"type": "openai_hosted", "environment_id": prewarmed}, None)
    assert attached is not None and (attached["id"], attached["status"]) == (prewarmed, "connected")
    with pytest.raises(OpenAIError) as taken:
        environments.provision(principal, {"type": "openai_hosted", "environment_id": prewarmed}, None)
    assert (taken.value.status, taken.value.param) == (409, "environment.environment_id")
    with pytest.raises(OpenAIError) as combined:
        environments.provision(
            principal, {"type": "openai_hosted", "environment_id": prewarmed, "packages": {}}, None, param="session.env"
        )
    assert (combined.value.status, combined.value.param) == (400, "session.env.environment_id")


def test_provision_self_hosted_and_its_errors(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    provisioned = environments.provision(
        principal, {"type": "self_hosted", "workspace_directory": "/home/me/project/"}, None
    )
    assert provisioned is not None and (provisioned["type"], provisioned["status"]) == ("self_hosted", "ready")
    shown = environments.session_environment(principal, provisioned["id"])
    EnvironmentResourceSelfHosted.model_validate(shown, strict=True)
    assert shown["workspace_directory"] == "/home/me/project" and provisioned["id"] in shown["remote_url"]
    assert environments.set_connection(principal, provisioned["id"], connected=True)["status"] == "connected"
    assert client.beta.agents.environments.list().data == []  # only hosted environments are listed

    for environment, param in (
        ({"type": "self_hosted"}, "environment.workspace_directory"),
        ({"type": "self_hosted", "workspace_directory": "rel"}, "environment.workspace_directory"),
        ({"type": "cloud"}, "environment.type"),
        (
            {"type": "openai_hosted", "files": [{"type": "inline", "path": "/x", "data": ""}]},
            "environment.files[0].path",
        ),
    ):
        with pytest.raises(OpenAIError) as raised:
            environments.provision(principal, environment, None)
        assert (raised.value.status, raised.value.param) == (400, param), environment


def test_stored_template_and_skill_references_resolve_for_sessions(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    skill = skills.create(
        principal.tenant, [("skill.zip", base64.b64decode(_inline_skill("reporting")["source"]["data"]))]
    )
    template = client.beta.agents.environments.templates.create(
        skills=[{"type": "skill_reference", "skill_id": skill["id"], "version": "latest"}]
    )
    assert environments.stored_template(principal, template.id)["skills"][0]["version"] == "latest"
    with pytest.raises(OpenAIError) as missing:
        environments.stored_template(principal, "envtpl_missing")
    assert (missing.value.status, missing.value.param) == (404, "environment_template_id")
    provisioned = environments.provision(
        principal, {"type": "openai_hosted", "environment_template_id": template.id}, None
    )
    assert provisioned is not None
    assert provisioned["skills"] == [
        {
            "description": "Reads CSV files.",
            "name": "reporting",
            "skill_id": skill["id"],
            "type": "skill_reference",
            "version": "1",
        }
    ]
