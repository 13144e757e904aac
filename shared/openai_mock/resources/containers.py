"""Containers: the sandboxes Code Interpreter runs in, and the files in them.

A container is `running` until it has been idle for `expires_after.minutes` (anchored at `last_active_at`,
which every use of the container moves: a file added, read or removed, code run); then it is `expired`, by the
mock clock, and refuses use with OpenAI's 400 "Container is expired." while it can still be retrieved, listed
and deleted. Its files live under `/mnt/data/`: bytes in the blob store, metadata in the object store (one
collection per container), so a container's files list, page and delete like any other objects.

Other modules use it to run code (`resources/responses.py`, the `code_interpreter` tool):

    container_for_tool(tenant, tool["container"])        -> the container record (created for "auto")
    write_file(tenant, container_id, name, data)         -> a Container File written by the code ("assistant")
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ConfigDict

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_length, check_range
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import Integer, RequestModel
from openai_mock.pagination import ListParams, list_object
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object

COLLECTION = "container"
MEMORY_LIMITS = ("1g", "4g", "16g", "64g")
DEFAULT_MEMORY_LIMIT = "1g"
DEFAULT_IDLE_MINUTES = 20  # what the real API sets when `expires_after` is left out
MAX_IDLE_MINUTES = 24 * 60  # the mock's bound (the spec sets none): a day of idleness
MAX_FILE_BYTES = 512 * 1024 * 1024  # the same cap as the Files API
MAX_FILE_IDS = 50  # `file_ids` of a container, as the code_interpreter tool's `container.file_ids`
MAX_NAME_LENGTH = 256
DATA_DIR = "/mnt/data"


class ExpiresAfter(RequestModel):
    model_config = ConfigDict(extra="forbid")
    anchor: str
    minutes: Integer


class CreateContainerRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    expires_after: ExpiresAfter | None = None
    file_ids: list[str] | None = None
    memory_limit: str | None = None
    network_policy: dict[str, Any] | None = None
    skills: list[dict[str, Any]] | None = None


class CreateContainerFileRequest(RequestModel):
    """The JSON form of a container file's creation: a stored file's id (the multipart form sends `file`)."""

    model_config = ConfigDict(extra="forbid")
    file_id: str | None = None


# --------------------------------------------------------------------------------------------- records


def files_collection(container_id: str) -> str:
    return f"container.file/{container_id}"


def _blob_key(container_id: str, file_id: str) -> str:
    return f"container/{container_id}/{file_id}"


def _not_found(container_id: str) -> OpenAIError:
    return OpenAIError(404, f"Container with id '{container_id}' not found.", param="container_id")


def _file_not_found(file_id: str) -> OpenAIError:
    return OpenAIError(404, f"Container file with id '{file_id}' not found.", param="file_id")


def expires_at(record: Mapping[str, Any]) -> int:
    return int(record["last_active_at"]) + 60 * int(record["expires_after"]["minutes"])


def is_expired(record: Mapping[str, Any]) -> bool:
    return record.get("status") == "expired" or clock.now() >= expires_at(record)


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in record.items() if not key.startswith("_")}
    shown["status"] = "expired" if is_expired(record) else "running"
    return shown


def _record(tenant: str, container_id: str) -> Object:
    record = get_store().get(tenant, COLLECTION, container_id)
    if record is None:
        raise _not_found(container_id)
    return record


def _expired_error(param: str) -> OpenAIError:
    return invalid_request("Container is expired.", param, "container_expired")


def _touch(tenant: str, container_id: str, param: str = "container_id") -> Object:
    """The container, in use now: a running container's `last_active_at` moves; an expired one refuses (400)."""

    def touched(record: Object) -> Object:
        if is_expired(record):
            raise _expired_error(param)
        return {**record, "last_active_at": clock.now_seconds()}

    updated = get_store().update(tenant, COLLECTION, container_id, touched)
    if updated is None:
        raise _not_found(container_id)
    return updated


# --------------------------------------------------------------------------------------------- checks


def _check_expires_after(value: ExpiresAfter | None) -> dict[str, Any]:
    if value is None:
        return {"anchor": "last_active_at", "minutes": DEFAULT_IDLE_MINUTES}
    check_enum(value.anchor, ("last_active_at",), "expires_after.anchor")
    check_range(value.minutes, "expires_after.minutes", 1, MAX_IDLE_MINUTES)
    return {"anchor": value.anchor, "minutes": value.minutes}


def _object(value: Any, param: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(value).__name__} instead.",
            param,
            "invalid_type",
        )
    return value


def _check_network_policy(policy: Any, param: str = "network_policy") -> dict[str, Any] | None:
    if policy is None:
        return None
    policy = _object(policy, param)
    check_enum(policy.get("type"), ("disabled", "allowlist"), f"{param}.type")
    if policy["type"] == "disabled":
        return {"type": "disabled"}
    domains = policy.get("allowed_domains")
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and d for d in domains):
        raise invalid_request(
            f"Invalid '{param}.allowed_domains': expected a non-empty array of domain names.",
            f"{param}.allowed_domains",
            "invalid_value",
        )
    secrets = policy.get("domain_secrets")
    if secrets is not None and (not isinstance(secrets, list) or not secrets):
        raise invalid_request(
            f"Invalid '{param}.domain_secrets': expected a non-empty array of objects.",
            f"{param}.domain_secrets",
            "invalid_value",
        )
    for index, secret in enumerate(secrets or []):
        where = f"{param}.domain_secrets[{index}]"
        secret = _object(secret, where)
        for key in ("domain", "name", "value"):
            if not isinstance(secret.get(key), str) or not secret[key]:
                raise invalid_request(
                    f"Missing required parameter: '{where}.{key}'.", f"{where}.{key}", "missing_required_parameter"
                )
        if secret["domain"] not in domains:
            raise invalid_request(
                f"Invalid '{where}.domain': '{secret['domain']}' is not in 'allowed_domains'.",
                f"{where}.domain",
                "invalid_value",
            )
    return {"type": "allowlist", "allowed_domains": list(domains)}  # secrets are never echoed


def check_skills(
    tenant: str, skills: Sequence[Mapping[str, Any]] | None, param: str = "skills", missing: int = 400
) -> list[dict[str, Any]]:
    """`skills`: references to the tenant's stored skills (checked; `missing`: an unknown one's status) or inline
    zip bundles (parsed)."""
    # Imported here: only a container with skills needs the bundle code.
    from openai_mock.resources import skills as skill_store

    mounted: list[dict[str, Any]] = []
    if skills is not None and not isinstance(skills, list):
        raise invalid_request(f"Invalid type for '{param}': expected an array of objects.", param, "invalid_type")
    for index, skill in enumerate(skills or []):
        where = f"{param}[{index}]"
        if not isinstance(skill, Mapping):
            raise invalid_request(f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        check_enum(skill.get("type"), ("skill_reference", "inline"), f"{where}.type")
        if skill["type"] == "skill_reference":
            skill_id = skill.get("skill_id")
            if not isinstance(skill_id, str) or not skill_id:
                raise invalid_request(f"Missing required parameter: '{where}.skill_id'.", f"{where}.skill_id")
            version = skill.get("version")
            mounted.append(skill_store.reference(tenant, skill_id, version, where, missing))
        else:
            mounted.append(skill_store.inline(skill, where))
    return mounted


# --------------------------------------------------------------------------------------------- containers


def _new_container(
    name: str,
    expires_after: dict[str, Any],
    memory_limit: str,
    network_policy: dict[str, Any] | None,
    skills: list[dict[str, Any]],
) -> Object:
    now = clock.now_seconds()
    record: Object = {
        "id": ids.new_id("container"),
        "object": "container",
        "created_at": now,
        "status": "running",
        "expires_after": expires_after,
        "last_active_at": now,
        "memory_limit": memory_limit,
        "name": name,
        "_skills": skills,
    }
    if network_policy is not None:
        record["network_policy"] = network_policy
    return record


def _copied_files(tenant: str, file_ids: Sequence[str], param: str) -> list[tuple[str, bytes]]:
    """(filename, bytes) of stored files, read before anything is written: a bad id stores nothing."""
    from openai_mock.resources import files

    if len(file_ids) > MAX_FILE_IDS:
        raise invalid_request(
            f"Invalid '{param}': array too long. Expected an array with maximum length {MAX_FILE_IDS}, but got an "
            f"array with length {len(file_ids)} instead.",
            param,
            "array_above_max_length",
        )
    copies = []
    for index, file_id in enumerate(file_ids):
        where = f"{param}[{index}]"
        found = files.get_file(tenant, file_id, where)
        copies.append((found["filename"], files.file_bytes(tenant, found, where)))
    return copies


def _store_container(tenant: str, record: Object, copies: Sequence[tuple[str, bytes]]) -> Object:
    get_store().create(tenant, COLLECTION, record)
    try:
        for filename, data in copies:
            _store_file(tenant, record["id"], filename, data, "user")
    except BaseException:
        _drop(tenant, record["id"])
        raise
    return record


def create(tenant: str, body: CreateContainerRequest) -> dict[str, Any]:
    check_length(body.name, "name", MAX_NAME_LENGTH, 1)
    expires_after = _check_expires_after(body.expires_after)
    memory_limit = body.memory_limit or DEFAULT_MEMORY_LIMIT
    check_enum(memory_limit, MEMORY_LIMITS, "memory_limit")
    network_policy = _check_network_policy(body.network_policy)
    skills = check_skills(tenant, body.skills)
    copies = _copied_files(tenant, body.file_ids or [], "file_ids")
    record = _new_container(body.name, expires_after, memory_limit, network_policy, skills)
    return _public(_store_container(tenant, record, copies))


def retrieve(tenant: str, container_id: str) -> dict[str, Any]:
    return _public(_record(tenant, container_id))


def list_containers(tenant: str, params: ListParams, name: str | None = None) -> dict[str, Any]:
    page = get_store().list(
        tenant,
        COLLECTION,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=None if not name else (lambda record: record["name"] == name),
    )
    return list_object(page, view=_public)


def _drop(tenant: str, container_id: str) -> None:
    """Remove a container's files (bytes and metadata) and the container itself."""
    store, blobs = get_store(), get_blobs()
    collection = files_collection(container_id)
    after = None
    while True:
        page = store.list(tenant, collection, limit=100, order="asc", after=after)
        for item in page.items:
            blobs.delete(tenant, _blob_key(container_id, item["id"]))
        if not page.has_more or not page.items:
            break
        after = page.items[-1]["id"]
    store.delete_collection(tenant, collection)
    store.delete(tenant, COLLECTION, container_id)


def delete(tenant: str, container_id: str) -> dict[str, Any]:
    _record(tenant, container_id)
    _drop(tenant, container_id)
    return {"id": container_id, "object": "container.deleted", "deleted": True}


# --------------------------------------------------------------------------------------------- files


def _safe_name(filename: str) -> str:
    name = posixpath.basename(filename.replace("\\", "/")).strip() or "file"
    return name.lstrip(".") or "file"


def _file_path(filename: str, data: bytes, source: str) -> str:
    """Where a file lands: uploads get a content-derived prefix (the real API's `<32 hex>-name`: the same file, the
    same path, so code reading it reads the same), written files their name."""
    name = _safe_name(filename)
    if source == "assistant":
        return f"{DATA_DIR}/{name}"
    digest = hashlib.md5(name.encode() + b"\0" + data).hexdigest()
    return f"{DATA_DIR}/{digest}-{name}"


def _store_file(tenant: str, container_id: str, filename: str, data: bytes, source: str) -> Object:
    file_id = ids.new_id("container.file")
    obj: Object = {
        "id": file_id,
        "object": "container.file",
        "created_at": clock.now_seconds(),
        "bytes": len(data),
        "container_id": container_id,
        "path": _file_path(filename, data, source),
        "source": source,
    }
    blobs = get_blobs()
    blobs.put(tenant, _blob_key(container_id, file_id), data)  # bytes first: metadata never points at nothing
    try:
        return get_store().create(tenant, files_collection(container_id), obj)
    except BaseException:
        blobs.delete(tenant, _blob_key(container_id, file_id))
        raise


def _check_upload(data: bytes) -> None:
    if not data:
        raise invalid_request("The file is empty. Upload a file with content.", "file", "empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise OpenAIError(
            413,
            f"File is too large ({len(data)} bytes). The maximum file size is {MAX_FILE_BYTES // (1024 * 1024)} MB.",
            param="file",
            code="file_too_large",
        )


def create_file(
    tenant: str, container_id: str, *, upload: tuple[str, bytes] | None = None, file_id: str | None = None
) -> dict[str, Any]:
    """A file added by the client: uploaded bytes (`upload` = (filename, bytes)) or a copy of a stored file."""
    _record(tenant, container_id)
    file_id = file_id or None  # an empty id names no file
    if (upload is None) == (file_id is None):
        raise invalid_request(
            "Exactly one of 'file' or 'file_id' must be provided."
            if upload is None
            else "Only one of 'file' or 'file_id' may be provided.",
            "file_id" if upload is not None else "file",
            "missing_required_parameter" if upload is None else "invalid_value",
        )
    if upload is not None:
        _check_upload(upload[1])
        filename, data = upload
    else:
        from openai_mock.resources import files

        assert file_id is not None
        found = files.get_file(tenant, file_id, "file_id")
        filename, data = found["filename"], files.file_bytes(tenant, found, "file_id")
    record = _touch(tenant, container_id)
    return _store_file(tenant, record["id"], filename, data, "user")


def _file(tenant: str, container_id: str, file_id: str) -> Object:
    obj = get_store().get(tenant, files_collection(container_id), file_id)
    if obj is None:
        raise _file_not_found(file_id)
    return obj


def retrieve_file(tenant: str, container_id: str, file_id: str) -> dict[str, Any]:
    _touch(tenant, container_id)
    return _file(tenant, container_id, file_id)


def list_files(tenant: str, container_id: str, params: ListParams) -> dict[str, Any]:
    _touch(tenant, container_id)
    page = get_store().list(
        tenant, files_collection(container_id), limit=params.limit, order=params.order, after=params.after
    )
    return list_object(page)


def file_content(tenant: str, container_id: str, file_id: str) -> tuple[str, bytes]:
    """(filename, the exact bytes) of a container file."""
    _touch(tenant, container_id)
    obj = _file(tenant, container_id, file_id)
    data = get_blobs().get(tenant, _blob_key(container_id, file_id))
    if data is None:
        raise _file_not_found(file_id)
    return posixpath.basename(obj["path"]), data


def delete_file(tenant: str, container_id: str, file_id: str) -> dict[str, Any]:
    _touch(tenant, container_id)
    if get_store().delete(tenant, files_collection(container_id), file_id) is None:
        raise _file_not_found(file_id)
    get_blobs().delete(tenant, _blob_key(container_id, file_id))
    return {"id": file_id, "object": "container.file.deleted", "deleted": True}


# --------------------------------------------------------------------------------------------- code_interpreter


AUTO = "auto"
ToolContainer = str | Mapping[str, Any]


def check_tool_container(value: Any, param: str) -> None:
    """The `container` of a `code_interpreter` tool: a container id, or `{"type": "auto", ...}`."""
    if isinstance(value, str):
        if not value:
            raise invalid_request(f"Invalid '{param}': empty string.", param, "empty_string")
        return
    if not isinstance(value, Mapping):
        raise invalid_request(
            f"Missing required parameter: '{param}'."
            if value is None
            else f"Invalid type for '{param}': expected one of a string or an object.",
            param,
            "missing_required_parameter" if value is None else "invalid_type",
        )
    check_enum(value.get("type"), (AUTO,), f"{param}.type")
    file_ids = value.get("file_ids") or []
    if not isinstance(file_ids, list) or not all(isinstance(item, str) for item in file_ids):
        raise invalid_request(
            f"Invalid type for '{param}.file_ids': expected an array of strings.", f"{param}.file_ids", "invalid_type"
        )
    if value.get("memory_limit") is not None:
        check_enum(value["memory_limit"], MEMORY_LIMITS, f"{param}.memory_limit")
    _check_network_policy(value.get("network_policy"), f"{param}.network_policy")


def container_for_tool(tenant: str, value: ToolContainer, param: str) -> dict[str, Any]:
    """The container a code_interpreter call runs in: the named one (404 unknown, 400 expired), touched; or, for
    `{"type": "auto"}`, a new one holding the tool's `file_ids` and `skills` (the real API names it after the
    tool)."""
    if isinstance(value, str):
        _record(tenant, value)
        return _public(_touch(tenant, value, param))
    copies = _copied_files(tenant, list(value.get("file_ids") or []), f"{param}.file_ids")
    record = _new_container(
        "code_interpreter container",
        {"anchor": "last_active_at", "minutes": DEFAULT_IDLE_MINUTES},
        value.get("memory_limit") or DEFAULT_MEMORY_LIMIT,
        _check_network_policy(value.get("network_policy"), f"{param}.network_policy"),
        check_skills(tenant, value.get("skills"), f"{param}.skills", 404),
    )
    return _public(_store_container(tenant, record, copies))


def preview_for_tool(tenant: str, value: ToolContainer, param: str) -> list[tuple[str, bytes]]:
    """(path, bytes) a code_interpreter call would find in its container, with nothing created or touched (token
    counting): the named container's files (404 unknown, 400 expired), or the tool's `file_ids` as "auto" would
    copy them."""
    if isinstance(value, str):
        if is_expired(_record(tenant, value)):
            raise _expired_error(param)
        return read_files(tenant, value)
    copies = _copied_files(tenant, list(value.get("file_ids") or []), f"{param}.file_ids")
    return [(_file_path(name, data, "user"), data) for name, data in copies]


def mounted_skills(tenant: str, container_id: str) -> list[dict[str, Any]]:
    """The skills a container was created with (checked references, inline bundles' names)."""
    return list(_record(tenant, container_id).get("_skills") or [])


def read_files(tenant: str, container_id: str) -> list[tuple[str, bytes]]:
    """(path, bytes) of the files in a container, oldest first: what code running in it can read."""
    blobs = get_blobs()
    found = []
    for obj in get_store().list(tenant, files_collection(container_id), limit=100, order="asc").items:
        data = blobs.get(tenant, _blob_key(container_id, obj["id"]))
        if data is not None:
            found.append((obj["path"], data))
    return found


def write_file(tenant: str, container_id: str, filename: str, data: bytes) -> dict[str, Any]:
    """A file the container's code wrote (`source: "assistant"`), at `/mnt/data/<filename>`."""
    _touch(tenant, container_id)
    return _store_file(tenant, container_id, filename, data, "assistant")
