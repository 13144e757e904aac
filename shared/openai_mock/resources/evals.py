"""Evals: evals with their data-source config and testing criteria; runs that sample and grade; output items.

An eval is stored as created (`custom` item schema, or the `logs` / `stored_completions` schema of logged
completions). A run is worked out completely when it is created: its rows are read (inline JSONL, a file, or the
tenant's stored chat completions / responses), each row is sampled when the data source asks for it (the mock's
chat generation, seeded by the row and `sampling_params.seed`) and graded by every testing criterion
(`resources/graders.py`). The run and its output items are then stored, the items due one after another: the
clock makes the run progress (queued → in_progress → completed), and a read shows what is done by then —
`result_counts`, `per_testing_criteria_results` and `per_model_usage` always add up over the rows done, and
only those rows' output items are listed. Cancelling stops it there.

A run reaches its terminal status (completed, failed, canceled) in one place, `_settle`, exactly once (the
stored `_settled` flag is flipped by a conditional update); it then calls the hooks registered with
`on_run_terminal` with the event OpenAI's webhooks name: `eval.run.succeeded`, `eval.run.failed` or
`eval.run.canceled`.

Forcing a failure: a run whose data source yields no rows fails (`empty_data_source`), and run metadata
`{"mock_fail": "true"}` makes it fail when it starts (`internal_error`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ConfigDict

from openai_mock import clock
from openai_mock.checks import check_enum, check_metadata
from openai_mock.control import webhooks
from openai_mock.control.api import scripted
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import RequestModel
from openai_mock.generation import graders as grading
from openai_mock.ids import new_id, stable_id
from openai_mock.pagination import ListParams, Page, list_object, paginate
from openai_mock.resources import files, graders, models
from openai_mock.rng import seeded_rng
from openai_mock.schema_checks import check_function, check_json_schema_format
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.store.base import Object

COLLECTION = "eval"
RUNS = "eval.run"  # scoped by eval: eval.run/<eval_id>
OUTPUT_ITEMS = "eval.run.output_item"  # scoped by run: eval.run.output_item/<run_id>
CONFIG_TYPES = ("custom", "logs", "stored_completions")
RUN_SOURCE_TYPES = ("jsonl", "completions", "responses")
RUN_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")
TERMINAL = ("completed", "failed", "canceled")
WEBHOOK_EVENTS = {"completed": "eval.run.succeeded", "failed": "eval.run.failed", "canceled": "eval.run.canceled"}
QUEUE_SECONDS = 3  # queued → in_progress
ROW_SECONDS = 1  # per row, plus one per model call (sampling, model graders)
DEFAULT_SEED = 42
MOCK_FAIL_KEY = "mock_fail"
REPORT_URL = "https://platform.openai.com/evaluations/{eval_id}?run_id={run_id}"

# What `{{sample.…}}` offers a grader, as the eval's schema tells a client.
SAMPLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "choices": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "message": {
                        "type": "object",
                        "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
                        "required": ["role", "content"],
                    },
                    "finish_reason": {"type": "string"},
                },
                "required": ["index", "message", "finish_reason"],
            },
        },
        "output_text": {"type": "string"},
        "output_json": {"type": "object"},
        "output_tools": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["model", "choices"],
}
_MESSAGES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
        "required": ["role", "content"],
    },
}
LOGS_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "model": {"type": "string"},
        "input": _MESSAGES_SCHEMA,
        "output": _MESSAGES_SCHEMA,
        "metadata": {"type": "object"},
    },
    "required": ["input", "output"],
}

TerminalHook = Callable[[str, Mapping[str, Any], str], None]
_terminal_hooks: list[TerminalHook] = []


def on_run_terminal(hook: TerminalHook) -> TerminalHook:
    """Register `hook(tenant, run, event_type)`, called once per run when it completes, fails or is canceled
    (`event_type`: eval.run.succeeded | eval.run.failed | eval.run.canceled). Usable as a decorator."""
    _terminal_hooks.append(hook)
    return hook


# --------------------------------------------------------------------------- request models


class CreateEvalRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    data_source_config: dict[str, Any]
    testing_criteria: list[Any]
    name: str | None = None
    metadata: dict[str, str] | None = None


class UpdateEvalRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    metadata: dict[str, str] | None = None


class CreateRunRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    data_source: dict[str, Any]
    name: str | None = None
    metadata: dict[str, str] | None = None


# --------------------------------------------------------------------------- evals


def _criterion_id(name: str, eval_id: str, index: int) -> str:
    """`<name>-<uuid>`, as the API names a testing criterion in `per_testing_criteria_results`."""
    digest = hashlib.sha256(f"{eval_id}|{index}".encode()).hexdigest()
    return f"{name}-{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _data_source_config(config: Mapping[str, Any]) -> dict[str, Any]:
    kind = config.get("type")
    if kind is None:
        raise invalid_request(
            "Missing required parameter: 'data_source_config.type'.",
            "data_source_config.type",
            "missing_required_parameter",
        )
    check_enum(kind, CONFIG_TYPES, "data_source_config.type")
    allowed = {"custom": {"type", "item_schema", "include_sample_schema"}}.get(kind, {"type", "metadata"})
    extra = sorted(set(config) - allowed)
    if extra:
        raise invalid_request(
            f"Unknown parameter: 'data_source_config.{extra[0]}'.",
            f"data_source_config.{extra[0]}",
            "unknown_parameter",
        )
    if kind == "custom":
        schema = config.get("item_schema")
        if schema is None:
            raise invalid_request(
                "Missing required parameter: 'data_source_config.item_schema'.",
                "data_source_config.item_schema",
                "missing_required_parameter",
            )
        if not isinstance(schema, dict) or schema.get("type", "object") != "object":
            raise invalid_request(
                "Invalid 'data_source_config.item_schema': expected a JSON schema of type 'object'.",
                "data_source_config.item_schema",
                "invalid_value",
            )
        with_sample = config.get("include_sample_schema", False)
        if not isinstance(with_sample, bool):
            raise invalid_request(
                "Invalid type for 'data_source_config.include_sample_schema': expected a boolean.",
                "data_source_config.include_sample_schema",
                "invalid_type",
            )
        properties: dict[str, Any] = {"item": schema}
        if with_sample:
            properties["sample"] = SAMPLE_SCHEMA
        return {
            "type": "custom",
            "schema": {"type": "object", "properties": properties, "required": list(properties)},
        }
    metadata = config.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise invalid_request(
            "Invalid type for 'data_source_config.metadata': expected an object.",
            "data_source_config.metadata",
            "invalid_type",
        )
    return {
        "type": kind,
        "metadata": metadata,
        "schema": {
            "type": "object",
            "properties": {"item": LOGS_ITEM_SCHEMA, "sample": SAMPLE_SCHEMA},
            "required": ["item", "sample"],
        },
    }


def _public_eval(record: Mapping[str, Any]) -> Object:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def create_eval(tenant: str, body: CreateEvalRequest) -> Object:
    config = _data_source_config(body.data_source_config)
    check_metadata(body.metadata)
    if not body.testing_criteria:
        raise invalid_request(
            "Invalid 'testing_criteria': empty array. Expected an array with minimum length 1, but got an empty "
            "array instead.",
            "testing_criteria",
            "empty_array",
        )
    criteria = [
        graders.check_grader(
            tenant, criterion, f"testing_criteria[{index}]", allowed=graders.EVAL_GRADER_TYPES, thresholds=True
        )
        for index, criterion in enumerate(body.testing_criteria)
    ]
    now = clock.now_seconds()
    eval_id = new_id("eval")
    for index, criterion in enumerate(criteria):
        criterion["id"] = _criterion_id(criterion["name"], eval_id, index)
    record: Object = {
        "object": "eval",
        "id": eval_id,
        "name": body.name if body.name is not None else f"{config['type'].replace('_', ' ').capitalize()} eval",
        "created_at": now,
        "metadata": body.metadata or {},
        "data_source_config": config,
        "testing_criteria": criteria,
        "_updated_at": now,
    }
    return _public_eval(get_store().create(tenant, COLLECTION, record))


def _eval(tenant: str, eval_id: str) -> Object:
    record = get_store().get(tenant, COLLECTION, eval_id)
    if record is None:
        raise not_found("Eval", eval_id, "eval_id")
    return record


def retrieve_eval(tenant: str, eval_id: str) -> Object:
    return _public_eval(_eval(tenant, eval_id))


def update_eval(tenant: str, eval_id: str, body: UpdateEvalRequest) -> Object:
    check_metadata(body.metadata)
    now = clock.now_seconds()

    def change(current: Object) -> Object:
        updated = {**current, "_updated_at": now}
        if body.name is not None:
            updated["name"] = body.name
        if body.metadata is not None:
            updated["metadata"] = body.metadata
        return updated

    updated = get_store().update(tenant, COLLECTION, eval_id, change)
    if updated is None:
        raise not_found("Eval", eval_id, "eval_id")
    return _public_eval(updated)


def delete_eval(tenant: str, eval_id: str) -> Object:
    store = get_store()
    if store.delete(tenant, COLLECTION, eval_id) is None:
        raise not_found("Eval", eval_id, "eval_id")
    for run in _all(tenant, f"{RUNS}/{eval_id}"):
        store.delete_collection(tenant, f"{OUTPUT_ITEMS}/{run['id']}")
    store.delete_collection(tenant, f"{RUNS}/{eval_id}")
    return {"object": "eval.deleted", "deleted": True, "eval_id": eval_id}


def list_evals(tenant: str, params: ListParams, order_by: str) -> Object:
    check_enum(order_by, ("created_at", "updated_at"), "order_by")
    if order_by == "created_at":
        page = get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after)
        return list_object(page, view=_public_eval)
    records = sorted(_all(tenant, COLLECTION), key=lambda record: (record["_updated_at"], record["id"]))
    return list_object(paginate(records, params), view=_public_eval)


def _all(tenant: str, collection: str, where: Callable[[Object], bool] | None = None) -> list[Object]:
    """Every object of a collection, oldest first."""
    found: list[Object] = []
    after = None
    while True:
        page = get_store().list(tenant, collection, limit=100, order="asc", after=after, where=where)
        found.extend(page.items)
        if not page.has_more or not page.items:
            return found
        after = page.items[-1]["id"]


# --------------------------------------------------------------------------- run data sources


def _bad(message: str, param: str, code: str = "invalid_value") -> OpenAIError:
    return invalid_request(message, param, code)


def _matches(value: Any, schema: Mapping[str, Any]) -> str | None:
    """Why `value` does not fit a JSON schema's types and required properties (the checks an item gets), or None."""
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "integer": int,
        "number": int | float,
        "null": type(None),
    }
    wanted = schema.get("type")
    if isinstance(wanted, str) and wanted in kinds:
        fits = isinstance(value, kinds[wanted]) and not (wanted in ("integer", "number") and isinstance(value, bool))
        if not fits:
            return f"expected {wanted}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                return f"missing required property '{key}'"
        for key, sub in (schema.get("properties") or {}).items():
            if key in value and isinstance(sub, dict):
                reason = _matches(value[key], sub)
                if reason is not None:
                    return f"property '{key}': {reason}"
    return None


def _jsonl_rows(tenant: str, source: Mapping[str, Any], param: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(item, sample) per row of a file_content or file_id source."""
    kind = source.get("type")
    if kind == "file_content":
        content = source.get("content")
        if not isinstance(content, list):
            raise _bad(f"Invalid type for '{param}.content': expected an array.", f"{param}.content", "invalid_type")
        rows = []
        for index, entry in enumerate(content):
            if not isinstance(entry, dict) or not isinstance(entry.get("item"), dict):
                raise _bad(
                    f"Invalid '{param}.content[{index}]': each entry must be an object with an 'item' object.",
                    f"{param}.content[{index}].item",
                )
            sample = entry.get("sample") or {}
            if not isinstance(sample, dict):
                raise _bad(
                    f"Invalid type for '{param}.content[{index}].sample': expected an object.",
                    f"{param}.content[{index}].sample",
                    "invalid_type",
                )
            rows.append((entry["item"], sample))
        return rows
    file_id = source.get("id")
    if not isinstance(file_id, str):
        raise _bad(f"Missing required parameter: '{param}.id'.", f"{param}.id", "missing_required_parameter")
    found = files.find_file(tenant, file_id)
    if found is None:
        raise _bad(f"Invalid '{param}.id': no such File object: {file_id}.", f"{param}.id", "invalid_file")
    rows = []
    for number, raw in enumerate(files.file_bytes(tenant, found, f"{param}.id").decode().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            raise _bad(
                f"Invalid file {file_id}: line {number} is not valid JSON.", f"{param}.id", "invalid_file_format"
            ) from None
        if not isinstance(line, dict):
            raise _bad(
                f"Invalid file {file_id}: line {number} is not a JSON object.", f"{param}.id", "invalid_file_format"
            )
        item = line["item"] if isinstance(line.get("item"), dict) else line
        given = line.get("sample")
        rows.append((item, given if isinstance(given, dict) else {}))
    return rows


def _in_window(created: int, source: Mapping[str, Any]) -> bool:
    after, before = source.get("created_after"), source.get("created_before")
    return (after is None or created >= after) and (before is None or created <= before)


def _metadata_fits(stored: Mapping[str, Any] | None, wanted: Mapping[str, Any] | None) -> bool:
    return all((stored or {}).get(key) == value for key, value in (wanted or {}).items())


# The Chat, Responses and generator layers are imported by the first run that reads or samples with them: creating,
# listing and polling evals (most of this function's requests) need none of them (bench/README.md, cold starts).


def _stored_completion_rows(tenant: str, source: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    from openai_mock.resources import chat

    def wanted(record: Object) -> bool:
        return (
            (source.get("model") is None or record["model"] == source["model"])
            and _metadata_fits(record.get("metadata"), source.get("metadata"))
            and _in_window(record["created"], source)
        )

    found = _all(tenant, chat.COLLECTION, wanted)[::-1]  # newest first, as the API picks them
    if source.get("limit") is not None:
        found = found[: source["limit"]]
    rows = []
    for completion in found[::-1]:
        stored = get_store().get(tenant, chat.MESSAGES_COLLECTION, completion["id"]) or {"data": []}
        inputs = [{"role": m["role"], "content": m.get("content") or ""} for m in stored["data"]]
        message = completion["choices"][0]["message"]
        answer = message.get("content") or ""
        item = {
            "id": completion["id"],
            "model": completion["model"],
            "input": inputs,
            "output": [{"role": "assistant", "content": answer}],
            "metadata": completion.get("metadata") or {},
        }
        rows.append((item, {**graders.sample_namespace(answer, completion["model"]), "_usage": completion["usage"]}))
    return rows


def _response_messages(items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    messages = []
    for entry in items:
        if entry.get("type", "message") == "message" and "role" in entry:
            messages.append({"role": entry["role"], "content": grading.message_text(entry.get("content", ""))})
    return messages


def _stored_response_rows(tenant: str, source: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    from openai_mock.resources import responses

    def wanted(record: Object) -> bool:
        tools = {tool.get("type") for tool in record.get("tools") or []}
        search = source.get("instructions_search")
        return (
            (source.get("model") is None or record["model"] == source["model"])
            and _metadata_fits(record.get("metadata"), source.get("metadata"))
            and _in_window(record["created_at"], source)
            and (search is None or search.lower() in str(record.get("instructions") or "").lower())
            and (not source.get("users") or record.get("user") in source["users"])
            and all(tool in tools for tool in source.get("tools") or [])
            and all(source.get(key) is None or record.get(key) == source[key] for key in ("temperature", "top_p"))
        )

    rows = []
    for response in _all(tenant, responses.COLLECTION, wanted):
        answer = "".join(
            part.get("text", "")
            for entry in response.get("output") or []
            if entry.get("type") == "message"
            for part in entry.get("content") or []
        )
        item = {
            "id": response["id"],
            "model": response["model"],
            "input": _response_messages(response.get("_input") or []),
            "output": [{"role": "assistant", "content": answer}],
            "metadata": response.get("metadata") or {},
        }
        usage = response.get("usage") or {}
        tokens = {
            "prompt_tokens": usage.get("input_tokens", 0),
            "completion_tokens": usage.get("output_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
        }
        rows.append((item, {**graders.sample_namespace(answer, response["model"]), "_usage": tokens}))
    return rows


_FILTERS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "limit": (int, "an integer"),
    "created_after": (int, "an integer"),
    "created_before": (int, "an integer"),
    "model": (str, "a string"),
    "metadata": (dict, "an object"),
    "instructions_search": (str, "a string"),
    "users": (list, "an array of strings"),
    "tools": (list, "an array of strings"),
    "temperature": ((int, float), "a number"),
    "top_p": ((int, float), "a number"),
    "reasoning_effort": (str, "a string"),
}


def _check_filters(source: Mapping[str, Any]) -> None:
    """A stored-completions or responses source's filters: each of its type, or null."""
    for key, (kinds, expected) in _FILTERS.items():
        value = source.get(key)
        if value is None:
            continue
        param = f"data_source.source.{key}"
        wrong = isinstance(value, bool) or not isinstance(value, kinds)
        if isinstance(value, list):
            wrong = wrong or not all(isinstance(entry, str) for entry in value)
        if wrong:
            raise _bad(f"Invalid type for '{param}': expected {expected}.", param, "invalid_type")
        if (key == "limit" and value < 1) or (key.startswith("created_") and value < 0):
            raise _bad(f"Invalid '{param}': {value} is below the minimum.", param)


def _check_input_messages(spec: Any, param: str) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise _bad(f"Invalid type for '{param}': expected an object.", param, "invalid_type")
    kind = spec.get("type")
    check_enum(kind, ("template", "item_reference"), f"{param}.type")
    if kind == "item_reference":
        reference = spec.get("item_reference")
        if not isinstance(reference, str) or not reference.removeprefix("{{").strip().startswith("item"):
            raise _bad(
                f"Invalid '{param}.item_reference': it must name a value of the item, such as 'item.input'.",
                f"{param}.item_reference",
            )
        return dict(spec)
    template = spec.get("template")
    checked = graders.check_messages(template, f"{param}.template")
    return {**spec, "template": [_eval_item(message) for message in checked]}


def _eval_item(message: Mapping[str, Any]) -> dict[str, Any]:
    """A template message as the API echoes it: an EvalItem, its text a typed content part."""
    content = message["content"]
    if isinstance(content, str):
        kind = "output_text" if message["role"] == "assistant" else "input_text"
        content = {"type": kind, "text": content}
    return {"type": "message", "role": message["role"], "content": content}


def _check_run_source(tenant: str, data_source: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any], str | None]:
    """(the data source as the run shows it, its rows, the sampling model or None); 400 for what the API refuses."""
    kind = data_source.get("type")
    if kind is None:
        raise _bad("Missing required parameter: 'data_source.type'.", "data_source.type", "missing_required_parameter")
    check_enum(kind, RUN_SOURCE_TYPES, "data_source.type")
    source = data_source.get("source")
    if not isinstance(source, dict):
        raise _bad(
            "Missing required parameter: 'data_source.source'.", "data_source.source", "missing_required_parameter"
        )
    stored_kind = {"completions": "stored_completions", "responses": "responses"}.get(kind)
    allowed = ("file_content", "file_id", *((stored_kind,) if stored_kind else ()))
    check_enum(source.get("type"), allowed, "data_source.source.type")
    _check_filters(source)
    if source["type"] == "stored_completions":
        rows = _stored_completion_rows(tenant, source)
    elif source["type"] == "responses":
        rows = _stored_response_rows(tenant, source)
    else:
        rows = _jsonl_rows(tenant, source, "data_source.source")
    model = None
    echo = dict(data_source)
    if kind != "jsonl":
        messages = data_source.get("input_messages")
        if messages is None and source["type"] in ("file_content", "file_id"):
            raise _bad(
                "Missing required parameter: 'data_source.input_messages'.",
                "data_source.input_messages",
                "missing_required_parameter",
            )
        if messages is not None:
            echo["input_messages"] = _check_input_messages(messages, "data_source.input_messages")
            model = data_source.get("model")
            if not isinstance(model, str):
                raise _bad(
                    "Missing required parameter: 'data_source.model'.",
                    "data_source.model",
                    "missing_required_parameter",
                )
            spec = models.serving_spec(tenant, model)
            endpoint = models.CHAT if kind == "completions" else models.RESPONSES
            if not spec.serves(endpoint):
                raise _bad(f"The model '{model}' cannot be sampled by a '{kind}' data source.", "data_source.model")
        _check_sampling(data_source.get("sampling_params"))
    return echo, rows, model


def _check_sampling(params: Any) -> None:
    if params is None:
        return
    if not isinstance(params, dict):
        raise _bad("Invalid type for 'data_source.sampling_params': expected an object.", "data_source.sampling_params")
    for key, low, high in (("temperature", 0, 2), ("top_p", 0, 1)):
        value = params.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high
        ):
            raise _bad(
                f"Invalid 'data_source.sampling_params.{key}': expected a number between {low} and {high}.",
                f"data_source.sampling_params.{key}",
            )
    for key in ("seed", "max_completion_tokens"):
        value = params.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _bad(
                f"Invalid type for 'data_source.sampling_params.{key}': expected an integer.",
                f"data_source.sampling_params.{key}",
                "invalid_type",
            )
    if (params.get("max_completion_tokens") or 1) < 1:
        raise _bad(
            "Invalid 'data_source.sampling_params.max_completion_tokens': expected a value >= 1.",
            "data_source.sampling_params.max_completion_tokens",
        )
    _check_formats_and_tools(params)


def _check_formats_and_tools(params: Mapping[str, Any]) -> None:
    """`response_format` / `text.format` (a usable JSON schema) and function `tools`, checked as chat checks them."""
    tools = params.get("tools")
    if tools is not None and (not isinstance(tools, list) or not all(isinstance(tool, dict) for tool in tools)):
        raise _bad(
            "Invalid type for 'data_source.sampling_params.tools': expected an array of tools.",
            "data_source.sampling_params.tools",
            "invalid_type",
        )
    for key, where in (("response_format", "response_format"), ("text", "text")):
        value = params.get(key)
        if value is not None and not isinstance(value, dict):
            raise _bad(
                f"Invalid type for 'data_source.sampling_params.{where}': expected an object.",
                f"data_source.sampling_params.{where}",
                "invalid_type",
            )
    text_format = (params.get("text") or {}).get("format")
    for where, spec in (("response_format", params.get("response_format")), ("text.format", text_format)):
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise _bad(
                f"Invalid type for 'data_source.sampling_params.{where}': expected an object.",
                f"data_source.sampling_params.{where}",
                "invalid_type",
            )
        check_enum(
            spec.get("type"), ("text", "json_object", "json_schema"), f"data_source.sampling_params.{where}.type"
        )
        if spec["type"] == "json_schema":
            named = spec.get("json_schema") if where == "response_format" else spec
            try:
                check_json_schema_format(named)
            except OpenAIError as error:
                param = f"data_source.sampling_params.{where}"
                raise _bad(error.message, param, error.code or "invalid_value") from None
    for index, tool in enumerate(tools or []):
        function = tool.get("function") if "function" in tool else tool if tool.get("type") == "function" else None
        if function is not None:
            check_function(function, f"data_source.sampling_params.tools[{index}]")


# --------------------------------------------------------------------------- sampling and grading


def _sampling_request(
    data_source: Mapping[str, Any], item: Mapping[str, Any], model: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the chat request that samples one row, the sampling settings the output item reports)."""
    spec = data_source["input_messages"]
    namespace = {"item": item}
    if spec["type"] == "template":
        messages = grading.render_messages(spec["template"], namespace)
    else:
        referenced = grading.resolve(spec["item_reference"], namespace)
        if isinstance(referenced, str):
            referenced = [{"role": "user", "content": referenced}]
        if not isinstance(referenced, list) or not referenced:
            raise grading.TemplateError(spec["item_reference"])
        messages = []
        for message in referenced:
            fits = isinstance(message, dict) and message.get("role", "user") in graders.ROLES
            content = message.get("content", "") if isinstance(message, dict) else None
            if not fits or not isinstance(content, str | dict | list):
                raise grading.TemplateError(spec["item_reference"])
            messages.append({"role": message.get("role", "user"), "content": grading.message_text(content)})
    params = data_source.get("sampling_params") or {}
    settings = {
        "seed": params.get("seed", DEFAULT_SEED),
        "temperature": params.get("temperature", 1.0),
        "top_p": params.get("top_p", 1.0),
        "max_completion_tokens": params.get("max_completion_tokens"),
    }
    request: dict[str, Any] = {"model": model, "messages": messages, "seed": settings["seed"]}
    for key in ("temperature", "top_p", "max_completion_tokens"):
        if settings[key] is not None:
            request[key] = settings[key]
    format_spec = params.get("response_format") or (params.get("text") or {}).get("format")
    if isinstance(format_spec, dict) and format_spec.get("type") == "json_schema":
        schema = format_spec.get("json_schema") or {k: v for k, v in format_spec.items() if k != "type"}
        request["response_format"] = {"type": "json_schema", "json_schema": schema}
    elif isinstance(format_spec, dict) and format_spec.get("type") == "json_object":
        request["response_format"] = {"type": "json_object"}
    tools = [_chat_tool(tool) for tool in params.get("tools") or [] if isinstance(tool, dict)]
    if any(tools):
        request["tools"] = [tool for tool in tools if tool]
    return request, settings


def _chat_tool(tool: Mapping[str, Any]) -> dict[str, Any] | None:
    if "function" in tool:
        return dict(tool)
    if tool.get("type") == "function" and "name" in tool:  # a Responses function tool
        function = {key: tool[key] for key in ("name", "description", "parameters", "strict") if key in tool}
        return {"type": "function", "function": function}
    return None


def _sample(
    tenant: str, data_source: Mapping[str, Any], item: Mapping[str, Any], model: str, created: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the output item's `sample`, what `{{sample.…}}` reads) for one sampled row."""
    from openai_mock.generation import chat as chat_builder

    request, settings = _sampling_request(data_source, item, model)
    spec = models.serving_spec(tenant, model)
    completion = chat_builder.build_chat_completion(
        request,
        seeded_rng(request),
        completion_id=new_id("chat.completion"),
        created=created,
        reasoning=spec.reasoning,
        script=scripted(tenant, "chat.completions", request),
    )
    choice = completion["choices"][0]
    answer = choice["message"].get("content") or ""
    usage = completion["usage"]
    sample = {
        "input": request["messages"],
        "output": [{"role": "assistant", "content": answer}],
        "finish_reason": choice["finish_reason"],
        "model": model,
        "usage": {
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
            "cached_tokens": 0,
        },
        "error": None,
        "temperature": settings["temperature"],
        "max_completion_tokens": settings["max_completion_tokens"] or spec.max_output_tokens,
        "top_p": settings["top_p"],
        "seed": settings["seed"],
    }
    namespace = graders.sample_namespace(answer, model)
    namespace["choices"] = [{"index": 0, "message": choice["message"], "finish_reason": choice["finish_reason"]}]
    namespace["output_tools"] = choice["message"].get("tool_calls") or []
    return sample, namespace


def _given_sample(namespace: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """The output item's `sample` for a row that was not sampled: the logged output, or what the row brought."""
    text = namespace.get("output_text")
    usage = namespace.get("_usage") or {}
    return {
        "input": item.get("input") if isinstance(item.get("input"), list) else [],
        "output": [{"role": "assistant", "content": text}] if isinstance(text, str) else [],
        "finish_reason": "stop" if isinstance(text, str) else "",
        "model": namespace.get("model") or "",
        "usage": {
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
            "cached_tokens": 0,
        },
        "error": None,
        "temperature": 1.0,
        "max_completion_tokens": 0,
        "top_p": 1.0,
        "seed": 0,
    }


def _usage_entry(model: str, usage: Mapping[str, int]) -> list[Any]:
    return [model, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), usage.get("cached_tokens", 0)]


def _grade_row(
    tenant: str,
    criteria: Sequence[Mapping[str, Any]],
    data_source: Mapping[str, Any],
    model: str | None,
    row: tuple[dict[str, Any], dict[str, Any]],
    created: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the output item's content, the row's tally) for one row."""
    item, given = row
    usage: list[list[Any]] = []
    if model is not None:
        try:
            sample, namespace = _sample(tenant, data_source, item, model, created)
            usage.append(_usage_entry(model, sample["usage"]))
        except grading.TemplateError as error:
            sample = _given_sample({}, item)
            sample["error"] = {
                "code": "invalid_template_variable",
                "message": f"The template variable '{{{{{error.name}}}}}' is not defined for this item.",
            }
            namespace = {}
    else:
        namespace = {key: value for key, value in given.items() if key != "_usage"}
        sample = _given_sample(given, item)
    results: list[dict[str, Any]] = []
    outcomes: list[bool | None] = []  # per criterion: passed, failed, or None (errored)
    errored = sample["error"] is not None
    for criterion in criteria:
        entry: dict[str, Any] = {"name": criterion["name"], "type": criterion["type"], "sample": None}
        if errored:
            results.append({**entry, "score": 0.0, "passed": False})
            outcomes.append(None)
            continue
        try:
            grade = graders.grade(tenant, criterion, item, namespace, DEFAULT_SEED)
        except graders.GraderError as error:
            errored = True
            results.append(
                {**entry, "score": 0.0, "passed": False, "error": {"code": error.kind, "message": error.message}}
            )
            outcomes.append(None)
            continue
        results.append({**entry, "score": grade.score, "passed": grade.passed, "sample": grade.sample})
        outcomes.append(grade.passed)
        if grade.usage and grade.model:
            usage.append(_usage_entry(grade.model, grade.usage))
    passed = not errored and all(outcomes)
    content = {"status": "pass" if passed else "fail", "results": results, "sample": sample}
    tally = {"errored": errored, "passed": passed, "criteria": outcomes, "usage": usage}
    return content, tally


# --------------------------------------------------------------------------- runs


def create_run(tenant: str, eval_id: str, body: CreateRunRequest) -> Object:
    evaluation = _eval(tenant, eval_id)
    check_metadata(body.metadata)
    data_source, rows, model = _check_run_source(tenant, body.data_source)
    kind = data_source["type"]
    if evaluation["data_source_config"]["type"] == "custom":
        schema = evaluation["data_source_config"]["schema"]["properties"]["item"]
        for index, (item, _sample_given) in enumerate(rows):
            reason = _matches(item, schema)
            if reason is not None:
                source = body.data_source["source"]
                param = (
                    f"data_source.source.content[{index}].item"
                    if source["type"] == "file_content"
                    else "data_source.source.id"
                )
                raise _bad(f"Invalid item {index}: it does not match the eval's item_schema ({reason}).", param)

    now = clock.now_seconds()
    settings = get_settings()
    started = now + max(1, math.ceil(settings.scaled(QUEUE_SECONDS)))
    run_id = new_id("eval.run")
    criteria = evaluation["testing_criteria"]
    model_graders = sum(1 for criterion in criteria if criterion["type"] in graders.MODEL_GRADERS)
    row_seconds = max(1, math.ceil(settings.scaled(ROW_SECONDS * (1 + (model is not None) + model_graders))))
    forced = (body.metadata or {}).get(MOCK_FAIL_KEY, "").lower() in ("true", "run")
    failure = None
    if not rows:
        failure = {"code": "empty_data_source", "message": "The data source of this run contains no items."}
    elif forced:
        failure = {"code": "internal_error", "message": "The run failed due to an internal error (mock_fail=true)."}

    items, tallies = [], []
    if failure is None:
        for index, row in enumerate(rows):
            due = started + (index + 1) * row_seconds
            content, tally = _grade_row(tenant, criteria, data_source, model, row, due)
            tally["due"] = due
            tallies.append(tally)
            items.append(
                {
                    "object": "eval.run.output_item",
                    "id": stable_id("eval.run.output_item", due, f"{run_id}|{index}", sequence=index),
                    "run_id": run_id,
                    "eval_id": eval_id,
                    "created_at": due,
                    "datasource_item_id": index,
                    "datasource_item": row[0],
                    **content,
                }
            )
    finished = tallies[-1]["due"] if tallies else started
    run: Object = {
        "object": "eval.run",
        "id": run_id,
        "eval_id": eval_id,
        "name": body.name or model or f"{kind}-run",
        "model": model or "",
        "created_at": now,
        "report_url": REPORT_URL.format(eval_id=eval_id, run_id=run_id),
        "data_source": data_source,
        "metadata": body.metadata or {},
        "_criteria": [criterion["id"] for criterion in criteria],
        "_rows": tallies,
        "_started": started,
        "_finished": finished,
        "_failure": failure,
        "_canceled_at": None,
        "_settled": False,
    }
    store = get_store()
    store.create_many(tenant, f"{OUTPUT_ITEMS}/{run_id}", items)  # items first: a stored run always has its items
    stored = store.create(tenant, f"{RUNS}/{eval_id}", run)
    store.create(tenant, RUN_OWNERS, {"id": run_id, "eval_id": eval_id})
    webhooks.watch(tenant, "eval.run", run_id, at=started if failure else finished)
    return _public_run(stored, now)


def status_at(run: Mapping[str, Any], now: int) -> str:
    if run["_canceled_at"] is not None:
        return "canceled"
    if run["_failure"] is not None and now >= run["_started"]:
        return "failed"
    if now < run["_started"]:
        return "queued"
    if now < run["_finished"]:
        return "in_progress"
    return "completed"


def _end(run: Mapping[str, Any], now: int) -> int:
    """Rows due by this time are done."""
    return now if run["_canceled_at"] is None else min(now, int(run["_canceled_at"]))


def _public_run(run: Mapping[str, Any], now: int) -> Object:
    end = _end(run, now)
    done = [tally for tally in run["_rows"] if tally["due"] <= end]
    errored = sum(1 for tally in done if tally["errored"])
    passed = sum(1 for tally in done if tally["passed"])
    per_criterion = [
        {
            "testing_criteria": criterion,
            "passed": sum(1 for tally in done if tally["criteria"][index] is True),
            "failed": sum(1 for tally in done if tally["criteria"][index] is False),
        }
        for index, criterion in enumerate(run["_criteria"])
    ]
    usage: dict[str, dict[str, Any]] = {}
    for tally in done:
        for model, prompt, completion, cached in tally["usage"]:
            entry = usage.setdefault(
                model,
                {
                    "model_name": model,
                    "invocation_count": 0,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "total_tokens": 0,
                    "cached_tokens": 0,
                },
            )
            entry["invocation_count"] += 1
            entry["prompt_tokens"] += prompt
            entry["completion_tokens"] += completion
            entry["total_tokens"] += prompt + completion
            entry["cached_tokens"] += cached
    status = status_at(run, now)
    public = {key: value for key, value in run.items() if not key.startswith("_")}
    public.update(
        status=status,
        result_counts={
            "total": len(done),
            "errored": errored,
            "failed": len(done) - errored - passed,
            "passed": passed,
        },
        per_testing_criteria_results=per_criterion,
        per_model_usage=list(usage.values()),
        error=run["_failure"] if status == "failed" else None,
    )
    return public


class _AlreadySettled(Exception):
    pass


def _settle(tenant: str, run: Object, now: int) -> Object:
    """The one place a run reaches its terminal status: once, then the `on_run_terminal` hooks hear of it."""
    status = status_at(run, now)
    if run["_settled"] or status not in TERMINAL:
        return run

    def settle(current: Object) -> Object:
        if current["_settled"]:
            raise _AlreadySettled
        return {**current, "_settled": True, "_terminal_status": status_at(current, now)}

    try:
        settled = get_store().update(tenant, f"{RUNS}/{run['eval_id']}", run["id"], settle)
    except _AlreadySettled:
        return get_store().get(tenant, f"{RUNS}/{run['eval_id']}", run["id"]) or run
    if settled is None:
        raise not_found("EvalRun", run["id"], "run_id")
    public = _public_run(settled, now)
    for hook in list(_terminal_hooks):
        hook(tenant, public, WEBHOOK_EVENTS[settled["_terminal_status"]])
    return settled


def _run(tenant: str, eval_id: str, run_id: str, now: int) -> Object:
    _eval(tenant, eval_id)
    run = get_store().get(tenant, f"{RUNS}/{eval_id}", run_id)
    if run is None:
        raise not_found("EvalRun", run_id, "run_id")
    return _settle(tenant, run, now)


def retrieve_run(tenant: str, eval_id: str, run_id: str) -> Object:
    now = clock.now_seconds()
    return _public_run(_run(tenant, eval_id, run_id, now), now)


def list_runs(tenant: str, eval_id: str, params: ListParams, status: str | None) -> Object:
    _eval(tenant, eval_id)
    if status is not None:
        check_enum(status, RUN_STATUSES, "status")
    now = clock.now_seconds()
    page = get_store().list(
        tenant,
        f"{RUNS}/{eval_id}",
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=None if status is None else (lambda run: status_at(run, now) == status),
    )
    return list_object(page, view=lambda run: _public_run(_settle(tenant, run, now), now))


def cancel_run(tenant: str, eval_id: str, run_id: str) -> Object:
    now = clock.now_seconds()
    _run(tenant, eval_id, run_id, now)

    def cancel(current: Object) -> Object:
        status = status_at(current, now)
        if status in TERMINAL:
            raise invalid_request(
                f"Run {run_id} is already {status} and cannot be canceled.", None, "run_not_cancellable"
            )
        return {**current, "_canceled_at": now}

    canceled = get_store().update(tenant, f"{RUNS}/{eval_id}", run_id, cancel)
    if canceled is None:
        raise not_found("EvalRun", run_id, "run_id")
    webhooks.watch(tenant, "eval.run", run_id, at=now)  # `eval.run.canceled`, now
    return _public_run(_settle(tenant, canceled, now), now)


def delete_run(tenant: str, eval_id: str, run_id: str) -> Object:
    _eval(tenant, eval_id)
    store = get_store()
    if store.delete(tenant, f"{RUNS}/{eval_id}", run_id) is None:
        raise not_found("EvalRun", run_id, "run_id")
    store.delete_collection(tenant, f"{OUTPUT_ITEMS}/{run_id}")
    return {"object": "eval.run.deleted", "deleted": True, "run_id": run_id}


def list_output_items(tenant: str, eval_id: str, run_id: str, params: ListParams, status: str | None) -> Object:
    now = clock.now_seconds()
    run = _run(tenant, eval_id, run_id, now)
    if status is not None:
        check_enum(status, ("fail", "pass"), "status")
    end = _end(run, now)

    def visible(item: Object) -> bool:
        return item["created_at"] <= end and (status is None or item["status"] == status)

    page: Page = get_store().list(
        tenant, f"{OUTPUT_ITEMS}/{run_id}", limit=params.limit, order=params.order, after=params.after, where=visible
    )
    return list_object(page)


def retrieve_output_item(tenant: str, eval_id: str, run_id: str, output_item_id: str) -> Object:
    now = clock.now_seconds()
    run = _run(tenant, eval_id, run_id, now)
    item = get_store().get(tenant, f"{OUTPUT_ITEMS}/{run_id}", output_item_id)
    if item is None or item["created_at"] > _end(run, now):
        raise not_found("EvalRunOutputItem", output_item_id, "output_item_id")
    return item


# --------------------------------------------------------------------------- webhooks

RUN_OWNERS = "eval.run.owner"  # run id -> its eval: a webhook resolver is given the run id alone
_RUN_EVENTS = {"completed": "eval.run.succeeded", "failed": "eval.run.failed", "canceled": "eval.run.canceled"}


def _webhook_outcome(tenant: str, run_id: str) -> webhooks.Outcome:
    """Which event a run ended with, and when (by the tenant's clock), or when to look again."""
    owner = get_store().get(tenant, RUN_OWNERS, run_id)
    run = owner and get_store().get(tenant, f"{RUNS}/{owner['eval_id']}", run_id)
    if not run:
        return None  # deleted: nothing to tell
    now = clock.now_seconds()
    status = status_at(run, now)
    if status not in _RUN_EVENTS:
        return webhooks.NotYet(max(run["_finished"], now))
    at = {"completed": run["_finished"], "failed": run["_started"], "canceled": run["_canceled_at"]}[status]
    return webhooks.Finished(_RUN_EVENTS[status], at)


webhooks.register_source("eval.run", _webhook_outcome)
