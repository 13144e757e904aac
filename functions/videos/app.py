"""Videos (Sora): create, remix, edit, extend; retrieve, list, delete; download the MP4 and its previews;
characters (openai_mock.resources.videos). Past the API's shut-down (the `as_of` setting) every route is gone."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from openai_mock.as_of import SORA_SHUTDOWN
from openai_mock.pagination import ListParams
from openai_mock.resources import videos
from openai_mock.resources.ratelimits import record_usage
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.form_body import read_fields
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.shutdowns import served_until

router = APIRouter(prefix="/v1/videos", dependencies=[Depends(served_until(SORA_SHUTDOWN))])


def _start(request: Request, job: dict[str, Any]) -> JSONObject:
    """A new job is billed for the seconds it renders (none for a prompt the moderation blocks) as it is admitted."""
    tenant = tenant_of(request)
    seconds = 0 if job["_blocked"] else job["_billed_seconds"]
    record_usage(request, tenant, str(job["model"]), 0, "videos", seconds=seconds, size=job["size"])
    return JSONObject(videos.start(tenant, job))


@router.post("", operation_id="createVideo")
async def create_video(request: Request) -> JSONObject:
    return _start(request, videos.create(tenant_of(request), await read_fields(request)))


@router.get("", operation_id="ListVideos")
async def list_videos(request: Request, params: Annotated[ListParams, list_query(before=False)]) -> JSONObject:
    return JSONObject(videos.list_videos(tenant_of(request), params))


@router.post("/characters", operation_id="CreateVideoCharacter")
async def create_character(request: Request) -> JSONObject:
    return JSONObject(videos.create_character(tenant_of(request), await read_fields(request)))


@router.get("/characters/{character_id}", operation_id="GetVideoCharacter")
async def get_character(character_id: str, request: Request) -> JSONObject:
    return JSONObject(videos.get_character(tenant_of(request), character_id))


@router.post("/edits", operation_id="CreateVideoEdit")
async def edit_video(request: Request) -> JSONObject:
    return _start(request, videos.edit(tenant_of(request), await read_fields(request)))


@router.post("/extensions", operation_id="CreateVideoExtend")
async def extend_video(request: Request) -> JSONObject:
    return _start(request, videos.extend(tenant_of(request), await read_fields(request)))


@router.get("/{video_id}", operation_id="GetVideo")
async def retrieve_video(video_id: str, request: Request) -> JSONObject:
    return JSONObject(videos.retrieve(tenant_of(request), video_id))


@router.delete("/{video_id}", operation_id="DeleteVideo")
async def delete_video(video_id: str, request: Request) -> JSONObject:
    return JSONObject(videos.delete(tenant_of(request), video_id))


@router.get("/{video_id}/content", operation_id="RetrieveVideoContent")
async def download_content(video_id: str, request: Request, variant: Annotated[str | None, Query()] = None) -> Response:
    data, content_type = videos.content(tenant_of(request), video_id, variant)
    return Response(data, media_type=content_type)


@router.post("/{video_id}/remix", operation_id="CreateVideoRemix")
async def remix_video(video_id: str, request: Request) -> JSONObject:
    return _start(request, videos.remix(tenant_of(request), video_id, await read_fields(request)))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_VIDEO = [(videos.COLLECTION, "video_id")]
PATH_OBJECTS = {"/v1/videos/{video_id}": _VIDEO, "/v1/videos/{video_id}/{action}": _VIDEO}  # content, remix
app = create_app(router, title="openai-mock videos", path_objects=PATH_OBJECTS)
handler = make_handler(app)
