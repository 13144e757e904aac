"""Image bytes in the format a GPT image model was asked for: PNG as drawn, or JPEG / WebP re-encoded with Pillow;
and the composite of an edit guided by a markup (`paint_marked`).

Pillow is imported only here (and in `gif.py`) and only when a JPEG, a WebP or a composite is asked for, so the
other image answers (and every other function's cold start) do not pay for it."""

from __future__ import annotations

import io

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
DEFAULT_COMPRESSION = 100  # the API's default output_compression: as good as the format allows


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


def paint_marked(image: bytes, markup: bytes, scene: bytes) -> bytes:
    """An edit guided by a markup: the `scene` (a PNG) where the markup is drawn (alpha above 0), the uploaded
    `image` (scaled to the scene's size) everywhere else, as a PNG. The markup has the image's dimensions."""
    from PIL import Image

    with Image.open(io.BytesIO(scene)) as drawn, Image.open(io.BytesIO(image)) as kept:
        with Image.open(io.BytesIO(markup)) as marks:
            strokes = marks.convert("RGBA").getchannel("A").point(lambda alpha: 255 if alpha else 0)
            mask = strokes.resize(drawn.size, Image.Resampling.NEAREST)
        edited = Image.composite(drawn.convert("RGB"), kept.convert("RGB").resize(drawn.size), mask)
        out = io.BytesIO()
        edited.save(out, format="PNG")
        return out.getvalue()
