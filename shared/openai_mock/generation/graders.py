"""Graders, run: pure functions of (grader, item, sample, rng).

A grader has been checked (`resources/graders.py`) before it gets here. Each grade is a `Grade`: a score, whether
it passes, and for model graders the grader model's own sample and token usage. What a grader reads is rendered
first: `{{item.answer}}`, `{{sample.output_text}}`, `{{item.list[0].name}}` (a value that is not a string is
written as JSON); a name that is not there is a `TemplateError`, which the caller counts as an errored row.

- `string_check`: eq / ne (exact), like (the input contains the reference), ilike (the same, ignoring case): 1 or 0.
- `text_similarity`: `text_similarity.similarity` (computed metrics), passing at `pass_threshold`.
- `score_model` / `label_model`: the grader model answers with the mock's chat generation under a strict JSON
  schema (`{"steps": [...], "result": <number in range>}`, `{"label": <one of labels>}`), seeded by what it
  reads, so the same row always gets the same grade; its tokens are counted as a real call's.
- `multi`: `calculate_output`, an arithmetic formula over the sub-graders' scores, evaluated by walking its
  syntax tree (numbers, the sub-graders' names, + - * / ** %, unary minus, and min max abs floor ceil exp sqrt
  log); nothing else is evaluated.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from openai_mock.generation.text_similarity import similarity
from openai_mock.rng import seeded_rng

STRING_CHECK_OPERATIONS = ("eq", "ne", "like", "ilike")
DEFAULT_RANGE = (0.0, 1.0)
_TEMPLATE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class TemplateError(Exception):
    """A template names a value the row does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class FormulaError(Exception):
    """`calculate_output` is not a formula this grader can compute."""


class Grade(NamedTuple):
    score: float
    passed: bool
    sample: dict[str, Any] | None = None  # a model grader's own call
    usage: dict[str, int] | None = None  # its tokens
    model: str | None = None
    sub_scores: Mapping[str, float] = MappingProxyType({})  # multi: each sub-grader's score


# --------------------------------------------------------------------------- templates


def _lookup(namespace: Mapping[str, Any], path: str) -> Any:
    position, value, first = 0, namespace, True
    path = path.strip()
    while position < len(path):
        if not first and path[position] == ".":
            position += 1
        match = _PATH_PART.match(path, position)
        if match is None:
            raise TemplateError(path)
        key, index = match.groups()
        if key is not None and isinstance(value, Mapping) and key in value:
            value = value[key]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            raise TemplateError(path)
        position, first = match.end(), False
    return value


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render(template: str, namespace: Mapping[str, Any]) -> str:
    """`template` with every `{{ path }}` replaced by the value it names in `namespace` (`item`, `sample`)."""
    return _TEMPLATE.sub(lambda match: as_text(_lookup(namespace, match.group(1))), template)


def resolve(reference: str, namespace: Mapping[str, Any]) -> Any:
    """The value an `item_reference` ("item.input") names."""
    return _lookup(namespace, reference.removeprefix("{{").removesuffix("}}"))


def template_names(template: str) -> list[str]:
    return [match.group(1) for match in _TEMPLATE.finditer(template)]


def message_text(content: Any) -> str:
    """The text of an eval message's content: a string, one content part, or a list of them."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return "".join(part["text"] for part in parts if isinstance(part, Mapping) and isinstance(part.get("text"), str))


def render_messages(messages: Sequence[Mapping[str, Any]], namespace: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"role": message["role"], "content": render(message_text(message.get("content", "")), namespace)}
        for message in messages
    ]


# --------------------------------------------------------------------------- formulas

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "log": math.log,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Load, *_UNARY, *_BINARY)
_MAX_FORMULA_LENGTH = 1_000
_MAX_EXPONENT = 64


def parse_formula(formula: str, names: Sequence[str]) -> ast.Expression:
    """The formula's syntax tree, checked to use only numbers, `names`, arithmetic and the allowed functions."""
    if not formula.strip() or len(formula) > _MAX_FORMULA_LENGTH:
        raise FormulaError("the formula is empty or longer than 1000 characters")
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"it is not a valid expression ({error.msg})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in names and node.id not in _FUNCTIONS:
                raise FormulaError(f"'{node.id}' is not the name of one of its graders")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                raise FormulaError("only min, max, abs, floor, ceil, exp, sqrt and log may be called")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError("only numbers may appear as constants")
        elif not isinstance(node, _ALLOWED_NODES):
            raise FormulaError(f"'{type(node).__name__}' is not allowed in a formula")
    return tree


def evaluate_formula(formula: str, scores: Mapping[str, float]) -> float:
    """The formula's value for these sub-grader scores; FormulaError for what cannot be computed (x / 0)."""
    tree = parse_formula(formula, list(scores))

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]  # parse_formula admits numbers only
        if isinstance(node, ast.Name):
            return float(scores[node.id])
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](value(node.operand))
        if isinstance(node, ast.BinOp):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
                raise FormulaError("exponents are limited to 64")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return float(_FUNCTIONS[node.func.id](*(value(argument) for argument in node.args)))
        raise FormulaError(f"'{type(node).__name__}' is not allowed in a formula")

    try:
        result = value(tree)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise FormulaError(f"it cannot be computed for these scores ({error})") from None
    if not math.isfinite(result):
        raise FormulaError("its value is not a finite number")
    return result


# --------------------------------------------------------------------------- graders


def string_check(grader: Mapping[str, Any], namespace: Mapping[str, Any]) -> Grade:
    value, reference = render(grader["input"], namespace), render(grader["reference"], namespace)
    operation = grader["operation"]
    if operation == "eq":
        passed = value == reference
    elif operation == "ne":
        passed = value != reference
    elif operation == "like":
        passed = reference in value
    else:
        passed = reference.lower() in value.lower()
    return Grade(1.0 if passed else 0.0, passed)


def text_similarity(grader: Mapping[str, Any], namespace: Mapping[str, Any]) -> Grade:
    score = similarity(
        grader["evaluation_metric"], render(grader["input"], namespace), render(grader["reference"], namespace)
    )
    threshold = grader.get("pass_threshold")
    return Grade(score, score >= (threshold if threshold is not None else 0.5))


def score_range(grader: Mapping[str, Any]) -> tuple[float, float]:
    bounds = grader.get("range") or DEFAULT_RANGE
    return float(bounds[0]), float(bounds[1])


def _score_schema(low: float, high: float) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"description": {"type": "string"}, "conclusion": {"type": "string"}},
                    "required": ["description", "conclusion"],
                    "additionalProperties": False,
                },
                "minItems": 1,
                "maxItems": 3,
            },
            "result": {"type": "number", "minimum": low, "maximum": high},
        },
        "required": ["steps", "result"],
        "additionalProperties": False,
    }


def _label_schema(labels: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"label": {"type": "string", "enum": list(labels)}},
        "required": ["label"],
        "additionalProperties": False,
    }


class ModelCall(NamedTuple):
    """How the grader model is called: the mock's chat generation with these settings."""

    reasoning: bool
    completion_id: str
    created: int


def model_grade(
    grader: Mapping[str, Any], namespace: Mapping[str, Any], call: ModelCall, seed: int | str | None
) -> Grade:
    """score_model / label_model: the grader model's structured answer, generated like a chat completion."""
    from openai_mock.generation import chat  # here: checking a grader (eval and job creation) generates nothing

    messages = render_messages(grader["input"], namespace)
    if grader["type"] == "score_model":
        low, high = score_range(grader)
        schema, name = _score_schema(low, high), "score_model_grader"
    else:
        schema, name = _label_schema(grader["labels"]), "label_model_grader"
    sampling = grader.get("sampling_params") or {}
    request: dict[str, Any] = {
        "model": grader["model"],
        "messages": messages,
        "response_format": {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}},
    }
    for key, target in (
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("seed", "seed"),
        ("reasoning_effort", "reasoning_effort"),
    ):
        if sampling.get(key) is not None:
            request[target] = sampling[key]
    if sampling.get("max_completions_tokens") is not None:
        request["max_completion_tokens"] = sampling["max_completions_tokens"]
    rng = seeded_rng(request, seed)
    completion = chat.build_chat_completion(
        request, rng, completion_id=call.completion_id, created=call.created, reasoning=call.reasoning
    )
    choice = completion["choices"][0]
    answer = choice["message"]["content"] or ""
    usage = completion["usage"]
    tokens = {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
        "cached_tokens": 0,
    }
    sample = {
        "input": messages,
        "output": [{"role": "assistant", "content": answer}],
        "finish_reason": choice["finish_reason"],
        "model": grader["model"],
        "usage": tokens,
        "error": None,
        "seed": request.get("seed", 0),
        "temperature": request.get("temperature", 1.0),
        "top_p": request.get("top_p", 1.0),
        "max_completion_tokens": request.get("max_completion_tokens", 0),
    }
    try:
        parsed = json.loads(answer)
    except json.JSONDecodeError:  # the answer was cut short (max_completions_tokens): no grade
        parsed = {}
    if grader["type"] == "score_model":
        low, high = score_range(grader)
        score = float(parsed.get("result", low))
        threshold = grader.get("pass_threshold")
        passed = score >= (threshold if threshold is not None else (low + high) / 2)
    else:
        label = parsed.get("label")
        passed = label in grader["passing_labels"]
        score = 1.0 if passed else 0.0
    return Grade(score, passed, sample=sample, usage=tokens, model=grader["model"])
