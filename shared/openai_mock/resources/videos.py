"""Videos API (Sora): create, remix, edit and extend video jobs; retrieve, list and delete them; download the MP4,
its thumbnail and its sprite sheet; characters from uploaded videos.

A job's status follows the clock: `queued` for `QUEUE_SECONDS`, then `in_progress` (its `progress` rising) for a
render time that grows with the clip's length (longer for sora-2-pro), then `completed` — or `failed` with
`moderation_blocked` as it leaves the queue, when the moderation classifier flags its prompt. Nothing is written as
it progresses: the status is computed from `created_at` when the job is read, so every function and container
agrees. The media are rendered on download from the job's plan (`generation/videos.py`): a real H.264 MP4 of the
job's size and duration, and lossless WebP previews.

The Videos API was shut down on 2026-09-24 (announced 2026-03-24; the 2026-08-21 contract marks every operation
deprecated). With the `as_of` setting on or past that day, every route answers what a removed endpoint answers:
404 "Invalid URL"."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_length
from openai_mock.control import webhooks
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.generation.moderation import THRESHOLD, score_text
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import files
from openai_mock.resources.models import model_not_found, model_spec
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.web.form_body import Upload

if TYPE_CHECKING:
    from openai_mock.generation.videos import VideoPlan

COLLECTION = "video"
CHARACTERS = "video.character"
MODELS = ("sora-2", "sora-2-pro")
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
SECONDS = ("4", "8", "12")
EXTENSION_SECONDS = ("4", "8", "12", "16", "20")
VARIANTS = ("video", "thumbnail", "spritesheet")
MAX_PROMPT = 32_000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
QUEUE_SECONDS = 5.0
RENDER_SECONDS_PER_SECOND = {"sora-2": 6.0, "sora-2-pro": 15.0}  # render time per second of clip
ASSET_LIFETIME = 24 * 3600  # downloads stay available this long after completion
MODERATION_MESSAGE = "Your request was blocked by our moderation system because it may violate our content policies."


# ---------------------------------------------------------------------------------------------------
# Request fields (multipart, as the SDK sends them, or JSON: web/form_body.py)
# ---------------------------------------------------------------------------------------------------
def _check_known(fields: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for name in fields:
        if name not in known:
            raise invalid_request(f"Unknown parameter: '{name}'.", name, "unknown_parameter")


def _required(fields: Mapping[str, Any], name: str) -> Any:
    if name not in fields or fields[name] is None:
        raise invalid_request(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    return fields[name]


def _text(fields: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = fields.get(name, default)
    if value is None or isinstance(value, str):
        return value
    raise invalid_request(
        f"Invalid type for '{name}': expected a string, but got {_kind(value)} instead.", name, "invalid_type"
    )


def _kind(value: Any) -> str:
    if isinstance(value, Upload):
        return "a file"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "an object" if isinstance(value, dict) else "an array" if isinstance(value, list) else "a value"


def _prompt(fields: Mapping[str, Any]) -> str:
    _required(fields, "prompt")
    prompt = _text(fields, "prompt") or ""
    check_length(prompt, "prompt", MAX_PROMPT, minimum=1)
    return prompt


def _model(fields: Mapping[str, Any]) -> str:
    model = _text(fields, "model", "sora-2") or "sora-2"
    spec = model_spec(model)
    if spec is None:
        raise model_not_found(model)
    if spec.family not in MODELS:
        check_enum(model, MODELS, "model")
    return model


def _family(model: str) -> str:
    spec = model_spec(model)
    return spec.family if spec is not None and spec.family in MODELS else "sora-2"


# ---------------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------------
def _media() -> ModuleType:
    """The probes and renderers (`generation/videos.py`, numpy): imported by the first request that reads or renders
    media, not at the function's cold start, which a job's creation and polling never need."""
    from openai_mock.generation import videos

    return videos


def _not_found(video_id: str) -> OpenAIError:
    return OpenAIError(404, f"Video with id '{video_id}' not found.", param="video_id", code="video_not_found")


def _record(tenant: str, video_id: str) -> dict[str, Any]:
    record = get_store().get(tenant, COLLECTION, video_id)
    if record is None:
        raise _not_found(video_id)
    return record


def _timeline(record: Mapping[str, Any]) -> tuple[float, float]:
    settings = get_settings()
    queue = settings.scaled(QUEUE_SECONDS)
    render = settings.scaled(RENDER_SECONDS_PER_SECOND[_family(record["model"])] * int(record["seconds"]))
    return queue, render


def present(record: Mapping[str, Any]) -> dict[str, Any]:
    """The job as it stands now (status and progress from the clock)."""
    queue, render = _timeline(record)
    elapsed = clock.now() - record["created_at"]
    completed_at = expires_at = error = None
    if elapsed < queue:
        status, progress = "queued", 0
    elif record.get("_blocked"):  # the prompt breaks the content policy: it fails as it leaves the queue
        status, progress = "failed", 0
        error = {"code": "moderation_blocked", "message": MODERATION_MESSAGE}
    elif elapsed < queue + render:
        status, progress = "in_progress", min(99, int(100 * (elapsed - queue) / render))
    else:
        status, progress = "completed", 100
        completed_at = record["created_at"] + math.ceil(queue + render)
        expires_at = completed_at + ASSET_LIFETIME
    return {
        "id": record["id"],
        "object": "video",
        "model": record["model"],
        "status": status,
        "progress": progress,
        "created_at": record["created_at"],
        "completed_at": completed_at,
        "expires_at": expires_at,
        "prompt": record["prompt"],
        "size": record["size"],
        "seconds": record["seconds"],
        "remixed_from_video_id": record["remixed_from_video_id"],
        "error": error,
    }


def _new_job(
    *,
    model: str,
    prompt: str,
    size: str,
    seconds: str,
    layout_seed: str,
    plan_prompt: str | None = None,
    remixed_from: str | None = None,
    rendered_seconds: str | None = None,
) -> dict[str, Any]:
    """A new job's record, not stored yet (`start` stores it). `rendered_seconds`: what it renders and is billed
    for, when less than its length (an extension renders its added seconds only)."""
    record = {
        "id": ids.new_id("video"),
        "object": "video",
        "model": model,
        "created_at": clock.now_seconds(),
        "prompt": prompt,
        "size": size,
        "seconds": seconds,
        "remixed_from_video_id": remixed_from,
        "_plan": {"prompt": plan_prompt or prompt, "layout_seed": layout_seed},
        "_blocked": any(score > THRESHOLD for score in score_text(prompt).values()),
        "_billed_seconds": int(rendered_seconds or seconds),
    }
    return record


def start(tenant: str, record: dict[str, Any]) -> dict[str, Any]:
    """Store a checked job (after its request was admitted: a 429 stores nothing) and show it. Its webhook event
    (`video.completed`, or `video.failed` as a blocked prompt leaves the queue) is sent when it ends by the clock,
    read or not (docs/webhooks.md)."""
    get_store().create(tenant, COLLECTION, record)
    queue, render = _timeline(record)
    if record["_blocked"]:
        webhooks.emit(tenant, "video.failed", record["id"], at=record["created_at"] + queue)
    else:
        webhooks.emit(tenant, "video.completed", record["id"], at=record["created_at"] + math.ceil(queue + render))
    return present(record)


def _completed_source(tenant: str, video_id: str, param: str) -> dict[str, Any]:
    record = get_store().get(tenant, COLLECTION, video_id)
    if record is None:
        raise OpenAIError(404, f"Video with id '{video_id}' not found.", param=param, code="video_not_found")
    if present(record)["status"] != "completed":
        raise invalid_request(
            f"Video '{video_id}' is not completed yet: only a completed video can be used.", param, "video_not_ready"
        )
    return record


_REFERENCE_FIELDS = ("input_reference.image_url", "input_reference.file_id")


def _reference_seed(tenant: str, value: Any, size: str) -> str:
    """What an `input_reference` adds to the layout: an image of the video's size (upload, data URL, URL, file)."""
    if isinstance(value, Upload):
        return _image_digest(value.data, size)
    if not isinstance(value, dict):
        raise invalid_request(
            f"Invalid type for 'input_reference': expected a file or an object, but got {_kind(value)} instead.",
            "input_reference",
            "invalid_type",
        )
    _check_known({f"input_reference.{key}": item for key, item in value.items()}, _REFERENCE_FIELDS)
    given = [key for key in ("image_url", "file_id") if value.get(key) is not None]
    if len(given) != 1:
        raise invalid_request(
            "Provide exactly one of 'image_url' or 'file_id' in 'input_reference'.", "input_reference", "invalid_value"
        )
    if given[0] == "file_id":
        file_id = str(value["file_id"])
        data = files.read_file_bytes(tenant, file_id, "input_reference.file_id")
        return _image_digest(data, size, "input_reference.file_id")
    url = str(value["image_url"])
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        try:
            data = base64.b64decode(payload, validate=True) if header.endswith(";base64") else payload.encode()
        except (binascii.Error, ValueError):
            raise invalid_request(
                "Invalid 'input_reference.image_url': the data URL is not valid base64.",
                "input_reference.image_url",
                "invalid_value",
            ) from None
        return _image_digest(data, size, "input_reference.image_url")
    if not url.startswith(("https://", "http://")):
        raise invalid_request(
            "Invalid 'input_reference.image_url': expected a URL or a base64-encoded data URL.",
            "input_reference.image_url",
            "invalid_value",
        )
    return hashlib.sha256(url.encode()).hexdigest()  # the mock fetches nothing: the URL stands for its image


def _image_digest(data: bytes, size: str, param: str = "input_reference") -> str:
    try:
        width, height = _media().image_size(data)
    except (ValueError, IndexError):
        raise invalid_request(
            "Invalid input_reference: the image could not be read. Supported formats are PNG, JPEG and WebP.",
            param,
            "invalid_image",
        ) from None
    if f"{width}x{height}" != size:
        raise invalid_request(
            f"Inpainting image must match the requested width and height: got {width}x{height}, expected {size}.",
            param,
            "invalid_image_size",
        )
    return hashlib.sha256(data).hexdigest()


def create(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _check_known(fields, ("model", "prompt", "input_reference", "seconds", "size"))
    prompt = _prompt(fields)
    model = _model(fields)
    seconds = _text(fields, "seconds", "4")
    check_enum(seconds, SECONDS, "seconds")
    size = _text(fields, "size", "720x1280") or "720x1280"
    check_enum(size, SIZES, "size")
    seed = hashlib.sha256(prompt.encode()).hexdigest()
    if fields.get("input_reference") is not None:
        seed = hashlib.sha256((seed + _reference_seed(tenant, fields["input_reference"], size)).encode()).hexdigest()
    return _new_job(model=model, prompt=prompt, size=size, seconds=str(seconds), layout_seed=seed)


def retrieve(tenant: str, video_id: str) -> dict[str, Any]:
    return present(_record(tenant, video_id))


def list_videos(tenant: str, params: ListParams) -> dict[str, Any]:
    page = get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=present)


def delete(tenant: str, video_id: str) -> dict[str, Any]:
    status = present(_record(tenant, video_id))["status"]
    if status not in ("completed", "failed"):
        raise invalid_request(
            f"Video '{video_id}' is still {status.replace('_', ' ')}: only a completed or failed video can be deleted.",
            "video_id",
            "video_not_ready",
        )
    if get_store().delete(tenant, COLLECTION, video_id) is None:
        raise _not_found(video_id)
    return {"id": video_id, "object": "video.deleted", "deleted": True}


def remix(tenant: str, video_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _check_known(fields, ("prompt",))
    prompt = _prompt(fields)
    source = _completed_source(tenant, video_id, "video_id")
    return _new_job(
        model=source["model"],
        prompt=prompt,
        size=source["size"],
        seconds=source["seconds"],
        layout_seed=source["_plan"]["layout_seed"],
        remixed_from=video_id,
    )


def _source_video(tenant: str, value: Any) -> tuple[str, str, str, str, str]:
    """(model, size, seconds, layout seed, scene prompt) of an edit's or extension's `video`: a completed job of
    the tenant's ({"id": …}) or an uploaded MP4."""
    if isinstance(value, Upload):
        media = _media()
        try:
            width, height, duration = media.probe_mp4(value.data)
        except (media.InvalidVideo, IndexError, ValueError):
            raise invalid_request("Invalid 'video': the file is not an MP4 video.", "video", "invalid_video") from None
        size = f"{width}x{height}"
        check_enum(size, SIZES, "video")
        seconds = str(max(1, round(duration)))
        return "sora-2", size, seconds, hashlib.sha256(value.data).hexdigest(), ""
    if not isinstance(value, dict):
        raise invalid_request(
            f"Invalid type for 'video': expected a file or an object, but got {_kind(value)} instead.",
            "video",
            "invalid_type",
        )
    video_id = value.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise invalid_request("Missing required parameter: 'video.id'.", "video.id", "missing_required_parameter")
    source = _completed_source(tenant, video_id, "video.id")
    plan = source["_plan"]
    return source["model"], source["size"], source["seconds"], plan["layout_seed"], plan["prompt"]


def edit(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _check_known(fields, ("video", "prompt"))
    video = _required(fields, "video")
    prompt = _prompt(fields)
    model, size, seconds, seed, _ = _source_video(tenant, video)
    return _new_job(model=model, prompt=prompt, size=size, seconds=seconds, layout_seed=seed)


def extend(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _check_known(fields, ("video", "prompt", "seconds"))
    video = _required(fields, "video")
    prompt = _prompt(fields)
    _required(fields, "seconds")
    seconds = _text(fields, "seconds")
    check_enum(seconds, EXTENSION_SECONDS, "seconds")
    model, size, source_seconds, seed, scene = _source_video(tenant, video)
    total = str(int(source_seconds) + int(str(seconds)))  # an extension's `seconds` is the stitched total
    return _new_job(
        model=model,
        prompt=prompt,
        size=size,
        seconds=total,
        layout_seed=seed,
        plan_prompt=scene or prompt,
        rendered_seconds=seconds,
    )


# ---------------------------------------------------------------------------------------------------
# Media
# ---------------------------------------------------------------------------------------------------
CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/webp"}


def plan_of(record: Mapping[str, Any]) -> VideoPlan:
    width, height = (int(part) for part in record["size"].split("x"))
    plan = record["_plan"]
    return _media().VideoPlan(plan["prompt"], plan["layout_seed"], width, height, int(record["seconds"]))


def content(tenant: str, video_id: str, variant: str | None) -> tuple[bytes, str]:
    """The asset's bytes and content type."""
    chosen = variant or "video"
    check_enum(chosen, VARIANTS, "variant")
    record = _record(tenant, video_id)
    job = present(record)
    if job["status"] != "completed":
        raise OpenAIError(
            404,
            f"Video '{video_id}' is not ready yet (status '{job['status']}'); poll GET /v1/videos/{video_id} "
            "until it is completed.",
            param="video_id",
            code="video_not_ready",
        )
    if clock.now() >= job["expires_at"]:
        raise OpenAIError(
            404, f"The assets of video '{video_id}' have expired.", param="video_id", code="video_expired"
        )
    plan, media = plan_of(record), _media()
    if chosen == "thumbnail":
        return media.render_thumbnail(plan), CONTENT_TYPES[chosen]
    if chosen == "spritesheet":
        return media.render_spritesheet(plan), CONTENT_TYPES[chosen]
    return media.render_mp4(plan), CONTENT_TYPES[chosen]


# ---------------------------------------------------------------------------------------------------
# Characters
# ---------------------------------------------------------------------------------------------------
def create_character(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _check_known(fields, ("video", "name"))
    video = _required(fields, "video")
    _required(fields, "name")
    name = _text(fields, "name") or ""
    check_length(name, "name", 80, minimum=1)
    if not isinstance(video, Upload):
        raise invalid_request(
            f"Invalid type for 'video': expected a file, but got {_kind(video)} instead.", "video", "invalid_type"
        )
    if len(video.data) > MAX_UPLOAD_BYTES:
        raise OpenAIError(
            413,
            f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded ({len(video.data)} bytes read)",
            param="video",
            code="request_too_large",
        )
    media = _media()
    try:
        media.probe_mp4(video.data)
    except (media.InvalidVideo, IndexError, ValueError):
        raise invalid_request("Invalid 'video': the file is not an MP4 video.", "video", "invalid_video") from None
    record = {"id": ids.new_id("video.character"), "name": name, "created_at": clock.now_seconds()}
    get_store().create(tenant, CHARACTERS, record)
    return record


def get_character(tenant: str, character_id: str) -> dict[str, Any]:
    record = get_store().get(tenant, CHARACTERS, character_id)
    if record is None:
        raise OpenAIError(
            404, f"Character with id '{character_id}' not found.", param="character_id", code="character_not_found"
        )
    return {"id": record["id"], "name": record["name"], "created_at": record["created_at"]}
