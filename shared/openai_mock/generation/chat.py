"""Chat completions: the `chat.completion` object and its stream chunks, pure functions of
(validated request, rng, clock values).

What the mock answers:
- after a `tool`/`function` message (with tool_choice "auto"): text that uses the tool's output;
- tools + tool_choice "required", a named function, or "auto" when the last user message mentions a
  tool (its name or a word of it): `tool_calls` whose arguments validate against the tool's parameters;
- response_format json_schema / json_object: JSON content (conforming to the schema);
- otherwise: readable text about the conversation's topic; a search model's (`searches`) cites the pages its web
  search found, as markdown links with `message.annotations` (`web_search_options` steers them).
Token counts are exact for what is produced; reasoning models add hidden reasoning tokens."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import math
import random
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from openai_mock.generation import (
    answers,
    creative,
    equations,
    extract,
    filters,
    instructions,
    judgments,
    plans,
    reports,
    schema_values,
    text,
    tokens,
    web_search,
)
from openai_mock.generation.content import Scripted, content_text
from openai_mock.generation.streaming import DONE, Padding
from openai_mock.json_bytes import json_bytes

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
# A search model's `web_search_options.search_context_size`: how many pages it reads (and cites), and how much longer
# than usual its answer runs for having read them.
_SEARCH_CONTEXT = {"low": (2, 0.6), "medium": (3, 1.0), "high": (4, 1.5)}
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


class Plan(NamedTuple):
    """What a choice will contain."""

    kind: str  # "text" | "tools" | "function_call" | "json_schema" | "json_object" | "tool_answer"
    functions: Sequence[dict[str, Any]] = ()
    step: plans.Step | None = None  # a multi-step task's next call: what its arguments are read from


def _last_user_index(messages: Sequence[Mapping[str, Any]]) -> int:
    """Where the question is: the last user message, else the last message."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index]["role"] == "user":
            return index
    return len(messages) - 1


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    return content_text(messages[_last_user_index(messages)].get("content")) if messages else ""


def _name_words(name: str) -> list[str]:
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in name).replace("_", " ").replace("-", " ")
    return [word for word in spaced.split() if len(word) >= 4 and word not in _GENERIC_NAME_WORDS]


# Words that ask for the same thing: a tool whose name or description says one answers a prompt that says another.
_CONCEPTS = {
    "lookup": "look lookup find search get fetch retrieve query check show information info",
    "add": "add sum plus total addition +",
    "multiply": "multiply times product multiplication * ×",
    "subtract": "subtract minus difference subtraction",
    "divide": "divide divided quotient division ÷",
    "calculate": "calculate compute calculation evaluate math arithmetic calculator",
    "weather": "weather temperature forecast rain raining sunny snow snowing wind windy humid degree climate "
    "umbrella hot cold warm chilly cloudy storm",
    "time": "time clock timezone",
    "send": "send email mail message notify text",
    "book": "book reserve reservation booking",
    "flight": "flight fly flying plane airline",
    "convert": "convert conversion exchange",
    "translate": "translate translation translator",
    "delete": "delete remove cancel",
    "buy": "buy purchase order",
    "stock": "stock share ticker",
    "news": "news headline headlines",
    "remind": "remind reminder",
    "schedule": "schedule meeting appointment calendar event",
}
_WORD_CONCEPTS: dict[str, frozenset[str]] = {}
for _concept, _words in _CONCEPTS.items():
    for _word in _words.split():
        _WORD_CONCEPTS[_word] = _WORD_CONCEPTS.get(_word, frozenset()) | {_concept}
_WEAK_CONCEPTS = frozenset({"lookup"})  # a synonym of these alone does not call a tool
_DESCRIPTION_STOPWORDS = text.STOPWORDS | frozenset({"current", "given", "specified", "provided", "returns", "return"})


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A crude English stem: enough to meet "forecasts"/"forecast", "booking"/"book", "cities"/"city"."""
    word = word.lower().removesuffix("'s")
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


@lru_cache(maxsize=4096)
def _concepts(word: str) -> frozenset[str]:
    return _WORD_CONCEPTS.get(word) or _WORD_CONCEPTS.get(stem(word)) or frozenset()


@lru_cache(maxsize=256)
def _prompt_terms(prompt: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stems, concepts) of what the user wrote; an operator between numbers names its operation."""
    words = re.findall(r"[a-z0-9]+|[+*×÷]", prompt.lower())
    stems = frozenset(stem(word) for word in words)
    if "://" in prompt:
        stems |= {"url", "link", "page", "website", "web"}
    if "@" in prompt:
        stems |= {"email", "address"}
    concepts = frozenset(concept for word in words for concept in _concepts(word))
    for symbol, concept in (("+", "add"), ("*", "multiply"), ("×", "multiply"), ("/", "divide"), ("-", "subtract")):
        if re.search(rf"\d\s*{re.escape(symbol)}\s*\d", prompt):
            concepts |= {concept, "calculate"}
    if re.search(r"\d\s*x\s*\d", prompt):
        concepts |= {"multiply", "calculate"}
    return stems, concepts


def _term_score(word: str, stems: frozenset[str], concepts: frozenset[str], weight: float) -> float:
    if len(word) < 3 and word not in ("+", "*"):
        return 0.0
    generic = word in _GENERIC_NAME_WORDS
    if stem(word) in stems:
        return weight if not generic else min(weight, 1.0)
    shared = _concepts(word) & concepts
    if not shared:
        return 0.0
    if shared <= _WEAK_CONCEPTS:  # "look up" for a tool named search_…: likely; for get_…: says nothing
        return 0.5 if generic or weight < 3 else 2.5
    return weight


def relevance(function: Mapping[str, Any], prompt: str) -> float:
    """How well the user's message asks for this function: its name's words (3 each, 1 for generic verbs), its
    description's (1 each, up to 3) and its parameters' names (0.5 each), matched by stem or synonym; a literal
    call (`name(…)`) or the name itself, 10."""
    name = str(function["name"])
    lowered = prompt.lower()
    if re.search(rf"\b{re.escape(name.lower())}\s*\(", lowered) or name.lower() in lowered:
        return 10.0
    if len(name) > 3 and name.lower().replace("_", " ") in lowered:
        return 10.0
    stems, concepts = _prompt_terms(prompt)
    properties = (function.get("parameters") or {}).get("properties") or {}
    named, described, keys = _tool_terms(name, str(function.get("description") or ""), tuple(map(str, properties)))
    score = sum(_term_score(word, stems, concepts, 3.0) for word in named)
    score += min(3.0, sum(_term_score(word, stems, concepts, 1.0) for word in described))
    return score + sum(0.5 for words in keys if not words.isdisjoint(stems))


@lru_cache(maxsize=1024)
def _tool_terms(
    name: str, description: str, keys: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str], tuple[frozenset[str], ...]]:
    """A tool's words, once per definition: its name's, its description's (stemmed) and its parameters' (stemmed)."""
    named = frozenset(extract.key_words(name))
    described = frozenset(
        stem(w) for w in re.findall(r"[a-z]+", description.lower()) if w not in _DESCRIPTION_STOPWORDS
    )
    key_stems = tuple(frozenset(stem(w) for w in extract.key_words(key) if len(w) > 3) for key in keys)
    return named, described, key_stems


_CALL_THRESHOLD = 3.0


def mentioned(function: Mapping[str, Any], prompt: str) -> bool:
    """Does the user's message call for this function (`relevance` at least 3)?"""
    return relevance(function, prompt) >= _CALL_THRESHOLD


def _wanted(functions: Sequence[Mapping[str, Any]], prompt: str) -> list[dict[str, Any]]:
    """The functions the prompt asks for: every one scoring 3 or more and at least half the best score."""
    if not prompt.strip():
        return []
    scores = [relevance(function, prompt) for function in functions]
    best = max(scores, default=0.0)
    if best < _CALL_THRESHOLD:
        return []
    return [dict(f) for f, score in zip(functions, scores, strict=True) if score >= max(_CALL_THRESHOLD, best / 2)]


def plan(request: Mapping[str, Any]) -> Plan:
    messages = request["messages"]
    # An Assistants run on an empty thread, with no instructions, asks with no message at all.
    functions = declared_functions(request)
    answering_tool = bool(messages) and messages[-1]["role"] in ("tool", "function")
    answering_tool = answering_tool and not _handed_over(messages, functions)
    legacy = not request.get("tools") and bool(request.get("functions"))
    choice = request.get("function_call" if legacy else "tool_choice", "auto" if functions else "none")
    call_kind = "function_call" if legacy else "tools"
    if functions and choice != "none":
        if isinstance(choice, Mapping):
            wanted = choice["function"]["name"] if "function" in choice else choice["name"]
            return Plan(call_kind, [f for f in functions if f["name"] == wanted])
        offered = {function["name"]: function for function in functions}
        step = plans.next_step(messages, offered)
        if step is not None:  # a multi-step task goes on with its next call until its steps are done
            return Plan(call_kind, [offered[step.tool]], step)
        if not answering_tool:
            # (never a write to a process no earlier result reported running)
            callable_now = [f for f in functions if not plans.needs_session(f["name"], messages)]
            called = _wanted(callable_now, _last_user_text(messages))
            if choice == "required":
                called = called or callable_now[:1] or functions[:1]
            if called:
                parallel = request.get("parallel_tool_calls", True) and not legacy
                return Plan(call_kind, called if parallel else called[:1])
        elif choice == "required":
            return Plan(call_kind, functions[:1])
    # A structured output format holds on every turn, the one after a tool result included.
    response_format = (request.get("response_format") or {}).get("type", "text")
    if response_format in ("json_schema", "json_object"):
        return Plan(response_format)
    if answering_tool:
        return Plan("tool_answer")
    return Plan("text")


# --------------------------------------------------------------------------------------------- choices


class ChoiceResult(NamedTuple):
    message: dict[str, Any]
    finish_reason: str
    completion_tokens: int
    content_tokens: Sequence[int] = ()


def tool_call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


def _arguments(
    function: Mapping[str, Any],
    rng: random.Random,
    prompt: str,
    created: int = 0,
    instructions: str = "",
    step: str | None = None,
) -> str:
    """Arguments that validate against the function's parameters: what the prompt says (a literal call's arguments,
    quoted strings, numbers, dates, emails, URLs, places and people, enums matched by word; `extract.Extractor`)
    where it fits the schema, generated values for the rest. As a model does, it fills the required parameters and
    only the optional ones the prompt gives a value for (`Extractor.pick_named`), at every level; a strict function
    has every property, a nullable one null unless the prompt gives it a value."""
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    extractor = extract.Extractor.of(prompt, created, str(function["name"]), instructions=instructions, step=step)
    said = step or prompt  # a query tool's conditions and columns are read from the request (`filters`)
    value = schema_values.generate_value(
        parameters,
        rng,
        all_properties=bool(function.get("strict")),
        hint=filters.querying(extractor.pick, parameters, said, instructions, created),
        optional_hint=filters.querying(extractor.pick_named, parameters, said, instructions, created),
    )
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _handed_over(messages: Sequence[Mapping[str, Any]], functions: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the trailing results are only handoffs to this agent: calls another agent made to `transfer_to_…`
    (the Agents SDKs' name for a handoff), which this request does not offer. The agent handed the conversation
    answers the user's message, as a model would, not the transfer's output."""
    offered = {function["name"] for function in functions}
    names = [name for name, _ in _tool_results(messages)]
    return bool(names) and all(name.startswith("transfer_to_") and name not in offered for name in names)


def _tool_results(messages: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The trailing tool (or function) results: (function name, output), in order."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name", ""))
    results: list[tuple[str, str]] = []
    for message in reversed(messages):
        if message["role"] not in ("tool", "function"):
            break
        name = message.get("name") or names.get(str(message.get("tool_call_id")), "")
        results.append((str(name), content_text(message.get("content")).strip()))
    return results[::-1]


# A Python object's repr, as a tool's output reaches the model when a framework sends `str(value)`: a pydantic model
# (`city='Tokyo' conditions='Sunny'`), a dataclass (`Weather(city='Tokyo', …)`).
_REPR_FIELD = re.compile(r"""\s*([A-Za-z_]\w*)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,()'"]+)\s*,?""")


def _repr_fields(result: str) -> dict[str, Any] | None:
    body = re.fullmatch(r"\s*[A-Za-z_]\w*\((.*)\)\s*", result, re.DOTALL)
    said = body[1] if body else result
    fields: dict[str, Any] = {}
    at = 0
    while at < len(said.rstrip()):
        found = _REPR_FIELD.match(said, at)
        if found is None:
            return None
        try:
            fields[found[1]] = ast.literal_eval(found[2])
        except (ValueError, SyntaxError):
            fields[found[1]] = found[2]
        at = found.end()
    return fields or None


def _result_fields(result: str) -> dict[str, Any] | None:
    """A tool's output read as named fields: a JSON object, a Python dict or an object's repr; else None."""
    try:
        parsed = json.loads(result)
    except ValueError:
        parsed = None
    if parsed is None and result.startswith("{"):
        try:
            parsed = ast.literal_eval(result)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
    if isinstance(parsed, dict):
        return parsed or None
    return _repr_fields(result) if parsed is None and "=" in result else None


def _shown_result(result: str) -> str:
    """A tool's output as a sentence quotes it: its fields (`_result_fields`) as "key: value", else the text."""
    fields = _result_fields(result)
    if fields:
        pairs = [
            f"{key.replace('_', ' ')}: {json.dumps(val, ensure_ascii=False) if isinstance(val, dict | list) else val}"
            for key, val in list(fields.items())[:8]
        ]
        result = ", ".join(pairs)
    return result if len(result) <= 300 else result[:297] + "..."


_SUBJECT_KEYS = ("city", "location", "place", "country", "region", "name", "title", "ticker", "symbol", "query")
_PLACE_KEYS = frozenset({"city", "location", "place", "country", "region"})
# Fields whose value says itself ("cloudy", "shipped"), without the field's name.
_PLAIN_KEYS = frozenset(
    {"status", "state", "condition", "conditions", "description", "summary", "forecast", "weather", "result", "message"}
)
# A tool name's verbs: what is left of "get_weather", "lookup_order" names what it returns.
_ACTION_WORDS = frozenset(_CONCEPTS["lookup"].split()) | {
    "calculate", "compute", "add", "multiply", "subtract", "divide", "convert", "translate", "send", "book", "delete",
    "remove", "cancel", "schedule", "remind", "buy",
}  # fmt: skip


def _field_phrase(key: str, value: Any) -> str | None:
    """One field as a report words it: "sunny with wind", "14–20C", "temperature 18", "eta 2025-12-08"."""
    named = key.replace("_", " ")
    if value is None:
        return None
    if isinstance(value, bool):
        return f"{named}: {'yes' if value else 'no'}"
    if isinstance(value, dict | list):
        return f"{named}: {json.dumps(value, ensure_ascii=False)}"
    sentence = str(value).strip().endswith(".")
    said = str(value).strip().rstrip(".")
    said = re.sub(r"^(-?\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?=\s*°?[A-Za-z%]*$)", "\\1–\\2", said)  # a range
    if key.lower() in _PLAIN_KEYS:  # a sentence joins ours: "Sunny with wind." → "sunny with wind"
        return said[:1].lower() + said[1:] if sentence and said[1:2].islower() and " " in said else said
    if " " in said or (re.search(r"\d", said) and re.search(r"[A-Za-z°%$€£¥]", said)):
        return said
    return f"{named} {said}"


def _returned(name: str) -> str:
    """What a tool returns, by its name: "get_weather" → "weather", "multiply" → "result"."""
    return " ".join(word for word in _name_words(name) if word not in _ACTION_WORDS) or "result"


def _reported(name: str, fields: Mapping[str, Any]) -> str:
    """A tool's fields worded as a model reports them: "The weather in Tokyo: 14–20C, sunny with wind."."""
    noun = _returned(name)
    key = next((k for k in fields if k.lower() in _SUBJECT_KEYS and isinstance(fields[k], str | int)), None)
    head = f"The {noun}"
    if key is not None:
        head += f" {'in' if key.lower() in _PLACE_KEYS else 'for'} {fields[key]}"
    shown = [phrase for k, v in list(fields.items())[:8] if k != key and (phrase := _field_phrase(k, v))]
    return f"{head}: {', '.join(shown)}." if shown else f"{head}."


def _reported_text(name: str, output: str) -> str:
    """A tool's output as the answer's sentence: its fields worded (`_reported`), a bare value as the result, a
    sentence as it is, else the text after what the tool returns ("The weather: sunny, 25C.")."""
    fields = _result_fields(output)
    if fields:
        return _reported(name, fields)
    said = _shown_result(output)
    if len(said.split()) == 1:
        return f"The result is {said.rstrip('.')}."
    if not next((c for c in said if c.isalpha()), "").isupper():  # ("¡Hola!" is a sentence too)
        said = f"The {_returned(name)}: {said}"
    return said if said[-1:] in ".!?" else said + "."


def _tool_answer_text(messages: Sequence[Mapping[str, Any]], rng: random.Random, model: str) -> str:
    """The answer once tool results are in: it reports what they returned, quoting their values."""
    results = [(name, output, _reported_text(name, output)) for name, output in _tool_results(messages) if output]
    if not results:
        topic = text.topic_of(_last_user_text(messages))
        return text.compose(rng, topic=topic, target_tokens=rng.randint(15, 45), model=model).text
    if len(results) == 1:
        return results[0][2]
    lines = [
        f"- {said}" if _result_fields(output) else f"- {name.replace('_', ' ') or 'result'}: {said}"
        for name, output, said in results
    ]
    return "Here is what I found:\n" + "\n".join(lines)


_KEYS_NAMED = re.compile(
    r"\b(?:keys?|fields?|properties|attributes)\s*(?:named|called|of)?\s*:?\s*((?:[`'\"]?[A-Za-z_][\w]*[`'\"]?"
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+)?){1,12})",
    re.IGNORECASE,
)


def named_keys(prompt: str) -> list[str]:
    """Keys a prompt asks its JSON to have: "with keys name, age and city", "fields `title` and `year`"."""
    match = _KEYS_NAMED.search(prompt)
    if not match:
        return []
    keys: list[str] = []
    for word in re.findall(r"[`'\"]?([A-Za-z_]\w*)[`'\"]?", match[1]):
        if word.lower() in ("and", "or", "the", "with", "for", "in", "of", "json", "return", "only"):
            if keys and word.lower() not in ("and", "or"):
                break
            continue
        keys.append(word)
    return list(dict.fromkeys(keys))[:12]


def _guess_type(key: str) -> dict[str, Any]:
    words = extract.key_words(key)
    if words and words[0] in ("is", "has", "can", "should", "enabled", "active"):
        return {"type": "boolean"}
    if any(w in ("age", "count", "year", "quantity", "number", "total", "id", "rank") for w in words):
        return {"type": "integer"}
    if any(w in ("price", "score", "amount", "rating", "confidence") for w in words):
        return {"type": "number"}
    if words and words[-1].endswith("s") and words[-1] not in ("address", "status", "news"):
        return {"type": "array", "items": {"type": "string"}}
    return {"type": "string"}


_SCHEMA_SCAN_LIMIT = 200_000  # characters of a message searched for an embedded JSON Schema


def embedded_schema(messages: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A JSON Schema the conversation gives for the answer in its own words ("…provide the parsed objects in json
    that match the following json_schema: {…}", as Instructor's JSON modes and many applications write): the last
    object schema (`properties`) found in a system, developer or user message."""
    decoder, found = json.JSONDecoder(), None
    for message in messages:
        if message["role"] not in ("system", "developer", "user"):
            continue
        written = content_text(message.get("content"))[:_SCHEMA_SCAN_LIMIT]
        if '"properties"' not in written:
            continue
        at = written.find("{")
        while at != -1:
            try:
                value, end = decoder.raw_decode(written, at)
            except ValueError:
                at = written.find("{", at + 1)
                continue
            if isinstance(value, dict) and isinstance(value.get("properties"), dict):
                found = value
            at = written.find("{", end)
    return found


def _embedded_schema_value(
    messages: Sequence[Mapping[str, Any]],
    schema: Mapping[str, Any],
    rng: random.Random,
    created: int,
    pages: Sequence[Mapping[str, str]] = (),
) -> Any:
    """A value of the schema the messages give, filled from what the user wrote (every user message: a retry's
    last message asks again, the first holds the facts); None when the schema admits no value."""
    said = " ".join(content_text(m.get("content")) for m in messages if m["role"] == "user")
    hint = _reporting(
        messages, pages, extract.Extractor.of(said, created, answer=answers.direct(messages, created)).pick
    )
    try:
        return schema_values.generate_value(schema, rng, hint=hint)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # a schema in prose may be anything
        return None


def _reporting(
    messages: Sequence[Mapping[str, Any]], pages: Sequence[Mapping[str, str]], hint: schema_values.Hint | None
) -> schema_values.Hint | None:
    """`hint`, with what a web search found (`pages`) for the structured answer's prose field when one ran."""
    if not pages:
        return hint
    return web_search.reporting_hint(web_search.search_query(_last_user_text(messages)), pages, hint)


def _json_object_text(
    messages: Sequence[Mapping[str, Any]],
    rng: random.Random,
    model: str,
    created: int,
    pages: Sequence[Mapping[str, str]] = (),
) -> str:
    prompt = _last_user_text(messages)
    direct = answers.direct(messages, created)
    schema = embedded_schema(messages)
    value = _embedded_schema_value(messages, schema, rng, created, pages) if schema is not None else None
    if value is not None:
        return json.dumps(value, ensure_ascii=False)
    keys = named_keys("\n".join(content_text(m.get("content")) for m in messages if m["role"] != "assistant"))
    if keys:
        schema = {"type": "object", "properties": {key: _guess_type(key) for key in keys}, "required": keys}
        hint = _reporting(messages, pages, extract.Extractor.of(prompt, created, answer=direct).pick)
        value = schema_values.generate_value(schema, rng, all_properties=True, hint=hint)
        return json.dumps(value, ensure_ascii=False)
    topic = text.topic_of(prompt)
    report = _reporting(messages, pages, None)
    if report is not None:  # what the search found, the pages' links inline
        topic = web_search.search_query(prompt)
        answer = report("answer", "string", {})
    elif direct is not None:
        answer = direct
    else:
        answer = text.compose(rng, topic=topic, target_tokens=rng.randint(15, 35), model=model).text.replace(
            "\n\n", " "
        )
    return json.dumps({"topic": topic, "answer": answer, "confidence": round(rng.uniform(0.6, 0.99), 2)})


def _json_schema_text(
    request: Mapping[str, Any], rng: random.Random, created: int, pages: Sequence[Mapping[str, str]] = ()
) -> str:
    spec = request["response_format"]["json_schema"]
    schema = spec.get("schema") or {"type": "object", "properties": {}}
    strict = bool(spec.get("strict"))
    messages = request["messages"]
    # After tool calls, their results hold the facts the structured answer reports.
    prompt = " ".join([_last_user_text(messages), *(_shown_result(out) for _, out in _tool_results(messages))])
    extracted: schema_values.Hint = extract.Extractor.of(prompt, created, answer=answers.direct(messages, created)).pick
    # "Solve 8x + 31 = 2": the steps of the worked solution and its final answer.
    extracted = equations.working(extracted, _last_user_text(messages)) or extracted
    # A search plan's queries, a report, its summary and follow-ups are written from the conversation's material.
    hint = _reporting(messages, pages, reports.writing(extracted, _material_texts(messages), schema))
    # A judging field (`is_math_homework`, `verified`) is decided by what the input says, as the instructions ask.
    hint = judgments.judging(hint, _standing_text(messages), prompt)
    value = schema_values.generate_value(schema, rng, name=spec.get("name", ""), all_properties=strict, hint=hint)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _code_run(messages: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The code and logs of the code interpreter's run (the `python` call and result a Responses turn adds last)."""
    results = _tool_results(messages)
    calls = next((m.get("tool_calls") for m in reversed(messages) if m.get("tool_calls")), None) or []
    if len(results) != 1 or results[0][0] != "python" or len(calls) != 1:
        return None
    try:
        code = json.loads(calls[0]["function"]["arguments"]).get("code")
    except (ValueError, AttributeError, KeyError, TypeError):
        return None
    return (code, results[0][1]) if isinstance(code, str) else None


def _material_texts(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """What the conversation gives to write from: user text, tool outputs and earlier answers, not instructions."""
    return [content_text(m.get("content")) for m in messages if m.get("role") in ("user", "tool", "assistant")]


def _standing_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """What the system and developer messages say (an agent's instructions)."""
    return "\n".join(content_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer"))


def _fenced_json(messages: Sequence[Mapping[str, Any]], rng: random.Random, created: int) -> str | None:
    """A plain answer asked for as JSON of a schema the messages give: the JSON in a ```json fence, as a model writes
    it without `response_format` (Instructor's MD_JSON mode asks so)."""
    schema = embedded_schema(messages)
    if schema is None or not any(_ASKS_FOR_JSON.search(content_text(m.get("content"))) for m in messages):
        return None
    value = _embedded_schema_value(messages, schema, rng, created)
    return None if value is None else "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"


# "Return the correct JSON…", "provide the parsed objects in json", "respond with JSON": asked for, not talked about.
_ASKS_FOR_JSON = re.compile(r"\b(?:return|respond|reply|answer|output|provide|give|write)\b[^.?!]{0,60}\bjson\b", re.I)


def _visible_text(
    request: Mapping[str, Any],
    kind: str,
    rng: random.Random,
    question_tokens: int,
    created: int,
    length: float = 1.0,
    pages: Sequence[Mapping[str, str]] = (),
) -> text.Composed:
    messages, model = request["messages"], request["model"]
    if kind == "text":
        if request.get("prediction"):
            answer = predicted_answer(request)
            return text.Composed(answer, tokens.encode(answer, model))
        fenced = _fenced_json(messages, rng, created)
        if fenced is not None:
            return text.Composed(fenced, tokens.encode(fenced, model))
        direct = answers.direct(messages, created)
        standing = instructions.read(messages)  # what a system or developer message asks of every answer
        if standing is None:
            return _usual_text(request, rng, question_tokens, length, direct)
        decided = instructions.followed(standing, _last_user_text(messages), direct, rng)
        usual = _usual_text(request, rng, question_tokens, length, direct) if decided is None else None
        answer = instructions.shaped(standing, usual.text if usual is not None else str(decided))
        if usual is not None and answer == usual.text:
            return usual
        return text.Composed(answer, tokens.encode(answer, model))
    if kind == "tool_answer":
        offered = [function["name"] for function in declared_functions(request)]
        planned = plans.ran_plan(messages, offered)
        if planned:
            answer = plans.report(messages)
        elif pages:  # after a web search: what the pages found, as a search agent summarises it
            answer = reports.search_summary(_last_user_text(messages), pages)
        elif (ran := _code_run(messages)) is not None:  # the code interpreter's run: what it computed
            from openai_mock.generation import code_interpreter  # (only code interpreter turns need it)

            answer = code_interpreter.reported(_last_user_text(messages), *ran)
        else:
            answer = _tool_answer_text(messages, rng, model)
        if (standing := instructions.read(messages)) is not None:  # its length, case and voice
            answer = instructions.shaped(standing, answer)
    elif kind == "json_object":
        answer = _json_object_text(messages, rng, model, created, pages)
    else:
        answer = _json_schema_text(request, rng, created, pages)
    return text.Composed(answer, tokens.encode(answer, model))


def _usual_text(
    request: Mapping[str, Any], rng: random.Random, question_tokens: int, length: float, direct: str | None
) -> text.Composed:
    """The text answer as no standing instruction shapes it: the checkable answer, a piece asked for by name,
    else prose about the topic."""
    model = request["model"]
    if direct is not None:
        return text.Composed(direct, tokens.encode(direct, model))
    prompt = _last_user_text(request["messages"])
    written = creative.piece(prompt, rng)  # a poem, a story, a joke… asked for by name
    if written is not None:  # (templates: the same few pieces come back, kept encoded like fixtures' answers)
        return text.Composed(written, tokens.encode_scripted(written, model))
    target = text.natural_length(rng, question_tokens)
    target = max(8, int(target * length * _VERBOSITY_LENGTH.get(request.get("verbosity") or "medium", 1.0)))
    return text.compose(rng, topic=text.topic_of(prompt), target_tokens=target, model=model)


def _text_choice(
    request: Mapping[str, Any],
    kind: str,
    rng: random.Random,
    budget: int | None,
    question_tokens: int,
    created: int,
    searches: bool = False,
    searched: Sequence[Mapping[str, str]] = (),
) -> ChoiceResult:
    model = request["model"]
    options = request.get("web_search_options") or {}
    count, length = _SEARCH_CONTEXT[options.get("search_context_size", "medium")]
    cites = searches and kind in ("text", "json_schema", "json_object")
    pages = _found_pages(request, count) if cites else searched
    visible = _visible_text(request, kind, rng, question_tokens, created, length if searches else 1.0, pages)
    citations: list[dict[str, Any]] = []
    if cites:  # a JSON answer stays its JSON: the links are inside its prose field already
        cited, citations = web_search.cite(visible.text, pages, structured=kind != "text")
        visible = text.Composed(cited, tokens.encode(cited, model))
    fitted = text.fit(visible.text, model=model, max_tokens=budget, stop=_stop_list(request), encoded=visible.tokens)
    message: dict[str, Any] = {"role": "assistant", "content": fitted.text, "refusal": None}
    if cites:  # the links the cut kept whole
        message["annotations"] = [_chat_citation(note) for note in citations if note["end_index"] <= len(fitted.text)]
    return ChoiceResult(message, fitted.finish_reason, fitted.token_count, fitted.tokens)


def _found_pages(request: Mapping[str, Any], count: int) -> list[dict[str, str]]:
    """The pages a search model's search finds for the last user message: about its topic, or, for a local question
    and a `user_location` that names a city (else a region), that place's pages."""
    question = web_search.search_query(_last_user_text(request["messages"]))
    location = ((request.get("web_search_options") or {}).get("user_location") or {}).get("approximate") or {}
    place = location.get("city") or location.get("region")
    if place and web_search.is_local(question):
        return web_search.local_sources(question, place, count)
    return web_search.web_sources(question, count=count)


def _chat_citation(note: Mapping[str, Any]) -> dict[str, Any]:
    """Responses' flat url_citation as Chat Completions nests it."""
    fields = ("end_index", "start_index", "title", "url")
    return {"type": "url_citation", "url_citation": {field: note[field] for field in fields}}


def _named(request: Mapping[str, Any]) -> bool:
    """Whether the request names the function to call (`tool_choice: {"type": "function", …}`, or the legacy
    `function_call: {"name": …}`)."""
    legacy = not request.get("tools") and bool(request.get("functions"))
    return isinstance(request.get("function_call" if legacy else "tool_choice"), Mapping)


def _planned_arguments(
    request: Mapping[str, Any], chosen: Plan, rng: random.Random, created: int
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Each call's function and arguments, one after the other: a plan step's own, else read from the user's
    message; once per place when a function that takes one place is asked about several ("the weather in SF and
    New York") and the request allows parallel calls."""
    messages = request["messages"]
    told = "\n".join(content_text(m.get("content")) for m in messages if m["role"] in ("system", "developer"))
    prompt, step = _last_user_text(messages), chosen.step
    parallel = chosen.kind == "tools" and request.get("parallel_tool_calls", True) is not False
    for function in chosen.functions:
        if step is not None and step.arguments is not None:
            yield function, json.dumps(step.arguments, ensure_ascii=False, separators=(",", ":"))
            continue
        asked = None if step is None else step.text
        places = parallel and extract.takes_place(function.get("parameters") or {})
        each: list[str | None] = [*extract.one_place_each(asked or prompt)] if places else []
        for said in each or [asked]:
            yield function, _arguments(function, rng, prompt, created, told, said)


def _call_choice(
    request: Mapping[str, Any], chosen: Plan, rng: random.Random, budget: int | None, created: int
) -> ChoiceResult:
    model = request["model"]
    # A call the request named ends the turn as `stop`, as the API answers it; a call the model chose, by its kind.
    finish = "stop" if _named(request) else "tool_calls" if chosen.kind == "tools" else "function_call"
    calls, used = [], 0
    for function, arguments in _planned_arguments(request, chosen, rng, created):
        name_tokens = tokens.count_tokens(function["name"], model) + TOKENS_PER_MESSAGE
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
        content = script.content or ""
        encoded = tokens.encode_scripted(content, model)
        fitted = text.fit(content, model=model, max_tokens=budget, stop=_stop_list(request), encoded=encoded)
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


# The tier a request's `service_tier` is served in: Fast mode shows as `priority`; Scale Tier (reserved capacity)
# falls back to the default tier, which the mock's organizations never outgrow; so does Ultrafast on a model it
# does not serve.
_SERVED_TIERS = {"flex": "flex", "priority": "priority", "fast": "priority"}


def served_tier(requested: str | None, ultrafast: bool = False) -> str:
    """`ultrafast`: the model is one Ultrafast Processing serves (Responses only; the layer knows which)."""
    if requested == "ultrafast" and ultrafast:
        return "ultrafast"
    return _SERVED_TIERS.get(requested or "auto", "default")


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
    searches: bool = False,
    searched: Sequence[Mapping[str, str]] = (),
    script: Scripted | None = None,
    prompt: PromptCount | None = None,
    tokens_out: list[Sequence[int]] | None = None,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> dict[str, Any]:
    """The `chat.completion` for a validated request (dict without nulls); `script` fixes what it says;
    `prompt` is the request's count when the caller already made it; `tokens_out` (a list) receives each choice's
    content tokens, in order (empty when the builder did not encode it: tool calls), for `stream_events`; `searches`
    (a search model) cites the pages its web search found; `searched` (the pages a hosted search found for the
    caller) are what a structured answer's prose field reports, their links inline;
    `cached_tokens`/`cache_write_tokens`: the prompt tokens read from and written to the prompt cache."""
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
                result = _call_choice(request, chosen, choice_rng, remaining, created)
            else:
                result = _text_choice(
                    request, chosen.kind, choice_rng, remaining, prompt.question, created, searches, searched
                )
        hidden += thinking
        completion_tokens += result.completion_tokens + thinking
        if tokens_out is not None:
            tokens_out.append(result.content_tokens)
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
            "prompt_tokens_details": {
                "cached_tokens": cached_tokens,
                "audio_tokens": 0,
                "cache_write_tokens": cache_write_tokens,
            },
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


_EDIT = re.compile(
    r"\b(?:rename|replace|change|swap|substitute)\s+(?:(?:the|all|every)\s+)?(?:(?:variable|function|word|class|"
    r"method|string|name|text|field|value|occurrences?\s+of)\s+)?[`'\"]?(.+?)[`'\"]?\s+(?:to|with|into|by|for)\s+[`'\"]?(.+?)[`'\"]?"
    r"(?:\s+(?:everywhere|throughout|in the code|in the text)|[.!]?\s*$|[.!]\s)",
    re.IGNORECASE,
)


def predicted_answer(request: Mapping[str, Any]) -> str:
    """With `prediction`: the predicted content, edited as the last user message asks ("rename X to Y", "replace X
    with Y": every whole-word X), else with one deterministic edit: the first line's first number + 1, or (none)
    a final line saying it was checked."""
    predicted = content_text(request["prediction"].get("content"))
    ask = _last_user_text(request["messages"])
    edit = _EDIT.search(ask)
    if edit and edit[1] in predicted:
        old, new = edit[1], edit[2]
        pattern = rf"\b{re.escape(old)}\b" if re.fullmatch(r"\w+", old) else re.escape(old)
        return re.sub(pattern, lambda _: new, predicted)
    number = re.search(r"(?<![\w.])\d+(?![\w.])", predicted)
    if number:
        return predicted[: number.start()] + str(int(number[0]) + 1) + predicted[number.end() :]
    return predicted.rstrip("\n") + ("\n" if "\n" in predicted else " ") + "(checked)"


def _prediction_split(request: Mapping[str, Any], choices: list[dict[str, Any]]) -> tuple[int, int]:
    """(accepted, rejected) prediction tokens: the predicted tokens the answer reproduces — its longest common
    prefix and, after it, suffix with the prediction, token by token — and the rest of the prediction."""
    predicted = _prediction_tokens(request)
    if not predicted:
        return 0, 0
    produced = tokens.encode(choices[0]["message"].get("content") or "", request["model"])
    limit = min(len(predicted), len(produced))
    prefix = 0
    while prefix < limit and predicted[prefix] == produced[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and predicted[-1 - suffix] == produced[-1 - suffix]:
        suffix += 1
    return prefix + suffix, len(predicted) - prefix - suffix


def _accepted_prediction_tokens(request: Mapping[str, Any], choices: list[dict[str, Any]]) -> int:
    return _prediction_split(request, choices)[0]


def _rejected_prediction_tokens(request: Mapping[str, Any], choices: list[dict[str, Any]]) -> int:
    return _prediction_split(request, choices)[1]


# --------------------------------------------------------------------------------------------- streaming


def stream_chunks(
    completion: Mapping[str, Any], include_usage: bool, obfuscate: bool = False
) -> Iterator[dict[str, Any]]:
    """The completion as the real stream sends it: per choice a role chunk, content deltas on token
    boundaries (tool calls: id + name, then argument fragments), a finish chunk; then the usage chunk. With
    `obfuscate` (chat's default; legacy completions have none) each chunk ends with its `obfuscation` padding."""
    head = _chunk_head(completion)
    tail = {"usage": None} if include_usage else {}
    padding = Padding(completion["id"])

    def padded(number: int, content: str) -> dict[str, str]:
        return {"obfuscation": padding.text(number, content)} if obfuscate else {}

    number = -1
    for number, (index, delta, finish, logprobs) in enumerate(_deltas(completion, None)):
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        yield {**head, "choices": [choice], **tail, **padded(number, delta.get("content") or "")}
    if include_usage:
        yield {**head, "choices": [], "usage": completion["usage"], **padded(number + 1, "")}


def stream_events(
    completion: Mapping[str, Any],
    include_usage: bool,
    content_tokens: Sequence[Sequence[int]] | None = None,
    obfuscate: bool = True,
) -> Iterator[bytes]:
    """The stream's events, `data: [DONE]` last: `chat_style(stream_chunks(completion, include_usage, obfuscate))`
    byte for byte, for less work. The fields every chunk repeats are encoded once, a plain content delta is its
    text's JSON between constant bytes, and the content is cut on the tokens its builder made (`content_tokens`, one
    list per choice, as `build_chat_completion` reports them), not encoded again."""
    head = json_bytes(_chunk_head(completion))[:-1]  # the fields, without the closing brace
    opening = b"data: " + head + b',"choices":['
    usage_null = b',"usage":null' if include_usage else b""
    padding = Padding(completion["id"])
    padded_closing = b"]" + usage_null + b',"obfuscation":"'  # then the padding (plain letters), then b'"}'
    plain_closing = b"]" + usage_null + b"}\n\n"

    def closing(number: int, content: str) -> bytes:
        return padded_closing + padding.of(number, content) + b'"}\n\n' if obfuscate else plain_closing

    content_openings: dict[int, bytes] = {}
    number = -1
    for number, (index, delta, finish, logprobs) in enumerate(_deltas(completion, content_tokens)):
        if logprobs is None and finish is None and len(delta) == 1 and "content" in delta:
            start = content_openings.get(index)
            if start is None:
                start = content_openings[index] = opening + b'{"index":%d,"delta":{"content":' % index
            text_bytes = json_bytes(delta["content"])
            ending = closing(number, delta["content"])
            yield b"".join((start, text_bytes, b'},"logprobs":null,"finish_reason":null}', ending))
            continue
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        yield opening + json_bytes(choice) + closing(number, delta.get("content") or "")
    if include_usage:
        tail = b',"obfuscation":"' + padding.of(number + 1, "") + b'"}\n\n' if obfuscate else b"}\n\n"
        yield b"data: " + head + b',"choices":[],"usage":' + json_bytes(completion["usage"]) + tail
    if completion.get("moderation") is not None:  # `moderation` asked for: its results close the stream
        moderated = {
            "choices": [],
            "moderation": completion["moderation"],
            **({"usage": None} if include_usage else {}),
            **({"obfuscation": padding.text(number + 2, "")} if obfuscate else {}),
        }
        yield b"data: " + head + b"," + json_bytes(moderated)[1:] + b"\n\n"
    yield DONE


def _chunk_head(completion: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
        "service_tier": completion.get("service_tier", "default"),
        "system_fingerprint": completion["system_fingerprint"],
    }


def _deltas(
    completion: Mapping[str, Any], content_tokens: Sequence[Sequence[int]] | None
) -> Iterator[tuple[int, dict[str, Any], str | None, Any]]:
    """Each chunk's (choice index, delta, finish reason, logprobs), in the stream's order."""
    model = completion["model"]
    for position, choice in enumerate(completion["choices"]):
        index, message = choice["index"], choice["message"]
        if message.get("audio") is not None:  # spoken answers stream `delta.audio`, never `content`
            yield index, {"role": "assistant", "content": None, "refusal": None}, None, None
            for audio_delta in _audio_deltas(message["audio"], model):
                yield index, {"audio": audio_delta}, None, None
            yield index, {}, choice["finish_reason"], None
            continue
        content = message.get("content") or ""
        calls = _call_deltas(message, model)
        sent = 0
        if not content and calls:  # a call only: `content` null, the first call opens in the role's chunk
            yield index, {"role": "assistant", "content": None, **calls[0], "refusal": None}, None, None
            sent = 1
        else:
            yield index, {"role": "assistant", "content": "", "refusal": None}, None, None
            entries = (choice.get("logprobs") or {}).get("content") or []
            # The builder's tokens of a non-empty content (a scripted answer with tool calls reports none: encoded).
            known = content_tokens[position] if content_tokens and position < len(content_tokens) else None
            for offset, piece in enumerate(text.split_on_tokens(content, model, known or None)):
                logprobs = {"content": entries[offset : offset + 1], "refusal": None} if entries else None
                yield index, {"content": piece}, None, logprobs
        for delta in calls[sent:]:
            yield index, delta, None, None
        yield index, {}, choice["finish_reason"], None


def _call_deltas(message: Mapping[str, Any], model: str) -> list[dict[str, Any]]:
    """The deltas of a message's calls: each tool call opened (id, name, no arguments), then its arguments in
    fragments; or the legacy `function_call` likewise."""
    deltas: list[dict[str, Any]] = []
    for call_index, call in enumerate(message.get("tool_calls") or []):
        opening = {
            "index": call_index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        deltas.append({"tool_calls": [opening]})
        for fragment in fragments(call["function"]["arguments"], model):
            deltas.append({"tool_calls": [{"index": call_index, "function": {"arguments": fragment}}]})
    if message.get("function_call"):
        call = message["function_call"]
        deltas.append({"function_call": {"name": call["name"], "arguments": ""}})
        deltas.extend({"function_call": {"arguments": fragment}} for fragment in fragments(call["arguments"], model))
    return deltas


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


class SpokenAnswer(NamedTuple):
    """One choice's audio, as kept for follow-up requests that reference it by id."""

    id: str
    transcript: str
    audio_tokens: int
    expires_at: int


def audio_tokens_for(seconds: float, per_second: int) -> int:
    return max(1, math.ceil(seconds * per_second))


def speak(
    transcript: str, voice: str | Mapping[str, Any], audio_format: str, pitch: int | None = None
) -> tuple[bytes, float]:
    """The transcript said by `voice` (24 kHz mono, like the real API), encoded as `audio_format`, and its
    duration in seconds; a custom voice (`{"id": …}`) speaks at `pitch`, its sample's (the layer reads it).
    The encoders are the Audio group's (`/v1/audio/speech`)."""
    # imported on first use: the text path never pays for them
    from openai_mock.generation.audio.codecs import SPEECH_FORMATS
    from openai_mock.generation.audio.synthesis import pcm_duration, synthesize

    pcm = synthesize(transcript, voice if isinstance(voice, str) else "custom", pitch=pitch)
    if audio_format == "pcm16":
        return pcm, pcm_duration(pcm)
    _, encode = SPEECH_FORMATS[audio_format]
    return encode(pcm, transcript), pcm_duration(pcm)


def audio_id(completion_id: str, index: int) -> str:
    return "audio_" + hashlib.sha256(f"{completion_id}/{index}".encode()).hexdigest()[:32]


def add_audio(completion: dict[str, Any], request: Mapping[str, Any], pitch: int | None = None) -> list[SpokenAnswer]:
    """`modalities: ["audio"]`: every text answer becomes speech (`pitch`: a custom voice's). `content` turns
    null and `message.audio` carries the id, the base64 audio, `expires_at` and the transcript (the text,
    already cut by the token limit and `stop`); the audio's tokens join `completion_tokens`. Tool calls stay
    silent, as in the API."""
    settings = request["audio"]
    spoken, audio_total = [], 0
    for choice in completion["choices"]:
        message = choice["message"]
        transcript = message.get("content")
        if transcript is None:
            continue
        data, seconds = speak(transcript, settings["voice"], settings["format"], pitch)
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
