"""A GA Realtime session's `audio.input.transcription` options, through the official SDK: each model's constraints
(`delay` gpt-realtime-whisper only, which takes no prompt; `keywords` and `languages` gpt-transcribe and
gpt-live-transcribe only) refused where the object arrives (client secrets, `session.update`), and the accepted
options acting on the transcripts of input audio (spellings, languages heard, how much text each delta carries)."""

from __future__ import annotations

import base64
import math
from typing import Any

import openai
import pytest
from openai.types.realtime import ClientSecretCreateResponse

from openai_mock.control import runtime
from openai_mock.generation.audio.codecs import to_pcm
from openai_mock.generation.audio.synthesis import SAMPLE_RATE, synthesize
from openai_mock.generation.text import split_on_tokens
from openai_mock.generation.tokens import count_tokens
from tests.functions.test_realtime_socket import _next, _of, _until
from tests.support.live_server import live_client_fixture, live_server_fixture
from tests.support.sdk import held

PARAM = "session.audio.input.transcription"
SAID = "please ask openai when the zyntriqix launch is planned for this year and who will present it"


base_url = live_server_fixture()
live = live_client_fixture()


def _session(kind: str, transcription: dict[str, Any]) -> Any:
    """A session as the SDK sends it (its TypedDicts cannot type the options a model refuses)."""
    return {"type": kind, "audio": {"input": {"transcription": transcription}}}


REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"model": "gpt-4o-transcribe", "delay": "low"}, "delay", "unsupported_parameter"),
    ({"model": "gpt-realtime-whisper", "delay": "slow"}, "delay", "invalid_value"),
    ({"model": "whisper-1", "keywords": ["OpenAI"]}, "keywords", "unsupported_parameter"),
    ({"model": "gpt-4o-mini-transcribe", "languages": ["en"]}, "languages", "unsupported_parameter"),
    ({"model": "gpt-realtime-whisper", "prompt": "Expect OpenAI."}, "prompt", "unsupported_parameter"),
    ({"model": "gpt-4o-transcribe-diarize", "prompt": "Expect OpenAI."}, "prompt", "unsupported_parameter"),
    ({"model": "gpt-4o"}, "model", "invalid_value"),
    ({"model": "gpt-transcribe", "languages": []}, "languages", "empty_array"),
    ({"model": "gpt-transcribe", "languages": ["en", "english"]}, "languages[1]", "invalid_value"),
    ({"model": "gpt-transcribe", "keywords": "OpenAI"}, "keywords", "invalid_type"),
    ({"model": "gpt-4o-transcribe", "language": "xx"}, "language", "invalid_value"),
    ({"model": "gpt-4o-transcribe", "speakers": 2}, "speakers", "unknown_parameter"),
]


@pytest.mark.parametrize("kind", ["realtime", "transcription"])
@pytest.mark.parametrize(("transcription", "field", "code"), REFUSED)
def test_client_secret_refuses_an_option_its_model_lacks(
    client: openai.OpenAI, kind: str, transcription: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.client_secrets.create(session=_session(kind, transcription))
    error = raised.value.response.json()["error"]
    assert (error["param"], error["code"]) == (f"{PARAM}.{field}", code)


ACCEPTED: list[dict[str, Any]] = [
    {"model": "gpt-realtime-whisper", "delay": "xhigh", "language": "en"},
    {"model": "gpt-transcribe", "keywords": ["OpenAI"], "languages": ["en", "fr"], "prompt": "A product briefing."},
    {"model": "gpt-live-transcribe", "keywords": ["ZyntriQix"], "language": "en"},
    {"model": "whisper-1", "prompt": "OpenAI, ZyntriQix", "language": "en"},
    {"model": "gpt-4o-transcribe", "prompt": "Expect questions about OpenAI."},
]


@pytest.mark.parametrize("kind", ["realtime", "transcription"])
@pytest.mark.parametrize("transcription", ACCEPTED)
def test_client_secret_keeps_the_options_its_model_takes(
    client: openai.OpenAI, kind: str, transcription: dict[str, Any]
) -> None:
    raw = client.realtime.client_secrets.with_raw_response.create(session=_session(kind, transcription))
    body = held(ClientSecretCreateResponse, raw)
    assert body["session"]["type"] == kind
    assert body["session"]["audio"]["input"]["transcription"] == transcription


def _heard(connection: Any, text: str) -> list[dict[str, Any]]:
    """The events transcribing `text`, said once (the mock hears its own speech) and committed by the client."""
    audio = b"\x00\x00" * (SAMPLE_RATE // 5) + to_pcm(synthesize(text, "alloy"), text)
    connection.input_audio_buffer.append(audio=base64.b64encode(audio).decode())
    connection.input_audio_buffer.commit()
    return _until(connection, "conversation.item.input_audio_transcription.completed")


def _transcribing(connection: Any, transcription: dict[str, Any]) -> dict[str, Any]:
    assert _next(connection)["type"] == "session.created"
    connection.session.update(
        session={"type": "realtime", "audio": {"input": {"transcription": transcription, "turn_detection": None}}}
    )
    updated = _next(connection)
    assert updated["type"] == "session.updated", updated
    return updated


def test_session_update_refuses_an_option_its_model_lacks_and_keeps_the_session(live: openai.OpenAI) -> None:
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, {"model": "gpt-transcribe", "keywords": ["OpenAI"]})
        for transcription, field, code in REFUSED:
            connection.session.update(session=_session("realtime", transcription))
            error = _next(connection)
            assert error["type"] == "error"
            assert (error["error"]["param"], error["error"]["code"]) == (f"{PARAM}.{field}", code)
        events = _heard(connection, SAID)  # the session is as it was: gpt-transcribe spelling OpenAI
    assert events[-1]["transcript"] == SAID.replace("openai", "OpenAI")


def test_another_model_starts_from_its_own_options(live: openai.OpenAI) -> None:
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, {"model": "gpt-transcribe", "keywords": ["OpenAI"], "languages": ["en"]})
        # Merged into gpt-transcribe's options, whisper-1 would be given keywords it does not take.
        connection.session.update(session=_session("realtime", {"model": "whisper-1"}))
        updated = _next(connection)
        assert updated["session"]["audio"]["input"]["transcription"] == {"model": "whisper-1"}
        connection.session.update(session=_session("realtime", {"language": "en"}))  # the same model: merged
        updated = _next(connection)
        assert updated["session"]["audio"]["input"]["transcription"] == {"model": "whisper-1", "language": "en"}


def test_keywords_are_spelt_as_given_and_languages_are_those_heard(live: openai.OpenAI) -> None:
    options = {"model": "gpt-transcribe", "keywords": ["OpenAI", "ZyntriQix"], "languages": ["en", "fr", "en"]}
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, options)
        events = _heard(connection, SAID)
    completed = events[-1]
    expected = SAID.replace("openai", "OpenAI").replace("zyntriqix", "ZyntriQix")
    assert completed["transcript"] == expected
    assert "".join(e["delta"] for e in _of(events, "conversation.item.input_audio_transcription.delta")) == expected
    assert completed["languages"] == [{"code": "en"}, {"code": "fr"}]


def test_language_alone_is_the_language_heard(live: openai.OpenAI) -> None:
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, {"model": "gpt-live-transcribe", "language": "de"})
        with_language = _heard(connection, SAID)[-1]
        connection.session.update(session=_session("realtime", {"model": "gpt-4o-transcribe", "language": "de"}))
        assert _next(connection)["type"] == "session.updated"
        other_model = _heard(connection, SAID)[-1]
    assert with_language["languages"] == [{"code": "de"}]
    assert "languages" not in other_model  # only gpt-transcribe and gpt-live-transcribe report them


@pytest.mark.parametrize(
    ("model", "prompt", "expected"),
    [
        # whisper-1's prompt is a list of keywords: each spelt as given.
        ("whisper-1", "OpenAI, ZyntriQix, Planned", SAID.replace("openai", "OpenAI").replace("zyntriqix", "ZyntriQix")
         .replace("planned", "Planned")),
        # A free-text prompt says what to expect; only its unusual spellings carry over.
        ("gpt-4o-transcribe", "Expect questions about OpenAI. Planned launches.", SAID.replace("openai", "OpenAI")),
    ],
)  # fmt: skip
def test_a_prompt_guides_the_spelling(live: openai.OpenAI, model: str, prompt: str, expected: str) -> None:
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, {"model": model, "prompt": prompt})
        assert _heard(connection, SAID)[-1]["transcript"] == expected


@pytest.mark.parametrize(("delay", "tokens_a_delta"), [("minimal", 1), ("low", 2), ("high", 8), ("xhigh", 16)])
def test_delay_decides_how_much_text_each_delta_carries(live: openai.OpenAI, delay: str, tokens_a_delta: int) -> None:
    with live.realtime.connect(model="gpt-realtime") as connection:
        _transcribing(connection, {"model": "gpt-realtime-whisper", "delay": delay})
        events = _heard(connection, SAID)
    pieces = split_on_tokens(SAID, "gpt-4o")
    deltas = [e["delta"] for e in _of(events, "conversation.item.input_audio_transcription.delta")]
    assert "".join(deltas) == events[-1]["transcript"] == SAID
    assert len(deltas) == math.ceil(len(pieces) / tokens_a_delta)
    assert deltas[0] == "".join(pieces[:tokens_a_delta])
    assert events[-1]["usage"]["output_tokens"] == len(pieces)  # billed by the tokens, however grouped


def test_a_longer_delay_holds_the_first_text_back(live: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(runtime, "sleep", record)
    firsts = []
    for delay in ("minimal", "xhigh"):
        waits.clear()
        with live.realtime.connect(
            model="gpt-realtime", extra_headers={"x-mock-tokens-per-second": "50"}
        ) as connection:
            _transcribing(connection, {"model": "gpt-realtime-whisper", "delay": delay})
            events = _heard(connection, SAID)
        deltas = [e["delta"] for e in _of(events, "conversation.item.input_audio_transcription.delta")]
        assert waits == [count_tokens(delta, "gpt-4o") / 50 for delta in deltas]
        firsts.append(waits[0])
    assert firsts == [1 / 50, 16 / 50]


def test_a_transcription_secret_transcribes_with_its_options(base_url: str, live: openai.OpenAI) -> None:
    options = {"model": "gpt-transcribe", "keywords": ["ZyntriQix"], "languages": ["en"]}
    session = _session("transcription", options)
    session["audio"]["input"]["turn_detection"] = None  # the client commits
    secret = live.realtime.client_secrets.create(session=session)
    listener = openai.OpenAI(base_url=base_url, api_key=secret.value, max_retries=0)
    with listener.realtime.connect(model="gpt-realtime") as connection:
        created = _next(connection)
        assert created["session"]["audio"]["input"]["transcription"] == options
        events = _heard(connection, SAID)
    assert events[-1]["transcript"] == SAID.replace("zyntriqix", "ZyntriQix")
    assert events[-1]["languages"] == [{"code": "en"}]
