"""Images: generate from a prompt, edit with a mask or a markup, make variations. Real PNGs, JPEGs, WebPs, GIFs and
SVGs (openai_mock.resources.images)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import Response

from openai_mock.resources import images, safety
from openai_mock.resources.ratelimits import record_usage
from openai_mock.rng import request_seed
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject, respond
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/images")


class ImageEditForm(images.ImageEditFormFields):
    image: UploadFile
    mask: UploadFile | None = None
    markup: UploadFile | None = None


class ImageVariationForm(images.ImageVariationOptions):
    image: UploadFile


@router.post("/generations", operation_id="createImage", response_model=None)
async def create_image(request: Request) -> Response:
    body = safety.honour_deactivations(request, await json_body(request, images.CreateImageRequest))
    answer = images.create_image(body, request_seed(request.headers))
    answer = images.with_fixture(tenant_of(request), "images.generations", body, body.prompt, answer)
    record_usage(
        request,
        tenant_of(request),
        body.model or "dall-e-2",
        0,
        "images",
        images=len(answer["data"]),
        size=body.size or "1024x1024",
        source="image.generation",
    )
    return respond(images.delivered(answer, body, "image_generation"))


@router.post("/edits", operation_id="createImageEdit", response_model=None)
async def create_image_edit(form: Annotated[ImageEditForm, Form()], request: Request) -> Response:
    mask = await form.mask.read() if form.mask is not None else None
    markup = await form.markup.read() if form.markup is not None else None
    options = safety.honour_deactivations(request, form.edit_options())
    answer = images.create_image_edit(options, await form.image.read(), mask, request_seed(request.headers), markup)
    answer = images.with_fixture(tenant_of(request), "images.edits", options, options.prompt, answer)
    record_usage(
        request,
        tenant_of(request),
        form.model or "dall-e-2",
        0,
        "images",
        images=len(answer["data"]),
        size=form.size or "1024x1024",
        source="image.edit",
    )
    return respond(images.delivered(answer, options, "image_edit"))


@router.post("/variations", operation_id="createImageVariation")
async def create_image_variation(form: Annotated[ImageVariationForm, Form()], request: Request) -> JSONObject:
    options = images.ImageVariationOptions.model_validate(form.model_dump(exclude={"image"}))
    answer = images.create_image_variation(options, await form.image.read(), request_seed(request.headers))
    answer = images.with_fixture(tenant_of(request), "images.variations", options, None, answer)
    record_usage(
        request,
        tenant_of(request),
        form.model or "dall-e-2",
        0,
        "images",
        images=len(answer["data"]),
        size=form.size or "1024x1024",
        source="image.variation",
    )
    return JSONObject(answer)


app = create_app(router, title="openai-mock images")
handler = make_handler(app)
