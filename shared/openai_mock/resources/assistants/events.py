"""Assistants streams: a run phase told as the real API's `thread.*` server-sent events, ending with `done`.

thread.created?  thread.run.created  thread.run.queued  thread.run.in_progress
per step: thread.run.step.created  thread.run.step.in_progress  (thread.run.step.delta per tool call)
          message steps: thread.message.created  .in_progress  .delta…  .completed
          thread.run.step.completed (unless it waits for tool outputs)
thread.run.completed | .requires_action | .incomplete | .failed      done"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from openai_mock.generation.streaming import sse_event
from openai_mock.generation.text import split_on_tokens
from openai_mock.resources.assistants.records import public

Object = dict[str, Any]
TOKENS_PER_DELTA = 4


def _event(name: str, data: Object) -> bytes:
    return sse_event(data, event=name)


def _open_step(step: Object) -> Object:
    opened = copy.deepcopy(step)
    opened.update(status="in_progress", completed_at=None, usage=None)
    if opened["type"] == "tool_calls":
        opened["step_details"]["tool_calls"] = []
    return opened


def _tool_call_deltas(step: Object) -> Iterator[bytes]:
    for index, call in enumerate(step["step_details"]["tool_calls"]):
        delta = {"step_details": {"type": "tool_calls", "tool_calls": [{"index": index, **call}]}}
        yield _event("thread.run.step.delta", {"id": step["id"], "object": "thread.run.step.delta", "delta": delta})


def _message_events(message: Object, model: str) -> Iterator[bytes]:
    opened = {
        **message,
        "status": "in_progress",
        "content": [],
        "completed_at": None,
        "incomplete_at": None,
        "incomplete_details": None,
    }
    yield _event("thread.message.created", opened)
    yield _event("thread.message.in_progress", opened)
    body = message["content"][0]["text"]
    pieces = split_on_tokens(body["value"], model)
    groups = ["".join(pieces[start : start + TOKENS_PER_DELTA]) for start in range(0, len(pieces), TOKENS_PER_DELTA)]
    for position, value in enumerate(groups):
        text: dict[str, Any] = {"value": value}
        if position == len(groups) - 1 and body["annotations"]:
            text["annotations"] = [{"index": index, **item} for index, item in enumerate(body["annotations"])]
        delta: dict[str, Any] = {"content": [{"index": 0, "type": "text", "text": text}]}
        if position == 0:
            delta["role"] = "assistant"
        yield _event("thread.message.delta", {"id": message["id"], "object": "thread.message.delta", "delta": delta})
    yield _event(f"thread.message.{message['status']}", message)


def phase_events(before: Object, after: Object, *, resumed: bool) -> Iterator[bytes]:
    """The events of one phase: `before` is the stored run as planned (with `_outcome`), `after` as settled."""
    outcome = before["_outcome"]
    queued = public({**before, "status": "queued"})
    if not resumed:
        yield _event("thread.run.created", queued)
    yield _event("thread.run.queued", queued)
    yield _event(
        "thread.run.in_progress", public({**queued, "status": "in_progress", "started_at": after["started_at"]})
    )
    for step in outcome["steps"]:
        opened = _open_step(step)
        yield _event("thread.run.step.created", opened)
        yield _event("thread.run.step.in_progress", opened)
        if step["type"] == "tool_calls":
            yield from _tool_call_deltas(step)
        elif outcome["message"] is not None:
            yield from _message_events(outcome["message"], before["model"])
        if step["status"] == "completed":
            yield _event("thread.run.step.completed", step)
    yield _event(f"thread.run.{after['status']}", public(after))
    yield sse_event("[DONE]", event="done")


def thread_created(thread: Object) -> bytes:
    return _event("thread.created", thread)
