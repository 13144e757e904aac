"""Realtime reads aloud what it is asked to ("Read aloud exactly: X" → X, in words and speech), and its audio deltas,
joined and saved as a WAV by the client, transcribe back to X (`audio.transcriptions`), as openai-python's speech
round trip (examples/realtime/speech.py, then speech_to_text.py) expects."""

from __future__ import annotations

import base64
import io
import json
import wave
from typing import Any

import openai
import pytest

from tests.support.live_server import live_client_fixture, live_server_fixture

base_url = live_server_fixture()
client = live_client_fixture()


def _spoken_answer(client: openai.OpenAI, request: str) -> tuple[str, bytes]:
    """The transcript and the joined audio of Realtime's answer to `request`, typed as a user message."""
    with client.realtime.connect(model="gpt-realtime-2.1-mini") as connection:
        connection.session.update(session={"type": "realtime", "output_modalities": ["audio"]})
        connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": request}]}
        )
        connection.response.create()
        audio, transcript = b"", None
        while True:
            event: dict[str, Any] = json.loads(connection._connection.recv(timeout=30, decode=False))
            assert event["type"] != "error", event
            if event["type"] == "response.output_audio.delta":
                audio += base64.b64decode(event["delta"])
            elif event["type"] == "response.output_audio_transcript.done":
                transcript = event["transcript"]
            elif event["type"] == "response.done":
                assert event["response"]["status"] == "completed"
                return str(transcript), audio


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        (
            "Read aloud exactly: The quick brown fox jumps over the lazy dog.",
            "The quick brown fox jumps over the lazy dog.",
        ),
        ("Read this out loud: Hello! What is two plus two?", "Hello! What is two plus two?"),
        ('Say: "Meet me at noon."', "Meet me at noon."),
        ("Repeat after me: the rain in Spain", "the rain in Spain"),
    ],
)
def test_realtime_says_what_it_is_asked_to_read(client: openai.OpenAI, request_text: str, said: str) -> None:
    transcript, _ = _spoken_answer(client, request_text)
    assert transcript == said


def test_the_joined_audio_saved_as_wav_transcribes_back(client: openai.OpenAI) -> None:
    transcript, audio = _spoken_answer(client, "Read aloud exactly: The quick brown fox jumps over the lazy dog.")
    saved = io.BytesIO()
    with wave.open(saved, "wb") as output:  # what a client writes: the raw frames, no comment of the mock's
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(24000)
        output.writeframesraw(audio)
    heard = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=("speech.wav", saved.getvalue()))
    assert heard.text == transcript == "The quick brown fox jumps over the lazy dog."
