"""What the SDK (3.63) sends to Responses beyond the 2026-08-21 spec, and what each does (docs/responses.md):

- `access_programs.cyber`: the Cyber access program. A Daybreak program, or a model that needs one, is the 403 the
  SDK describes unless the request's organization holds it (the mock control `x-mock-access-programs`); Standard
  asked for is shown as `{"cyber": "standard"}`, the implicit Standard fallback as `null`.
- `background_options`: the completion window of a background response (`soonest`; `2h` and `8h` wait in the
  queue longer and are marked for the Batch price) and a `continuation_id` that puts related requests first.
- `image.context_compression`: the images of earlier turns read at low detail (fewer input tokens); the answer
  shows the policy in effect."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ConfigDict

from openai_mock.checks import check_enum, check_length
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import RequestModel, Text
from openai_mock.generation import responses as builder
from openai_mock.resources import models
from openai_mock.store import ConflictError, get_store

CYBER_PROGRAMS = ("standard", "daybreak_blue", "daybreak_red")
# The mock control that stands for an organization's Daybreak authorization (docs/controls.md): the programs a
# request may run under, comma-separated (`x-mock-access-programs: daybreak_blue,daybreak_red`).
AUTHORIZATION_HEADER = "x-mock-access-programs"
COMPLETION_WINDOWS = ("soonest", "2h", "8h")
DISCOUNTED_WINDOWS = ("2h", "8h")
IMAGE_POLICIES = ("auto", "enabled", "disabled")
# How long a background response waits in the queue, by its completion window: a discounted window runs when
# capacity is spare, well inside its bound (a guess: halfway through it). Then it runs as long as any.
QUEUED_SECONDS = {"soonest": 1, "2h": 3600, "8h": 4 * 3600}
_STANDARD_TIERS = ("auto", "default")
MAX_CONTINUATION_ID_LENGTH = 64
# One object per continuation id a tenant used (its id is the continuation id): whether a request continues a chain.
CONTINUATIONS = "response.continuation"


class _Options(RequestModel):
    model_config = ConfigDict(extra="forbid")


class AccessPrograms(_Options):
    cyber: Text | None = None


class BackgroundOptions(_Options):
    completion_window: Text | None = None
    continuation_id: Text | None = None


class ImageOptions(_Options):
    context_compression: Text | None = None


# --------------------------------------------------------------------------------------------- access programs


def _daybreak_tier(model: str) -> str | None:
    """The Daybreak program a model cannot run without (Daybreak models' own names say which), else None. Other
    Cyber-tier models (`gpt-5.6-cyber`, …) fall back to Standard without authorization."""
    for program in ("daybreak_red", "daybreak_blue"):
        if model.startswith("gpt-" + program.replace("_", "-")):
            return program
    return None


def _unauthorized(program: str) -> OpenAIError:
    name = program.replace("_", " ").title()
    return OpenAIError(
        403,
        f"Your organization is not authorized for the {name} access program. Ask your OpenAI account team for "
        "access, or leave 'access_programs.cyber' out to use Standard.",
        param="access_programs.cyber",
        code="access_program_not_authorized",
    )


def authorized_programs(headers: Mapping[str, str]) -> frozenset[str]:
    """The Daybreak programs the request's organization holds: those its mock control names, else none."""
    return frozenset(part.strip() for part in headers.get(AUTHORIZATION_HEADER, "").split(",") if part.strip())


def access_programs(param: AccessPrograms | None, model: str, authorized: frozenset[str]) -> dict[str, str] | None:
    """The programs a response runs under, as the answer shows them: null for the implicit Standard fallback
    (or the Daybreak program a model needs, when it is authorized and none was asked for)."""
    asked = param.cyber if param is not None else None
    if asked is not None:
        check_enum(asked, CYBER_PROGRAMS, "access_programs.cyber")
    needed = _daybreak_tier(model)
    for program in (asked, needed):
        if program not in (None, "standard") and program not in authorized:
            raise _unauthorized(program)
    if needed is not None and asked not in (None, needed):
        raise invalid_request(
            f"The model '{model}' runs only under the {needed} access program.", "access_programs.cyber"
        )
    program = asked or needed
    return None if program is None else {"cyber": program}


# --------------------------------------------------------------------------------------------- background windows


def completion_window(options: BackgroundOptions | None) -> str:
    window = (options.completion_window if options is not None else None) or "soonest"
    check_enum(window, COMPLETION_WINDOWS, "background_options.completion_window")
    return window


def check_background_options(
    options: BackgroundOptions | None, *, background: bool, stream: bool, service_tier: str | None
) -> str:
    """The completion window, after the SDK's rules: a discounted one needs `background: true`, Standard
    processing and no stream."""
    window = completion_window(options)
    continuation_id = options.continuation_id if options is not None else None
    if continuation_id is not None:
        check_length(continuation_id, "background_options.continuation_id", MAX_CONTINUATION_ID_LENGTH, minimum=1)
    if window not in DISCOUNTED_WINDOWS:
        return window
    if not background:
        problem = "requires 'background' to be true"
    elif stream:
        problem = "cannot be streamed: leave 'stream' out or set it to false"
    elif (service_tier or "auto") not in _STANDARD_TIERS:
        problem = f"requires Standard processing, but 'service_tier' is '{service_tier}'"
    else:
        return window
    raise invalid_request(
        f"The '{window}' completion window {problem}.", "background_options.completion_window", "invalid_value"
    )


def continues(tenant: str, options: BackgroundOptions | None) -> bool:
    """Whether a request carries a continuation id the tenant's background responses used before."""
    continuation_id = options.continuation_id if options is not None else None
    return continuation_id is not None and get_store().get(tenant, CONTINUATIONS, continuation_id) is not None


def queued_seconds(window: str, *, continuing: bool) -> int:
    """How long a background response waits before it runs: a request continuing a chain goes first."""
    return QUEUED_SECONDS["soonest"] if continuing else QUEUED_SECONDS[window]


def remember_continuation(tenant: str, continuation_id: str, response_id: str) -> None:
    """The chain's first response is kept as its start; later ones find it there."""
    with contextlib.suppress(ConflictError):  # the chain had begun
        get_store().create(tenant, CONTINUATIONS, {"id": continuation_id, "first_response_id": response_id})


# --------------------------------------------------------------------------------------------- image options


def image_policy(
    options: ImageOptions | None, spec: models.ModelSpec, context: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The image context compression in effect: `enabled` needs a model that reads images; `auto` (the default)
    compresses when the model reads images and earlier turns hold some."""
    asked = (options.context_compression if options is not None else None) or "auto"
    check_enum(asked, IMAGE_POLICIES, "image.context_compression")
    reads_images = "image" in spec.input_modalities
    if asked == "enabled" and not reads_images:
        raise invalid_request(
            f"Image context compression is not supported with the model '{spec.id}': it does not take image input.",
            "image.context_compression",
            "unsupported_value",
        )
    enabled = asked == "enabled" or (asked == "auto" and reads_images and builder.earlier_images(context))
    return {"context_compression": "enabled" if enabled else "disabled"}
