"""The values SDK 3.63's Literal types offer, taken where the SDK offers them: the voice catalogue (marin, cedar and
Live's voices, each with its own sound), Chat's `aac` audio and service tiers, and vector store search's `ranker:
"none"` (no re-ranking: scores are the embedding similarity alone). Answers are held to the SDK's models."""

from __future__ import annotations

import base64
import io
import itertools
import typing
from typing import Any

import numpy as np
import openai
import pytest
from openai.types import vector_store_search_params as search_params
from openai.types.audio import speech_create_params as speech_params
from openai.types.beta.realtime import session_create_params as beta_session_params
from openai.types.beta.realtime.session_create_response import SessionCreateResponse
from openai.types.chat import ChatCompletion
from openai.types.chat import chat_completion_audio_param as chat_audio_params
from openai.types.chat import completion_create_params as chat_params
from openai.types.live import built_in_voice
from openai.types.realtime import realtime_audio_config_output_param as realtime_output_params

from openai_mock import clock
from openai_mock.generation.audio import voices
from openai_mock.generation.audio.codecs import to_aac, to_wav
from openai_mock.generation.audio.synthesis import SAMPLE_RATE, synthesize
from openai_mock.resources import chat
from openai_mock.resources.vector_stores import params as vector_store_params
from openai_mock.settings import get_settings
from tests.functions.test_vector_stores import BREAD, CATS, SHIPS
from tests.support.sdk import held

TEXT = "The lighthouse keeper climbed the stairs, lit the lamp and watched the ships pass by."


def _literals(annotation: Any) -> list[str]:
    """The strings a (possibly nested) Literal inside `annotation` allows."""
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return [value for argument in typing.get_args(annotation) for value in _literals(argument)]


def _sdk_field(params: type, name: str) -> list[str]:
    return _literals(typing.get_type_hints(params)[name])


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


# --------------------------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize(
    ("taken", "offered"),
    [
        (voices.SPEECH_VOICES, _sdk_field(speech_params.SpeechCreateParams, "voice")),
        (voices.CHAT_VOICES, _sdk_field(chat_audio_params.ChatCompletionAudioParam, "voice")),
        (voices.REALTIME_VOICES, _sdk_field(realtime_output_params.RealtimeAudioConfigOutputParam, "voice")),
        (voices.LIVE_VOICES, _literals(built_in_voice.BuiltInVoice)),
        (chat.AUDIO_FORMATS, _sdk_field(chat_audio_params.ChatCompletionAudioParam, "format")),
        (chat.SERVICE_TIERS, _sdk_field(chat_params.CompletionCreateParamsBase, "service_tier")),
        (vector_store_params.RANKERS, _sdk_field(search_params.RankingOptions, "ranker")),
    ],
    ids=["speech", "chat", "realtime", "live", "chat-audio-format", "chat-service-tier", "search-ranker"],
)
def test_each_surface_takes_what_its_sdk_literal_offers(taken: tuple[str, ...], offered: list[str]) -> None:
    assert list(taken) == offered  # in the SDK's order, the order a 400 lists them in


def test_the_beta_realtime_sessions_take_the_ga_voices() -> None:
    """The beta SDK's literal stops at `verse`, but its type is an open string and the spec's VoiceIdsShared (the
    request of `POST /v1/realtime/sessions`) has marin and cedar."""
    beta = _sdk_field(beta_session_params.SessionCreateParams, "voice")
    assert set(beta) < set(voices.REALTIME_VOICES) and {"marin", "cedar"} <= set(voices.REALTIME_VOICES)


def _pitch(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2")
    voiced = samples[samples != 0]
    signs = voiced >= 0
    return float((signs[1:] != signs[:-1]).sum()) / 2 / (len(voiced) / SAMPLE_RATE)


def test_every_voice_a_surface_takes_has_its_own_sound_at_one_loudness() -> None:
    surfaces = {*voices.SPEECH_VOICES, *voices.CHAT_VOICES, *voices.REALTIME_VOICES, *voices.LIVE_VOICES}
    assert surfaces == set(voices.VOICES)  # nobody speaks in the plain default tone
    sounds = {name: synthesize("Hello", name) for name in sorted(surfaces)}
    assert len(set(sounds.values())) == len(sounds)
    assert len({voice.pitch for voice in voices.VOICES.values()}) == len(voices.VOICES)
    # Every timbre crosses zero twice a period, so the pitch reads back (a custom voice's sample is read so):
    # one word, one inflection, about the same ratio to the catalogue pitch for every voice (overtones that
    # crossed zero too would double it).
    ratios = [_pitch(pcm) / voices.VOICES[name].pitch for name, pcm in sounds.items()]
    assert max(ratios) - min(ratios) < 0.05
    loudness = [float(np.sqrt((np.frombuffer(pcm, dtype="<i2").astype(float) ** 2).mean())) for pcm in sounds.values()]
    assert max(loudness) / min(loudness) < 1.15  # pauses differ a little; the tones are equally loud
    for first, second in itertools.combinations(("marin", "cedar", "alloy"), 2):
        assert abs(_pitch(sounds[first]) - _pitch(sounds[second])) > 20


# --------------------------------------------------------------------------------------------- speech


@pytest.mark.parametrize("voice", ["marin", "cedar", "ballad"])
def test_speech_speaks_in_the_new_voices_on_gpt_4o_mini_tts(client: openai.OpenAI, voice: str) -> None:
    raw = client.audio.speech.with_raw_response.create(
        model="gpt-4o-mini-tts", voice=voice, input=TEXT, response_format="wav"
    )
    assert raw.http_response.headers["content-type"] == "audio/wav"
    assert raw.http_response.content == to_wav(synthesize(TEXT, voice), TEXT)


def test_tts_1_keeps_its_nine_voices(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.speech.create(model="tts-1", voice="marin", input=TEXT)
    assert _error(raised)["param"] == "voice" and "'marin'" in _error(raised)["message"]
    assert "'onyx'" in _error(raised)["message"] and "'verse'" not in _error(raised)["message"]


# --------------------------------------------------------------------------------------------- chat


def _spoken(client: openai.OpenAI, voice: str, audio_format: str) -> dict[str, Any]:
    spoken: dict[str, Any] = {"modalities": ["text", "audio"], "audio": {"voice": voice, "format": audio_format}}
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-audio-preview", messages=[{"role": "user", "content": "Tell me about lighthouses."}], **spoken
    )
    body = held(ChatCompletion, raw)
    return dict(body["choices"][0]["message"]["audio"])


@pytest.mark.parametrize("voice", ["marin", "cedar"])
def test_chat_speaks_in_marin_and_cedar(client: openai.OpenAI, voice: str) -> None:
    audio = _spoken(client, voice, "pcm16")
    assert base64.b64decode(audio["data"]) == synthesize(audio["transcript"], voice)


def test_chat_answers_aac(client: openai.OpenAI) -> None:
    audio = _spoken(client, "marin", "aac")
    data = base64.b64decode(audio["data"])
    assert data[:2] == b"\xff\xf1"  # ADTS sync word, MPEG-4, no CRC
    assert data == to_aac(synthesize(audio["transcript"], "marin"), audio["transcript"])


def test_chat_refuses_the_responses_only_ultrafast_tier(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(  # type: ignore[call-overload]
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], service_tier="ultrafast"
        )
    assert _error(raised)["param"] == "service_tier" and "'ultrafast'" in _error(raised)["message"]


# --------------------------------------------------------------------------------------------- realtime


@pytest.mark.parametrize("voice", ["marin", "cedar"])
def test_beta_realtime_sessions_take_marin_and_cedar(client: openai.OpenAI, voice: str) -> None:
    raw = client.beta.realtime.sessions.with_raw_response.create(model="gpt-4o-realtime-preview", voice=voice)
    assert held(SessionCreateResponse, raw)["voice"] == voice


# --------------------------------------------------------------------------------------------- ranker "none"

DOCUMENTS = {"cats.txt": CATS, "ships.txt": SHIPS, "bread.txt": BREAD}


def _library(client: openai.OpenAI) -> str:
    clock.freeze(1_750_000_000)
    store = client.vector_stores.create(name="library")
    for name, text in DOCUMENTS.items():
        file_id = client.files.create(file=(name, io.BytesIO(text.encode())), purpose="assistants").id
        client.vector_stores.files.create(vector_store_id=store.id, file_id=file_id)
    clock.advance(get_settings().vector_store_processing_seconds)
    return store.id


def test_search_without_reranking_scores_by_embedding_similarity(client: openai.OpenAI) -> None:
    store = _library(client)
    query = "why do cats purr"
    plain = client.vector_stores.search(store, query=query, ranking_options={"ranker": "none"}).data
    reranked = client.vector_stores.search(store, query=query, ranking_options={"ranker": "auto"}).data
    # The first pass's score: the query's and the chunk's embeddings (the embeddings endpoint's, 256 dimensions),
    # their cosine clipped to [0, 1] and square-rooted.
    vectors = client.embeddings.create(
        model="text-embedding-3-large", dimensions=256, input=[query, *(DOCUMENTS[r.filename] for r in plain)]
    ).data
    expected = [float(np.sqrt(max(0.0, np.dot(vectors[0].embedding, item.embedding)))) for item in vectors[1:]]
    assert [r.score for r in plain] == pytest.approx(expected, abs=1e-5)
    assert [r.score for r in plain] == sorted((r.score for r in plain), reverse=True)
    assert plain[0].filename == reranked[0].filename == "cats.txt"
    # Re-ranking (the lexical evidence) is what separates the answer from the rest.
    assert reranked[0].score - reranked[1].score > plain[0].score - plain[1].score
    # `score_threshold` applies to the scores given: the unranked runner-up clears 0.2, the re-ranked one does not.
    kept = client.vector_stores.search(store, query=query, ranking_options={"ranker": "none", "score_threshold": 0.2})
    assert [r.filename for r in kept.data] == [r.filename for r in plain if r.score >= 0.2]
    assert len(kept.data) > len([r for r in reranked if r.score >= 0.2])
