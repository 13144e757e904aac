"""Image bytes in the format a GPT image model was asked for: PNG as drawn, or JPEG / WebP re-encoded with Pillow.

Pillow is imported only here and only when a JPEG or WebP is asked for, so the other image answers (and every
other function's cold start) do not pay for it."""

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
