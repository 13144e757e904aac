"""Images (`POST /v1/images/generations`, `/edits`, `/variations`): request models, the real API's checks, creation.

Generations render the prompt's scene (`openai_mock.generation.images`; without its sky for a transparent
background). Edits and variations decode the upload: dall-e-2 takes square PNGs (`openai_mock.generation.png`) and
returns a mosaic of their colours (variations jitter them, edits paint the prompt's scene where the mask is clear);
a GPT image model takes PNGs, JPEGs and WebPs (the last two decoded by Pillow, `generation/raster.py`) and edits
the first image itself: the scene painted where the mask is clear or the markup drawn, else blended over it by
`input_fidelity`, the other images set in as references, and bills the images read as input image tokens. GPT
image models also answer animated GIFs (`generation/gif.py`) and SVG documents (`generation/svg.py`) of the same
scene, or of the same edit (a GIF's frames re-edited with the moving sun, an SVG's input embedded under the scene).

An edit comes as multipart (the images uploaded) or as JSON (GPT image models only, the images referenced: a File's
id, a `data:` URL, or an `https://` URL the mock does not fetch). Both are checked alike and both seed the picture
with the input images' bytes (a URL's text stands for its image, and nothing of it is drawn).

Every PNG carries the mock's signed provenance manifest (`generation/provenance.py`), which
`POST /v1/content_provenance_checks` recognises.

Image URLs are `data:image/png;base64,…` URLs: fetchable by browsers, `<img src>` and urllib without a
key or a second request, and valid in every deployment mode (docs/images.md explains the choice)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openai_mock import clock
from openai_mock.checks import check_enum, check_length, check_max_items, check_range
from openai_mock.control.api import answer_of
from openai_mock.errors import from_validation_errors, invalid_request
from openai_mock.fields import Integer, RequestModel, Text
from openai_mock.generation import gif, raster
from openai_mock.generation.images import (
    MOSAIC_CELLS,
    Scene,
    jitter,
    render_mosaic,
    sample_cells,
    scene_for,
    sketch_picture,
)
from openai_mock.generation.png import PNG_SIGNATURE, InvalidImage, Picture, encode_png
from openai_mock.generation.provenance import sign_png
from openai_mock.generation.streaming import sse_event
from openai_mock.generation.svg import authored_text, svg_document
from openai_mock.generation.tokens import count_tokens
from openai_mock.resources import files
from openai_mock.resources.models import check_reasoning_effort, model_not_found, model_spec
from openai_mock.rng import seeded_rng
from openai_mock.settings import get_settings
from openai_mock.web.multipart import Form

# ---------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------
GENERATION_SIZES = {
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
# The GPT image models (gpt-image-1, -1-mini, -1.5, -2, -2.5-*, -2.6-*, chatgpt-image-latest): their sizes, qualities,
# and the image tokens a 1024x1024 picture costs by quality (other sizes cost in proportion to their pixels, so the
# 1536-pixel portrait and landscape cost 1.5 times as much). xhigh and max are guesses: twice and four times high.
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
GPT_IMAGE_QUALITIES = ("low", "medium", "high", "auto")
GPT_IMAGE_2_5_QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
SQUARE_IMAGE_TOKENS = {"low": 272, "medium": 1056, "high": 4160, "xhigh": 8320, "max": 16640}
GPT_IMAGE_PROMPT_LIMIT = 32_000
OUTPUT_FORMATS = ("png", "jpeg", "webp", "gif", "svg")
_SNAPSHOT = r"(-\d{4}-\d{2}-\d{2})?"
# GPT Image 2.5 (sunburst, flare and their snapshots): xhigh and max quality, markups.
_GPT_IMAGE_2_5 = re.compile(rf"gpt-image-2\.5-(sunburst|flare){_SNAPSHOT}")
# Any WIDTHxHEIGHT: gpt-image-2 and GPT Image 2.5. Edges multiples of 16, aspect within 3:1, at most 3840 pixels a
# side and 3840x2160 in all; the least pixels (655,360) is a guess for the SDK's "pixel limits".
_FREE_SIZES = re.compile(rf"gpt-image-2(\.5-(sunburst|flare))?{_SNAPSHOT}")
_NO_INPUT_FIDELITY = re.compile(rf"gpt-image-2{_SNAPSHOT}")  # the SDK: "For gpt-image-2, omit this parameter"
FREE_SIZE_PIXELS = (655_360, 3840 * 2160)
FREE_SIZE_MAX_EDGE = 3840
# `complexity`, the planning effort: how many hills and towers the scene gets (medium, the default, as before).
COMPLEXITY_DETAIL = {"low": 2, "medium": 3, "high": 5}
GIF_FRAMES = (2, 16)
DEFAULT_GIF_FRAMES = 9
DEFAULT_FRAME_DURATION_MS = 200
GIF_MAX_EDGE = 1024  # a guess for the SDK's "GIF size limits": sizes up to 1024 pixels a side
# SVG output: the author when the request names none (a guess), the model kinds that can author, and the hidden
# reasoning tokens its effort spends per element of the scene (a guess).
DEFAULT_SVG_AUTHOR = "gpt-5.5"
_SVG_AUTHOR_KINDS = ("chat", "reasoning", "responses-only")
SVG_REASONING_TOKENS = {"none": 0, "minimal": 8, "low": 32, "medium": 96, "high": 256, "xhigh": 512, "max": 1024}
_GPT_IMAGE_ONLY = (
    "background", "output_format", "output_compression", "moderation", "partial_images", "input_fidelity",
    "complexity", "frame_count", "frame_duration_ms", "svg",
)  # fmt: skip
# What does not change the layout (the seed's material leaves them out, so a stream draws the JSON answer's image, a
# GIF's frames and an SVG's author the scene of the same request's PNG, and more `complexity` adds to one layout).
_NOT_SEEDING = {"user", "stream", "partial_images", "input_fidelity", "safety_identifier", "frame_count",
                "frame_duration_ms", "svg", "complexity"}  # fmt: skip
# A streamed image's partial images, in order: blocks per side of each sketch before the finished picture.
PARTIAL_IMAGE_CELLS = (4, 8, 16)
MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # a PNG upload: dall-e-2's image, variations, every mask and markup
MAX_INPUT_IMAGE_BYTES = 50 * 1024 * 1024  # a GPT image model's input image
# What a GPT image model's input image may be (a JPEG or WebP is decoded by Pillow, a PNG by the layer's decoder).
INPUT_IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_EDIT_IMAGES = 16  # a GPT image model's edit takes up to 16 input images
DEFAULT_JSON_EDIT_MODEL = "gpt-image-1.5"  # the spec's default for JSON edits
_UPLOAD_MODES = ("RGBA", "LA", "L")
# A GPT image model's edit without a mask keeps this share of the input image under the prompt's scene, by
# `input_fidelity` (low is the API's default). Guesses: the API says only that high keeps more.
INPUT_KEPT = {"low": 0.6, "high": 0.85}


class TileRule(NamedTuple):
    """How a model reads an image as tokens: the picture fitted within 2048x2048, its shorter side brought down to
    `short_side` (sizes rounded down), then `base` tokens and `per_tile` for each 512-pixel tile."""

    base: int
    per_tile: int
    short_side: int


TEXT_MODEL_TILES = TileRule(85, 170, 768)  # a text model at high detail (an SVG author reading its reference image)
GPT_IMAGE_INPUT_TILES = TileRule(65, 129, 512)  # a GPT image model reading an edit's input image
# What `input_fidelity: "high"` adds for each input image: a square one, and any other.
HIGH_FIDELITY_TOKENS = {"square": 4160, "other": 6240}
UNFETCHED_IMAGE_SIZE = (1024, 1024)  # what an input image the mock does not fetch is billed as (a guess)


class SvgReasoning(RequestModel):
    model_config = ConfigDict(extra="forbid")

    effort: str | None = None


class SvgOptions(RequestModel):
    """`svg`: the text model that authors an SVG answer, and how hard it reasons."""

    model_config = ConfigDict(extra="forbid")

    model: str
    reasoning: SvgReasoning | None = None


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
    complexity: str | None = None
    frame_count: Integer | None = None
    frame_duration_ms: Integer | None = None
    svg: SvgOptions | None = None


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
    complexity: str | None = None
    frame_count: int | None = None
    frame_duration_ms: int | None = None
    svg: SvgOptions | None = None


class ImageEditFormFields(ImageEditOptions):
    """An edit's form fields: a form spells `svg` as `svg[model]` and `svg[reasoning][effort]`."""

    svg_model: str | None = Field(None, alias="svg[model]")
    svg_reasoning_effort: str | None = Field(None, alias="svg[reasoning][effort]")

    def edit_options(self) -> ImageEditOptions:
        fields = self.model_dump(include=set(ImageEditOptions.model_fields))
        svg: dict[str, Any] = {}
        if self.svg_model is not None:
            svg["model"] = self.svg_model
        if self.svg_reasoning_effort is not None:
            svg["reasoning"] = {"effort": self.svg_reasoning_effort}
        if svg:
            fields["svg"] = svg
        try:
            return ImageEditOptions.model_validate(fields)
        except ValidationError as error:  # `svg[reasoning][effort]` without `svg[model]`
            raise from_validation_errors(error.errors()) from None


class ImageEditForm(ImageEditFormFields):
    """A multipart edit: its fields and its uploads (several images come as `image[]`, one file each)."""

    image: list[bytes]
    mask: bytes | None = None
    markup: bytes | None = None

    @classmethod
    def read(cls, form: Form) -> ImageEditForm:
        values: dict[str, Any] = dict(form.fields)
        for name in ("image", "mask", "markup"):
            uploads = [data for _, data in form.files_named(name)]
            if uploads:
                values[name] = uploads if name == "image" else uploads[-1]
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise from_validation_errors([{**d, "loc": ("body", *d["loc"])} for d in error.errors()]) from None


class ImageReference(RequestModel):
    """An input image of a JSON edit (the spec's `ImageRefParam`): a URL or a data URL, or a File's id."""

    model_config = ConfigDict(extra="forbid")

    image_url: Text | None = None
    file_id: Text | None = None


class ImageEditJSONRequest(ImageEditOptions):
    """`POST /v1/images/edits` as JSON (the spec's `EditImageBodyJsonParam`): an edit's options, the input images
    and the mask referenced where a form uploads them, and the JSON numbers a form spells as text."""

    model: str | None = DEFAULT_JSON_EDIT_MODEL
    images: list[ImageReference]
    mask: ImageReference | None = None
    moderation: str | None = None
    n: Integer | None = None
    output_compression: Integer | None = None
    partial_images: Integer | None = None
    frame_count: Integer | None = None
    frame_duration_ms: Integer | None = None

    @field_validator("model")
    @classmethod
    def _default_model(cls, model: str | None) -> str:
        return model or DEFAULT_JSON_EDIT_MODEL  # an explicit null is the default too

    def edit_options(self) -> ImageEditOptions:
        """The options as a multipart edit has them: one edit makes one picture however its images came."""
        return ImageEditOptions.model_validate(self.model_dump(include=set(ImageEditOptions.model_fields)))


# An input image as the edit has it: its bytes, or (JSON edits) the URL of one the mock does not fetch.
InputImage = bytes | str


class EditUploads(NamedTuple):
    """What an edit takes besides its options: the input images as read (None: a URL not fetched; the first is the
    picture edited, the others are references), the mask as given and as read, the markup, and a digest of every
    input image and the mask (part of the seed)."""

    images: tuple[Picture | None, ...]
    mask: InputImage | None = None
    stencil: Picture | None = None
    markup: Picture | None = None
    inputs: str = ""


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


class _Look(NamedTuple):
    """What a GPT image model makes of a request's settings."""

    width: int
    height: int
    quality: str
    background: str
    output_format: str
    frames: int  # 1 but for a GIF
    frame_delay_ms: int  # 0 but for a GIF


def _gpt_image_answer(
    options: CreateImageRequest | ImageEditOptions,
    model: str,
    prompt: str,
    seed: int | str | None,
    uploads: EditUploads | None = None,
) -> dict[str, Any]:
    """What a GPT image model answers: base64 images only, the settings it served, and its token usage."""
    check_length(prompt, "prompt", GPT_IMAGE_PROMPT_LIMIT, minimum=1)
    if options.response_format is not None:
        raise invalid_request("Unknown parameter: 'response_format'.", "response_format", "unknown_parameter")
    n = 1 if options.n is None else options.n
    check_range(n, "n", 1, 10)
    look = _gpt_image_look(options, model, uploads)
    if isinstance(options, CreateImageRequest) and options.moderation is not None:
        check_enum(options.moderation, ("low", "auto"), "moderation")
    fidelity = options.input_fidelity if isinstance(options, ImageEditOptions) else None
    if fidelity is not None:
        _check_input_fidelity(fidelity, model)
    if options.complexity is not None:
        check_enum(options.complexity, tuple(COMPLEXITY_DETAIL), "complexity")
    author = _svg_author(options, look.output_format, n)
    partials = _partial_images(options, n)
    material = _seed_material(options)
    rng = seeded_rng([material, uploads.inputs] if uploads is not None else material, seed)
    detail = COMPLEXITY_DETAIL[options.complexity or "medium"]
    scenes = [scene_for(prompt, rng, detail=detail) for _ in range(n)]
    compression = options.output_compression
    width, height = look.width, look.height
    transparent = look.background == "transparent"
    inputs = _edit_inputs(uploads, fidelity or "low")
    edits = [_edited(scene, look, inputs) for scene in scenes]

    def encoded(png: bytes) -> str:
        return base64.b64encode(raster.encode(png, look.output_format, compression)).decode()

    def picture(scene: Scene, edited: Picture | None) -> bytes:
        if look.output_format == "gif":
            if edited is None:
                return gif.animated_gif(scene, width, height, look.frames, look.frame_delay_ms)
            frames = [edited]  # the edit redone with each frame's sun (frame 0's is the scene's own)
            for frame in range(1, look.frames):
                moved = _edited(gif.frame_scene(scene, frame, look.frames), look, inputs)
                assert moved is not None  # the same inputs as the first frame's
                frames.append(moved)
            return gif.animated_pictures(frames, look.frame_delay_ms)
        if edited is None:
            png = scene.render(width, height, transparent=transparent)
        else:
            png = encode_png(width, height, edited.rows, alpha=edited.color_type == 6)
        # Signed first: a PNG keeps the provenance manifest; JPEG and WebP re-encodings carry no PNG chunk.
        return raster.encode(_signed(png, model), look.output_format, compression)

    def sketch(cells: int) -> bytes:
        if edits[0] is None:
            return scenes[0].sketch(width, height, cells, transparent=transparent)
        return sketch_picture(edits[0], cells)

    text_tokens = count_tokens(prompt, model)
    image_tokens = 0 if uploads is None else _input_image_tokens(uploads, fidelity or "low")
    input_tokens = text_tokens + image_tokens
    per_image = _image_tokens(look.quality, width, height) * look.frames
    answer: dict[str, Any] = {"created": clock.now_seconds()}
    if author is None:
        answer["data"] = [
            {"b64_json": base64.b64encode(picture(scene, edited)).decode()}
            for scene, edited in zip(scenes, edits, strict=True)
        ]
    else:  # the reference image is drawn (and costed) as a PNG; the author writes it as vectors
        layers = None if inputs is None else raster.edit_layers(look.width, look.height, inputs)
        document, answer["svg_usage"] = _svg_answer(scenes[0], look, prompt, *author, layers)
        answer["data"] = [{"b64_json": base64.b64encode(document.encode()).decode()}]
    answer.update(
        background=look.background,
        output_format=look.output_format,
        quality=look.quality,
        size=f"{width}x{height}",
        usage={
            "input_tokens": input_tokens,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
            "output_tokens": per_image * n,
            "total_tokens": input_tokens + per_image * n,
        },
    )
    if options.stream:  # sketches of the one picture, coarse to fine (`stream_events`)
        answer[PARTIALS] = [encoded(sketch(cells)) for cells in PARTIAL_IMAGE_CELLS[:partials]]
    return answer


def _edit_inputs(uploads: EditUploads | None, fidelity: str) -> raster.EditInputs | None:
    """What an edit works from: the first input image, the others read, the markup or mask, the input's share by
    `input_fidelity`. None where there is nothing to edit (a generation; an edit that read no image)."""
    if uploads is None:
        return None
    base, *others = uploads.images
    references = [picture for picture in others if picture is not None]
    if base is None and not references:
        return None
    guide = None
    if uploads.markup is not None:
        guide = raster.EditGuide(uploads.markup, "markup")
    elif uploads.stencil is not None:
        guide = raster.EditGuide(uploads.stencil, "mask")
    return raster.EditInputs(base, guide, references, INPUT_KEPT[fidelity])


def _edited(scene: Scene, look: _Look, inputs: raster.EditInputs | None) -> Picture | None:
    """An edit's picture (a GIF's frame): its first input image edited with the prompt's scene, the other images
    set in. None where there is nothing to edit, and for an SVG answer, which is layered (`raster.edit_layers`)."""
    if inputs is None or look.output_format == "svg":
        return None
    return raster.compose_edit(scene, look.width, look.height, inputs, transparent=look.background == "transparent")


def _check_input_fidelity(fidelity: str, model: str) -> None:
    """`input_fidelity`: `high` or `low`; gpt-image-1-mini reads its inputs at low fidelity only, gpt-image-2
    (and its snapshot) takes no `input_fidelity` at all."""
    check_enum(fidelity, tuple(INPUT_KEPT), "input_fidelity")
    if _NO_INPUT_FIDELITY.fullmatch(model):
        raise invalid_request(
            f"input_fidelity is not supported with the model '{model}'; omit it.",
            "input_fidelity",
            "unsupported_parameter",
        )
    spec = model_spec(model)
    if fidelity == "high" and spec is not None and spec.family == "gpt-image-mini":
        raise invalid_request(
            f"Unsupported value: 'input_fidelity' does not support 'high' with the model '{model}'. Supported values "
            "are: 'low'.",
            "input_fidelity",
            "unsupported_value",
        )


def _input_image_tokens(uploads: EditUploads, fidelity: str) -> int:
    """What a GPT image model bills for reading an edit's input images (`GPT_IMAGE_INPUT_TILES`, plus the extra
    tokens of high input fidelity); a URL the mock does not fetch counts as `UNFETCHED_IMAGE_SIZE`."""
    total = 0
    for picture in uploads.images:
        width, height = UNFETCHED_IMAGE_SIZE if picture is None else (picture.width, picture.height)
        total += _tile_tokens(width, height, GPT_IMAGE_INPUT_TILES)
        if fidelity == "high":
            total += HIGH_FIDELITY_TOKENS["square" if width == height else "other"]
    return total


def _gpt_image_look(options: CreateImageRequest | ImageEditOptions, model: str, uploads: EditUploads | None) -> _Look:
    """The settings checked against the model and against each other, as the model serves them."""
    output_format = options.output_format or "png"
    check_enum(output_format, OUTPUT_FORMATS, "output_format")
    first = uploads.images[0] if uploads is not None and uploads.images else None
    width, height = _gpt_image_size(model, options.size, output_format, first)
    quality = options.quality or "auto"
    check_enum(quality, GPT_IMAGE_2_5_QUALITIES if _GPT_IMAGE_2_5.fullmatch(model) else GPT_IMAGE_QUALITIES, "quality")
    background = options.background or "auto"
    check_enum(background, ("transparent", "opaque", "auto"), "background")
    if background == "transparent" and output_format not in ("png", "webp"):
        raise invalid_request(
            f"Transparent background is not supported for the '{output_format}' output format. Use 'png' or 'webp'.",
            "background",
            "invalid_value",
        )
    _check_compression(options.output_compression, output_format)
    _check_still_only(options, output_format, uploads)
    frames, delay = _gif_frames(options, output_format)
    return _Look(
        width,
        height,
        "high" if quality == "auto" else quality,
        "opaque" if background == "auto" else background,
        output_format,
        frames,
        delay,
    )


def _gpt_image_size(model: str, size: str | None, output_format: str, first: Picture | None) -> tuple[int, int]:
    """Width and height: a standard size, `auto`, or any WIDTHxHEIGHT the model takes. `auto` is 1024x1024, or
    for an edit the standard size whose shape is nearest the first input image's (a GIF's stays square: the
    others exceed its size limit)."""
    requested = size or "auto"
    if requested == "auto":
        width = height = 1024
        if first is not None and output_format != "gif":
            width, height = _nearest_standard_size(first.width, first.height)
    elif requested in GPT_IMAGE_SIZES or not takes_free_size(model):
        check_enum(requested, GPT_IMAGE_SIZES, "size")
        width, height = (int(part) for part in requested.split("x"))
    else:
        width, height = free_size(requested, "size")
    if output_format == "gif" and max(width, height) > GIF_MAX_EDGE:
        raise invalid_request(
            f"Invalid size '{requested}' for GIF output: width and height must be at most {GIF_MAX_EDGE} pixels.",
            "size",
            "invalid_value",
        )
    return width, height


def _nearest_standard_size(width: int, height: int) -> tuple[int, int]:
    """The standard size (square, landscape, portrait) whose aspect ratio is nearest (by its logarithm) to
    width:height; a tie keeps the square."""
    standard = [(1024, 1024), (1536, 1024), (1024, 1536)]
    return min(standard, key=lambda size: abs(math.log(size[0] / size[1] * height / width)))


def takes_free_size(model: str) -> bool:
    """Whether `model` draws at any WIDTHxHEIGHT (within `free_size`'s rules), not only the standard sizes."""
    return _FREE_SIZES.fullmatch(model) is not None


def free_size(requested: str, param: str) -> tuple[int, int]:
    """The width and height of a WIDTHxHEIGHT a free-size model takes, or a 400 naming `param` and the rule broken."""
    shape = re.fullmatch(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})", requested)
    if shape is None:
        problem = "expected 'auto' or WIDTHxHEIGHT, for example '1536x864'"
    else:
        width, height = int(shape[1]), int(shape[2])
        pixels = width * height
        if width % 16 or height % 16:
            problem = "width and height must both be divisible by 16"
        elif max(width, height) > 3 * min(width, height):
            problem = "the aspect ratio must be between 1:3 and 3:1"
        elif max(width, height) > FREE_SIZE_MAX_EDGE or pixels > FREE_SIZE_PIXELS[1]:
            problem = f"the largest size is 3840x2160 (at most {FREE_SIZE_MAX_EDGE} pixels a side)"
        elif pixels < FREE_SIZE_PIXELS[0]:
            problem = f"the image must have at least {FREE_SIZE_PIXELS[0]:,} pixels"
        else:
            return width, height
    raise invalid_request(f"Invalid size '{requested}': {problem}.", param, "invalid_value")


def _image_tokens(quality: str, width: int, height: int) -> int:
    return math.ceil(SQUARE_IMAGE_TOKENS[quality] * width * height / (1024 * 1024))


def _check_compression(compression: int | None, output_format: str) -> None:
    if compression is None:
        return
    check_range(compression, "output_compression", 0, 100)
    if output_format == "png":
        raise invalid_request(
            "Compression less than 100 is not supported for PNG output format.", "output_compression", "invalid_value"
        )
    if output_format in ("gif", "svg"):
        raise invalid_request(
            f"output_compression is not supported for the '{output_format}' output format.",
            "output_compression",
            "unsupported_value",
        )


def _check_still_only(
    options: CreateImageRequest | ImageEditOptions, output_format: str, uploads: EditUploads | None
) -> None:
    """GIF and SVG answers are whole files: no stream, no partial images, no markup; a GIF takes no mask either."""
    if output_format not in ("gif", "svg"):
        return
    if options.stream:
        raise invalid_request(
            f"Streaming is not supported for the '{output_format}' output format.", "stream", "unsupported_value"
        )
    if options.partial_images is not None:
        raise invalid_request(
            f"partial_images is not supported for the '{output_format}' output format.",
            "partial_images",
            "unsupported_value",
        )
    if uploads is not None and uploads.mask is not None and output_format == "gif":
        raise invalid_request("A mask is not supported for the 'gif' output format.", "mask", "unsupported_value")
    if uploads is not None and uploads.markup is not None:
        raise invalid_request(
            f"markup is not supported for the '{output_format}' output format.", "markup", "unsupported_value"
        )


def _gif_frames(options: CreateImageRequest | ImageEditOptions, output_format: str) -> tuple[int, int]:
    """A GIF's frame count and per-frame delay (ms); (1, 0) for any other format, which takes neither."""
    if output_format != "gif":
        for name in ("frame_count", "frame_duration_ms"):
            if getattr(options, name) is not None:
                raise invalid_request(f"{name} is only supported with output_format=gif.", name, "unsupported_value")
        return 1, 0
    frames = DEFAULT_GIF_FRAMES if options.frame_count is None else options.frame_count
    check_range(frames, "frame_count", *GIF_FRAMES)
    duration = DEFAULT_FRAME_DURATION_MS if options.frame_duration_ms is None else options.frame_duration_ms
    check_range(duration, "frame_duration_ms", 1)
    return frames, gif.frame_delay_ms(duration)


def _svg_author(options: CreateImageRequest | ImageEditOptions, output_format: str, n: int) -> tuple[str, str] | None:
    """The model that writes an SVG answer and its reasoning effort; None for any other format (which takes no
    `svg`)."""
    svg = options.svg
    if output_format != "svg":
        if svg is not None:
            raise invalid_request("svg is only supported with output_format=svg.", "svg", "unsupported_value")
        return None
    if n != 1:
        raise invalid_request("SVG output is only supported with n=1.", "n", "unsupported_value")
    author = DEFAULT_SVG_AUTHOR if svg is None else svg.model
    spec = model_spec(author)
    if spec is None or spec.kind not in _SVG_AUTHOR_KINDS:
        raise invalid_request(
            f"Invalid value for 'svg.model': '{author}' is not a text model that can author SVG.",
            "svg.model",
            "invalid_value",
        )
    effort = svg.reasoning.effort if svg is not None and svg.reasoning is not None else None
    check_reasoning_effort(effort, spec, "svg.reasoning.effort")
    if not spec.reasoning and effort not in (None, "none"):
        raise invalid_request(
            f"Unsupported value: 'svg.reasoning.effort' does not support '{effort}' with this model. Supported "
            "values are: 'none'.",
            "svg.reasoning.effort",
            "unsupported_value",
        )
    return author, effort or ("medium" if spec.reasoning else "none")


def _svg_answer(
    scene: Scene, look: _Look, prompt: str, author: str, effort: str, edit: raster.EditLayers | None
) -> tuple[str, dict[str, Any]]:
    """The SVG document and what authoring it cost: the author reads the prompt and the reference image, reasons
    per element of the scene, and writes the document (an edit's embedded input images are attached, not
    written)."""
    document = svg_document(scene, look.width, look.height, prompt, effort, edit)
    reasoning = SVG_REASONING_TOKENS[effort] * (len(scene.shapes) + 1)
    input_tokens = count_tokens(prompt, author) + _tile_tokens(look.width, look.height, TEXT_MODEL_TILES)
    output_tokens = count_tokens(authored_text(document), author) + reasoning
    usage = {
        "input_tokens": input_tokens,
        "model": author,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning,
        "total_tokens": input_tokens + output_tokens,
    }
    return document, usage


def _tile_tokens(width: int, height: int, rule: TileRule) -> int:
    """The tokens of an image read by `rule` (see `TileRule`)."""
    scale = min(1.0, 2048 / max(width, height))
    scale *= min(1.0, rule.short_side / (min(width, height) * scale))
    tiles = math.ceil(int(width * scale) / 512) * math.ceil(int(height * scale) / 512)
    return rule.base + rule.per_tile * max(1, tiles)


def _seed_material(options: BaseModel) -> dict[str, Any]:
    """The request as the picture's seed: what changes the layout. A GIF or an SVG draws the scene of the same
    request without an `output_format` (a PNG), a transparent background the scene of the same request without a
    `background` (its sky left out)."""
    material = options.model_dump(exclude=_NOT_SEEDING)
    if material.get("output_format") in ("gif", "svg"):
        material["output_format"] = None
    if material.get("background") == "transparent":
        material["background"] = None
    return material


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
    rng = seeded_rng(_seed_material(request), seed)
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


def rate_limited_tokens(answer: dict[str, Any]) -> int:
    """The tokens an answer counts against the token rate limit: all its `usage` reports (the prompt, the input
    images read, the images made), as a chat completion's; 0 for a dall-e model's (billed per image, no usage). An
    SVG's `svg_usage` is its author's, a text model's, and not counted here."""
    usage = answer.get("usage")
    return 0 if usage is None else int(usage["total_tokens"])


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
    """A dall-e-2 `image` (an edit's, a variation's): a valid square PNG under 4 MB, or OpenAI's 400."""
    picture = _read_png(data, param)
    if picture.width != picture.height:
        raise invalid_request(
            f"Uploaded {param} must be square: got {picture.width}x{picture.height}.", param, "invalid_image_size"
        )
    return picture


def _read_png(data: bytes, param: str) -> Picture:
    """A PNG upload under 4 MB (a dall-e-2 image, a mask, a markup), of any kind (`raster.decode_upload`)."""
    if len(data) >= MAX_UPLOAD_BYTES or not data.startswith(PNG_SIGNATURE):
        raise invalid_request(f"Uploaded {param} must be a PNG and less than 4 MB.", param, "invalid_image_format")
    try:
        return raster.decode_upload(data, "image/png")
    except InvalidImage as error:
        raise invalid_request(
            f"Invalid input {param} - could not decode the PNG: {error}.", param, "invalid_image"
        ) from None


def read_input_image(data: bytes, param: str) -> Picture:
    """A GPT image model's input image: a PNG (of any kind), JPEG or WebP of any shape under 50 MB, or OpenAI's 400
    (`raster.decode_upload`: a JPEG or WebP turned upright by its EXIF orientation)."""
    if len(data) >= MAX_INPUT_IMAGE_BYTES:
        raise invalid_request(
            f"Invalid file '{param}': the image is {len(data) / 1024 / 1024:.1f} MB; input images must be less "
            "than 50 MB.",
            param,
            "image_too_large",
        )
    kind = _media_type(data)
    if kind not in INPUT_IMAGE_TYPES:
        raise invalid_request(
            f"Invalid file '{param}': unsupported mimetype ('{kind}'). Supported file formats are 'image/jpeg', "
            "'image/png', and 'image/webp'.",
            param,
            "unsupported_file_mimetype",
        )
    try:
        return raster.decode_upload(data, kind)
    except InvalidImage as error:
        raise invalid_request(
            f"Invalid input {param} - could not decode the {kind.removeprefix('image/').upper()}: {error}.",
            param,
            "invalid_image",
        ) from None


def _check_markup(markup: bytes, picture: Picture, mask: InputImage | None, model: str) -> Picture:
    """A markup, read: GPT Image 2.5 only, never with a mask, a PNG of the image's dimensions with transparent
    pixels."""
    if not _GPT_IMAGE_2_5.fullmatch(model):
        raise invalid_request(
            f"markup is not supported with the model '{model}'; it is supported for GPT Image 2.5 models.",
            "markup",
            "unsupported_value",
        )
    if mask is not None:
        raise invalid_request("markup cannot be combined with mask.", "markup", "unsupported_value")
    drawn = _read_png(markup, "markup")
    if (drawn.width, drawn.height) != (picture.width, picture.height):
        raise invalid_request(
            "Invalid markup image - image and markup must have the same dimensions.", "markup", "invalid_image_size"
        )
    if not _has_transparency(drawn):
        raise invalid_request(
            "Invalid markup image - the markup must contain transparent pixels.", "markup", "invalid_image_format"
        )
    return drawn


def _has_transparency(picture: Picture) -> bool:
    """Whether any pixel is less than opaque (read from the rows' alpha bytes, not pixel by pixel)."""
    if picture.color_type in (4, 6):
        step = 2 if picture.color_type == 4 else 4
        return any(row[step - 1 :: step].count(255) < picture.width for row in picture.rows)
    if picture.color_type == 3:
        clear = {index for index, alpha in enumerate(picture.palette_alpha) if alpha < 255}
        return bool(clear) and any(not clear.isdisjoint(row) for row in picture.rows)
    return False


def _require_alpha(picture: Picture, param: str) -> None:
    if picture.mode not in _UPLOAD_MODES:
        raise invalid_request(
            f"Invalid input {param} - format must be in {list(_UPLOAD_MODES)}, got {picture.mode}.",
            param,
            "invalid_image_format",
        )


def create_image_edit(
    options: ImageEditOptions,
    images: Sequence[bytes],
    mask: bytes | None,
    seed: int | str | None,
    markup: bytes | None = None,
) -> dict[str, Any]:
    """A multipart edit: the uploaded image(s), and the mask or the markup."""
    model = _image_model(options.model, ("dall-e-2",), gpt_image=True)
    if is_gpt_image(model):
        check_max_items(images, MAX_EDIT_IMAGES, "image")
        return _gpt_image_edit(options, model, images, mask, markup, seed, lambda _: "image")
    _refuse_gpt_image_options(options)
    if markup is not None:
        raise invalid_request(
            "Unknown parameter: 'markup'. It is only supported for GPT Image 2.5 models.", "markup", "unknown_parameter"
        )
    if options.quality is not None:
        raise invalid_request("Unknown parameter: 'quality'.", "quality", "unknown_parameter")
    if len(images) != 1:
        raise invalid_request(
            f"dall-e-2 edits take exactly one image, but {len(images)} were uploaded.", "image", "invalid_value"
        )
    check_length(options.prompt, "prompt", PROMPT_LIMITS[model], minimum=1)
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    image = images[0]
    picture = read_upload(image, "image")
    if mask is None:
        _require_alpha(picture, "image")  # the image's own transparency is the mask
        stencil = picture
    else:
        stencil = _read_mask(mask, picture)
    colours, clear = sample_cells(picture), sample_cells(stencil)
    material = [_seed_material(options), hashlib.sha256(image + (mask or b"")).hexdigest()]
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


def create_image_edit_by_reference(
    tenant: str, request: ImageEditJSONRequest, seed: int | str | None
) -> dict[str, Any]:
    """A JSON edit (GPT image models only): each referenced image and the mask read and checked as an upload is.
    An `https://` image is not fetched: its URL stands for it in the seed, and where no input image was read the
    edit renders the prompt's scene as a generation does (docs/images.md)."""
    model = request.model or DEFAULT_JSON_EDIT_MODEL
    if model_spec(model) is not None and not is_gpt_image(model):
        raise invalid_request(
            f"Invalid value for 'model': JSON image edits support GPT image models only; '{model}' edits need a "
            "multipart upload.",
            "model",
            "invalid_value",
        )
    model = _image_model(model, (), gpt_image=True)  # 404 for a model the catalogue lacks
    if not request.images:
        raise invalid_request(
            "Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "images",
            "empty_array",
        )
    check_max_items(request.images, MAX_EDIT_IMAGES, "images")
    if request.moderation is not None:
        check_enum(request.moderation, ("low", "auto"), "moderation")
    images = [
        _referenced_image(tenant, reference, f"images[{index}]") for index, reference in enumerate(request.images)
    ]
    mask = None if request.mask is None else _referenced_image(tenant, request.mask, "mask")
    return _gpt_image_edit(request.edit_options(), model, images, mask, None, seed, lambda index: f"images[{index}]")


def _gpt_image_edit(
    options: ImageEditOptions,
    model: str,
    images: Sequence[InputImage],
    mask: InputImage | None,
    markup: bytes | None,
    seed: int | str | None,
    image_param: Callable[[int], str],
) -> dict[str, Any]:
    """A GPT image model's edit: up to 16 images read and checked (`image_param` names the i-th), the markup or the
    mask checked against the first; the answer edits the first with the prompt's scene (seeded by the images and the
    mask) and sets the others in (`_edited`)."""
    pictures = tuple(
        read_input_image(image, image_param(index)) if isinstance(image, bytes) else None
        for index, image in enumerate(images)
    )
    first = pictures[0] if pictures else None
    drawn = None
    if markup is not None:
        assert first is not None  # a markup comes with a multipart edit, whose images are all uploaded
        drawn = _check_markup(markup, first, mask, model)
    stencil = _read_mask(mask, first) if isinstance(mask, bytes) else None
    digest = hashlib.sha256()
    for given in (*images, mask):
        if given is not None:
            digest.update(hashlib.sha256(given if isinstance(given, bytes) else given.encode()).digest())
    uploads = EditUploads(pictures, mask, stencil, drawn, digest.hexdigest())
    return _gpt_image_answer(options, model, options.prompt, seed, uploads)


def _read_mask(mask: bytes, picture: Picture | None) -> Picture:
    """A mask: a PNG upload with an alpha channel, of the (first) image's dimensions where that image was read."""
    stencil = _read_png(mask, "mask")
    _require_alpha(stencil, "mask")
    if picture is not None and (stencil.width, stencil.height) != (picture.width, picture.height):
        raise invalid_request(
            "Invalid mask image - image and mask must have the same dimensions.", "mask", "invalid_image_size"
        )
    return stencil


def _referenced_image(tenant: str, reference: ImageReference, param: str) -> InputImage:
    """A referenced image's bytes (an uploaded File's, a data URL's), or the URL of one the mock does not fetch."""
    given = [name for name in ("image_url", "file_id") if getattr(reference, name) is not None]
    if len(given) != 1:
        raise invalid_request(f"Provide exactly one of 'image_url' or 'file_id' in '{param}'.", param, "invalid_value")
    if reference.file_id is not None:
        return files.read_file_bytes(tenant, reference.file_id, f"{param}.file_id")
    url = str(reference.image_url)
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        try:
            return base64.b64decode(payload, validate=True) if header.endswith(";base64") else payload.encode()
        except (binascii.Error, ValueError):
            raise invalid_request(
                f"Invalid '{param}.image_url': the data URL is not valid base64.", f"{param}.image_url", "invalid_value"
            ) from None
    if not url.startswith(("https://", "http://")):
        raise invalid_request(
            f"Invalid '{param}.image_url': expected a URL or a base64-encoded data URL.",
            f"{param}.image_url",
            "invalid_value",
        )
    return url


def create_image_variation(options: ImageVariationOptions, image: bytes, seed: int | str | None) -> dict[str, Any]:
    model = _image_model(options.model, ("dall-e-2",))
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    colours = sample_cells(read_upload(image, "image"))
    rng = seeded_rng([_seed_material(options), hashlib.sha256(image).hexdigest()], seed)
    data = []
    for _ in range(n):
        shift = rng.uniform(-0.06, 0.06)  # each variation drifts its hues a little, the layout stays
        grid = [[jitter(colour, rng, shift) for colour in row] for row in colours]
        data.append(_image_object(render_mosaic(grid, size), response_format, model))
    return {"created": clock.now_seconds(), "data": data}
