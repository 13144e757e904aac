"""Embeddings: vectors for text or token arrays (float or base64), with exact token usage."""

from fastapi import APIRouter, Request

from openai_mock.resources import embeddings, ratelimits
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/embeddings")


@router.post("", operation_id="createEmbedding")
async def create_embedding(request: Request) -> JSONObject:
    body = await json_body(request, embeddings.EmbeddingRequest)
    tenant = tenant_of(request)
    response = embeddings.create_embedding(tenant, body)
    tokens = response["usage"]["total_tokens"]
    ratelimits.record_usage(request, tenant, response["model"], tokens, "embeddings", input_tokens=tokens)
    return JSONObject(response)


app = create_app(router, title="openai-mock embeddings")
handler = make_handler(app)
