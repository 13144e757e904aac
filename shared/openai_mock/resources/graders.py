"""Graders: the real API's checks of a grader, running one, and the `/fine_tuning/alpha/graders` operations.

Evals (testing criteria), reinforcement fine-tuning (`method.reinforcement.grader`) and `graders/run|validate` share
`check_grader` (every grader type, worded and `param`-named as the API words them) and `grade` (one row through
one grader; the scoring itself is `generation/graders.py`).

Python graders: refused with a 400 unless the deployment sets `OPENAI_MOCK_PYTHON_GRADERS=subprocess`; then the
source must define `grade(sample, item)` and it runs in a separate Python process (`-I -S`, an empty environment,
a temporary working directory, CPU-time, memory and file-size limits, a timeout). That keeps a runaway grader from
hurting the mock; it is not a boundary against hostile code (the process may still use the network).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict

from openai_mock import clock
from openai_mock.checks import check_enum, check_range
from openai_mock.errors import OpenAIError, invalid_request, missing_parameter
from openai_mock.fields import RequestModel
from openai_mock.generation import graders as builder
from openai_mock.generation.text_similarity import METRICS
from openai_mock.ids import new_id
from openai_mock.resources import models
from openai_mock.settings import get_settings

GRADER_TYPES = ("string_check", "text_similarity", "python", "score_model", "label_model", "multi")
EVAL_GRADER_TYPES = ("label_model", "string_check", "text_similarity", "python", "score_model")
MODEL_GRADERS = ("score_model", "label_model")
ROLES = ("user", "assistant", "system", "developer")
NAMESPACES = ("item", "sample")
PYTHON_TIMEOUT_SECONDS = 10
PYTHON_CPU_SECONDS = 5
PYTHON_MEMORY_BYTES = 512 * 1024 * 1024
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The child limits itself before it reads the grader: limits set by `preexec_fn` run Python between fork and exec,
# which can deadlock a threaded server (a lock another thread held at the fork), and the request would never end.
_LIMITS = (
    "import resource\n"
    f"resource.setrlimit(resource.RLIMIT_CPU, ({PYTHON_CPU_SECONDS}, {PYTHON_CPU_SECONDS}))\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({PYTHON_MEMORY_BYTES}, {PYTHON_MEMORY_BYTES}))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))\n"
)
_RUNNER = (
    _LIMITS
    + """
import json, sys
payload = json.loads(sys.stdin.read())
scope = {"__name__": "grader"}
exec(compile(payload["source"], "grader.py", "exec"), scope)
if "grade" not in scope:
    raise SystemExit("the source does not define grade(sample, item)")
print(json.dumps({"score": float(scope["grade"](payload["sample"], payload["item"]))}))
"""
)


class RunGraderRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    grader: dict[str, Any]
    model_sample: str
    item: dict[str, Any] | None = None


class ValidateGraderRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    grader: dict[str, Any]


class GraderError(Exception):
    """A grader could not grade a row: `kind` names the RunGraderResponse error flag it sets."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


# --------------------------------------------------------------------------- checks


def _wrong_type(param: str, expected: str, value: Any) -> OpenAIError:
    got = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "an array"}.get(
        type(value), "an object" if isinstance(value, dict) else "null"
    )
    return invalid_request(
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.", param, "invalid_type"
    )


def _string(grader: Mapping[str, Any], key: str, param: str, *, required: bool = True) -> str | None:
    if key not in grader or grader[key] is None:
        if required:
            raise missing_parameter(f"{param}.{key}")
        return None
    value = grader[key]
    if not isinstance(value, str):
        raise _wrong_type(f"{param}.{key}", "a string", value)
    return value


def _number(grader: Mapping[str, Any], key: str, param: str, *, required: bool) -> float | None:
    value = grader.get(key)
    if value is None:
        if required:
            raise missing_parameter(f"{param}.{key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(f"{param}.{key}", "a number", value)
    return float(value)


def _check_templates(text: str, param: str) -> None:
    for name in builder.template_names(text):
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        if head not in NAMESPACES:
            raise invalid_request(
                f"Invalid template '{{{{{name}}}}}' in '{param}': a template names a value of 'item' or "
                "'sample', such as {{item.answer}} or {{sample.output_text}}.",
                param,
                "invalid_template",
            )


def check_messages(value: Any, param: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _wrong_type(param, "an array", value)
    if not value:
        raise invalid_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param,
            "empty_array",
        )
    messages = []
    for index, message in enumerate(value):
        where = f"{param}[{index}]"
        if not isinstance(message, dict):
            raise _wrong_type(where, "an object", message)
        role = _string(message, "role", where)
        check_enum(role, ROLES, f"{where}.role")
        if "content" not in message or message["content"] is None:
            raise missing_parameter(f"{where}.content")
        content = message["content"]
        if not isinstance(content, str | dict | list):
            raise _wrong_type(f"{where}.content", "a string, an object or an array", content)
        _check_templates(builder.message_text(content), f"{where}.content")
        messages.append(dict(message))
    return messages


def _check_model(tenant: str, grader: Mapping[str, Any], param: str) -> models.ModelSpec:
    model = _string(grader, "model", param)
    assert model is not None
    spec = models.serving_spec(tenant, model)
    if not spec.serves(models.CHAT) and not spec.serves(models.RESPONSES):
        raise invalid_request(
            f"The model '{model}' cannot be used by a model grader: it does not generate text.",
            f"{param}.model",
            "invalid_value",
        )
    return spec


def _check_grader_sampling(params: Any, param: str, spec: models.ModelSpec) -> None:
    if params is None:
        return
    if not isinstance(params, dict):
        raise _wrong_type(param, "an object", params)
    for key in ("temperature", "top_p"):
        _number(params, key, param, required=False)
    for key in ("seed", "max_completions_tokens"):
        value = params.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _wrong_type(f"{param}.{key}", "an integer", value)
    if (params.get("max_completions_tokens") or 1) < 1:
        raise invalid_request(
            f"Invalid '{param}.max_completions_tokens': expected a value >= 1.",
            f"{param}.max_completions_tokens",
            "integer_below_min_value",
        )
    check_range(params.get("temperature"), f"{param}.temperature", 0, 2, decimal=True)
    check_range(params.get("top_p"), f"{param}.top_p", 0, 1, decimal=True)
    # The efforts the grader's model takes, as Chat checks them (the spec's whole range, then the model's own).
    models.check_reasoning_effort(params.get("reasoning_effort"), spec, f"{param}.reasoning_effort")


def python_allowed() -> bool:
    return get_settings().python_graders == "subprocess"


def _check_python(grader: dict[str, Any], param: str) -> None:
    source = _string(grader, "source", param)
    _string(grader, "image_tag", param, required=False)
    if not python_allowed():
        raise invalid_request(
            "Python graders are not enabled on this deployment: the mock does not run submitted code unless "
            "OPENAI_MOCK_PYTHON_GRADERS=subprocess is set. Use a string_check, text_similarity, score_model, "
            "label_model or multi grader instead.",
            f"{param}.type",
            "unsupported_value",
        )
    assert source is not None
    try:
        compile(source, "grader.py", "exec")
    except SyntaxError as error:
        raise invalid_request(
            f"Invalid '{param}.source': the Python source does not compile (line {error.lineno}: {error.msg}).",
            f"{param}.source",
            "invalid_value",
        ) from None
    if not re.search(r"^def grade\s*\(", source, re.MULTILINE):
        raise invalid_request(
            f"Invalid '{param}.source': a Python grader must define a function 'grade(sample, item)'.",
            f"{param}.source",
            "invalid_value",
        )


def _check_range(grader: dict[str, Any], param: str) -> None:
    bounds = grader.get("range")
    if bounds is None:
        return
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or any(isinstance(b, bool) or not isinstance(b, int | float) for b in bounds)
    ):
        raise invalid_request(
            f"Invalid '{param}.range': expected an array of two numbers [min, max].", f"{param}.range", "invalid_value"
        )
    if bounds[0] >= bounds[1]:
        raise invalid_request(
            f"Invalid '{param}.range': the minimum ({bounds[0]}) must be below the maximum ({bounds[1]}).",
            f"{param}.range",
            "invalid_value",
        )


def _check_labels(grader: dict[str, Any], param: str) -> None:
    for key in ("labels", "passing_labels"):
        value = grader.get(key)
        if value is None:
            raise missing_parameter(f"{param}.{key}")
        if not isinstance(value, list) or not all(isinstance(label, str) for label in value):
            raise _wrong_type(f"{param}.{key}", "an array of strings", value)
        if not value:
            raise invalid_request(
                f"Invalid '{param}.{key}': empty array. Expected an array with minimum length 1, but got an empty "
                "array instead.",
                f"{param}.{key}",
                "empty_array",
            )
    stray = [label for label in grader["passing_labels"] if label not in grader["labels"]]
    if stray:
        raise invalid_request(
            f"Invalid '{param}.passing_labels': '{stray[0]}' is not one of the grader's labels "
            f"({', '.join(grader['labels'])}).",
            f"{param}.passing_labels",
            "invalid_value",
        )


def sub_graders(grader: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A multi grader's graders by the name its formula uses: the spec's single grader (its `name`), or the
    mapping of names to graders that OpenAI's graders guide writes."""
    graders = grader["graders"]
    if "type" in graders and isinstance(graders.get("type"), str):
        return {graders.get("name", graders["type"]): graders}
    return dict(graders)


def _check_multi(tenant: str, grader: dict[str, Any], param: str) -> None:
    graders = grader.get("graders")
    if graders is None:
        raise missing_parameter(f"{param}.graders")
    if not isinstance(graders, dict) or not graders:
        raise _wrong_type(f"{param}.graders", "an object", graders)
    formula = _string(grader, "calculate_output", param)
    single = isinstance(graders.get("type"), str)
    checked: dict[str, Any] = {}
    for name, sub in sub_graders(grader).items():
        where = f"{param}.graders" if single else f"{param}.graders.{name}"
        if not isinstance(sub, dict):
            raise _wrong_type(where, "an object", sub)
        if not _IDENTIFIER.match(name):
            raise invalid_request(
                f"Invalid '{where}': a sub-grader's name ('{name}') is how the formula refers to it, so it must be "
                "a valid identifier (letters, digits and underscores).",
                where,
                "invalid_value",
            )
        checked[name] = check_grader(tenant, sub, where, allowed=GRADER_TYPES[:-1])
    grader["graders"] = next(iter(checked.values())) if single else checked
    assert formula is not None
    try:
        builder.parse_formula(formula, list(checked))
    except builder.FormulaError as error:
        raise invalid_request(
            f"Invalid '{param}.calculate_output': {error}.", f"{param}.calculate_output", "invalid_value"
        ) from None


def check_grader(
    tenant: str,
    grader: Any,
    param: str,
    *,
    allowed: tuple[str, ...] = GRADER_TYPES,
    thresholds: bool = False,
) -> dict[str, Any]:
    """The grader, checked as the API checks it (400 naming `param.<field>`), with its defaults filled in.
    `thresholds`: an eval's testing criterion (text_similarity then needs its `pass_threshold`)."""
    if not isinstance(grader, dict):
        raise _wrong_type(param, "an object", grader)
    checked = dict(grader)
    kind = _string(checked, "type", param)
    check_enum(kind, allowed, f"{param}.type")
    _string(checked, "name", param)
    if kind in ("string_check", "text_similarity"):
        for key in ("input", "reference"):
            _check_templates(_string(checked, key, param) or "", f"{param}.{key}")
    if kind == "string_check":
        check_enum(_string(checked, "operation", param), builder.STRING_CHECK_OPERATIONS, f"{param}.operation")
    elif kind == "text_similarity":
        check_enum(_string(checked, "evaluation_metric", param), METRICS, f"{param}.evaluation_metric")
        _number(checked, "pass_threshold", param, required=thresholds)
    elif kind == "python":
        _number(checked, "pass_threshold", param, required=False)
        _check_python(checked, param)
    elif kind in MODEL_GRADERS:
        spec = _check_model(tenant, checked, param)
        if "input" not in checked:
            raise missing_parameter(f"{param}.input")
        checked["input"] = check_messages(checked["input"], f"{param}.input")
        _check_grader_sampling(checked.get("sampling_params"), f"{param}.sampling_params", spec)
        if kind == "score_model":
            _check_range(checked, param)
            threshold = _number(checked, "pass_threshold", param, required=False)
            low, high = builder.score_range(checked)
            if threshold is not None and not low <= threshold <= high:
                raise invalid_request(
                    f"Invalid '{param}.pass_threshold': {threshold} is outside the grader's range [{low}, {high}].",
                    f"{param}.pass_threshold",
                    "invalid_value",
                )
        else:
            _check_labels(checked, param)
    else:
        _check_multi(tenant, checked, param)
    return checked


# --------------------------------------------------------------------------- grading


def _run_python(source: str, sample: Mapping[str, Any], item: Mapping[str, Any]) -> float:
    payload = json.dumps({"source": source, "sample": sample, "item": item})
    with tempfile.TemporaryDirectory() as workdir:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-S", "-c", _RUNNER],
                input=payload,
                capture_output=True,
                text=True,
                timeout=PYTHON_TIMEOUT_SECONDS,
                env={},
                cwd=workdir,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GraderError(
                "python_grader_runtime_error", f"The grader ran longer than {PYTHON_TIMEOUT_SECONDS} s."
            ) from None
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        raise GraderError("python_grader_runtime_error", lines[-1] if lines else f"exit status {done.returncode}")
    try:
        return float(json.loads(done.stdout.strip().splitlines()[-1])["score"])
    except (ValueError, KeyError, IndexError):
        raise GraderError("python_grader_runtime_error", "grade() did not return a number") from None


def grade(
    tenant: str, grader: Mapping[str, Any], item: Mapping[str, Any], sample: Mapping[str, Any], seed: int | str | None
) -> builder.Grade:
    """One row through one checked grader; GraderError when it cannot grade it."""
    namespace = {"item": item, "sample": sample}
    kind = grader["type"]
    try:
        if kind == "string_check":
            return builder.string_check(grader, namespace)
        if kind == "text_similarity":
            return builder.text_similarity(grader, namespace)
        if kind in MODEL_GRADERS:
            call = builder.ModelCall(
                reasoning=models.serving_spec(tenant, grader["model"]).reasoning,
                completion_id=new_id("chat.completion"),
                created=clock.now_seconds(),
            )
            return builder.model_grade(grader, namespace, call, seed)
        if kind == "python":
            if not python_allowed():
                raise GraderError("python_grader_server_error", "Python graders are not enabled on this deployment.")
            score = _run_python(grader["source"], sample, item)
            threshold = grader.get("pass_threshold")
            return builder.Grade(score, score >= (threshold if threshold is not None else 0.5))
        return _grade_multi(tenant, grader, item, sample, seed)
    except builder.TemplateError as error:
        raise GraderError(
            "invalid_variable_error", f"The template variable '{{{{{error.name}}}}}' is not defined for this row."
        ) from None


def _grade_multi(
    tenant: str, grader: Mapping[str, Any], item: Mapping[str, Any], sample: Mapping[str, Any], seed: int | str | None
) -> builder.Grade:
    subs = {name: grade(tenant, sub, item, sample, seed) for name, sub in sub_graders(grader).items()}
    try:
        score = builder.evaluate_formula(grader["calculate_output"], {name: g.score for name, g in subs.items()})
    except builder.FormulaError as error:
        raise GraderError("formula_parse_error", str(error)) from None
    usage: dict[str, int] = {}
    for sub in subs.values():
        for key, value in (sub.usage or {}).items():
            usage[key] = usage.get(key, 0) + value
    models_used = [sub.model for sub in subs.values() if sub.model]
    return builder.Grade(
        score,
        score >= 0.5,
        usage=usage or None,
        model=models_used[0] if models_used else None,
        sub_scores={name: g.score for name, g in subs.items()},
    )


def sample_namespace(output_text: str, model: str | None = None) -> dict[str, Any]:
    """What `{{sample.…}}` reads for one model output."""
    try:
        parsed = json.loads(output_text)
    except (json.JSONDecodeError, TypeError):
        parsed = None
    return {
        "output_text": output_text,
        "output_json": parsed if isinstance(parsed, dict) else None,
        "output_tools": [],
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": output_text}, "finish_reason": "stop"}],
    }


# --------------------------------------------------------------------------- /fine_tuning/alpha/graders


_ERROR_FLAGS = (
    "formula_parse_error",
    "sample_parse_error",
    "truncated_observation_error",
    "unresponsive_reward_error",
    "invalid_variable_error",
    "other_error",
    "python_grader_server_error",
    "python_grader_runtime_error",
    "model_grader_server_error",
    "model_grader_refusal_error",
    "model_grader_parse_error",
)


def run_grader(tenant: str, body: RunGraderRequest, seed: int | str | None) -> dict[str, Any]:
    grader = check_grader(tenant, body.grader, "grader", allowed=GRADER_TYPES)
    item = body.item or {}
    errors: dict[str, Any] = dict.fromkeys(_ERROR_FLAGS, False)
    errors.update(
        python_grader_server_error_type=None,
        python_grader_runtime_error_details=None,
        model_grader_server_error_details=None,
    )
    try:
        result = grade(tenant, grader, item, sample_namespace(body.model_sample), seed)
    except GraderError as error:
        errors[error.kind] = True
        if error.kind == "python_grader_runtime_error":
            errors["python_grader_runtime_error_details"] = error.message
        result = builder.Grade(0.0, False)
    usage_by_model: dict[str, Any] = {}
    if result.usage and result.model:
        usage_by_model[result.model] = dict(result.usage)
    scores = result.sub_scores or {grader["name"]: result.score}
    return {
        "reward": result.score,
        "metadata": {
            "name": grader["name"],
            "type": grader["type"],
            "errors": errors,
            # Deterministic: a model grader's call takes longer than a computed score.
            "execution_time": round(0.004 + (result.usage or {}).get("total_tokens", 0) * 0.0009, 6),
            "scores": scores,
            "token_usage": (result.usage or {}).get("total_tokens"),
            "sampled_model_name": result.model,
        },
        "sub_rewards": dict(result.sub_scores),
        "model_grader_token_usage_per_model": usage_by_model,
    }


def validate_grader(tenant: str, body: ValidateGraderRequest) -> dict[str, Any]:
    return {"grader": check_grader(tenant, body.grader, "grader", allowed=GRADER_TYPES)}
