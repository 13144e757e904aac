"""Videos, voice consents and custom voices on DynamoDB Local, as `openai-mock serve --store dynamodb` and Lambda
with EnablePersistence=true keep them: a job created in one container is read, finished by the clock,
downloaded, listed and deleted from another; consents and voices likewise, and speech finds the voice."""

from __future__ import annotations

import io
import warnings

import av
import openai
import pytest

from openai_mock import clock
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.synthesis import synthesize
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.sdk import asgi_client


def test_video_jobs_on_dynamodb_local(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's Sora deprecation notice
    clock.freeze(1_760_000_000)
    client = asgi_client(mock_app, api_key="sk-persistent")
    first = client.videos.create(prompt="A heron in the reeds", size="1280x720", seconds="4")
    second = client.videos.create(prompt="A heron takes off", model="sora-2-pro")
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # a new container: everything below is read back from DynamoDB Local
    clock.advance(600)
    again = asgi_client(mock_app, api_key="sk-persistent")
    assert again.videos.retrieve(first.id).status == "completed"
    assert [video.id for video in again.videos.list(limit=1)] == [second.id, first.id]  # two pages
    container = av.open(io.BytesIO(again.videos.download_content(first.id).read()))
    assert (container.streams.video[0].width, container.streams.video[0].height) == (1280, 720)
    remix = again.videos.remix(first.id, prompt="The heron at night")
    assert remix.remixed_from_video_id == first.id
    with pytest.raises(openai.NotFoundError):
        asgi_client(mock_app, api_key="sk-someone-else").videos.retrieve(first.id)
    assert again.videos.delete(first.id).deleted
    assert first.id not in [video.id for video in again.videos.list()]


def test_consents_and_voices_on_dynamodb_local(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    client = asgi_client(mock_app, api_key="sk-persistent")
    wav = to_wav(synthesize("I agree to this.", "nova"), "I agree to this.")
    consent = client.audio.voice_consents.create(name="Ana", language="pt-BR", recording=("c.wav", wav, "audio/wav"))
    voice = client.audio.voices.create(name="Ana's voice", consent=consent.id, audio_sample=("s.wav", wav, "audio/wav"))

    reset_stores()
    again = asgi_client(mock_app, api_key="sk-persistent")
    assert again.audio.voice_consents.update(consent.id, name="Ana S.").name == "Ana S."
    assert [item.name for item in again.audio.voice_consents.list()] == ["Ana S."]
    speech = again.audio.speech.create(model="tts-1", voice={"id": voice.id}, input="Olá", response_format="wav")
    assert speech.read().startswith(b"RIFF")
    assert again.audio.voice_consents.delete(consent.id).deleted
    with pytest.raises(openai.NotFoundError):
        again.audio.voice_consents.retrieve(consent.id)
    assert again.audio.voices.delete(voice.id).deleted  # the voice, then: gone for speech in every container
    reset_stores()
    with pytest.raises(openai.NotFoundError):
        asgi_client(mock_app, api_key="sk-persistent").audio.speech.create(
            model="tts-1", voice={"id": voice.id}, input="Olá"
        )
