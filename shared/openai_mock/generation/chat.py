"""Chat completions: the `chat.completion` object and its stream chunks, pure functions of
(validated request, rng, clock values).

What the mock answers:
- after a `tool`/`function` message (with tool_choice "auto"): text that uses the tool's output;
- tools + tool_choice "required", a named function, or "auto" when the last user message mentions a
  tool (its name or a word of it): `tool_calls` whose arguments validate against the tool's parameters;
- response_format json_schema / json_object: JSON content (conforming to the schema);
- otherwise: readable text about the conversation's topic.
Token counts are exact for what is produced; reasoning models add hidden reasoning tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from openai_mock.generation import schema_values, text, tokens

# Chat framing, as OpenAI counts it: every message costs 3 tokens plus its encoded role, content
# and name (+1 for a name), and the reply is primed with 3 more.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
# Images: 85 tokens at detail "low"; the mock does not fetch images, so other details are costed
# as one 512px tile grid of a 1024×1024 image (85 + 4 × 170).
IMAGE_LOW_TOKENS = 85
IMAGE_HIGH_TOKENS = 765
_REASONING_BLOCKS = {  # × 64 hidden tokens, by reasoning effort ("none": no reasoning at all)
    "none": (0, 0),
    "minimal": (1, 2),
    "low": (1, 4),
    "medium": (3, 10),
    "high": (8, 24),
    "xhigh": (16, 48),
    "max": (24, 64),
}
_VERBOSITY_LENGTH = {"low": 0.5, "medium": 1.0, "high": 1.8}  # how verbosity stretches a plain answer
_GENERIC_NAME_WORDS = frozenset(
    {
        "get",
        "set",
        "list",
        "create",
        "update",
        "delete",
        "fetch",
        "find",
        "make",
        "run",
        "call",
        "tool",
        "function",
        "data",
        "info",
        "current",
        "new",
        "the",
    }
)


# --------------------------------------------------------------------------------------------- tokens


def content_text(content: Any) -> str:
    """The text of a message's content, string or parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.get("text") or part.get("refusal") or "" for part in content if isinstance(part, Mapping))


def _parts_extra_tokens(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    total = 0
    for part in content:
        if part.get("type") == "image_url":
            detail = (part.get("image_url") or {}).get("detail", "auto")
            total += IMAGE_LOW_TOKENS if detail == "low" else IMAGE_HIGH_TOKENS
    return total


class PromptCount(NamedTuple):
    total: int  # what usage.prompt_tokens reports
    question: int  # the tokens of the last user message's text, which a plain answer's length follows


def count_message_tokens(messages: Sequence[Mapping[str, Any]], model: str) -> int:
    return _count_messages(messages, model).total


def _count_messages(messages: Sequence[Mapping[str, Any]], model: str) -> PromptCount:
    question_at = _last_user_index(messages)
    total, question = REPLY_PRIMING, 0
    for index, message in enumerate(messages):
        content = tokens.count_tokens(content_text(message.get("content")), model)
        if index == question_at:
            question = content
        total += TOKENS_PER_MESSAGE + len(tokens.encode_constant(message["role"], model)) + content
        total += _parts_extra_tokens(message.get("content"))
        if message.get("name"):
            total += tokens.count_tokens(message["name"], model) + TOKENS_PER_NAME
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            total += tokens.count_tokens(function.get("name", ""), model)
            total += tokens.count_tokens(function.get("arguments", ""), model) + TOKENS_PER_MESSAGE
        if message.get("function_call"):
            call = message["function_call"]
            total += tokens.count_tokens(call.get("name", ""), model) + tokens.count_tokens(call.get("arguments", ""))
    return PromptCount(total, question)


def count_function_tokens(functions: Sequence[Mapping[str, Any]], model: str) -> int:
    """What function definitions add to the prompt (the accounting OpenAI's cookbook documents)."""
    if not functions:
        return 0
    o200k = tokens.encoding_name_for_model(model) == tokens.O200K
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = (7 if o200k else 10), 3, 3, -3, 3, 12
    total = 0
    for function in functions:
        total += func_init
        description = str(function.get("description", "")).removesuffix(".")
        total += tokens.count_tokens(f"{function['name']}:{description}", model)
        properties = (function.get("parameters") or {}).get("properties") or {}
        if properties:
            total += prop_init
            for key, prop in properties.items():
                prop = prop if isinstance(prop, Mapping) else {}
                total += prop_key
                for item in prop.get("enum") or []:
                    total += enum_item + tokens.count_tokens(str(item), model)
                if prop.get("enum"):
                    total += enum_init
                prop_description = str(prop.get("description", "")).removesuffix(".")
                total += tokens.count_tokens(f"{key}:{prop.get('type', '')}:{prop_description}", model)
    return total + func_end


def declared_functions(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request's functions, from `tools` or from the legacy `functions`."""
    if request.get("tools"):
        return [tool["function"] for tool in request["tools"]]
    return list(request.get("functions") or [])


def count_prompt(request: Mapping[str, Any]) -> PromptCount:
    """The prompt's tokens, and its question's among them: one count of each message serves both."""
    model = request["model"]
    messages = _count_messages(request["messages"], model)
    return messages._replace(total=messages.total + count_function_tokens(declared_functions(request), model))


def count_prompt_tokens(request: Mapping[str, Any]) -> int:
    return count_prompt(request).total


@lru_cache(maxsize=256)
def system_fingerprint(model: str) -> str:
    return "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10]


# --------------------------------------------------------------------------------------------- planning


@dataclass
class Plan:
    """What a choice will contain."""

    kind: str  # "text" | "tools" | "function_call" | "json_schema" | "json_object" | "tool_answer"
    functions: list[dict[str, Any]] = field(default_factory=list)


def _last_user_index(messages: Sequence[Mapping[str, Any]]) -> int:
    """Where the question is: the last user message, else the last message."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index]["role"] == "user":
            return index
    return len(messages) - 1


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    return content_text(messages[_last_user_index(messages)].get("content"))


def _name_words(name: str) -> list[str]:
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in name).replace("_", " ").replace("-", " ")
    return [word for word in spaced.split() if len(word) >= 4 and word not in _GENERIC_NAME_WORDS]


def mentioned(function: Mapping[str, Any], prompt: str) -> bool:
    """Does the user's message call for this function: its name, or a distinctive word of it?"""
    lowered = prompt.lower()
    name = str(function["name"])
    if name.lower() in lowered or name.lower().replace("_", " ") in lowered:
        return True
    words = set(re.findall(r"[a-z0-9]+", lowered))
    return any(word in words or word.rstrip("s") in words or f"{word}s" in words for word in _name_words(name))


def plan(request: Mapping[str, Any]) -> Plan:
    messages = request["messages"]
    functions = declared_functions(request)
    legacy = not request.get("tools") and bool(request.get("functions"))
    choice = request.get("function_call" if legacy else "tool_choice", "auto" if functions else "none")
    call_kind = "function_call" if legacy else "tools"
    if functions and choice != "none":
        if isinstance(choice, Mapping):
            wanted = choice["function"]["name"] if "function" in choice else choice["name"]
            return Plan(call_kind, [f for f in functions if f["name"] == wanted])
        answering_tool = messages[-1]["role"] in ("tool", "function")
        if not answering_tool:
            called = [f for f in functions if mentioned(f, _last_user_text(messages))]
            if choice == "required":
                called = called or functions[:1]
            if called:
                parallel = request.get("parallel_tool_calls", True) and not legacy
                return Plan(call_kind, called if parallel else called[:1])
        elif choice == "required":
            return Plan(call_kind, functions[:1])
    if messages[-1]["role"] in ("tool", "function"):
        return Plan("tool_answer")
    response_format = (request.get("response_format") or {}).get("type", "text")
    if response_format in ("json_schema", "json_object"):
        return Plan(response_format)
    return Plan("text")


# --------------------------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class Scripted:
    """Content and/or tool calls given in advance (a mock-controls fixture): rendered like generated ones,
    fitted to the budget and stop sequences, counted, streamed."""

    content: str | None = None
    tool_calls: tuple[tuple[str, str], ...] = ()  # (function name, arguments JSON)


@dataclass
class ChoiceResult:
    message: dict[str, Any]
    finish_reason: str
    completion_tokens: int
    content_tokens: list[int] = field(default_factory=list)


def tool_call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


_PLACE_KEYS = ("location", "city", "place", "destination")


def _proper_nouns(prompt: str) -> list[str]:
    """Capitalised words that do not start a sentence: the places and names a user mentions."""
    found = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)*)", prompt.strip())
    return [word for word in found if word.lower() not in ("i", "what", "how")]


def _arguments(function: Mapping[str, Any], rng: random.Random, prompt: str) -> str:
    """Arguments that validate against the function's parameters, using what the user named where it fits."""
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    value = schema_values.generate_value(parameters, rng, all_properties=bool(function.get("strict")))
    properties = parameters.get("properties") or {}
    nouns = _proper_nouns(prompt)
    if isinstance(value, dict) and nouns:
        for key, schema in properties.items():
            plain_string = (
                isinstance(schema, Mapping)
                and schema.get("type") == "string"
                and not (set(schema) & {"enum", "const", "pattern", "format", "maxLength"})
            )
            if key in value and plain_string and key.lower() in _PLACE_KEYS:
                value[key] = nouns[0]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _tool_answer_text(messages: Sequence[Mapping[str, Any]], rng: random.Random, model: str) -> str:
    result = content_text(messages[-1].get("content")).strip()
    shown = result if len(result) <= 200 else result[:197] + "..."
    topic = text.topic_of(_last_user_text(messages))
    lead = rng.choice(("Here is what I found", "Based on the result", "According to the tool"))
    body = text.compose(rng, topic=topic, target_tokens=rng.randint(15, 45), model=model).text
    return f"{lead}: {shown}\n\n{body}" if shown else body


def _json_object_text(messages: Sequence[Mapping[str, Any]], rng: random.Random, model: str) -> str:
    topic = text.topic_of(_last_user_text(messages))
    answer = text.compose(rng, topic=topic, target_tokens=rng.randint(15, 35), model=model).text.replace("\n\n", " ")
    return json.dumps({"topic": topic, "answer": answer, "confidence": round(rng.uniform(0.6, 0.99), 2)})


def _json_schema_text(request: Mapping[str, Any], rng: random.Random) -> str:
    spec = request["response_format"]["json_schema"]
    schema = spec.get("schema") or {"type": "object", "properties": {}}
    strict = bool(spec.get("strict"))
    value = schema_values.generate_value(schema, rng, name=spec.get("name", ""), all_properties=strict)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _visible_text(request: Mapping[str, Any], kind: str, rng: random.Random, question_tokens: int) -> text.Composed:
    messages, model = request["messages"], request["model"]
    if kind == "text":
        target = text.natural_length(rng, question_tokens)
        target = max(8, int(target * _VERBOSITY_LENGTH.get(request.get("verbosity") or "medium", 1.0)))
        return text.compose(rng, topic=text.topic_of(_last_user_text(messages)), target_tokens=target, model=model)
    if kind == "tool_answer":
        answer = _tool_answer_text(messages, rng, model)
    elif kind == "json_object":
        answer = _json_object_text(messages, rng, model)
    else:
        answer = _json_schema_text(request, rng)
    return text.Composed(answer, tokens.encode(answer, model))


def _text_choice(
    request: Mapping[str, Any], kind: str, rng: random.Random, budget: int | None, question_tokens: int
) -> ChoiceResult:
    model = request["model"]
    visible = _visible_text(request, kind, rng, question_tokens)
    fitted = text.fit(visible.text, model=model, max_tokens=budget, stop=_stop_list(request), encoded=visible.tokens)
    message = {"role": "assistant", "content": fitted.text, "refusal": None}
    return ChoiceResult(message, fitted.finish_reason, fitted.token_count, fitted.tokens)


def _call_choice(request: Mapping[str, Any], chosen: Plan, rng: random.Random, budget: int | None) -> ChoiceResult:
    model = request["model"]
    calls, used, finish = [], 0, "tool_calls" if chosen.kind == "tools" else "function_call"
    for function in chosen.functions:
        name_tokens = tokens.count_tokens(function["name"], model) + TOKENS_PER_MESSAGE
        arguments = _arguments(function, rng, _last_user_text(request["messages"]))
        remaining = None if budget is None else max(0, budget - used - name_tokens)
        fitted = text.fit(arguments, model=model, max_tokens=remaining)
        used += name_tokens + fitted.token_count
        calls.append(
            {
                "id": tool_call_id(rng),
                "type": "function",
                "function": {"name": function["name"], "arguments": fitted.text},
            }
        )
        if fitted.finish_reason == "length":
            finish = "length"
            break
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if chosen.kind == "tools":
        message["tool_calls"] = calls
    else:
        message["function_call"] = calls[0]["function"]
    return ChoiceResult(message, finish, used)


def _scripted_choice(
    request: Mapping[str, Any], script: Scripted, rng: random.Random, budget: int | None
) -> ChoiceResult:
    model = request["model"]
    if not script.tool_calls:
        fitted = text.fit(script.content or "", model=model, max_tokens=budget, stop=_stop_list(request))
        answer: dict[str, Any] = {"role": "assistant", "content": fitted.text, "refusal": None}
        return ChoiceResult(answer, fitted.finish_reason, fitted.token_count, fitted.tokens)
    legacy = not request.get("tools") and bool(request.get("functions"))
    calls, used, finish = [], 0, "function_call" if legacy else "tool_calls"
    for name, arguments in script.tool_calls:
        name_tokens = tokens.count_tokens(name, model) + TOKENS_PER_MESSAGE
        remaining = None if budget is None else max(0, budget - used - name_tokens)
        fitted = text.fit(arguments, model=model, max_tokens=remaining)
        used += name_tokens + fitted.token_count
        calls.append(
            {"id": tool_call_id(rng), "type": "function", "function": {"name": name, "arguments": fitted.text}}
        )
        if fitted.finish_reason == "length":
            finish = "length"
            break
    message: dict[str, Any] = {"role": "assistant", "content": script.content, "refusal": None}
    if legacy:
        message["function_call"] = calls[0]["function"]
    else:
        message["tool_calls"] = calls
    return ChoiceResult(message, finish, used)


def _stop_list(request: Mapping[str, Any]) -> list[str]:
    stop = request.get("stop")
    if stop is None:
        return []
    return [stop] if isinstance(stop, str) else list(stop)


def output_budget(request: Mapping[str, Any]) -> int | None:
    limit = request.get("max_completion_tokens")
    return limit if limit is not None else request.get("max_tokens")


def served_tier(requested: str | None) -> str:
    return requested if requested in ("flex", "priority") else "default"


def reasoning_tokens(request: Mapping[str, Any], rng: random.Random, reasoning: bool) -> int:
    if not reasoning:
        return 0
    low, high = _REASONING_BLOCKS[request.get("reasoning_effort") or "medium"]
    return 64 * rng.randint(low, high)


# --------------------------------------------------------------------------------------------- logprobs


def _alternatives(rng: random.Random, model: str, chosen: str, count: int) -> list[str]:  # noqa: ARG001
    pool = [
        " the",
        " a",
        " this",
        " it",
        " and",
        " to",
        " of",
        " is",
        ",",
        ".",
        " that",
        " you",
        " we",
        " in",
        " for",
        " with",
        " can",
        " more",
        " one",
        " first",
        "The",
        "A",
        " an",
        " on",
        " as",
        "\n",
    ]
    rng.shuffle(pool)
    return [token for token in pool if token != chosen][:count]


def token_logprobs(token_ids: Sequence[int], model: str, top: int, rng: random.Random) -> list[dict[str, Any]]:
    """Per-token logprobs aligned with the real tokens; the chosen token is always the likeliest."""
    entries = []
    for token_text, raw in zip(text.token_strings(token_ids, model), text.token_bytes(token_ids, model), strict=True):
        logprob = -round(rng.expovariate(4.0), 6)
        alternatives = []
        if top:
            alternatives.append({"token": token_text, "logprob": logprob, "bytes": list(raw)})
            floor = logprob
            for other in _alternatives(rng, model, token_text, top - 1):
                floor -= round(rng.uniform(0.5, 3.0), 6)
                alternatives.append({"token": other, "logprob": round(floor, 6), "bytes": list(other.encode())})
        entries.append({"token": token_text, "logprob": logprob, "bytes": list(raw), "top_logprobs": alternatives})
    return entries


# --------------------------------------------------------------------------------------------- builders


def build_chat_completion(
    request: Mapping[str, Any],
    rng: random.Random,
    *,
    completion_id: str,
    created: int,
    reasoning: bool = False,
    script: Scripted | None = None,
    prompt: PromptCount | None = None,
) -> dict[str, Any]:
    """The `chat.completion` for a validated request (dict without nulls); `script` fixes what it says;
    `prompt` is the request's count when the caller already made it."""
    model = request["model"]
    chosen = plan(request)
    budget = output_budget(request)
    if prompt is None:
        prompt = count_prompt(request)
    choices, completion_tokens, hidden = [], 0, 0
    for index in range(request.get("n") or 1):
        # Choice 0 draws from the request's Random, so it is the same whatever `n` is; each further one from its
        # own, seeded from it (seeding a Random costs ~3 µs: a lone choice makes none).
        choice_rng = rng if index == 0 else random.Random(rng.getrandbits(64))
        thinking = reasoning_tokens(request, choice_rng, reasoning)
        if budget is not None and thinking >= budget:  # the whole budget went to reasoning
            result = ChoiceResult({"role": "assistant", "content": "", "refusal": None}, "length", 0)
            thinking = budget
        else:
            remaining = None if budget is None else budget - thinking
            if script is not None:
                result = _scripted_choice(request, script, choice_rng, remaining)
            elif chosen.kind in ("tools", "function_call"):
                result = _call_choice(request, chosen, choice_rng, remaining)
            else:
                result = _text_choice(request, chosen.kind, choice_rng, remaining, prompt.question)
        hidden += thinking
        completion_tokens += result.completion_tokens + thinking
        logprobs = None
        if request.get("logprobs"):
            entries = token_logprobs(result.content_tokens, model, request.get("top_logprobs") or 0, choice_rng)
            logprobs = {"content": entries, "refusal": None}
        choices.append(
            {"index": index, "message": result.message, "logprobs": logprobs, "finish_reason": result.finish_reason}
        )
    rejected = _rejected_prediction_tokens(request, choices)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt.total,
            "completion_tokens": completion_tokens + rejected,
            "total_tokens": prompt.total + completion_tokens + rejected,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": hidden,
                "audio_tokens": 0,
                "accepted_prediction_tokens": _accepted_prediction_tokens(request, choices),
                "rejected_prediction_tokens": rejected,
            },
        },
        # The tier that served the request: flex or priority when asked for, else default (also for "auto").
        "service_tier": served_tier(request.get("service_tier")),
        "system_fingerprint": system_fingerprint(model),
    }


def _prediction_tokens(request: Mapping[str, Any]) -> list[int]:
    prediction = request.get("prediction")
    if not prediction:
        return []
    return tokens.encode(content_text(prediction.get("content")), request["model"])


def _accepted_prediction_tokens(request: Mapping[str, Any], choices: list[dict[str, Any]]) -> int:
    predicted = _prediction_tokens(request)
    if not predicted:
        return 0
    produced = tokens.encode(choices[0]["message"].get("content") or "", request["model"])
    shared = 0
    while shared < min(len(predicted), len(produced)) and predicted[shared] == produced[shared]:
        shared += 1
    return shared


def _rejected_prediction_tokens(request: Mapping[str, Any], choices: list[dict[str, Any]]) -> int:
    predicted = _prediction_tokens(request)
    return len(predicted) - _accepted_prediction_tokens(request, choices) if predicted else 0


# --------------------------------------------------------------------------------------------- streaming


def stream_chunks(completion: Mapping[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """The completion as the real stream sends it: per choice a role chunk, content deltas on token
    boundaries (tool calls: id + name, then argument fragments), a finish chunk; then the usage chunk."""
    model = completion["model"]
    head = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": model,
        "service_tier": completion.get("service_tier", "default"),
        "system_fingerprint": completion["system_fingerprint"],
    }
    tail = {"usage": None} if include_usage else {}

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None, logprobs: Any = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return {**head, "choices": [choice], **tail}

    for choice in completion["choices"]:
        index, message = choice["index"], choice["message"]
        if message.get("audio") is not None:  # spoken answers stream `delta.audio`, never `content`
            yield chunk(index, {"role": "assistant", "content": None, "refusal": None})
            for audio_delta in _audio_deltas(message["audio"], model):
                yield chunk(index, {"audio": audio_delta})
            yield chunk(index, {}, choice["finish_reason"])
            continue
        yield chunk(index, {"role": "assistant", "content": "", "refusal": None})
        entries = (choice.get("logprobs") or {}).get("content") or []
        for position, piece in enumerate(text.split_on_tokens(message.get("content") or "", model)):
            logprobs = {"content": entries[position : position + 1], "refusal": None} if entries else None
            yield chunk(index, {"content": piece}, logprobs=logprobs)
        for call_index, call in enumerate(message.get("tool_calls") or []):
            opening = {
                "index": call_index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            yield chunk(index, {"tool_calls": [opening]})
            for fragment in fragments(call["function"]["arguments"], model):
                yield chunk(index, {"tool_calls": [{"index": call_index, "function": {"arguments": fragment}}]})
        if message.get("function_call"):
            call = message["function_call"]
            yield chunk(index, {"function_call": {"name": call["name"], "arguments": ""}})
            for fragment in fragments(call["arguments"], model):
                yield chunk(index, {"function_call": {"arguments": fragment}})
        yield chunk(index, {}, choice["finish_reason"])
    if include_usage:
        yield {**head, "choices": [], "usage": completion["usage"]}


def fragments(arguments: str, model: str, tokens_per_fragment: int = 3) -> list[str]:
    pieces = text.split_on_tokens(arguments, model)
    size = max(1, tokens_per_fragment)
    return ["".join(pieces[start : start + size]) for start in range(0, len(pieces), size)] if pieces else []


# --------------------------------------------------------------------------------------------- audio output

# OpenAI bills speech by its length: 1 token per 50 ms of generated audio, 1 per 100 ms of input audio.
AUDIO_OUTPUT_TOKENS_PER_SECOND = 20
AUDIO_INPUT_TOKENS_PER_SECOND = 10
AUDIO_LIFETIME_SECONDS = 3600  # how long an answer's audio can be referenced by a follow-up (`expires_at`)
# Streamed audio data fragments: 12,800 base64 characters = 9,600 bytes = 0.2 s of 24 kHz pcm16. A multiple
# of 4 characters, so every fragment decodes on its own and their concatenation is the whole audio.
_AUDIO_FRAGMENT_CHARS = 12_800


@dataclass(frozen=True)
class SpokenAnswer:
    """One choice's audio, as kept for follow-up requests that reference it by id."""

    id: str
    transcript: str
    audio_tokens: int
    expires_at: int


def audio_tokens_for(seconds: float, per_second: int) -> int:
    return max(1, math.ceil(seconds * per_second))


def speak(transcript: str, voice: str, audio_format: str) -> tuple[bytes, float]:
    """The transcript said by `voice` (24 kHz mono, like the real API), encoded as `audio_format`, and its
    duration in seconds. The encoders are the Audio group's (`/v1/audio/speech`)."""
    # imported on first use: the text path never pays for them
    from openai_mock.generation.audio.codecs import SPEECH_FORMATS
    from openai_mock.generation.audio.synthesis import pcm_duration, synthesize

    pcm = synthesize(transcript, voice)
    if audio_format == "pcm16":
        return pcm, pcm_duration(pcm)
    _, encode = SPEECH_FORMATS[audio_format]
    return encode(pcm, transcript), pcm_duration(pcm)


def audio_id(completion_id: str, index: int) -> str:
    return "audio_" + hashlib.sha256(f"{completion_id}/{index}".encode()).hexdigest()[:32]


def add_audio(completion: dict[str, Any], request: Mapping[str, Any]) -> list[SpokenAnswer]:
    """`modalities: ["audio"]`: every text answer becomes speech. `content` turns null and `message.audio`
    carries the id, the base64 audio, `expires_at` and the transcript (the text, already cut by the token
    limit and `stop`); the audio's tokens join `completion_tokens`. Tool calls stay silent, as in the API."""
    settings = request["audio"]
    spoken, audio_total = [], 0
    for choice in completion["choices"]:
        message = choice["message"]
        transcript = message.get("content")
        if transcript is None:
            continue
        data, seconds = speak(transcript, settings["voice"], settings["format"])
        answer = SpokenAnswer(
            audio_id(completion["id"], choice["index"]),
            transcript,
            audio_tokens_for(seconds, AUDIO_OUTPUT_TOKENS_PER_SECOND),
            completion["created"] + AUDIO_LIFETIME_SECONDS,
        )
        message["content"] = None
        message["audio"] = {
            "id": answer.id,
            "data": base64.b64encode(data).decode("ascii"),
            "expires_at": answer.expires_at,
            "transcript": transcript,
        }
        audio_total += answer.audio_tokens
        spoken.append(answer)
    usage = completion["usage"]
    usage["completion_tokens"] += audio_total
    usage["total_tokens"] += audio_total
    usage["completion_tokens_details"]["audio_tokens"] = audio_total
    return spoken


def _audio_deltas(audio: Mapping[str, Any], model: str) -> Iterator[dict[str, Any]]:
    """Streamed speech: the id first, then transcript pieces (one per token) interleaved with the audio's
    base64 fragments in step with it, and `expires_at` last."""
    yield {"id": audio["id"], "transcript": ""}
    pieces = text.split_on_tokens(audio["transcript"], model)
    data = audio["data"]
    fragments = [data[start : start + _AUDIO_FRAGMENT_CHARS] for start in range(0, len(data), _AUDIO_FRAGMENT_CHARS)]
    said = 0
    for number, fragment in enumerate(fragments, 1):
        until = len(pieces) * number // len(fragments)
        for piece in pieces[said:until]:
            yield {"transcript": piece}
        said = max(said, until)
        yield {"data": fragment}
    for piece in pieces[said:]:
        yield {"transcript": piece}
    yield {"expires_at": audio["expires_at"]}
