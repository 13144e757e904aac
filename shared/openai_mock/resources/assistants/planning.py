"""What a run phase produces, decided when the phase begins (run creation, or tool outputs submitted): a pure
function of (run configuration, conversation, rng, times) built on the chat generation code.

A phase ends in one of:
- `requires_action`: a `tool_calls` step (in progress) with function calls whose arguments fit their schemas;
- `completed` / `incomplete`: optional built-in tool steps (file_search, code_interpreter), then a
  `message_creation` step and the assistant message;
- `failed`: when the run's metadata asks for it (`mock_fail`)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from openai_mock.generation import text, tokens
from openai_mock.generation.content import Scripted, content_text
from openai_mock.ids import new_id

# The chat generator is imported by the first run planned: creating assistants, threads and messages (most of this
# function's requests) generates nothing (bench/README.md, cold starts).

Object = dict[str, Any]
Search = Callable[[list[str], str, dict[str, Any]], list[Object]]  # (vector store ids, query, options) → results

MOCK_FAIL_KEY = "mock_fail"
FAILURES = {
    "server_error": "Sorry, something went wrong.",
    "rate_limit_exceeded": "You exceeded your current quota, please check your plan and billing details.",
    "invalid_prompt": "Your prompt was flagged as potentially violating our usage policy.",
}
_CODE_WORDS = frozenset(
    {
        "calculate",
        "compute",
        "python",
        "code",
        "sum",
        "average",
        "mean",
        "total",
        "plot",
        "chart",
        "math",
        "solve",
        "equation",
        "multiply",
        "add",
    }
)


class Phase(NamedTuple):
    """Where and when a phase happens."""

    run: Object  # the stored run (public fields + its private configuration)
    start_at: float
    finish_at: float
    conversation: list[Object]  # chat-format messages the model sees
    answering_tools: bool  # the phase follows submitted tool outputs


# --------------------------------------------------------------------------- conversation


def _chat_content(content: list[Object]) -> Any:
    texts = [part["text"]["value"] for part in content if part["type"] == "text"]
    images = [part for part in content if part["type"] != "text"]
    if not images:
        return "\n".join(texts)
    parts: list[Object] = [{"type": "text", "text": value} for value in texts]
    for part in images:
        body = part[part["type"]]
        url = body.get("url") or f"file://{body.get('file_id')}"
        parts.append({"type": "image_url", "image_url": {"url": url, "detail": body.get("detail", "auto")}})
    return parts


def conversation(instructions: str, thread_messages: list[Object], truncation: Mapping[str, Any]) -> list[Object]:
    """The chat messages a run sends the model: its instructions, then the thread (or its last N messages)."""
    if truncation.get("type") == "last_messages":
        thread_messages = thread_messages[-truncation["last_messages"] :]
    messages = [{"role": "system", "content": instructions}] if instructions else []
    messages += [{"role": message["role"], "content": _chat_content(message["content"])} for message in thread_messages]
    return messages


def fit_prompt(messages: list[Object], model: str, max_prompt_tokens: int | None, auto: bool) -> list[Object] | None:
    """Drop the oldest thread messages until the prompt fits `max_prompt_tokens` (truncation `auto`);
    None when it cannot fit."""
    from openai_mock.generation import chat as chat_builder

    if max_prompt_tokens is None:
        return messages
    kept = list(messages)
    while chat_builder.count_message_tokens(kept, model) > max_prompt_tokens:
        droppable = [index for index, message in enumerate(kept) if message["role"] != "system"]
        if not auto or len(droppable) <= 1:
            return None
        del kept[droppable[0]]
    return kept


def last_user_text(messages: list[Object]) -> str:
    for message in reversed(messages):
        if message["role"] == "user":
            return content_text(message["content"])
    return ""


# --------------------------------------------------------------------------- objects


def usage(prompt: int, completion: int) -> Object:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def step(
    run: Object, kind: str, details: Object, *, created_at: int, completed_at: int | None, step_usage: Object | None
) -> Object:
    return {
        "id": new_id("thread.run.step"),
        "object": "thread.run.step",
        "created_at": created_at,
        "run_id": run["id"],
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "type": kind,
        "status": "completed" if completed_at is not None else "in_progress",
        "cancelled_at": None,
        "completed_at": completed_at,
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": details,
        "usage": step_usage,
        "metadata": {},
    }


def _assistant_message(
    run: Object, text_value: str, annotations: list[Object], *, created_at: int, completed_at: int, incomplete: bool
) -> Object:
    return {
        "id": new_id("thread.message"),
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "run_id": run["id"],
        "role": "assistant",
        "content": [{"type": "text", "text": {"value": text_value, "annotations": annotations}}],
        "attachments": [],
        "metadata": {},
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_tokens"} if incomplete else None,
        "completed_at": None if incomplete else completed_at,
        "incomplete_at": completed_at if incomplete else None,
    }


# --------------------------------------------------------------------------- built-in tools


def _wants(run: Object, tool: str, prompt: str) -> bool:
    enabled = [item for item in run["tools"] if item["type"] == tool]
    if not enabled or run["tool_choice"] == "none":
        return False
    choice = run["tool_choice"]
    if isinstance(choice, dict):
        return bool(choice["type"] == tool)
    if tool == "file_search":
        return bool(run["_vector_store_ids"])
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    return bool(words & _CODE_WORDS)


def _code_call(prompt: str, rng: random.Random) -> tuple[Object, str]:
    """Python that works on the numbers the user gave (or a small sample), and what it printed."""
    from openai_mock.generation import chat as chat_builder

    numbers = [float(item) if "." in item else int(item) for item in re.findall(r"-?\d+(?:\.\d+)?", prompt)][:12]
    values = numbers or [rng.randint(1, 99) for _ in range(5)]
    total = sum(values)
    mean = total / len(values)
    code = (
        f"values = {values!r}\ntotal = sum(values)\nmean = total / len(values)\n"
        'print(f"total={total}, mean={mean:.4g}")'
    )
    logs = f"total={total}, mean={mean:.4g}\n"
    call = {
        "id": chat_builder.tool_call_id(rng),
        "type": "code_interpreter",
        "code_interpreter": {"input": code, "outputs": [{"type": "logs", "logs": logs}]},
    }
    return call, f"I ran the numbers: total={total}, mean={mean:.4g}."


def _search_call(run: Object, prompt: str, rng: random.Random, search: Search) -> tuple[Object, list[Object]]:
    from openai_mock.generation import chat as chat_builder

    tool = next(item for item in run["tools"] if item["type"] == "file_search")
    options = tool["file_search"]
    found = search(run["_vector_store_ids"], prompt or "summary", options)
    results = [
        {"file_id": item["file_id"], "file_name": item["filename"], "score": item["score"], "content": item["content"]}
        for item in found
    ]
    call = {
        "id": chat_builder.tool_call_id(rng),
        "type": "file_search",
        "file_search": {"ranking_options": options["ranking_options"], "results": results},
    }
    return call, results


def _citation(results: list[Object], model: str) -> tuple[str, list[Object]]:
    """A lead sentence quoting the best result, with its `file_citation` annotation."""
    if not results:
        return "I searched the attached files but found nothing relevant.\n\n", []
    best = results[0]
    quote = text.truncate_to_tokens(" ".join(best["content"][0]["text"].split()), 40, model)
    marker = f"【4:0†{best['file_name']}】"
    lead = f'According to {best["file_name"]}, "{quote}"'
    annotation = {
        "type": "file_citation",
        "text": marker,
        "start_index": len(lead),
        "end_index": len(lead) + len(marker),
        "file_citation": {"file_id": best["file_id"]},
    }
    return f"{lead}{marker}\n\n", [annotation]


# --------------------------------------------------------------------------- phases


def _chat_request(phase: Phase, budget: int | None) -> Object:
    run = phase.run
    functions = [tool["function"] for tool in run["tools"] if tool["type"] == "function"]
    request: Object = {"model": run["model"], "messages": phase.conversation}
    if functions:
        request["tools"] = [{"type": "function", "function": function} for function in functions]
        choice = run["tool_choice"]
        if phase.answering_tools or (isinstance(choice, dict) and choice["type"] != "function"):
            choice = "auto" if not isinstance(choice, str) or choice == "required" else choice
        request["tool_choice"] = choice
        request["parallel_tool_calls"] = run["parallel_tool_calls"]
    if isinstance(run["response_format"], dict) and run["response_format"]["type"] != "text":
        request["response_format"] = run["response_format"]
    if budget is not None:
        request["max_completion_tokens"] = budget
    return request


def _failed(phase: Phase, code: str) -> Object:  # noqa: ARG001
    return {
        "status": "failed",
        "steps": [],
        "message": None,
        "required_action": None,
        "last_error": {"code": code, "message": FAILURES[code]},
        "incomplete_details": None,
        "usage": usage(0, 0),
    }


def plan_phase(
    phase: Phase, rng: random.Random, search: Search, used: Object, script: Scripted | None = None
) -> Object:
    """The outcome of one phase: the steps and message to write and the status the run reaches.
    `used` is the usage of earlier phases (max_completion_tokens covers the whole run)."""
    from openai_mock.generation import chat as chat_builder

    run = phase.run
    failure = (run.get("metadata") or {}).get(MOCK_FAIL_KEY)
    if failure in FAILURES:
        return _failed(phase, failure)
    model = run["model"]
    started, finished = int(phase.start_at), int(phase.finish_at)
    prompt_tokens = chat_builder.count_message_tokens(phase.conversation, model)
    limit = run["max_completion_tokens"]
    budget = None if limit is None else max(1, limit - used["completion_tokens"])
    steps: list[Object] = []
    lead, annotations = "", list[Object]()
    prompt = last_user_text(phase.conversation)
    tool_tokens = 0
    if not phase.answering_tools and script is None:  # a fixture's answer replaces the built-in tools too
        builtin: list[Object] = []
        if _wants(run, "file_search", prompt):
            call, results = _search_call(run, prompt, rng, search)
            builtin.append(call)
            lead, annotations = _citation(results, model)
        if _wants(run, "code_interpreter", prompt):
            call, summary = _code_call(prompt, rng)
            builtin.append(call)
            lead += summary + "\n\n"
        for call in builtin:
            call_tokens = tokens.count_tokens(str(call), model) // 4 + 8
            tool_tokens += call_tokens
            steps.append(
                step(
                    run,
                    "tool_calls",
                    {"type": "tool_calls", "tool_calls": [call]},
                    created_at=started,
                    completed_at=finished,
                    step_usage=usage(prompt_tokens, call_tokens),
                )
            )
    request = _chat_request(phase, None if budget is None else max(1, budget - tool_tokens))
    completion = chat_builder.build_chat_completion(request, rng, completion_id="run", created=started, script=script)
    choice = completion["choices"][0]
    completion_tokens = completion["usage"]["completion_tokens"]
    phase_prompt = completion["usage"]["prompt_tokens"]
    total = usage(phase_prompt * (len(steps) + 1), completion_tokens + tool_tokens)
    calls = choice["message"].get("tool_calls")
    if calls and not steps:
        details = {
            "type": "tool_calls",
            "tool_calls": [
                {"id": call["id"], "type": "function", "function": {**call["function"], "output": None}}
                for call in calls
            ],
        }
        steps.append(step(run, "tool_calls", details, created_at=started, completed_at=None, step_usage=None))
        required = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}}
        return {
            "status": "requires_action",
            "steps": steps,
            "message": None,
            "required_action": required,
            "last_error": None,
            "incomplete_details": None,
            "usage": total,
            "_step_usage": usage(phase_prompt, completion_tokens),
        }
    body = choice["message"].get("content") or ""
    if calls:  # a built-in tool ran: answer from its result instead of calling a function too
        body = text.compose(rng, topic=text.topic_of(prompt), target_tokens=40, model=model).text
    incomplete = choice["finish_reason"] == "length" or (budget is not None and tool_tokens >= budget)
    message = _assistant_message(
        run, lead + body, annotations, created_at=started, completed_at=finished, incomplete=incomplete
    )
    steps.append(
        step(
            run,
            "message_creation",
            {"type": "message_creation", "message_creation": {"message_id": message["id"]}},
            created_at=started,
            completed_at=finished,
            step_usage=usage(phase_prompt, completion_tokens),
        )
    )
    return {
        "status": "incomplete" if incomplete else "completed",
        "steps": steps,
        "message": message,
        "required_action": None,
        "last_error": None,
        "incomplete_details": {"reason": "max_completion_tokens"} if incomplete else None,
        "usage": total,
    }


def prompt_too_long(phase: Phase) -> Object:  # noqa: ARG001
    """The outcome when the prompt cannot fit `max_prompt_tokens`."""
    return {
        "status": "incomplete",
        "steps": [],
        "message": None,
        "required_action": None,
        "last_error": None,
        "incomplete_details": {"reason": "max_prompt_tokens"},
        "usage": usage(0, 0),
    }
