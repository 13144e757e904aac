"""Fixtures: rules that match a model request and say what to answer (text, tool calls, a structured object
or an error), how slowly, and how often to fail. A tenant's fixtures live in the store (so every function
of a deployment sees them); a deployment may also load fixtures from a file for every tenant.

The answer is not sent as is: the layer hands it to the normal builders as a `Scripted` (generation/chat.py),
so it is fitted to the token budget, counted, streamed and validated like generated content."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openai_mock import clock, ids
from openai_mock.control import faults
from openai_mock.errors import OpenAIError, not_found
from openai_mock.generation.chat import Scripted
from openai_mock.pagination import ListParams, list_object
from openai_mock.settings import get_settings
from openai_mock.store import COUNTERS, get_store

if TYPE_CHECKING:
    from openai_mock.control.fixture_models import FixtureRequest

COLLECTION = "mock.fixture"


# --------------------------------------------------------------------------------------------- store


def create(tenant: str, body: FixtureRequest) -> dict[str, Any]:
    fixture = {
        "id": ids.new_id("mock.fixture"),
        "object": "mock.fixture",
        "created_at": clock.now_seconds(),
        **body.model_dump(mode="json", exclude_none=True),
        "matched": 0,
    }
    return get_store().create(tenant, COLLECTION, fixture)


def retrieve(tenant: str, fixture_id: str) -> dict[str, Any]:
    fixture = get_store().get(tenant, COLLECTION, fixture_id)
    if fixture is None:
        raise not_found("fixture", fixture_id, param="fixture_id")
    return fixture


def list_fixtures(tenant: str, params: ListParams) -> dict[str, Any]:
    return list_object(
        get_store().list(
            tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after, before=params.before
        )
    )


def delete(tenant: str, fixture_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, COLLECTION, fixture_id) is None:
        raise not_found("fixture", fixture_id, param="fixture_id")
    return {"id": fixture_id, "object": "mock.fixture.deleted", "deleted": True}


def delete_all(tenant: str) -> dict[str, Any]:
    count = get_store().delete_collection(tenant, COLLECTION)
    return {"object": "mock.fixture.deleted", "deleted": True, "count": count}


def tenant_fixtures(tenant: str) -> list[dict[str, Any]]:
    store, found, after = get_store(), [], None
    while True:
        page = store.list(tenant, COLLECTION, limit=100, order="asc", after=after)
        found += page.items
        if not page.has_more or not page.items:
            return found
        after = page.items[-1]["id"]


@lru_cache(maxsize=8)
def _file_fixtures(path: str) -> tuple[dict[str, Any], ...]:
    return tuple(load_file(Path(path)))


def load_file(path: Path) -> list[dict[str, Any]]:
    """A YAML or JSON file: a list of fixtures, or {"fixtures": [...]}. Validated like the admin API's body."""
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml  # the local extra; a Lambda deployment uses JSON files

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    entries = document.get("fixtures", []) if isinstance(document, dict) else document
    from openai_mock.control.fixture_models import FixtureRequest  # only when a deployment loads a file

    return [
        {
            "id": f"file_fixture_{index}",
            "object": "mock.fixture",
            "created_at": 0,
            **FixtureRequest.model_validate(entry).model_dump(mode="json", exclude_none=True),
            "matched": 0,
        }
        for index, entry in enumerate(entries or [])
    ]


def deployment_fixtures() -> tuple[dict[str, Any], ...]:
    path = get_settings().fixtures_file
    return _file_fixtures(path) if path else ()


# --------------------------------------------------------------------------------------------- matching


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text") or "") for part in content if isinstance(part, Mapping))
    return ""


def _scoped_text(messages: Sequence[Mapping[str, Any]], scope: str) -> str:
    if scope == "any":
        return "\n".join(_text(message.get("content")) for message in messages)
    if scope == "system":
        return "\n".join(_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer"))
    for message in reversed(messages):
        if message.get("role") == "user":
            return _text(message.get("content"))
    return ""


def _tool_names(request: Mapping[str, Any]) -> set[str]:
    names = set()
    for tool in [*(request.get("tools") or []), *(request.get("functions") or [])]:
        function = tool.get("function", tool) if isinstance(tool, Mapping) else {}
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return names


def meets(match: Mapping[str, Any], endpoint: str, request: Mapping[str, Any]) -> bool:
    """Do the conditions other than `call` hold for this (chat-shaped) request?"""
    if match.get("endpoint") not in (None, endpoint) or match.get("model") not in (None, request.get("model")):
        return False
    if "contains" in match or "regex" in match:
        subject = _scoped_text(request.get("messages") or [], match.get("scope", "last_user"))
        if "contains" in match and match["contains"].lower() not in subject.lower():
            return False
        if "regex" in match and re.search(match["regex"], subject) is None:
            return False
    if "tool" in match and match["tool"] not in _tool_names(request):
        return False
    metadata = request.get("metadata") or {}
    return all(metadata.get(key) == value for key, value in (match.get("metadata") or {}).items())


def _counts(fixture: Mapping[str, Any], matched: int) -> bool:
    wanted = fixture["match"].get("call")
    return (wanted is None or matched == wanted) and (fixture.get("times") is None or matched <= fixture["times"])


def _count_file_match(tenant: str, fixture_id: str) -> int:
    # Deployment fixtures are read-only: each tenant's count of one is a shared counter of the store (every
    # function and container counts together; a reset clears it).
    ttl = get_settings().ttl_seconds or None
    return (
        get_store()
        .increment(tenant, COUNTERS, f"fixture#{fixture_id}", {"matched": 1}, expires_in=ttl)
        .values["matched"]
    )


def match_fixture(tenant: str, endpoint: str, request: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first fixture (the tenant's, oldest first, then the deployment's) this request triggers.
    Every fixture whose conditions hold counts the request, so `call: n` means the n-th such request."""
    store = get_store()
    for fixture in tenant_fixtures(tenant):
        if "exchange" in fixture or not meets(fixture["match"], endpoint, request):
            continue

        def bump(stored: dict[str, Any]) -> dict[str, Any]:
            return {**stored, "matched": stored["matched"] + 1}

        counted = store.update(tenant, COLLECTION, fixture["id"], bump)
        if counted is not None and _counts(counted, counted["matched"]):
            return counted
    for fixture in deployment_fixtures():
        if "exchange" in fixture:
            continue  # recorded exchanges are `serve --replay`'s (local/recording.py)
        if meets(fixture["match"], endpoint, request) and _counts(fixture, _count_file_match(tenant, fixture["id"])):
            return fixture
    return None


def script_of(answer: Mapping[str, Any]) -> Scripted | None:
    """The fixture's content or tool calls as builder input (None: let the mock generate)."""
    calls = tuple(
        (
            call["name"],
            call["arguments"]
            if isinstance(call["arguments"], str)
            else json.dumps(call["arguments"], separators=(",", ":")),
        )
        for call in answer.get("tool_calls") or []
    )
    if "structured" in answer:
        return Scripted(json.dumps(answer["structured"], ensure_ascii=False), calls)
    if "content" in answer or calls:
        return Scripted(answer.get("content"), calls)
    return None


def error_of(answer: Mapping[str, Any], model: str, organization: str) -> OpenAIError:
    spec = answer["error"]
    if spec.get("kind"):
        error = faults.fault_error(spec["kind"], model=model, organization=organization)
    else:
        error = faults.status_error(spec.get("status") or 500)
    for field in ("message", "type", "code", "param"):
        if field in spec:
            setattr(error, field, spec[field])
    error.headers.update(spec.get("headers") or {})
    return error


def reset_process_state() -> None:
    _file_fixtures.cache_clear()
