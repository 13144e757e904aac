"""Body properties of the 2026-08-21 spec the model operations once refused as unrecognized: chat completions'
and Responses' `moderation`, `prompt_cache_options`, `prompt_cache_retention` (and Responses' `top_logprobs`),
speech's `stream_format: sse`, transcriptions' `keywords` and `languages`, realtime sessions' `prompt` and
`truncation`. Each is accepted, checked as the spec types it, and does what the real API does with it."""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from fastapi.testclient import TestClient

from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
VIOLENT = "How do I kill a person with a knife?"
OMNI = "omni-moderation-latest"
SPOKEN = "Please call Kubernetes support today."


def _events(body: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: {")]


def _refused(response: Any, param: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


# --------------------------------------------------------------------------------------------- chat


def test_chat_prompt_cache_options_and_retention_are_accepted(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Hello"}],
        prompt_cache_options={"mode": "explicit", "ttl": "30m"},
        prompt_cache_retention="24h",
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/chat/completions", 200, body)
    assert body["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"prompt_cache_options": {"ttl": "1h"}}, "prompt_cache_options.ttl"),
        ({"prompt_cache_options": {"mode": "always"}}, "prompt_cache_options.mode"),
        ({"prompt_cache_options": "explicit"}, "prompt_cache_options"),
        ({"prompt_cache_options": {"size": 3}}, "prompt_cache_options.size"),
        ({"prompt_cache_retention": "7d"}, "prompt_cache_retention"),
        ({"moderation": {"policy": {}}}, "moderation.model"),
        ({"moderation": {"model": "gpt-4o"}}, "moderation.model"),
        ({"moderation": {"model": OMNI, "policy": {"input": {"mode": "warn"}}}}, "moderation.policy.input.mode"),
        ({"moderation": {"model": OMNI, "policy": {"output": {}}}}, "moderation.policy.output.mode"),
    ],
)
def test_chat_bad_new_params_are_400_naming_them(http: TestClient, extra: dict[str, Any], param: str) -> None:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}], **extra}
    _refused(http.post("/v1/chat/completions", json=body, headers=AUTH), param)


def test_chat_moderation_scores_input_and_each_choice(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": VIOLENT}],
        n=2,
        moderation={"model": OMNI},
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/chat/completions", 200, body)
    moderation = body["moderation"]
    assert moderation["input"]["type"] == "moderation_results"
    (asked,) = moderation["input"]["results"]
    assert asked["flagged"] is True and asked["categories"]["violence"] is True
    assert asked["category_scores"]["violence"] > 0.5
    assert len(moderation["output"]["results"]) == 2
    # score mode (the default) reports, it does not stop the answer
    assert all(choice["finish_reason"] == "stop" and choice["message"]["content"] for choice in body["choices"])


def test_chat_moderation_block_on_flagged_input_filters_the_answer(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": VIOLENT}],
        moderation={"model": OMNI, "policy": {"input": {"mode": "block"}}},
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "content_filter"
    assert choice.message.content is None
    assert completion.usage is not None and completion.usage.completion_tokens == 0


def test_chat_moderation_block_lets_a_harmless_request_through(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Name a colour."}],
        moderation={"model": OMNI, "policy": {"input": {"mode": "block"}, "output": {"mode": "block"}}},
    )
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content


def test_chat_stream_ends_with_the_moderation_chunk(http: TestClient) -> None:
    body = {
        "model": "gpt-4o-mini",
        "stream": True,
        "messages": [{"role": "user", "content": VIOLENT}],
        "moderation": {"model": OMNI},
    }
    response = http.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    chunks = _events(response.text)
    for chunk in chunks:
        assert_conforms("POST", "/v1/chat/completions", 200, chunk, "text/event-stream")
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["moderation"]["input"]["results"][0]["flagged"] is True
    assert all("moderation" not in chunk for chunk in chunks[:-1])


# --------------------------------------------------------------------------------------------- responses


def test_response_echoes_prompt_cache_options_retention_and_top_logprobs(client: openai.OpenAI) -> None:
    raw = client.responses.with_raw_response.create(
        model="gpt-4o-mini",
        input="Say something nice",
        prompt_cache_options={"mode": "explicit"},
        prompt_cache_retention="in_memory",
        top_logprobs=2,
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, body)
    assert body["prompt_cache_options"] == {"mode": "explicit", "ttl": "30m"}  # the default ttl filled in
    assert body["prompt_cache_retention"] == "in_memory"
    assert body["top_logprobs"] == 2
    # without include=["message.output_text.logprobs"] no log probabilities are returned
    assert body["output"][-1]["content"][0]["logprobs"] == []


def test_response_top_logprobs_gives_that_many_alternatives_per_token(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gpt-4o-mini",
        input="Say something nice",
        include=["message.output_text.logprobs"],
        top_logprobs=3,
    )
    part = response.output[-1].content[0]  # type: ignore[union-attr]
    assert part.type == "output_text"
    logprobs = part.logprobs or []
    assert "".join(entry.token for entry in logprobs) == part.text
    for entry in logprobs:
        assert len(entry.top_logprobs) == 3
        assert entry.top_logprobs[0].token == entry.token  # the chosen token is the likeliest
        assert entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob >= entry.top_logprobs[2].logprob
    again = client.responses.retrieve(response.id, include=["message.output_text.logprobs"])
    assert again.output[-1].content[0].logprobs == logprobs  # type: ignore[union-attr]


def test_response_stream_deltas_carry_their_logprobs(http: TestClient) -> None:
    body = {
        "model": "gpt-4o-mini",
        "input": "hi",
        "stream": True,
        "include": ["message.output_text.logprobs"],
        "top_logprobs": 2,
    }
    response = http.post("/v1/responses", json=body, headers=AUTH)
    events = _events(response.text)
    for event in events:
        assert_conforms("POST", "/v1/responses", 200, event, "text/event-stream")
    deltas = [event for event in events if event["type"] == "response.output_text.delta"]
    assert deltas and all(len(event["logprobs"]) == 1 for event in deltas)
    assert all(len(event["logprobs"][0]["top_logprobs"]) == 2 for event in deltas)
    assert [event["logprobs"][0]["token"] for event in deltas] == [event["delta"] for event in deltas]
    (done,) = [event for event in events if event["type"] == "response.output_text.done"]
    assert len(done["logprobs"]) == len(deltas)


def test_response_moderation_scores_and_blocks(client: openai.OpenAI, http: TestClient) -> None:
    scored = client.responses.with_raw_response.create(
        model="gpt-4o-mini", input=VIOLENT, moderation={"model": OMNI}
    ).http_response.json()
    assert_conforms("POST", "/v1/responses", 200, scored)
    assert scored["status"] == "completed"
    assert scored["moderation"]["input"]["type"] == "moderation_result"
    assert scored["moderation"]["input"]["flagged"] is True
    assert scored["moderation"]["output"]["flagged"] is False
    blocked = http.post(
        "/v1/responses",
        json={
            "model": "gpt-4o-mini",
            "input": VIOLENT,
            "moderation": {"model": OMNI, "policy": {"input": {"mode": "block"}}},
        },
        headers=AUTH,
    ).json()
    assert_conforms("POST", "/v1/responses", 200, blocked)
    assert blocked["status"] == "incomplete"
    assert blocked["incomplete_details"] == {"reason": "content_filter"}
    assert blocked["output"] == [] and blocked["usage"]["output_tokens"] == 0


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"top_logprobs": 21}, "top_logprobs"),
        ({"top_logprobs": -1}, "top_logprobs"),
        ({"prompt_cache_retention": "forever"}, "prompt_cache_retention"),
        ({"prompt_cache_options": {"ttl": "24h"}}, "prompt_cache_options.ttl"),
        ({"moderation": {"model": "nope-moderation"}}, "moderation.model"),
        ({"moderation": {"model": OMNI, "policy": {"output": {"mode": "x"}}}}, "moderation.policy.output.mode"),
    ],
)
def test_response_bad_new_params_are_400_naming_them(http: TestClient, extra: dict[str, Any], param: str) -> None:
    body = {"model": "gpt-4o-mini", "input": "hi", **extra}
    _refused(http.post("/v1/responses", json=body, headers=AUTH), param)


# --------------------------------------------------------------------------------------------- speech


def _speech_request(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini-tts", "voice": "alloy", "input": SPOKEN, "response_format": "wav", **extra}


def test_speech_sse_streams_the_same_audio_then_usage(client: openai.OpenAI, http: TestClient) -> None:
    audio = client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input=SPOKEN, response_format="wav"
    ).read()
    response = http.post("/v1/audio/speech", json=_speech_request(stream_format="sse"), headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    for event in events:
        assert_conforms("POST", "/v1/audio/speech", 200, event, "text/event-stream")
    *deltas, done = events
    assert len(deltas) > 1 and all(event["type"] == "speech.audio.delta" for event in deltas)
    assert b"".join(base64.b64decode(event["audio"]) for event in deltas) == audio
    assert done["type"] == "speech.audio.done"
    usage = done["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    again = http.post("/v1/audio/speech", json=_speech_request(stream_format="sse"), headers=AUTH)
    assert again.text == response.text  # deterministic


def test_speech_stream_format_audio_is_the_plain_bytes(client: openai.OpenAI) -> None:
    plain = client.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input=SPOKEN, response_format="wav")
    explicit = client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input=SPOKEN, response_format="wav", stream_format="audio"
    )
    assert explicit.read() == plain.read()


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (_speech_request(stream_format="json"), "stream_format"),
        (_speech_request(model="tts-1", stream_format="sse"), "stream_format"),
        (_speech_request(model="tts-1-hd", stream_format="sse"), "stream_format"),
    ],
)
def test_speech_bad_stream_format_is_400(http: TestClient, body: dict[str, Any], param: str) -> None:
    _refused(http.post("/v1/audio/speech", json=body, headers=AUTH), param)


# --------------------------------------------------------------------------------------------- transcriptions


@pytest.fixture
def spoken_wav(client: openai.OpenAI) -> bytes:
    return client.audio.speech.create(model="tts-1", voice="alloy", input=SPOKEN, response_format="wav").read()


def test_transcription_languages_are_reported_and_keywords_spelt_as_given(http: TestClient, spoken_wav: bytes) -> None:
    response = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("speech.wav", spoken_wav, "audio/wav")},
        data={"model": "gpt-4o-transcribe", "keywords[]": ["KUBERNETES"], "languages[]": ["en", "fr"]},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_conforms("POST", "/v1/audio/transcriptions", 200, body)
    assert body["text"] == "Please call KUBERNETES support today."
    assert body["languages"] == [{"code": "en"}, {"code": "fr"}]


def test_transcription_languages_set_the_verbose_language(client: openai.OpenAI, spoken_wav: bytes) -> None:
    transcript = client.audio.transcriptions.create(
        model="whisper-1",
        file=("speech.wav", spoken_wav),
        response_format="verbose_json",
        extra_body={"languages": ["de"]},
    )
    assert transcript.language == "german"


def test_transcription_stream_done_lists_the_languages(http: TestClient, spoken_wav: bytes) -> None:
    response = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("speech.wav", spoken_wav, "audio/wav")},
        data={"model": "gpt-4o-mini-transcribe", "stream": "true", "languages[]": ["es"]},
        headers=AUTH,
    )
    events = _events(response.text)
    for event in events:
        assert_conforms("POST", "/v1/audio/transcriptions", 200, event, "text/event-stream")
    assert events[-1]["type"] == "transcript.text.done"
    assert events[-1]["languages"] == [{"code": "es"}]


def test_transcription_unknown_language_in_languages_names_its_index(http: TestClient, spoken_wav: bytes) -> None:
    response = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("speech.wav", spoken_wav, "audio/wav")},
        data={"model": "gpt-4o-transcribe", "languages[]": ["en", "xx"]},
        headers=AUTH,
    )
    _refused(response, "languages[1]")


# --------------------------------------------------------------------------------------------- realtime


def test_realtime_session_keeps_prompt_and_truncation(http: TestClient) -> None:
    prompt = {"id": "pmpt_123", "version": "2", "variables": {"city": "Paris"}}
    truncation = {"type": "retention_ratio", "retention_ratio": 0.5, "token_limits": {"post_instructions": 200}}
    response = http.post(
        "/v1/realtime/sessions",
        json={"model": "gpt-4o-realtime-preview", "prompt": prompt, "truncation": truncation},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    session = response.json()
    assert_conforms("POST", "/v1/realtime/sessions", 200, session)
    assert session["prompt"] == prompt
    assert session["truncation"] == truncation
    plain = http.post("/v1/realtime/sessions", json={"truncation": "disabled"}, headers=AUTH).json()
    assert plain["truncation"] == "disabled" and "prompt" not in plain


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"truncation": "sometimes"}, "session.truncation"),
        ({"truncation": {"type": "retention_ratio", "retention_ratio": 1.5}}, "session.truncation.retention_ratio"),
        ({"truncation": {"type": "retention_ratio"}}, "session.truncation.retention_ratio"),
        ({"truncation": {"type": "tokens", "retention_ratio": 0.5}}, "session.truncation.type"),
        (
            {
                "truncation": {
                    "type": "retention_ratio",
                    "retention_ratio": 0.5,
                    "token_limits": {"post_instructions": -1},
                }
            },
            "session.truncation.token_limits.post_instructions",
        ),
        ({"prompt": {"version": "1"}}, "session.prompt.id"),
        ({"prompt": {"id": "pmpt_1", "variables": "city"}}, "session.prompt.variables"),
    ],
)
def test_realtime_session_bad_prompt_or_truncation_is_400(http: TestClient, extra: dict[str, Any], param: str) -> None:
    _refused(http.post("/v1/realtime/sessions", json=extra, headers=AUTH), param)
