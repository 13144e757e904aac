"""Every endpoint today's API lets a batch run, through the official SDK: Responses, moderations, image generations,
JSON image edits and video jobs, each line answered by its endpoint's own layer code, its answer held to the SDK's
model and the spec, invalid or streaming lines in the error file, the usage recorded by kind, and the batch's own
`usage` and `model`."""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest
from openai.types import ImagesResponse, ModerationCreateResponse, Video
from openai.types.responses import Response

from openai_mock import clock
from openai_mock.generation.png import PNG_SIGNATURE, decode_png, encode_png
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from openai_mock.resources.organization.usage import recorded
from openai_mock.settings import reset_settings
from openai_mock.web.auth import principal_for_key
from tests.support.batches import batch_line, batch_records, run_batch, upload_batch_input
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client
from tests.support.spec import validate_component

START = 1_750_032_000  # 2025-06-16T00:00:00Z
RESPONSES, MODERATIONS = "/v1/responses", "/v1/moderations"
GENERATIONS, EDITS, VIDEOS = "/v1/images/generations", "/v1/images/edits", "/v1/videos"


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)
    ratelimits.reset()


def _answers(client: openai.OpenAI, batch: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The successful lines' response bodies by custom_id."""
    answers = {}
    for custom_id, record in batch_records(client, batch.get("output_file_id")).items():
        assert record["response"]["status_code"] == 200 and record["error"] is None
        answers[custom_id] = record["response"]["body"]
    return answers


def _errors(client: openai.OpenAI, batch: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The failed lines' (status, error) by custom_id."""
    return {
        custom_id: {"status": record["response"]["status_code"], **record["response"]["body"]["error"]}
        for custom_id, record in batch_records(client, batch.get("error_file_id")).items()
    }


def _tenant(key: str = "sk-test") -> str:
    return principal_for_key(key).tenant


def _usage_events(kind: str) -> list[dict[str, Any]]:
    return [record for record in recorded(_tenant()) if record["kind"] == kind]


# --------------------------------------------------------------------------- upload and create


def test_a_file_of_responses_requests_is_accepted_and_refused_for_unlisted_urls(client: openai.OpenAI) -> None:
    accepted = upload_batch_input(client, [batch_line("a", RESPONSES, model="gpt-4o-mini", input="Hi")])
    assert client.files.retrieve(accepted).purpose == "batch"
    with pytest.raises(openai.BadRequestError) as raised:
        upload_batch_input(client, [batch_line("a", "/v1/audio/speech", model="tts-1", input="Hi", voice="alloy")])
    message = raised.value.body["message"]  # type: ignore[index]
    assert "Line 1: invalid 'url' '/v1/audio/speech'" in message
    assert "/v1/responses" in message and "/v1/videos" in message


def test_video_batches_are_refused_once_the_videos_api_is_shut_down(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = batch_line("v", VIDEOS, prompt="A paper boat drifts down a rainy street")
    file_id = upload_batch_input(client, [line])
    monkeypatch.setenv("OPENAI_MOCK_AS_OF", "2026-09-24")
    reset_settings()
    with pytest.raises(openai.BadRequestError) as raised:
        client.batches.create(input_file_id=file_id, endpoint="/v1/videos", completion_window="24h")
    assert raised.value.body["param"] == "endpoint"  # type: ignore[index]
    assert "'/v1/videos'" not in raised.value.body["message"].split("Supported values are:")[1]  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        upload_batch_input(client, [line])
    monkeypatch.setenv("OPENAI_MOCK_AS_OF", "2026-09-23")
    reset_settings()
    assert (
        client.batches.create(input_file_id=file_id, endpoint="/v1/videos", completion_window="24h").status
        == "validating"
    )


# --------------------------------------------------------------------------- /v1/responses


def test_responses_lines_answer_as_the_endpoint_does_and_are_not_stored(client: openai.OpenAI) -> None:
    questions = {"tea": "How do I brew green tea?", "rust": "Why learn Rust?"}
    lines = [batch_line(key, RESPONSES, model="gpt-4o-mini", input=question) for key, question in questions.items()]
    batch = run_batch(client, RESPONSES, lines)
    assert batch["model"] == "gpt-4o-mini" and batch["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    answers = _answers(client, batch)
    for key, question in questions.items():
        answer = answers[key]
        Response.model_validate(answer, strict=True)
        validate_component("Response", answer)
        assert answer["id"].startswith("resp_") and answer["status"] == "completed"
        direct = client.responses.create(model="gpt-4o-mini", input=question, store=False)
        assert answer["output"][0]["content"][0]["text"] == direct.output_text  # the endpoint's own answer
        assert answer["store"] is False  # kept in the output file only
        with pytest.raises(openai.NotFoundError):
            client.responses.retrieve(answer["id"])
    # The batch's usage is the lines' tokens.
    used = [answer["usage"] for answer in answers.values()]
    assert batch["usage"] == {
        "input_tokens": sum(usage["input_tokens"] for usage in used),
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": sum(usage["output_tokens"] for usage in used),
        "output_tokens_details": {
            "reasoning_tokens": sum(u["output_tokens_details"]["reasoning_tokens"] for u in used)
        },
        "total_tokens": sum(usage["total_tokens"] for usage in used),
    }


def test_responses_lines_refuse_streaming_and_background_and_name_the_endpoints_errors(client: openai.OpenAI) -> None:
    lines = [
        batch_line("stream", RESPONSES, model="gpt-4o-mini", input="Hi", stream=True),
        batch_line("background", RESPONSES, model="gpt-4o-mini", input="Hi", background=True),
        batch_line("unknown", RESPONSES, model="gpt-4o-mini", input="Hi", temperature_scale=2),
        batch_line("no-model", RESPONSES, input="Hi"),
        batch_line("ok", RESPONSES, model="gpt-4o-mini", input="Hi", instructions="Answer in one sentence."),
    ]
    batch = run_batch(client, RESPONSES, lines)
    assert batch["request_counts"] == {"total": 5, "completed": 1, "failed": 4}
    errors = _errors(client, batch)
    assert {key: (error["status"], error["param"]) for key, error in errors.items()} == {
        "stream": (400, "stream"),
        "background": (400, "background"),
        "unknown": (400, "temperature_scale"),
        "no-model": (400, "model"),
    }
    assert errors["stream"]["message"].startswith("Streaming is not supported in the Batch API")
    assert errors["unknown"]["code"] == "unknown_parameter"
    assert _answers(client, batch)["ok"]["instructions"] == "Answer in one sentence."


def test_a_responses_line_continues_a_stored_response(client: openai.OpenAI) -> None:
    first = client.responses.create(model="gpt-4o-mini", input="My name is Ada. Remember it.")
    batch = run_batch(
        client,
        RESPONSES,
        [batch_line("next", RESPONSES, model="gpt-4o-mini", input="Hi", previous_response_id=first.id)],
    )
    answer = _answers(client, batch)["next"]
    assert answer["previous_response_id"] == first.id
    alone = client.responses.create(model="gpt-4o-mini", input="Hi", store=False)
    assert answer["usage"]["input_tokens"] > alone.usage.input_tokens  # type: ignore[union-attr]  # the history is read


def test_responses_usage_is_batch_completions_usage_at_half_price(mock_app: TemplateRouter) -> None:
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Nightly")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="batcher")
    assert account.api_key is not None
    app = asgi_client(mock_app, api_key=account.api_key.value)
    batch = run_batch(
        app, RESPONSES, [batch_line(f"q{n}", RESPONSES, model="gpt-4o-mini", input=f"Fact {n}?") for n in range(3)]
    )
    usage = admin.admin.organization.usage
    day = START + 86_400
    [result] = (
        usage.completions(start_time=START, end_time=day, group_by=["project_id", "batch", "model"]).data[0].results
    )
    assert (result.project_id, result.batch, result.num_model_requests) == (project.id, True, 3)  # type: ignore[union-attr]
    assert result.input_tokens == batch["usage"]["input_tokens"]  # type: ignore[union-attr]
    assert result.output_tokens == batch["usage"]["output_tokens"]  # type: ignore[union-attr]
    [cost] = usage.costs(start_time=START, end_time=day).data[0].results
    full_price = (result.input_tokens * 0.15 + result.output_tokens * 0.60) / 1e6  # type: ignore[union-attr]
    assert cost.amount.value == pytest.approx(full_price * 0.5)  # type: ignore[union-attr]


# --------------------------------------------------------------------------- /v1/moderations


def test_moderation_lines_classify_as_the_endpoint_does(client: openai.OpenAI) -> None:
    texts = {"calm": "I love a quiet walk in the park.", "angry": "I will kill you, you worthless idiot."}
    lines = [batch_line(key, MODERATIONS, input=text) for key, text in texts.items()]
    lines.append(batch_line("bad-model", MODERATIONS, input="Hi", model="gpt-4o-mini"))
    batch = run_batch(client, MODERATIONS, lines)
    assert batch["model"] == "omni-moderation-latest"  # the endpoint's default, as no line names one
    [event] = _usage_events("moderations")  # the batch's (before the direct requests below add theirs)
    assert event["metrics"]["num_model_requests"] == 2 and event["metrics"]["input_tokens"] > 0
    assert batch["usage"]["input_tokens"] == event["metrics"]["input_tokens"]
    assert batch["usage"]["output_tokens"] == 0
    answers = _answers(client, batch)
    for key, text in texts.items():
        ModerationCreateResponse.model_validate(answers[key], strict=True)
        direct = client.moderations.create(input=text)
        assert answers[key]["results"] == [result.model_dump(by_alias=True) for result in direct.results]
    assert answers["angry"]["results"][0]["flagged"] and not answers["calm"]["results"][0]["flagged"]
    assert _errors(client, batch)["bad-model"]["param"] == "model"


# --------------------------------------------------------------------------- /v1/images/generations


def test_image_generation_lines_answer_with_images(client: openai.OpenAI) -> None:
    lines = [
        batch_line(
            "gpt", GENERATIONS, model="gpt-image-1", prompt="A lighthouse at dusk", size="1024x1024", quality="low"
        ),
        batch_line("dalle", GENERATIONS, model="dall-e-2", prompt="A red bicycle", size="256x256"),
        batch_line("stream", GENERATIONS, model="gpt-image-1", prompt="A kite", stream=True),
        batch_line("bad-size", GENERATIONS, model="dall-e-2", prompt="A kite", size="999x999"),
    ]
    batch = run_batch(client, GENERATIONS, lines)
    assert batch["model"] == "gpt-image-1"
    events = {event["dims"]["model"]: event for event in _usage_events("images")}
    assert events["gpt-image-1"]["metrics"]["images"] == 1 and events["gpt-image-1"]["dims"]["size"] == "1024x1024"
    assert events["dall-e-2"]["dims"]["size"] == "256x256"
    assert {event["dims"]["source"] for event in events.values()} == {"image.generation"}
    answers = _answers(client, batch)
    for answer in answers.values():
        ImagesResponse.model_validate(answer, strict=True)
        validate_component("ImagesResponse", answer)
    gpt, dalle = answers["gpt"], answers["dalle"]
    png = base64.b64decode(gpt["data"][0]["b64_json"])  # GPT image models answer base64 only
    assert png.startswith(PNG_SIGNATURE) and decode_png(png)[:2] == (1024, 1024)
    assert gpt["usage"]["output_tokens"] == 272 and gpt["quality"] == "low"
    direct = client.images.generate(model="gpt-image-1", prompt="A lighthouse at dusk", size="1024x1024", quality="low")
    assert direct.data is not None and gpt["data"][0]["b64_json"] == direct.data[0].b64_json  # one code path
    assert dalle["data"][0]["url"].startswith("data:image/png;base64,")
    errors = _errors(client, batch)
    assert (errors["stream"]["param"], errors["bad-size"]["param"]) == ("stream", "size")
    assert batch["usage"]["output_tokens"] == gpt["usage"]["output_tokens"]  # dall-e-2 counts no tokens


# --------------------------------------------------------------------------- /v1/images/edits (JSON)


def _png(colour: tuple[int, int, int, int], side: int = 32) -> bytes:
    return encode_png(side, side, [bytes(colour) * side] * side, alpha=True)


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_json_image_edit_lines_take_images_by_file_id_and_url(client: openai.OpenAI) -> None:
    red = client.files.create(file=("red.png", _png((200, 30, 30, 255))), purpose="vision").id
    prompt = "Add a small sailboat"
    lines = [
        batch_line("file", EDITS, model="gpt-image-1", prompt=prompt, images=[{"file_id": red}], quality="low"),
        batch_line(
            "data",
            EDITS,
            model="gpt-image-1",
            prompt=prompt,
            images=[{"image_url": _data_url(_png((20, 20, 220, 255)))}],
            quality="low",
        ),
        batch_line("same-file", EDITS, model="gpt-image-1", prompt=prompt, images=[{"file_id": red}], quality="low"),
        batch_line(
            "url",
            EDITS,
            prompt=prompt,
            images=[{"image_url": "https://example.com/harbour.png"}],
            mask={"file_id": red},
        ),
        batch_line("dalle", EDITS, model="dall-e-2", prompt=prompt, images=[{"file_id": red}]),
        batch_line("none", EDITS, model="gpt-image-1", prompt=prompt, images=[]),
        batch_line(
            "both",
            EDITS,
            model="gpt-image-1",
            prompt=prompt,
            images=[{"file_id": red, "image_url": "https://a.b/c.png"}],
        ),
        batch_line("missing", EDITS, model="gpt-image-1", prompt=prompt, images=[{"file_id": "file-nope"}]),
        batch_line(
            "not-png",
            EDITS,
            model="gpt-image-1",
            prompt=prompt,
            images=[{"image_url": "data:image/png;base64,aGVsbG8="}],
        ),
        batch_line("stream", EDITS, model="gpt-image-1", prompt=prompt, images=[{"file_id": red}], stream=True),
    ]
    batch = run_batch(client, EDITS, lines)
    answers = _answers(client, batch)
    assert set(answers) == {"file", "data", "same-file", "url"}
    for answer in answers.values():
        ImagesResponse.model_validate(answer, strict=True)
        validate_component("ImagesResponse", answer)
        assert base64.b64decode(answer["data"][0]["b64_json"]).startswith(PNG_SIGNATURE)
    # The input images are part of what decides the edit: another image, another answer; the same, the same.
    assert answers["file"]["data"] == answers["same-file"]["data"]
    assert answers["file"]["data"] != answers["data"]["data"]
    assert answers["url"]["quality"] == "high"  # gpt-image-1.5, the JSON edits' default model, at quality auto
    errors = _errors(client, batch)
    assert {key: (error["status"], error["param"]) for key, error in errors.items()} == {
        "dalle": (400, "model"),
        "none": (400, "images"),
        "both": (400, "images[0]"),
        "missing": (404, "images[0].file_id"),
        "not-png": (400, "images[0]"),
        "stream": (400, "stream"),
    }
    billed = {
        event["dims"]["model"]: (event["dims"]["source"], event["metrics"]["images"])
        for event in _usage_events("images")
    }
    assert billed == {"gpt-image-1": ("image.edit", 3), "gpt-image-1.5": ("image.edit", 1)}


# --------------------------------------------------------------------------- /v1/videos


@pytest.mark.filterwarnings("ignore:The Sora API:DeprecationWarning")  # the SDK's notice of the shut-down ahead
def test_video_lines_start_jobs_that_progress_as_videos_do(client: openai.OpenAI) -> None:
    lines = [
        batch_line("boat", VIDEOS, model="sora-2", prompt="A paper boat drifts down a rainy street", seconds="4"),
        batch_line("wide", VIDEOS, prompt="Waves roll onto a quiet beach", size="1280x720", seconds="8"),
        batch_line("long", VIDEOS, prompt="A sunrise", seconds="30"),
    ]
    batch = run_batch(client, VIDEOS, lines)
    assert batch["model"] == "sora-2" and batch["request_counts"]["failed"] == 1
    assert _errors(client, batch)["long"]["param"] == "seconds"
    answers = _answers(client, batch)
    for answer in answers.values():
        Video.model_validate(answer, strict=True)
        assert answer["status"] == "queued" and answer["progress"] == 0  # as `POST /v1/videos` answers
    boat = answers["boat"]
    assert (boat["seconds"], boat["size"]) == ("4", "720x1280") and answers["wide"]["size"] == "1280x720"
    assert client.videos.retrieve(boat["id"]).status in ("queued", "in_progress")
    clock.advance(600)
    done = client.videos.retrieve(boat["id"])
    assert done.status == "completed" and done.prompt == "A paper boat drifts down a rainy street"
    assert client.videos.download_content(boat["id"]).read()[4:8] == b"ftyp"  # a real MP4
    billed = {event["dims"]["size"]: event["metrics"]["seconds"] for event in _usage_events("videos")}
    assert billed == {"720x1280": 4, "1280x720": 8}
    assert batch["usage"]["total_tokens"] == 0  # videos are billed by the second, not by tokens
