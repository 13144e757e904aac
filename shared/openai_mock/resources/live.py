"""Live sessions (docs/live.md): the HTTP side of the Live API as the official SDK calls it (`client.live.create`,
`client.live.sessions.*`), operations the API gained after the 2026-08-21 spec, shaped by the SDK's models.

A session is one object of the store (`live.session`, in the caller's project) whose status moves:

    webrtc (create, fork)  active ──hangup / 60 min──▶ ended
    sip (incoming call)    incoming ──accept──▶ active ──hangup / refer / 60 min──▶ ended
                           incoming ──reject──▶ rejected,  incoming ──3 min unanswered──▶ expired

Transitions by the clock are computed on read and written back (a conditional update), so every container sees
the same session. A stored session (`store: true`) that was answered and has ended has a recording: WAV audio of
the call, made once and kept as a blob. The media (RTP) and the WebSocket sideband are out of scope."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import ConfigDict, JsonValue

from openai_mock import clock, ids, rng
from openai_mock.control import webhooks
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import Decimal, Flag, Integer, RequestModel, Text
from openai_mock.generation import tokens
from openai_mock.generation.audio import codecs, synthesis, transcripts
from openai_mock.generation.audio.voices import LIVE_VOICES
from openai_mock.resources import audio, decisions
from openai_mock.resources.organization.core import project_of
from openai_mock.resources.realtime_calls import sdp_answer
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import Principal

SESSIONS = "live.session"
MODELS = ("gpt-live-1", "gpt-live-1.1")
_SNAPSHOT = re.compile(r"^gpt-live-1(\.1)?-\d{4}-\d{2}-\d{2}$")
DEFAULT_VOICE = "marin"
CALLER_PITCH = 118  # the far end's voice in a recording
RING_SECONDS = 180  # an incoming call nobody accepts or rejects is given up by its caller
MAX_SESSION_SECONDS = 3600  # a Live session, like a Realtime one, lasts at most an hour
MAX_RECORDING_SECONDS = 60  # a recording plays the first minute of the call (a Lambda answer is at most 6 MB)
MAX_INPUT_ITEMS = 128
MAX_INPUT_TOKENS = 8192
MAX_INSTRUCTIONS_TOKENS = 16_384
SIP_REJECT_CODES = (300, 699)
INCOMING_HEADER = "x-mock-live-transport"  # `sip`: the create simulates an incoming SIP call (docs/live.md)
TOOL_TYPES = (
    "function", "web_search", "file_search", "code_interpreter", "shell", "image_generation", "mcp", "custom",
    "namespace", "tool_search", "programmatic_tool_calling", "computer", "apply_patch",
)  # fmt: skip
TOOL_CHOICE_TYPES = (
    "function", "mcp", "file_search", "web_search", "web_search_preview", "image_generation", "computer",
    "code_interpreter", "programmatic_tool_calling", "shell", "custom", "apply_patch", "allowed_tools",
)  # fmt: skip
_NAMED_CHOICES = ("function", "mcp", "custom")


# --------------------------------------------------------------------------------------------- request bodies


class _Strict(RequestModel):
    model_config = ConfigDict(extra="forbid")


class Transport(_Strict):
    type: Literal["webrtc"]
    sdp: Text


class _AudioOutput(_Strict):
    voice: Text | dict[str, JsonValue] | None = None  # a built-in name or {"id": "voice_…"}: checked in `_voice`


class _Audio(_Strict):
    output: _AudioOutput | None = None


class _TextPart(_Strict):
    text: Text
    type: Literal["input_text", "text", "output_text"] | None = None  # which a role takes: `_check_input`


class _InitialItem(_Strict):
    role: Literal["developer", "user", "assistant"]
    content: list[_TextPart]
    id: Text | None = None
    status: Literal["incomplete", "completed"] | None = None
    type: Literal["message"] | None = None


class _ServerEventSelector(_Strict):
    type: Text
    response_event: Text | None = None


class _DataChannel(_Strict):
    allowed_client_events: Literal["all"] | list[Text] | None = None
    allowed_server_events: Literal["all"] | list[_ServerEventSelector] | None = None


class _Client(_Strict):
    data_channel: _DataChannel


class _Reasoning(_Strict):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: Literal["concise", "detailed", "auto"] | None = None


class _TextSettings(_Strict):
    verbosity: Literal["low", "medium", "high"] | None = None


class _ResponsesUpdate(_Strict):
    model: Text | None = None
    instructions: Text | None = None
    max_output_tokens: Integer | None = None
    parallel_tool_calls: Flag | None = None
    reasoning: _Reasoning | None = None
    service_tier: Literal["auto", "default", "fast_tier_temp_pilot", "flex", "priority", "ultrafast"] | None = None
    text: _TextSettings | None = None
    tool_choice: Literal["auto", "none", "required"] | dict[str, JsonValue] | None = None
    tools: list[dict[str, JsonValue]] | None = None


class _Responses(_ResponsesUpdate):
    model: Text


class _DecisionsBackend(_Strict):
    model: Text
    questions: list[dict[str, JsonValue]]


class _Delegation(_Strict):
    """One shape for the three owners (`client`, `responses`, `decisions`): which fields each takes is
    `_check_delegation`'s to say, so that an error names the field as the SDK spells it."""

    type: Literal["client", "responses", "decisions"]
    acknowledgement_delay_ms: Integer | None = None
    responses: _Responses | None = None
    decisions: _DecisionsBackend | None = None


class _TriggerQuestions(_Strict):
    questions: list[dict[str, JsonValue]]


class _Trigger(_Strict):
    type: Literal["decisions"]
    event_type: Literal["session.input_transcript.delta", "session.output_transcript.delta"]
    decisions: _TriggerQuestions


class _WakePolicy(_Strict):
    type: Literal["speech"]
    vad_threshold: Decimal | None = None


class _StartupConfig(_Strict):
    """What a session starts with, on every transport."""

    model: Text
    audio: _Audio | None = None
    delegation: _Delegation | None = None
    input: list[_InitialItem] | None = None
    instructions: Text | None = None
    safety_identifier: Text | None = None
    store: Flag | None = None
    triggers: list[_Trigger] | None = None


class MediaSessionConfig(_StartupConfig):
    client: _Client | None = None
    idle_timeout_s: Integer | None = None
    wake_policy: _WakePolicy | None = None


class AcceptedSessionConfig(_StartupConfig):
    type: Literal["live"]


class _AudioFormat(_Strict):
    type: Literal["audio/pcm", "audio/pcmu", "audio/pcma"]
    rate: Integer


class _SocketAudio(_Audio):
    format: _AudioFormat | None = None


class SocketSessionConfig(_StartupConfig):
    """`session.start` on a primary WebSocket (live_socket.py): the only transport that takes `audio.format`."""

    audio: _SocketAudio | None = None
    client: _Client | None = None


class _DecisionsUpdate(_Strict):
    model: Text | None = None
    questions: list[dict[str, JsonValue]] | None = None


class _DelegationUpdate(_Strict):
    type: Literal["client", "responses", "decisions"]
    acknowledgement_delay_ms: Integer | None = None
    responses: _ResponsesUpdate | None = None
    decisions: _DecisionsUpdate | None = None


class SessionUpdateConfig(_Strict):
    """`session.update`: the delegation's settings (its owner stays) and the triggers."""

    delegation: _DelegationUpdate | None = None
    triggers: list[_Trigger] | None = None


class CreateRequest(_Strict):
    session: MediaSessionConfig
    transport: Transport


class AcceptRequest(_Strict):
    session: AcceptedSessionConfig


class _ForkDelegation(_Strict):
    type: Literal["responses"]
    acknowledgement_delay_ms: Integer | None = None
    responses: _ResponsesUpdate | None = None


class _ForkOverrides(_Strict):
    client: _Client | None = None
    delegation: _ForkDelegation | None = None
    store: Flag | None = None


class ForkRequest(_Strict):
    transport: Transport
    session: _ForkOverrides | None = None


class ReferRequest(_Strict):
    target_uri: Text


class RejectRequest(_Strict):
    status_code: Integer


# --------------------------------------------------------------------------------------------- checks


def _invalid(param: str, message: str) -> OpenAIError:
    return invalid_request(f"Invalid '{param}': {message}", param, "invalid_value")


def _unrecognized(param: str) -> OpenAIError:
    return invalid_request(f"Unrecognized request argument supplied: {param}", param, "unknown_parameter")


def _check_model(model: str, param: str) -> None:
    if model not in MODELS and not _SNAPSHOT.match(model):
        raise OpenAIError(
            400,
            f"The model '{model}' is not a Live model. Supported models are 'gpt-live-1' and 'gpt-live-1.1'.",
            param=param,
            code="model_not_found",
        )


def _voice(tenant: str, given: _Audio | None, param: str) -> str | dict[str, Any]:
    voice = given.output.voice if given is not None and given.output is not None else None
    if voice is None:
        return DEFAULT_VOICE
    if isinstance(voice, dict):
        audio.custom_voice_pitch(tenant, voice, param)  # 404 for a voice the organization lacks
        return {"id": voice["id"]}
    if voice not in LIVE_VOICES:
        raise _invalid(param, f"'{voice}' is not a built-in voice. Use one of {', '.join(LIVE_VOICES)}.")
    return voice


def _check_input(items: list[_InitialItem], param: str) -> None:
    if len(items) > MAX_INPUT_ITEMS:
        raise _invalid(param, f"at most {MAX_INPUT_ITEMS} messages, got {len(items)}.")
    rendered = 0
    for index, item in enumerate(items):
        where = f"{param}[{index}].content"
        if len(item.content) != 1:
            raise _invalid(where, f"expected exactly one text part, got {len(item.content)}.")
        part_type = item.content[0].type
        allowed = ("text", "output_text") if item.role == "assistant" else ("input_text",)
        if part_type is not None and part_type not in allowed:
            raise _invalid(f"{where}[0].type", f"a {item.role} message's text is one of {', '.join(allowed)}.")
        rendered += tokens.count_tokens(item.content[0].text) + 4  # a message's framing, as Chat counts it
    if rendered > MAX_INPUT_TOKENS:
        raise _invalid(param, f"the history renders to {rendered} tokens, more than the limit of {MAX_INPUT_TOKENS}.")


def _check_questions(questions: list[dict[str, JsonValue]], param: str) -> None:
    """Decision questions, checked as the Decisions API checks them, errors located under `param`."""
    if not questions:
        raise _invalid(param, "expected at least one question.")
    for index, question in enumerate(questions):
        try:
            decisions.checked_question(question, index)
        except OpenAIError as error:
            prefix = param.removesuffix("questions")
            error.param = prefix + (error.param or f"questions[{index}]")
            error.message = error.message.replace("'questions[", f"'{prefix}questions[")
            raise


def _check_tools(tools: Iterable[dict[str, JsonValue]], param: str) -> None:
    for index, tool in enumerate(tools):
        kind = tool.get("type")
        if kind not in TOOL_TYPES:
            raise _invalid(f"{param}[{index}].type", f"'{kind}' is not a tool type: {', '.join(TOOL_TYPES)}.")
        if kind == "function" and not isinstance(tool.get("name"), str):
            raise invalid_request(
                f"Missing required parameter: '{param}[{index}].name'.", f"{param}[{index}].name", "missing_required"
            )


def _check_tool_choice(choice: str | dict[str, JsonValue] | None, param: str) -> None:
    if not isinstance(choice, dict):
        return
    kind = choice.get("type")
    if kind not in TOOL_CHOICE_TYPES:
        raise _invalid(f"{param}.type", f"'{kind}' is not a tool choice type.")
    if kind in _NAMED_CHOICES and not isinstance(choice.get("name"), str):
        raise invalid_request(f"Missing required parameter: '{param}.name'.", f"{param}.name", "missing_required")


def _check_responses(config: _ResponsesUpdate, param: str) -> None:
    if config.max_output_tokens is not None and config.max_output_tokens < 1:
        raise _invalid(f"{param}.max_output_tokens", "expected an integer of at least 1.")
    if config.tools is not None:
        _check_tools(config.tools, f"{param}.tools")
    _check_tool_choice(config.tool_choice, f"{param}.tool_choice")


def _check_delay(delay: int | None, param: str) -> None:
    if delay is not None and delay < 0:
        raise _invalid(f"{param}.acknowledgement_delay_ms", "expected a non-negative number of milliseconds.")


def _check_delegation(delegation: _Delegation, param: str) -> None:
    owners = {"responses": delegation.responses, "decisions": delegation.decisions}
    for owner, config in owners.items():
        if owner != delegation.type and config is not None:
            raise _unrecognized(f"{param}.{owner}")
    if delegation.type != "client" and owners[delegation.type] is None:
        where = f"{param}.{delegation.type}"
        raise invalid_request(f"Missing required parameter: '{where}'.", where, "missing_required_parameter")
    _check_delay(delegation.acknowledgement_delay_ms, param)
    if delegation.responses is not None:
        _check_responses(delegation.responses, f"{param}.responses")
    if delegation.decisions is not None:
        _check_questions(delegation.decisions.questions, f"{param}.decisions.questions")


def _check_triggers(triggers: list[_Trigger], param: str) -> None:
    seen: set[str] = set()
    for index, trigger in enumerate(triggers):
        if trigger.event_type in seen:
            raise _invalid(f"{param}[{index}].event_type", f"only one trigger per event type ('{trigger.event_type}').")
        seen.add(trigger.event_type)
        _check_questions(trigger.decisions.questions, f"{param}[{index}].decisions.questions")


def _check_client(client: _Client, param: str) -> None:
    events = client.data_channel.allowed_server_events
    for index, selector in enumerate(events if isinstance(events, list) else []):
        where = f"{param}.data_channel.allowed_server_events[{index}].response_event"
        if selector.type == "response.event" and selector.response_event is None:
            raise invalid_request(f"Missing required parameter: '{where}'.", where, "missing_required_parameter")
        if selector.type != "response.event" and selector.response_event is not None:
            raise invalid_request(f"'{where}' is only for selectors of type 'response.event'.", where, "invalid_value")


def _check_media(config: MediaSessionConfig, param: str) -> None:
    if config.idle_timeout_s is not None and config.idle_timeout_s < 1:
        raise _invalid(f"{param}.idle_timeout_s", "expected a whole number of seconds, at least 1.")
    threshold = config.wake_policy.vad_threshold if config.wake_policy is not None else None
    if threshold is not None and not 0 <= threshold <= 1:
        raise _invalid(f"{param}.wake_policy.vad_threshold", "expected a number from 0 to 1.")
    if config.client is not None:
        _check_client(config.client, f"{param}.client")


def _startup(tenant: str, config: _StartupConfig, param: str = "session") -> dict[str, Any]:
    """The session's settings as it runs with them: checked, defaults filled in."""
    _check_model(config.model, f"{param}.model")
    voice = _voice(tenant, config.audio, f"{param}.audio.output.voice")
    if config.instructions is not None and tokens.count_tokens(config.instructions) > MAX_INSTRUCTIONS_TOKENS:
        raise _invalid(f"{param}.instructions", f"at most {MAX_INSTRUCTIONS_TOKENS} tokens.")
    if config.input is not None:
        _check_input(config.input, f"{param}.input")
    if config.delegation is not None:
        _check_delegation(config.delegation, f"{param}.delegation")
    if config.triggers is not None:
        _check_triggers(config.triggers, f"{param}.triggers")
    if isinstance(config, MediaSessionConfig):
        _check_media(config, param)
    settings = config.model_dump(exclude_none=True, exclude={"audio", "type"})
    settings.update(voice=voice, store=config.store is True)
    if config.delegation is not None:
        default_delay = 400 if config.delegation.type == "decisions" else 0
        settings["delegation"].setdefault("acknowledgement_delay_ms", default_delay)
    else:
        settings["delegation"] = None  # omitted or null: your application handles delegated tasks
    return settings


# Rates a Live WebSocket takes, by encoding: PCM at 16 or 24 kHz, G.711 at 8 kHz.
SOCKET_RATES = {"audio/pcm": (16_000, 24_000), "audio/pcmu": (8_000,), "audio/pcma": (8_000,)}
DEFAULT_SOCKET_FORMAT = {"type": "audio/pcm", "rate": 24_000}


def socket_startup(tenant: str, config: SocketSessionConfig) -> dict[str, Any]:
    """A WebSocket session's settings: the startup checks of every transport, and its audio format."""
    settings = _startup(tenant, config)
    if config.client is not None:
        _check_client(config.client, "session.client")
    audio_format = config.audio.format if config.audio is not None else None
    if audio_format is None:
        settings["format"] = dict(DEFAULT_SOCKET_FORMAT)
        return settings
    rates = SOCKET_RATES[audio_format.type]
    if audio_format.rate not in rates:
        allowed = " or ".join(str(rate) for rate in rates)
        raise _invalid("session.audio.format.rate", f"{audio_format.type} is sent at {allowed} Hz.")
    settings["format"] = audio_format.model_dump()
    return settings


def updated_settings(settings: dict[str, Any], change: SessionUpdateConfig) -> dict[str, Any]:
    """`session.update` applied to a running session's settings: the delegation's owner cannot change (a 400
    naming `session.delegation.type`), its omitted fields keep their values; `triggers` replace the list."""
    updated = {**settings}
    if change.delegation is not None:
        current = settings.get("delegation") or {"type": "client"}
        given = change.delegation
        if given.type != current["type"]:
            raise _invalid(
                "session.delegation.type", f"the session delegates to '{current['type']}', not '{given.type}'."
            )
        for owner in ("responses", "decisions"):
            if owner != given.type and getattr(given, owner) is not None:
                raise _unrecognized(f"session.delegation.{owner}")
        _check_delay(given.acknowledgement_delay_ms, "session.delegation")
        merged = {**current, **given.model_dump(exclude_none=True, exclude={"responses", "decisions"})}
        if given.responses is not None:
            _check_responses(given.responses, "session.delegation.responses")
            merged["responses"] = {**current.get("responses", {}), **given.responses.model_dump(exclude_none=True)}
        if given.decisions is not None:
            if given.decisions.questions is not None:
                _check_questions(given.decisions.questions, "session.delegation.decisions.questions")
            merged["decisions"] = {**current.get("decisions", {}), **given.decisions.model_dump(exclude_none=True)}
        updated["delegation"] = merged
    if change.triggers is not None:
        _check_triggers(change.triggers, "session.triggers")
        updated["triggers"] = [trigger.model_dump(exclude_none=True) for trigger in change.triggers]
    return updated


def open_socket_session(principal: Principal, session_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A session started on a WebSocket, kept like the others (forks, recording, hangup by id)."""
    session = _new_session(principal, "websocket", status="active", settings=settings, id=session_id)
    get_store().create(principal.tenant, SESSIONS, session)
    return session


def end_socket_session(tenant: str, session_id: str, reason: str) -> None:
    def ended(session: dict[str, Any]) -> dict[str, Any]:
        if session["status"] != "active":
            return session
        return {**session, "status": "ended", "end_reason": reason, "ended_at": clock.now()}

    get_store().update(tenant, SESSIONS, session_id, ended)


# --------------------------------------------------------------------------------------------- the session


def _by_clock(session: dict[str, Any], now: float) -> dict[str, Any] | None:
    """The session as the clock has moved it, or None when nothing is due."""
    if session["status"] == "incoming" and now >= session["created_at"] + RING_SECONDS:
        return {**session, "status": "expired", "ended_at": session["created_at"] + RING_SECONDS}
    if session["status"] == "active" and now >= session["answered_at"] + MAX_SESSION_SECONDS:
        ended_at = session["answered_at"] + MAX_SESSION_SECONDS
        return {**session, "status": "ended", "end_reason": "max_duration", "ended_at": ended_at}
    return None


def _not_found(session_id: str) -> OpenAIError:
    return OpenAIError(404, f"No Live session found with id '{session_id}'.", param="session_id", code="not_found")


def _owned(principal: Principal, session: dict[str, Any] | None, session_id: str) -> dict[str, Any]:
    if session is None or session["_project_id"] != project_of(principal):
        raise _not_found(session_id)
    return session


def _read(principal: Principal, session_id: str) -> dict[str, Any]:
    """The caller's session, its clock transitions written back."""
    store = get_store()
    session = _owned(principal, store.get(principal.tenant, SESSIONS, session_id), session_id)
    if _by_clock(session, clock.now()) is None:
        return session
    settled = store.update(principal.tenant, SESSIONS, session_id, lambda last: _by_clock(last, clock.now()) or last)
    return _owned(principal, settled, session_id)


def _move(
    principal: Principal,
    session_id: str,
    verb: str,
    allowed: tuple[str, ...],
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Apply `change` to a session whose status (after the clock) is one of `allowed`, atomically; 409 otherwise."""

    def guarded(current: dict[str, Any]) -> dict[str, Any]:
        current = _by_clock(current, clock.now()) or current
        if current["status"] not in allowed:
            raise OpenAIError(
                409,
                f"Live session '{session_id}' is {current['status']} and cannot be {verb}.",
                param="session_id",
                code="invalid_session_state",
            )
        return change(current)

    _read(principal, session_id)  # 404 for another project's or an unknown session
    moved = get_store().update(principal.tenant, SESSIONS, session_id, guarded)
    return _owned(principal, moved, session_id)


_TRANSPORT_NAMES = {"webrtc": "WebRTC", "websocket": "WebSocket", "sip": "SIP"}


def _require_sip(session: dict[str, Any], verb: str) -> None:
    if session["transport"] != "sip":
        raise invalid_request(
            f"Live session '{session['id']}' is a {_TRANSPORT_NAMES[session['transport']]} session: only a SIP call "
            f"can be {verb}.",
            "session_id",
            "unsupported_transport",
        )


def _sip_headers(principal: Principal, session_id: str) -> list[dict[str, str]]:
    """The headers of the INVITE the simulated caller sent (in the order the event keeps them)."""
    draw = rng.seeded_rng(("live.sip", session_id))
    caller = f"+1{draw.randint(201, 989)}555{draw.randint(0, 9999):04d}"
    return [
        {"name": "From", "value": f'"Caller" <sip:{caller}@pstn.example.net>;tag={draw.getrandbits(32):08x}'},
        {"name": "To", "value": f"<sip:{project_of(principal)}@sip.api.openai.com;transport=tls>"},
        {"name": "Call-ID", "value": f"{draw.getrandbits(64):016x}@pstn.example.net"},
        {"name": "CSeq", "value": "1 INVITE"},
        {"name": "Max-Forwards", "value": "63"},
        {"name": "Content-Type", "value": "application/sdp"},
    ]


def _announce(tenant: str, session: dict[str, Any]) -> None:
    """The webhook events a new session sends: `live.transport.connected` for a WebRTC one; for an incoming call
    `live.transport.incoming` and its deprecated twin `live.call.incoming` (separate pending events)."""
    at, session_id = int(session["created_at"]), session["id"]
    if session["transport"] == "webrtc":
        webhooks.emit(tenant, "live.transport.connected", session_id, at=at)
        return
    call = {"session_id": session_id, "sip_headers": session["sip_headers"], "sip_media_security": "srtp"}
    webhooks.emit(tenant, "live.transport.incoming", session_id, at=at, data={**call, "type": "sip"})
    webhooks.emit(tenant, "live.call.incoming", f"{session_id}.call", at=at, data=call)


def _answer(session_id: str, transport: Transport) -> dict[str, Any]:
    if not transport.sdp.strip():
        raise invalid_request("Missing required parameter: 'transport.sdp'.", "transport.sdp", "missing_required")
    sdp = sdp_answer(transport.sdp, session_id, "transport.sdp")
    return {"session": {"id": session_id}, "transport": {"type": "webrtc", "sdp": sdp}}


def _new_session(principal: Principal, transport: str, **fields: Any) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": ids.new_id("live.session"),
        "object": "live.session",
        "transport": transport,
        "created_at": now,
        "answered_at": now if transport == "webrtc" else None,
        "ended_at": None,
        "end_reason": None,
        "forked_from": None,
        "_project_id": project_of(principal),
        **fields,
    }


def incoming_transport(header: str | None) -> Literal["webrtc", "sip"]:
    """The transport the create simulates (`x-mock-live-transport`): `webrtc` unless the header says `sip`."""
    if header is None or header.strip().lower() == "webrtc":
        return "webrtc"
    if header.strip().lower() == "sip":
        return "sip"
    raise invalid_request(
        f"Invalid '{INCOMING_HEADER}' header: expected 'webrtc' or 'sip', but got '{header}'.",
        INCOMING_HEADER,
        "invalid_value",
    )


def create_session(principal: Principal, body: CreateRequest, transport: Literal["webrtc", "sip"]) -> dict[str, Any]:
    """A direct WebRTC session (active at once), or with `transport="sip"` an incoming call waiting to be accepted:
    the create's settings wait with it, and an accept replaces them."""
    settings = _startup(principal.tenant, body.session)
    session = _new_session(principal, transport, status="active" if transport == "webrtc" else "incoming")
    answer = _answer(session["id"], body.transport)
    session["settings"] = settings
    if transport == "sip":
        session["sip_headers"] = _sip_headers(principal, session["id"])
    get_store().create(principal.tenant, SESSIONS, session)
    _announce(principal.tenant, session)
    return answer


def accept_session(principal: Principal, session_id: str, body: AcceptRequest) -> None:
    _require_sip(_read(principal, session_id), "accepted")
    settings = _startup(principal.tenant, body.session)

    def answered(session: dict[str, Any]) -> dict[str, Any]:
        return {**session, "status": "active", "answered_at": clock.now(), "settings": settings}

    _move(principal, session_id, "accepted", ("incoming",), answered)


def reject_session(principal: Principal, session_id: str, body: RejectRequest) -> None:
    low, high = SIP_REJECT_CODES
    if not low <= body.status_code <= high:
        raise _invalid("status_code", f"a SIP rejection status is from {low} to {high}, got {body.status_code}.")
    _require_sip(_read(principal, session_id), "rejected")

    def rejected(session: dict[str, Any]) -> dict[str, Any]:
        return {**session, "status": "rejected", "ended_at": clock.now(), "rejected_with": body.status_code}

    _move(principal, session_id, "rejected", ("incoming",), rejected)


def refer_session(principal: Principal, session_id: str, body: ReferRequest) -> None:
    target = body.target_uri.strip()
    if not target:
        raise _invalid("target_uri", "expected a nonblank URI.")
    if not target.startswith(("tel:", "sip:", "sips:")):
        raise _invalid("target_uri", "expected a SIP or tel URI (sip:…, sips:… or tel:…).")
    _require_sip(_read(principal, session_id), "referred")

    def referred(session: dict[str, Any]) -> dict[str, Any]:
        return {**session, "status": "ended", "end_reason": "referred", "ended_at": clock.now(), "referred_to": target}

    _move(principal, session_id, "referred", ("active",), referred)


def hangup_session(principal: Principal, session_id: str) -> None:
    def hung_up(session: dict[str, Any]) -> dict[str, Any]:
        return {**session, "status": "ended", "end_reason": "hangup", "ended_at": clock.now()}

    _move(principal, session_id, "hung up", ("active",), hung_up)


def _stored(principal: Principal, session_id: str) -> dict[str, Any]:
    """A session kept for forking and download (`store: true`); any other is not found here."""
    session = _read(principal, session_id)
    if not session["settings"]["store"]:
        raise OpenAIError(
            404,
            f"Live session '{session_id}' was not stored: start it with `store: true` to fork or download it.",
            param="session_id",
            code="not_found",
        )
    return session


def _forked_settings(parent: dict[str, Any], overrides: _ForkOverrides | None) -> dict[str, Any]:
    settings = {**parent["settings"]}
    if overrides is None:
        return settings
    if overrides.client is not None:
        _check_client(overrides.client, "session.client")
        settings["client"] = overrides.client.model_dump(exclude_none=True)
    if overrides.store is not None:
        settings["store"] = overrides.store
    if overrides.delegation is not None:
        inherited = settings.get("delegation")
        if inherited is None or inherited["type"] != "responses":
            owner = "your application" if inherited is None or inherited["type"] == "client" else inherited["type"]
            raise _invalid("session.delegation", f"the stored session delegates to {owner}; a fork keeps its owner.")
        _check_delay(overrides.delegation.acknowledgement_delay_ms, "session.delegation")
        update = overrides.delegation.responses
        if update is not None:
            _check_responses(update, "session.delegation.responses")
        merged = {**inherited, **overrides.delegation.model_dump(exclude_none=True, exclude={"responses"})}
        merged["responses"] = {**inherited["responses"], **(update.model_dump(exclude_none=True) if update else {})}
        settings["delegation"] = merged
    return settings


def fork_session(principal: Principal, session_id: str, body: ForkRequest) -> dict[str, Any]:
    """A new WebRTC session carrying the stored one's model, voice, instructions and history (its settings, with
    the overrides given); the stored session goes on as it was."""
    parent = _stored(principal, session_id)
    if parent["answered_at"] is None:
        raise OpenAIError(
            409,
            f"Live session '{session_id}' is {parent['status']}: it never started, so there is nothing to fork.",
            param="session_id",
            code="invalid_session_state",
        )
    settings = _forked_settings(parent, body.session)
    session = _new_session(principal, "webrtc", status="active", forked_from=parent["id"], settings=settings)
    answer = _answer(session["id"], body.transport)
    get_store().create(principal.tenant, SESSIONS, session)
    _announce(principal.tenant, session)
    return answer


# --------------------------------------------------------------------------------------------- recordings


def _blob_key(session_id: str) -> str:
    return f"live.recording/{session_id}"


def _assistant_voice(tenant: str, voice: str | dict[str, Any]) -> tuple[str, int | None]:
    """(name, pitch) to synthesize the model's turns with: a built-in voice by its name, a custom one at its pitch."""
    if isinstance(voice, dict):
        return "custom", audio.custom_voice_pitch(tenant, voice, "voice")
    return voice, None


def recording_wav(tenant: str, session: dict[str, Any]) -> bytes:
    """The call as heard: turns of the model (its voice) and the caller, alternating, for the call's length (at
    least one second, at most `MAX_RECORDING_SECONDS`), 24 kHz mono PCM in WAV with the transcript as metadata."""
    length = min(max(session["ended_at"] - session["answered_at"], 1.0), MAX_RECORDING_SECONDS)
    draw = rng.seeded_rng(("live.recording", session["id"]))
    voices = {"assistant": _assistant_voice(tenant, session["settings"]["voice"]), "user": ("caller", CALLER_PITCH)}
    pcm, lines, speaker = b"", [], "assistant"  # the model answers the call
    while synthesis.pcm_duration(pcm) < length:
        text = transcripts.spoken_text(draw.uniform(2.0, 5.0), draw)
        name, pitch = voices[speaker]
        pcm += synthesis.synthesize(text, name, pitch=pitch)
        lines.append(f"{speaker}: {text}")
        speaker = "user" if speaker == "assistant" else "assistant"
    samples = round(length * synthesis.SAMPLE_RATE)
    return codecs.to_wav(pcm[: samples * 2], "\n".join(lines))


def download_recording(principal: Principal, session_id: str) -> bytes:
    session = _stored(principal, session_id)
    if session["status"] in ("incoming", "active"):
        raise OpenAIError(
            409,
            f"Live session '{session_id}' is still {session['status']}: its recording is ready once it ends.",
            param="session_id",
            code="invalid_session_state",
        )
    if session["answered_at"] is None:
        raise OpenAIError(
            404,
            f"Live session '{session_id}' was {session['status']} before it started: it has no recording.",
            param="session_id",
            code="not_found",
        )
    blobs = get_blobs()
    recording = blobs.get(principal.tenant, _blob_key(session_id))
    if recording is None:  # made once, on the first download (the same bytes whoever makes them)
        recording = recording_wav(principal.tenant, session)
        blobs.put(principal.tenant, _blob_key(session_id), recording)
    return recording
