"""Server-hosted multi-agent execution of a beta response (`multi_agent`, `OpenAI-Beta: responses_multi_agent=v1`):
pure functions of the turn, the Random and the ids.

The root agent (`/root`) answers alone unless the prompt (or the instructions) asks it to delegate. Then it splits the
work into one task per subject the prompt names (labelled lines such as "Proposal Alpha: …", else the things it asks
to compare: "compare X and Y"), spawns a subagent per task (`multi_agent_call` `spawn_agent` and its output), never
more at once than `max_concurrent_subagents`. Each subagent is answered by the ordinary Responses machinery on its
own task, with the request's function tools: a call it makes is tagged with its name (`/root/<subject>`) and ends the
response as function calls do, and the outputs sent back are read by the subagent that asked. Once its subagents
are done the root waits on them (`wait_agent`, whose output carries their reports) and gives the final answer
(`phase: final_answer`), which compares what each found. Every item carries the agent that produced it."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import responses as builder
from openai_mock.generation import text, tokens

ROOT = "/root"
DEFAULT_MAX_CONCURRENT = 3  # the spec's default
# A prompt that asks a multi-agent run to hand work to subagents (Agents sessions read it too: agent_turns.py).
DELEGATES = re.compile(r"\b(delegate|subagents?|in parallel)\b", re.IGNORECASE)
MAX_SUBAGENTS = 6  # subjects past this are left to the last subagents' reports (a guess: the API sets no cap)
# "Proposal Alpha: 2-week launch, …": a short capitalised label, then what is said of it.
_LABELLED = re.compile(r"^\s*(?:[-*•]\s*)?([A-Z][\w'&.-]*(?: [\w'&.-]+){0,3}):\s+(\S.*)$", re.MULTILINE)
_COMPARED = re.compile(
    r"\b(?:compare|comparing|between|research|investigate|evaluate|analy[sz]e|review|inspect|assess)\s+([^.?!\n]+)",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus|against)\s+", re.IGNORECASE)
_LEADING = re.compile(r"^(?:the|a|an|these|those|both)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"\s+(?:on|for|by|in|to|with|then|using)\s.*$", re.IGNORECASE)
_SUBAGENT_TOOLS = ("function", "custom")  # what a subagent may call: the client's own tools

NewId = Callable[[str], str]


class Task(NamedTuple):
    agent_name: str  # /root/<subject as a name>
    subject: str
    brief: str  # what the root asks the subagent to do


class Outcome(NamedTuple):
    """What the agents produced in this response: its items, and the tokens they spent."""

    items: list[dict[str, Any]]
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int


# --------------------------------------------------------------------------------------------- the plan


def asks_to_delegate(instructions: str | None, prompt: str) -> bool:
    return bool(DELEGATES.search(f"{instructions or ''}\n{prompt}"))


def _labelled_subjects(prompt: str) -> list[tuple[str, str]]:
    found = [(label.strip(), detail.strip()) for label, detail in _LABELLED.findall(prompt)]
    return found if len(found) >= 2 else []


def _compared_subjects(prompt: str) -> list[tuple[str, str]]:
    for phrase in _COMPARED.findall(prompt):
        parts = [_TRAILING.sub("", _LEADING.sub("", part.strip())) for part in _SEPARATORS.split(phrase)]
        subjects = [part for part in parts if part and len(part.split()) <= 5 and not DELEGATES.search(part)]
        if len(subjects) >= 2:
            return [(subject, "") for subject in subjects]
    return []


def _agent_name(subject: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", subject.lower()).strip("_")[:40] or "agent"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return f"{ROOT}/{name}"


def plan_tasks(prompt: str) -> list[Task]:
    """One task per subject the prompt names; one task on its topic when it names none."""
    subjects = _labelled_subjects(prompt) or _compared_subjects(prompt) or [(text.topic_of(prompt), "")]
    taken: set[str] = set()
    tasks = []
    for subject, detail in subjects[:MAX_SUBAGENTS]:
        # The subject last: it is what the subagent's answer is about (text.topic_of).
        given = f"Given {detail.rstrip('.')}: " if detail else ""
        brief = f"{given}research and report the key facts about {subject}."
        tasks.append(Task(_agent_name(subject, taken), subject, brief))
    return tasks


# --------------------------------------------------------------------------------------------- where a run stands


def tag(item: Mapping[str, Any], agent_name: str) -> dict[str, Any]:
    tagged = {**item, "agent": {"agent_name": agent_name}}
    if item.get("type") == "message":
        tagged["phase"] = "final_answer" if agent_name == ROOT else "commentary"
    return tagged


def owner(item: Mapping[str, Any]) -> str | None:
    agent = item.get("agent")
    return agent.get("agent_name") if isinstance(agent, Mapping) else None


def since_prompt(conversation: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The items after the last user message: this run's (an earlier prompt's subagents are done)."""
    for index in range(len(conversation) - 1, -1, -1):
        item = conversation[index]
        if item.get("type") == "message" and item.get("role") == "user":
            return list(conversation[index + 1 :])
    return list(conversation)


def _named_in(item: Mapping[str, Any]) -> list[str]:
    """The agents a call names; none when its arguments (passed back by the client) are not an object."""
    try:
        arguments = json.loads(item.get("arguments") or "{}")
    except (TypeError, ValueError):
        return []
    if not isinstance(arguments, dict):
        return []
    names = arguments.get("agent_names") or [arguments.get("agent_name")]
    return [name for name in names if isinstance(name, str)]


def _called(run: Sequence[Mapping[str, Any]], action: str) -> set[str]:
    return {
        name
        for item in run
        if item.get("type") == "multi_agent_call" and item.get("action") == action
        for name in _named_in(item)
    }


def in_progress(conversation: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the run since the prompt spawned subagents the root has not given its final answer over."""
    run = since_prompt(conversation)
    finished = any(item.get("type") == "message" and owner(item) == ROOT for item in run)
    return bool(_called(run, "spawn_agent")) and not finished


def _own_items(run: Sequence[Mapping[str, Any]], agent_name: str) -> list[Mapping[str, Any]]:
    """A subagent's conversation so far: its items, and the outputs of the calls it made."""
    calls = {item.get("call_id") for item in run if owner(item) == agent_name and item.get("type") == "function_call"}
    return [
        item
        for item in run
        if owner(item) == agent_name or (item.get("type", "").endswith("_output") and item.get("call_id") in calls)
    ]


def _waiting_on(own: Sequence[Mapping[str, Any]]) -> bool:
    answered = {item.get("call_id") for item in own if str(item.get("type", "")).endswith("_output")}
    return any(
        item.get("type") in ("function_call", "custom_tool_call") and item["call_id"] not in answered for item in own
    )


def _report(own: Sequence[Mapping[str, Any]]) -> str | None:
    said = [builder.message_text(item) for item in own if item.get("type") == "message"]
    return said[-1] if said else None


# --------------------------------------------------------------------------------------------- the agents' work


class _Run:
    """The response being built: its items, the tokens spent, and the conversation they extend."""

    def __init__(self, request: Mapping[str, Any], rng: random.Random, new_id: NewId, reasoning: bool) -> None:
        self.request, self.rng, self.new_id, self.reasoning = request, rng, new_id, reasoning
        self.items: list[dict[str, Any]] = []
        self.input_tokens = self.output_tokens = self.reasoning_tokens = 0

    def said(self, words: str) -> None:
        self.output_tokens += tokens.count_tokens(words, self.request["model"])

    def read(self, words: str) -> None:
        self.input_tokens += tokens.count_tokens(words, self.request["model"])

    def root_call(self, action: str, arguments: dict[str, Any], outputs: Sequence[str]) -> None:
        call_id = self.new_id("call")
        encoded = json.dumps(arguments, separators=(",", ":"))
        call = {"type": "multi_agent_call", "id": self.new_id("multi_agent_call"), "call_id": call_id}
        self.items.append(tag({**call, "action": action, "arguments": encoded}, ROOT))
        content = [{"type": "output_text", "text": said, "annotations": [], "logprobs": []} for said in outputs]
        result = {"type": "multi_agent_call_output", "id": self.new_id("multi_agent_call_output"), "call_id": call_id}
        self.items.append(tag({**result, "action": action, "output": content}, ROOT))
        self.said(encoded)
        for said in outputs:
            self.read(said)

    def subagent_turn(self, task: Task, own: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The subagent's next step on its task (and on the outputs of its calls): the Responses machinery's answer,
        with the request's own tools, each item tagged with the subagent."""
        tools = [tool for tool in self.request.get("tools") or [] if tool.get("type") in _SUBAGENT_TOOLS]
        request = {
            key: self.request[key]
            for key in ("model", "reasoning", "parallel_tool_calls", "max_output_tokens")
            if key in self.request
        }
        request.update(tools=tools, tool_choice="auto" if tools else "none")
        asked = {"type": "message", "role": "user", "id": "", "content": [{"type": "input_text", "text": task.brief}]}
        turn = builder.Turn(request, [asked, *(dict(item) for item in own)], [])
        answered = builder.build_response(
            turn, self.rng, response_id="", created=0, reasoning=self.reasoning, new_id=self.new_id
        )
        usage = answered["usage"]
        self.input_tokens += usage["input_tokens"]
        self.output_tokens += usage["output_tokens"]
        self.reasoning_tokens += usage["output_tokens_details"]["reasoning_tokens"]
        made = [tag(item, task.agent_name) for item in answered["output"]]
        self.items += made
        return made


def _final_answer(prompt: str, tasks: Sequence[Task], reports: Mapping[str, str], rng: random.Random) -> str:
    """The root's answer: what each subagent found, then a comparison naming every subject."""
    lines = [f"I split this across {len(tasks)} subagent{'s' if len(tasks) > 1 else ''}; here is what came back."]
    for task in tasks:
        finding = text.truncate_to_tokens(" ".join((reports.get(task.agent_name) or "").split()), 60)
        lines.append(f"- **{task.subject}** ({task.agent_name}): {finding}")
    subjects = [task.subject for task in tasks]
    if len(subjects) == 1:
        lines.append(f"Overall, the evidence on {subjects[0]} answers the question about {text.topic_of(prompt)}.")
    else:
        listed = ", ".join(subjects[:-1]) + f" and {subjects[-1]}"
        pick = rng.choice(subjects)
        lines.append(
            f"Comparing {listed}: each has its strengths, and the findings above set out the trade-offs. "
            f"On balance I would recommend {pick}, weighing the points its subagent reported against the others'."
        )
    return "\n".join(lines)


def advance(turn: builder.Turn, rng: random.Random, *, new_id: NewId, reasoning: bool, max_concurrent: int) -> Outcome:
    """This response's part of a delegated run: subagents resumed with the outputs of their calls, new ones spawned
    while there is room, the finished waited on, and once all are done the root's final answer. It stops early when
    a subagent waits for the client's tool output."""
    conversation = turn.conversation
    prompt = builder.last_user_text(conversation)
    tasks = plan_tasks(prompt)
    run = _Run(turn.request, rng, new_id, reasoning)
    done = since_prompt(conversation)
    spawned, waited = _called(done, "spawn_agent"), _called(done, "wait_agent")
    for task in tasks:  # subagents whose calls were all answered carry on
        own = _own_items(done, task.agent_name)
        if task.agent_name in spawned and _report(own) is None and own and not _waiting_on(own):
            run.subagent_turn(task, own)
    while True:
        seen = [*done, *run.items]
        active = [task for task in tasks if task.agent_name in spawned - waited]
        for task in tasks:
            if len(active) >= max_concurrent:
                break
            if task.agent_name in spawned:
                continue
            run.root_call(
                "spawn_agent", {"agent_name": task.agent_name, "task": task.brief}, [f"Spawned {task.agent_name}."]
            )
            spawned.add(task.agent_name)
            active.append(task)
            run.subagent_turn(task, [])
        seen = [*done, *run.items]
        if any(_waiting_on(_own_items(seen, task.agent_name)) for task in active):
            break  # the client runs the subagents' tools: the outputs it sends back resume them
        if active:
            reports = [f"{task.agent_name}: {_report(_own_items(seen, task.agent_name)) or ''}" for task in active]
            names = [task.agent_name for task in active]
            run.root_call("wait_agent", {"agent_names": names}, reports)
            waited.update(names)
        if all(task.agent_name in waited for task in tasks):
            seen = [*done, *run.items]
            reports_by_name = {task.agent_name: _report(_own_items(seen, task.agent_name)) or "" for task in tasks}
            answer = _final_answer(prompt, tasks, reports_by_name, rng)
            run.said(answer)
            message = {
                "type": "message",
                "id": new_id("message_item"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": answer, "annotations": [], "logprobs": []}],
            }
            run.items.append(tag(message, ROOT))
            break
    return Outcome(run.items, run.input_tokens, run.output_tokens, run.reasoning_tokens)


def take_over(
    response: dict[str, Any],
    turn: builder.Turn,
    rng: random.Random,
    *,
    new_id: NewId,
    reasoning: bool,
    max_concurrent: int,
) -> None:
    """Make a built response a multi-agent one: a delegated run's items and usage (the root's reading of the prompt
    counted as the response counted it), or, when the root answers alone, its own items tagged `/root`."""
    request = turn.request
    delegating = in_progress(turn.conversation) or (
        not _answers_tools(turn.items)
        and asks_to_delegate(request.get("instructions"), builder.last_user_text(turn.conversation))
    )
    if not delegating:
        response["output"] = [tag(item, ROOT) for item in response["output"]]
        return
    outcome = advance(turn, rng, new_id=new_id, reasoning=reasoning, max_concurrent=max_concurrent)
    usage = response["usage"]
    input_tokens = usage["input_tokens"] + outcome.input_tokens
    output_tokens = outcome.output_tokens
    usage.update(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        output_tokens_details={"reasoning_tokens": outcome.reasoning_tokens},
        total_tokens=input_tokens + output_tokens,
    )
    response.update(output=outcome.items, status="completed", incomplete_details=None)
    response["completed_at"] = response["created_at"]


def _answers_tools(items: Sequence[Mapping[str, Any]]) -> bool:
    return any(str(item.get("type", "")).endswith("_output") for item in items)
