"""Fixtures for every endpoint (docs/controls.md): typed answers for embeddings (vectors or a seed), images and
speech (given bytes), transcriptions (given text), moderations (categories and scores) and Responses (output
items, streamed as typed events). Through the official SDK, every JSON answer checked against the spec."""

from __future__ import annotations

import base64
import io
import struct
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api
from openai_mock.generation.png import encode_png
from tests.support.mock_fixtures import KEY, add_fixture
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def refused(http: TestClient, **fixture: Any) -> dict[str, Any]:
    response = http.post("/__mock/fixtures", json=fixture, headers=KEY)
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return error


def png_bytes() -> bytes:
    return encode_png(2, 2, [bytes([255, 0, 0] * 2)] * 2)


# --------------------------------------------------------------------------------------------- embeddings


def test_embeddings_fixture_gives_the_vectors_as_float_or_base64(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "embeddings", "contains": "cat"}, response={"embeddings": [[0.1, 0.2, 0.3]]})
    answer = client.embeddings.create(model="text-embedding-3-small", input=["a cat", "another cat"])
    # (the SDK asks for base64 and decodes float32: the given values to float32 precision)
    assert [item.embedding for item in answer.data] == [pytest.approx([0.1, 0.2, 0.3], rel=1e-6)] * 2
    assert answer.usage.prompt_tokens == answer.usage.total_tokens > 0
    assert_conforms("post", "/embeddings", 200, answer.model_dump(exclude_unset=True), spec=SPEC)
    raw = http.post(
        "/v1/embeddings",
        json={"model": "text-embedding-3-small", "input": "cat", "encoding_format": "base64"},
        headers=KEY,
    ).json()
    decoded = struct.unpack("<3f", base64.b64decode(raw["data"][0]["embedding"]))
    assert decoded == pytest.approx((0.1, 0.2, 0.3), rel=1e-6)
    assert raw["usage"]["prompt_tokens"] == 1
    floats = http.post(
        "/v1/embeddings",
        json={"model": "text-embedding-3-small", "input": "cat", "encoding_format": "float"},
        headers=KEY,
    ).json()
    assert floats["data"][0]["embedding"] == [0.1, 0.2, 0.3]  # exactly as given
    assert_conforms("post", "/embeddings", 200, floats, spec=SPEC)
    other = client.embeddings.create(model="text-embedding-3-small", input="a dog")
    assert len(other.data[0].embedding) == 1536  # not matched: generated


def test_embeddings_fixture_vectors_one_per_input_and_the_dimensions_asked(
    http: TestClient, client: openai.OpenAI
) -> None:
    add_fixture(http, match={"endpoint": "embeddings"}, response={"embeddings": [[1.0, 0.0], [0.0, 1.0]]})
    answer = client.embeddings.create(model="text-embedding-3-small", input=["x", "y"], dimensions=2)
    assert [item.embedding for item in answer.data] == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(openai.BadRequestError) as wrong_size:
        client.embeddings.create(model="text-embedding-3-small", input=["x", "y"], dimensions=3)
    assert wrong_size.value.body["param"] == "dimensions"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as wrong_count:
        client.embeddings.create(model="text-embedding-3-small", input=["x", "y", "z"])
    assert wrong_count.value.body["param"] == "input"  # type: ignore[index]


def test_embeddings_fixture_seed_generates_other_vectors_the_same_for_any_text(
    http: TestClient, client: openai.OpenAI
) -> None:
    plain = client.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=8).data[0].embedding
    add_fixture(http, match={"endpoint": "embeddings"}, response={"seed": "case-7"})
    first = client.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=8)
    second = client.embeddings.create(model="text-embedding-3-small", input="goodbye", dimensions=8)
    assert first.data[0].embedding == second.data[0].embedding != plain
    assert len(first.data[0].embedding) == 8
    assert_conforms("post", "/embeddings", 200, first.model_dump(exclude_unset=True), spec=SPEC)


def test_bad_embeddings_fixtures_are_refused_naming_the_field(http: TestClient) -> None:
    error = refused(http, match={"endpoint": "embeddings"}, response={"embeddings": [[0.1], [0.1, 0.2]]})
    assert error["param"].startswith("response")
    assert "dimensions" in error["message"]
    error = refused(http, match={"endpoint": "embeddings"}, response={"embeddings": [["x"]]})
    assert error["param"].startswith("response.embeddings")
    error = refused(http, match={"endpoint": "embeddings"}, response={"embeddings": [[0.1]], "seed": "s"})
    assert error["param"].startswith("response")
    error = refused(http, match={"endpoint": "chat.completions"}, response={"seed": "s"})
    assert "embeddings" in error["message"]
    assert error["param"].startswith("response")
    refused(http, match={}, response={"embeddings": [[0.1]]})


# --------------------------------------------------------------------------------------------- images


def test_image_fixture_bytes_come_back_as_b64_json_or_a_data_url(http: TestClient, client: openai.OpenAI) -> None:
    png = png_bytes()
    add_fixture(
        http,
        match={"endpoint": "images.generations", "contains": "logo"},
        response={"b64": base64.b64encode(png).decode()},
    )
    as_b64 = client.images.generate(model="dall-e-2", prompt="our logo", response_format="b64_json", n=2)
    assert [base64.b64decode(image.b64_json or "") for image in as_b64.data] == [png, png]
    assert_conforms("post", "/images/generations", 200, as_b64.model_dump(exclude_unset=True), spec=SPEC)
    as_url = client.images.generate(model="dall-e-3", prompt="our logo")
    assert as_url.data[0].url == "data:image/png;base64," + base64.b64encode(png).decode()
    assert as_url.data[0].revised_prompt  # the rest of the answer stays the generated one
    assert_conforms("post", "/images/generations", 200, as_url.model_dump(exclude_unset=True), spec=SPEC)
    gpt = client.images.generate(model="gpt-image-1", prompt="our logo")
    assert base64.b64decode(gpt.data[0].b64_json or "") == png
    assert gpt.usage is not None and gpt.usage.total_tokens > 0
    other = client.images.generate(model="dall-e-2", prompt="a meadow", response_format="b64_json")
    assert base64.b64decode(other.data[0].b64_json or "") != png


def test_image_edit_and_variation_fixtures(http: TestClient, client: openai.OpenAI) -> None:
    given = base64.b64encode(b"\xff\xd8\xff\xe0 not really a jpeg").decode()
    add_fixture(http, match={"endpoint": "images.variations"}, response={"b64": given})
    add_fixture(http, match={"endpoint": "images.edits", "contains": "hat"}, response={"b64": given})
    source = encode_png(4, 4, [bytes([0, 0, 255, 0] * 4)] * 4, alpha=True)
    variation = client.images.create_variation(image=("a.png", source), model="dall-e-2")
    assert variation.data[0].url == f"data:image/jpeg;base64,{given}"
    assert_conforms("post", "/images/variations", 200, variation.model_dump(exclude_unset=True), spec=SPEC)
    edit = client.images.edit(image=("a.png", source), prompt="add a hat", model="dall-e-2", response_format="b64_json")
    assert edit.data[0].b64_json == given
    assert_conforms("post", "/images/edits", 200, edit.model_dump(exclude_unset=True), spec=SPEC)


def test_upload_fixtures_match_the_form_fields(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "images.variations", "body": [{"path": "size", "equals": "256x256"}]},
        response={"b64": base64.b64encode(png_bytes()).decode()},
    )
    source = encode_png(4, 4, [bytes([0, 0, 255, 0] * 4)] * 4, alpha=True)
    small = client.images.create_variation(image=("a.png", source), size="256x256", response_format="b64_json")
    large = client.images.create_variation(image=("a.png", source), size="512x512", response_format="b64_json")
    assert base64.b64decode(small.data[0].b64_json or "") == png_bytes()
    assert base64.b64decode(large.data[0].b64_json or "") != png_bytes()


def test_bad_image_fixtures_are_refused(http: TestClient) -> None:
    error = refused(http, match={"endpoint": "images.generations"}, response={"b64": "not base64!"})
    assert error["param"].startswith("response.b64")
    error = refused(http, match={"endpoint": "embeddings"}, response={"b64": "aGk="})
    assert error["param"].startswith("response")
    error = refused(http, match={"endpoint": "images.generations"}, response={"content": "a cat"})
    assert error["param"] == "response" and "b64" in error["message"]
    error = refused(http, match={"endpoint": "audio.transcriptions"}, response={"tool_calls": [{"name": "f"}]})
    assert error["param"] == "response" and "transcript" in error["message"]
    refused(http, match={"endpoint": "moderations"}, responses=[{"flagged": True}, {"structured": {"a": 1}}])


# --------------------------------------------------------------------------------------------- audio


def test_speech_fixture_bytes_with_the_content_type_of_the_format_asked(
    http: TestClient, client: openai.OpenAI
) -> None:
    add_fixture(
        http,
        match={"endpoint": "audio.speech", "contains": "welcome"},
        response={"b64": base64.b64encode(b"ID3 given bytes").decode()},
    )
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input="Welcome aboard", response_format="wav"
    ) as speech:
        assert speech.read() == b"ID3 given bytes"
        assert speech.headers["content-type"] == "audio/wav"
    generated = client.audio.speech.create(model="tts-1", voice="alloy", input="Goodbye", response_format="wav")
    assert generated.read().startswith(b"RIFF")


def test_transcription_and_translation_fixtures_give_the_text(http: TestClient, client: openai.OpenAI) -> None:
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input="The quick brown fox.", response_format="wav")
    audio = wav.read()
    add_fixture(
        http, match={"endpoint": "audio.transcriptions", "contains": "fox"}, response={"content": "Hello there."}
    )
    add_fixture(http, match={"endpoint": "audio.translations"}, response={"content": "Good morning."})
    text = client.audio.transcriptions.create(file=("a.wav", audio), model="whisper-1")
    assert text.text == "Hello there."
    assert_conforms("post", "/audio/transcriptions", 200, text.model_dump(exclude_unset=True), spec=SPEC)
    verbose = client.audio.transcriptions.create(
        file=("a.wav", audio), model="whisper-1", response_format="verbose_json"
    )
    assert verbose.text == "Hello there."
    assert " ".join(segment.text.strip() for segment in verbose.segments or []) == "Hello there."
    assert_conforms("post", "/audio/transcriptions", 200, verbose.model_dump(exclude_unset=True), spec=SPEC)
    translated = client.audio.translations.create(file=("a.wav", io.BytesIO(audio)), model="whisper-1")
    assert translated.text == "Good morning."
    assert_conforms("post", "/audio/translations", 200, translated.model_dump(exclude_unset=True), spec=SPEC)


# --------------------------------------------------------------------------------------------- moderations


def test_moderation_fixture_merges_categories_and_scores(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "moderations", "contains": "game"},
        response={"categories": {"violence": True}, "category_scores": {"harassment": 0.7}},
    )
    answer = client.moderations.create(model="omni-moderation-latest", input=["a board game", "a card game"])
    assert_conforms("post", "/moderations", 200, answer.model_dump(exclude_unset=True, by_alias=True), spec=SPEC)
    for result in answer.results:
        assert result.flagged is True
        assert result.categories.violence is True
        assert result.category_scores.violence >= 0.9
        assert result.categories.harassment is True and result.category_scores.harassment == 0.7
        assert result.categories.hate is False
    plain = client.moderations.create(model="omni-moderation-latest", input="a quiet walk")
    assert plain.results[0].flagged is False


def test_moderation_fixture_flagged_alone_and_legacy_models(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "moderations"}, response={"flagged": True, "categories": {"illicit": True}})
    legacy = client.moderations.create(model="text-moderation-latest", input="hello")
    assert legacy.results[0].flagged is True
    assert legacy.results[0].categories.illicit is None  # the legacy models do not know the category
    assert_conforms("post", "/moderations", 200, legacy.model_dump(exclude_unset=True, by_alias=True), spec=SPEC)


def test_bad_moderation_fixtures_are_refused(http: TestClient) -> None:
    error = refused(http, match={"endpoint": "moderations"}, response={"categories": {"rudeness": True}})
    assert error["param"].startswith("response.categories")
    assert "rudeness" in error["message"]
    error = refused(http, match={"endpoint": "moderations"}, response={"category_scores": {"hate": 1.5}})
    assert error["param"].startswith("response.category_scores")
    refused(http, match={"endpoint": "moderations"}, response={"flagged": "yes"})


# --------------------------------------------------------------------------------------------- Responses items


ITEMS: list[dict[str, Any]] = [
    {"type": "reasoning", "summary": ["Looked it up."]},
    {"type": "web_search_call", "action": {"type": "search", "query": "paris weather"}},
    {"type": "message", "content": "Sunny in {{request.body.metadata.city}}."},
]


def test_responses_fixture_output_items(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "responses"}, response={"output": ITEMS})
    answer = client.responses.create(model="gpt-4o-mini", input="Weather?", metadata={"city": "Paris"})
    assert [item.type for item in answer.output] == ["reasoning", "web_search_call", "message"]
    assert answer.output_text == "Sunny in Paris."
    assert answer.output[0].summary[0].text == "Looked it up."  # type: ignore[union-attr]
    assert answer.usage is not None and answer.usage.output_tokens_details.reasoning_tokens > 0
    assert answer.usage.output_tokens > answer.usage.output_tokens_details.reasoning_tokens
    assert_conforms("post", "/responses", 200, answer.model_dump(exclude_unset=True), spec=SPEC)
    stored = client.responses.retrieve(answer.id)
    assert [item.id for item in stored.output] == [item.id for item in answer.output]


def test_responses_fixture_output_streams_typed_events(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "responses"},
        response={
            "output": [
                {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Need the weather."}]},
                {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}},
            ]
        },
    )
    events = list(client.responses.create(model="o4-mini", input="Weather?", stream=True))
    kinds = [event.type for event in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert "response.reasoning_summary_text.delta" in kinds
    assert "response.function_call_arguments.done" in kinds
    done = next(event for event in events if event.type == "response.function_call_arguments.done")
    assert done.arguments == '{"city": "Paris"}'  # type: ignore[union-attr]
    final = events[-1].response  # type: ignore[union-attr]
    assert [item.type for item in final.output] == ["reasoning", "function_call"]
    assert final.output[1].call_id.startswith("call_")  # type: ignore[union-attr]
    assert_conforms("post", "/responses", 200, final.model_dump(exclude_unset=True), spec=SPEC)


def test_responses_fixture_file_search_and_custom_tool_calls(http: TestClient, client: openai.OpenAI) -> None:
    result = {"file_id": "file-abc", "filename": "faq.md", "score": 0.9, "text": "Refunds take 5 days."}
    add_fixture(
        http,
        match={"endpoint": "responses"},
        response={
            "output": [
                {"type": "file_search_call", "results": [result]},
                {"type": "custom_tool_call", "name": "run_sql", "input": "SELECT 1"},
            ]
        },
    )
    answer = client.responses.create(model="gpt-4o-mini", input="refunds?", include=["file_search_call.results"])
    search, custom = answer.output
    assert search.type == "file_search_call" and search.queries == ["refunds?"]
    assert search.results is not None and search.results[0].text == "Refunds take 5 days."
    assert custom.type == "custom_tool_call" and custom.input == "SELECT 1" and custom.call_id.startswith("call_")
    assert_conforms("post", "/responses", 200, answer.model_dump(exclude_unset=True), spec=SPEC)
    hidden = client.responses.create(model="gpt-4o-mini", input="refunds?")
    assert hidden.output[0].results is None  # type: ignore[union-attr]  # results only when `include` asks
    events = list(client.responses.create(model="gpt-4o-mini", input="refunds?", stream=True))
    kinds = [event.type for event in events]
    assert "response.file_search_call.searching" in kinds and "response.custom_tool_call_input.done" in kinds


def test_bad_responses_items_are_refused_naming_the_item(http: TestClient) -> None:
    error = refused(http, match={"endpoint": "responses"}, response={"output": [{"type": "teleport"}]})
    assert error["param"].startswith("response.output")
    assert "output[0].type" in error["message"]
    error = refused(
        http, match={"endpoint": "responses"}, response={"output": [{"type": "message", "content": [{"type": "x"}]}]}
    )
    assert "output[0].content[0]" in error["message"]
    error = refused(http, match={"endpoint": "responses"}, response={"output": [{"type": "function_call"}]})
    assert "output[0].name is required" in error["message"]
    error = refused(
        http,
        match={"endpoint": "responses"},
        response={"output": [{"type": "file_search_call", "results": [{"x": 1}]}]},
    )
    assert "output[0].results[0]" in error["message"]
    refused(http, match={"endpoint": "chat.completions"}, response={"output": [{"type": "message", "content": "x"}]})


# --------------------------------------------------------------------------------------------- a deployment's file


def test_a_fixtures_file_names_the_bytes_beside_it(tmp_path: Any) -> None:
    from openai_mock.control.fixtures import load_file

    (tmp_path / "logo.png").write_bytes(png_bytes())
    (tmp_path / "fixtures.json").write_text(
        '[{"match": {"endpoint": "images.generations"}, "response": {"b64_file": "logo.png"}},'
        ' {"match": {"endpoint": "audio.speech"}, "responses": [{"b64_file": "logo.png"}]}]'
    )
    loaded = load_file(tmp_path / "fixtures.json")
    assert base64.b64decode(loaded[0]["response"]["b64"]) == png_bytes()
    assert base64.b64decode(loaded[1]["responses"][0]["b64"]) == png_bytes()
    (tmp_path / "broken.json").write_text(
        '[{"match": {"endpoint": "audio.speech"}, "response": {"b64_file": "no.mp3"}}]'
    )
    with pytest.raises(ValueError, match=r"no\.mp3"):
        load_file(tmp_path / "broken.json")


def test_a_typed_fixture_answers_before_a_recording_proxy(mock_app: Any, http: TestClient, tmp_path: Any) -> None:
    import httpx

    from openai_mock.local.recording import RecordReplayApp
    from tests.support.sdk import asgi_client

    folder = tmp_path / "recorded"
    app = RecordReplayApp(
        mock_app, upstream="http://upstream/v1", record=folder, transport=httpx.ASGITransport(app=mock_app)
    )
    recording = asgi_client(app, api_key="sk-test")
    add_fixture(http, match={"endpoint": "moderations"}, response={"flagged": True})
    assert recording.moderations.create(input="hello").results[0].flagged is True
    assert not folder.exists() or not any(folder.iterdir())  # answered by the fixture, not forwarded
    recording.embeddings.create(model="text-embedding-3-small", input="hello")
    assert len(list(folder.iterdir())) == 1  # what no fixture answers is forwarded and recorded


def test_typed_endpoints_take_faults_and_errors_like_the_others(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "moderations"}, fault={"rate": 1, "kind": "overloaded"}, times=1)
    add_fixture(http, match={"endpoint": "audio.speech"}, response={"error": {"kind": "rate_limit_exceeded"}}, times=1)
    quick = client.with_options(max_retries=0)
    with pytest.raises(openai.InternalServerError) as overloaded:
        quick.moderations.create(input="hello")
    assert overloaded.value.status_code == 503
    assert quick.moderations.create(input="hello").results  # `times` spent: generated again
    with pytest.raises(openai.RateLimitError):
        quick.audio.speech.create(model="tts-1", voice="alloy", input="hello")
