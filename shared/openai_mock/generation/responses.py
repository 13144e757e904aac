"""Responses API: the `response` object and its typed stream events, pure functions of (validated request,
conversation items, rng, clock values).

A Responses turn is answered by the chat machinery (`generation/chat.py`): the conversation items become chat
messages, function tools become chat tools, `text.format` becomes `response_format`, `max_output_tokens` the
completion budget. The chat completion that comes back is re-shaped into output items. Hosted tools are the
Responses API's own: a `file_search_call` / `web_search_call` is answered like a tool result the model then
uses (so its content counts as input, as it does for the real API), a `computer_call` asks for an action, and a
`local_shell_call` / `shell_call` / `apply_patch_call` (`generation/shell_tools.py`) waits for the client's output."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from openai_mock.generation import (
    chat,
    documents,
    fixture_items,
    programmatic,
    prompt_prefix,
    response_tools,
    shell_tools,
    text,
    tokens,
    web_search,
)
from openai_mock.generation.streaming import Padding
from openai_mock.schema_checks import strict_schema_problem

HOSTED_TOOLS = {
    "file_search": "file_search",
    "web_search_preview": "web_search",
    "web_search_preview_2025_03_11": "web_search",
    "web_search": "web_search",
    "web_search_2025_08_26": "web_search",
    "computer_use_preview": "computer",
    "code_interpreter": "code_interpreter",
    "mcp": "mcp",
    "image_generation": "image_generation",
    "local_shell": "local_shell",
    "shell": "shell",
    "apply_patch": "apply_patch",
}
_TOOL_CALL_OUTPUTS = ("function_call_output", "computer_call_output", "custom_tool_call_output", *shell_tools.OUTPUTS)
_SHELL_CALLS = tuple(shell_tools.CALLS.values())
# A computer-use task: look first (screenshot), then act (click); after two observed actions, report in text.
_COMPUTER_STEPS = 2

NewId = Callable[[str], str]
_FILE_FIELDS = ("file_id", "filename", "file_data", "file_url")
# Where an input item holds content parts that may carry files.
_PARTS_FIELD = {"message": "content", "function_call_output": "output", "custom_tool_call_output": "output"}


class Turn:
    """Everything a response is built from, resolved by the layer (store, vector stores) beforehand. The layer
    fills it as it resolves tools: a slotted plain class, like `_Output` (docs/architecture.md, cold starts)."""

    __slots__ = ("code_run", "history", "items", "request", "search_results", "shell_container")

    def __init__(self, request: dict[str, Any], history: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
        self.request = request  # the validated CreateResponse body, without nulls
        self.history = history  # the items of earlier responses (previous_response_id chain)
        self.items = items  # this request's input items, normalised, with ids
        self.search_results: list[dict[str, Any]] = []  # file_search, when it runs
        # code_interpreter, when it runs: container_id, code, logs, and the file the code wrote (file_id, filename)
        self.code_run: dict[str, Any] | None = None
        # a shell tool with a hosted container, when it runs: container_id, files ((path, bytes) in /mnt/data)
        self.shell_container: dict[str, Any] | None = None

    @property
    def conversation(self) -> list[dict[str, Any]]:
        return self.history + self.items


# --------------------------------------------------------------------------------------------- conversation


def message_text(item: Mapping[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text") or part.get("refusal") or "") for part in content or [])


def last_user_text(conversation: Sequence[Mapping[str, Any]]) -> str:
    for item in reversed(conversation):
        if item.get("type") == "message" and item.get("role") == "user":
            return message_text(item)
    return ""


def _chat_part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part["type"]
    if kind in ("input_text", "output_text"):
        text = {"type": "text", "text": part["text"]}
        if part.get(prompt_prefix.BREAKPOINT_FIELD) is not None:  # where a cached prefix may end
            text[prompt_prefix.BREAKPOINT_FIELD] = part[prompt_prefix.BREAKPOINT_FIELD]
        return text
    if kind == "refusal":
        return {"type": "text", "text": part["refusal"]}
    if kind == "input_image":
        url = part.get("image_url") or part.get("file_id") or ""
        return {"type": "image_url", "image_url": {"url": url, "detail": part.get("detail", "auto")}}
    # A file as Chat's file part carries it; `file_url` (Responses only) rides along for generation to read.
    return {"type": "file", "file": {key: part[key] for key in _FILE_FIELDS if part.get(key) is not None}}


def chat_messages(conversation: Sequence[Mapping[str, Any]], instructions: str | None) -> list[dict[str, Any]]:
    """The conversation as chat messages: what the model reads, and what input tokens are counted on."""
    messages: list[dict[str, Any]] = []
    if instructions:
        messages.append({"role": "developer", "content": instructions})
    # A compaction item stands for everything before it but the user's own messages.
    compacted = max((index for index, item in enumerate(conversation) if item["type"] == "compaction"), default=-1)
    for index, item in enumerate(conversation):
        kind = item["type"]
        if index < compacted and not (kind == "message" and item["role"] == "user"):
            continue
        if kind == "message":
            messages.append({"role": item["role"], "content": [_chat_part(part) for part in item["content"]]})
        elif kind in ("function_call", "computer_call"):
            name, arguments = (
                (response_tools.chat_name(item.get("namespace"), item["name"]), item["arguments"])
                if kind == "function_call"
                else ("computer", json.dumps(item["action"]))
            )
            call = {"id": item["call_id"], "type": "function", "function": {"name": name, "arguments": arguments}}
            if messages and messages[-1]["role"] == "assistant" and messages[-1].get("tool_calls"):
                messages[-1]["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind in ("custom_tool_call", *_SHELL_CALLS):
            name, arguments = (
                (
                    response_tools.chat_name(item.get("namespace"), item["name"]),
                    json.dumps({response_tools.CUSTOM_INPUT: item["input"]}),
                )
                if kind == "custom_tool_call"
                else shell_tools.chat_call(item)
            )
            call = {"id": item["call_id"], "type": "function", "function": {"name": name, "arguments": arguments}}
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind in _TOOL_CALL_OUTPUTS:
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": _tool_output(item)})
        elif kind == "mcp_call":
            arguments = json.loads(item["arguments"] or "{}")
            messages += _tool_exchange(item["id"], item["name"], arguments, item.get("output") or "")
        elif kind == "image_generation_call":
            prompt = {"prompt": item.get("revised_prompt", "")}
            messages += _tool_exchange(
                item["id"], "image_generation", prompt, "The image is ready and shown to the user."
            )
        elif kind == "compaction":
            summary = compaction_summary(item)
            messages.append({"role": "developer", "content": f"Summary of the earlier conversation: {summary}"})
        # reasoning and hosted search items carry nothing the next turn reads again
    return messages


def _tool_output(item: Mapping[str, Any]) -> str | list[dict[str, Any]]:
    """A call output as the tool result the model reads: its text, or (content parts) its text, images and files as
    a message's parts, so its images count as images and the answer reads its text."""
    if item["type"] == "computer_call_output":
        return "[screenshot]"
    if item["type"] in shell_tools.OUTPUTS:
        return shell_tools.chat_output(item)
    output = item["output"]
    return output if isinstance(output, str) else [_chat_part(part) for part in output]


def documents_read(conversation: Sequence[Mapping[str, Any]], model: str) -> int:
    """The input tokens of the documents the model reads (file parts sent inline or by address, in messages and in
    tool outputs): generation/documents.py."""
    total = 0
    for item in conversation:
        parts = item.get(_PARTS_FIELD.get(item["type"], ""))
        for part in parts if isinstance(parts, list) else ():
            found = documents.document_of(part) if part.get("type") == "input_file" else None
            total += documents.document_tokens(found, model) if found is not None else 0
    return total


def effective_strict(tool: Mapping[str, Any]) -> bool:
    """A function tool's strictness: as declared, or (left out) strict exactly when its schema can be."""
    if tool.get("strict") is not None:
        return bool(tool["strict"])
    return strict_schema_problem(tool.get("parameters") or {}) is None


# Sealed content (`encrypted_content` of compaction and reasoning items): what the mock needs to read an item again,
# opaque to clients. The leading bytes make it start as the real API's does once encoded ("gAAAAA", a Fernet token's
# version byte); the tag is no secret: it tells content the mock sealed from anything else a client sends.
_SEAL_START = b"\x80\x00\x00\x00\x00"
_SEAL_KEY = b"openai-mock sealed content v1"
_SEAL_TAG = 16


def seal(kind: str, payload: Mapping[str, Any]) -> str:
    """`payload` sealed as an item of `kind` ("compaction", "reasoning") carries it: JSON, tagged, base64 (URL-safe)."""
    body = json.dumps({"kind": kind, **payload}, separators=(",", ":"), sort_keys=True).encode()
    tag = hmac.new(_SEAL_KEY, body, hashlib.sha256).digest()[:_SEAL_TAG]
    return base64.urlsafe_b64encode(_SEAL_START + tag + body).decode()


def unseal(kind: str, content: Any) -> dict[str, Any] | None:
    """What `seal` put in `content` for an item of `kind`; None when the mock did not seal it so."""
    if not isinstance(content, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(content.encode())
    except (ValueError, UnicodeEncodeError):
        return None
    tag, body = raw[len(_SEAL_START) : len(_SEAL_START) + _SEAL_TAG], raw[len(_SEAL_START) + _SEAL_TAG :]
    expected = hmac.new(_SEAL_KEY, body, hashlib.sha256).digest()[:_SEAL_TAG]
    if not raw.startswith(_SEAL_START) or not hmac.compare_digest(tag, expected):
        return None
    payload = json.loads(body)
    return payload if payload.get("kind") == kind else None


def compaction_summary(item: Mapping[str, Any]) -> str:
    """What a compaction item stands for: the summary its `encrypted_content` carries (see `compaction_item`)."""
    return str((unseal("compaction", item.get("encrypted_content")) or {}).get("summary", ""))


def compaction_summary_of(context: Sequence[Mapping[str, Any]]) -> str:
    """A short account of what a compaction replaces: the topics the user raised and the tools called."""
    topics: list[str] = []
    for item in context:
        if item["type"] == "message" and item["role"] == "user":
            topic = text.topic_of(message_text(item))
            if topic not in topics:
                topics.append(topic)
        elif item["type"] == "compaction":
            topics.append(compaction_summary(item))
    calls = sorted({item["name"] for item in context if item["type"] == "function_call"})
    summary = f"The user asked about {'; '.join(topics) or 'nothing yet'} and the assistant answered."
    return summary + (f" Tools called: {', '.join(calls)}." if calls else "")


def compaction_item(item_id: str, summary: str) -> dict[str, Any]:
    """A compaction item: the summary of the context it replaces, sealed (opaque to clients)."""
    return {"type": "compaction", "id": item_id, "encrypted_content": seal("compaction", {"summary": summary})}


def _chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping):
        return (
            {"type": "function", "function": {"name": choice["name"]}}
            if choice["type"] in ("function", "custom")
            else "none"
        )
    return choice


def earlier_images(conversation: Sequence[Mapping[str, Any]]) -> bool:
    """Whether images came before the last user message: what image context compression works on."""
    return any(_image_parts(conversation))


def compressed_images(conversation: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The conversation with the images before its last user message read at low detail (image context
    compression): the question's own images keep theirs."""
    items = [dict(item) for item in conversation]
    for index, number in _image_parts(conversation):
        parts = list(items[index]["content"])
        parts[number] = {**parts[number], "detail": "low"}
        items[index]["content"] = parts
    return items


def _image_parts(conversation: Sequence[Mapping[str, Any]]) -> Iterator[tuple[int, int]]:
    """(item, part) positions of the image parts before the last user message."""
    last_user = max(
        (
            index
            for index, item in enumerate(conversation)
            if item.get("type") == "message" and item.get("role") == "user"
        ),
        default=0,
    )
    for index, item in enumerate(conversation[:last_user]):
        if item.get("type") != "message" or not isinstance(item.get("content"), list):
            continue
        for number, part in enumerate(item["content"]):
            if part.get("type") == "input_image":
                yield index, number


def _instructions(request: Mapping[str, Any]) -> str | None:
    """The instructions the model reads: the request's, then the skills of a local shell environment."""
    parts = (request.get("instructions"), shell_tools.skills_note(shell_tools.local_skills(request)))
    return "\n\n".join(part for part in parts if part) or None


def chat_request(turn: Turn, *, hosted_call: bool) -> dict[str, Any]:
    """The chat completion request that answers this turn."""
    request = turn.request
    # Namespaced tools under flat names; deferred ones only once a tool search has loaded them.
    offered = response_tools.offered_tools(request, turn.conversation)
    # A function only programs may call (`allowed_callers: ["programmatic"]`) is never called directly.
    functions = [response_tools.chat_function(entry) for entry in offered if programmatic.directly_callable(entry.tool)]
    conversation = turn.conversation
    if (request.get("image") or {}).get("context_compression") == "enabled":
        conversation = compressed_images(conversation)
    chat_req: dict[str, Any] = {
        "model": request["model"],
        "messages": chat_messages(conversation, _instructions(request)),
    }
    if functions and not hosted_call:
        chat_req["tools"] = [
            {
                "type": "function",
                "function": {
                    **{key: tool[key] for key in ("name", "description", "parameters") if tool.get(key) is not None},
                    "strict": effective_strict(tool),
                },
            }
            for tool in functions
        ]
        chat_req["tool_choice"] = _chat_tool_choice(request.get("tool_choice", "auto"))
        chat_req["parallel_tool_calls"] = request.get("parallel_tool_calls", True)
    text_format = (request.get("text") or {}).get("format") or {"type": "text"}
    if text_format["type"] == "json_schema":
        chat_req["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": text_format.get("name", "response"),
                "schema": text_format["schema"],
                "strict": bool(text_format.get("strict")),
            },
        }
    elif text_format["type"] == "json_object":
        chat_req["response_format"] = {"type": "json_object"}
    if request.get("max_output_tokens") is not None:
        chat_req["max_completion_tokens"] = request["max_output_tokens"]
    effort = (request.get("reasoning") or {}).get("effort")
    if effort:
        chat_req["reasoning_effort"] = effort
    verbosity = (request.get("text") or {}).get("verbosity")
    if verbosity:
        chat_req["verbosity"] = verbosity
    return chat_req


def _verbosity(request: Mapping[str, Any]) -> dict[str, Any]:
    verbosity = (request.get("text") or {}).get("verbosity")
    return {"verbosity": verbosity} if verbosity else {}


def hosted_tool(request: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]]) -> str | None:
    """Which hosted tool ("file_search", "web_search", "computer") this turn calls, if any."""
    declared = [HOSTED_TOOLS[tool["type"]] for tool in request.get("tools", []) if tool["type"] in HOSTED_TOOLS]
    choice = request.get("tool_choice", "auto")
    if not declared or choice == "none":
        return None
    if conversation and conversation[-1]["type"] == "mcp_approval_response":
        return "mcp"  # approved (or not): the call happens now, or the answer says it did not
    if "image_generation" in declared and not response_tools.wants_image(last_user_text(conversation)):
        declared.remove("image_generation")  # a model draws only when asked to
        if not declared:
            return None
    if conversation and conversation[-1]["type"] == "tool_search_output":
        return None  # the tools a search loaded are called now
    if conversation and conversation[-1]["type"] in _TOOL_CALL_OUTPUTS:
        steps = sum(1 for item in conversation if item["type"] == "computer_call_output")
        answering_computer = conversation[-1]["type"] == "computer_call_output"
        return "computer" if answering_computer and steps < _COMPUTER_STEPS else None
    if isinstance(choice, Mapping):
        return HOSTED_TOOLS.get(choice["type"])
    prompt = last_user_text(conversation)
    own = [*response_tools.offered_tools(request, conversation), *response_tools.deferred_tools(request, conversation)]
    if any(chat.mentioned(response_tools.chat_function(entry), prompt) for entry in own):
        return None  # the user asked for one of their own functions
    # A shell or a patch only when the prompt asks for one, the web only when the question needs it.
    wanted = shell_tools.keep_wanted(declared, prompt, shell_tools.local_skills(request))
    wanted = response_tools.keep_wanted_search(wanted, prompt)
    if not wanted:
        return declared[0] if choice == "required" else None
    return wanted[0]


# --------------------------------------------------------------------------------------------- hosted tools


def _tool_exchange(call_id: str, name: str, arguments: Mapping[str, Any], result: str) -> list[dict[str, Any]]:
    """A hosted tool's call and result, as the chat messages the model reads before answering."""
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": result},
    ]


def _allowed_domains(request: Mapping[str, Any]) -> list[str]:
    for tool in request.get("tools", []):
        if HOSTED_TOOLS.get(tool["type"]) == "web_search":
            return list(((tool.get("filters") or {}).get("allowed_domains")) or [])
    return []


def _cite_container_file(answer: str, run: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Link the file the code wrote (`sandbox:/mnt/data/…`, as the real model does) with a container_file_citation
    spanning the link."""
    link = f"[{run['filename']}](sandbox:{run['path']})"
    answer = answer.rstrip() + "\n\nThe result is saved as "
    start = len(answer)
    answer += link + "."
    citation = {
        "type": "container_file_citation",
        "container_id": run["container_id"],
        "file_id": run["file_id"],
        "filename": run["filename"],
        "start_index": start,
        "end_index": start + len(link),
    }
    return answer, [citation]


def _computer_action(turn: Turn, rng: random.Random) -> dict[str, Any]:
    tool = next(tool for tool in turn.request["tools"] if tool["type"] == "computer_use_preview")
    if not any(item["type"] == "computer_call_output" for item in turn.conversation):
        return {"type": "screenshot"}
    width, height = int(tool["display_width"]), int(tool["display_height"])
    return {"type": "click", "button": "left", "x": rng.randint(0, width - 1), "y": rng.randint(0, height - 1)}


# --------------------------------------------------------------------------------------------- building


class _Output:
    __slots__ = ("input_tokens", "items", "output_tokens", "reasoning_tokens", "truncated")

    def __init__(
        self,
        items: list[dict[str, Any]] | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        reasoning_tokens: int = 0,
        truncated: bool = False,
    ) -> None:
        self.items = items if items is not None else []
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.reasoning_tokens = reasoning_tokens
        self.truncated = truncated


def _message_item(new_id: NewId, answer: str, annotations: list[dict[str, Any]], truncated: bool) -> dict[str, Any]:
    return {
        "type": "message",
        "id": new_id("message_item"),
        "status": "incomplete" if truncated else "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": answer, "annotations": annotations, "logprobs": []}],
    }


def _answer(
    turn: Turn,
    rng: random.Random,
    new_id: NewId,
    reasoning: bool,
    kind: str | None,
    script: chat.Scripted | None = None,
    created: int = 0,
) -> _Output:
    """Reasoning, the hosted tool call when there is one, then the chat machinery's text or function calls."""
    chat_req = chat_request(turn, hosted_call=kind is not None)
    model = chat_req["model"]
    query = last_user_text(turn.conversation)
    hosted: list[dict[str, Any]] = []
    if not chat_req["messages"]:
        # Only items the model does not read again (reasoning, say): it answers an empty turn.
        chat_req["messages"] = [{"role": "user", "content": ""}]
    sources: list[dict[str, str]] = []
    if kind == "file_search":
        hosted.append(
            {
                "type": "file_search_call",
                "id": new_id("file_search_call"),
                "status": "completed",
                "queries": [query],
                "results": turn.search_results,
            }
        )
        best = turn.search_results[0]["text"] if turn.search_results else ""
        chat_req["messages"] += _tool_exchange(chat.tool_call_id(rng), "file_search", {"queries": [query]}, best)
    elif kind == "web_search":
        searched = web_search.search_query(query)  # the prompt's subject, not its labels and reasons
        sources = web_search.web_sources(searched, _allowed_domains(turn.request))
        action: dict[str, Any] = {"type": "search", "query": searched, "queries": [searched]}
        action["sources"] = [{"type": "url", "url": source["url"]} for source in sources]
        hosted.append(
            {"type": "web_search_call", "id": new_id("web_search_call"), "status": "completed", "action": action}
        )
        found = "; ".join(f"{source['title']} ({source['url']})" for source in sources)
        chat_req["messages"] += _tool_exchange(chat.tool_call_id(rng), "web_search", {"query": searched}, found)
    elif kind == "code_interpreter" and turn.code_run is not None:
        run = turn.code_run
        hosted.append(
            {
                "type": "code_interpreter_call",
                "id": new_id("code_interpreter_call"),
                "status": "completed",
                "container_id": run["container_id"],
                "code": run["code"],
                "outputs": [{"type": "logs", "logs": run["logs"]}],
            }
        )
        chat_req["messages"] += _tool_exchange(chat.tool_call_id(rng), "python", {"code": run["code"]}, run["logs"])
    completion = chat.build_chat_completion(
        chat_req, rng, completion_id="", created=created, reasoning=reasoning, searched=sources, script=script
    )
    usage, choice = completion["usage"], completion["choices"][0]
    out = _Output(
        input_tokens=usage["prompt_tokens"],
        output_tokens=usage["completion_tokens"],
        reasoning_tokens=usage["completion_tokens_details"]["reasoning_tokens"],
        truncated=choice["finish_reason"] == "length",
    )
    if out.reasoning_tokens:
        out.items.append(_reasoning_item(turn.request, new_id("reasoning"), query, out.reasoning_tokens))
    out.items += hosted
    message = choice["message"]
    offered = {entry.chat_name: entry for entry in response_tools.offered_tools(turn.request, turn.conversation)}
    for call in message.get("tool_calls") or []:
        out.items.append(_call_item(call, offered.get(call["function"]["name"]), new_id, query))
    if message.get("tool_calls"):
        return out
    answer: str = message.get("content") or ""
    annotations: list[dict[str, Any]] = []
    code_run = turn.code_run if kind == "code_interpreter" else None
    if (sources or code_run) and answer and not out.truncated:
        answer, annotations = (
            web_search.cite(answer, sources, structured="response_format" in chat_req)
            if sources
            else _cite_container_file(answer, code_run or {})
        )
        budget = turn.request.get("max_output_tokens")
        fitted = text.fit(answer, model=model, max_tokens=None if budget is None else budget - out.reasoning_tokens)
        out.output_tokens += fitted.token_count - tokens.count_tokens(message["content"], model)
        out.truncated = fitted.finish_reason == "length"
        answer = fitted.text
        annotations = [note for note in annotations if note["end_index"] <= len(answer)]
    if kind == "file_search":
        seen: list[str] = []
        for result in turn.search_results:
            if result["file_id"] not in seen:
                seen.append(result["file_id"])
                annotations.append(
                    {
                        "type": "file_citation",
                        "index": len(answer),
                        "file_id": result["file_id"],
                        "filename": result["filename"],
                    }
                )
    if answer or not out.truncated:
        out.items.append(_message_item(new_id, answer, annotations, out.truncated))
    return out


def _call_item(
    call: Mapping[str, Any], entry: response_tools.Offered | None, new_id: NewId, query: str
) -> dict[str, Any]:
    """A chat tool call as the output item of the tool it names: a custom tool's or a function's, under the tool's
    own name, with its `namespace` when it belongs to one."""
    name, arguments = call["function"]["name"], call["function"]["arguments"]
    namespace = {"namespace": entry.namespace} if entry is not None and entry.namespace else {}
    name = str(entry.tool["name"]) if entry is not None else name
    if entry is not None and entry.tool["type"] == "custom":
        # A free-form patch tool gets the patch a planned step wrote, else the one of the edit asked for; another
        # custom tool, its text.
        patch = shell_tools.written_patch(entry.tool, arguments)
        if patch is None and shell_tools.is_patch_tool(entry.tool):
            patch = shell_tools.patch_input(query, ())
        return {
            "type": "custom_tool_call",
            "id": new_id("custom_tool_call"),
            "call_id": call["id"],
            **namespace,
            "name": name,
            "input": patch or response_tools.custom_input(entry.tool, arguments, query),
        }
    return {
        "type": "function_call",
        "id": new_id("function_call"),
        "call_id": call["id"],
        **namespace,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def summary_mode(request: Mapping[str, Any]) -> str | None:
    """`reasoning.summary` (or the older `generate_summary`): "auto", "concise", "detailed", or None."""
    reasoning = request.get("reasoning") or {}
    mode = reasoning.get("summary") or reasoning.get("generate_summary")
    return str(mode) if mode else None


def _reasoning_item(request: Mapping[str, Any], item_id: str, query: str, spent: int) -> dict[str, Any]:
    """The reasoning item: its summary when one is asked for (`reasoning.summary`), else an empty summary; the
    `spent` reasoning tokens it stands for sealed in its `encrypted_content` (shown as `present` says)."""
    mode = summary_mode(request)
    topic = text.topic_of(query or "the request")
    parts = [f"**Considering {topic}**\n\nThe user is asking about {topic}; I'll set out the key facts first."]
    if mode == "detailed":
        parts.append(
            f"**Structuring the answer**\n\nI'll keep it clear and concise, with the main point about {topic} first."
        )
    summary = [{"type": "summary_text", "text": part} for part in parts] if mode is not None else []
    item = {"type": "reasoning", "id": item_id, "summary": summary, "content": []}
    return sealed_reasoning(item, request["model"], spent)


def sealed_reasoning(item: Mapping[str, Any], model: str, spent: int) -> dict[str, Any]:
    """A reasoning item with its `encrypted_content`: its summary, the model and the tokens it stands for."""
    summary = [part["text"] for part in item.get("summary") or []]
    return {**item, "encrypted_content": seal("reasoning", {"summary": summary, "model": model, "tokens": spent})}


def unsealed_reasoning(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a reasoning item's `encrypted_content` carries (`sealed_reasoning`); None when the mock did not seal it."""
    return unseal("reasoning", item.get("encrypted_content"))


def reasoning_read_back(conversation: Sequence[Mapping[str, Any]]) -> int:
    """The reasoning tokens the model reads again, billed as input: its reasoning items since the last user message
    (earlier turns' reasoning is dropped, as the real API drops it), each the tokens it sealed; one whose content is
    unknown (sent without `encrypted_content`) counts nothing."""
    last_user = max(
        (at for at, item in enumerate(conversation) if item["type"] == "message" and item["role"] == "user"),
        default=-1,
    )
    read = (unsealed_reasoning(item) for item in conversation[last_user + 1 :] if item["type"] == "reasoning")
    return sum(int(sealed["tokens"]) for sealed in read if sealed is not None)


def shown_reasoning(item: Mapping[str, Any], include: Sequence[str]) -> dict[str, Any]:
    """A reasoning item as a read shows it: its `encrypted_content` only when `include` asks for it."""
    if "reasoning.encrypted_content" in include:
        return dict(item)
    return {key: value for key, value in item.items() if key != "encrypted_content"}


def _computer_turn(turn: Turn, rng: random.Random, new_id: NewId) -> _Output:
    action = _computer_action(turn, rng)
    chat_req = chat_request(turn, hosted_call=True)
    model = chat_req["model"]
    call = {
        "type": "computer_call",
        "id": new_id("computer_call"),
        "call_id": chat.tool_call_id(rng),
        "action": action,
        "pending_safety_checks": [],
        "status": "completed",
    }
    spent = tokens.count_tokens(json.dumps(action), model) + chat.TOKENS_PER_MESSAGE
    return _Output([call], chat.count_prompt_tokens(chat_req), spent)


def _followed_by(turn: Turn, items: list[dict[str, Any]]) -> Turn:
    """The turn as the model reads it once hosted items (an MCP call, a picture) have been produced."""
    followed = copy.copy(turn)
    followed.items = turn.items + items
    return followed


def _shell_turn(turn: Turn, kind: str, rng: random.Random, new_id: NewId, reasoning: bool) -> _Output:
    """A local_shell / shell / apply_patch call: the client runs it, the answer comes once its output is sent
    (a reasoning model thinks first, as for any answer)."""
    chat_req = chat_request(turn, hosted_call=True)
    prompt = last_user_text(turn.conversation)
    thinking = chat.reasoning_tokens(chat_req, rng, reasoning)
    call_ids = (new_id(shell_tools.CALLS[kind]), chat.tool_call_id(rng))
    call = shell_tools.call_item(kind, turn.conversation, prompt, call_ids, shell_tools.local_skills(turn.request))
    _, arguments = shell_tools.chat_call(call)
    spent = tokens.count_tokens(arguments, chat_req["model"]) + chat.TOKENS_PER_MESSAGE + thinking
    thought = [_reasoning_item(turn.request, new_id("reasoning"), prompt, thinking)] if thinking else []
    return _Output([*thought, call], chat.count_prompt_tokens(chat_req), spent, thinking)


def _hosted_shell_turn(turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int) -> _Output:
    """A shell tool with a hosted container (`container_auto`, `container_reference`): the container runs the
    commands itself; the call, its output and the answer that reads it come in one response."""
    hosted = turn.shell_container or {}
    call_ids = (new_id("shell_call"), chat.tool_call_id(rng))
    skills = shell_tools.container_skills(hosted["files"])
    call = shell_tools.shell_call(last_user_text(turn.conversation), *call_ids, hosted["container_id"], skills)
    output = shell_tools.run_in_container(call, hosted["files"], new_id("shell_call_output"))
    return _then_answer(turn, [call, output], rng, new_id, reasoning, created)


def _then_answer(
    turn: Turn, done: list[dict[str, Any]], rng: random.Random, new_id: NewId, reasoning: bool, created: int
) -> _Output:
    """The hosted items, then the model's answer that reads them (one response, as the real API gives)."""
    answer = _answer(_followed_by(turn, done), rng, new_id, reasoning, None, created=created)
    at = 1 if answer.items and answer.items[0]["type"] == "reasoning" else 0
    answer.items[at:at] = done
    return answer


def _mcp_turn(turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int) -> _Output:
    """A remote MCP server's tools: listed once per conversation, each call approved first unless the tool's
    `require_approval` says never; an approval response runs (or declines) the call it answers."""
    request, conversation = turn.request, turn.conversation
    last = conversation[-1] if conversation else {}
    if last.get("type") == "mcp_approval_response":
        asked = next(
            (item for item in conversation if item.get("id") == last["approval_request_id"]),
            None,
        )
        if asked is None or not last["approve"]:
            return _answer(turn, rng, new_id, reasoning, None, created=created)
        tool = _mcp_server(request, asked["server_label"])
        call = response_tools.mcp_call(tool, asked["name"], asked["arguments"], new_id("mcp_call"), asked["id"])
        return _then_answer(turn, [call], rng, new_id, reasoning, created)
    tool = next(tool for tool in request["tools"] if tool["type"] == "mcp")
    items: list[dict[str, Any]] = []
    listed = any(i["type"] == "mcp_list_tools" and i["server_label"] == tool["server_label"] for i in conversation)
    if not listed:
        items.append(response_tools.mcp_list_tools(tool, new_id("mcp_list_tools")))
    name, arguments = response_tools.mcp_choice(tool, last_user_text(conversation))
    if response_tools.needs_approval(tool, name):
        items.append(response_tools.mcp_approval_request(tool, name, arguments, new_id("mcp_approval_request")))
        model = request["model"]
        spent = sum(tokens.count_tokens(json.dumps(item), model) for item in items)
        return _Output(items, chat.count_prompt_tokens(chat_request(turn, hosted_call=True)), spent)
    items.append(response_tools.mcp_call(tool, name, arguments, new_id("mcp_call"), None))
    return _then_answer(turn, items, rng, new_id, reasoning, created)


def _mcp_server(request: Mapping[str, Any], label: str) -> Mapping[str, Any]:
    servers = [tool for tool in request.get("tools", []) if tool["type"] == "mcp"]
    return next((tool for tool in servers if tool["server_label"] == label), servers[0])


def _image_turn(turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int) -> _Output:
    tool = next(tool for tool in turn.request["tools"] if tool["type"] == "image_generation")
    prompt = last_user_text(turn.conversation)
    call = response_tools.image_generation_call(tool, prompt, rng, new_id("image_generation_call"))
    return _then_answer(turn, [call], rng, new_id, reasoning, created)


def _program_turn(turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int) -> _Output:
    """Programmatic tool calling: the program the model writes, then the calls it makes (the client runs them;
    the program's output and the answer come once their outputs are sent)."""
    chat_req = chat_request(turn, hosted_call=True)
    model, prompt = chat_req["model"], last_user_text(turn.conversation)
    thinking = chat.reasoning_tokens(chat_req, rng, reasoning)
    calls = programmatic.planned_calls(turn.request, prompt, rng, created)
    code = programmatic.program_code(calls, programmatic.concurrent(turn.request, prompt))
    program_call_id = chat.tool_call_id(rng)
    made = [
        programmatic.call_item(new_id("function_call"), chat.tool_call_id(rng), call, program_call_id) for call in calls
    ]
    thought = [_reasoning_item(turn.request, new_id("reasoning"), prompt, thinking)] if thinking else []
    program = programmatic.program_item(new_id("program"), program_call_id, code)
    spent = tokens.count_tokens(code, model) + chat.TOKENS_PER_MESSAGE + thinking
    spent += sum(tokens.count_tokens(item["arguments"], model) for item in made)
    # The functions the program may call are part of the prompt, though the model never calls them itself.
    described = [
        {**tool, "description": tool.get("description") or ""} for tool in programmatic.callable_functions(turn.request)
    ]
    prompt_tokens = chat.count_prompt_tokens(chat_req) + chat.count_function_tokens(described, model)
    return _Output([*thought, program, *made], prompt_tokens, spent, thinking)


# --------------------------------------------------------------------------------------------- tool search


def _loaded_definition(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A deferred tool as a search loads it: its whole definition (a function's strictness filled in)."""
    if tool["type"] != "function":
        return dict(tool)
    return {
        "type": "function",
        "name": tool["name"],
        "description": tool.get("description"),
        "parameters": tool.get("parameters"),
        "strict": effective_strict(tool),
        "defer_loading": True,
    }


def _loaded(turn: Turn, paths: Sequence[str]) -> list[dict[str, Any]]:
    """What a server search loads for its paths: a namespace with its deferred tools, or a deferred top-level tool."""
    deferred = response_tools.deferred_tools(turn.request, turn.conversation)
    loaded: list[dict[str, Any]] = []
    for path in paths:
        members = [entry.tool for entry in deferred if entry.namespace == path]
        if members:
            space = next(tool for tool in turn.request["tools"] if tool["type"] == "namespace" and tool["name"] == path)
            definitions = [_loaded_definition(member) for member in members]
            about = space["description"]
            loaded.append({"type": "namespace", "name": path, "description": about, "tools": definitions})
        else:
            loaded += [_loaded_definition(e.tool) for e in deferred if e.namespace is None and e.chat_name == path]
    return loaded


def _search_item(kind: str, new_id: NewId, call_id: str | None, execution: str, **fields: Any) -> dict[str, Any]:
    item_id = new_id(kind)
    return {"type": kind, "id": item_id, "call_id": call_id, "execution": execution, **fields, "status": "completed"}


def _server_search_turn(
    turn: Turn, plan: response_tools.SearchPlan, rng: random.Random, new_id: NewId, reasoning: bool, created: int
) -> _Output:
    """A hosted tool search: the call, the tools it loaded, then the answer that calls them, in one response."""
    paths = response_tools.search_paths(plan.targets)
    call = _search_item("tool_search_call", new_id, None, "server", arguments={"paths": paths})
    output = _search_item("tool_search_output", new_id, None, "server", tools=_loaded(turn, paths))
    out = _then_answer(turn, [call, output], rng, new_id, reasoning, created)
    out.output_tokens += tokens.count_tokens(json.dumps(call["arguments"]), turn.request["model"])
    return out


def _client_search_turn(
    turn: Turn, plan: response_tools.SearchPlan, rng: random.Random, new_id: NewId, reasoning: bool, created: int
) -> _Output:
    """A client-executed tool search: the model calls the search tool with arguments of its `parameters` schema
    (`{"paths": [...]}` without one) and the response ends there; the client sends back the tools it loaded."""
    parameters = plan.tool.get("parameters") or response_tools.DEFAULT_SEARCH_PARAMETERS
    about = plan.tool.get("description") or "Search for and load deferred tools."
    search = {"name": "tool_search", "description": about, "parameters": parameters}
    chat_req = chat_request(turn, hosted_call=True)
    chat_req.update(
        tools=[{"type": "function", "function": {**search, "strict": effective_strict(search)}}],
        tool_choice={"type": "function", "function": {"name": "tool_search"}},
        parallel_tool_calls=False,
    )
    completion = chat.build_chat_completion(chat_req, rng, completion_id="", created=created, reasoning=reasoning)
    usage, chat_call = completion["usage"], completion["choices"][0]["message"]["tool_calls"][0]
    arguments = json.loads(chat_call["function"]["arguments"])
    if not plan.tool.get("parameters") and plan.targets:
        arguments = {"paths": response_tools.search_paths(plan.targets)}
    thinking = usage["completion_tokens_details"]["reasoning_tokens"]
    prompt = last_user_text(turn.conversation)
    thought = [_reasoning_item(turn.request, new_id("reasoning"), prompt, thinking)] if thinking else []
    call = _search_item("tool_search_call", new_id, chat_call["id"], "client", arguments=arguments)
    return _Output([*thought, call], usage["prompt_tokens"], usage["completion_tokens"], thinking)


def _tool_search_turn(
    turn: Turn, plan: response_tools.SearchPlan, rng: random.Random, new_id: NewId, reasoning: bool, created: int
) -> _Output:
    if response_tools.search_execution(plan.tool) == "client":
        return _client_search_turn(turn, plan, rng, new_id, reasoning, created)
    return _server_search_turn(turn, plan, rng, new_id, reasoning, created)


def _echo_tools(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Tools as the response reports them: defaults filled in."""
    echoed = []
    for tool in request.get("tools", []):
        if tool["type"] == "function":
            echoed.append(_echo_function(tool))
        elif tool["type"] == "namespace":
            members = [_echo_function(member) if member["type"] == "function" else member for member in tool["tools"]]
            echoed.append({**tool, "tools": members})
        elif tool["type"] == "tool_search":
            echoed.append({"execution": "server", **tool})
        elif tool["type"] == "file_search":
            echoed.append(
                {**tool, "ranking_options": {"ranker": "auto", "score_threshold": 0, **tool.get("ranking_options", {})}}
            )
        elif HOSTED_TOOLS.get(tool["type"]) == "web_search":
            echoed.append({"search_context_size": "medium", "user_location": None, **tool})
        else:
            echoed.append(dict(tool))
    return echoed


def _echo_function(tool: Mapping[str, Any]) -> dict[str, Any]:
    echoed = {
        "type": "function",
        "name": tool["name"],
        "description": tool.get("description"),
        "parameters": tool.get("parameters"),
        "strict": effective_strict(tool),
    }
    return {**echoed, "defer_loading": bool(tool["defer_loading"])} if "defer_loading" in tool else echoed


def _programmatic_turn(turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int) -> _Output | None:
    """A program's step when this turn takes one: its output and the answer once its calls' outputs are back, or
    a new program (generation/programmatic.py); else None."""
    program = programmatic.pending_program(turn.conversation)
    if program is not None:
        ran = programmatic.program_output_item(new_id("program_output"), program, turn.conversation)
        return _then_answer(turn, [ran], rng, new_id, reasoning, created)
    if programmatic.wanted(turn.request, turn.conversation, last_user_text(turn.conversation)):
        return _program_turn(turn, rng, new_id, reasoning, created)
    return None


def _model_turn(
    turn: Turn, rng: random.Random, new_id: NewId, reasoning: bool, created: int, script: chat.Scripted | None
) -> _Output:
    """The turn's output: a tool search, a hosted tool's call, a client tool's call, or the answer."""
    request = turn.request
    kind = None if script is not None else hosted_tool(request, turn.conversation)
    searching = None
    if script is None and kind is None:
        searching = response_tools.search_plan(request, turn.conversation, last_user_text(turn.conversation))
    if searching is not None:
        return _tool_search_turn(turn, searching, rng, new_id, reasoning, created)
    if kind == "computer":
        return _computer_turn(turn, rng, new_id)
    if kind == "mcp":
        return _mcp_turn(turn, rng, new_id, reasoning, created)
    if kind == "image_generation":
        return _image_turn(turn, rng, new_id, reasoning, created)
    if kind == "shell" and turn.shell_container is not None:
        return _hosted_shell_turn(turn, rng, new_id, reasoning, created)
    if kind in shell_tools.KINDS:
        return _shell_turn(turn, kind, rng, new_id, reasoning)
    return _answer(turn, rng, new_id, reasoning, kind, script, created)


def build_response(
    turn: Turn,
    rng: random.Random,
    *,
    response_id: str,
    created: int,
    reasoning: bool,
    new_id: NewId,
    script: chat.Scripted | None = None,
    ultrafast: bool = False,
) -> dict[str, Any]:
    """The finished `response` object for a validated turn; `script` (a fixture) fixes what it says; `ultrafast`:
    the model has the Ultrafast tier, so a request for it is served (and shown) there."""
    request = turn.request
    out = None if script is not None else _programmatic_turn(turn, rng, new_id, reasoning, created)
    if out is None:
        out = _model_turn(turn, rng, new_id, reasoning, created, script)
    out.input_tokens += reasoning_read_back(turn.conversation)  # earlier reasoning the model reads again
    out.input_tokens += documents_read(turn.conversation, request["model"])
    text_format = (request.get("text") or {}).get("format") or {"type": "text"}
    effort = (request.get("reasoning") or {}).get("effort", "medium") if reasoning else None
    status = "incomplete" if out.truncated else "completed"
    response: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": status,
        "background": bool(request.get("background")),
        "completed_at": created if status == "completed" else None,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if out.truncated else None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "max_tool_calls": request.get("max_tool_calls"),
        "model": request["model"],
        "output": out.items,
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "prompt_cache_key": request.get("prompt_cache_key"),
        "reasoning": {
            "effort": effort,
            "generate_summary": None,
            "summary": summary_mode(request) if reasoning else None,
        },
        "safety_identifier": request.get("safety_identifier"),
        "service_tier": chat.served_tier(request.get("service_tier"), ultrafast),
        "store": request.get("store", True),
        "temperature": request.get("temperature", 1.0),
        "text": {"format": text_format, **_verbosity(request)},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": _echo_tools(request),
        "top_logprobs": request.get("top_logprobs") or 0,
        "top_p": request.get("top_p", 1.0),
        "truncation": request.get("truncation", "disabled"),
        "usage": {
            "input_tokens": out.input_tokens,
            # the prompt cache's reads and writes: `report_cache`, once the layer has read the cache
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": out.output_tokens,
            "output_tokens_details": {"reasoning_tokens": out.reasoning_tokens},
            "total_tokens": out.input_tokens + out.output_tokens,
        },
        "metadata": request.get("metadata", {}),
    }
    if request.get("user") is not None:  # the spec's `user` is a string, not nullable: absent until sent
        response["user"] = request["user"]
    if request.get("conversation") is not None:
        response["conversation"] = {"id": request["conversation"]["id"]}
    response["access_programs"] = request.get("access_programs")  # null: no program asked for (Standard)
    if request.get("image") is not None:
        response["image"] = request["image"]  # the effective policy, resolved by the layer
    for echoed in ("prompt", "prompt_cache_options", "prompt_cache_retention"):
        if request.get(echoed) is not None:
            response[echoed] = request[echoed]
    if "prompt_cache_options" in response:  # the options applied: `prewarm` is an instruction, not one of them
        response["prompt_cache_options"] = {
            key: value for key, value in response["prompt_cache_options"].items() if key != "prewarm"
        }
    return response


def report_cache(response: dict[str, Any], use: prompt_prefix.CacheUse) -> None:
    """What the prompt cache did for the response (resources/prompt_cache.py), in its usage: never more than its
    input; the writes by lifetime class for the models that itemize them."""
    usage = response["usage"]
    cached = min(use.cached, usage["input_tokens"])
    written = min(use.written, usage["input_tokens"] - cached)
    details: dict[str, Any] = {"cached_tokens": cached, "cache_write_tokens": written}
    if use.itemized:
        twelve_hours = min(use.written_12h, written)
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": written - twelve_hours,
            "ttl_12h_tokens": twelve_hours,
        }
    usage["input_tokens_details"] = details


def give_output(response: dict[str, Any], items: Sequence[Mapping[str, Any]], new_id: NewId, query: str) -> None:
    """Make a fixture's output items (generation/fixture_items.py) the response's: completed, and counted in its
    usage (the text of messages and call arguments as output, reasoning summaries as reasoning tokens too)."""
    output = [
        _sealed_fixture_reasoning(item, response["model"]) if item["type"] == "reasoning" else item
        for item in fixture_items.completed(items, new_id, query)
    ]
    written, reasoned = fixture_items.texts(output)
    reasoning_tokens = tokens.count_tokens(reasoned, response["model"]) if reasoned else 0
    output_tokens = (tokens.count_tokens(written, response["model"]) if written else 0) + reasoning_tokens
    usage = response["usage"]
    usage["output_tokens"] = output_tokens
    usage["output_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    usage["total_tokens"] = usage["input_tokens"] + output_tokens
    response.update(output=output, status="completed", incomplete_details=None)


def _sealed_fixture_reasoning(item: Mapping[str, Any], model: str) -> dict[str, Any]:
    """A fixture's reasoning item: the `encrypted_content` the fixture gives (sent as given), else one sealing its
    summary, which stands for as many reasoning tokens as it is long (as `give_output` counts them)."""
    if item.get("encrypted_content") is not None:
        return dict(item)
    summary = "".join(part["text"] for part in item.get("summary") or [])
    return sealed_reasoning(item, model, tokens.count_tokens(summary, model) if summary else 0)


def _with_logprobs(item: Mapping[str, Any], response: Mapping[str, Any]) -> dict[str, Any]:
    """A message whose output texts carry their tokens' log probabilities, each with `top_logprobs` alternatives
    (the chat completions' `token_logprobs`); the same for every read of the response."""
    content = []
    for index, part in enumerate(item["content"]):
        if part.get("type") == "output_text" and part.get("text"):
            rng = random.Random(f"{response['id']}|{item['id']}|{index}")
            model, top = response["model"], response.get("top_logprobs") or 0
            part = {**part, "logprobs": chat.token_logprobs(tokens.encode(part["text"], model), model, top, rng)}
        content.append(part)
    return {**item, "content": content}


def present(response: Mapping[str, Any], include: Sequence[str]) -> dict[str, Any]:
    """The response as returned: file search results, web search sources, output texts' log probabilities,
    reasoning items' encrypted content only when `include` asks for them."""
    logprobs = "message.output_text.logprobs" in include
    output = []
    for item in response["output"]:
        if logprobs and item["type"] == "message":
            item = _with_logprobs(item, response)
        elif item["type"] == "reasoning":
            item = shown_reasoning(item, include)
        elif item["type"] == "file_search_call" and "file_search_call.results" not in include:
            item = {**item, "results": None}
        elif item["type"] == "web_search_call" and "web_search_call.action.sources" not in include and "action" in item:
            item = {**item, "action": {key: value for key, value in item["action"].items() if key != "sources"}}
        elif item["type"] == "code_interpreter_call" and "code_interpreter_call.outputs" not in include:
            item = {**item, "outputs": None}
        output.append(item)
    return {**response, "output": output}


# --------------------------------------------------------------------------------------------- streaming


def _opened(item: Mapping[str, Any]) -> dict[str, Any]:
    """An output item as `response.output_item.added` shows it: started, nothing produced yet."""
    kind = item["type"]
    if kind == "message":
        return {**item, "status": "in_progress", "content": []}
    if kind == "function_call":
        return {**item, "arguments": "", "status": "in_progress"}
    if kind == "file_search_call":
        return {**item, "status": "in_progress", "results": None}
    if kind in ("web_search_call", "computer_call"):
        return {**item, "status": "in_progress"}
    if kind == "code_interpreter_call":
        return {**item, "status": "in_progress", "code": "", "outputs": None}
    if kind == "image_generation_call":
        return {**item, "status": "in_progress", "result": None}
    if kind == "mcp_call":
        return {**item, "status": "in_progress", "arguments": "", "output": None}
    if kind == "custom_tool_call":
        return {**item, "input": ""}
    if kind == "shell_call":
        return {**item, "status": "in_progress", "action": {**item["action"], "commands": []}}
    if kind in ("local_shell_call", "apply_patch_call", "tool_search_call", "tool_search_output"):
        return {**item, "status": "in_progress"}
    if kind == "shell_call_output":
        return {**item, "status": "in_progress", "output": []}
    if kind == "reasoning":  # its encrypted content is whole once done (`response.output_item.done`)
        return shown_reasoning(item, ())
    return dict(item)


_TOOL_EVENT_KINDS = (
    "image_generation_call",
    "mcp_list_tools",
    "mcp_call",
    "custom_tool_call",
    "code_interpreter_call",
    "shell_call",
    "shell_call_output",
)


def _tool_call_events(
    item: Mapping[str, Any], where: Mapping[str, Any], model: str, partials: int
) -> Iterator[dict[str, Any]]:
    """The progress events of a tool call the model makes itself (image, MCP, custom, code interpreter)."""
    kind = item["type"]
    if kind == "image_generation_call":
        yield {"type": "response.image_generation_call.in_progress", **where}
        yield {"type": "response.image_generation_call.generating", **where}
        for number, preview in enumerate(response_tools.partial_images(item["result"] or "", partials)):
            partial = {"partial_image_index": number, "partial_image_b64": preview}
            yield {"type": "response.image_generation_call.partial_image", **where, **partial}
        yield {"type": "response.image_generation_call.completed", **where}
    elif kind == "mcp_list_tools":
        yield {"type": "response.mcp_list_tools.in_progress", **where}
        yield {"type": "response.mcp_list_tools.completed", **where}
    elif kind == "mcp_call":
        yield {"type": "response.mcp_call.in_progress", **where}
        for fragment in chat.fragments(item["arguments"], model):
            yield {"type": "response.mcp_call_arguments.delta", **where, "delta": fragment}
        yield {"type": "response.mcp_call_arguments.done", **where, "arguments": item["arguments"]}
        yield {"type": "response.mcp_call.completed", **where}
    elif kind == "custom_tool_call":
        for fragment in chat.fragments(item["input"], model):
            yield {"type": "response.custom_tool_call_input.delta", **where, "delta": fragment}
        yield {"type": "response.custom_tool_call_input.done", **where, "input": item["input"]}
    elif kind == "code_interpreter_call":
        yield {"type": "response.code_interpreter_call.in_progress", **where}
        for fragment in chat.fragments(item["code"] or "", model):
            yield {"type": "response.code_interpreter_call_code.delta", **where, "delta": fragment}
        yield {"type": "response.code_interpreter_call_code.done", **where, "code": item["code"] or ""}
        yield {"type": "response.code_interpreter_call.interpreting", **where}
        yield {"type": "response.code_interpreter_call.completed", **where}
    elif kind == "shell_call":
        yield from shell_tools.command_events(item, where["output_index"], lambda line: chat.fragments(line, model))
    elif kind == "shell_call_output":
        yield from shell_tools.output_events(item, where["output_index"])


def _item_events(item: Mapping[str, Any], index: int, model: str, partials: int = 0) -> Iterator[dict[str, Any]]:
    kind, item_id = item["type"], item["id"]
    where = {"item_id": item_id, "output_index": index}
    if kind in ("file_search_call", "web_search_call"):
        for phase in ("in_progress", "searching", "completed"):
            yield {"type": f"response.{kind}.{phase}", **where}
    elif kind in _TOOL_EVENT_KINDS:
        yield from _tool_call_events(item, where, model, partials)
    elif kind == "reasoning":
        for summary_index, part in enumerate(item["summary"]):
            at = {**where, "summary_index": summary_index}
            yield {"type": "response.reasoning_summary_part.added", **at, "part": {**part, "text": ""}}
            for piece in text.split_on_tokens(part["text"], model):
                yield {"type": "response.reasoning_summary_text.delta", **at, "delta": piece}
            yield {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]}
            yield {"type": "response.reasoning_summary_part.done", **at, "part": part}
    elif kind == "function_call":
        for fragment in chat.fragments(item["arguments"], model):
            yield {"type": "response.function_call_arguments.delta", **where, "delta": fragment}
        yield {
            "type": "response.function_call_arguments.done",
            **where,
            "name": item["name"],
            "arguments": item["arguments"],
        }
    elif kind == "message":
        for content_index, part in enumerate(item["content"]):
            at = {**where, "content_index": content_index}
            opened = {**part, "text": "", "annotations": [], **({"logprobs": []} if "logprobs" in part else {})}
            yield {"type": "response.content_part.added", **at, "part": opened}
            pieces = text.split_on_tokens(part["text"], model)
            entries = [_event_logprob(entry) for entry in part.get("logprobs") or []]
            aligned = len(entries) == len(pieces)  # one entry per piece: each delta carries its own
            for offset, piece in enumerate(pieces):
                logprobs = entries[offset : offset + 1] if aligned else []
                yield {"type": "response.output_text.delta", **at, "delta": piece, "logprobs": logprobs}
            for annotation_index, annotation in enumerate(part["annotations"]):
                yield {
                    "type": "response.output_text.annotation.added",
                    **at,
                    "annotation_index": annotation_index,
                    "annotation": annotation,
                }
            yield {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": entries}
            yield {"type": "response.content_part.done", **at, "part": part}


def _event_logprob(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A stream event's ResponseLogProb: token and logprob, alternatives likewise (no bytes)."""
    alternatives = [{"token": top["token"], "logprob": top["logprob"]} for top in entry["top_logprobs"]]
    return {"token": entry["token"], "logprob": entry["logprob"], "top_logprobs": alternatives}


_OBFUSCATED = (
    "response.output_text.delta",
    "response.function_call_arguments.delta",
    "response.reasoning_summary_text.delta",
    "response.shell_call_command.delta",
)


def stream_events(response: Mapping[str, Any], *, obfuscate: bool = True) -> Iterator[dict[str, Any]]:
    """The response as the real stream sends it: created, (queued, for a background response), in_progress,
    each item opened, filled and closed, then completed (or incomplete, cancelled), every event numbered from 0;
    with `obfuscate`, each delta event carries `obfuscation` padding."""
    started = {key: value for key, value in response.items() if key != "usage"}
    started.update(status="in_progress", output=[], incomplete_details=None, completed_at=None)
    queued = {**started, "status": "queued"}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": queued if response.get("background") else started}
    ]
    if response.get("background"):
        events.append({"type": "response.queued", "response": queued})
    events.append({"type": "response.in_progress", "response": started})
    partials = next((t.get("partial_images") or 0 for t in response["tools"] if t["type"] == "image_generation"), 0)
    for index, item in enumerate(response["output"]):
        owner = {"agent": item["agent"]} if "agent" in item else {}  # a multi-agent item's events name its agent
        events.append({"type": "response.output_item.added", "output_index": index, "item": _opened(item), **owner})
        events.extend({**event, **owner} for event in _item_events(item, index, response["model"], partials))
        events.append({"type": "response.output_item.done", "output_index": index, "item": item, **owner})
    final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    events.append({"type": final, "response": dict(response)})
    padding = Padding(response["id"])
    for number, event in enumerate(events):
        if obfuscate and event["type"] in _OBFUSCATED:
            event = {**event, "obfuscation": padding.text(number, event["delta"])}
        yield {**event, "sequence_number": number}
