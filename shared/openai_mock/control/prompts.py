"""Stored prompts: the templates a Responses request names with `prompt: {id, version, variables}`.

OpenAI keeps them in its dashboard; the mock needs an API, so a tenant registers them through the mock controls
(`POST /__mock/prompts`, docs/controls.md). Each registration of an id adds a version ("1", "2", …); a request
uses the version it names or the latest. `{{name}}` in the instructions is replaced by the request's variable of
that name (or the prompt's default); a variable the template needs and nobody gives is OpenAI's 400."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import RequestModel
from openai_mock.pagination import ListParams, list_object
from openai_mock.store import get_store

COLLECTION = "mock.prompt"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromptRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, pattern=r"^pmpt_[A-Za-z0-9]+$")  # a new version of this prompt
    instructions: str = Field(min_length=1)
    model: str | None = None
    variables: dict[str, str] = Field(default_factory=dict)  # defaults


def create(tenant: str, body: PromptRequest) -> dict[str, Any]:
    """A new prompt, or (with `id`) a new version of one; answers the prompt with every version."""
    version = {
        "instructions": body.instructions,
        "model": body.model,
        "variables": body.variables,
        "created_at": clock.now_seconds(),
    }
    store = get_store()
    if body.id is None:
        prompt = {"id": ids.new_id("mock.prompt"), "object": "mock.prompt", "versions": [{"version": "1", **version}]}
        return store.create(tenant, COLLECTION, prompt)

    def add(current: dict[str, Any]) -> dict[str, Any]:
        number = str(len(current["versions"]) + 1)
        return {**current, "versions": [*current["versions"], {"version": number, **version}]}

    updated = store.update(tenant, COLLECTION, body.id, add)
    if updated is None:
        raise not_found("prompt", body.id, param="id")
    return updated


def retrieve(tenant: str, prompt_id: str, param: str = "prompt_id") -> dict[str, Any]:
    prompt = get_store().get(tenant, COLLECTION, prompt_id)
    if prompt is None:
        raise OpenAIError(404, f"Prompt with id '{prompt_id}' not found.", param=param)
    return prompt


def list_prompts(tenant: str, params: ListParams) -> dict[str, Any]:
    return list_object(get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after))


def delete(tenant: str, prompt_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, COLLECTION, prompt_id) is None:
        raise OpenAIError(404, f"Prompt with id '{prompt_id}' not found.", param="prompt_id")
    return {"id": prompt_id, "object": "mock.prompt.deleted", "deleted": True}


def _text(value: Any) -> str:
    """A variable's value: a string, or an input_text part (OpenAI also allows images and files there)."""
    if isinstance(value, Mapping):
        return str(value.get("text") or value.get("image_url") or value.get("file_id") or "")
    return str(value)


def expand(tenant: str, reference: Mapping[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """The instructions and model a `prompt` reference stands for, and the reference as the response echoes it."""
    prompt_id = reference.get("id")
    if not isinstance(prompt_id, str) or not prompt_id:
        raise invalid_request("Missing required parameter: 'prompt.id'.", "prompt.id", "missing_required_parameter")
    versions = retrieve(tenant, prompt_id, param="prompt.id")["versions"]
    wanted = reference.get("version")
    chosen = versions[-1] if wanted is None else next((v for v in versions if v["version"] == str(wanted)), None)
    if chosen is None:
        raise OpenAIError(404, f"Prompt version '{wanted}' of '{prompt_id}' not found.", param="prompt.version")
    given = reference.get("variables") or {}
    if not isinstance(given, Mapping):
        raise invalid_request(
            "Invalid type for 'prompt.variables': expected an object.", "prompt.variables", "invalid_type"
        )
    values = {**chosen["variables"], **{name: _text(value) for name, value in given.items()}}
    missing = sorted({name for name in _VARIABLE.findall(chosen["instructions"]) if name not in values})
    if missing:
        raise invalid_request(
            f"Missing prompt variables: {', '.join(missing)}.", "prompt.variables", "missing_required_parameter"
        )
    instructions = _VARIABLE.sub(lambda match: values[match.group(1)], chosen["instructions"])
    echoed = {"id": prompt_id, "version": chosen["version"], "variables": dict(given)}
    return instructions, chosen["model"], echoed
