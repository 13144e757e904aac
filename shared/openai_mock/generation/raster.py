"""Image bytes in the format a GPT image model was asked for: PNG as drawn, or JPEG / WebP re-encoded with Pillow;
uploads decoded (`decode_upload`: PNGs by the layer's decoder where it reads them, the rest by Pillow); and a GPT
image model's edit of uploaded pictures (`EditInputs`), in pixels (`compose_edit`) or as layers for an SVG
(`edit_layers`).

Pillow is imported only here (and in `gif.py`) and only when a JPEG, a WebP, a PNG the layer's decoder leaves to it
or an edit is asked for, so the other image answers (and every other function's cold start) do not pay for it."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, NamedTuple

from openai_mock.generation.images import Scene
from openai_mock.generation.png import InvalidImage, Picture, UnsupportedPNG, decode_png, encode_png

if TYPE_CHECKING:
    from PIL import Image as PILImage

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
DEFAULT_COMPRESSION = 100  # the API's default output_compression: as good as the format allows
# The most pixels an upload may decode to: Pillow's own guard against decompression bombs (a guess at the API's
# limit; 50 MB of JPEG or PNG can hold far more).
MAX_DECODED_PIXELS = 89_478_485


def encode(png: bytes, output_format: str, compression: int | None = None) -> bytes:
    """`png` re-encoded as `output_format`; `compression` is the API's 0-100 `output_compression`
    (100 = least compressed, best quality). A PNG is returned as it was drawn."""
    if output_format == "png":
        return png
    from PIL import Image

    quality = DEFAULT_COMPRESSION if compression is None else compression
    with Image.open(io.BytesIO(png)) as picture:
        out = io.BytesIO()
        if output_format == "jpeg":
            picture.convert("RGB").save(out, format="JPEG", quality=max(quality, 1))
        else:  # webp keeps an alpha channel (a transparent background)
            picture.save(out, format="WEBP", quality=quality, lossless=quality == DEFAULT_COMPRESSION)
        return out.getvalue()


# How much of a reference image's side its inset takes of the picture's shorter side, and the margin under it.
REFERENCE_SHARE = 0.25
REFERENCE_MARGIN = 1 / 16


class EditGuide(NamedTuple):
    """Where an edit may paint: a mask (its fully transparent pixels) or a markup (its drawn pixels, alpha above 0).
    Either has the first image's dimensions."""

    picture: Picture
    kind: Literal["mask", "markup"]


class EditInputs(NamedTuple):
    """What an edit works from: the first input image (`base`; None where it was not read), where the edit may paint
    (`guide`; None: everywhere), the other input images (`references`), and the input's share (0 to 1) where the
    scene is blended over it rather than painted."""

    base: Picture | None
    guide: EditGuide | None = None
    references: Sequence[Picture] = ()
    input_kept: float = 1.0


def compose_edit(scene: Scene, width: int, height: int, inputs: EditInputs, *, transparent: bool = False) -> Picture:
    """A GPT image model's edit at `width` x `height`: the first input image (fitted to the size by cropping its
    centre) with the prompt's `scene` painted where the guide allows, or, without a guide, the scene blended over
    all of it (the input's own transparent pixels show the scene). The references are set in along the bottom of
    the painted area. Transparent: the painted area leaves the scene's sky out (alpha 0) and kept areas keep the
    input's alpha; otherwise the picture is opaque RGB. Returned as rows (RGB or RGBA), ready for `encode_png`."""
    from PIL import Image, ImageChops, ImageOps

    base, guide, references, input_kept = inputs
    size = (width, height)
    drawn = Image.frombytes("RGB", size, b"".join(scene.rows(width, height)))
    sky_clear = Image.frombytes("RGBA", size, b"".join(scene.clear_rows(width, height))).getchannel("A")
    scene_alpha = sky_clear if transparent else Image.new("L", size, 255)
    given = drawn.convert("RGBA") if base is None else ImageOps.fit(_pillow(base), size, Image.Resampling.BICUBIC)
    filled = Image.alpha_composite(drawn.convert("RGBA"), given).convert("RGB")  # the input, its holes the scene's
    if guide is None:
        editable = Image.new("L", size, 255)
        colours = Image.blend(filled, drawn, 1.0 - input_kept)
        alpha = scene_alpha
    else:
        editable = ImageOps.fit(_editable(guide), size, Image.Resampling.NEAREST)
        colours = Image.composite(drawn, filled, editable)
        alpha = Image.composite(scene_alpha, given.getchannel("A") if transparent else scene_alpha, editable)
    side, corners = _insets(width, height, len(references))
    for reference, corner in zip(references, corners, strict=True):
        thumb = ImageOps.fit(_pillow(reference), (side, side), Image.Resampling.BICUBIC)
        layer = colours.copy()
        layer.paste(thumb.convert("RGB"), corner)
        placed = Image.new("L", size, 0)
        placed.paste(thumb.getchannel("A"), corner)
        placed = ImageChops.multiply(placed, editable)  # the reference's own shape, only where the edit may paint
        colours = Image.composite(layer, colours, placed)
        alpha = ImageChops.lighter(alpha, placed)
    if transparent:
        colours.putalpha(alpha)
    return _picture_of(colours)


def _insets(width: int, height: int, count: int) -> tuple[int, list[tuple[int, int]]]:
    """Where `count` reference images are set in: the side of each (square) inset and their top-left corners,
    spread along the bottom of the picture."""
    inset = min(width, height) * REFERENCE_SHARE
    side = max(1, round(min(inset, width / (count + 1))))
    top = round(height - side - height * REFERENCE_MARGIN)
    return side, [(round((index + 1) * width / (count + 1) - side / 2), top) for index in range(count)]


class Inset(NamedTuple):
    """A reference image set into an edit: its top-left corner, its side and the fitted image as a PNG."""

    x: int
    y: int
    side: int
    png: bytes


class EditLayers(NamedTuple):
    """An edit as layers rather than pixels (what an SVG edit embeds): the first input image fitted to the
    picture (a PNG, None where it was not read), the area the edit may paint (a PNG, white where it may, black
    elsewhere; None: everywhere), how opaque the prompt's scene is over the input there, and the references."""

    base: bytes | None
    editable: bytes | None
    scene_opacity: float
    insets: tuple[Inset, ...]


def edit_layers(width: int, height: int, inputs: EditInputs) -> EditLayers:
    """`compose_edit`'s inputs fitted and placed as it places them, each encoded as a PNG, left for a renderer to
    stack: the scene, the input over it, then (where the guide allows) the scene again at `scene_opacity` and the
    references. Opaque only: a transparent edit is composed in pixels."""
    from PIL import Image, ImageOps

    base, guide, references, input_kept = inputs
    size = (width, height)
    fitted = None if base is None else ImageOps.fit(_pillow(base), size, Image.Resampling.BICUBIC)
    editable = None
    if guide is not None:
        editable = _png_of(ImageOps.fit(_editable(guide), size, Image.Resampling.NEAREST).convert("RGB"))
    side, corners = _insets(width, height, len(references))
    insets = tuple(
        Inset(x, y, side, _png_of(ImageOps.fit(_pillow(reference), (side, side), Image.Resampling.BICUBIC)))
        for reference, (x, y) in zip(references, corners, strict=True)
    )
    return EditLayers(
        None if fitted is None else _png_of(fitted),
        editable,
        1.0 if guide is not None else 1.0 - input_kept,
        insets,
    )


def _png_of(image: PILImage.Image) -> bytes:
    """A Pillow image as a PNG of the layer's own encoder: RGB where every pixel is opaque, else RGBA."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    picture = _picture_of(image if image.mode in ("RGB", "RGBA") else image.convert("RGBA"))
    return encode_png(picture.width, picture.height, picture.rows, alpha=picture.color_type == 6)


def decode_upload(data: bytes, media_type: str) -> Picture:
    """An uploaded image (`media_type`: image/png, image/jpeg or image/webp, told by its signature) as the layer's
    picture type. A PNG the layer's own decoder reads is read by it (no Pillow, the same picture as ever); an
    interlaced PNG or one of 1, 2 or 4 bits a sample by Pillow (`_decode_png_by_pillow`); a JPEG or WebP by
    `decode_photo`. Raises `InvalidImage` for what neither can read and for more than `MAX_DECODED_PIXELS`."""
    if media_type != "image/png":
        return decode_photo(data)
    try:
        return decode_png(data, MAX_DECODED_PIXELS)
    except UnsupportedPNG as unread:
        return _decode_png_by_pillow(data, unread.color_type)


def decode_photo(data: bytes) -> Picture:
    """A JPEG or WebP upload decoded by Pillow into the layer's picture type: turned upright by its EXIF
    orientation (as a camera's photo is shown), RGB, or RGBA where it has an alpha channel (a WebP's); an animated
    WebP's first frame. Raises `InvalidImage` for what Pillow cannot read, and for a picture of more than
    `MAX_DECODED_PIXELS` (told by its header, before any pixel is decoded)."""
    from PIL import ImageOps

    with _opened(data, ("JPEG", "WEBP"), "WebP" if data[:4] == b"RIFF" else "JPEG") as opened:
        upright = ImageOps.exif_transpose(opened)
        has_alpha = "A" in upright.getbands() or "transparency" in upright.info
        return _picture_of(upright.convert("RGBA" if has_alpha else "RGB"))


def _decode_png_by_pillow(data: bytes, color_type: int) -> Picture:
    """A PNG the layer's decoder leaves to Pillow, read as that decoder reads the others: of its header's colour
    type, 8 bits a sample (fewer bits scaled up, 16 cut to their high byte), a palette's indices with the palette
    and its tRNS alpha (a greyscale or RGB colour key is not applied, as there)."""
    with _opened(data, ("PNG",), "PNG") as opened:
        if color_type == 3:
            return _paletted(opened)
        if color_type == 0 and opened.mode.startswith("I"):  # 16-bit greyscale: keep each sample's high byte
            rows = opened.tobytes("raw", "I;16B")[::2]
            return _rows_of(opened.width, opened.height, 0, rows)
        mode = {0: "L", 2: "RGB", 4: "LA", 6: "RGBA"}[color_type]
        return _rows_of(opened.width, opened.height, color_type, opened.convert(mode).tobytes())


def _paletted(image: PILImage.Image) -> Picture:
    """A palette PNG as palette indices, its palette (RGB) and each entry's alpha (tRNS: given for the first
    entries, or as the one clear entry's index)."""
    flat = image.getpalette() or []
    palette = [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat) - 2, 3)]
    clear = image.info.get("transparency", b"")
    alpha = bytes([255] * clear + [0]) if isinstance(clear, int) else bytes(clear)
    return _rows_of(image.width, image.height, 3, image.tobytes())._replace(palette=palette, palette_alpha=alpha)


def _rows_of(width: int, height: int, color_type: int, data: bytes) -> Picture:
    stride = len(data) // height
    return Picture(width, height, color_type, [data[y * stride : (y + 1) * stride] for y in range(height)])


@contextmanager
def _opened(data: bytes, formats: tuple[str, ...], kind: str) -> Iterator[PILImage.Image]:
    """The upload opened by Pillow as one of `formats` and its pixels loaded; `InvalidImage` (the file named as
    `kind`) for what Pillow cannot read, and for more than `MAX_DECODED_PIXELS` (told by its header, before any
    pixel is decoded)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # too many pixels: refused, not decoded
        try:
            with Image.open(io.BytesIO(data), formats=formats) as opened:
                if opened.width * opened.height > MAX_DECODED_PIXELS:
                    raise InvalidImage(f"{opened.width}x{opened.height} is more than {MAX_DECODED_PIXELS:,} pixels")
                opened.load()
                yield opened
        except InvalidImage:
            raise
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidImage(f"not a readable {kind} file") from None


def _pillow(picture: Picture) -> PILImage.Image:
    """A picture decoded by `png.decode_png`, as a Pillow RGBA image (no second decoding of the upload)."""
    from PIL import Image

    size = (picture.width, picture.height)
    image = Image.frombytes(picture.mode, size, b"".join(picture.rows))
    if picture.color_type == 3:  # palette indices: the palette as RGBA, its tRNS alpha included
        alphas = picture.palette_alpha.ljust(len(picture.palette), b"\xff")
        image.putpalette(
            b"".join(bytes((*rgb, alpha)) for rgb, alpha in zip(picture.palette, alphas, strict=False)), "RGBA"
        )
    return image.convert("RGBA")


def _editable(guide: EditGuide) -> PILImage.Image:
    """255 where the guide lets the edit paint, 0 elsewhere, at the guide's own size."""
    alpha = _pillow(guide.picture).getchannel("A")
    if guide.kind == "mask":
        return alpha.point(lambda value: 255 if value == 0 else 0)
    return alpha.point(lambda value: 255 if value else 0)


def _picture_of(image: PILImage.Image) -> Picture:
    """A Pillow RGB or RGBA image as the rows of a `Picture` (colour type 2 or 6)."""
    data, stride = image.tobytes(), image.width * len(image.mode)
    rows = [data[y * stride : (y + 1) * stride] for y in range(image.height)]
    return Picture(image.width, image.height, 6 if image.mode == "RGBA" else 2, rows)
