"""Audio: text to speech, transcriptions and translations; custom voices and voice consents
(openai_mock.resources.audio)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response

from openai_mock.pagination import ListParams
from openai_mock.resources import audio
from openai_mock.resources.ratelimits import record_usage
from openai_mock.rng import request_seed
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.form_body import read_fields
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body
from openai_mock.web.sse import sse_stream

router = APIRouter(prefix="/v1/audio")


class TranscriptionForm(audio.TranscriptionOptions):
    file: UploadFile


class TranslationForm(audio.TranslationOptions):
    file: UploadFile


def _answer(transcript: audio.Transcript) -> Response:
    if transcript.kind == "stream":
        return sse_stream(transcript.events)
    if transcript.kind == "text":
        return PlainTextResponse(transcript.text)
    return JSONObject(transcript.json or {})


@router.post("/speech", operation_id="createSpeech")
async def create_speech(request: Request) -> Response:
    body = await json_body(request, audio.CreateSpeechRequest)
    speech = audio.create_speech(body, tenant_of(request))
    # TTS is billed per character
    record_usage(request, tenant_of(request), body.model, len(body.input), "audio_speeches", characters=len(body.input))
    if speech.events is not None:
        return sse_stream(speech.events)
    return Response(speech.content, media_type=speech.content_type)


@router.post("/transcriptions", operation_id="createTranscription", response_model=None)
async def create_transcription(form: Annotated[TranscriptionForm, Form()], request: Request) -> Response:
    options = audio.TranscriptionOptions.model_validate(form.model_dump(exclude={"file"}))
    transcript = audio.create_transcription(
        options, await form.file.read(), form.file.filename, request_seed(request.headers), tenant_of(request)
    )
    record_usage(request, tenant_of(request), form.model, 0, "audio_transcriptions", seconds=transcript.seconds)
    return _answer(transcript)


@router.post("/translations", operation_id="createTranslation", response_model=None)
async def create_translation(form: Annotated[TranslationForm, Form()], request: Request) -> Response:
    options = audio.TranslationOptions.model_validate(form.model_dump(exclude={"file"}))
    transcript = audio.create_translation(
        options, await form.file.read(), form.file.filename, request_seed(request.headers), tenant_of(request)
    )
    record_usage(request, tenant_of(request), form.model, 0, "audio_transcriptions", seconds=transcript.seconds)
    return _answer(transcript)


@router.post("/voice_consents", operation_id="createVoiceConsent")
async def create_voice_consent(request: Request) -> JSONObject:
    return JSONObject(audio.create_voice_consent(tenant_of(request), await read_fields(request)))


@router.get("/voice_consents", operation_id="listVoiceConsents")
async def list_voice_consents(
    request: Request, params: Annotated[ListParams, list_query(ordered=False, before=False)]
) -> JSONObject:
    return JSONObject(audio.list_voice_consents(tenant_of(request), params))


@router.get("/voice_consents/{consent_id}", operation_id="getVoiceConsent")
async def retrieve_voice_consent(consent_id: str, request: Request) -> JSONObject:
    return JSONObject(audio.retrieve_voice_consent(tenant_of(request), consent_id))


@router.post("/voice_consents/{consent_id}", operation_id="updateVoiceConsent")
async def update_voice_consent(consent_id: str, request: Request) -> JSONObject:
    return JSONObject(audio.update_voice_consent(tenant_of(request), consent_id, await read_fields(request)))


@router.delete("/voice_consents/{consent_id}", operation_id="deleteVoiceConsent")
async def delete_voice_consent(consent_id: str, request: Request) -> JSONObject:
    return JSONObject(audio.delete_voice_consent(tenant_of(request), consent_id))


@router.post("/voices", operation_id="createVoice")
async def create_voice(request: Request) -> JSONObject:
    return JSONObject(audio.create_voice(tenant_of(request), await read_fields(request)))


@router.delete("/voices/{voice_id}", operation_id="deleteVoice")
async def delete_voice(voice_id: str, request: Request) -> JSONObject:
    return JSONObject(audio.delete_voice(tenant_of(request), voice_id))


app = create_app(router, title="openai-mock audio")
handler = make_handler(app)
