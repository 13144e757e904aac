"""Videos (Sora) through the official SDK: a job goes queued → in_progress → completed as the mock clock moves,
its MP4 decodes (PyAV) to the requested size and duration, its thumbnail and sprite sheet are images; remix,
edit, extend, characters, list with pagination, delete; bad input is OpenAI's 400 naming the param and stores
nothing; past the announced shut-down (the `as_of` setting) every route is gone. Every JSON answer is checked
against the 2026-08-21 contract."""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Iterator
from typing import Any

import av
import openai
import pytest
from starlette.testclient import TestClient

from functions.videos import app as videos_function
from openai_mock import clock
from openai_mock.generation.images import scene_for
from openai_mock.generation.webp import webp_size
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
AUTH = {"Authorization": "Bearer sk-test"}
FPS = 24


@pytest.fixture(autouse=True)
def _frozen_clock_and_quiet_deprecations() -> Iterator[None]:
    """Time moves only when a test moves it; the SDK's warnings that Sora is deprecated are expected here."""
    clock.freeze(1_760_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def _completed(client: openai.OpenAI, **create: Any) -> Any:
    video = client.videos.create(**create)
    clock.advance(600)
    done = client.videos.retrieve(video.id)
    assert done.status == "completed"
    return done


def _decode(data: bytes) -> tuple[Any, int]:
    container = av.open(io.BytesIO(data))
    stream = container.streams.video[0]
    frames = sum(1 for _ in container.decode(video=0))
    return stream, frames


def _mp4(client: openai.OpenAI, video_id: str) -> bytes:
    return client.videos.download_content(video_id).read()


def test_create_poll_download_list_delete(client: openai.OpenAI) -> None:
    raw = client.videos.with_raw_response.create(
        prompt="A calico cat playing a piano on stage", model="sora-2", seconds="8", size="1280x720"
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/videos", 200, body, spec=SPEC)
    video = raw.parse()
    assert video.id.startswith("video_") and video.object == "video"
    assert (video.status, video.progress, video.completed_at, video.expires_at) == ("queued", 0, None, None)
    assert (video.model, video.seconds, video.size, video.prompt) == (
        "sora-2",
        "8",
        "1280x720",
        "A calico cat playing a piano on stage",
    )

    clock.advance(20)  # past the queue: rendering, 6 s of render time per second of clip
    rendering = client.videos.retrieve(video.id)
    assert rendering.status == "in_progress" and 0 < rendering.progress < 100
    clock.advance(10)
    assert client.videos.retrieve(video.id).progress > rendering.progress

    # The SDK's poll helper sleeps between polls: here each sleep moves the mock clock.
    client.videos._sleep = clock.advance  # type: ignore[method-assign,assignment]
    done = client.videos.poll(video.id, poll_interval_ms=5000)
    assert done.status == "completed" and done.progress == 100
    assert done.completed_at is not None and done.completed_at >= video.created_at + 5 + 6 * 8
    assert done.expires_at is not None and done.expires_at > done.completed_at
    assert_conforms(
        "GET",
        f"/v1/videos/{video.id}",
        200,
        client.videos.with_raw_response.retrieve(video.id).http_response.json(),
        spec=SPEC,
    )

    content = client.videos.with_raw_response.download_content(video.id)
    assert content.http_response.headers["content-type"] == "video/mp4"
    stream, frames = _decode(content.http_response.content)
    assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 1280, 720)
    assert abs(frames - 8 * FPS) <= 1
    assert float(stream.duration * stream.time_base) == pytest.approx(8, abs=1 / FPS)

    listed = client.videos.with_raw_response.list().http_response.json()
    assert_conforms("GET", "/v1/videos", 200, listed, spec=SPEC)
    assert [item["id"] for item in listed["data"]] == [video.id]

    deleted = client.videos.with_raw_response.delete(video.id).http_response.json()
    assert_conforms("DELETE", f"/v1/videos/{video.id}", 200, deleted, spec=SPEC)
    assert deleted == {"id": video.id, "object": "video.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as raised:
        client.videos.retrieve(video.id)
    assert video.id in _error(raised)["message"] and _error(raised)["param"] == "video_id"
    with pytest.raises(openai.NotFoundError):
        client.videos.download_content(video.id)


@pytest.mark.parametrize(
    ("size", "seconds", "model"),
    [
        ("720x1280", "4", "sora-2"),
        ("1280x720", "12", "sora-2"),
        ("1024x1792", "4", "sora-2-pro"),
        ("1792x1024", "8", "sora-2-pro"),
    ],
)
def test_the_mp4_has_the_requested_size_and_duration(
    client: openai.OpenAI, size: str, seconds: str, model: str
) -> None:
    video = _completed(client, prompt="Waves rolling onto a golden beach", size=size, seconds=seconds, model=model)
    stream, frames = _decode(_mp4(client, video.id))
    width, height = (int(part) for part in size.split("x"))
    assert (stream.width, stream.height) == (width, height)
    assert abs(frames - int(seconds) * FPS) <= 1


def test_defaults_and_pro_takes_longer(client: openai.OpenAI) -> None:
    standard = client.videos.create(prompt="A paper boat on a pond")
    pro = client.videos.create(prompt="A paper boat on a pond", model="sora-2-pro")
    assert (standard.model, standard.seconds, standard.size) == ("sora-2", "4", "720x1280")
    clock.advance(5 + 6 * 4)
    assert client.videos.retrieve(standard.id).status == "completed"
    assert client.videos.retrieve(pro.id).status == "in_progress"


def test_thumbnail_and_spritesheet_are_images(client: openai.OpenAI) -> None:
    video = _completed(client, prompt="A red kite over green hills", size="1280x720", seconds="8")
    for variant, expected in (("thumbnail", (1280, 720)), ("spritesheet", (5 * 256, 2 * 144))):
        raw = client.videos.with_raw_response.download_content(video.id, variant=variant)  # type: ignore[arg-type]
        assert raw.http_response.headers["content-type"] == "image/webp"
        data = raw.http_response.content
        assert webp_size(data) == expected
        frame = next(av.open(io.BytesIO(data)).decode(video=0))
        assert (frame.width, frame.height) == expected
        pixels = frame.to_ndarray(format="rgb24")
        assert len({tuple(pixel) for pixel in pixels.reshape(-1, 3)[::97]}) > 3  # a picture, not a blank


def test_media_follow_the_prompt_deterministically(client: openai.OpenAI) -> None:
    first = _completed(client, prompt="A lighthouse under a purple sky")
    again = _completed(client, prompt="A lighthouse under a purple sky")
    other = _completed(client, prompt="A lighthouse under a green sky")
    assert _mp4(client, first.id) == _mp4(client, again.id)
    assert _mp4(client, first.id) != _mp4(client, other.id)
    thumbnail = client.videos.download_content(first.id, variant="thumbnail").read()
    top = next(av.open(io.BytesIO(thumbnail)).decode(video=0)).to_ndarray(format="rgb24")[2, 2]
    assert top[0] > top[1] and top[2] > top[1]  # the prompt's colour word paints the sky purple


def test_content_before_completion_and_bad_variant(client: openai.OpenAI) -> None:
    video = client.videos.create(prompt="A snail racing a turtle")
    with pytest.raises(openai.NotFoundError) as raised:
        client.videos.download_content(video.id)
    assert _error(raised)["code"] == "video_not_ready"
    with pytest.raises(openai.BadRequestError) as bad:
        client.videos.delete(video.id)  # only completed or failed videos can be deleted
    assert _error(bad)["param"] == "video_id"
    clock.advance(600)
    with pytest.raises(openai.BadRequestError) as raised_variant:
        client.videos.download_content(video.id, variant="poster")  # type: ignore[arg-type]
    assert _error(raised_variant)["param"] == "variant"
    clock.advance(24 * 3600)  # the assets expire a day after completion
    with pytest.raises(openai.NotFoundError) as expired:
        client.videos.download_content(video.id)
    assert _error(expired)["code"] == "video_expired"


def test_list_paginates_newest_first(client: openai.OpenAI, http: TestClient) -> None:
    ids = []
    for n in range(3):
        ids.append(client.videos.create(prompt=f"Scene number {n}").id)
        clock.advance(1)
    page = client.videos.list(limit=2)
    assert [video.id for video in page.data] == [ids[2], ids[1]] and page.has_more
    rest = client.videos.list(limit=2, after=page.data[-1].id)
    assert [video.id for video in rest.data] == [ids[0]] and not rest.has_more
    ascending = _ok(http.get("/v1/videos?order=asc&limit=3", headers=AUTH))
    assert_conforms("GET", "/v1/videos?order=asc&limit=3", 200, ascending, spec=SPEC)
    assert [item["id"] for item in ascending["data"]] == ids
    assert (ascending["first_id"], ascending["last_id"], ascending["has_more"]) == (ids[0], ids[2], False)
    assert client.videos.list(limit=3).data[0].status == "queued"


def test_videos_belong_to_their_key(client: openai.OpenAI, client_for: Any) -> None:
    video = client.videos.create(prompt="A private screening")
    stranger = client_for("sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.videos.retrieve(video.id)
    assert stranger.videos.list().data == []


def test_remix_keeps_the_source_shape(client: openai.OpenAI, http: TestClient) -> None:
    source = _completed(client, prompt="A fox in a snowy forest", size="1792x1024", seconds="8", model="sora-2-pro")
    raw = _ok(http.post(f"/v1/videos/{source.id}/remix", json={"prompt": "The same fox at sunset"}, headers=AUTH))
    assert_conforms("POST", f"/v1/videos/{source.id}/remix", 200, raw, spec=SPEC)
    assert raw["remixed_from_video_id"] == source.id
    assert (raw["model"], raw["size"], raw["seconds"], raw["prompt"]) == (
        "sora-2-pro",
        "1792x1024",
        "8",
        "The same fox at sunset",
    )
    clock.advance(600)
    remix_bytes = _mp4(client, raw["id"])
    assert remix_bytes != _mp4(client, source.id)
    stream, frames = _decode(remix_bytes)
    assert (stream.width, stream.height, frames) == (1792, 1024, 8 * FPS)

    pending = client.videos.create(prompt="Still rendering")
    with pytest.raises(openai.BadRequestError) as raised:
        client.videos.remix(pending.id, prompt="Too soon")
    assert _error(raised)["param"] == "video_id" and _error(raised)["code"] == "video_not_ready"
    with pytest.raises(openai.NotFoundError):
        client.videos.remix("video_missing", prompt="Nothing to remix")


def test_extension_is_the_stitched_total(client: openai.OpenAI, http: TestClient) -> None:
    source = _completed(client, prompt="A hot air balloon rising", size="1280x720", seconds="8")
    raw = _ok(
        http.post(
            "/v1/videos/extensions",
            json={"video": {"id": source.id}, "prompt": "It drifts over the mountains", "seconds": "16"},
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/videos/extensions", 200, raw, spec=SPEC)
    assert (raw["seconds"], raw["size"], raw["model"]) == ("24", "1280x720", "sora-2")
    clock.advance(600)
    stream, frames = _decode(_mp4(client, raw["id"]))
    assert (stream.width, stream.height) == (1280, 720) and abs(frames - 24 * FPS) <= 1

    # An uploaded MP4 (what the SDK sends as a file) extends too.
    uploaded = client.videos.extend(
        video=("clip.mp4", _mp4(client, source.id), "video/mp4"), prompt="Then it lands", seconds="4"
    )
    assert (uploaded.seconds, uploaded.size) == ("12", "1280x720")
    refused = http.post(
        "/v1/videos/extensions", json={"video": {"id": source.id}, "prompt": "x", "seconds": "6"}, headers=AUTH
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "seconds"
    missing = http.post("/v1/videos/extensions", json={"video": {"id": source.id}, "prompt": "x"}, headers=AUTH)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_required_parameter"


def test_edit_from_a_job_or_an_upload(client: openai.OpenAI, http: TestClient) -> None:
    source = _completed(client, prompt="A quiet street at noon", size="720x1280")
    raw = _ok(
        http.post("/v1/videos/edits", json={"video": {"id": source.id}, "prompt": "Add falling snow"}, headers=AUTH)
    )
    assert_conforms("POST", "/v1/videos/edits", 200, raw, spec=SPEC)
    assert (raw["size"], raw["seconds"], raw["prompt"], raw["remixed_from_video_id"]) == (
        "720x1280",
        "4",
        "Add falling snow",
        None,
    )
    edited = client.videos.edit(video=("street.mp4", _mp4(client, source.id), "video/mp4"), prompt="Make it night")
    assert (edited.size, edited.seconds) == ("720x1280", "4")
    with pytest.raises(openai.BadRequestError) as raised:
        client.videos.edit(video=("notes.mp4", b"not a video at all", "video/mp4"), prompt="Nothing")
    assert _error(raised)["param"] == "video"


def test_characters(client: openai.OpenAI, http: TestClient) -> None:
    clip = _mp4(client, _completed(client, prompt="A tabby cat looking at the camera").id)
    raw = client.videos.with_raw_response.create_character(name="Mossy", video=("mossy.mp4", clip, "video/mp4"))
    created = raw.http_response.json()
    assert_conforms("POST", "/v1/videos/characters", 200, created, spec=SPEC)
    assert created["id"].startswith("char_") and created["name"] == "Mossy"
    fetched = _ok(http.get(f"/v1/videos/characters/{created['id']}", headers=AUTH))
    assert_conforms("GET", f"/v1/videos/characters/{created['id']}", 200, fetched, spec=SPEC)
    assert fetched == created
    assert client.videos.get_character(created["id"]).name == "Mossy"
    with pytest.raises(openai.NotFoundError):
        client.videos.get_character("char_missing")
    with pytest.raises(openai.BadRequestError) as too_long:
        client.videos.create_character(name="x" * 81, video=("mossy.mp4", clip, "video/mp4"))
    assert _error(too_long)["param"] == "name"
    with pytest.raises(openai.BadRequestError) as not_video:
        client.videos.create_character(name="Mossy", video=("mossy.mp4", b"\x89PNG", "video/mp4"))
    assert _error(not_video)["param"] == "video"


def _png(width: int, height: int) -> bytes:
    return scene_for("a blue door", random.Random(5)).render(width, height)


def test_input_reference_must_match_the_size(client: openai.OpenAI, http: TestClient) -> None:
    plain = _completed(client, prompt="A door opens", size="1280x720")
    guided = _completed(
        client, prompt="A door opens", size="1280x720", input_reference=("door.png", _png(1280, 720), "image/png")
    )
    assert _mp4(client, plain.id) != _mp4(client, guided.id)  # the reference guides the generation
    by_url = _ok(
        http.post(
            "/v1/videos",
            json={
                "prompt": "A door opens",
                "size": "1280x720",
                "input_reference": {"image_url": "https://example.com/door.png"},
            },
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/videos", 200, by_url, spec=SPEC)
    uploaded = client.files.create(file=("door.png", _png(1280, 720), "image/png"), purpose="vision")
    by_file = http.post(
        "/v1/videos",
        json={"prompt": "A door opens", "size": "1280x720", "input_reference": {"file_id": uploaded.id}},
        headers=AUTH,
    )
    assert by_file.status_code == 200, by_file.text
    wrong_file = client.files.create(file=("door.png", _png(64, 64), "image/png"), purpose="vision")
    refused = http.post("/v1/videos", json={"prompt": "x", "input_reference": {"file_id": wrong_file.id}}, headers=AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "input_reference.file_id"
    before = len(client.videos.list(limit=100).data)
    with pytest.raises(openai.BadRequestError) as raised:
        client.videos.create(
            prompt="A door opens", size="1280x720", input_reference=("door.png", _png(720, 1280), "image/png")
        )
    assert _error(raised)["param"] == "input_reference" and _error(raised)["code"] == "invalid_image_size"
    both = http.post(
        "/v1/videos",
        json={"prompt": "x", "input_reference": {"image_url": "https://example.com/a.png", "file_id": "file-abc"}},
        headers=AUTH,
    )
    assert both.status_code == 400 and both.json()["error"]["param"] == "input_reference"
    missing_file = http.post(
        "/v1/videos", json={"prompt": "x", "input_reference": {"file_id": "file-nope"}}, headers=AUTH
    )
    assert missing_file.status_code == 404 and missing_file.json()["error"]["param"] == "input_reference.file_id"
    assert len(client.videos.list(limit=100).data) == before  # nothing half-stored


@pytest.mark.parametrize(
    ("arguments", "status", "param", "code"),
    [
        ({"seconds": "5"}, 400, "seconds", "invalid_value"),
        ({"seconds": "16"}, 400, "seconds", "invalid_value"),
        ({"size": "1920x1080"}, 400, "size", "invalid_value"),
        ({"size": "640x480"}, 400, "size", "invalid_value"),
        ({"model": "gpt-4o"}, 400, "model", "invalid_value"),
        ({"model": "sora-9"}, 404, "model", "model_not_found"),
        ({"prompt": ""}, 400, "prompt", "string_below_min_length"),
        ({"prompt": "x" * 32_001}, 400, "prompt", "string_above_max_length"),
        ({"prompt": None}, 400, "prompt", "missing_required_parameter"),
        ({"duration": "4"}, 400, "duration", "unknown_parameter"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    http: TestClient, arguments: dict[str, Any], status: int, param: str, code: str
) -> None:
    body = {"prompt": "A cat", **arguments}
    answer = http.post("/v1/videos", json={k: v for k, v in body.items() if v is not None}, headers=AUTH)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["param"] == param and answer.json()["error"]["code"] == code
    # The SDK's multipart form is refused the same way.
    form = {k: (None, str(v)) for k, v in body.items() if v is not None}
    assert http.post("/v1/videos", files=form, headers=AUTH).json()["error"]["param"] == param
    assert _ok(http.get("/v1/videos", headers=AUTH))["data"] == []


def test_snapshots_are_served_under_their_own_name(client: openai.OpenAI) -> None:
    video = client.videos.create(prompt="A windmill turning", model="sora-2-2025-12-08")
    assert video.model == "sora-2-2025-12-08"


@pytest.fixture
def as_of(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_to(value: str) -> None:
        monkeypatch.setenv("OPENAI_MOCK_AS_OF", value)
        reset_settings()

    return set_to


def test_after_the_shutdown_the_videos_api_is_gone(client: openai.OpenAI, http: TestClient, as_of: Any) -> None:
    video = _completed(client, prompt="The last sunset")
    as_of("2026-09-23")
    assert client.videos.retrieve(video.id).status == "completed"
    as_of("2026-09-24")
    for method, path in (
        ("POST", "/v1/videos"),
        ("GET", "/v1/videos"),
        ("GET", f"/v1/videos/{video.id}"),
        ("GET", f"/v1/videos/{video.id}/content"),
        ("POST", f"/v1/videos/{video.id}/remix"),
        ("DELETE", f"/v1/videos/{video.id}"),
        ("POST", "/v1/videos/characters"),
        ("GET", "/v1/videos/characters/char_1"),
        ("POST", "/v1/videos/edits"),
        ("POST", "/v1/videos/extensions"),
    ):
        answer = http.request(method, path, headers=AUTH, json={"prompt": "x"} if method == "POST" else None)
        assert answer.status_code == 404, path
        assert answer.json() == {
            "error": {
                "message": f"Invalid URL ({method} {path})",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        }
    with pytest.raises(openai.NotFoundError):
        client.videos.create(prompt="One more")


def test_as_of_the_clock_follows_the_mock_clock(client: openai.OpenAI, as_of: Any) -> None:
    as_of("clock")
    clock.freeze(1_788_000_000)  # 2026-08-29: still served
    assert client.videos.create(prompt="Before").status == "queued"
    clock.freeze(1_790_400_000)  # 2026-09-26: shut down
    with pytest.raises(openai.NotFoundError):
        client.videos.list()


@pytest.mark.parametrize("value", ["next tuesday", "2026-13-45", "2026-9-24"])
def test_bad_as_of_setting_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from pydantic import ValidationError

    from openai_mock.settings import get_settings

    monkeypatch.setenv("OPENAI_MOCK_AS_OF", value)
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()


def test_the_flow_through_the_lambda_handler() -> None:
    lambda_sdk = lambda_client(videos_function.handler, "v1")  # type: ignore[arg-type]
    video = lambda_sdk.videos.create(prompt="A comet over the desert", size="1280x720")
    clock.advance(600)
    assert lambda_sdk.videos.retrieve(video.id).status == "completed"
    stream, frames = _decode(lambda_sdk.videos.download_content(video.id).read())
    assert (stream.width, stream.height) == (1280, 720) and abs(frames - 4 * FPS) <= 1
    thumbnail = lambda_sdk.videos.download_content(video.id, variant="thumbnail").read()
    assert webp_size(thumbnail) == (1280, 720)


def test_jobs_persist_on_dynamodb(client: openai.OpenAI, moto_persistence: None) -> None:
    video = client.videos.create(prompt="A lantern on a pier", size="1024x1792")
    assert type(get_store()).__name__ == "DynamoDBStore"
    clock.advance(600)
    assert client.videos.retrieve(video.id).status == "completed"
    assert [item.id for item in client.videos.list().data] == [video.id]
    stream, _ = _decode(_mp4(client, video.id))
    assert (stream.width, stream.height) == (1024, 1792)
    assert client.videos.delete(video.id).deleted


def test_a_prompt_against_the_content_policy_fails(client: openai.OpenAI) -> None:
    video = client.videos.create(prompt="A man who wants to kill them all with a knife")
    assert video.status == "queued" and video.error is None
    clock.advance(600)
    raw = client.videos.with_raw_response.retrieve(video.id).http_response.json()
    assert_conforms("GET", f"/v1/videos/{video.id}", 200, raw, spec=SPEC)
    assert (raw["status"], raw["progress"], raw["completed_at"]) == ("failed", 0, None)
    assert raw["error"]["code"] == "moderation_blocked"
    with pytest.raises(openai.NotFoundError):
        client.videos.download_content(video.id)
    assert client.videos.delete(video.id).deleted  # failed jobs can be deleted


def test_after_the_shutdown_the_sora_models_are_gone_too(client: openai.OpenAI, as_of: Any) -> None:
    assert "sora-2" in {model.id for model in client.models.list()}
    as_of("2026-10-01")
    listed = {model.id for model in client.models.list()}
    assert not {model for model in listed if model.startswith("sora")} and "gpt-4o" in listed
    for model in ("sora-2", "sora-2-pro", "sora-2-2025-12-08"):
        with pytest.raises(openai.NotFoundError) as raised:
            client.models.retrieve(model)
        assert _error(raised)["code"] == "model_not_found"
    assert client.models.retrieve("gpt-4o").id == "gpt-4o"
