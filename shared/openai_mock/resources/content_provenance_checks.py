"""Content provenance checks (`POST /v1/content_provenance_checks`): does an uploaded image or audio file carry
OpenAI's provenance signals? Here: the signed manifest the mock puts in every image it generates
(`generation/provenance.py`). No state: any key recognises any deployment's images signed with the same secret,
as the real check recognises OpenAI's content whoever generated it."""

from __future__ import annotations

from typing import Any

from openai_mock import clock
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.generation.provenance import media_kind, read_provenance
from openai_mock.settings import get_settings

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def check(data: bytes | None) -> dict[str, Any]:
    if data is None:
        raise invalid_request("Missing required parameter: 'file'.", "file", "missing_required_parameter")
    if len(data) > MAX_UPLOAD_BYTES:
        raise OpenAIError(
            413,
            f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded ({len(data)} bytes read)",
            param="file",
            code="request_too_large",
        )
    kind = media_kind(data)
    if kind is None:
        raise invalid_request(
            "Invalid file format. Supported formats: image (PNG, JPEG, WebP, GIF) and audio (WAV, MP3, OGG, FLAC, "
            "M4A, WebM).",
            "file",
            "invalid_file_format",
        )
    synthid = {"type": "synthid", "outcome": "not_detected", "model": None, "generated_at": None}
    results: list[dict[str, Any]] = []
    if kind == "image":
        found = read_provenance(data, get_settings().provenance_secret.encode())
        results.append(
            {
                "type": "c2pa",
                "outcome": "not_detected" if found.state == "not_present" else "detected",
                "validation_state": found.state,
                "issuer": found.issuer,
                "model": found.model,
                "generated_at": None,
            }
        )
    results.append(synthid)
    return {"object": "content_provenance_check", "created_at": clock.now_seconds(), "results": results}
