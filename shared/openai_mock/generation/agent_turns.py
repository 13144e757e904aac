"""What one phase of an agent session's turn produces: the model's items (reasoning, function calls, the answer),
its token usage, and what a hosted environment or a subagent adds (an artifact, a delegated subtask).

The text and the tool decision are the Chat Completions builder's (`generation/chat.py`), fed the session's
history as chat messages: a prompt that asks for one of the agent's functions gets a call (and the turn waits for
its result), a tool result gets an answer that uses it. A prompt that names what one of the agent's MCP servers offers
gets a call to it, chosen, argued and answered by the Responses API's simulated MCP (`generation/response_tools.py`);
it runs once approved: the application's decision (review "none": the turn waits for it) or the automatic reviewer's
(`auto_review`: read-only tools are approved, anything else is denied). Each phase re-reads the whole history, so what
the prompt cache gave it (read by the caller over `model_request`) is counted in its usage. Pure: the same history,
agent, cache use and Random give the same phase (ids come from the caller).

An agent with `computer_use` in an OpenAI-hosted session browses when a prompt names a web address or asks to browse:
the browser first needs the origin's access approved (once per session), then opens the page (a `computer_use_call`
with its screenshot, `generation/screenshots.py`); a prompt that asks to sign in there then needs the application to
fill a login form (`browser_authentication`). Those requests wait, are decided and run the way MCP calls do."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlsplit

from openai_mock.generation import chat, response_tools, text, tokens
from openai_mock.generation.multi_agent import DELEGATES  # the words that ask for a subagent
from openai_mock.generation.prompt_prefix import CacheUse

NewId = Callable[[str], str]  # an id of an object type (ids.new_id's keys)
USAGE_KEYS = ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")  # a phase's and the totals'

# A prompt that asks the agent to put something in a file (in an OpenAI-hosted environment it is published).
_WRITES = re.compile(r"\b(write|create|save|generate|produce|export)\b", re.IGNORECASE)
_FILE_NAMED = re.compile(r"\b([\w-]+\.(?:md|txt|csv|json|py|html|yaml|yml))\b", re.IGNORECASE)
_FILE_WORD = re.compile(r"\b(file|report|document)\b", re.IGNORECASE)
# MCP tools the automatic reviewer approves: a name whose first word reads as a read-only action.
_READ_ONLY = frozenset(
    {"get", "list", "search", "read", "fetch", "find", "lookup", "query", "describe", "view", "show"}
)
# Computer use: a web address (a URL, or a host on a common top-level domain, not an email's), a request to browse,
# and a request to sign in (which needs an address: there is nowhere else to sign in).
_URL = re.compile(r"\bhttps?://[^\s<>\"'()]+", re.IGNORECASE)
_HOST = re.compile(
    r"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|org|net|io|dev|ai|app|co|edu|gov|info|uk|de|fr|eu|us|ca)(?::\d+)?(?:/[^\s<>\"'()]*)?(?![\w-])",
    re.IGNORECASE,
)
_BROWSES = re.compile(
    r"\b(browse|browser|click|visit|navigate|website|web ?page|open (?:the |a )?(?:site|page|link))\b", re.IGNORECASE
)
_SIGNS_IN = re.compile(r"\b(sign(?:ing)? ?in|log(?:ging)? ?in|login)\b", re.IGNORECASE)
SEARCH_PAGE = "https://www.bing.com/search?q="  # where a browse with no address starts
LOGIN_FIELDS = (
    {"id": "email", "label": "Email", "required": True, "type": "email"},
    {"id": "password", "label": "Password", "required": True, "type": "password"},
)
WORKSPACE = "/workspace"


class Phase(NamedTuple):
    """One planned phase: `status` is "completed" (answered) or "waiting" (function calls to run, or requests to
    decide: `approvals`, each as the session's `mcp_approval_request` or `computer_use_approval_request` action shows
    it, with the mock's notes `_url`, `_login` on a browser's)."""

    status: str
    items: list[dict[str, Any]]
    usage: dict[str, int]
    artifacts: list[dict[str, Any]]
    subagent: dict[str, Any] | None
    approvals: tuple[dict[str, Any], ...] = ()
    origins: tuple[str, ...] = ()  # browser origins whose access was approved in the phase (the session keeps them)


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
        elif kind == "mcp_call":  # the server's answer, read as a tool result
            call = {"name": item["name"], "arguments": json.dumps(item["arguments"])}
            messages.append(
                {"role": "assistant", "tool_calls": [{"id": item["id"], "type": "function", "function": call}]}
            )
            messages.append({"role": "tool", "tool_call_id": item["id"], "content": str(item["output"] or "")})
        elif kind == "computer_use_call":  # what the browser did, read as a tool result
            call = {"name": "computer_use", "arguments": json.dumps({"action": item["title"]})}
            messages.append(
                {"role": "assistant", "tool_calls": [{"id": item["id"], "type": "function", "function": call}]}
            )
            messages.append({"role": "tool", "tool_call_id": item["id"], "content": f"{item['title']}: done."})
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


# --------------------------------------------------------------------------------------------- MCP servers


def _words(phrase: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", phrase.lower()))


def _new_prompt(history: Sequence[Mapping[str, Any]]) -> bool:
    """The turn is at its prompt (no phase has answered it yet)."""
    return bool(history) and history[-1]["type"] == "message" and history[-1]["role"] == "user"


def _calls_function(agent: Mapping[str, Any], prompt: str) -> bool:
    functions = [tool for tool in agent["tools"] if tool["type"] == "function"]
    return any(chat.mentioned(function, prompt) for function in functions)


def mcp_server_asked(agent: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The MCP server a new prompt asks for: the first whose tool names (or label) share a word with it. Not when
    the prompt calls for one of the agent's functions (those come first), nor once the turn is past its prompt."""
    if not _new_prompt(history):
        return None
    prompt = item_text(history[-1])
    if _calls_function(agent, prompt):
        return None
    asked = _words(prompt)
    for server in (tool for tool in agent["tools"] if tool["type"] == "mcp"):
        offered = _words(server["server_label"]).union(*map(_words, response_tools.mcp_tool_names(server)))
        if offered & asked:
            return server
    return None


def approval_request(server: Mapping[str, Any], prompt: str, request_id: str, turn_id: str) -> dict[str, Any]:
    """The call the model makes on `server` for `prompt`, as the session's `mcp_approval_request` action asks it."""
    name, arguments = response_tools.mcp_choice(server, prompt)
    label = server["server_label"]
    return {
        "type": "mcp_approval_request",
        "request_id": request_id,
        "turn_id": turn_id,
        "request": {
            "type": "mcp_tool_call",
            "server_label": label,
            "name": name,
            "arguments": json.loads(arguments),
            "message": f"Allow the agent to call `{name}` on the {label} MCP server?",
        },
    }


def auto_review(asked: Mapping[str, Any]) -> str:
    """The automatic reviewer's decision: read-only MCP tools (`search`, `get_page`, `list_issues`…) and the browser's
    access to an https origin are approved; anything else would need a person (a tool that changes things, a
    plain-http site, a login form to fill), and those fallbacks are denied."""
    request = asked["request"]
    if request["type"] == "browser_origin_access":
        return "approve" if request["origin"].startswith("https://") else "deny"
    if request["type"] == "browser_authentication":
        return "deny"
    name = request["name"] or ""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+", name)  # snake_case, camelCase, kebab-case
    return "approve" if words and words[0].lower() in _READ_ONLY else "deny"


def _server(agent: Mapping[str, Any], label: str) -> Mapping[str, Any]:
    servers = [tool for tool in agent["tools"] if tool["type"] == "mcp"]
    return next((tool for tool in servers if tool["server_label"] == label), {"server_label": label})


def _mcp_call(agent: Mapping[str, Any], asked: Mapping[str, Any], turn_id: str, item_id: str) -> dict[str, Any]:
    request = asked["request"]
    server = _server(agent, request["server_label"])
    call = response_tools.mcp_call(
        server, request["name"], json.dumps(request["arguments"]), item_id, asked["request_id"]
    )
    return {
        "id": item_id,
        "type": "mcp_call",
        "server_label": call["server_label"],
        "name": call["name"],
        "arguments": request["arguments"],
        "output": call["output"],
        "error": None,
        "status": "completed",
        "turn_id": turn_id,
    }


# --------------------------------------------------------------------------------------------- computer use


class BrowserTask(NamedTuple):
    """Where a prompt sends the agent's browser: the page to open, its origin, and whether to sign in there."""

    url: str
    origin: str
    login: bool


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def browser_task(prompt: str) -> BrowserTask | None:
    """The URL a prompt names, else the host it names (over https), else, when it asks to browse, a web search of its
    topic; None when it asks for none of these. Signing in needs a named address."""
    named = _URL.search(prompt) or _HOST.search(prompt)
    if named is not None:
        url = named.group(0).rstrip(".,;:!?")
        url = url if "://" in url else f"https://{url}"
        return BrowserTask(url, _origin(url), bool(_SIGNS_IN.search(prompt)))
    if _BROWSES.search(prompt):
        url = SEARCH_PAGE + quote_plus(text.topic_of(prompt))
        return BrowserTask(url, _origin(url), False)
    return None


def _computer(agent: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next((tool for tool in agent["tools"] if tool["type"] == "computer_use"), None)


def computer_task(agent: Mapping[str, Any], history: Sequence[Mapping[str, Any]], hosted: bool) -> BrowserTask | None:
    """Where a new prompt sends the browser of an agent with `computer_use`, which runs in an OpenAI-hosted
    environment only. Not when the prompt calls for one of the agent's functions (those come first)."""
    if not hosted or _computer(agent) is None or not _new_prompt(history):
        return None
    prompt = item_text(history[-1])
    return None if _calls_function(agent, prompt) else browser_task(prompt)


def origin_request(task: BrowserTask, request_id: str, turn_id: str) -> dict[str, Any]:
    """The browser's request to reach `task`'s origin, as the session's `computer_use_approval_request` action asks
    it (with the mock's notes of what follows: the page to open, whether to sign in there)."""
    return {
        "type": "computer_use_approval_request",
        "request_id": request_id,
        "turn_id": turn_id,
        "request": {
            "type": "browser_origin_access",
            "origin": task.origin,
            "reason": f"The browser needs to open {task.url} to carry out the request.",
        },
        "_url": task.url,
        "_login": task.login,
    }


def login_request(origin: str, request_id: str, turn_id: str) -> dict[str, Any]:
    """The login form the browser reached at `origin`: a plain email and password form (no sign-in options)."""
    return {
        "type": "computer_use_approval_request",
        "request_id": request_id,
        "turn_id": turn_id,
        "request": {
            "type": "browser_authentication",
            "credential_origin": origin,
            "fields": [dict(field) for field in LOGIN_FIELDS],
            "options": [],
            "reason": f"Signing in to {origin} is needed to continue.",
        },
    }


def login_record(asked: Mapping[str, Any], item_id: str) -> dict[str, Any]:
    """The history item of a login request: the form asked for, never what is typed into it."""
    return {
        "id": item_id,
        "type": "computer_use_approval_request",
        "request": asked["request"],
        "request_id": asked["request_id"],
        "turn_id": asked["turn_id"],
    }


def _computer_call(
    agent: Mapping[str, Any], title: str, url: str, step: str, turn_id: str, item_id: str
) -> dict[str, Any]:
    """One browser step; its screenshot only when the agent's `computer_use.include_screenshots` asks for them."""
    output = None
    if (_computer(agent) or {}).get("include_screenshots", False):
        from openai_mock.generation import screenshots  # the picture modules: only for a screenshot, not at cold start

        output = {"type": "computer_screenshot", "image_url": screenshots.screenshot_url(url, step)}
    return {
        "id": item_id,
        "type": "computer_use_call",
        "title": title,
        "output": output,
        "status": "completed",
        "turn_id": turn_id,
    }


def _follow_up(verdict: Mapping[str, Any], turn_id: str, new_id: NewId) -> dict[str, Any] | None:
    """The request a decided one leads to: a page opened to sign in to shows its login form."""
    request = verdict["request"]
    if request["type"] == "browser_origin_access" and verdict["decision"] == "approve" and verdict.get("_login"):
        return login_request(request["origin"], new_id("computer_call"), turn_id)
    return None


def _verdict(asked: Mapping[str, Any], approved_origins: Collection[str], review: str) -> dict[str, Any] | None:
    """A request decided without the application: an origin the session approved before is not asked again;
    under `auto_review` the reviewer decides. None: the application decides (the turn waits)."""
    request = asked["request"]
    if request["type"] == "browser_origin_access" and request["origin"] in approved_origins:
        return {**asked, "decision": "approve", "by": "session"}
    if review == "auto_review":
        return {**asked, "decision": auto_review(asked), "by": "auto_review"}
    return None


# --------------------------------------------------------------------------------------------- decided requests


def reviewed_calls(
    agent: Mapping[str, Any], decided: Sequence[Mapping[str, Any]], turn_id: str, new_id: NewId
) -> tuple[list[dict[str, Any]], list[Mapping[str, Any]]]:
    """Decided requests (each with its `decision` and who made it, `by`): the items of what then ran (an approved MCP
    call's `mcp_call`, the server's simulated answer as its output; the browser opening an approved origin's page, or
    signing in with the submitted form: a `computer_use_call`), and the declined requests."""
    ran, declined = [], []
    for asked in decided:
        if asked["decision"] not in ("approve", "submit"):
            declined.append(asked)
            continue
        request, item_id = asked["request"], new_id("agent.session.item")
        if request["type"] == "browser_origin_access":
            ran.append(_computer_call(agent, f"Open {asked['_url']}", asked["_url"], "open", turn_id, item_id))
        elif request["type"] == "browser_authentication":
            origin = request["credential_origin"]
            ran.append(_computer_call(agent, f"Sign in to {origin}", origin, "sign-in", turn_id, item_id))
        else:
            ran.append(_mcp_call(agent, asked, turn_id, item_id))
    return ran, declined


def _review_note(asked: Mapping[str, Any]) -> str:
    """What the answer says first about a decided request (nothing for an approved call or page)."""
    request, decision = asked["request"], asked["decision"]
    automatic = asked.get("by") == "auto_review"
    if request["type"] == "browser_origin_access":
        why = {"deny": "access to it was not approved", "cancel": "the request to open it was dismissed"}[decision]
        if automatic:
            why = "automatic review approves https sites only"
        return f"I could not open {asked['_url']}: {why}."
    if request["type"] == "browser_authentication":
        origin = request["credential_origin"]
        if decision == "submit":
            return f"I signed in to {origin} with the details you entered."
        why = "signing in needs a person, and automatic review does not approve it" if automatic else "it was cancelled"
        return f"I did not sign in to {origin}: {why}."
    why = {"deny": "the call was not approved", "cancel": "its approval request was dismissed"}[decision]
    if automatic:
        why = "automatic review did not approve it (only read-only tools are approved automatically)"
    return f"I did not call `{request['name']}` on the {request['server_label']} MCP server: {why}."


def _review_notes(decided: Sequence[Mapping[str, Any]]) -> str:
    return " ".join(_review_note(asked) for asked in decided if asked["decision"] != "approve")


def _approved_origins(decided: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(
        asked["request"]["origin"]
        for asked in decided
        if asked["request"]["type"] == "browser_origin_access" and asked["decision"] == "approve"
    )


def _action_text(asked: Mapping[str, Any]) -> str:
    """What the model wrote to make a request: the MCP call, or the browser action."""
    request = asked["request"]
    if request["type"] == "mcp_tool_call":
        return str(request["name"]) + json.dumps(request["arguments"])
    return json.dumps({"action": "computer_use", **request})


def _call_usage(
    agent: Mapping[str, Any],
    asked: Mapping[str, Any],
    request: Mapping[str, Any],
    rng: random.Random,
    prompt_count: chat.PromptCount | None,
    cache: CacheUse,
) -> dict[str, int]:
    """The tokens of the model request that made a request: its prompt, and the call (with any reasoning)."""
    thinking = chat.reasoning_tokens(request, rng, _reasons(agent))
    return {
        "input_tokens": (prompt_count or chat.count_prompt(request)).total,
        "cached_tokens": cache.cached,
        "output_tokens": tokens.count_tokens(_action_text(asked), agent["model"]) + chat.TOKENS_PER_MESSAGE + thinking,
        "reasoning_tokens": thinking,
    }


# --------------------------------------------------------------------------------------------- the phase


def _new_request(
    agent: Mapping[str, Any], history: Sequence[Mapping[str, Any]], hosted: bool, turn_id: str, new_id: NewId
) -> dict[str, Any] | None:
    """What a new prompt asks to be allowed: an MCP call (those come first), else the browser's access to an origin."""
    prompt = last_user_text(history)
    server = mcp_server_asked(agent, history)
    if server is not None:
        return approval_request(server, prompt, new_id("mcp_approval_request"), turn_id)
    task = computer_task(agent, history, hosted)
    return None if task is None else origin_request(task, new_id("computer_call"), turn_id)


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
    review: str = "none",
    approved_origins: Collection[str] = (),
    ran: Sequence[dict[str, Any]] = (),
    decided: Sequence[Mapping[str, Any]] = (),
) -> Phase:
    """The phase that answers `history` (the session's root items, this turn's input last); `cache`: what the prompt
    cache gave its model request; `prompt_count`: that request's count, when the caller made it; `decided`: the
    requests the application decided since the last phase, `ran`: what they ran (`reviewed_calls`), both answered
    by this phase; `review`: the session's review mode and `approved_origins` the origins it approved before, for
    a request this phase makes."""
    prompt = last_user_text(history)
    items: list[dict[str, Any]] = []
    usage = dict.fromkeys(USAGE_KEYS, 0)
    ran, reviewed = list(ran), list(decided)
    if decided:
        asked = next(filter(None, (_follow_up(verdict, turn_id, new_id) for verdict in decided)), None)
    else:
        asked = _new_request(agent, history, hosted, turn_id, new_id)
    if asked is not None:
        request = model_request(agent, [*history, *ran])
        usage = _call_usage(agent, asked, request, rng, None if ran else prompt_count, cache)
        if usage["reasoning_tokens"]:
            items.append(_reasoning(new_id("agent.session.item"), turn_id, agent, prompt))
    while asked is not None:
        verdict = _verdict(asked, approved_origins, review)
        if verdict is None:  # the application decides: the turn waits
            if asked["request"]["type"] == "browser_authentication":
                ran.append(login_record(asked, new_id("agent.session.item")))
            return Phase("waiting", items + ran, usage, [], None, (asked,), _approved_origins(reviewed))
        ran += reviewed_calls(agent, [verdict], turn_id, new_id)[0]
        reviewed.append(verdict)
        asked = _follow_up(verdict, turn_id, new_id)
        # The answer's own request: the prompt and what ran, its start read from the cache again.
        prompt_count, cache = None, CacheUse(cached=cache.cached)
    answering = _answers_tools(history) or bool(ran or reviewed)
    completion = chat.build_chat_completion(
        model_request(agent, [*history, *ran]),
        rng,
        completion_id=turn_id,
        created=created,
        reasoning=_reasons(agent),
        prompt=prompt_count,
        cached_tokens=cache.cached,
        cache_write_tokens=cache.written,
    )
    message = completion["choices"][0]["message"]
    answered = _usage(completion)
    usage = add_usage(usage, answered)
    if answered["reasoning_tokens"]:
        items.append(_reasoning(new_id("agent.session.item"), turn_id, agent, prompt))
    items += ran
    origins = _approved_origins(reviewed)
    calls = _calls(message, turn_id, new_id)
    if calls:
        return Phase("waiting", items + calls, usage, [], None, (), origins)
    subagent = None
    if not answering and agent["multi_agent"]["enabled"] and DELEGATES.search(prompt):
        delegated, subagent = _delegation(agent, prompt, turn_id, rng, new_id, created)
        items += delegated
    answer = message.get("content") or ""
    notes = _review_notes(reviewed)
    if notes:
        answer = f"{notes}\n\n{answer}"
        usage["output_tokens"] += tokens.count_tokens(f"{notes}\n\n", agent["model"])
    artifacts = []
    if hosted and not answering and wants_file(prompt):
        artifact = _artifact(prompt, answer, new_id("agent.session.artifact"))
        artifacts.append(artifact)
        answer = f"{answer}\n\nI saved this to `{artifact['path']}`."
    items.append(_message(new_id("agent.session.item"), turn_id, answer))
    return Phase("completed", items, usage, artifacts, subagent, (), origins)
