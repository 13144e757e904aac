"""GPT image edits of JPEG and WebP photos (decoded by Pillow, upright by their EXIF orientation, of any shape, up
to 50 MB; PNGs still by the layer's decoder), dall-e-2 kept to square PNGs under 4 MB, GIF and SVG edits made from
the input, and `input_fidelity` where the model takes it. Every answer is read through the official SDK and held
strictly to its `ImagesResponse`."""

from __future__ import annotations

import base64
import io
import random
import struct
import xml.etree.ElementTree as ElementTree
import zlib
from typing import Any

import httpx
import openai
import pytest
from openai.types import ImagesResponse
from PIL import Image

from openai_mock.errors import OpenAIError
from openai_mock.generation import raster
from openai_mock.generation.png import Picture, decode_png, encode_png
from openai_mock.generation.svg import authored_text
from openai_mock.generation.tokens import count_tokens
from openai_mock.resources import images
from tests.support.sdk import held
from tests.support.spec import assert_conforms

PROMPT = "a lighthouse on the rocks at dusk"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ORANGE, TEAL = (240, 120, 10), (10, 150, 150)
EXIF_ORIENTATION = 0x0112


def _halves(width: int, height: int) -> Image.Image:
    """A photo whose left half is orange and right half teal."""
    photo = Image.new("RGB", (width, height), TEAL)
    photo.paste(ORANGE, (0, 0, width // 2, height))
    return photo


def _jpeg(photo: Image.Image, orientation: int | None = None) -> bytes:
    out, exif = io.BytesIO(), Image.Exif()
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    photo.save(out, format="JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def _webp(photo: Image.Image) -> bytes:
    out = io.BytesIO()
    photo.save(out, format="WEBP", lossless=True)
    return out.getvalue()


def _mask(width: int, height: int, clear_top: bool = True) -> bytes:
    """A mask whose top half is fully transparent (the edit paints there) and bottom half opaque."""
    rows = [
        (b"\x00\x00\x00\x00" if y < height // 2 and clear_top else b"\x00\x00\x00\xff") * width for y in range(height)
    ]
    return encode_png(width, height, rows, alpha=True)


def _edit(client: openai.OpenAI, image: bytes | list[bytes], **options: Any) -> dict[str, Any]:
    given = image if isinstance(image, list) else [image]
    uploads = [(f"photo{index}", data, "application/octet-stream") for index, data in enumerate(given)]
    options = {"model": "gpt-image-1.5", **options}
    raw = client.images.with_raw_response.edit(
        image=uploads if len(uploads) > 1 else uploads[0], prompt=PROMPT, **options
    )
    body = held(ImagesResponse, raw)
    if options.get("output_format", "png") in ("png", "jpeg", "webp"):  # the spec's enums predate GIF and SVG
        assert_conforms("POST", "/v1/images/edits", 200, body)
    return body  # type: ignore[no-any-return]


def _refused(client: openai.OpenAI, image: bytes, **options: Any) -> OpenAIError | openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(image=("photo", image, "application/octet-stream"), prompt=PROMPT, **options)
    return refused.value


def _answer(body: dict[str, Any], index: int = 0) -> bytes:
    return base64.b64decode(body["data"][index]["b64_json"])


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=False))


def _padded_png(picture: bytes, size: int) -> bytes:
    """A valid PNG made `size` bytes larger by an ancillary chunk of noise."""
    noise = random.Random(0).randbytes(size)
    chunk = struct.pack(">I", len(noise) + 2) + b"tEXt" + b"c\x00" + noise
    chunk += struct.pack(">I", zlib.crc32(b"tEXtc\x00" + noise))
    return picture[:33] + chunk + picture[33:]


# --------------------------------------------------------------------------- JPEG and WebP inputs


def test_a_jpeg_photo_is_edited_from_its_pixels_at_its_shape(client: openai.OpenAI) -> None:
    photo = _jpeg(_halves(96, 64))
    body = _edit(client, photo, mask=("m.png", _mask(96, 64), "image/png"), quality="low")
    assert body["size"] == "1536x1024"  # size auto: the standard size nearest a 3:2 photo's shape
    edited = decode_png(_answer(body))
    assert (edited.width, edited.height) == (1536, 1024)
    # The mask's opaque bottom half keeps the photo (JPEG-close), its clear top half is the prompt's scene.
    assert _near(edited.pixel(100, 900), ORANGE) and _near(edited.pixel(1400, 900), TEAL)
    assert not _near(edited.pixel(100, 100), ORANGE)
    # Billed as what it is: a 96x64 input read as one tile.
    tiles = images.GPT_IMAGE_INPUT_TILES
    assert body["usage"]["input_tokens_details"]["image_tokens"] == tiles.base + tiles.per_tile


def test_a_webp_input_keeps_its_exact_pixels_where_the_mask_keeps_them(client: openai.OpenAI) -> None:
    body = _edit(client, _webp(_halves(64, 64)), mask=("m.png", _mask(64, 64), "image/png"), quality="low")
    assert body["size"] == "1024x1024"
    edited = decode_png(_answer(body))
    assert edited.pixel(10, 1000)[:3] == ORANGE and edited.pixel(1000, 1000)[:3] == TEAL  # lossless WebP


def test_a_webps_transparent_pixels_show_the_scene_under_them(client: openai.OpenAI) -> None:
    clear = Image.new("RGBA", (64, 64), (*ORANGE, 255))
    clear.paste((0, 0, 0, 0), (0, 0, 64, 32))  # the top half see-through
    body = _edit(client, _webp(clear), input_fidelity="high", quality="low")
    edited = decode_png(_answer(body))
    bottom, top = edited.pixel(512, 900), edited.pixel(512, 100)
    kept = images.INPUT_KEPT["high"]
    assert all(abs(c - round(o * kept)) <= 40 for c, o in zip(bottom[:3], ORANGE, strict=False))
    assert not _near(top, tuple(round(o * kept) for o in ORANGE), 40)  # type: ignore[arg-type]


def test_a_jpegs_exif_orientation_turns_it_upright(client: openai.OpenAI) -> None:
    # Stored 96x64 with orientation 6 (turn 90 degrees clockwise to show): a 64x96 portrait, its orange half on top.
    photo = _jpeg(_halves(96, 64), orientation=6)
    body = _edit(client, photo, mask=("m.png", _mask(64, 96, clear_top=False), "image/png"), quality="low")
    assert body["size"] == "1024x1536"
    edited = decode_png(_answer(body))
    assert _near(edited.pixel(512, 100), ORANGE) and _near(edited.pixel(512, 1400), TEAL)
    # The mask matches the photo as shown, not as stored.
    refused = _refused(client, photo, model="gpt-image-1.5", mask=("m.png", _mask(96, 64), "image/png"))
    assert refused.param == "mask" and "same dimensions" in refused.message


def test_a_json_edit_reads_a_jpeg_data_url(client: openai.OpenAI) -> None:
    photo = "data:image/jpeg;base64," + base64.b64encode(_jpeg(_halves(64, 64))).decode()
    answer = client.post(
        "/images/edits",
        cast_to=httpx.Response,
        body={"prompt": PROMPT, "images": [{"image_url": photo}], "quality": "low", "input_fidelity": "high"},
    ).json()
    ImagesResponse.model_validate(answer, strict=True)
    edited = decode_png(_answer(answer))
    kept = images.INPUT_KEPT["high"]
    assert edited.pixel(10, 512)[0] >= kept * ORANGE[0] - 10  # the photo's orange stays under the blended scene
    with pytest.raises(openai.BadRequestError) as refused:
        client.post(
            "/images/edits",
            cast_to=httpx.Response,
            body={"prompt": PROMPT, "images": [{"image_url": photo}, {"image_url": "data:image/gif;base64,R0lGODlh"}]},
        )
    assert refused.value.param == "images[1]" and refused.value.code == "unsupported_file_mimetype"


def test_a_gpt_image_input_over_4_mb_is_taken_and_dall_e_2_still_refuses_it(client: openai.OpenAI) -> None:
    big = _padded_png(encode_png(32, 32, [b"\x80\x20\x20\xff" * 32] * 32, alpha=True), 4 * 1024 * 1024 + 10)
    assert _edit(client, big, quality="low")["data"]
    refused = _refused(client, big, model="dall-e-2")
    assert refused.param == "image" and "less than 4 MB" in refused.message


def test_an_input_of_50_mb_or_more_is_refused_naming_it() -> None:
    with pytest.raises(OpenAIError) as refused:
        images.read_input_image(b"\xff\xd8\xff\xe0" + bytes(images.MAX_INPUT_IMAGE_BYTES), "images[2]")
    assert (refused.value.param, refused.value.code) == ("images[2]", "image_too_large")


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"GIF89a\x01\x00\x01\x00", "unsupported_file_mimetype", "('image/gif')"),
        (b"BM not an image", "unsupported_file_mimetype", "('application/octet-stream')"),
        (b"\xff\xd8\xff\xe0 a JPEG cut short", "invalid_image", "could not decode the JPEG"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 broken", "invalid_image", "could not decode the WEBP"),
    ],
)
def test_what_a_gpt_image_model_cannot_read_is_a_400_naming_image(
    client: openai.OpenAI, data: bytes, code: str, message: str
) -> None:
    refused = _refused(client, data, model="gpt-image-1.5")
    assert (refused.param, refused.code) == ("image", code)
    assert message in refused.message


def test_dall_e_2_edits_and_variations_stay_png_only(client: openai.OpenAI) -> None:
    photo = _jpeg(_halves(64, 64))
    edit = _refused(client, photo, model="dall-e-2")
    with pytest.raises(openai.BadRequestError) as variation:
        client.images.create_variation(image=("photo.jpg", photo, "image/jpeg"))
    for refused in (edit, variation.value):
        assert refused.param == "image" and "must be a PNG" in refused.message


def test_a_png_input_is_still_read_by_the_layers_decoder(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pillow_reads: list[bytes] = []
    decode_photo = raster.decode_photo

    def counted(data: bytes) -> Picture:
        pillow_reads.append(data)
        return decode_photo(data)

    monkeypatch.setattr(raster, "decode_photo", counted)
    picture = encode_png(64, 64, [bytes((*ORANGE, 255)) * 64] * 64, alpha=True)
    body = _edit(client, picture, quality="low", mask=("m.png", _mask(64, 64), "image/png"))
    assert body["size"] == "1024x1024" and decode_png(_answer(body)).pixel(512, 1000)[:3] == ORANGE
    assert pillow_reads == []
    photo = _jpeg(_halves(64, 64))
    _edit(client, photo, quality="low")
    assert pillow_reads == [photo]


# --------------------------------------------------------------------------- input_fidelity by model


def test_gpt_image_1_mini_reads_inputs_at_low_fidelity_only(client: openai.OpenAI) -> None:
    picture = encode_png(32, 32, [b"\x80\x20\x20\xff" * 32] * 32, alpha=True)
    assert _edit(client, picture, model="gpt-image-1-mini", input_fidelity="low", quality="low")["data"]
    refused = _refused(client, picture, model="gpt-image-1-mini", input_fidelity="high")
    assert (refused.param, refused.code) == ("input_fidelity", "unsupported_value")
    assert _edit(client, picture, model="gpt-image-1.5", input_fidelity="high", quality="low")["data"]


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2-2026-04-21"])
def test_gpt_image_2_takes_no_input_fidelity(client: openai.OpenAI, model: str) -> None:
    picture = encode_png(32, 32, [b"\x80\x20\x20\xff" * 32] * 32, alpha=True)
    for fidelity in ("low", "high"):
        refused = _refused(client, picture, model=model, input_fidelity=fidelity)
        assert refused.param == "input_fidelity"
    assert _edit(client, picture, model=model, quality="low")["data"]


# --------------------------------------------------------------------------- GIF and SVG edits of the input


def test_a_gif_edit_animates_the_sun_over_the_edited_photo(client: openai.OpenAI) -> None:
    photo = _jpeg(_halves(64, 64))
    still = decode_png(_answer(_edit(client, photo, quality="low", size="1024x1024")))
    body = _edit(client, photo, quality="low", size="1024x1024", output_format="gif", frame_count=4)
    with Image.open(io.BytesIO(_answer(body))) as animation:
        frame_count = animation.n_frames  # type: ignore[attr-defined]
        assert (animation.format, frame_count, animation.info["loop"]) == ("GIF", 4, 0)
        frames = []
        for index in range(4):
            animation.seek(index)
            frames.append(animation.convert("RGB"))
    # The first frame is the PNG edit of the same request, in the GIF's palette.
    samples = [(x, y) for y in range(32, 1024, 96) for x in range(32, 1024, 96)]
    assert all(_near(frames[0].getpixel(point), still.pixel(*point), 24) for point in samples)  # type: ignore[arg-type]
    assert len({frame.tobytes() for frame in frames}) == 4  # the sun moves every frame


def test_an_svg_edit_embeds_the_input_under_the_scene(client: openai.OpenAI) -> None:
    photo = _jpeg(_halves(96, 64))
    body = _edit(client, photo, quality="low", output_format="svg", input_fidelity="high")
    document = _answer(body).decode()
    root = ElementTree.fromstring(document)
    assert (root.get("width"), root.get("height")) == ("1536", "1024")
    embedded = root.find(f"{SVG}image[@id='input']")
    assert embedded is not None
    href = embedded.get(XLINK_HREF) or ""
    base = decode_png(base64.b64decode(href.removeprefix("data:image/png;base64,")))
    assert (base.width, base.height) == (1536, 1024)
    assert _near(base.pixel(100, 512), ORANGE) and _near(base.pixel(1400, 512), TEAL)  # the photo, fitted
    scene_again = root.find(f"{SVG}g[@id='edit']/{SVG}use")
    assert scene_again is not None and scene_again.get("opacity") == "0.15"  # high fidelity keeps 85% of the photo
    # The author writes the document, not the embedded photo's data.
    usage = body["svg_usage"]
    written = usage["output_tokens"] - usage["reasoning_tokens"]
    assert written == count_tokens(authored_text(document), usage["model"]) < count_tokens(document[:20000], "gpt-5.5")


def test_an_svg_edit_with_a_mask_paints_the_scene_only_where_it_is_clear(client: openai.OpenAI) -> None:
    photo = _webp(_halves(64, 64))
    document = _answer(
        _edit(client, photo, quality="low", output_format="svg", mask=("m.png", _mask(64, 64), "image/png"))
    )
    root = ElementTree.fromstring(document.decode())
    edit = root.find(f"{SVG}g[@id='edit']")
    assert edit is not None and edit.get("mask") == "url(#editable)"
    layer = root.find(f"{SVG}defs/{SVG}mask[@id='editable']/{SVG}image")
    assert layer is not None
    editable: Picture = decode_png(base64.b64decode((layer.get(XLINK_HREF) or "").split(",", 1)[1]))
    assert editable.pixel(512, 100)[:3] == (255, 255, 255) and editable.pixel(512, 900)[:3] == (0, 0, 0)
