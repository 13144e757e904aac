"""Images: generate from a prompt, edit with a mask or a markup (images uploaded, or referenced in JSON), make
variations. Real PNGs, JPEGs, WebPs, GIFs and SVGs (openai_mock.resources.images)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import Response

from openai_mock.resources import images, safety
from openai_mock.resources.ratelimits import record_usage
from openai_mock.rng import request_seed
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject, respond
from openai_mock.web.multipart import is_multipart, read_form
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/images")


def _is_form(request: Request) -> bool:
    # Multipart, or a urlencoded form (which carries no image: its edit is refused for the missing `image`).
    content_type = request.headers.get("content-type", "").lower()
    return is_multipart(request) or content_type.startswith("application/x-www-form-urlencoded")


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
        images.rate_limited_tokens(answer),
        "images",
        images=len(answer["data"]),
        size=body.size or "1024x1024",
        source="image.generation",
    )
    return respond(images.delivered(answer, body, "image_generation"))


@router.post("/edits", operation_id="createImageEdit", response_model=None)
async def create_image_edit(request: Request) -> Response:
    # Multipart uploads the images; JSON references them (a File's id, a data URL, a URL): the spec takes both.
    tenant, seed = tenant_of(request), request_seed(request.headers)
    options: images.ImageEditOptions
    if _is_form(request):
        form = images.ImageEditForm.read(await read_form(request))
        options = safety.honour_deactivations(request, form.edit_options())
        answer = images.create_image_edit(options, form.image, form.mask, seed, form.markup)
    else:
        body = safety.honour_deactivations(request, await json_body(request, images.ImageEditJSONRequest))
        options, answer = body, images.create_image_edit_by_reference(tenant, body, seed)
    answer = images.with_fixture(tenant, "images.edits", options, options.prompt, answer)
    record_usage(
        request,
        tenant,
        options.model or "dall-e-2",
        images.rate_limited_tokens(answer),
        "images",
        images=len(answer["data"]),
        size=options.size or "1024x1024",
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
