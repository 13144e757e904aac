"""Hosted environment configuration (docs/agent-environments.md): the request shapes an OpenAI-hosted environment is
configured with (a template's body, `POST /v1/agents/environments`, a session's `environment`), their checks, and
reusable environment templates (`client.beta.agents.environments.templates`), kept per project.

A configuration is checked once, when it is written, into its stored form: confidential parts (`env`,
`setup_commands`, blocked domains) under private keys never answered, inline file bytes in the blob store (keyed by
owner and path), inline plugin and skill archives reduced to their declared name and description."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.checks import check_max_items
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import Flag, RequestModel, Text
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import files as files_api
from openai_mock.resources import skills
from openai_mock.resources.agents.definitions import tagged
from openai_mock.resources.organization.core import project_of, public
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import Principal

TEMPLATES = "agent.environment.template"
WORKSPACE = "/workspace"
MAX_FILES = 100  # per configuration (the mock's bound: the SDK names none)
MAX_INLINE_FILE_BYTES = 10 * 1024 * 1024  # decoded
MAX_LIST_ITEMS = 100  # capability directories, packages per manager, plugins, skills, setup commands, domains
MAX_NAME_LENGTH = 256
NETWORK_ACCESS = ("disabled", "restricted", "enabled")  # narrowest first: an override may not move right
DEFAULT_NETWORK = {"access": "disabled", "allowed_domains": []}  # the mock's reading of "the API version decides"
EMPTY_PACKAGES: dict[str, list[str]] = {"npm": [], "python": [], "system": []}
_RESERVED_TOP = (".codex", ".managed-agents")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9-]{1,63})*$")
_FAILING_COMMAND = re.compile(r"^\s*(?:false|exit\s+0*[1-9]\d*)\s*$")  # the mock's way to make setup fail
PLUGIN_MANIFEST = ".codex-plugin/plugin.json"


# --- request shapes ---------------------------------------------------------------------------------------------


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


class DesktopParams(_Fields):
    enabled: Flag


class NetworkParams(_Fields):
    access: Literal["enabled", "disabled", "restricted"]
    allowed_domains: list[Text] | None = None
    blocked_domains: list[Text] | None = None


class PackagesParams(_Fields):
    npm: list[Text] | None = None
    python: list[Text] | None = None
    system: list[Text] | None = None


class FileIdParams(_Fields):
    type: Literal["file_id"]
    file_id: Annotated[Text, Field(min_length=1)]
    path: Text


class InlineFileParams(_Fields):
    type: Literal["inline"]
    data: Text
    path: Text


if TYPE_CHECKING:  # what a checker sees; pydantic gets the tagged union, whose errors name params as the API does
    FileParams = FileIdParams | InlineFileParams
else:
    FileParams = tagged({"file_id": FileIdParams, "inline": InlineFileParams})


class InlineSource(_Fields):
    type: Literal["base64"]
    media_type: Literal["application/zip"]
    data: Text


class PluginParams(_Fields):
    type: Literal["inline"]
    name: Annotated[Text, Field(min_length=1)]
    description: Text
    source: InlineSource


class SkillReferenceParams(_Fields):
    type: Literal["skill_reference"]
    skill_id: Annotated[Text, Field(min_length=1)]
    version: Text | None = None


class InlineSkillParams(_Fields):
    type: Literal["inline"]
    name: Annotated[Text, Field(min_length=1)]
    description: Text
    source: InlineSource


if TYPE_CHECKING:
    SkillParams = SkillReferenceParams | InlineSkillParams
else:
    SkillParams = tagged({"skill_reference": SkillReferenceParams, "inline": InlineSkillParams})


class SetupCommandParams(_Fields):
    command: Annotated[Text, Field(min_length=1)]
    cwd: Text | None = None


class HostedFields(_Fields):
    """What configures a hosted environment. A null is no value here, except where a template update says."""

    capability_directories: list[Text] | None = None
    desktop: DesktopParams | None = None
    env: dict[str, Text] | None = None
    files: list[FileParams] | None = None
    network: NetworkParams | None = None
    packages: PackagesParams | None = None
    plugins: list[PluginParams] | None = None
    setup_commands: list[SetupCommandParams] | None = None
    skills: list[SkillParams] | None = None


class TemplateParams(HostedFields):
    """A template's create and update body: an update changes what it sends (`model_fields_set`)."""

    name: Text | None = None


CONFIG_FIELDS = tuple(HostedFields.model_fields)


# --- checks -----------------------------------------------------------------------------------------------------


def _at(param: str, name: str) -> str:
    return f"{param}.{name}" if param else name


def _bad(param: str, message: str) -> OpenAIError:
    return invalid_request(f"Invalid '{param}': {message}", param, "invalid_value")


def check_destination(path: str, param: str) -> str:
    """A file's destination: an absolute POSIX path under /workspace, no empty, dot or parent component, not
    reserved for the environment itself (what the SDK's file helpers check before uploading)."""
    parts = path.split("/")[1:]
    if not path.startswith(WORKSPACE + "/") or "\x00" in path or "\\" in path:
        raise _bad(param, "expected an absolute file path under /workspace.")
    if any(part in ("", ".", "..") for part in parts):
        raise _bad(param, "a path cannot contain empty, '.' or '..' components.")
    if parts[1] in _RESERVED_TOP or parts[1].startswith(".managed-agents-") or path == f"{WORKSPACE}/outputs":
        raise _bad(param, "the path is reserved by the environment.")
    return path


def check_directory(path: str, param: str) -> str:
    """An absolute directory (a capability directory, a command's `cwd`, a self-hosted workspace)."""
    parts = path.split("/")[1:]
    if not path.startswith("/") or "\x00" in path or any(part in (".", "..") for part in parts):
        raise _bad(param, "expected an absolute directory path.")
    return path.rstrip("/") or "/"


def _strings(values: Sequence[str] | None, param: str) -> list[str]:
    values = list(values or [])
    check_max_items(values, MAX_LIST_ITEMS, param)
    for index, value in enumerate(values):
        if not value.strip():
            raise _bad(f"{param}[{index}]", "expected a non-empty string.")
    return values


def _domains(values: Sequence[str] | None, param: str) -> list[str]:
    domains = _strings(values, param)
    for index, domain in enumerate(domains):
        if "*" in domain:
            raise _bad(f"{param}[{index}]", "wildcard domains are not supported.")
        if not _DOMAIN.match(domain):
            raise _bad(f"{param}[{index}]", f"'{domain}' is not a domain name.")
    return [domain.lower() for domain in domains]


def _network(sent: NetworkParams, param: str) -> dict[str, Any]:
    allowed = _domains(sent.allowed_domains, f"{param}.allowed_domains")
    blocked = _domains(sent.blocked_domains, f"{param}.blocked_domains")
    if (allowed or blocked) and sent.access != "restricted":
        which = "allowed_domains" if allowed else "blocked_domains"
        raise _bad(f"{param}.{which}", "domains can only be listed when `access` is `restricted`.")
    if allowed and blocked:
        raise _bad(f"{param}.blocked_domains", "cannot be combined with a non-empty `allowed_domains`.")
    if sent.access == "restricted" and not (allowed or blocked):
        raise _bad(f"{param}.allowed_domains", "restricted access needs allowed or blocked domains.")
    return {"access": sent.access, "allowed_domains": allowed, "_blocked_domains": blocked}


def narrows(override: Mapping[str, Any], base: Mapping[str, Any]) -> bool:
    """Whether network policy `override` grants no more than `base` (both in their stored form)."""
    rank = NETWORK_ACCESS.index
    if rank(override["access"]) != rank(base["access"]):
        return rank(override["access"]) < rank(base["access"])
    if override["access"] != "restricted":
        return True
    if base["allowed_domains"]:  # an allow-list: the override may only keep some of it
        return bool(override["allowed_domains"]) and set(override["allowed_domains"]) <= set(base["allowed_domains"])
    # a block-list: an allow-list is narrower; a block-list must still block everything the base blocks
    return bool(override["allowed_domains"]) or set(override["_blocked_domains"]) >= set(base["_blocked_domains"])


def _packages(sent: PackagesParams, param: str) -> dict[str, list[str]]:
    return {kind: _strings(getattr(sent, kind), f"{param}.{kind}") for kind in ("npm", "python", "system")}


def _env(sent: Mapping[str, str], param: str) -> dict[str, str]:
    check_max_items(list(sent), MAX_LIST_ITEMS, param)
    for name in sent:
        if not _ENV_NAME.match(name):
            raise _bad(f"{param}.{name}", "environment variable names are letters, digits and underscores.")
    return dict(sent)


def _decoded(data: str, param: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(param, "expected standard base64-encoded data.") from None


def _plugin(sent: PluginParams, param: str) -> dict[str, Any]:
    """An inline plugin: a ZIP whose `.codex-plugin/plugin.json` declares the plugin's `name`."""
    archive = _decoded(sent.source.data, f"{param}.source.data")
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            manifests = [name for name in bundle.namelist() if name.endswith(PLUGIN_MANIFEST)]
            manifest = json.loads(bundle.read(manifests[0])) if manifests else None
    except (zipfile.BadZipFile, ValueError, KeyError):
        raise _bad(f"{param}.source.data", "expected a ZIP archive.") from None
    if not isinstance(manifest, dict):
        raise _bad(f"{param}.source.data", f"the archive has no {PLUGIN_MANIFEST}.")
    if manifest.get("name") != sent.name:
        raise _bad(f"{param}.name", f"'{sent.name}' is not the name {PLUGIN_MANIFEST} declares.")
    return {"description": sent.description, "name": sent.name, "type": "inline"}


def _skill(tenant: str, sent: SkillReferenceParams | InlineSkillParams, param: str) -> dict[str, Any]:
    """A skill as a template keeps it: a reference with its version selector (checked to resolve now), or an inline
    archive's declared name and description (checked against its SKILL.md)."""
    if isinstance(sent, SkillReferenceParams):
        skills.reference(tenant, sent.skill_id, sent.version, param)
        return {"skill_id": sent.skill_id, "type": "skill_reference", "version": sent.version}
    bundle = skills.inline_bundle(sent.model_dump(), param)
    if bundle.name != sent.name:
        raise _bad(f"{param}.name", f"'{sent.name}' is not the name SKILL.md declares.")
    return {"description": sent.description, "name": sent.name, "type": "inline"}


def resolved_skill(tenant: str, skill: Mapping[str, Any], param: str) -> dict[str, Any]:
    """A kept skill as an environment installs it: a reference resolved to a concrete version, name and
    description (the Skills API's, as they are now)."""
    if skill["type"] == "inline":
        return dict(skill)
    found = skills.reference(tenant, skill["skill_id"], skill.get("version"), param)
    record = get_store().get(tenant, skills.COLLECTION, skill["skill_id"]) or {}
    return {
        "description": record.get("description") or f"OpenAI skill {skill['skill_id']}",
        "name": found.get("name") or skill["skill_id"],
        "skill_id": skill["skill_id"],
        "type": "skill_reference",
        "version": str(found["version"]),
    }


class CheckedFiles(NamedTuple):
    """Files checked for writing: their metadata in order, and the decoded bytes of the inline ones by path."""

    entries: list[dict[str, Any]]
    inline: dict[str, bytes]


def check_file(tenant: str, sent: FileIdParams | InlineFileParams, param: str) -> tuple[dict[str, Any], bytes | None]:
    """One file to write: (its metadata: type, path, size_bytes, and file_id; its bytes when inline). `param`: where
    the file sits in the request ("" for a body that is the file)."""
    path = check_destination(sent.path, _at(param, "path"))
    if isinstance(sent, FileIdParams):
        uploaded = files_api.get_file(tenant, sent.file_id, _at(param, "file_id"))
        return {"file_id": sent.file_id, "path": path, "size_bytes": uploaded["bytes"], "type": "file_id"}, None
    data = _decoded(sent.data, _at(param, "data"))
    if len(data) > MAX_INLINE_FILE_BYTES:
        raise _bad(_at(param, "data"), f"inline files are limited to {MAX_INLINE_FILE_BYTES} bytes.")
    return {"path": path, "size_bytes": len(data), "type": "inline"}, data


def conflicting_paths(paths: Sequence[str]) -> int | None:
    """The index of the first path that repeats an earlier one or is a directory of another (or under one)."""
    seen: set[str] = set()
    for index, path in enumerate(paths):
        parents = {path.rsplit("/", depth)[0] for depth in range(1, path.count("/"))}
        if path in seen or parents & seen or any(other.startswith(path + "/") for other in seen):
            return index
        seen.add(path)
    return None


def _files(tenant: str, sent: Sequence[FileIdParams | InlineFileParams], param: str) -> CheckedFiles:
    check_max_items(sent, MAX_FILES, param)
    checked = CheckedFiles([], {})
    for index, item in enumerate(sent):
        entry, data = check_file(tenant, item, f"{param}[{index}]")
        checked.entries.append(entry)
        if data is not None:
            checked.inline[entry["path"]] = data
    clash = conflicting_paths([entry["path"] for entry in checked.entries])
    if clash is not None:
        raise _bad(f"{param}[{clash}].path", "duplicate or conflicting destination.")
    return checked


def _setup_commands(sent: Sequence[SetupCommandParams], param: str) -> list[dict[str, str]]:
    check_max_items(sent, MAX_LIST_ITEMS, param)
    return [
        {"command": item.command, "cwd": check_directory(item.cwd or WORKSPACE, f"{param}[{index}].cwd")}
        for index, item in enumerate(sent)
    ]


def check_config(tenant: str, sent: HostedFields, prefix: str = "") -> tuple[dict[str, Any], CheckedFiles]:
    """The fields `sent` carries (a null is left out), checked into their stored form, and the files' bytes.
    `prefix`: where the fields sit in the request ("environment." for a nested configuration)."""
    sent_fields = {name for name in sent.model_fields_set & set(CONFIG_FIELDS) if getattr(sent, name) is not None}
    config: dict[str, Any] = {}
    files = CheckedFiles([], {})
    for name in CONFIG_FIELDS:
        if name not in sent_fields:
            continue
        value, param = getattr(sent, name), prefix + name
        if name == "capability_directories":
            config[name] = [check_directory(d, f"{param}[{i}]") for i, d in enumerate(_strings(value, param))]
        elif name == "desktop":
            config[name] = {"enabled": value.enabled}
        elif name == "env":
            config["_env"] = _env(value, param)
        elif name == "files":
            files = _files(tenant, value, param)
            config[name] = files.entries
        elif name == "network":
            config[name] = _network(value, param)
        elif name == "packages":
            config[name] = _packages(value, param)
        elif name == "plugins":
            check_max_items(value, MAX_LIST_ITEMS, param)
            config[name] = [_plugin(item, f"{param}[{i}]") for i, item in enumerate(value)]
        elif name == "setup_commands":
            config["_setup_commands"] = _setup_commands(value, param)
        else:
            check_max_items(value, MAX_LIST_ITEMS, param)
            config[name] = [_skill(tenant, item, f"{param}[{i}]") for i, item in enumerate(value)]
    return config, files


def setup_fails(setup_commands: Sequence[Mapping[str, str]]) -> bool:
    """Whether setup fails: a command that is `false` or `exit N` (N ≠ 0) — the mock runs nothing else."""
    return any(_FAILING_COMMAND.match(command["command"]) for command in setup_commands)


# --- blobs of inline files --------------------------------------------------------------------------------------


def file_blob_key(owner_id: str, path: str) -> str:
    """Where an inline file's bytes live: one blob per owner (template or environment) and path."""
    return f"agent.environment/{owner_id}/{hashlib.sha256(path.encode()).hexdigest()[:32]}"


def put_inline(tenant: str, owner_id: str, inline: Mapping[str, bytes]) -> None:
    blobs = get_blobs()
    for path, data in inline.items():
        blobs.put(tenant, file_blob_key(owner_id, path), data)


def drop_inline(tenant: str, owner_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
    blobs = get_blobs()
    for entry in entries:
        if entry["type"] == "inline":
            blobs.delete(tenant, file_blob_key(owner_id, entry["path"]))


def read_inline(tenant: str, owner_id: str, path: str) -> bytes:
    return get_blobs().get(tenant, file_blob_key(owner_id, path)) or b""


# --- templates --------------------------------------------------------------------------------------------------


def _template_file(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What a template shows of a file: a Files API reference is resolved per session, so it has no size."""
    if entry["type"] == "file_id":
        return {"file_id": entry["file_id"], "path": entry["path"], "type": "file_id"}
    return dict(entry)


def _view(template: Mapping[str, Any]) -> dict[str, Any]:
    shown = public(dict(template))
    shown["files"] = [_template_file(entry) for entry in template["files"]]
    shown["network"] = public(template["network"])
    return shown


def _stored(principal: Principal, template_id: str, param: str = "environment_template_id") -> dict[str, Any]:
    template = get_store().get(principal.tenant, TEMPLATES, template_id)
    if template is None or template["_project_id"] != project_of(principal):
        raise not_found("EnvironmentTemplate", template_id, param)
    return template


def stored_template(principal: Principal, environment_template_id: str) -> dict[str, Any]:
    """The template as the API shows it (the SDK's `EnvironmentTemplate`), or 404 naming `environment_template_id`
    unless it is the caller's project's. Confidential inputs are not in it: provisioning uses `template_config`."""
    return _view(_stored(principal, environment_template_id))


def template_config(principal: Principal, template_id: str, param: str) -> dict[str, Any]:
    """A template's full stored configuration, confidential parts included (404 naming `param`)."""
    return _stored(principal, template_id, param)


def _name(name: str | None) -> str | None:
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise _bad("name", f"expected at most {MAX_NAME_LENGTH} characters.")
    return name


def _applied(template: dict[str, Any], sent: TemplateParams, config: Mapping[str, Any]) -> dict[str, Any]:
    """`template` with what an update (or a create, over the defaults) sent: a null resets a field."""
    updated = {**template, **config, "updated_at": clock.now_seconds()}
    for name in sent.model_fields_set:
        if getattr(sent, name) is not None:
            continue
        if name == "name":
            updated["name"] = None
        elif name == "desktop":
            updated["desktop"] = {"enabled": False}
        elif name == "network":
            updated["network"] = {**DEFAULT_NETWORK, "_blocked_domains": []}
        elif name == "packages":
            updated["packages"] = dict(EMPTY_PACKAGES)
        elif name in ("env", "setup_commands"):
            updated[f"_{name}"] = {} if name == "env" else []
        else:
            updated[name] = []
    if "name" in sent.model_fields_set and sent.name is not None:
        updated["name"] = _name(sent.name)
    return updated


def create_template(principal: Principal, sent: TemplateParams) -> dict[str, Any]:
    config, files = check_config(principal.tenant, sent)
    now = clock.now_seconds()
    blank: dict[str, Any] = {
        "id": ids.new_id(TEMPLATES),
        "object": TEMPLATES,
        "created_at": now,
        "updated_at": now,
        "name": None,
        "capability_directories": [],
        "desktop": None,
        "files": [],
        "network": {**DEFAULT_NETWORK, "_blocked_domains": []},
        "packages": dict(EMPTY_PACKAGES),
        "plugins": [],
        "skills": [],
        "_env": {},
        "_setup_commands": [],
        "_project_id": project_of(principal),
    }
    template = _applied(blank, sent, config)
    put_inline(principal.tenant, template["id"], files.inline)
    try:
        get_store().create(principal.tenant, TEMPLATES, template)
    except BaseException:
        drop_inline(principal.tenant, template["id"], template["files"])
        raise
    return _view(template)


def update_template(principal: Principal, template_id: str, sent: TemplateParams) -> dict[str, Any]:
    before = _stored(principal, template_id)
    config, files = check_config(principal.tenant, sent)
    replaced_files = "files" in sent.model_fields_set
    if replaced_files:  # the old inline bytes go, the new ones take their paths
        drop_inline(principal.tenant, template_id, before["files"])
        put_inline(principal.tenant, template_id, files.inline)
    updated = get_store().update(principal.tenant, TEMPLATES, template_id, lambda old: _applied(old, sent, config))
    if updated is None:
        raise not_found("EnvironmentTemplate", template_id, "environment_template_id")
    return _view(updated)


def list_templates(principal: Principal, params: ListParams) -> dict[str, Any]:
    project = project_of(principal)
    page = get_store().list(
        principal.tenant,
        TEMPLATES,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=lambda template: template["_project_id"] == project,
    )
    return list_object(page, view=_view)


def delete_template(principal: Principal, template_id: str) -> dict[str, Any]:
    template = _stored(principal, template_id)
    get_store().delete(principal.tenant, TEMPLATES, template_id)
    drop_inline(principal.tenant, template_id, template["files"])
    return {"id": template_id, "deleted": True, "object": "agent.environment.template.deleted"}
