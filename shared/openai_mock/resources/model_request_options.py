"""Options the chat completions and Responses requests share since the 2026 API: prompt caching
(`prompt_cache_options`, the deprecated `prompt_cache_retention`) and `moderation`, the moderation of a request's
input and its generated output by a moderation model (the classifier behind `POST /v1/moderations`).

`moderation` is `{model, policy: {input: {mode}, output: {mode}}}`. Both sides are always scored (the answer's
`moderation` carries a result for each); a side whose mode is `block` and that is flagged stops the answer
(chat: `finish_reason: content_filter`, no content; Responses: `incomplete`, reason `content_filter`)."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pydantic import ConfigDict

from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import RequestModel


class _Options(RequestModel):
    model_config = ConfigDict(extra="forbid")


class PromptCacheOptions(_Options):
    """The spec's prompt cache options; a response shows them with their defaults."""

    mode: Literal["implicit", "explicit"] = "implicit"
    ttl: Literal["30m"] = "30m"


class ResponsePromptCacheOptions(_Options):
    """Responses' prompt cache options: also a `12h` minimum lifetime (chat's is `30m` only),
    `comparison_response_id`, the response whose prompt this one's is diagnosed against
    (`prompt_cache_diagnostics`, resources/prompt_cache.py), and `prewarm`."""

    mode: Literal["implicit", "explicit"] = "implicit"
    ttl: Literal["30m", "12h"] = "30m"
    comparison_response_id: str | None = None
    prewarm: bool | None = None  # true: the cache written, nothing generated (responses.without_output)


PromptCacheRetention = Literal["in_memory", "24h"]  # deprecated for `prompt_cache_options`


class _Side(_Options):
    mode: Literal["score", "block"]


class _Policy(_Options):
    input: _Side | None = None
    output: _Side | None = None


class ModerationParam(_Options):
    model: str
    policy: _Policy | None = None


class ModerationPolicy(NamedTuple):
    model: str  # the moderation model, as resolved (a `-latest` alias answers with its own id)
    omni: bool
    block_input: bool
    block_output: bool


def _blocks(side: _Side | None) -> bool:
    return side is not None and side.mode == "block"


def moderation_policy(tenant: str, param: ModerationParam) -> ModerationPolicy:
    """What `moderation` asks for, its model resolved (400 naming `moderation.model` for another kind of model)."""
    from openai_mock.resources.models import model_of_kind  # requests asking for moderation only

    try:
        spec = model_of_kind(tenant, param.model, "moderation", "")
    except OpenAIError as error:  # an unknown model or one of another kind: the param's mistake
        raise invalid_request(
            f"Invalid value for 'moderation.model': '{param.model}' is not a moderation model. Use "
            "omni-moderation-latest or text-moderation-latest.",
            "moderation.model",
            "invalid_value",
        ) from error
    policy = param.policy or _Policy()
    return ModerationPolicy(spec.id, spec.id.startswith("omni-"), _blocks(policy.input), _blocks(policy.output))


def moderation_result(policy: ModerationPolicy, text: str) -> dict[str, Any]:
    """One ModerationResultBody for `text`, scored by the classifier of `POST /v1/moderations`."""
    from openai_mock.generation.moderation import Item, classify

    result = classify(Item(text), policy.omni)
    categories = {name: flag for name, flag in result["categories"].items() if flag is not None}
    return {
        "type": "moderation_result",
        "model": policy.model,
        "flagged": result["flagged"],
        "categories": categories,
        "category_scores": {name: result["category_scores"][name] for name in categories},
        "category_applied_input_types": {name: result["category_applied_input_types"][name] for name in categories},
    }
