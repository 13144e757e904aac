"""Uploads: a large file sent in Parts, assembled into a real File on completion.

An Upload is `pending` for an hour (then `expired`), accepts Parts (bytes in the blob store, so a
Part may be far larger than a DynamoDB item), and on `complete` becomes `completed` with a nested
File holding the Parts' bytes in the order given. Completed, cancelled and expired Uploads refuse
further Parts, completion and cancellation.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from openai_mock import clock
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.ids import new_id
from openai_mock.resources import files
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object

COLLECTION = "upload"
LIFETIME_SECONDS = 3600
MAX_UPLOAD_BYTES = 8 * 1024**3  # 8 GB per Upload
MAX_PART_BYTES = 64 * 1024**2  # 64 MB per Part

_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_VISION_MIME_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_JSONL_PURPOSES = ("batch", "fine-tune", "evals")
_PRIVATE = "_"  # keys starting with this are kept in the store, never shown


def _parts_collection(upload_id: str) -> str:
    return f"upload.part/{upload_id}"


def _part_blob(upload_id: str, part_id: str) -> str:
    return f"upload/{upload_id}/{part_id}"


def _public(obj: Object) -> Object:
    return {key: value for key, value in obj.items() if not key.startswith(_PRIVATE)}


# --------------------------------------------------------------------------- create


def _check_request(filename: str, purpose: str, size: int, mime_type: str) -> None:
    files.check_purpose(purpose)
    if not filename.strip():
        raise invalid_request(
            "Invalid value for 'filename': the filename must not be empty.", "filename", "invalid_value"
        )
    if size < 1 or size > MAX_UPLOAD_BYTES:
        raise invalid_request(
            f"Invalid value for 'bytes': expected a number of bytes between 1 and {MAX_UPLOAD_BYTES} "
            f"(8 GB), but got {size}.",
            "bytes",
            "invalid_value",
        )
    if not _MIME_TYPE.match(mime_type.lower()):
        raise invalid_request(
            f"Invalid value for 'mime_type': '{mime_type}' is not a MIME type.", "mime_type", "invalid_value"
        )
    if purpose == "vision" and mime_type.lower() not in _VISION_MIME_TYPES:
        raise invalid_request(
            f"Invalid mime_type '{mime_type}' for purpose 'vision'. Supported: {', '.join(_VISION_MIME_TYPES)}.",
            "mime_type",
            "invalid_value",
        )
    if purpose in _JSONL_PURPOSES and not filename.lower().endswith(".jsonl"):
        raise invalid_request(
            f"Invalid file format for purpose '{purpose}': the filename must end in .jsonl.",
            "filename",
            "invalid_file_format",
        )


def create_upload(
    tenant: str,
    *,
    filename: str,
    purpose: str,
    size: int,
    mime_type: str,
    expires_after: dict[str, Any] | None = None,
) -> Object:
    """A `pending` Upload that expires in an hour. `expires_after` applies to the File it will become."""
    _check_request(filename, purpose, size, mime_type)
    created_at = clock.now_seconds()
    file_lifetime = None
    if expires_after is not None:
        expiry = files.expiry_from(expires_after, created_at)
        file_lifetime = None if expiry is None else expiry - created_at
    upload: Object = {
        "id": new_id("upload"),
        "object": "upload",
        "bytes": size,
        "created_at": created_at,
        "filename": filename,
        "purpose": purpose,
        "status": "pending",
        "expires_at": created_at + LIFETIME_SECONDS,
        "file": None,
        "_mime_type": mime_type,
        "_file_lifetime": file_lifetime,
    }
    return _public(get_store().create(tenant, COLLECTION, upload))


# --------------------------------------------------------------------------- state


def _expire(upload: Object) -> Object:
    if upload["status"] == "pending" and clock.now() >= upload["expires_at"]:
        upload["status"] = "expired"
    return upload


def _current(tenant: str, upload_id: str) -> Object:
    """The Upload as it is now: a pending Upload past its hour is marked (and cleaned up) as expired."""
    upload = get_store().get(tenant, COLLECTION, upload_id)
    if upload is None:
        raise not_found("Upload", upload_id, "upload_id")
    if upload["status"] == "pending" and clock.now() >= upload["expires_at"]:
        upload = get_store().update(tenant, COLLECTION, upload_id, _expire) or upload
        _discard_parts(tenant, upload_id)
    return upload


def _refuse_unless_pending(upload: Object, action: str) -> None:
    status = upload["status"]
    if status == "pending":
        return
    state = "has expired" if status == "expired" else f"is already {status}"
    raise invalid_request(f"Cannot {action} Upload {upload['id']}: the Upload {state}.", None, f"upload_{status}")


def _discard_parts(tenant: str, upload_id: str) -> None:
    """Remove every Part's bytes and metadata (after completion, cancellation or expiry)."""
    store, blobs = get_store(), get_blobs()
    collection = _parts_collection(upload_id)
    after: str | None = None
    while True:
        page = store.list(tenant, collection, limit=100, order="asc", after=after)
        for part in page.items:
            blobs.delete(tenant, _part_blob(upload_id, part["id"]))
        if not page.has_more or not page.items:
            break
        after = page.items[-1]["id"]
    store.delete_collection(tenant, collection)


# --------------------------------------------------------------------------- operations


def add_part(tenant: str, upload_id: str, data: bytes) -> Object:
    upload = _current(tenant, upload_id)
    _refuse_unless_pending(upload, "add a Part to")
    if len(data) > MAX_PART_BYTES:
        raise OpenAIError(
            413,
            f"Part is too large ({len(data)} bytes). Each Part can be at most {MAX_PART_BYTES // 1024**2} MB.",
            param="data",
            code="part_too_large",
        )
    part: Object = {
        "id": new_id("upload.part"),
        "object": "upload.part",
        "created_at": clock.now_seconds(),
        "upload_id": upload_id,
        "_bytes": len(data),
    }
    blobs = get_blobs()
    blobs.put(tenant, _part_blob(upload_id, part["id"]), data)  # bytes first, as for Files
    try:
        stored = get_store().create(tenant, _parts_collection(upload_id), part)
    except BaseException:
        blobs.delete(tenant, _part_blob(upload_id, part["id"]))
        raise
    return _public(stored)


def _assemble(tenant: str, upload: Object, part_ids: list[str]) -> bytes:
    """The Parts' bytes in the order given; every id must be a distinct Part of this Upload."""
    store, blobs = get_store(), get_blobs()
    chunks: list[bytes] = []
    for index, part_id in enumerate(part_ids):
        if part_id in part_ids[:index]:
            raise invalid_request(
                f"Invalid 'part_ids[{index}]': the Part {part_id} is listed more than once.",
                f"part_ids[{index}]",
                "duplicate_part",
            )
        part = store.get(tenant, _parts_collection(upload["id"]), part_id)
        data = None if part is None else blobs.get(tenant, _part_blob(upload["id"], part_id))
        if data is None:
            raise invalid_request(
                f"Invalid 'part_ids[{index}]': {part_id} is not a Part of Upload {upload['id']}.",
                f"part_ids[{index}]",
                "invalid_part",
            )
        chunks.append(data)
    return b"".join(chunks)


def _check_assembled(upload: Object, data: bytes, md5: str | None) -> None:
    if len(data) != upload["bytes"]:
        raise invalid_request(
            f"The number of bytes uploaded ({len(data)}) does not match the number of bytes specified when "
            f"the Upload was created ({upload['bytes']}).",
            "part_ids",
            "bytes_mismatch",
        )
    if md5 is not None and hashlib.md5(data).hexdigest() != md5.lower():
        raise invalid_request(
            f"The md5 checksum of the uploaded bytes ({hashlib.md5(data).hexdigest()}) does not match the "
            f"provided md5 ({md5}).",
            "md5",
            "md5_mismatch",
        )


def complete_upload(tenant: str, upload_id: str, part_ids: list[str], md5: str | None = None) -> Object:
    upload = _current(tenant, upload_id)
    _refuse_unless_pending(upload, "complete")
    data = _assemble(tenant, upload, part_ids)
    _check_assembled(upload, data, md5 or None)
    lifetime = upload.get("_file_lifetime")
    expires_at = None if lifetime is None else clock.now_seconds() + lifetime
    file = files.create_file(
        tenant, upload["filename"], upload["purpose"], data, expires_at=expires_at, max_bytes=MAX_UPLOAD_BYTES
    )

    def finish(current: Object) -> Object:
        _refuse_unless_pending(_expire(current), "complete")  # a concurrent cancel/complete may have won
        return {**current, "status": "completed", "file": file}

    try:
        completed = get_store().update(tenant, COLLECTION, upload_id, finish)
    except OpenAIError:
        files.delete_file(tenant, file["id"])  # lost the race: no orphan File
        raise
    if completed is None:
        files.delete_file(tenant, file["id"])
        raise not_found("Upload", upload_id, "upload_id")
    _discard_parts(tenant, upload_id)
    return _public(completed)


def cancel_upload(tenant: str, upload_id: str) -> Object:
    upload = _current(tenant, upload_id)
    _refuse_unless_pending(upload, "cancel")

    def cancel(current: Object) -> Object:
        _refuse_unless_pending(_expire(current), "cancel")
        return {**current, "status": "cancelled"}

    cancelled = get_store().update(tenant, COLLECTION, upload_id, cancel)
    if cancelled is None:
        raise not_found("Upload", upload_id, "upload_id")
    _discard_parts(tenant, upload_id)
    return _public(cancelled)
