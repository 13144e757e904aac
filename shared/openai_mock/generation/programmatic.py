"""Programmatic tool calling (the `programmatic_tool_calling` hosted tool): instead of calling functions one by one,
the model writes a JavaScript program that calls them. A response that starts one ends with a `program` item (its
code) and the function calls the program made, each tagged `caller: {type: program, caller_id}`; the client runs
the calls and sends their outputs back; the next response "runs" the rest of the program: a `program_output` item
whose result is what the calls returned, then the answer. Pure builders: functions of the request and rng."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import chat, extract, schema_values

TOOL = "programmatic_tool_calling"
# Words that ask for the calls to run at once (the instructions may name Promise.all itself).
_CONCURRENT = re.compile(r"promise\.all|concurrent|in parallel|simultaneous", re.IGNORECASE)
_ASKED = re.compile(r"programmatic(?:\s+tool\s+calling)?|write a (?:javascript )?program", re.IGNORECASE)


class Call(NamedTuple):
    name: str
    arguments: dict[str, Any]


def offered(request: Mapping[str, Any]) -> bool:
    return any(tool.get("type") == TOOL for tool in request.get("tools") or [])


def forced(choice: Any) -> bool:
    return isinstance(choice, Mapping) and choice.get("type") == TOOL


def callers(tool: Mapping[str, Any]) -> list[str]:
    """Who may call a tool: `allowed_callers`, the model itself ("direct") when left out."""
    return list(tool.get("allowed_callers") or ["direct"])


def directly_callable(tool: Mapping[str, Any]) -> bool:
    return "direct" in callers(tool)


def callable_functions(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The top-level function tools a program may call."""
    return [
        tool
        for tool in request.get("tools") or []
        if tool.get("type") == "function" and "programmatic" in callers(tool) and not tool.get("defer_loading")
    ]


def _is_program_call(item: Mapping[str, Any]) -> bool:
    return item.get("type") == "function_call" and (item.get("caller") or {}).get("type") == "program"


def pending_program(conversation: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The program whose calls' outputs just came back (the last items), when it has no output yet."""
    if not conversation or conversation[-1].get("type") != "function_call_output":
        return None
    finished = {item.get("call_id") for item in conversation if item.get("type") == "program_output"}
    programs = {item["call_id"]: item for item in conversation if item.get("type") == "program"}
    answered = conversation[-1]["call_id"]
    call = next((item for item in conversation if _is_program_call(item) and item["call_id"] == answered), None)
    if call is None:
        return None
    program = programs.get(call["caller"].get("caller_id"))
    return None if program is None or program["call_id"] in finished else program


def wanted(request: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]], prompt: str) -> bool:
    """Whether this turn writes a program: the tool is offered with functions a program may call, the turn answers
    the user, and the program is forced, asked for, or needed (the functions the prompt needs allow only programs)."""
    choice = request.get("tool_choice", "auto")
    functions = callable_functions(request)
    if not offered(request) or not functions or choice == "none":
        return False
    if not conversation or conversation[-1].get("type") != "message":
        return False
    if forced(choice):
        return True
    said = f"{request.get('instructions') or ''}\n{prompt}"
    if _ASKED.search(said):
        return True
    needed = [tool for tool in functions if chat.mentioned(tool, said)]
    return bool(needed) and not any(directly_callable(tool) for tool in needed)


def _named(functions: Sequence[Mapping[str, Any]], said: str) -> list[Mapping[str, Any]]:
    """The functions the instructions or the prompt name (by name, else by relevance), else all of them."""
    by_name = [tool for tool in functions if re.search(rf"\b{re.escape(str(tool['name']))}\b", said)]
    return by_name or [tool for tool in functions if chat.mentioned(tool, said)] or list(functions)


def _fan_out(parameters: Mapping[str, Any], said: str) -> tuple[str, list[str]] | None:
    """The enum parameter the program loops over and the values it takes: those the text names, else every one."""
    for name, schema in (parameters.get("properties") or {}).items():
        options = [option for option in (schema or {}).get("enum") or [] if isinstance(option, str)]
        if options and name in (parameters.get("required") or []):
            named = [option for option in options if re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", said)]
            return str(name), named or options
    return None


def planned_calls(request: Mapping[str, Any], prompt: str, rng: random.Random, created: int) -> list[Call]:
    """The calls the program makes: for each value of the looped enum (when a function has one), each named
    function in turn; the other arguments as a model fills them from the prompt."""
    said = f"{request.get('instructions') or ''}\n{prompt}"
    functions = _named(callable_functions(request), said)
    rows: dict[str | None, list[Call]] = {}
    for tool in functions:
        parameters = tool.get("parameters") or {"type": "object", "properties": {}}
        hints = extract.Extractor.of(prompt, created, str(tool["name"]))
        base = schema_values.generate_value(
            parameters, rng, all_properties=bool(tool.get("strict")), hint=hints.pick, optional_hint=hints.pick_named
        )
        base = base if isinstance(base, dict) else {}
        looped = _fan_out(parameters, said)
        for value in looped[1] if looped else [None]:
            arguments = {**base, looped[0]: value} if looped else base
            rows.setdefault(value, []).append(Call(str(tool["name"]), arguments))
    return [call for row in rows.values() for call in row]


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def program_code(calls: Sequence[Call], concurrent: bool) -> str:
    """The program: a table of the calls, run together with Promise.all or one after another, returning each
    call's output with what was asked."""
    table = "\n".join(f"  [{_js(call.name)}, {_js(call.arguments)}]," for call in calls)
    head = f"const calls = [\n{table}\n];\n"
    if concurrent:
        return (
            f"{head}// Every promise is created before any is awaited.\n"
            "const outputs = await Promise.all(calls.map(([name, args]) => tools[name](args)));\n"
            "return calls.map(([name, args], index) => ({ tool: name, arguments: args, output: outputs[index] }));\n"
        )
    return (
        f"{head}const results = [];\n"
        "for (const [name, args] of calls) {\n"
        "  results.push({ tool: name, arguments: args, output: await tools[name](args) });\n"
        "}\n"
        "return results;\n"
    )


def concurrent(request: Mapping[str, Any], prompt: str) -> bool:
    """Promise.all when the instructions or the prompt ask for the calls to run together (never with
    `parallel_tool_calls: false`); else one call after another."""
    said = f"{request.get('instructions') or ''}\n{prompt}"
    return request.get("parallel_tool_calls") is not False and bool(_CONCURRENT.search(said))


def fingerprint(code: str) -> str:
    """The opaque replay fingerprint: a digest of the code, so a program sent back edited is recognised."""
    digest = hashlib.sha256(f"program:{code}".encode()).digest()
    return "pfp_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def program_item(item_id: str, call_id: str, code: str) -> dict[str, Any]:
    return {"type": "program", "id": item_id, "call_id": call_id, "code": code, "fingerprint": fingerprint(code)}


def call_item(item_id: str, call_id: str, call: Call, program_call_id: str) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": call.name,
        "arguments": json.dumps(call.arguments, ensure_ascii=False, separators=(",", ":")),
        "status": "completed",
        "caller": {"type": "program", "caller_id": program_call_id},
    }


def _returned(output: Any) -> Any:
    """A call's output as the program holds it: parsed JSON when it is JSON, else its text."""
    if not isinstance(output, str):
        output = "".join(str(part.get("text") or "") for part in output or [] if isinstance(part, Mapping))
    try:
        return json.loads(output)
    except ValueError:
        return output


def program_output_item(
    item_id: str, program: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The program run to its end: its result is the JSON of each call with what it returned; a call whose output
    never came back leaves the result incomplete (its output null)."""
    outputs = {item["call_id"]: item["output"] for item in conversation if item.get("type") == "function_call_output"}
    calls = [
        item
        for item in conversation
        if _is_program_call(item) and item["caller"].get("caller_id") == program["call_id"]
    ]
    result = [
        {
            "tool": call["name"],
            "arguments": _returned(call["arguments"]),
            "output": _returned(outputs[call["call_id"]]) if call["call_id"] in outputs else None,
        }
        for call in calls
    ]
    complete = all(call["call_id"] in outputs for call in calls)
    return {
        "type": "program_output",
        "id": item_id,
        "call_id": program["call_id"],
        "result": json.dumps(result, ensure_ascii=False, separators=(",", ":")),
        "status": "completed" if complete else "incomplete",
    }
