"""Content provenance checks through the official SDK: the images the mock generated (generations, edits,
variations, every model) are recognised by their signed manifest, whoever asks; an image whose pixels or
manifest were changed is `invalid`; other images, and audio, carry no signal; what is neither is refused.
Every answer is checked against the 2026-08-21 contract."""

from __future__ import annotations

import base64
import random
import struct
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from functions.content_provenance_checks import app as provenance_function
from openai_mock import clock
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.synthesis import synthesize
from openai_mock.generation.images import scene_for
from openai_mock.generation.png import PNG_SIGNATURE, decode_png, encode_png
from openai_mock.settings import reset_settings
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
PATH = "/v1/content_provenance_checks"


def _check(client: openai.OpenAI, data: bytes, name: str = "image.png") -> dict[str, Any]:
    before = clock.now_seconds()
    raw = client.content_provenance_checks.with_raw_response.create(file=(name, data, "application/octet-stream"))
    body: dict[str, Any] = raw.http_response.json()
    assert_conforms("POST", PATH, 200, body, spec=SPEC)
    # The check's second, whichever side of a second's boundary the request ended on.
    assert body["object"] == "content_provenance_check" and before <= body["created_at"] <= clock.now_seconds()
    return body


def _c2pa(body: dict[str, Any]) -> dict[str, Any]:
    (result,) = [r for r in body["results"] if r["type"] == "c2pa"]
    return result


def _generated(client: openai.OpenAI, **arguments: Any) -> bytes:
    if not str(arguments.get("model", "")).startswith("gpt-image"):
        arguments = {"response_format": "b64_json", **arguments}  # GPT image models answer base64 only
    result = client.images.generate(prompt="a lighthouse at dawn", **arguments)
    return base64.b64decode(result.data[0].b64_json or "")


def _without_text_chunks(png: bytes) -> bytes:
    out, position = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack_from(">I", png, position)
        if png[position + 4 : position + 8] != b"tEXt":
            out.append(png[position : position + 12 + length])
        position += 12 + length
    return b"".join(out)


@pytest.mark.parametrize(
    "arguments", [{"size": "256x256"}, {"model": "dall-e-3"}, {"model": "gpt-image-1", "size": "1024x1024"}]
)
def test_the_mocks_own_images_are_recognised(client: openai.OpenAI, client_for: Any, arguments: dict[str, Any]) -> None:
    clock.freeze()
    png = _generated(client, **arguments)
    result = _c2pa(_check(client_for("sk-anyone-else"), png))  # provenance is no tenant's secret
    assert result["outcome"] == "detected" and result["validation_state"] == "trusted"
    assert result["model"] == arguments.get("model", "dall-e-2")
    assert result["issuer"] and result["generated_at"] is None
    assert decode_png(png).width > 0  # still a PNG any reader decodes


def test_edits_and_variations_are_signed_too(client: openai.OpenAI) -> None:
    square = scene_for("a blue door", random.Random(1)).render(64, 64)
    rgba = decode_png(square)
    rows = [bytes(v for x in range(64) for v in (*rgba.pixel(x, y)[:3], 0 if x < 32 else 255)) for y in range(64)]
    with_alpha = encode_png(64, 64, rows, alpha=True)
    edit = client.images.edit(image=("a.png", with_alpha, "image/png"), prompt="a moon", response_format="b64_json")
    variation = client.images.create_variation(image=("a.png", with_alpha, "image/png"), response_format="b64_json")
    for result in (edit, variation):
        assert _c2pa(_check(client, base64.b64decode(result.data[0].b64_json or "")))["validation_state"] == "trusted"


def test_tampered_stripped_and_foreign_images(client: openai.OpenAI) -> None:
    png = _generated(client, size="256x256")
    stripped = _without_text_chunks(png)
    assert _c2pa(_check(client, stripped)) == {
        "type": "c2pa",
        "outcome": "not_detected",
        "validation_state": "not_present",
        "issuer": None,
        "model": None,
        "generated_at": None,
    }
    # Other pixels under the same manifest: the signature no longer matches.
    other = _generated(client, size="256x256", extra_headers={"x-mock-seed": "another"})
    (manifest,) = [piece for piece in _raw_chunks(png) if piece[4:8] == b"tEXt"]
    pieces = _raw_chunks(_without_text_chunks(other))
    tampered = PNG_SIGNATURE + b"".join(pieces[:-1]) + manifest + pieces[-1]
    result = _c2pa(_check(client, tampered))
    assert result["outcome"] == "detected" and result["validation_state"] == "invalid"

    foreign = scene_for("a picture from elsewhere", random.Random(9)).render(32, 32)
    assert _c2pa(_check(client, foreign))["outcome"] == "not_detected"
    jpeg = b"\xff\xd8\xff\xe0" + bytes(64)
    assert _c2pa(_check(client, jpeg, "photo.jpg"))["outcome"] == "not_detected"


def _raw_chunks(png: bytes) -> list[bytes]:
    pieces, position = [], len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack_from(">I", png, position)
        pieces.append(png[position : position + 12 + length])
        position += 12 + length
    return pieces


def test_another_secret_does_not_trust_the_signature(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    png = _generated(client, size="256x256")
    monkeypatch.setenv("OPENAI_MOCK_PROVENANCE_SECRET", "another deployment's secret")
    reset_settings()
    assert _c2pa(_check(client, png))["validation_state"] == "invalid"


def test_audio_has_only_a_synthid_result(client: openai.OpenAI) -> None:
    wav = to_wav(synthesize("Hello there.", "alloy"), "Hello there.")
    body = _check(client, wav, "hello.wav")
    assert body["results"] == [{"type": "synthid", "outcome": "not_detected", "model": None, "generated_at": None}]


def test_what_is_neither_image_nor_audio_is_refused(client: openai.OpenAI, http: TestClient) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.content_provenance_checks.create(file=("notes.txt", b"just some text", "text/plain"))
    body = raised.value.body
    assert isinstance(body, dict) and body["param"] == "file" and body["code"] == "invalid_file_format"
    missing = http.post(PATH, files={"other": (None, "x")}, headers={"Authorization": "Bearer sk-test"})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_required_parameter"


def test_through_the_lambda_handler(client: openai.OpenAI) -> None:
    png = _generated(client, size="256x256")
    lambda_sdk = lambda_client(provenance_function.handler, "v2")  # type: ignore[arg-type]
    result = lambda_sdk.content_provenance_checks.create(file=("image.png", png, "image/png"))
    assert result.results[0].outcome == "detected"
