"""Usage (completions, embeddings, moderations, images, audio, vector stores, code interpreter, file search
and web search calls) and costs of the organization, bucketed by time from the traffic recorded through
this mock."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from openai_mock.resources.organization import caller_objects, organization
from openai_mock.resources.organization.usage import UsageQuery, costs, usage
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import array_param, optional_int, query_array

router = APIRouter(prefix="/v1/organization")
_FILTERS = {
    "project_ids": "project_id",
    "user_ids": "user_id",
    "api_key_ids": "api_key_id",
    "models": "model",
    "sizes": "size",
    "sources": "source",
    "vector_store_ids": "vector_store_id",
    "context_levels": "context_level",
}


async def usage_query(
    request: Request,
    start_time: Annotated[int, Query()],
    bucket_width: Annotated[str, Query()] = "1d",
    page: Annotated[str | None, Query()] = None,
    batch: Annotated[bool | None, Query()] = None,
    group_by: Annotated[list[str], Depends(query_array("group_by"))] = [],  # noqa: B006 (FastAPI default)
) -> UsageQuery:
    filters = {dimension: array_param(request, name) for name, dimension in _FILTERS.items()}
    return UsageQuery(
        start_time=start_time,
        end_time=optional_int(request, "end_time"),
        bucket_width=bucket_width,
        group_by=group_by,
        limit=optional_int(request, "limit"),
        page=page or None,
        filters={dimension: values for dimension, values in filters.items() if values},
        batch=batch,
    )


Usage = Annotated[UsageQuery, Depends(usage_query)]


@router.get("/usage/completions", operation_id="usage-completions")
async def completions(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "completions", query))


@router.get("/usage/decisions", operation_id="usage-decisions")
async def decisions(principal: AdminPrincipal, query: Usage) -> JSONObject:
    # An operation the API gained after the 2026-08-21 spec, as the official SDK calls it.
    return JSONObject(usage(organization(principal).tenant, "decisions", query))


@router.get("/usage/embeddings", operation_id="usage-embeddings")
async def embeddings(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "embeddings", query))


@router.get("/usage/moderations", operation_id="usage-moderations")
async def moderations(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "moderations", query))


@router.get("/usage/images", operation_id="usage-images")
async def images(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "images", query))


@router.get("/usage/audio_speeches", operation_id="usage-audio-speeches")
async def audio_speeches(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "audio_speeches", query))


@router.get("/usage/audio_transcriptions", operation_id="usage-audio-transcriptions")
async def audio_transcriptions(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "audio_transcriptions", query))


@router.get("/usage/vector_stores", operation_id="usage-vector-stores")
async def vector_stores(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "vector_stores", query))


@router.get("/usage/code_interpreter_sessions", operation_id="usage-code-interpreter-sessions")
async def code_interpreter_sessions(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "code_interpreter_sessions", query))


@router.get("/usage/file_search_calls", operation_id="usage-file-search-calls")
async def file_search_calls(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "file_search_calls", query))


@router.get("/usage/web_search_calls", operation_id="usage-web-search-calls")
async def web_search_calls(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(usage(organization(principal).tenant, "web_search_calls", query))


@router.get("/costs", operation_id="usage-costs")
async def costs_(principal: AdminPrincipal, query: Usage) -> JSONObject:
    return JSONObject(costs(organization(principal).tenant, query))


app = create_app(router, title="openai-mock usage", caller_objects=caller_objects)
handler = make_handler(app)
