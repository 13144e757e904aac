"""Agent execution environments (`client.beta.agents.environments`, docs/agent-environments.md): OpenAI-hosted
sandboxes prewarmed before a session (`POST /v1/agents/environments`) or provisioned by one (`provision`), and
self-hosted ones a session names; the files written into a hosted one; and the lifecycle the mock clock moves them
through. Templates and the configuration checks are in environment_templates.py.

A hosted environment is `pending` while it sets up (PROVISION_SECONDS), then `ready` (`connected` once a session
holds it), `failed` instead when a setup command fails; idle for IDLE_SUSPEND_SECONDS it is `suspended` (stopped,
checkpointed), and a suspended one `expired` after CHECKPOINT_RETENTION_SECONDS. Use (a file written, a session
attaching it, `touch`) counts as activity and wakes a suspended one: `pending` again for RESUME_SECONDS. Status is
computed from the clock on every read and the change persisted (a conditional update, so the one reader that
persists a transition sends its webhook event: `agent.environment.suspended|expired`); a prewarmed environment's
`agent.environment.ready|failed` is scheduled when it is created, for the moment setup ends.

Other modules (sessions, automations) use:

    stored_template(principal, environment_template_id)          -> the template as shown (404 otherwise)
    provision(principal, environment, vault_ids, param=...)       -> the environment a session runs in, or None
    current(principal, environment_id)                            -> the environment, status as of now
    session_environment(principal, environment_id)               -> the session's `environment` (SDK `Environment`)
    touch(principal, environment_id, param=...)                   -> activity: idle timer reset, suspended woken
    set_connection(principal, environment_id, connected)         -> a self-hosted environment (dis)connected
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel, TypeAdapter, ValidationError

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_max_items
from openai_mock.errors import OpenAIError, from_validation_errors, invalid_request, not_found
from openai_mock.fields import RequestModel, Text
from openai_mock.pagination import ListParams, check_limit, list_object
from openai_mock.resources import files as files_api
from openai_mock.resources.agents import environment_templates as config
from openai_mock.resources.agents.definitions import tagged
from openai_mock.resources.organization.core import project_of, public
from openai_mock.store import get_store
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

COLLECTION = "agent.environment"
PROVISION_SECONDS = 5
RESUME_SECONDS = 3
IDLE_SUSPEND_SECONDS = 10 * 60
CHECKPOINT_RETENTION_SECONDS = 24 * 60 * 60
MAX_VAULTS = 10
MAX_ENVIRONMENT_FILES = 1000
DEFAULT_CONTAINER_SIZE = "medium"
REMOTE_URL = "wss://api.openai.com/v1/agents/environments/{id}/exec"  # the mock's guess at the exec-server address
SETTLED = ("expired", "failed")  # no clock moves these on


# --- request shapes ---------------------------------------------------------------------------------------------


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


class HostedParams(config.HostedFields):
    type: Literal["openai_hosted"]
    environment_template_id: Annotated[Text, Field(min_length=1)] | None = None


class EnvironmentCreateParams(_Fields):
    environment: HostedParams
    vault_ids: list[Text] | None = None


class SessionHostedParams(HostedParams):
    container_size: Literal["small", "medium", "large"] | None = None
    environment_id: Annotated[Text, Field(min_length=1)] | None = None


class SelfHostedParams(_Fields):
    type: Literal["self_hosted"]
    workspace_directory: Text
    capability_directories: list[Text] | None = None


class NoEnvironmentParams(_Fields):
    type: Literal["none"]


if TYPE_CHECKING:
    SessionEnvironment = NoEnvironmentParams | SessionHostedParams | SelfHostedParams
else:
    SessionEnvironment = tagged(
        {"none": NoEnvironmentParams, "openai_hosted": SessionHostedParams, "self_hosted": SelfHostedParams}
    )
_SESSION_ENVIRONMENT: list[TypeAdapter[Any]] = []  # built on first use (cold starts)


class FileCreateParams(RootModel[config.FileParams], RequestModel):
    """`POST …/files`: one file, by Files API id or inline."""


# --- the clock --------------------------------------------------------------------------------------------------


def _status(record: Mapping[str, Any], now: float) -> tuple[str, float]:
    """The environment's status at `now`, and since when."""
    if record["type"] == "self_hosted":
        return record.get("_connection") or "ready", record["_created_at"]
    if record["status"] in SETTLED:
        return record["status"], record["_settled_at"]
    ready_at = record["_ready_at"]
    if now < ready_at:
        return "pending", record["_active_at"]
    if record["_fails"]:
        return "failed", ready_at
    suspends_at = max(record["_active_at"], ready_at) + IDLE_SUSPEND_SECONDS
    if now < suspends_at:
        return ("connected" if record["_attached"] else "ready"), ready_at
    expires_at = suspends_at + CHECKPOINT_RETENTION_SECONDS
    if now < expires_at:
        return "suspended", suspends_at
    return "expired", expires_at


def _settled(record: Object, now: float) -> Object:
    """The record with its clock-derived status written in."""
    status, since = _status(record, now)
    updated = {**record, "status": status}
    if status in SETTLED:
        updated["_settled_at"] = since
    return updated


def _emit(tenant: str, event_type: str, environment_id: str, at: float) -> None:
    # Imported when first sent, as resources/safety.py does: most requests never send one.
    from openai_mock.control import webhooks

    webhooks.emit(tenant, event_type, environment_id, at=int(at))


def _announce(tenant: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """The webhook events of the idle transitions between two persisted versions."""
    if before["type"] != "openai_hosted" or before["status"] == "expired":
        return
    suspended_at = max(before["_active_at"], before["_ready_at"]) + IDLE_SUSPEND_SECONDS
    if before["status"] != "suspended" and after["status"] in ("suspended", "expired"):
        _emit(tenant, "agent.environment.suspended", after["id"], suspended_at)
    if after["status"] == "expired":
        _emit(tenant, "agent.environment.expired", after["id"], suspended_at + CHECKPOINT_RETENTION_SECONDS)


def _refreshed(tenant: str, record: Object, change: Callable[[Object], Object] | None = None) -> Object:
    """The record as of now, persisted when its status moved or `change` (applied after) alters it."""
    now = clock.now()
    if change is None and _status(record, now)[0] == record["status"]:
        return record
    seen: dict[str, Object] = {}

    def persist(old: Object) -> Object:
        seen["before"] = old
        new = _settled(old, now)
        return new if change is None else _settled(change(new), now)

    updated = get_store().update(tenant, COLLECTION, record["id"], persist)
    if updated is None:
        raise not_found("Environment", record["id"], "environment_id")
    _announce(tenant, seen["before"], _settled(seen["before"], now))
    return updated


# --- views ------------------------------------------------------------------------------------------------------


def _view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The SDK's `EnvironmentInfo`."""
    files = [public(entry) for entry in record["files"]]
    return {**public(dict(record)), "files": files}


def _record(principal: Principal, environment_id: str, param: str = "environment_id") -> Object:
    record = get_store().get(principal.tenant, COLLECTION, environment_id)
    if record is None or record["_project_id"] != project_of(principal):
        raise not_found("Environment", environment_id, param)
    return _refreshed(principal.tenant, record)


def current(principal: Principal, environment_id: str) -> dict[str, Any]:
    """The environment (the SDK's `EnvironmentInfo`) with its status as of the mock clock, the transition persisted
    (and its webhook event sent); 404 naming `environment_id` unless it is the caller's project's."""
    return _view(_record(principal, environment_id))


def session_environment(principal: Principal, environment_id: str) -> dict[str, Any]:
    """The environment as a session shows it (the SDK's `Environment`: `EnvironmentResourceOpenAIHosted` or
    `EnvironmentResourceSelfHosted`), effective configuration included, confidential parts left out."""
    record = _record(principal, environment_id)
    if record["type"] == "self_hosted":
        keys = ("id", "capability_directories", "remote_url", "type", "workspace_directory")
        return {key: record["_config"][key] if key in record["_config"] else record[key] for key in keys}
    settings = record["_config"]
    return {
        "id": record["id"],
        "capability_directories": settings["capability_directories"],
        "container_size": settings["container_size"],
        "desktop": settings["desktop"],
        "files": _view(record)["files"],
        "network": public(settings["network"]),
        "packages": settings["packages"],
        "plugins": record["plugins"],
        "skills": record["skills"],
        "type": "openai_hosted",
    }


# --- provisioning -----------------------------------------------------------------------------------------------


def _vaults(principal: Principal, vault_ids: Sequence[str] | None, param: str) -> list[str]:
    from openai_mock.resources.agents import vaults  # the vaults module is another group's: imported when used

    found = list(vault_ids or [])
    check_max_items(found, MAX_VAULTS, param)
    for index, vault_id in enumerate(found):
        try:
            vaults.stored_vault(principal, vault_id)
        except OpenAIError as error:
            raise not_found("Vault", vault_id, f"{param}[{index}]") from error
    return found


def _effective(
    principal: Principal, sent: HostedParams, prefix: str
) -> tuple[dict[str, Any], config.CheckedFiles, str | None]:
    """The configuration an environment gets: the template's (when named), each field the request sends replacing
    the template's, the network only narrowed; the inline files' bytes (by path); the template's id."""
    inline, files = config.check_config(principal.tenant, sent, prefix)
    if sent.environment_template_id is None:
        return inline, files, None
    template = config.template_config(principal, sent.environment_template_id, f"{prefix}environment_template_id")
    if "network" in inline and not config.narrows(inline["network"], template["network"]):
        raise invalid_request(
            f"Invalid '{prefix}network': an override cannot broaden the template's network policy.",
            f"{prefix}network",
            "invalid_value",
        )
    base = {key: template[key] for key in ("capability_directories", "desktop", "network", "packages", "plugins")}
    base.update({"_env": template["_env"], "_setup_commands": template["_setup_commands"]})
    base["skills"] = template["skills"]
    if "files" not in inline:  # the template's inline files are copied: it may change or go before the session ends
        base["files"] = template["files"]
        for entry in template["files"]:
            if entry["type"] == "inline":
                files.inline[entry["path"]] = config.read_inline(principal.tenant, template["id"], entry["path"])
    return {**base, **inline}, files, template["id"]


def _installed_files(principal: Principal, entries: Sequence[Mapping[str, Any]], param: str) -> list[dict[str, Any]]:
    """Files as an environment holds them: each with its environment-scoped id, a Files API reference re-read (a
    template's may have been deleted since)."""
    installed = []
    for index, entry in enumerate(entries):
        item = {"id": ids.new_id("agent.environment.file"), **entry}
        if entry["type"] == "file_id":
            uploaded = files_api.get_file(principal.tenant, entry["file_id"], f"{param}[{index}].file_id")
            item["size_bytes"] = uploaded["bytes"]
        installed.append(item)
    return installed


def _new_hosted(
    principal: Principal,
    sent: HostedParams,
    vault_ids: list[str],
    *,
    prefix: str,
    attached: bool,
    container_size: str | None = None,
) -> Object:
    settings, files, template_id = _effective(principal, sent, prefix)
    now = clock.now()
    environment_id = ids.new_id(COLLECTION)
    setup_commands = settings.get("_setup_commands", [])
    record: Object = {
        "id": environment_id,
        "object": COLLECTION,
        "type": "openai_hosted",
        "status": "pending",
        "files": _installed_files(principal, settings.get("files", []), f"{prefix}files"),
        "plugins": settings.get("plugins", []),
        "skills": [
            config.resolved_skill(principal.tenant, skill, f"{prefix}skills[{index}]")
            for index, skill in enumerate(settings.get("skills", []))
        ],
        "_config": {
            "capability_directories": settings.get("capability_directories", []),
            "container_size": container_size or DEFAULT_CONTAINER_SIZE,
            "desktop": settings.get("desktop") or {"enabled": False},
            "network": settings.get("network") or {**config.DEFAULT_NETWORK, "_blocked_domains": []},
            "packages": settings.get("packages") or dict(config.EMPTY_PACKAGES),
        },
        "_env": settings.get("_env", {}),
        "_setup_commands": setup_commands,
        "_template_id": template_id,
        "_vault_ids": vault_ids,
        "_project_id": project_of(principal),
        "_created_at": now,
        "_active_at": now,
        "_ready_at": now + PROVISION_SECONDS,
        "_fails": config.setup_fails(setup_commands),
        "_attached": attached,
    }
    config.put_inline(principal.tenant, environment_id, files.inline)
    try:
        get_store().create(principal.tenant, COLLECTION, record)
    except BaseException:
        config.drop_inline(principal.tenant, environment_id, record["files"])
        raise
    return record


def create_environment(principal: Principal, sent: EnvironmentCreateParams) -> dict[str, Any]:
    """A prewarmed hosted environment; its `agent.environment.ready|failed` event is scheduled for setup's end."""
    vault_ids = _vaults(principal, sent.vault_ids, "vault_ids")
    record = _new_hosted(principal, sent.environment, vault_ids, prefix="environment.", attached=False)
    outcome = "failed" if record["_fails"] else "ready"
    _emit(principal.tenant, f"agent.environment.{outcome}", record["id"], record["_ready_at"])
    return _view(record)


def list_environments(principal: Principal, params: ListParams, type: str = "openai_hosted") -> dict[str, Any]:
    """The project's hosted environments (the only `type` listed), each with its status as of now."""
    check_enum(type, ("openai_hosted",), "type")
    project = project_of(principal)
    page = get_store().list(
        principal.tenant,
        COLLECTION,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=lambda record: record["_project_id"] == project and record["type"] == "openai_hosted",
    )
    items = [_refreshed(principal.tenant, record) for record in page.items]
    return list_object(page._replace(items=items), view=_view)


def _session_environment_params(environment: Mapping[str, Any], param: str) -> Any:
    if not _SESSION_ENVIRONMENT:
        _SESSION_ENVIRONMENT.append(TypeAdapter(SessionEnvironment))
    try:
        return _SESSION_ENVIRONMENT[0].validate_python(environment)
    except ValidationError as error:
        where = tuple(param.split("."))
        raise from_validation_errors([{**e, "loc": ("body", *where, *e["loc"])} for e in error.errors()]) from None


def _attach(principal: Principal, sent: SessionHostedParams, param: str) -> Object:
    """An existing prewarmed environment, now held by a session (and woken if it was suspended)."""
    others = sent.model_fields_set - {"type", "environment_id"}
    if others:
        raise invalid_request(
            f"Invalid '{param}.environment_id': an existing environment cannot be combined with a template or "
            f"inline configuration ('{param}.{sorted(others)[0]}').",
            f"{param}.environment_id",
            "invalid_value",
        )
    assert sent.environment_id is not None
    record = _record(principal, sent.environment_id, f"{param}.environment_id")
    if record["_attached"]:
        raise OpenAIError(
            409,
            f"Environment '{record['id']}' is already attached to a session.",
            param=f"{param}.environment_id",
            code="environment_in_use",
        )
    return _used(principal, record, f"{param}.environment_id", attach=True)


def provision(
    principal: Principal, environment: dict[str, Any], vault_ids: list[str] | None, *, param: str = "environment"
) -> dict[str, Any] | None:
    """What a session runs in, from its `environment` (the SDK's `EnvironmentParam`, as sent): None for `none`;
    otherwise the environment (the SDK's `EnvironmentInfo`), stored and held by the session (`connected` once ready):
    a new hosted one (inline configuration over an optional `environment_template_id`; `pending`, set up by the
    clock), an existing prewarmed `environment_id` (409 if another session holds it or it expired or failed), or a
    self-hosted one (`ready` until `set_connection`). Errors name `f"{param}.<field>"`; unknown `vault_ids` 404
    naming `vault_ids[i]`. `session_environment(principal, id)` gives the session's view of the result."""
    sent = _session_environment_params(environment, param)
    if isinstance(sent, NoEnvironmentParams):
        return None
    found_vaults = _vaults(principal, vault_ids, "vault_ids")
    if isinstance(sent, SelfHostedParams):
        return _view(_new_self_hosted(principal, sent, found_vaults, param))
    if sent.environment_id is not None:
        return _view(_attach(principal, sent, param))
    record = _new_hosted(
        principal, sent, found_vaults, prefix=f"{param}.", attached=True, container_size=sent.container_size
    )
    return _view(record)


def _new_self_hosted(principal: Principal, sent: SelfHostedParams, vault_ids: list[str], param: str) -> Object:
    directories = [
        config.check_directory(directory, f"{param}.capability_directories[{index}]")
        for index, directory in enumerate(sent.capability_directories or [])
    ]
    environment_id = ids.new_id(COLLECTION)
    record: Object = {
        "id": environment_id,
        "object": COLLECTION,
        "type": "self_hosted",
        "status": "ready",
        "files": [],
        "plugins": [],
        "skills": [],
        "_config": {
            "capability_directories": directories,
            "remote_url": REMOTE_URL.format(id=environment_id),
            "workspace_directory": config.check_directory(sent.workspace_directory, f"{param}.workspace_directory"),
        },
        "_connection": None,
        "_vault_ids": vault_ids,
        "_project_id": project_of(principal),
        "_created_at": clock.now(),
        "_attached": True,
    }
    get_store().create(principal.tenant, COLLECTION, record)
    return record


# --- use --------------------------------------------------------------------------------------------------------


def _unusable(record: Mapping[str, Any], param: str) -> OpenAIError:
    return OpenAIError(
        409, f"Environment '{record['id']}' is {record['status']}.", param=param, code=f"environment_{record['status']}"
    )


def _used(principal: Principal, record: Object, param: str, *, attach: bool = False) -> Object:
    """`record` in use now: the idle timer restarts, a suspended environment resumes; 409 once expired or failed."""
    if record["status"] in SETTLED:
        raise _unusable(record, param)
    if record["type"] == "self_hosted":
        return record

    def used(new: Object) -> Object:
        if new["status"] in SETTLED:
            raise _unusable(new, param)
        now = clock.now()
        woken = {"_ready_at": now + RESUME_SECONDS, "status": "pending"} if new["status"] == "suspended" else {}
        return {**new, "_active_at": now, **woken, "_attached": new["_attached"] or attach}

    return _refreshed(principal.tenant, record, used)


def touch(principal: Principal, environment_id: str, *, param: str = "environment_id") -> dict[str, Any]:
    """Activity in the environment (a session's turn): its idle timer restarts, a suspended one resumes; 409 naming
    `param` once it expired or failed, 404 unless it is the caller's project's."""
    return _view(_used(principal, _record(principal, environment_id, param), param))


def set_connection(principal: Principal, environment_id: str, connected: bool) -> dict[str, Any]:
    """A self-hosted environment's exec server connected (`connected`) or went away (`disconnected`)."""
    record = _record(principal, environment_id)
    if record["type"] != "self_hosted":
        raise invalid_request("Only a self-hosted environment's connection can be set.", "environment_id")
    state = "connected" if connected else "disconnected"
    updated = get_store().update(
        principal.tenant, COLLECTION, environment_id, lambda old: {**old, "_connection": state, "status": state}
    )
    return _view(updated or record)


# --- files ------------------------------------------------------------------------------------------------------


def _file_view(environment_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "environment_id": environment_id,
        "object": "agent.environment.file",
        "path": entry["path"],
        "size_bytes": entry["size_bytes"],
    }


def _with_file(entry: dict[str, Any]) -> Callable[[Object], Object]:
    """Write `entry` into an environment's files, replacing a regular file at its path."""

    def write(record: Object) -> Object:
        kept = [item for item in record["files"] if item["path"] != entry["path"]]
        if config.conflicting_paths([item["path"] for item in kept] + [entry["path"]]) is not None:
            raise invalid_request(
                f"Invalid 'path': '{entry['path']}' is a directory, or under a file, in the environment.",
                "path",
                "invalid_value",
            )
        check_max_items([*kept, entry], MAX_ENVIRONMENT_FILES, "path")
        return {**record, "files": [*kept, entry]}

    return write


def create_file(principal: Principal, environment_id: str, sent: FileCreateParams) -> dict[str, Any]:
    """A file written into a hosted environment (waking it if suspended); 409 once it expired or failed."""
    record = _record(principal, environment_id)
    if record["type"] != "openai_hosted":
        raise invalid_request("Files can only be written to an OpenAI-hosted environment.", "environment_id")
    metadata, data = config.check_file(principal.tenant, sent.root, "")
    entry = {"id": ids.new_id("agent.environment.file"), **metadata}
    write = _with_file(entry)
    write(record)  # a conflicting path is refused before anything is written
    _used(principal, record, "environment_id")
    if data is not None:
        config.put_inline(principal.tenant, environment_id, {metadata["path"]: data})
    updated = get_store().update(principal.tenant, COLLECTION, environment_id, write)
    if updated is None:
        raise not_found("Environment", environment_id, "environment_id")
    return _file_view(environment_id, entry)


def _sort_key(path: str) -> list[str]:
    return path.split("/")


def _page_token(path: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": path}).encode()).decode().rstrip("=")


def _after_path(token: str | None) -> str | None:
    if not token:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after = decoded["after"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise invalid_request("Invalid 'page': not a page token from this list.", "page", "invalid_value") from None
    if not isinstance(after, str):
        raise invalid_request("Invalid 'page': not a page token from this list.", "page", "invalid_value")
    return after


def list_files(
    principal: Principal, environment_id: str, *, limit: int, order: str, page: str | None, path: str | None
) -> dict[str, Any]:
    """A token-paged list (`next`, `has_more`) of the environment's files, in path-component order, under `path`."""
    check_limit(limit)
    if order not in ("asc", "desc"):
        raise invalid_request(f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", "order")
    record = _record(principal, environment_id)
    if record["status"] in SETTLED:
        raise _unusable(record, "environment_id")
    under = None if path is None else config.check_directory(path, "path")
    entries = [entry for entry in record["files"] if under is None or entry["path"].startswith(under.rstrip("/") + "/")]
    entries.sort(key=lambda entry: _sort_key(entry["path"]), reverse=order == "desc")
    after = _after_path(page)
    if after is not None:
        beyond = (lambda key: key < _sort_key(after)) if order == "desc" else (lambda key: key > _sort_key(after))
        entries = [entry for entry in entries if beyond(_sort_key(entry["path"]))]
    shown, has_more = entries[:limit], len(entries) > limit
    return {
        "object": "list",
        "data": [_file_view(environment_id, entry) for entry in shown],
        "has_more": has_more,
        "next": _page_token(shown[-1]["path"]) if has_more else None,
    }


def stored_template(principal: Principal, environment_template_id: str) -> dict[str, Any]:
    """The template as the API shows it (the SDK's `EnvironmentTemplate`); 404 naming `environment_template_id`
    unless it is the caller's project's."""
    return config.stored_template(principal, environment_template_id)
