"""Skills: versioned bundles of instructions and files (a `SKILL.md` with YAML front matter naming the skill and
saying what it is for, plus whatever scripts and references it brings) that containers mount.

A skill is created from one zip or from a directory's files; each new bundle is an immutable version ("1", "2",
…). The skill shows its `default_version` (what `GET /skills/{id}/content` returns and containers mount unless a
version is named) and its `latest_version`; its name and description are those of the default version. Bundles
are stored as zip bytes in the blob store: an uploaded zip byte for byte, a directory upload zipped
deterministically.

Containers (`resources/containers.py`) reference skills through `reference(...)` and `inline(...)`."""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pydantic import ConfigDict

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import RequestModel
from openai_mock.pagination import ListParams, list_object
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object

COLLECTION = "skill"
MAX_FILES = 500  # the spec's `files` maxItems
MAX_BUNDLE_BYTES = 50 * 1024 * 1024  # uncompressed, all files together
MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 1024
MANIFEST = "SKILL.md"
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zipped directory uploads are the same bytes every time


class SetDefaultVersionRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    default_version: str


# --------------------------------------------------------------------------------------------- bundles


class Bundle(NamedTuple):
    name: str
    description: str
    zip_bytes: bytes
    files: tuple[str, ...]  # paths inside the bundle


def _bad_bundle(message: str, param: str = "files") -> OpenAIError:
    return invalid_request(message, param, "invalid_skill_bundle")


def _clean_path(path: str, param: str) -> str:
    path = path.replace("\\", "/")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or ".." in parts or not parts:
        raise _bad_bundle(f"Invalid file path in skill bundle: '{path}'. Paths must be relative.", param)
    return "/".join(parts)


def _unzip(data: bytes, param: str) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES:
            raise _bad_bundle(f"Skill bundle has {len(entries)} files; the maximum is {MAX_FILES}.", param)
        if sum(info.file_size for info in entries) > MAX_BUNDLE_BYTES:
            raise _bad_bundle(
                f"Skill bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB uncompressed.", param
            )
        return [(_clean_path(info.filename, param), archive.read(info)) for info in entries]
    # A corrupt member (zlib.error), an encrypted one (RuntimeError), an unknown compression (NotImplementedError)…
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        RuntimeError,
        EOFError,
        NotImplementedError,
        ValueError,
    ) as error:
        raise _bad_bundle(f"The uploaded zip file could not be read: {error}.", param) from None


def _zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def _manifest_path(paths: Sequence[str], param: str) -> str:
    """SKILL.md at the bundle's root, or at the root of its one top-level folder."""
    tops = {path.split("/")[0] for path in paths}
    candidates = [MANIFEST] if MANIFEST in paths else []
    if len(tops) == 1 and all("/" in path for path in paths):
        candidates += [f"{next(iter(tops))}/{MANIFEST}"] if f"{next(iter(tops))}/{MANIFEST}" in paths else []
    if not candidates:
        raise _bad_bundle(
            f"The skill bundle must contain a {MANIFEST} file at its root (or at the root of its one top-level "
            "directory).",
            param,
        )
    return candidates[0]


def _front_matter(text: str, param: str) -> dict[str, Any]:
    import yaml  # the front matter is YAML

    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise _bad_bundle(f"{MANIFEST} must begin with YAML front matter between '---' lines.", param)
    try:
        end = next(index for index, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise _bad_bundle(f"{MANIFEST} front matter is not closed by a '---' line.", param) from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise _bad_bundle(f"{MANIFEST} front matter is not valid YAML: {problem}.", param) from None
    if not isinstance(meta, dict):
        raise _bad_bundle(f"{MANIFEST} front matter must be a YAML mapping with 'name' and 'description'.", param)
    return meta


def _check_meta(meta: Mapping[str, Any], param: str) -> tuple[str, str]:
    name, description = meta.get("name"), meta.get("description")
    if not isinstance(name, str) or not name.strip():
        raise _bad_bundle(f"{MANIFEST} front matter is missing 'name'.", param)
    if len(name) > MAX_NAME_LENGTH or not _NAME.match(name):
        raise _bad_bundle(
            f"Invalid skill name '{name}': use at most {MAX_NAME_LENGTH} lowercase letters, digits and hyphens.", param
        )
    if not isinstance(description, str) or not description.strip():
        raise _bad_bundle(f"{MANIFEST} front matter is missing 'description'.", param)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _bad_bundle(
            f"Skill description is too long ({len(description)} characters); the maximum is {MAX_DESCRIPTION_LENGTH}.",
            param,
        )
    return name, description.strip()


def parse_bundle(uploads: Sequence[tuple[str, bytes]], param: str = "files") -> Bundle:
    """A bundle from what a create sends: one zip (kept as uploaded), or the files of a directory (zipped)."""
    if not uploads:
        raise invalid_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if len(uploads) > MAX_FILES:
        raise _bad_bundle(f"Too many files: {len(uploads)}; the maximum is {MAX_FILES}.", param)
    single_zip = len(uploads) == 1 and (uploads[0][0].lower().endswith(".zip") or uploads[0][1][:4] == b"PK\x03\x04")
    if single_zip:
        zip_bytes = uploads[0][1]
        files = _unzip(zip_bytes, param)
    else:
        files = [(_clean_path(name, param), data) for name, data in uploads]
        if sum(len(data) for _, data in files) > MAX_BUNDLE_BYTES:
            raise _bad_bundle(f"Skill bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB.", param)
        zip_bytes = b""
    paths = [path for path, _ in files]
    if len(set(paths)) != len(paths):
        raise _bad_bundle("The skill bundle contains the same path more than once.", param)
    manifest = _manifest_path(paths, param)
    try:
        text = dict(files)[manifest].decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_bundle(f"{MANIFEST} must be UTF-8 text.", param) from None
    name, description = _check_meta(_front_matter(text, param), param)
    if not single_zip:
        if "/" not in manifest:  # loose files: the bundle's folder is named after the skill
            files = [(f"{name}/{path}", data) for path, data in files]
        zip_bytes = _zip(files)
    return Bundle(name, description, zip_bytes, tuple(path for path, _ in files))


# --------------------------------------------------------------------------------------------- records


def _versions_collection(skill_id: str) -> str:
    return f"skill.version/{skill_id}"


def _blob_key(skill_id: str, version_id: str) -> str:
    return f"skill/{skill_id}/{version_id}.zip"


def _not_found(skill_id: str) -> OpenAIError:
    return OpenAIError(404, f"Skill with id '{skill_id}' not found.", param="skill_id")


def _version_not_found(skill_id: str, version: str, param: str = "version") -> OpenAIError:
    return OpenAIError(404, f"Version '{version}' of skill '{skill_id}' not found.", param=param)


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _record(tenant: str, skill_id: str) -> Object:
    record = get_store().get(tenant, COLLECTION, skill_id)
    if record is None:
        raise _not_found(skill_id)
    return record


def _version_object(skill_id: str, number: int, bundle: Bundle) -> Object:
    return {
        "object": "skill.version",
        "id": ids.new_id("skill.version"),
        "skill_id": skill_id,
        "version": str(number),
        "created_at": clock.now_seconds(),
        "name": bundle.name,
        "description": bundle.description,
    }


def _store_version(tenant: str, version: Object, bundle: Bundle) -> None:
    blobs = get_blobs()
    key = _blob_key(version["skill_id"], version["id"])
    blobs.put(tenant, key, bundle.zip_bytes)  # bytes first: a version never points at nothing
    try:
        get_store().create(tenant, _versions_collection(version["skill_id"]), version)
    except BaseException:
        blobs.delete(tenant, key)
        raise


def _version_by_number(tenant: str, skill: Mapping[str, Any], version: str, param: str = "version") -> Object:
    version_id = skill["_versions"].get(version)
    found = None if version_id is None else get_store().get(tenant, _versions_collection(skill["id"]), version_id)
    if found is None:
        raise _version_not_found(skill["id"], version, param)
    return found


def _named_after(skill: Object, version: Mapping[str, Any]) -> Object:
    return {**skill, "name": version["name"], "description": version["description"]}


# --------------------------------------------------------------------------------------------- skills


def create(tenant: str, uploads: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    bundle = parse_bundle(uploads)
    skill_id = ids.new_id("skill")
    version = _version_object(skill_id, 1, bundle)
    record: Object = {
        "id": skill_id,
        "object": "skill",
        "name": bundle.name,
        "description": bundle.description,
        "created_at": version["created_at"],
        "default_version": "1",
        "latest_version": "1",
        "_versions": {"1": version["id"]},
        "_next": 2,
    }
    _store_version(tenant, version, bundle)
    try:
        get_store().create(tenant, COLLECTION, record)
    except BaseException:
        _drop_versions(tenant, skill_id)
        raise
    return _public(record)


def retrieve(tenant: str, skill_id: str) -> dict[str, Any]:
    return _public(_record(tenant, skill_id))


def list_skills(tenant: str, params: ListParams) -> dict[str, Any]:
    page = get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=_public)


def set_default_version(tenant: str, skill_id: str, body: SetDefaultVersionRequest) -> dict[str, Any]:
    skill = _record(tenant, skill_id)
    if body.default_version not in skill["_versions"]:
        raise invalid_request(
            f"Version '{body.default_version}' of skill '{skill_id}' not found.", "default_version", "invalid_value"
        )
    version = _version_by_number(tenant, skill, body.default_version, "default_version")

    def change(record: Object) -> Object:
        if body.default_version not in record["_versions"]:  # deleted meanwhile
            raise _version_not_found(skill_id, body.default_version, "default_version")
        return {**_named_after(record, version), "default_version": body.default_version}

    updated = get_store().update(tenant, COLLECTION, skill_id, change)
    if updated is None:
        raise _not_found(skill_id)
    return _public(updated)


def _drop_versions(tenant: str, skill_id: str) -> None:
    store, blobs = get_store(), get_blobs()
    collection = _versions_collection(skill_id)
    for version in store.list(tenant, collection, limit=MAX_FILES * 2, order="asc").items:
        blobs.delete(tenant, _blob_key(skill_id, version["id"]))
    store.delete_collection(tenant, collection)


def delete(tenant: str, skill_id: str) -> dict[str, Any]:
    _record(tenant, skill_id)
    _drop_versions(tenant, skill_id)
    get_store().delete(tenant, COLLECTION, skill_id)
    return {"id": skill_id, "object": "skill.deleted", "deleted": True}


def content(tenant: str, skill_id: str) -> tuple[str, bytes]:
    """(filename, the default version's bundle)."""
    skill = _record(tenant, skill_id)
    return version_content(tenant, skill_id, skill["default_version"])


# --------------------------------------------------------------------------------------------- versions


def create_version(
    tenant: str, skill_id: str, uploads: Sequence[tuple[str, bytes]], make_default: bool
) -> dict[str, Any]:
    _record(tenant, skill_id)
    bundle = parse_bundle(uploads)
    holder: dict[str, Object] = {}

    def add(record: Object) -> Object:
        number = int(record["_next"])
        version = _version_object(skill_id, number, bundle)
        holder["version"] = version
        changed = {
            **record,
            "latest_version": version["version"],
            "_versions": {**record["_versions"], version["version"]: version["id"]},
            "_next": number + 1,
        }
        if make_default:
            changed = {**_named_after(changed, version), "default_version": version["version"]}
        return changed

    # The number is taken in the skill's record (conditional write: two racing creates get 2 and 3), then the
    # version is stored; if storing it fails, the skill is put back as it was.
    before = _record(tenant, skill_id)
    if get_store().update(tenant, COLLECTION, skill_id, add) is None:
        raise _not_found(skill_id)
    version = holder["version"]
    try:
        _store_version(tenant, version, bundle)
    except BaseException:
        get_store().update(tenant, COLLECTION, skill_id, lambda record: _without(record, version["version"], before))
        raise
    return version


def _without(record: Object, number: str, before: Mapping[str, Any]) -> Object:
    versions = {key: value for key, value in record["_versions"].items() if key != number}
    latest = max(versions, key=int) if versions else before["latest_version"]
    default = record["default_version"] if record["default_version"] != number else before["default_version"]
    return {**record, "_versions": versions, "latest_version": latest, "default_version": default}


def retrieve_version(tenant: str, skill_id: str, version: str) -> dict[str, Any]:
    return _version_by_number(tenant, _record(tenant, skill_id), version)


def list_versions(tenant: str, skill_id: str, params: ListParams) -> dict[str, Any]:
    _record(tenant, skill_id)
    page = get_store().list(
        tenant, _versions_collection(skill_id), limit=params.limit, order=params.order, after=params.after
    )
    return list_object(page)


def delete_version(tenant: str, skill_id: str, version: str) -> dict[str, Any]:
    skill = _record(tenant, skill_id)
    found = _version_by_number(tenant, skill, version)
    if skill["default_version"] == version:
        raise invalid_request(
            f"Version '{version}' is the default version of skill '{skill_id}'. Set another default version "
            "first, or delete the skill.",
            "version",
            "invalid_value",
        )

    def remove(record: Object) -> Object:
        if record["default_version"] == version:
            raise invalid_request(f"Version '{version}' is the default version of skill '{skill_id}'.", "version")
        versions = {key: value for key, value in record["_versions"].items() if key != version}
        return {**record, "_versions": versions, "latest_version": max(versions, key=int)}

    if get_store().update(tenant, COLLECTION, skill_id, remove) is None:
        raise _not_found(skill_id)
    get_store().delete(tenant, _versions_collection(skill_id), found["id"])
    get_blobs().delete(tenant, _blob_key(skill_id, found["id"]))
    return {"object": "skill.version.deleted", "id": found["id"], "version": version, "deleted": True}


def version_content(tenant: str, skill_id: str, version: str) -> tuple[str, bytes]:
    skill = _record(tenant, skill_id)
    found = _version_by_number(tenant, skill, version)
    data = get_blobs().get(tenant, _blob_key(skill_id, found["id"]))
    if data is None:
        raise _version_not_found(skill_id, version)
    return f"{found['name']}-v{version}.zip", data


# --------------------------------------------------------------------------------------------- for containers

CURATED_PREFIX = "openai-"  # OpenAI's own skills (`openai-spreadsheets`, …): referenced, never stored here


def reference(tenant: str, skill_id: str, version: str | None, param: str, missing: int = 400) -> dict[str, Any]:
    """A `skill_reference` checked: the tenant's skill (and version: a number, or "latest") or a curated one.
    `missing`: the status of an unknown skill (400 for a container's create, 404 for a Responses shell tool)."""
    if skill_id.startswith(CURATED_PREFIX):
        return {"type": "skill_reference", "skill_id": skill_id, "version": version or "latest"}
    record = get_store().get(tenant, COLLECTION, skill_id)
    if record is None:
        message = f"Skill with id '{skill_id}' not found."
        if missing == 404:
            raise OpenAIError(404, message, param=f"{param}.skill_id")
        raise invalid_request(message, f"{param}.skill_id", "invalid_value")
    resolved = (
        record["default_version"] if version is None else record["latest_version"] if version == "latest" else version
    )
    if resolved not in record["_versions"]:
        raise invalid_request(
            f"Version '{version}' of skill '{skill_id}' not found.", f"{param}.version", "invalid_value"
        )
    return {"type": "skill_reference", "skill_id": skill_id, "version": resolved, "name": record["name"]}


def inline(skill: Mapping[str, Any], param: str) -> dict[str, Any]:
    """An `inline` skill: its base64 zip parsed like an upload (the same 400s), its name and description."""
    bundle = inline_bundle(skill, param)
    return {"type": "inline", "name": bundle.name, "description": bundle.description}


def inline_bundle(skill: Mapping[str, Any], param: str) -> Bundle:
    """An `inline` skill's bundle, parsed from its base64 zip."""
    source = skill.get("source")
    if not isinstance(source, Mapping):
        raise invalid_request(f"Missing required parameter: '{param}.source'.", f"{param}.source")
    data = source.get("data")
    if not isinstance(data, str) or not data:
        raise invalid_request(f"Missing required parameter: '{param}.source.data'.", f"{param}.source.data")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_request(
            f"Invalid '{param}.source.data': expected base64-encoded zip data.", f"{param}.source.data"
        ) from None
    return parse_bundle([("skill.zip", raw)], f"{param}.source.data")


def mounted_files(bundle_zip: bytes, name: str) -> list[tuple[str, bytes]]:
    """A bundle's files as a container mounts them: `skills/<name>/<path>` (its one top folder named `name`)."""
    files = _unzip(bundle_zip, "skills")
    tops = {path.split("/")[0] for path, _ in files}
    if MANIFEST not in dict(files) and len(tops) == 1:
        files = [(path.split("/", 1)[1], data) for path, data in files]
    return [(f"skills/{name}/{path}", data) for path, data in files]


def reference_files(tenant: str, mounted: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """The files of a checked `skill_reference` (its resolved version); none for a curated skill."""
    if mounted["skill_id"].startswith(CURATED_PREFIX):
        return []
    _, data = version_content(tenant, mounted["skill_id"], mounted["version"])
    return mounted_files(data, mounted["name"])


def parse_flag(value: str | None, param: str) -> bool:
    """A boolean form field (`default=true`), as multipart carries it: text."""
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered not in ("true", "false", "1", "0"):
        raise invalid_request(
            f"Invalid value for '{param}': expected a boolean, but got '{value}'.", param, "invalid_type"
        )
    return lowered in ("true", "1")
