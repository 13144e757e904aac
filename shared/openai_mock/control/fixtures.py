"""Fixtures: rules that match a model request and say what to answer (text, tool calls, a structured object
or an error), how slowly, and how often to fail. A tenant's fixtures live in the store (so every function
of a deployment sees them); a deployment may also load fixtures from a file for every tenant.

The answer is not sent as is: the layer hands it to the normal builders as a `Scripted` (generation/chat.py),
so it is fitted to the token budget, counted, streamed and validated like generated content.

Of the fixtures whose conditions hold, the most specific answers (`specificity`); a fixture may give a sequence
of answers (`responses`, its position counted in the store) and placeholders in them (fixture_templates.py).
A fixture whose endpoint is "METHOD /path" answers any operation (fixture_routes.py).

Every request the controls see asks for its tenant's fixtures, and most tenants have none or the same few for a
long time: a process keeps a copy of each tenant's list while their stamp stands (store/copies.py)."""

from __future__ import annotations

import base64
import contextvars
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openai_mock import clock, ids
from openai_mock.control import faults, runtime
from openai_mock.errors import OpenAIError, not_found
from openai_mock.generation.content import Scripted, content_text
from openai_mock.pagination import ListParams, list_object
from openai_mock.settings import get_settings
from openai_mock.store import COUNTERS, Counted, get_store, write_behind
from openai_mock.store.copies import Copies

if TYPE_CHECKING:
    from openai_mock.control import fixture_templates
    from openai_mock.control.fixture_models import FixtureRequest

COLLECTION = "mock.fixture"
_copies = Copies(COLLECTION)  # every change below calls `_copies.changed` after it is written


# --------------------------------------------------------------------------------------------- store


def create(tenant: str, body: FixtureRequest) -> dict[str, Any]:
    fixture = {
        "id": ids.new_id("mock.fixture"),
        "object": "mock.fixture",
        "created_at": clock.now_seconds(),
        **body.model_dump(mode="json", exclude_none=True),
        "matched": 0,
    }
    if body.responses is not None:
        fixture["served"] = 0  # answers of the sequence given so far
    created = get_store().create(tenant, COLLECTION, fixture)
    _copies.changed(tenant)
    return created


def retrieve(tenant: str, fixture_id: str) -> dict[str, Any]:
    fixture = get_store().get(tenant, COLLECTION, fixture_id)
    if fixture is None:
        raise not_found("fixture", fixture_id, param="fixture_id")
    [counted] = _with_counts(tenant, [fixture])
    return counted


def list_fixtures(tenant: str, params: ListParams) -> dict[str, Any]:
    page = get_store().list(
        tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after, before=params.before
    )
    return list_object(page._replace(items=_with_counts(tenant, page.items)))


def delete(tenant: str, fixture_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, COLLECTION, fixture_id) is None:
        raise not_found("fixture", fixture_id, param="fixture_id")
    _copies.changed(tenant)
    return {"id": fixture_id, "object": "mock.fixture.deleted", "deleted": True}


def delete_all(tenant: str) -> dict[str, Any]:
    count = get_store().delete_collection(tenant, COLLECTION)
    _copies.changed(tenant)
    return {"object": "mock.fixture.deleted", "deleted": True, "count": count}


def tenant_fixtures(tenant: str) -> list[dict[str, Any]]:
    """The tenant's fixtures, oldest first (this process's copy while it stands: not to be changed)."""
    return _copies.items(tenant)


@lru_cache(maxsize=8)
def _file_fixtures(path: str) -> tuple[dict[str, Any], ...]:
    return tuple(load_file(Path(path)))


@lru_cache(maxsize=8)
def _file_route_fixtures(path: str) -> tuple[dict[str, Any], ...]:
    # Every request asks whether a route fixture answers it: a file of hundreds of model fixtures is not walked
    # for that each time.
    return tuple(fixture for fixture in _file_fixtures(path) if is_route(fixture))


def load_file(path: Path) -> list[dict[str, Any]]:
    """A YAML or JSON file: a list of fixtures, or {"fixtures": [...]}. Validated like the admin API's body."""
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    entries = document.get("fixtures", []) if isinstance(document, dict) else document
    from openai_mock.control.fixture_models import FixtureRequest  # only when a deployment loads a file

    for index, entry in enumerate(entries or []):
        _read_byte_files(entry, path.parent, index)

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


def _read_byte_files(entry: Any, folder: Path, index: int) -> None:
    """A file's answer may name its bytes (`b64_file`, relative to the fixtures file) instead of giving `b64`."""
    if not isinstance(entry, dict):
        return
    answers = [entry.get("response"), *(entry.get("responses") or [])]
    for answer in answers:
        if isinstance(answer, dict) and "b64_file" in answer:
            name = answer.pop("b64_file")
            try:
                answer["b64"] = base64.b64encode((folder / str(name)).read_bytes()).decode("ascii")
            except OSError as error:
                raise ValueError(f"fixture {index}: b64_file {name!r}: {error.strerror or error}") from None


def deployment_fixtures(*, routes_only: bool = False) -> tuple[dict[str, Any], ...]:
    """The deployment file's fixtures (`OPENAI_MOCK_FIXTURES_FILE`), in its order; only its route fixtures
    ("METHOD /path" endpoints) with `routes_only`."""
    path = get_settings().fixtures_file
    if not path:
        return ()
    try:
        return _file_route_fixtures(path) if routes_only else _file_fixtures(path)
    except Exception as error:  # the deployment's file, not the request: say what is wrong; read again next time
        detail = " ".join(str(error).split())[:400] or type(error).__name__
        raise OpenAIError(
            500,
            f"The mock's fixtures file (OPENAI_MOCK_FIXTURES_FILE={path}) cannot be used: {detail}",
            type="server_error",
            code="mock_fixtures_file",
        ) from None


# --------------------------------------------------------------------------------------------- counts
# How many requests a fixture matched and how many answers of its sequence it gave are counter items of the
# tenant's (`fixture#<id>`), for the tenant's fixtures as for the deployment file's: every function and container
# adds to them at once, with no read-modify-write of the fixture, which each request it matches would contend for.
# A fixture object keeps the counts it had before they became counters (0 for those created since): the two add.
_COUNT_KEYS = ("fixture#", "fixture$")  # every `fixture#…` key sorts strictly between these


def _add_count(
    tenant: str, fixture_id: str, amounts: Mapping[str, int], limits: Mapping[str, int] | None = None
) -> Counted:
    ttl = get_settings().ttl_seconds or None
    return get_store().increment(tenant, COUNTERS, f"fixture#{fixture_id}", amounts, limits=limits, expires_in=ttl)


def _with_counts(tenant: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fixtures with their counts as they stand: one read of the tenant's fixture counters."""
    if not found:
        return found
    after, before = _COUNT_KEYS
    counts = dict(get_store().counters(tenant, COUNTERS, after=after, before=before))
    counted = []
    for fixture in found:
        added = counts.get(f"fixture#{fixture['id']}", {})
        fixture = {**fixture, "matched": fixture["matched"] + added.get("matched", 0)}
        if "served" in fixture:
            fixture["served"] += added.get("served", 0)
        counted.append(fixture)
    return counted


# --------------------------------------------------------------------------------------------- matching


def _scoped_text(messages: Sequence[Mapping[str, Any]], scope: str) -> str:
    if scope == "any":
        return "\n".join(content_text(message.get("content")) for message in messages)
    if scope == "system":
        return "\n".join(content_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer"))
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def _tool_names(request: Mapping[str, Any]) -> set[str]:
    names = set()
    for tool in [*(request.get("tools") or []), *(request.get("functions") or [])]:
        function = tool.get("function", tool) if isinstance(tool, Mapping) else {}
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return names


@lru_cache(maxsize=256)
def _route_pattern(route: str) -> re.Pattern[str]:
    """ "GET /v1/models/{model}" → a regex of "METHOD /path": a `{name}` or `*` segment is any one segment."""
    method, _, path = route.partition(" ")
    segments = [
        "[^/]+" if part == "*" or re.fullmatch(r"\{[^/{}]*\}", part) else re.escape(part) for part in path.split("/")
    ]
    return re.compile(re.escape(method) + " " + "/".join(segments))


# What a fixture without `endpoint` matches: the text-generating endpoints (images, audio and moderations
# fixtures name their endpoint).
_CATCH_ALL = frozenset({"chat.completions", "completions", "responses", "assistants.runs", "embeddings", "realtime"})


def _endpoint_holds(wanted: str | None, endpoint: str) -> bool:
    """A model endpoint's name, or "METHOD /path" of any operation (a route fixture, control/fixture_routes.py).
    No endpoint given: model requests only (a catch-all fixture never answers other operations)."""
    if wanted is None:
        return endpoint in _CATCH_ALL
    if wanted == endpoint:
        return True
    return " " in wanted and " " in endpoint and _route_pattern(wanted).fullmatch(endpoint) is not None


def is_route(fixture: Mapping[str, Any]) -> bool:
    return " " in (fixture["match"].get("endpoint") or "")


def route_fixtures_for(tenant: str, method: str, path: str) -> bool:
    """Might a route fixture ("METHOD /path") answer this operation? Lists the tenant's fixtures once (kept for
    the rest of the request: the model hook reuses them)."""
    endpoint = f"{method} {path}"
    for fixture in itertools.chain(request_fixtures(tenant, refresh=True), deployment_fixtures(routes_only=True)):
        if is_route(fixture) and _endpoint_holds(fixture["match"]["endpoint"], endpoint):
            return True
    return False


_request_listing: contextvars.ContextVar[tuple[object, list[dict[str, Any]]] | None] = contextvars.ContextVar(
    "mock_fixtures_listed", default=None
)


def request_fixtures(tenant: str, *, refresh: bool = False) -> list[dict[str, Any]]:
    """The tenant's fixtures: as the route check (`refresh`) read them for this HTTP request, else read now (a
    Realtime session, whose controls live as long as it does, asks every time: `tenant_fixtures`)."""
    controls = runtime.current()
    cached = _request_listing.get()
    if not refresh and controls is not None and cached is not None and cached[0] is controls:
        return cached[1]
    found = tenant_fixtures(tenant)
    if refresh and controls is not None:
        _request_listing.set((controls, found))
    return found


def _request_headers() -> dict[str, str]:
    """The headers of the request in flight (names lower-cased; repeated ones joined by ", ")."""
    controls = runtime.current()
    headers: dict[str, str] = {}
    for name, value in controls.request_headers if controls is not None else ():
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _header_holds(wanted: str, value: str | None) -> bool:
    if value is None:
        return False
    if value == wanted:
        return True
    try:
        return re.fullmatch(wanted, value) is not None
    except re.error:  # not a regex: only the exact value matched
        return False


def _tool_results(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """The texts of the tool results the request carries (chat `role: tool` messages; Responses'
    `function_call_output` items arrive as those)."""
    return [content_text(m.get("content")) for m in messages if m.get("role") in ("tool", "function")]


def _body_holds(condition: Mapping[str, Any], body: Any) -> bool:
    from openai_mock.control import json_path  # fixtures with `match.body` only: not at the cold start

    value = json_path.read(body, condition["path"])
    if "exists" in condition:
        return (value is not json_path.MISSING) == condition["exists"]
    if value is json_path.MISSING:
        return False
    if "equals" in condition:
        wanted = condition["equals"]
        return value == wanted and isinstance(value, bool) == isinstance(wanted, bool)
    if "contains" in condition:
        if isinstance(value, list):
            return condition["contains"] in value
        return isinstance(value, str) and condition["contains"].lower() in value.lower()
    subject = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return re.search(condition["regex"], subject) is not None


def meets(
    match: Mapping[str, Any],
    endpoint: str,
    request: Mapping[str, Any],
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> bool:
    """Do the conditions other than `call` hold for this (chat-shaped) request? `body` is the request as sent
    (what `match.body` paths read; default `request`), `headers` its headers with lower-case names."""
    if not _endpoint_holds(match.get("endpoint"), endpoint) or match.get("model") not in (None, request.get("model")):
        return False
    messages = request.get("messages") or []
    if "contains" in match or "regex" in match:
        subject = _scoped_text(messages, match.get("scope", "last_user"))
        if "contains" in match and match["contains"].lower() not in subject.lower():
            return False
        if "regex" in match and re.search(match["regex"], subject) is None:
            return False
    if "tool" in match and match["tool"] not in _tool_names(request):
        return False
    metadata = request.get("metadata") or {}
    if not all(metadata.get(key) == value for key, value in (match.get("metadata") or {}).items()):
        return False
    if "tool_result" in match:
        results, wanted = _tool_results(messages), match["tool_result"]
        if isinstance(wanted, bool) and bool(results) != wanted:
            return False
        if isinstance(wanted, str) and not any(wanted.lower() in result.lower() for result in results):
            return False
    if "headers" in match:
        sent = headers or {}
        if not all(_header_holds(value, sent.get(name.lower())) for name, value in match["headers"].items()):
            return False
    document = request if body is None else body
    return all(_body_holds(condition, document) for condition in match.get("body") or ())


def specificity(match: Mapping[str, Any]) -> int:
    """How specific a fixture's conditions are: one point per condition given (endpoint, model, contains,
    regex, tool, call), one per entry of metadata, body and headers, one for tool_result (two when it names a
    text). `scope` only says where contains/regex look: no point. The matching fixture with the most points
    answers; among equals, the oldest (the tenant's before the deployment file's, in the file's order)."""
    points = sum(1 for name in ("endpoint", "model", "contains", "regex", "tool", "call") if name in match)
    points += len(match.get("metadata") or {}) + len(match.get("body") or ()) + len(match.get("headers") or {})
    if "tool_result" in match:
        points += 2 if isinstance(match["tool_result"], str) else 1
    return points


def _count_decides(fixture: Mapping[str, Any]) -> bool:
    """Whether the request's match count decides the fixture's answer: its `call` or `times`, a sequence of
    answers, or generated text (`{{mock.text N}}` is seeded by the count). Otherwise the count is only shown."""
    if "call" in fixture["match"] or fixture.get("times") is not None or "responses" in fixture:
        return True
    return "mock.text" in json.dumps(fixture.get("response") or {})


def _counts(fixture: Mapping[str, Any], matched: int) -> bool:
    wanted = fixture["match"].get("call")
    return (wanted is None or matched == wanted) and (fixture.get("times") is None or matched <= fixture["times"])


def _sequence_position(tenant: str, fixture: Mapping[str, Any]) -> int:
    """Which answer of its `responses` the fixture gives now (0-based, before `sequence_end` applies): how many
    it gave before, counted like `matched`. Past the end of a `fall_through` sequence the count stops (and the
    position is the length)."""
    size = len(fixture["responses"])
    given = fixture.get("served", 0)  # (kept in the fixture object before the counts were counters)
    bounded = fixture.get("sequence_end") == "fall_through"
    counted = _add_count(tenant, fixture["id"], {"served": 1}, limits={"served": size - given} if bounded else None)
    return given + counted.values["served"] - 1 if counted.admitted else size


def _answer_of(tenant: str, fixture: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The answer the fixture gives to this request, or None when its sequence fell through."""
    sequence = fixture.get("responses")
    if sequence is None:
        return fixture.get("response") or {}
    position = _sequence_position(tenant, fixture)
    end = fixture.get("sequence_end", "repeat_last")
    if end == "cycle":
        return sequence[position % len(sequence)]  # type: ignore[no-any-return]
    if position >= len(sequence):
        return None if end == "fall_through" else sequence[-1]
    return sequence[position]  # type: ignore[no-any-return]


def match_fixture(
    tenant: str,
    endpoint: str,
    request: Mapping[str, Any],
    *,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """The fixture (the tenant's or the deployment's) that answers this request, with the answer it gives as its
    `response` (templates rendered): the most specific one whose conditions hold (see `specificity`).
    Every fixture whose conditions hold counts the request, so `call: n` means the n-th such request; one
    whose `call`/`times` rule out this request, or whose sequence fell through, leaves it to the next."""
    own = [fixture for fixture in request_fixtures(tenant) if "exchange" not in fixture]
    shared = [fixture for fixture in deployment_fixtures() if "exchange" not in fixture]
    if headers is None and any("headers" in fixture["match"] for fixture in (*own, *shared)):
        headers = _request_headers()  # only read when a fixture asks
    found: list[dict[str, Any]] = []  # the fixtures whose conditions hold, as counted, oldest first
    for fixture in (*own, *shared):  # (recorded exchanges are `serve --replay`'s: local/recording.py)
        if not meets(fixture["match"], endpoint, request, body=body, headers=headers):
            continue
        if write_behind.running() and not _count_decides(fixture):  # on AWS: counted beside the answer
            write_behind.soon(_add_count, tenant, fixture["id"], {"matched": 1})
            found.append(fixture)
            continue
        matched = _add_count(tenant, fixture["id"], {"matched": 1}).values["matched"]
        found.append({**fixture, "matched": fixture["matched"] + matched})
    ranked = sorted(range(len(found)), key=lambda index: (-specificity(found[index]["match"]), index))
    for index in ranked:
        fixture = found[index]
        if not _counts(fixture, fixture["matched"]):
            continue
        answer = _answer_of(tenant, fixture)
        if answer is None:
            continue
        from openai_mock.control import fixture_templates  # a fixture's answer only: not at the cold start

        context = fixture_templates.Context(
            request, request if body is None else body, (fixture["id"], fixture["matched"])
        )
        return {**fixture, "response": rendered(answer, context)}
    return None


def rendered(answer: Mapping[str, Any], context: fixture_templates.Context) -> dict[str, Any]:
    """The answer with the placeholders of its content, structured strings and tool call arguments replaced."""
    from openai_mock.control import fixture_templates

    done = dict(answer)
    for field in ("content", "structured", "output"):
        if field in done:
            done[field] = fixture_templates.render(done[field], context)
    if "tool_calls" in done:
        done["tool_calls"] = [
            {**call, "arguments": fixture_templates.render(call.get("arguments", {}), context)}
            for call in done["tool_calls"]
        ]
    return done


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
    _copies.forget()
    _file_fixtures.cache_clear()
    _file_route_fixtures.cache_clear()
