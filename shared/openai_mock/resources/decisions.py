"""The Decisions API (`POST /v1/decisions`, `client.decisions.create`: an operation the API gained after the
2026-08-21 spec, held to the official SDK's models): questions — predicates, choices, scores — asked about one
input (a text, or messages, function calls and custom tool calls with their outputs), answered in order by
`generation/decisions.py`, with the tokens they count.

Checked as the SDK types the request: `model` (only `gpt-6-luna` decides), 1–400 questions, 2–255 distinct choices,
at least two levels, every tool output answering an earlier call of its kind, names unique; a bad value is a 400
naming it (`questions[2].choices[1].value`).

Its prompt reads the shared prompt cache (resources/prompt_cache.py): the input first, then the questions, so the
same long input asked other questions is read from the cache (docs/decisions.md, "Prompt caching")."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import ConfigDict, Field, JsonValue, StrictBool, StrictStr, TypeAdapter, ValidationError
from starlette.requests import Request

from openai_mock import rng
from openai_mock.errors import from_validation_errors, invalid_request
from openai_mock.fields import RequestModel
from openai_mock.generation import decisions, tokens
from openai_mock.generation.moderation import Item, classify
from openai_mock.generation.prompt_prefix import Breakpoint, PromptSequence
from openai_mock.resources import prompt_cache, ratelimits
from openai_mock.resources.models import model_spec, retrieve_model

MODEL = "gpt-6-luna"
MAX_QUESTIONS = 400
CHOICES = (2, 255)
IMAGE_TOKENS = 85  # an image counts as a low-detail tile does on the chat endpoints


class _Strict(RequestModel):
    model_config = ConfigDict(extra="forbid")


class _Breakpoint(_Strict):
    mode: Literal["explicit"]


class _Text(_Strict):
    type: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: _Breakpoint | None = None


class _Image(_Strict):
    type: Literal["input_image"]
    image_url: str
    detail: Literal["low", "high", "auto", "original"] | None = None
    prompt_cache_breakpoint: _Breakpoint | None = None


class _Json(_Strict):
    type: Literal["input_json"]
    data: dict[str, JsonValue] | list[dict[str, JsonValue]]


class _OutputText(_Strict):
    type: Literal["output_text"]
    text: str


class _Refusal(_Strict):
    type: Literal["refusal"]
    refusal: str


_UserPart = Annotated[_Text | _Image | _Json, Field(discriminator="type")]
_OutputPart = Annotated[_Text | _Image, Field(discriminator="type")]
_AssistantPart = Annotated[_OutputText | _Refusal, Field(discriminator="type")]
_Status = Literal["in_progress", "completed", "incomplete"]


class _UserMessage(_Strict):
    type: Literal["message"] = "message"
    role: Literal["user"]
    content: str | list[_UserPart]


class _InstructionMessage(_Strict):  # developer and system messages
    type: Literal["message"] = "message"
    role: Literal["developer", "system"]
    content: str | list[_Text]


class _AssistantMessage(_Strict):
    type: Literal["message"] = "message"
    role: Literal["assistant"]
    content: str | list[_AssistantPart]
    phase: Literal["commentary", "final_answer"] | None = None


class _FunctionCall(_Strict):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: str | None = None
    namespace: str | None = None
    status: _Status | None = None


class _CustomToolCall(_Strict):
    type: Literal["custom_tool_call"]
    call_id: str
    name: str
    input: str
    id: str | None = None
    namespace: str | None = None
    status: _Status | None = None


class _CallOutput(_Strict):  # function_call_output and custom_tool_call_output
    type: Literal["function_call_output", "custom_tool_call_output"]
    call_id: str
    output: str | list[_OutputPart]
    id: str | None = None
    status: _Status | None = None


_Instructions = str | list[Annotated[_Text | _Image | _Json, Field(discriminator="type")]]


class _Predicate(_Strict):
    type: Literal["predicate"]
    instructions: _Instructions
    name: str | None = None


class _ChoiceOption(_Strict):
    value: StrictStr | StrictBool
    description: str | None = None


class _Choice(_Strict):
    type: Literal["choice"]
    instructions: _Instructions
    choices: list[_ChoiceOption]
    name: str | None = None


class _Level(_Strict):
    label: str
    description: str | None = None


class _Score(_Strict):
    type: Literal["score"]
    instructions: _Instructions
    levels: list[_Level]
    name: str | None = None


class _CacheOptions(_Strict):
    mode: Literal["implicit", "explicit"] | None = None
    ttl: Literal["30m"] = "30m"


class DecisionRequest(_Strict):
    """The body; `input` items and `questions` are checked one by one (`_item`, `checked_question`), so that an error
    names the item by its place as the API does."""

    model: str
    input: str | list[dict[str, JsonValue]]
    questions: list[dict[str, JsonValue]]
    prompt_cache_key: str | None = None
    prompt_cache_options: _CacheOptions | None = None
    safety_identifier: str | None = None


_ITEMS: dict[str, type[_Strict]] = {
    "function_call": _FunctionCall,
    "custom_tool_call": _CustomToolCall,
    "function_call_output": _CallOutput,
    "custom_tool_call_output": _CallOutput,
}
_MESSAGES: dict[Any, type[_Strict]] = {
    "user": _UserMessage,
    "developer": _InstructionMessage,
    "system": _InstructionMessage,
    "assistant": _AssistantMessage,
}
_QUESTIONS: dict[Any, type[_Strict]] = {"predicate": _Predicate, "choice": _Choice, "score": _Score}
_PART_TAGS = frozenset({"input_text", "input_image", "input_json", "output_text", "refusal"})
_ADAPTERS: dict[type[_Strict], TypeAdapter[Any]] = {}


def _without_tags(location: Sequence[Any]) -> tuple[Any, ...]:
    """A discriminated part's tag, which pydantic puts after the part's index, is no param: dropped."""
    kept: list[Any] = []
    for part in location:
        if isinstance(part, str) and part in _PART_TAGS and kept and isinstance(kept[-1], int):
            continue
        kept.append(part)
    return tuple(kept)


def _validated(model: type[_Strict], value: Any, where: tuple[Any, ...]) -> Any:
    adapter = _ADAPTERS.get(model) or _ADAPTERS.setdefault(model, TypeAdapter(model))
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        # A text-or-parts field sent as parts fails as text too: the deepest error is the one about what was sent.
        details = sorted(error.errors(), key=lambda detail: -len(detail["loc"]))
        located = [{**detail, "loc": ("body", *where, *_without_tags(detail["loc"]))} for detail in details]
        raise from_validation_errors(located) from None


def _item(value: Mapping[str, Any], index: int) -> Any:
    kind = value.get("type", "message")
    if kind == "message":
        model = _MESSAGES.get(value.get("role"))
        if model is None:
            raise invalid_request(
                f"Invalid value: '{value.get('role')}'. Supported values are: 'user', 'developer', 'system', and "
                "'assistant'.",
                f"input[{index}].role",
                "invalid_value",
            )
    else:
        model = _ITEMS.get(kind)  # type: ignore[arg-type]
        if model is None:
            raise invalid_request(
                f"Invalid value: '{kind}'. Supported values are: 'message', 'function_call', 'function_call_output', "
                "'custom_tool_call', and 'custom_tool_call_output'.",
                f"input[{index}].type",
                "invalid_value",
            )
    return _validated(model, value, ("input", index))


def checked_question(value: Mapping[str, Any], index: int) -> Any:
    model = _QUESTIONS.get(value.get("type"))
    if model is None:
        raise invalid_request(
            f"Invalid value: '{value.get('type')}'. Supported values are: 'predicate', 'choice', and 'score'.",
            f"questions[{index}].type",
            "invalid_value",
        )
    question = _validated(model, value, ("questions", index))
    if isinstance(question, _Choice):
        low, high = CHOICES
        if not low <= len(question.choices) <= high:
            raise invalid_request(
                f"Invalid 'questions[{index}].choices': expected between {low} and {high} choices, got "
                f"{len(question.choices)}.",
                f"questions[{index}].choices",
                "invalid_value",
            )
        seen: set[tuple[type, Any]] = set()
        for place, choice in enumerate(question.choices):
            key = (type(choice.value), choice.value)  # a string and a boolean of the same text are distinct
            if key in seen:
                raise invalid_request(
                    f"Duplicate choice value: {json.dumps(choice.value)}. Each choice must be unique.",
                    f"questions[{index}].choices[{place}].value",
                    "invalid_value",
                )
            seen.add(key)
    if isinstance(question, _Score) and len(question.levels) < 2:
        raise invalid_request(
            f"Invalid 'questions[{index}].levels': expected at least 2 levels, got {len(question.levels)}.",
            f"questions[{index}].levels",
            "invalid_value",
        )
    return question


def _check_model(tenant: str, model: str) -> None:
    if model_spec(model) is None:
        retrieve_model(tenant, model)  # 404 model_not_found unless it is the tenant's fine-tune
    if model != MODEL:
        raise invalid_request(
            f"The model '{model}' is not supported with the Decisions API. Only {MODEL} is supported.",
            "model",
            "model_not_supported",
        )


def _check_calls(items: Sequence[Any]) -> None:
    """Every tool output answers a call of its kind made before it, by `call_id`."""
    calls: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        if isinstance(item, _FunctionCall | _CustomToolCall):
            calls.add((item.type, item.call_id))
        elif isinstance(item, _CallOutput) and (item.type.removesuffix("_output"), item.call_id) not in calls:
            raise invalid_request(
                f"No tool call found for {item.type} with call_id {item.call_id}.",
                f"input[{index}].call_id",
                "invalid_value",
            )


def _part_text(part: Any) -> str:
    if isinstance(part, _Json):
        return json.dumps(part.data, separators=(",", ":"))
    return part.text if not isinstance(part, _Refusal) else part.refusal  # type: ignore[no-any-return]


def _parts_text(content: Any) -> tuple[str, int]:
    """The text of a content (a string or parts) and how many images it holds."""
    if isinstance(content, str):
        return content, 0
    texts = [_part_text(part) for part in content if not isinstance(part, _Image)]
    return "\n".join(texts), sum(isinstance(part, _Image) for part in content)


def _content(item: Any) -> Any:
    """What an input item says: a string or its parts (a call reads as its name and arguments)."""
    if isinstance(item, _FunctionCall):
        return f"{item.name}({item.arguments})"
    if isinstance(item, _CustomToolCall):
        return f"{item.name}: {item.input}"
    if isinstance(item, _CallOutput):
        return item.output
    return item.content


def _question_text(question: Any) -> str:
    text, _ = _parts_text(question.instructions)
    if isinstance(question, _Choice):
        text += "\n" + "\n".join(f"{choice.value}: {choice.description or ''}" for choice in question.choices)
    if isinstance(question, _Score):
        text += "\n" + "\n".join(f"{level.label}: {level.description or ''}" for level in question.levels)
    return text


def _input(body: DecisionRequest) -> list[Any]:
    """The input checked, as contents (a string or parts): the string, or each item's."""
    if isinstance(body.input, str):
        return [body.input]
    if not body.input:
        raise invalid_request("Invalid 'input': empty array. Expected an array with minimum length 1.", "input")
    items = [_item(value, index) for index, value in enumerate(body.input)]
    _check_calls(items)
    return [_content(item) for item in items]


def _questions(body: DecisionRequest) -> list[Any]:
    if not 1 <= len(body.questions) <= MAX_QUESTIONS:
        raise invalid_request(
            f"Invalid 'questions': expected between 1 and {MAX_QUESTIONS} questions, got {len(body.questions)}.",
            "questions",
            "invalid_value",
        )
    questions = [checked_question(value, index) for index, value in enumerate(body.questions)]
    names: set[str] = set()
    for index, question in enumerate(questions):
        if question.name in names:
            raise invalid_request(
                f"Duplicate question name: '{question.name}'. Question names must be unique.",
                f"questions[{index}].name",
                "invalid_value",
            )
        if question.name is not None:
            names.add(question.name)
    return questions


def _answers(text: str, questions: list[Any], seed: str | int | None) -> list[dict[str, Any]]:
    plain = [question.model_dump(exclude_none=True) for question in questions]
    if classify(Item(text), omni=True)["flagged"]:
        return decisions.refusals(plain)
    words = decisions.content_words(text)
    return [
        decisions.answer(
            asked, _parts_text(question.instructions)[0], words, rng.seeded_rng(("decision", text, asked), seed)
        )
        for asked, question in zip(plain, questions, strict=True)
    ]


# --------------------------------------------------------------------------------------------- the prompt cache


def _image_tokens(url: str) -> list[int]:
    """Tokens standing for an image the count prices without encoding it: derived from its URL."""
    seed = int.from_bytes(hashlib.blake2b(url.encode(), digest_size=4).digest(), "little", signed=True)
    return [seed ^ index for index in range(IMAGE_TOKENS)]


def _marks(parts: Any, read: Sequence[str], base: int, end: int, model: str) -> list[Breakpoint]:
    """The breakpoints of one content's parts: each right after its part's text, as read past `read` (the texts
    before it) from `base`, never past `end`; an image's where the text so far ends (its tokens are read later)."""
    if isinstance(parts, str):
        return []
    marks, said = [], []
    for part in parts:
        if not isinstance(part, _Image):
            said.append(_part_text(part))
        if getattr(part, "prompt_cache_breakpoint", None) is not None:
            so_far = "\n".join([*read, "\n".join(said)])
            marks.append(Breakpoint(min(base + len(tokens.encode(so_far, model)), end), None))
    return marks


def prompt_sequence(model: str, contents: Sequence[Any], questions: Sequence[Any]) -> PromptSequence:
    """The decision's prompt as the prompt cache reads it, exactly `usage.input_tokens` long: the input's text,
    then its images (85 tokens each), then each question's text; explicit breakpoints (`prompt_cache_breakpoint`
    on a text or image part of the input or of a question's instructions) end right after their part's text."""
    texts = [_parts_text(content)[0] for content in contents]
    out: array[int] = array("i", tokens.encode("\n".join(texts), model))
    text_end = len(out)
    marks = [
        mark for index, content in enumerate(contents) for mark in _marks(content, texts[:index], 0, text_end, model)
    ]
    for content in contents:
        for part in content if not isinstance(content, str) else ():
            if isinstance(part, _Image):
                out.extend(_image_tokens(part.image_url))
    for question in questions:
        start = len(out)
        out.extend(tokens.encode(_question_text(question), model))
        marks += _marks(question.instructions, [], start, len(out), model)
    return PromptSequence(out, sorted(marks))


def _read_prompt_cache(tenant: str, body: DecisionRequest, sequence: PromptSequence) -> prompt_cache.Lookup | None:
    given = body.prompt_cache_options
    mode = given.mode if given is not None and given.mode is not None else "implicit"
    settings = prompt_cache.Settings(body.model, body.prompt_cache_key, mode, given.ttl if given else None)
    return prompt_cache.look_up_sequence(tenant, sequence, settings)


# --------------------------------------------------------------------------------------------- the decision


class Decided(NamedTuple):
    decision: dict[str, Any]
    cache: prompt_cache.Lookup | None  # the prompt cache read, written once the decision is admitted


def admit(request: Request, tenant: str, decided: Decided) -> None:
    """Count an answered decision against the rate limits and as the organization's usage (its cached input
    apart), then write its prompt to the cache: a refused one (429) writes nothing."""
    usage = decided.decision["usage"]
    ratelimits.record_usage(
        request,
        tenant,
        decided.decision["model"],
        usage["total_tokens"],
        "decisions",
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        input_cached_tokens=usage["input_tokens_details"]["cached_tokens"],
    )
    prompt_cache.remember(tenant, decided.cache)


def create(tenant: str, body: DecisionRequest, seed: str | int | None) -> Decided:
    """`POST /v1/decisions`: the decision, its `usage` counted with the model's tokenizer, what it read from the
    prompt cache and will write to it (`admit`)."""
    _check_model(tenant, body.model)
    contents = _input(body)
    questions = _questions(body)
    pieces = [_parts_text(content) for content in contents]
    text = "\n".join(piece for piece, _ in pieces)
    input_tokens = tokens.count_tokens(text, body.model) + IMAGE_TOKENS * sum(images for _, images in pieces)
    input_tokens += sum(tokens.count_tokens(_question_text(question), body.model) for question in questions)
    cache = None
    if input_tokens >= prompt_cache.MIN_CACHED_TOKENS:  # a shorter prompt costs no encoding nor store call
        cache = _read_prompt_cache(tenant, body, prompt_sequence(body.model, contents, questions))
    cached, written = (cache.use.cached, cache.use.written) if cache is not None else (0, 0)
    answers = _answers(text, questions, seed)
    output_tokens = len(answers)  # one decision token per question
    decision = {
        "model": body.model,
        "answers": answers,
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens,
        },
    }
    return Decided(decision, cache)
