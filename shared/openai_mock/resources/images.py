"""Images (`POST /v1/images/generations`, `/edits`, `/variations`): request models, the real API's checks, creation.

Generations render the prompt's scene (`openai_mock.generation.images`). Edits and variations decode the
uploaded PNG (`openai_mock.generation.png`) and return a mosaic of its colours: variations jitter them,
edits paint the prompt's scene where the mask is clear.

Every PNG carries the mock's signed provenance manifest (`generation/provenance.py`), which
`POST /v1/content_provenance_checks` recognises.

Image URLs are `data:image/png;base64,…` URLs: fetchable by browsers, `<img src>` and urllib without a
key or a second request, and valid in every deployment mode (docs/images.md explains the choice)."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from openai_mock import clock
from openai_mock.checks import check_enum, check_length, check_range
from openai_mock.control.api import answer_of
from openai_mock.errors import invalid_request
from openai_mock.fields import Integer, RequestModel
from openai_mock.generation import raster
from openai_mock.generation.images import MOSAIC_CELLS, jitter, render_mosaic, sample_cells, scene_for
from openai_mock.generation.png import PNG_SIGNATURE, InvalidImage, Picture, decode_png
from openai_mock.generation.provenance import sign_png
from openai_mock.generation.streaming import sse_event
from openai_mock.generation.tokens import count_tokens
from openai_mock.resources.models import model_not_found, model_spec
from openai_mock.rng import seeded_rng
from openai_mock.settings import get_settings

# ---------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------
GENERATION_SIZES = {
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
# The GPT image models (gpt-image-1, -1-mini, -1.5, -2, chatgpt-image-latest): their sizes, qualities, and the
# image tokens an answer costs by quality and size (square, or the 1536-pixel portrait and landscape).
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
GPT_IMAGE_QUALITIES = ("low", "medium", "high", "auto")
GPT_IMAGE_OUTPUT_TOKENS = {"low": (272, 408), "medium": (1056, 1584), "high": (4160, 6240)}
GPT_IMAGE_PROMPT_LIMIT = 32_000
_GPT_IMAGE_ONLY = (
    "background", "output_format", "output_compression", "moderation", "partial_images", "input_fidelity"
)  # fmt: skip
# What does not change the picture (the seed's material leaves them out, so a stream draws the JSON answer's image).
_NOT_SEEDING = {"user", "stream", "partial_images", "input_fidelity", "safety_identifier"}
# A streamed image's partial images, in order: blocks per side of each sketch before the finished picture.
PARTIAL_IMAGE_CELLS = (4, 8, 16)
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
_UPLOAD_MODES = ("RGBA", "LA", "L")


class _Options(RequestModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    n: int | None = None
    response_format: str | None = None
    size: str | None = None
    user: str | None = None


class CreateImageRequest(_Options):
    n: Integer | None = None  # JSON here; the forms' `n` arrives as text
    prompt: str
    quality: str | None = None
    style: str | None = None
    background: str | None = None
    output_format: str | None = None
    output_compression: Integer | None = None
    moderation: str | None = None
    stream: bool | None = None
    partial_images: Integer | None = None
    safety_identifier: str | None = None


class ImageEditOptions(_Options):
    prompt: str
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    output_compression: int | None = None
    stream: bool | None = None
    partial_images: int | None = None
    input_fidelity: str | None = None
    safety_identifier: str | None = None


class ImageVariationOptions(_Options):
    pass


def is_gpt_image(model: str) -> bool:
    spec = model_spec(model)
    return spec is not None and spec.family in ("gpt-image", "gpt-image-mini")


def _image_model(requested: str | None, allowed: Sequence[str], gpt_image: bool = False) -> str:
    """The model: 404 for an id the catalogue lacks, 400 unless this endpoint takes it."""
    model = requested or "dall-e-2"
    if model_spec(model) is None:
        raise model_not_found(model)
    if not (gpt_image and is_gpt_image(model)):
        check_enum(model, allowed, "model")
    return model


def _gpt_image_answer(
    options: CreateImageRequest | ImageEditOptions, model: str, prompt: str, seed: int | str | None
) -> dict[str, Any]:
    """What a GPT image model answers: base64 images only, the settings it served, and its token usage."""
    check_length(prompt, "prompt", GPT_IMAGE_PROMPT_LIMIT, minimum=1)
    if options.response_format is not None:
        raise invalid_request("Unknown parameter: 'response_format'.", "response_format", "unknown_parameter")
    n = 1 if options.n is None else options.n
    check_range(n, "n", 1, 10)
    size = options.size or "auto"
    check_enum(size, GPT_IMAGE_SIZES, "size")
    quality = options.quality or "auto"
    check_enum(quality, GPT_IMAGE_QUALITIES, "quality")
    background = options.background or "auto"
    check_enum(background, ("transparent", "opaque", "auto"), "background")
    output_format = options.output_format or "png"
    check_enum(output_format, ("png", "jpeg", "webp"), "output_format")
    if background == "transparent" and output_format == "jpeg":
        raise invalid_request(
            "Transparent background is not supported for the 'jpeg' output format. Use 'png' or 'webp'.",
            "background",
            "invalid_value",
        )
    if options.output_compression is not None:
        check_range(options.output_compression, "output_compression", 0, 100)
        if output_format == "png":
            raise invalid_request(
                "Compression less than 100 is not supported for PNG output format.",
                "output_compression",
                "invalid_value",
            )
    if isinstance(options, CreateImageRequest) and options.moderation is not None:
        check_enum(options.moderation, ("low", "auto"), "moderation")
    if isinstance(options, ImageEditOptions) and options.input_fidelity is not None:
        check_enum(options.input_fidelity, ("high", "low"), "input_fidelity")
    partials = _partial_images(options, n)
    served_size = "1024x1024" if size == "auto" else size
    served_quality = "high" if quality == "auto" else quality
    width, height = (int(part) for part in served_size.split("x"))
    rng = seeded_rng(options.model_dump(exclude=_NOT_SEEDING), seed)
    scenes = [scene_for(prompt, rng) for _ in range(n)]
    compression = options.output_compression

    def encoded(png: bytes) -> str:
        return base64.b64encode(raster.encode(png, output_format, compression)).decode()

    # Signed first: a PNG keeps the provenance manifest; JPEG and WebP re-encodings carry no PNG chunk.
    data = [{"b64_json": encoded(_signed(scene.render(width, height), model))} for scene in scenes]
    per_image = GPT_IMAGE_OUTPUT_TOKENS[served_quality][0 if width == height else 1]
    text_tokens = count_tokens(prompt, model)
    answer = {
        "created": clock.now_seconds(),
        "data": data,
        "background": "opaque" if background == "auto" else background,
        "output_format": output_format,
        "quality": served_quality,
        "size": served_size,
        "usage": {
            "input_tokens": text_tokens,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0},
            "output_tokens": per_image * n,
            "total_tokens": text_tokens + per_image * n,
        },
    }
    if options.stream:  # sketches of the one scene, coarse to fine (`stream_events`)
        answer[PARTIALS] = [encoded(scenes[0].sketch(width, height, cells)) for cells in PARTIAL_IMAGE_CELLS[:partials]]
    return answer


def _partial_images(options: CreateImageRequest | ImageEditOptions, n: int) -> int:
    """How many partial images a stream sends before its image (0 to 3); a stream makes one image."""
    partials = 0 if options.partial_images is None else options.partial_images
    check_range(partials, "partial_images", 0, len(PARTIAL_IMAGE_CELLS))
    if options.stream and n != 1:
        raise invalid_request("Streaming is only supported with n=1.", "n", "invalid_value")
    return partials


PARTIALS = "_partial_images"  # an answer's partial images while it is being delivered (not part of the answer)


def delivered(answer: dict[str, Any], options: CreateImageRequest | ImageEditOptions, kind: str) -> Any:
    """The answer as JSON, or, for `stream: true`, as its events (`kind`: "image_generation" or "image_edit"):
    each partial image, then the finished one with the usage."""
    partials = answer.pop(PARTIALS, [])
    if not options.stream:
        return answer
    shown = {"created_at": answer["created"]}
    shown.update((name, answer[name]) for name in ("size", "quality", "background", "output_format"))
    events = [
        sse_event(
            {"type": f"{kind}.partial_image", "b64_json": image, **shown, "partial_image_index": index},
            event=f"{kind}.partial_image",
        )
        for index, image in enumerate(partials)
    ]
    finished = {"type": f"{kind}.completed", "b64_json": answer["data"][0]["b64_json"], **shown}
    events.append(sse_event({**finished, "usage": answer["usage"]}, event=f"{kind}.completed"))
    return events


def _refuse_gpt_image_options(options: BaseModel) -> None:
    if getattr(options, "stream", None):
        raise invalid_request("Streaming is only supported for GPT image models.", "stream", "unsupported_value")
    for name in _GPT_IMAGE_ONLY:
        if getattr(options, name, None) is not None:
            raise invalid_request(
                f"Unknown parameter: '{name}'. It is only supported for GPT image models.", name, "unknown_parameter"
            )


def _common(options: _Options, model: str, sizes: Sequence[str]) -> tuple[int, int, int, str]:
    """n, width, height and response_format, validated for the model."""
    n = 1 if options.n is None else options.n
    check_range(n, "n", 1, 10)
    if model == "dall-e-3" and n != 1:
        raise invalid_request("You must provide n=1 for this model.", "n", "invalid_value")
    size = options.size or "1024x1024"
    if size not in sizes:
        raise invalid_request(f"'{size}' is not one of {list(sizes)} - 'size'", "size", "invalid_value")
    response_format = options.response_format or "url"
    check_enum(response_format, ("url", "b64_json"), "response_format")
    width, height = (int(part) for part in size.split("x"))
    return n, width, height, response_format


def _signed(png: bytes, model: str) -> bytes:
    """The image with the mock's provenance manifest (what POST /v1/content_provenance_checks recognises)."""
    return sign_png(png, model, get_settings().provenance_secret.encode())


def _image_object(png: bytes, response_format: str, model: str) -> dict[str, Any]:
    encoded = base64.b64encode(_signed(png, model)).decode()
    return {"b64_json": encoded} if response_format == "b64_json" else {"url": f"data:image/png;base64,{encoded}"}


def _revised_prompt(prompt: str, rng: random.Random, style: str, quality: str) -> str:
    """dall-e-3 rewrites every prompt into a fuller description; so does the mock, deterministically."""
    look = {
        "vivid": ["dramatic, hyper-real", "bold, richly saturated", "cinematic, high-contrast"],
        "natural": ["soft, naturally lit", "muted, true-to-life", "gentle, understated"],
    }[style]
    medium = rng.choice(["digital illustration", "photograph", "painterly rendering", "wide-angle scene"])
    light = rng.choice(
        ["warm late-afternoon light", "cool morning light", "diffuse overcast light", "golden-hour glow"]
    )
    detail = " with fine, intricate detail throughout" if quality == "hd" else ""
    return f"{prompt.strip().rstrip('.')}. Depicted as a {rng.choice(look)} {medium} in {light}{detail}."


def create_image(request: CreateImageRequest, seed: int | str | None) -> dict[str, Any]:
    model = _image_model(request.model, tuple(GENERATION_SIZES), gpt_image=True)
    if is_gpt_image(model):
        return _gpt_image_answer(request, model, request.prompt, seed)
    _refuse_gpt_image_options(request)
    check_length(request.prompt, "prompt", PROMPT_LIMITS[model], minimum=1)
    n, width, height, response_format = _common(request, model, GENERATION_SIZES[model])
    quality = request.quality or "standard"
    check_enum(quality, ("standard", "hd"), "quality")
    style = request.style or "vivid"
    check_enum(style, ("vivid", "natural"), "style")
    rng = seeded_rng(request.model_dump(exclude=_NOT_SEEDING), seed)
    data = []
    for _ in range(n):
        # dall-e-2 ignores quality and style, as the real API does.
        is_dalle3 = model == "dall-e-3"
        scene = scene_for(
            request.prompt,
            rng,
            vivid=style == "vivid" or not is_dalle3,
            detail=5 if is_dalle3 and quality == "hd" else 3,
        )
        image = _image_object(scene.render(width, height), response_format, model)
        if is_dalle3:
            image["revised_prompt"] = _revised_prompt(request.prompt, rng, style, quality)
        data.append(image)
    return {"created": clock.now_seconds(), "data": data}


_SIGNATURES = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))


def _media_type(data: bytes) -> str:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for head, kind in _SIGNATURES if data.startswith(head)), "application/octet-stream")


def with_fixture(
    tenant: str, endpoint: str, options: BaseModel, prompt: str | None, answer: dict[str, Any]
) -> dict[str, Any]:
    """The answer with a fixture's bytes (`response.b64`) in place of every generated image: as `b64_json`, or a
    `data:` URL of their media type where the request asked for URLs. A fixture may also fail or slow it."""
    request = {"model": getattr(options, "model", None), "messages": [{"role": "user", "content": prompt or ""}]}
    given = answer_of(tenant, endpoint, request, body=options.model_dump(exclude_none=True))
    if given is None or "b64" not in given:
        return answer
    encoded = given["b64"]
    kind = _media_type(base64.b64decode(encoded))
    data = [
        {**image, "b64_json": encoded} if "b64_json" in image else {**image, "url": f"data:{kind};base64,{encoded}"}
        for image in answer["data"]
    ]
    return {**answer, "data": data}


def read_upload(data: bytes, param: str) -> Picture:
    """An uploaded `image` / `mask`: a valid square PNG under 4 MB, or OpenAI's 400."""
    if len(data) >= MAX_UPLOAD_BYTES or not data.startswith(PNG_SIGNATURE):
        raise invalid_request(f"Uploaded {param} must be a PNG and less than 4 MB.", param, "invalid_image_format")
    try:
        picture = decode_png(data)
    except InvalidImage as error:
        raise invalid_request(
            f"Invalid input {param} - could not decode the PNG: {error}.", param, "invalid_image"
        ) from None
    if picture.width != picture.height:
        raise invalid_request(
            f"Uploaded {param} must be square: got {picture.width}x{picture.height}.", param, "invalid_image_size"
        )
    return picture


def _require_alpha(picture: Picture, param: str) -> None:
    if picture.mode not in _UPLOAD_MODES:
        raise invalid_request(
            f"Invalid input {param} - format must be in {list(_UPLOAD_MODES)}, got {picture.mode}.",
            param,
            "invalid_image_format",
        )


def create_image_edit(
    options: ImageEditOptions, image: bytes, mask: bytes | None, seed: int | str | None
) -> dict[str, Any]:
    model = _image_model(options.model, ("dall-e-2",), gpt_image=True)
    if is_gpt_image(model):
        read_upload(image, "image")
        return _gpt_image_answer(options, model, options.prompt, seed)
    _refuse_gpt_image_options(options)
    if options.quality is not None:
        raise invalid_request("Unknown parameter: 'quality'.", "quality", "unknown_parameter")
    check_length(options.prompt, "prompt", PROMPT_LIMITS[model], minimum=1)
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    picture = read_upload(image, "image")
    if mask is None:
        _require_alpha(picture, "image")  # the image's own transparency is the mask
        stencil = picture
    else:
        stencil = read_upload(mask, "mask")
        _require_alpha(stencil, "mask")
        if (stencil.width, stencil.height) != (picture.width, picture.height):
            raise invalid_request(
                "Invalid mask image - image and mask must have the same dimensions.", "mask", "invalid_image_size"
            )
    colours, clear = sample_cells(picture), sample_cells(stencil)
    material = [options.model_dump(exclude=_NOT_SEEDING), hashlib.sha256(image + (mask or b"")).hexdigest()]
    rng = seeded_rng(material, seed)
    data = []
    for _ in range(n):
        scene = scene_for(options.prompt, rng)
        grid = [
            [
                scene.colour_at((i + 0.5) / MOSAIC_CELLS, (j + 0.5) / MOSAIC_CELLS)
                if clear[j][i][3] == 0
                else colours[j][i][:3]
                for i in range(MOSAIC_CELLS)
            ]
            for j in range(MOSAIC_CELLS)
        ]
        data.append(_image_object(render_mosaic(grid, size), response_format, model))
    return {"created": clock.now_seconds(), "data": data}


def create_image_variation(options: ImageVariationOptions, image: bytes, seed: int | str | None) -> dict[str, Any]:
    model = _image_model(options.model, ("dall-e-2",))
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    colours = sample_cells(read_upload(image, "image"))
    rng = seeded_rng([options.model_dump(exclude=_NOT_SEEDING), hashlib.sha256(image).hexdigest()], seed)
    data = []
    for _ in range(n):
        shift = rng.uniform(-0.06, 0.06)  # each variation drifts its hues a little, the layout stays
        grid = [[jitter(colour, rng, shift) for colour in row] for row in colours]
        data.append(_image_object(render_mosaic(grid, size), response_format, model))
    return {"created": clock.now_seconds(), "data": data}
