"""Provenance of the mock's own images: a signed manifest in the PNG, and its verification.

Every PNG the Images API answers carries a `tEXt` chunk (keyword `PROVENANCE_KEYWORD`) holding a small JSON
manifest: the issuer, the model, and an HMAC-SHA256 over the model and the image data (the IDAT chunks), keyed
by the deployment's provenance secret. The content provenance check reads it back: a manifest whose signature
matches the pixels is the mock's (`trusted`); one that does not (pixels or manifest changed) is `invalid`; a PNG
without one, or any other file, has no signal. The manifest holds no time, so the same request and seed still
give the same bytes."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import zlib
from typing import Literal, NamedTuple

from openai_mock.generation.png import PNG_SIGNATURE

PROVENANCE_KEYWORD = b"openai-mock:c2pa"
ISSUER = "OpenAI (openai-mock)"


def _chunks(png: bytes) -> list[tuple[int, bytes, bytes]]:
    """(offset, kind, body) of every chunk; ValueError for what is not a well-formed PNG."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, position = [], len(PNG_SIGNATURE)
    while position + 12 <= len(png):
        (length,) = struct.unpack_from(">I", png, position)
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        if len(body) != length:
            raise ValueError("truncated PNG")
        chunks.append((position, kind, body))
        if kind == b"IEND":
            return chunks
        position += 12 + length
    raise ValueError("truncated PNG")


def _signature(model: str, image_data: bytes, secret: bytes) -> str:
    digest = hashlib.sha256(image_data).hexdigest()
    return hmac.new(secret, f"{model}|{digest}".encode(), hashlib.sha256).hexdigest()


def sign_png(png: bytes, model: str, secret: bytes) -> bytes:
    """The PNG with the mock's signed manifest before its IEND chunk."""
    chunks = _chunks(png)
    image_data = b"".join(body for _, kind, body in chunks if kind == b"IDAT")
    manifest = json.dumps(
        {"issuer": ISSUER, "model": model, "signature": _signature(model, image_data, secret)},
        separators=(",", ":"),
    ).encode()
    body = PROVENANCE_KEYWORD + b"\x00" + manifest
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    end = chunks[-1][0]
    return png[:end] + chunk + png[end:]


class Provenance(NamedTuple):
    state: Literal["trusted", "invalid", "not_present"]
    issuer: str | None = None
    model: str | None = None


def read_provenance(png: bytes, secret: bytes) -> Provenance:
    """What the PNG's manifest says, checked against its image data."""
    try:
        chunks = _chunks(png)
    except ValueError:
        return Provenance("not_present")
    image_data = b"".join(body for _, kind, body in chunks if kind == b"IDAT")
    for _, kind, body in chunks:
        keyword, _, text = body.partition(b"\x00")
        if kind != b"tEXt" or keyword != PROVENANCE_KEYWORD:
            continue
        try:
            manifest = json.loads(text)
            model, signature = str(manifest["model"]), str(manifest["signature"])
            issuer = str(manifest.get("issuer") or ISSUER)
        except (ValueError, KeyError, TypeError):
            return Provenance("invalid")
        if hmac.compare_digest(signature, _signature(model, image_data, secret)):
            return Provenance("trusted", issuer, model)
        return Provenance("invalid", issuer, model)
    return Provenance("not_present")


MediaKind = Literal["image", "audio"]


def media_kind(data: bytes) -> MediaKind | None:
    """What an upload is, from its first bytes: an image (PNG, JPEG, WebP, GIF), audio, or neither."""
    if data.startswith((PNG_SIGNATURE, b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return "image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio"
    if data.startswith((b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3")):
        return "audio"
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # MPEG audio / ADTS frame sync
        return "audio"
    if data[4:8] == b"ftyp" and data[8:11] == b"M4A":
        return "audio"
    return None
