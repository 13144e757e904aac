"""The baseline: a bare FastAPI app answering GET /v1/models with the same catalogue, and nothing
else (no auth, no tenancy, no headers, no error envelope)."""

from fastapi import FastAPI

from openai_mock.resources.models import BASE_MODELS

_CATALOGUE = {"object": "list", "data": [spec.as_object() for spec in BASE_MODELS]}

app = FastAPI()


@app.get("/v1/models")
async def list_models() -> dict:
    return _CATALOGUE
