"""The baseline of bench/groups.py: a bare FastAPI app answering each benchmarked POST with a fixed payload of
the same shape and size as the mock's answer, and nothing else (no auth, no validation, no generation, no
store, no headers, no rate limits). It does parse the JSON body, as any app serving a POST must."""

import base64
import json
import os

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from openai_mock.resources.models import BASE_MODELS

_CHAT = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1795650809,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "A fixed answer of about seventy tokens. " * 9,
                    "refusal": None,
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 14, "completion_tokens": 73, "total_tokens": 87},
        "service_tier": "default",
        "system_fingerprint": "fp_bench",
    }
).encode()

_RESPONSE = json.dumps(
    {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1795650810,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": "gpt-4o-mini",
        "output": [
            {
                "type": "message",
                "id": "msg_bench",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": "A fixed answer of about seventy tokens. " * 9, "annotations": []}
                ],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {"input_tokens": 14, "output_tokens": 77, "total_tokens": 91},
        "metadata": {},
    }
).encode()


def _chunk(delta: dict, finish: str | None) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1795650809,
        "model": "gpt-4o-mini",
        "system_fingerprint": "fp_bench",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


# 20 chunks (role, 18 tokens, finish) then [DONE], like the mock's stream with max_tokens=18.
_STREAM = (
    [_chunk({"role": "assistant", "content": ""}, None)]
    + [_chunk({"content": " word"}, None)] * 18
    + [_chunk({}, "length"), b"data: [DONE]\n\n"]
)

_EMBEDDINGS = json.dumps(
    {
        "object": "list",
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 1000, "total_tokens": 1000},
        "data": [
            {"object": "embedding", "index": i, "embedding": base64.b64encode(os.urandom(1536 * 4)).decode()}
            for i in range(100)
        ],
    }
).encode()
_ONE_EMBEDDING = json.dumps(
    {
        "object": "list",
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 5, "total_tokens": 5},
        "data": [{"object": "embedding", "index": 0, "embedding": base64.b64encode(os.urandom(1536 * 4)).decode()}],
    }
).encode()
_MODELS = json.dumps({"object": "list", "data": [spec.as_object() for spec in BASE_MODELS]}).encode()
_MP3 = os.urandom(232_232)  # the size of the mock's mp3 for ~450 characters
_WAV = os.urandom(1_390_080)
_IMAGE = json.dumps(
    {
        "created": 1795650809,
        "data": [{"b64_json": base64.b64encode(os.urandom(14_000)).decode(), "revised_prompt": "a lighthouse at dusk"}],
    }
).encode()

app = FastAPI()


@app.get("/v1/models")  # the catalogue, as bench/bare_fastapi.py answers it (bench/peers.py measures it)
async def list_models() -> Response:
    return Response(_MODELS, media_type="application/json")


@app.post("/v1/chat/completions")
async def create_chat_completion(request: Request) -> Response:
    body = await request.json()
    if body.get("stream"):

        async def events():  # type: ignore[no-untyped-def]
            for event in _STREAM:
                yield event

        return StreamingResponse(events(), media_type="text/event-stream")
    return Response(_CHAT, media_type="application/json")


@app.post("/v1/responses")
async def create_response(request: Request) -> Response:
    await request.json()
    return Response(_RESPONSE, media_type="application/json")


@app.post("/v1/embeddings")
async def create_embeddings(request: Request) -> Response:
    body = await request.json()
    inputs = body.get("input")
    # As many embeddings as inputs (bench/groups.py sends 100, bench/peers.py one).
    return Response(_EMBEDDINGS if isinstance(inputs, list) else _ONE_EMBEDDING, media_type="application/json")


@app.post("/v1/audio/speech")
async def create_speech(request: Request) -> Response:
    body = await request.json()
    wav = body.get("response_format") == "wav"
    return Response(_WAV if wav else _MP3, media_type="audio/wav" if wav else "audio/mpeg")


@app.post("/v1/images/generations")
async def create_image(request: Request) -> Response:
    await request.json()
    return Response(_IMAGE, media_type="application/json")
