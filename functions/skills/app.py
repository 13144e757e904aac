"""Skills: create from a zip or a directory's files, list, retrieve, set the default version, delete, download
the bundle; versions created, listed, retrieved, deleted and downloaded."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources import skills
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.multipart import Form, is_multipart, read_form
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/skills")
SkillPagination = Annotated[ListParams, list_query(before=False)]


async def _bundle_form(request: Request) -> Form:
    # The bundle's files come as multipart (`files`, `files[]`); a JSON body cannot carry them.
    return await read_form(request) if is_multipart(request) else Form()


def _zip_answer(filename: str, data: bytes) -> Response:
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.post("", operation_id="CreateSkill")
async def create_skill(request: Request) -> JSONObject:
    form = await _bundle_form(request)
    return JSONObject(skills.create(tenant_of(request), form.files_named("files")))


@router.get("", operation_id="ListSkills")
async def list_skills(request: Request, params: SkillPagination) -> JSONObject:
    return JSONObject(skills.list_skills(tenant_of(request), params))


@router.get("/{skill_id}", operation_id="GetSkill")
async def retrieve_skill(skill_id: str, request: Request) -> JSONObject:
    return JSONObject(skills.retrieve(tenant_of(request), skill_id))


@router.post("/{skill_id}", operation_id="UpdateSkillDefaultVersion")
async def update_skill(skill_id: str, request: Request) -> JSONObject:
    body = await json_body(request, skills.SetDefaultVersionRequest)
    return JSONObject(skills.set_default_version(tenant_of(request), skill_id, body))


@router.delete("/{skill_id}", operation_id="DeleteSkill")
async def delete_skill(skill_id: str, request: Request) -> JSONObject:
    return JSONObject(skills.delete(tenant_of(request), skill_id))


@router.get("/{skill_id}/content", operation_id="GetSkillContent")
async def retrieve_skill_content(skill_id: str, request: Request) -> Response:
    return _zip_answer(*skills.content(tenant_of(request), skill_id))


@router.post("/{skill_id}/versions", operation_id="CreateSkillVersion")
async def create_skill_version(skill_id: str, request: Request) -> JSONObject:
    form = await _bundle_form(request)
    default = skills.parse_flag(form.fields.get("default"), "default")
    return JSONObject(skills.create_version(tenant_of(request), skill_id, form.files_named("files"), default))


@router.get("/{skill_id}/versions", operation_id="ListSkillVersions")
async def list_skill_versions(skill_id: str, request: Request, params: SkillPagination) -> JSONObject:
    return JSONObject(skills.list_versions(tenant_of(request), skill_id, params))


@router.get("/{skill_id}/versions/{version}", operation_id="GetSkillVersion")
async def retrieve_skill_version(skill_id: str, version: str, request: Request) -> JSONObject:
    return JSONObject(skills.retrieve_version(tenant_of(request), skill_id, version))


@router.delete("/{skill_id}/versions/{version}", operation_id="DeleteSkillVersion")
async def delete_skill_version(skill_id: str, version: str, request: Request) -> JSONObject:
    return JSONObject(skills.delete_version(tenant_of(request), skill_id, version))


@router.get("/{skill_id}/versions/{version}/content", operation_id="GetSkillVersionContent")
async def retrieve_skill_version_content(skill_id: str, version: str, request: Request) -> Response:
    return _zip_answer(*skills.version_content(tenant_of(request), skill_id, version))


app = create_app(router, title="openai-mock skills")
handler = make_handler(app)
