"""What one phase of an agent session's turn produces: the model's items (reasoning, function calls, the answer),
its token usage, and what a hosted environment or a subagent adds (an artifact, a delegated subtask).

The text and the tool decision are the Chat Completions builder's (`generation/chat.py`), fed the session's
history as chat messages: a prompt that asks for one of the agent's functions gets a call (and the turn waits for
its result), a tool result gets an answer that uses it. Each phase re-reads the whole history, so what the prompt
cache gave it (read by the caller over `model_request`) is counted in its usage. Pure: the same history, agent,
cache use and Random give the same phase (ids come from the caller)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import chat, text
from openai_mock.generation.prompt_prefix import CacheUse

NewId = Callable[[str], str]  # an id of an object type (ids.new_id's keys)
USAGE_KEYS = ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")  # a phase's and the totals'

# A prompt that asks the agent to put something in a file (in an OpenAI-hosted environment it is published).
_WRITES = re.compile(r"\b(write|create|save|generate|produce|export)\b", re.IGNORECASE)
_FILE_NAMED = re.compile(r"\b([\w-]+\.(?:md|txt|csv|json|py|html|yaml|yml))\b", re.IGNORECASE)
_FILE_WORD = re.compile(r"\b(file|report|document)\b", re.IGNORECASE)
# A prompt that asks a multi-agent session to hand work to a subagent.
_DELEGATES = re.compile(r"\b(delegate|subagents?|in parallel)\b", re.IGNORECASE)
WORKSPACE = "/workspace"


class Phase(NamedTuple):
    """One planned phase: `status` is "completed" (answered) or "waiting" (function calls to run)."""

    status: str
    items: list[dict[str, Any]]
    usage: dict[str, int]
    artifacts: list[dict[str, Any]]
    subagent: dict[str, Any] | None


# --------------------------------------------------------------------------------------------- the prompt


def item_text(item: Mapping[str, Any]) -> str:
    return " ".join(part.get("text", "") for part in item.get("content") or [] if part.get("type") != "input_image")


def _output_text(output: Any) -> str:
    if output is None or isinstance(output, str):
        return output or ""
    return " ".join(part.get("text", "") for part in output if part.get("type") == "input_text")


def _user_content(item: Mapping[str, Any]) -> Any:
    parts = item.get("content") or []
    if all(part["type"] == "input_text" for part in parts):
        return item_text(item)
    return [
        {"type": "text", "text": part["text"]}
        if part["type"] == "input_text"
        else {"type": "image_url", "image_url": {"url": part["image_url"]}}
        for part in parts
    ]


def chat_messages(instructions: str | None, history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The session's items as the chat messages a model request would carry."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": instructions}] if instructions else []
    for item in history:
        kind = item["type"]
        if kind == "message" and item["role"] == "user":
            messages.append({"role": "user", "content": _user_content(item)})
        elif kind == "message":
            messages.append({"role": "assistant", "content": item_text(item)})
        elif kind == "function_call":
            call = {"name": item["name"], "arguments": json.dumps(item["arguments"])}
            messages.append(
                {"role": "assistant", "tool_calls": [{"id": item["call_id"], "type": "function", "function": call}]}
            )
        elif kind == "function_call_output":
            result = _output_text(item.get("output")) if item["status"] == "completed" else item.get("error") or ""
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": result})
    return messages


def last_user_text(history: Sequence[Mapping[str, Any]]) -> str:
    for item in reversed(history):
        if item["type"] == "message" and item["role"] == "user":
            return item_text(item)
    return ""


def _answers_tools(history: Sequence[Mapping[str, Any]]) -> bool:
    return bool(history) and history[-1]["type"] == "function_call_output"


def _reasons(agent: Mapping[str, Any]) -> bool:
    # An agent's effort is resolved against its model when written (resources/agents/definitions.py): null for a
    # model that does not reason.
    effort = (agent.get("reasoning") or {}).get("effort")
    return effort not in (None, "none")


def _request(agent: Mapping[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    functions = [tool for tool in agent["tools"] if tool["type"] == "function"]
    request: dict[str, Any] = {"model": agent["model"], "messages": messages}
    if functions:
        request["tools"] = [
            {
                "type": "function",
                "function": {key: tool[key] for key in ("name", "description", "parameters")},
            }
            for tool in functions
        ]
    effort = (agent.get("reasoning") or {}).get("effort")
    if effort and effort != "none":
        request["reasoning_effort"] = effort
    return request


def model_request(agent: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The chat-shaped request a phase over `history` sends the model (what the prompt cache is read for)."""
    return _request(agent, chat_messages(agent.get("instructions"), history))


def _usage(completion: Mapping[str, Any]) -> dict[str, int]:
    usage = completion["usage"]
    return {
        "input_tokens": usage["prompt_tokens"],
        "cached_tokens": usage["prompt_tokens_details"]["cached_tokens"],
        "output_tokens": usage["completion_tokens"],
        "reasoning_tokens": usage["completion_tokens_details"]["reasoning_tokens"],
    }


def add_usage(total: Mapping[str, int], more: Mapping[str, int]) -> dict[str, int]:
    """Running totals (a total stored before cached tokens were counted lacks them: 0)."""
    return {key: total.get(key, 0) + more.get(key, 0) for key in USAGE_KEYS}


# --------------------------------------------------------------------------------------------- items


def _message(item_id: str, turn_id: str, answer: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "phase": "final_answer",
        "status": "completed",
        "content": [{"type": "output_text", "text": answer}],
        "turn_id": turn_id,
    }


def _reasoning(item_id: str, turn_id: str, agent: Mapping[str, Any], prompt: str) -> dict[str, Any]:
    """A reasoning item; its summary when the agent's reasoning asks for one."""
    mode = (agent.get("reasoning") or {}).get("summary")
    topic = text.topic_of(prompt or "the request")
    summary = []
    if mode is not None:
        summary.append(
            {
                "type": "summary_text",
                "text": f"**Planning the work on {topic}**\n\nI'll work out what "
                f"is being asked about {topic} and answer it directly.",
            }
        )
        if mode == "detailed":
            summary.append(
                {
                    "type": "summary_text",
                    "text": "**Checking the result**\n\nI'll confirm the answer is complete before handing it back.",
                }
            )
    return {"id": item_id, "type": "reasoning", "status": "completed", "summary": summary, "turn_id": turn_id}


def _calls(message: Mapping[str, Any], turn_id: str, new_id: NewId) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id("agent.session.item"),
            "type": "function_call",
            "call_id": call["id"],
            "name": call["function"]["name"],
            "arguments": json.loads(call["function"]["arguments"] or "{}"),
            "status": "completed",
            "turn_id": turn_id,
        }
        for call in message.get("tool_calls") or []
    ]


# --------------------------------------------------------------------------------------------- artifacts


def wants_file(prompt: str) -> bool:
    return bool(_WRITES.search(prompt)) and bool(_FILE_NAMED.search(prompt) or _FILE_WORD.search(prompt))


def file_content(name: str, answer: str, topic: str) -> str:
    """What the agent writes to `name`: the answer, shaped as the file's kind."""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension == "json":
        return json.dumps({"topic": topic, "summary": answer}, indent=2) + "\n"
    if extension == "csv":
        return "topic,summary\n" + f'"{topic}","{answer.replace(chr(34), chr(39))}"\n'
    if extension == "md":
        return f"# {topic.capitalize()}\n\n{answer}\n"
    if extension == "html":
        return f"<!doctype html>\n<title>{topic}</title>\n<p>{answer}</p>\n"
    if extension == "py":
        return f'"""{topic.capitalize()}."""\n\nSUMMARY = {answer!r}\n'
    return answer + "\n"


def _artifact(prompt: str, answer: str, artifact_id: str) -> dict[str, Any]:
    named = _FILE_NAMED.search(prompt)
    name = named.group(1) if named else "report.md"
    topic = text.topic_of(prompt)
    return {"id": artifact_id, "path": f"{WORKSPACE}/{name}", "content": file_content(name, answer, topic)}


# --------------------------------------------------------------------------------------------- subagents


def _delegation(
    agent: Mapping[str, Any], prompt: str, turn_id: str, rng: random.Random, new_id: NewId, created: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The root's calls that open, await and close one subagent, and the subagent's own turn."""
    subagent_id, sub_turn_id = new_id("agent.session.subagent"), new_id("agent.session.turn")
    task = f"Research {text.topic_of(prompt)} and report the key findings back."
    request = _request({**agent, "tools": []}, [{"role": "user", "content": task}])
    completion = chat.build_chat_completion(request, rng, completion_id=sub_turn_id, created=created)
    finding = completion["choices"][0]["message"]["content"] or ""
    root = agent["id"]
    instructions = [{"type": "output_text", "text": task}]
    opened = {
        "id": new_id("agent.session.item"),
        "type": "create_subagent_call",
        "agent_id": subagent_id,
        "content": instructions,
        "model": agent["model"],
        "reasoning_effort": (agent.get("reasoning") or {}).get("effort"),
        "status": "completed",
        "turn_id": turn_id,
    }
    waited = {
        "id": new_id("agent.session.item"),
        "type": "wait_for_subagents_call",
        "recipient_agent_ids": [subagent_id],
        "sender_agent_id": root,
        "status": "completed",
        "turn_id": turn_id,
    }
    reported = {
        "id": new_id("agent.session.item"),
        "type": "agent_message",
        "content": [{"type": "output_text", "text": finding}],
        "sender_agent_id": subagent_id,
        "recipient_agent_id": root,
        "turn_id": turn_id,
    }
    closed = {
        "id": new_id("agent.session.item"),
        "type": "close_subagent_call",
        "recipient_agent_id": subagent_id,
        "sender_agent_id": root,
        "status": "completed",
        "turn_id": turn_id,
    }
    subagent = {
        "id": subagent_id,
        "name": "researcher",
        "instructions": instructions,
        "parent_agent_id": root,
        "turn_id": sub_turn_id,
        "items": [_message(new_id("agent.session.item"), sub_turn_id, finding)],
        "usage": _usage(completion),
    }
    return [opened, waited, reported, closed], subagent


# --------------------------------------------------------------------------------------------- the phase


def plan_phase(
    agent: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    *,
    turn_id: str,
    hosted: bool,
    rng: random.Random,
    new_id: NewId,
    created: int,
    cache: CacheUse = CacheUse(),
    prompt_count: chat.PromptCount | None = None,
) -> Phase:
    """The phase that answers `history` (the session's root items, this turn's input last); `cache`: what the prompt
    cache gave its model request; `prompt_count`: that request's count, when the caller made it."""
    prompt = last_user_text(history)
    answering = _answers_tools(history)
    completion = chat.build_chat_completion(
        model_request(agent, history),
        rng,
        completion_id=turn_id,
        created=created,
        reasoning=_reasons(agent),
        prompt=prompt_count,
        cached_tokens=cache.cached,
        cache_write_tokens=cache.written,
    )
    message = completion["choices"][0]["message"]
    usage = _usage(completion)
    items: list[dict[str, Any]] = []
    if usage["reasoning_tokens"]:
        items.append(_reasoning(new_id("agent.session.item"), turn_id, agent, prompt))
    calls = _calls(message, turn_id, new_id)
    if calls:
        return Phase("waiting", items + calls, usage, [], None)
    subagent = None
    if not answering and agent["multi_agent"]["enabled"] and _DELEGATES.search(prompt):
        delegated, subagent = _delegation(agent, prompt, turn_id, rng, new_id, created)
        items += delegated
    answer = message.get("content") or ""
    artifacts = []
    if hosted and not answering and wants_file(prompt):
        artifact = _artifact(prompt, answer, new_id("agent.session.artifact"))
        artifacts.append(artifact)
        answer = f"{answer}\n\nI saved this to `{artifact['path']}`."
    items.append(_message(new_id("agent.session.item"), turn_id, answer))
    return Phase("completed", items, usage, artifacts, subagent)
