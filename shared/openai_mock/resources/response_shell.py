"""The Responses API's client-run tools, `local_shell`, `shell` and `apply_patch`: their tool params, and their call
and output items as a client passes them back in `input` (checked like the real API, normalised with ids)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openai_mock import ids
from openai_mock.checks import check_enum
from openai_mock.errors import invalid_request, invalid_type, missing_parameter

_STATUSES = ("in_progress", "completed", "incomplete")
_ENVIRONMENTS = ("container_auto", "local", "container_reference")


def _string(entry: Mapping[str, Any], key: str, param: str, *, empty: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        raise missing_parameter(f"{param}.{key}")
    if not isinstance(value, str):
        raise invalid_type(f"{param}.{key}", "a string", value)
    if not value and not empty:
        raise invalid_request(
            f"Invalid '{param}.{key}': empty string. Expected a string with minimum length 1, but got an empty "
            "string instead.",
            f"{param}.{key}",
            "empty_string",
        )
    return value


def _object(entry: Mapping[str, Any], key: str, param: str) -> dict[str, Any]:
    value = entry.get(key)
    if value is None:
        raise missing_parameter(f"{param}.{key}")
    if not isinstance(value, dict):
        raise invalid_type(f"{param}.{key}", "an object", value)
    return value


def _strings(entry: Mapping[str, Any], key: str, param: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        raise missing_parameter(f"{param}.{key}")
    if not isinstance(value, list) or not all(isinstance(part, str) for part in value):
        raise invalid_type(f"{param}.{key}", "an array of strings", value)
    return value


def _status(entry: Mapping[str, Any], param: str, allowed: tuple[str, ...] = _STATUSES) -> str:
    status = entry.get("status") or "completed"
    check_enum(status, allowed, f"{param}.status")
    return str(status)


# --------------------------------------------------------------------------------------------- tool params


def _check_allowed_callers(tool: Mapping[str, Any], param: str) -> None:
    callers = tool.get("allowed_callers")
    if callers is None:
        return
    if not isinstance(callers, list) or not callers:
        raise invalid_type(f"{param}.allowed_callers", "a non-empty array", callers)
    for index, caller in enumerate(callers):
        check_enum(caller, ("direct", "programmatic"), f"{param}.allowed_callers[{index}]")


def check_local_shell_tool(tool: Mapping[str, Any], param: str) -> None:
    """`{"type": "local_shell"}`: nothing else to say."""


def check_shell_tool(tool: Mapping[str, Any], param: str) -> None:
    _check_allowed_callers(tool, param)
    environment = tool.get("environment")
    if environment is None:
        return
    if not isinstance(environment, dict):
        raise invalid_type(f"{param}.environment", "an object", environment)
    check_enum(environment.get("type"), _ENVIRONMENTS, f"{param}.environment.type")
    if environment["type"] == "container_reference":
        _string(environment, "container_id", f"{param}.environment", empty=False)
    elif environment["type"] == "container_auto":
        from openai_mock.resources import containers  # a hosted shell's requests only: not at the cold start

        containers.check_tool_container(_as_auto(environment), f"{param}.environment")
    else:
        _check_local_skills(environment, f"{param}.environment")


def _check_local_skills(environment: Mapping[str, Any], param: str) -> None:
    """A local environment's `skills`: each `{name, description, path}` (the skills on the client's machine)."""
    skills = environment.get("skills")
    if skills is None:
        return
    if not isinstance(skills, list):
        raise invalid_type(f"{param}.skills", "an array of objects", skills)
    for index, skill in enumerate(skills):
        where = f"{param}.skills[{index}]"
        if not isinstance(skill, dict):
            raise invalid_type(where, "an object", skill)
        for key in ("name", "description", "path"):
            _string(skill, key, where, empty=key == "description")


def check_skills(tenant: str, tools: Sequence[Mapping[str, Any]]) -> None:
    """A `container_auto` shell environment's skills checked against the tenant's (an unknown one: 404)."""
    for index, tool in enumerate(tools):
        environment = (tool.get("environment") or {}) if tool.get("type") == "shell" else {}
        if environment.get("type") == "container_auto":
            from openai_mock.resources import containers

            containers.check_skills(tenant, environment.get("skills"), f"tools[{index}].environment.skills", 404)


def check_apply_patch_tool(tool: Mapping[str, Any], param: str) -> None:
    _check_allowed_callers(tool, param)


def _as_auto(environment: Mapping[str, Any]) -> dict[str, Any]:
    """A `container_auto` environment as the containers' `{"type": "auto"}` tool container."""
    from openai_mock.resources import containers

    keys = ("file_ids", "memory_limit", "network_policy", "skills")
    return {"type": containers.AUTO, **{key: environment[key] for key in keys if environment.get(key) is not None}}


def hosted_container(tenant: str, tools: Sequence[Mapping[str, Any]], *, dry: bool) -> dict[str, Any] | None:
    """The hosted container a shell tool runs its commands in (made for `container_auto`, named by
    `container_reference`) and the files it holds; None for a local environment (the client runs them).
    `dry` (token counting): the files it would hold, nothing created or touched."""
    index, tool = next((i, t) for i, t in enumerate(tools) if t["type"] == "shell")
    environment = tool.get("environment") or {}
    if environment.get("type") not in ("container_auto", "container_reference"):
        return None
    from openai_mock.resources import containers

    param = f"tools[{index}].environment"
    value = environment["container_id"] if environment["type"] == "container_reference" else _as_auto(environment)
    if dry:
        return {"container_id": "", "files": containers.preview_for_tool(tenant, value, param)}
    container_id = containers.container_for_tool(tenant, value, param)["id"]
    files = containers.read_files(tenant, container_id)
    return {"container_id": container_id, "files": files + _skill_files(tenant, container_id, environment, param)}


def _skill_files(tenant: str, container_id: str, environment: Mapping[str, Any], param: str) -> list[tuple[str, bytes]]:
    """The container's skills as the shell finds them, `/mnt/data/skills/<name>/…`: a referenced skill's stored
    bundle, an inline one's (from the request's `container_auto` environment)."""
    from openai_mock.resources import containers
    from openai_mock.resources import skills as skill_store

    found: list[tuple[str, bytes]] = []
    for mounted in containers.mounted_skills(tenant, container_id):
        if mounted["type"] == "skill_reference":
            found += skill_store.reference_files(tenant, mounted)
    for index, skill in enumerate(environment.get("skills") or []):
        if skill.get("type") != "inline":
            continue
        bundle = skill_store.inline_bundle(skill, f"{param}.skills[{index}]")
        found += skill_store.mounted_files(bundle.zip_bytes, bundle.name)
    return [(f"{containers.DATA_DIR}/{path}", data) for path, data in found]


TOOL_CHECKS: dict[str, Callable[[Mapping[str, Any], str], None]] = {
    "local_shell": check_local_shell_tool,
    "shell": check_shell_tool,
    "apply_patch": check_apply_patch_tool,
}


# --------------------------------------------------------------------------------------------- input items


def _local_shell_call(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    _string(entry, "call_id", param, empty=False)
    action = _object(entry, "action", param)
    check_enum(action.get("type", "exec"), ("exec",), f"{param}.action.type")
    _strings(action, "command", f"{param}.action")
    action = {"type": "exec", "env": {}, "timeout_ms": None, "user": None, "working_directory": None, **action}
    item_id = entry.get("id") or ids.new_id("local_shell_call")
    return {**entry, "id": item_id, "action": action, "status": _status(entry, param)}


def _local_shell_call_output(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    """The output names its call by `call_id` or (as the SDK's type has it) by `id`."""
    if entry.get("call_id") is None and entry.get("id") is None:
        raise missing_parameter(f"{param}.call_id")
    by_call_id = entry.get("call_id") is not None
    call_id = _string(entry, "call_id" if by_call_id else "id", param, empty=False)
    _string(entry, "output", param)
    item_id = entry.get("id") if by_call_id and entry.get("id") else ids.new_id("local_shell_call_output")
    return {**entry, "id": item_id, "call_id": call_id, "status": _status(entry, param)}


def _shell_call(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    _string(entry, "call_id", param, empty=False)
    action = _object(entry, "action", param)
    _strings(action, "commands", f"{param}.action")
    action = {"timeout_ms": None, "max_output_length": None, **action}
    environment = entry.get("environment")
    if environment is not None:
        if not isinstance(environment, dict):
            raise invalid_type(f"{param}.environment", "an object", environment)
        check_enum(environment.get("type"), _ENVIRONMENTS[1:], f"{param}.environment.type")
    item_id = entry.get("id") or ids.new_id("shell_call")
    return {**entry, "id": item_id, "action": action, "environment": environment, "status": _status(entry, param)}


def _shell_output_chunk(chunk: Any, param: str) -> dict[str, Any]:
    if not isinstance(chunk, dict):
        raise invalid_type(param, "an object", chunk)
    for key in ("stdout", "stderr"):
        _string(chunk, key, param)
    outcome = _object(chunk, "outcome", param)
    check_enum(outcome.get("type"), ("exit", "timeout"), f"{param}.outcome.type")
    if outcome["type"] == "exit" and not isinstance(outcome.get("exit_code"), int):
        raise missing_parameter(f"{param}.outcome.exit_code")
    return dict(chunk)


def _shell_call_output(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    _string(entry, "call_id", param, empty=False)
    output = entry.get("output")
    if output is None:
        raise missing_parameter(f"{param}.output")
    if not isinstance(output, list):
        raise invalid_type(f"{param}.output", "an array of objects", output)
    chunks = [_shell_output_chunk(chunk, f"{param}.output[{index}]") for index, chunk in enumerate(output)]
    item_id = entry.get("id") or ids.new_id("shell_call_output")
    return {
        "max_output_length": None,
        **entry,
        "id": item_id,
        "output": chunks,
        "status": _status(entry, param),
    }


def _operation(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    operation = _object(entry, "operation", param)
    where = f"{param}.operation"
    check_enum(operation.get("type"), ("create_file", "update_file", "delete_file"), f"{where}.type")
    _string(operation, "path", where, empty=False)
    if operation["type"] != "delete_file":
        _string(operation, "diff", where)
    return dict(operation)


def _apply_patch_call(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    _string(entry, "call_id", param, empty=False)
    if entry.get("status") is None:
        raise missing_parameter(f"{param}.status")
    status = _status(entry, param, ("in_progress", "completed"))
    item_id = entry.get("id") or ids.new_id("apply_patch_call")
    return {**entry, "id": item_id, "operation": _operation(entry, param), "status": status}


def _apply_patch_call_output(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    _string(entry, "call_id", param, empty=False)
    if entry.get("status") is None:
        raise missing_parameter(f"{param}.status")
    status = _status(entry, param, ("completed", "failed"))
    if entry.get("output") is not None:
        _string(entry, "output", param)
    item_id = entry.get("id") or ids.new_id("apply_patch_call_output")
    return {"output": None, **entry, "id": item_id, "status": status}


ITEMS: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    "local_shell_call": _local_shell_call,
    "local_shell_call_output": _local_shell_call_output,
    "shell_call": _shell_call,
    "shell_call_output": _shell_call_output,
    "apply_patch_call": _apply_patch_call,
    "apply_patch_call_output": _apply_patch_call_output,
}
CALLS = ("local_shell_call", "shell_call", "apply_patch_call")
OUTPUTS = ("local_shell_call_output", "shell_call_output", "apply_patch_call_output")


def link_local_outputs(items: list[dict[str, Any]], history: Sequence[Mapping[str, Any]]) -> None:
    """A `local_shell_call_output` may name its call by the call item's `id` (`lsh_…`) rather than its `call_id`:
    such outputs are pointed at the call's `call_id`, as the model reads them."""
    by_item = {item["id"]: item["call_id"] for item in [*history, *items] if item["type"] == "local_shell_call"}
    for index, item in enumerate(items):
        if item["type"] == "local_shell_call_output" and item["call_id"] in by_item:
            items[index] = {**item, "call_id": by_item[item["call_id"]]}
