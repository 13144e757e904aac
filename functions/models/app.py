"""Models: list the catalogue, retrieve a model, delete a fine-tuned model."""

from fastapi import APIRouter, Request

from openai_mock.resources import models
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import EncodedJSON, JSONObject

router = APIRouter(prefix="/v1/models")


@router.get("", operation_id="listModels")
async def list_models(request: Request) -> EncodedJSON:
    return EncodedJSON(models.list_models_json(tenant_of(request)))


@router.get("/{model}", operation_id="retrieveModel")
async def retrieve_model(model: str, request: Request) -> JSONObject:
    return JSONObject(models.retrieve_model(tenant_of(request), model))


@router.delete("/{model}", operation_id="deleteModel")
async def delete_model(model: str, request: Request) -> JSONObject:
    return JSONObject(models.delete_model(tenant_of(request), model))


app = create_app(router, title="openai-mock models")
handler = make_handler(app)
