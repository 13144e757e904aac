"""The Live API over a WebSocket (`client.live.connect`, `/v1/live/sessions`; docs/live.md): `session.start` →
`session.started`, audio in (base64 in the session's format), the user's turns found by voice activity and
transcribed, the model's answer as transcript and speech, `session.close` → `session.closed`.

A `LiveSocket` is the protocol's state machine: one client frame in, the server events that answer it out; bad
input is an `error` event naming the param, and the session goes on. The socket transport (`serve`) runs it on a
Starlette WebSocket, its CPU work off the event loop."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from openai_mock import clock, ids
from openai_mock.control import socket_journal
from openai_mock.errors import OpenAIError, from_validation_errors, invalid_request
from openai_mock.fields import RequestModel, Text
from openai_mock.generation import live_events as lv
from openai_mock.generation import realtime_events as rt
from openai_mock.generation.audio.probe import pcm_text
from openai_mock.generation.audio.transcripts import spoken_text
from openai_mock.resources import live
from openai_mock.resources.realtime_socket import Handshake, api_key
from openai_mock.rng import SEED_HEADER, seeded_rng
from openai_mock.settings import get_settings
from openai_mock.web.auth import Principal, principal_for_key

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

PATH = "/v1/live/sessions"
MAX_EVENT_BYTES = 15 * 1024 * 1024
MAX_APPENDED_TOKENS = 500  # instructions, thinking or commentary appended at once
CLOSE_NORMAL = 1000
CLOSE_REFUSED = 3000


# --------------------------------------------------------------------------------------------- client events


class _Event(RequestModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    event_id: Text | None = None


class _Start(_Event):
    session: live.SocketSessionConfig


class _Update(_Event):
    session: live.SessionUpdateConfig


class _Audio(_Event):
    audio: Text


class _Appended(_Event):
    content: Text
    delegation_id: Text | None  # required, null for general context


class _Item(_Event):
    item: dict[str, Any]


# Each client event the SDK sends, and the model that reads it (None: the event carries nothing else).
_MODELS: dict[str, type[_Event]] = {
    "session.start": _Start,
    "session.update": _Update,
    "session.input_audio.append": _Audio,
    "session.input_audio.mute": _Event,
    "session.input_audio.unmute": _Event,
    "session.output_audio.fixture.play": _Audio,
    "session.instructions.append": _Appended,
    "session.thinking.append": _Appended,
    "session.commentary.append": _Appended,
    "response.item.create": _Item,
    "response.create": _Event,
    "session.close": _Event,
}
# Decisions over the socket (`decision.*`) are the SDK's too; the mock does not serve them (docs/live.md).
_UNSERVED = ("decision.create", "decision.item.create", "decision.item.delete")
MAX_FIXTURE_SECONDS = 30


def _parsed(model: type[BaseModel], event: dict[str, Any]) -> Any:
    try:
        return model.model_validate(event)
    except ValidationError as error:
        raise from_validation_errors(
            [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors()]
        ) from None


# --------------------------------------------------------------------------------------------- the session


class LiveSocket:
    """One connection's Live session. `state` is plain data; `closed` is set once the session has ended."""

    __slots__ = ("closed", "state")

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.closed: tuple[int, str] | None = None

    @classmethod
    def connect(cls, principal: Principal, seed: str | int | None) -> LiveSocket:
        return cls(
            {
                "principal": principal._asdict(),
                "seed": seed,
                "id": ids.new_id("live.session"),
                "counter": 0,
                "settings": None,  # set by session.start
                "expires_at": None,
                "heard_ms": 0,  # the session's timeline: the input audio received so far
                "spoken_until_ms": 0,  # the end of the model's speech on the timeline
                "buffer": "",  # audio of the turn in progress (24 kHz PCM16, base64)
                "buffer_start_ms": 0,
                "speaking_since": None,
                "voice_until": 0,
                "muted": False,
                "history": [],  # the conversation as Chat messages: what the answers are generated from
                "backend": [],  # the Responses backend's items (response.item.create)
                "fixture_until_ms": None,
            }
        )

    @property
    def settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.state["settings"]
        return settings

    def _event(self, kind: str, client_event_id: str | None = None, **fields: Any) -> dict[str, Any]:
        self.state["counter"] += 1
        event = {"type": kind, "event_id": rt.realtime_id("event_", f"{self.state['id']}/{self.state['counter']}")}
        if client_event_id is not None:
            event["client_event_id"] = client_event_id
        return {**event, **fields}

    def _error(self, error: OpenAIError, client_event_id: str | None) -> dict[str, Any]:
        detail: dict[str, Any] = {"type": error.type, "code": error.code or "invalid_value", "message": error.message}
        detail["param"] = error.param
        if client_event_id is not None:
            detail["client_event_id"] = client_event_id
        return self._event("error", client_event_id, error=detail)

    def resource(self) -> dict[str, Any]:
        """The session as `session.started` / `updated` / `closed` show it (the SDK's `SessionResource`)."""
        settings = self.settings
        resource: dict[str, Any] = {
            "id": self.state["id"],
            "expires_at": self.state["expires_at"],
            "model": settings["model"],
            "status": "active",  # in the final snapshot too: the event type says it has closed
            "audio": {"format": settings["format"], "output": {"voice": settings["voice"]}},
            "delegation": settings.get("delegation"),
            "store": settings["store"],
        }
        for key in ("instructions", "input", "safety_identifier", "triggers", "client"):
            if key in settings:
                resource[key] = copy.deepcopy(settings[key])
        return resource

    # ------------------------------------------------------------------------------------------ dispatch

    def receive(self, frame: str | bytes) -> list[dict[str, Any]]:
        """The server events answering one client frame, in order."""
        try:
            event = json.loads(frame) if len(frame) <= MAX_EVENT_BYTES else None
        except (ValueError, UnicodeDecodeError):
            event = None
        if not isinstance(event, dict):
            problem = OpenAIError(400, "Invalid event: each client event is one JSON object.", code="invalid_json")
            if len(frame) > MAX_EVENT_BYTES:
                message = f"The event is too large: {len(frame)} bytes, the most is {MAX_EVENT_BYTES}."
                problem = OpenAIError(400, message, code="event_too_large")
            return [self._error(problem, None)]
        client_event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
        snapshot = copy.deepcopy(self.state)
        try:
            return self._dispatch(event, client_event_id)
        except OpenAIError as error:
            self.state = snapshot
            return [self._error(error, client_event_id)]

    def _dispatch(self, event: dict[str, Any], client_event_id: str | None) -> list[dict[str, Any]]:
        kind = event.get("type")
        if not isinstance(kind, str):
            raise invalid_request("Missing required parameter: 'type'.", "type", "missing_required_parameter")
        if kind in _UNSERVED:
            raise invalid_request(
                f"'{kind}' is not served by the mock: Decisions run over HTTP (client.decisions).",
                "type",
                "unsupported_event",
            )
        if kind not in _MODELS:
            supported = ", ".join(f"'{name}'" for name in (*_MODELS, *_UNSERVED))
            raise invalid_request(
                f"Invalid value: '{kind}'. Supported values are: {supported}.", "type", "invalid_value"
            )
        parsed = _parsed(_MODELS[kind], event)
        if kind == "session.start":
            return self._start(parsed, client_event_id)
        if self.state["settings"] is None:
            raise invalid_request(
                f"Send session.start and wait for session.started before '{kind}'.", "type", "session_not_started"
            )
        if clock.now_seconds() >= self.state["expires_at"]:
            return self._close("expired", client_event_id)
        handler: Callable[[Any, str | None], list[dict[str, Any]]] = getattr(self, "_on_" + kind.replace(".", "_"))
        return handler(parsed, client_event_id)

    # ------------------------------------------------------------------------------------------ session

    def _principal(self) -> Principal:
        return Principal(**self.state["principal"])

    def _start(self, event: _Start, client_event_id: str | None) -> list[dict[str, Any]]:
        if self.state["settings"] is not None:
            raise invalid_request("The session has already started.", "type", "session_already_started")
        principal = self._principal()
        settings = live.socket_startup(principal.tenant, event.session)
        live.open_socket_session(principal, self.state["id"], settings)
        self.state["settings"] = settings
        self.state["expires_at"] = int(clock.now_seconds()) + live.MAX_SESSION_SECONDS
        self.state["history"] = [
            {"role": item["role"], "content": item["content"][0]["text"]} for item in settings.get("input", [])
        ]
        return [self._event("session.started", client_event_id, session=self.resource())]

    def _on_session_update(self, event: _Update, client_event_id: str | None) -> list[dict[str, Any]]:
        self.state["settings"] = live.updated_settings(self.settings, event.session)
        return [self._event("session.updated", client_event_id, session=self.resource())]

    def _usage(self) -> dict[str, Any]:
        return lv.usage(max(self.state["heard_ms"], self.state["spoken_until_ms"]) / 1000)

    def _close(self, reason: str, client_event_id: str | None) -> list[dict[str, Any]]:
        live.end_socket_session(self._principal().tenant, self.state["id"], reason)
        self.closed = (CLOSE_NORMAL, reason)
        return [
            self._event("session.closed", client_event_id, reason=reason, session=self.resource(), usage=self._usage())
        ]

    def _on_session_close(self, event: _Event, client_event_id: str | None) -> list[dict[str, Any]]:  # noqa: ARG002
        return self._close("close_requested", client_event_id)

    def ended_by_peer(self) -> None:
        """The client went away without session.close: the session ends all the same."""
        if self.state["settings"] is not None and self.closed is None:
            live.end_socket_session(self._principal().tenant, self.state["id"], "connection_lost")

    # ------------------------------------------------------------------------------------------ context

    def _check_delegation_id(self, delegation_id: str | None) -> None:
        if delegation_id is None:
            return
        owner = (self.settings.get("delegation") or {"type": "client"})["type"]
        if owner == "responses":
            raise invalid_request(
                "A delegation_id is not accepted with Responses delegation: send null.",
                "delegation_id",
                "invalid_value",
            )
        raise invalid_request(  # the mock's model never delegates, so no client delegation exists to name
            f"No delegation found with id '{delegation_id}'.", "delegation_id", "delegation_not_found"
        )

    def _appended(self, event: _Appended, kind: str) -> int:
        from openai_mock.generation.tokens import count_tokens

        self._check_delegation_id(event.delegation_id)
        if self.state["fixture_until_ms"] is not None and self.state["heard_ms"] < self.state["fixture_until_ms"]:
            raise invalid_request(f"'{kind}' is rejected while an audio fixture plays.", "type", "fixture_active")
        if count_tokens(event.content) > MAX_APPENDED_TOKENS:
            raise invalid_request(
                f"Invalid 'content': at most {MAX_APPENDED_TOKENS} tokens.", "content", "string_above_max_length"
            )
        at: int = self.state["heard_ms"]
        return at

    def _on_session_instructions_append(self, event: _Appended, client_event_id: str | None) -> list[dict[str, Any]]:
        at = self._appended(event, "session.instructions.append")
        self.state["history"].append({"role": "developer", "content": event.content})
        return [self._event("session.instructions.appended", client_event_id, start_ms=at, end_ms=at)]

    def _on_session_thinking_append(self, event: _Appended, client_event_id: str | None) -> list[dict[str, Any]]:
        at = self._appended(event, "session.thinking.append")
        self.state["history"].append({"role": "developer", "content": event.content})  # silent: it says nothing
        return [self._event("session.thinking.appended", client_event_id, start_ms=at, end_ms=at)]

    def _on_session_commentary_append(self, event: _Appended, client_event_id: str | None) -> list[dict[str, Any]]:
        at = self._appended(event, "session.commentary.append")
        acknowledged = self._event("session.commentary.appended", client_event_id, start_ms=at, end_ms=at)
        return [acknowledged, *self._say(event.content, client_event_id)]  # the model tells the user

    # ------------------------------------------------------------------------------------------ audio in

    def _on_session_input_audio_mute(self, event: _Event, client_event_id: str | None) -> list[dict[str, Any]]:  # noqa: ARG002
        self.state["muted"] = True
        return [self._event("session.input_audio.muted", client_event_id)]

    def _on_session_input_audio_unmute(self, event: _Event, client_event_id: str | None) -> list[dict[str, Any]]:  # noqa: ARG002
        self.state["muted"] = False
        return [self._event("session.input_audio.unmuted", client_event_id)]

    def _on_session_input_audio_append(self, event: _Audio, client_event_id: str | None) -> list[dict[str, Any]]:
        try:
            pcm = lv.decode_input(event.audio, self.settings["format"])
        except lv.AudioFormatError as problem:
            kind = self.settings["format"]["type"]
            raise invalid_request(
                f"Invalid 'audio': {problem} (session.audio.format is {kind}).", "audio", "invalid_audio"
            ) from None
        fixture_until = self.state["fixture_until_ms"]
        if self.state["muted"] or (fixture_until is not None and self.state["heard_ms"] < fixture_until):
            pcm = bytes(len(pcm))  # muted (or a fixture playing): the model hears silence
        buffer = base64.b64decode(self.state["buffer"])
        self.state["buffer"] = base64.b64encode(buffer + pcm).decode("ascii")
        self.state["heard_ms"] += rt.pcm_ms(pcm)
        return self._detect(len(buffer), client_event_id)

    def _detect(self, scanned_bytes: int, client_event_id: str | None) -> list[dict[str, Any]]:
        """Realtime's detector over the frames not yet scanned: a turn that ends in silence is heard and answered."""
        buffer = base64.b64decode(self.state["buffer"])
        frame_bytes = rt.ms_bytes(rt.FRAME_MS)
        first = scanned_bytes // frame_bytes * frame_bytes
        first_ms = self.state["buffer_start_ms"] + rt.pcm_ms(buffer[:first])
        turn, speaking, until = rt.detect(
            rt.frame_levels(buffer[first:]),
            first_ms,
            rt.voice_level(lv.VAD_THRESHOLD),
            lv.SILENCE_MS,
            self.state["speaking_since"],
            self.state["voice_until"],
        )
        started = self.state["speaking_since"] if turn.started_ms is None else turn.started_ms
        self.state["speaking_since"], self.state["voice_until"] = speaking, until
        if turn.stopped_ms is None:
            if speaking is None:  # no speech under way: the silence need not be kept
                keep = len(buffer) - rt.ms_bytes(lv.PREFIX_PADDING_MS) // frame_bytes * frame_bytes
                if keep > 0:
                    self.state["buffer"] = base64.b64encode(buffer[keep:]).decode("ascii")
                    self.state["buffer_start_ms"] += rt.pcm_ms(buffer[:keep])
            return []
        base = self.state["buffer_start_ms"]
        voice_end = turn.stopped_ms - lv.SILENCE_MS
        begin = max(base, int(started or base) - lv.PREFIX_PADDING_MS)
        spoken = buffer[rt.ms_bytes(begin - base) : rt.ms_bytes(voice_end - base)]
        cut = min(len(buffer), rt.ms_bytes(turn.stopped_ms - base))
        self.state["buffer"] = base64.b64encode(buffer[cut:]).decode("ascii")
        self.state["buffer_start_ms"] = base + rt.pcm_ms(buffer[:cut])
        events = self._heard(spoken, int(started or begin), voice_end, client_event_id)
        events += self._answer(turn.stopped_ms, client_event_id)
        return events + self._detect(0, client_event_id)

    def _heard(self, spoken: bytes, start_ms: int, end_ms: int, client_event_id: str | None) -> list[dict[str, Any]]:
        """The user's turn as input transcript fragments (the mock's own speech says its text; other audio is
        heard as plausible words of its length)."""
        from openai_mock.generation import text as text_builder

        heard = pcm_text(spoken)
        if heard is None:
            rng = seeded_rng(["live.heard", self.state["id"], start_ms], self.state["seed"])
            heard = spoken_text(max(0.4, (end_ms - start_ms) / 1000), rng)
        heard = " ".join(heard.split())
        self.state["history"].append({"role": "user", "content": heard})
        pieces = text_builder.split_on_tokens(heard, "gpt-4o")
        return [
            self._event("session.input_transcript.delta", client_event_id, delta=piece.delta, **_span(piece))
            for piece in lv.timed_pieces(pieces, start_ms, end_ms)
        ]

    # ------------------------------------------------------------------------------------------ the model speaks

    def _answer(self, turn_end_ms: int, client_event_id: str | None) -> list[dict[str, Any]]:
        """The chat machinery's answer to the conversation so far, said in the session's voice."""
        from openai_mock.control.api import scripted
        from openai_mock.generation import chat as chat_builder

        settings = self.settings
        system = [{"role": "system", "content": settings["instructions"]}] if settings.get("instructions") else []
        request = {"model": settings["model"], "messages": [*system, *self.state["history"]]}
        rng = seeded_rng(["live.answer", self.state["id"], request], self.state["seed"])
        tenant = self._principal().tenant
        completion = chat_builder.build_chat_completion(
            request,
            rng,
            completion_id=rt.realtime_id("resp_", f"{self.state['id']}/answer/{turn_end_ms}"),
            created=int(clock.now_seconds()),
            script=scripted(tenant, "live", request),
        )
        answer = completion["choices"][0]["message"].get("content") or ""
        self.state["spoken_until_ms"] = max(self.state["spoken_until_ms"], turn_end_ms)
        return self._say(answer, client_event_id)

    def _voice(self) -> tuple[str | dict[str, Any], int | None]:
        voice = self.settings["voice"]
        if isinstance(voice, dict):
            from openai_mock.resources.audio import custom_voice_pitch

            return voice, custom_voice_pitch(self._principal().tenant, voice, "session.audio.output.voice")
        return voice, None

    def _say(self, text: str, client_event_id: str | None) -> list[dict[str, Any]]:
        """`text` said from where the model's speech is on the timeline: transcript fragments, each followed by
        the audio that says it, then the usage so far. The conversation keeps what was said."""
        from openai_mock.generation import text as text_builder

        if not text.strip():
            return []
        self.state["history"].append({"role": "assistant", "content": text})
        voice, pitch = self._voice()
        pcm = rt.speech(text, voice, 1.0, rt.PCM_FORMAT, pitch)  # 24 kHz PCM that carries its text
        start = max(self.state["spoken_until_ms"], self.state["heard_ms"])
        end = start + rt.pcm_ms(pcm)
        self.state["spoken_until_ms"] = end
        timed = lv.timed_pieces(text_builder.split_on_tokens(text, "gpt-4o"), start, end)
        fragments = lv.audio_fragments(lv.encode_output(pcm, self.settings["format"]))
        events: list[dict[str, Any]] = []
        said = 0
        for number, fragment in enumerate(fragments, 1):
            until = len(timed) * number // len(fragments)
            events += [self._transcript(piece, client_event_id) for piece in timed[said:until]]
            said = max(said, until)
            events.append({"type": "session.output_audio.delta", "delta": fragment})
        events += [self._transcript(piece, client_event_id) for piece in timed[said:]]
        events.append(self._event("session.usage.updated", client_event_id, usage=self._usage()))
        return events

    def _transcript(self, piece: lv.Timed, client_event_id: str | None) -> dict[str, Any]:
        return self._event("session.output_transcript.delta", client_event_id, delta=piece.delta, **_span(piece))

    def _on_session_output_audio_fixture_play(self, event: _Audio, client_event_id: str | None) -> list[dict[str, Any]]:
        """Recorded audio played to the user as is (raw 24 kHz PCM16, whatever the session's format); the input
        is muted while it plays."""
        try:
            pcm = lv.decode_input(event.audio, live.DEFAULT_SOCKET_FORMAT)
        except lv.AudioFormatError as problem:
            raise invalid_request(f"Invalid 'audio': {problem}.", "audio", "invalid_audio") from None
        seconds = rt.pcm_ms(pcm) / 1000
        if not pcm or seconds > MAX_FIXTURE_SECONDS:
            raise invalid_request(
                f"Invalid 'audio': a fixture is 1 sample to {MAX_FIXTURE_SECONDS} seconds, got {seconds:.2f} s.",
                "audio",
                "invalid_audio",
            )
        if self.state["fixture_until_ms"] is not None and self.state["heard_ms"] < self.state["fixture_until_ms"]:
            raise invalid_request("An audio fixture is already playing.", "type", "fixture_active")
        start = max(self.state["spoken_until_ms"], self.state["heard_ms"])
        self.state["spoken_until_ms"] = self.state["fixture_until_ms"] = start + rt.pcm_ms(pcm)
        audio = [
            {"type": "session.output_audio.delta", "delta": fragment}
            for fragment in lv.audio_fragments(lv.encode_output(pcm, self.settings["format"]))
        ]
        return [
            self._event("session.output_audio.fixture.playing", client_event_id),
            *audio,
            self._event("session.output_audio.fixture.played", client_event_id),
        ]

    # ------------------------------------------------------------------------------------------ Responses backend

    def _backend(self) -> dict[str, Any]:
        delegation = self.settings.get("delegation") or {"type": "client"}
        if delegation["type"] != "responses":
            raise invalid_request(
                "This command requires Responses delegation (session.delegation.type 'responses').",
                "type",
                "delegation_required",
            )
        backend: dict[str, Any] = delegation["responses"]
        return backend

    def _on_response_item_create(self, event: _Item, client_event_id: str | None) -> list[dict[str, Any]]:  # noqa: ARG002
        from openai_mock.resources import responses

        self._backend()
        (item,) = responses.normalised_items([event.item], "item")  # checked as a Responses input item
        self.state["backend"].append(item)
        return []

    def _on_response_create(self, event: _Event, client_event_id: str | None) -> list[dict[str, Any]]:  # noqa: ARG002
        """A response of the delegated backend (its model, instructions and tools) to the conversation and the items
        added, streamed as `response.event`s; its answer joins the conversation."""
        from openai_mock.generation import responses as builder
        from openai_mock.resources import responses

        backend = self._backend()
        conversation = [
            {"type": "message", "role": message["role"], "content": message["content"]}
            for message in self.state["history"]
        ]
        body = responses.CreateResponseRequest.model_validate(
            {**backend, "input": [*conversation, *self.state["backend"]], "stream": True, "store": False}
        )
        generated = responses.generate(body, self._principal().tenant, {})
        presented = builder.present(generated.response, [])
        self.state["backend"] = []
        answer = builder.message_text(presented["output"][-1]) if presented["output"] else ""
        if answer:
            self.state["history"].append({"role": "assistant", "content": answer})
        return [
            self._event("response.event", client_event_id, event=nested, delegation_id=None)
            for nested in builder.stream_events(presented, obfuscate=False)
        ]


def _span(piece: lv.Timed) -> dict[str, int]:
    return {"start_ms": piece.start_ms, "end_ms": piece.end_ms}


# --------------------------------------------------------------------------------------------- the handshake


def open_socket(handshake: Handshake) -> LiveSocket | OpenAIError:
    """Authenticate the upgrade: a session is made by `session.start`, not by the handshake."""
    key = api_key(handshake)
    if key is None:
        return OpenAIError(
            401,
            "You didn't provide an API key. Provide it in the Authorization header (Bearer auth).",
            code="missing_api_key",
            type="invalid_request_error",
        )
    try:
        principal = principal_for_key(key)
    except OpenAIError as error:
        return error
    seed = handshake.headers.get(SEED_HEADER) or get_settings().seed
    return LiveSocket.connect(principal, seed)


def _journal(
    tenant: str, handshake: Handshake, exchange: tuple[list[Any], list[dict[str, Any]]], started: float
) -> None:
    socket_journal.record(
        tenant,
        handshake.headers,
        PATH,
        exchange,
        (started, time.perf_counter()),
        query=handshake.query,
        request={},
        brief=_brief,
    )


def _brief(event: Any) -> Any:
    """An event as the journal keeps it: base64 audio replaced by its length."""
    if not isinstance(event, dict):
        return event
    key = "delta" if event.get("type") == "session.output_audio.delta" else "audio"
    if isinstance(event.get(key), str) and key in event and "audio" in str(event.get("type")):
        return {**event, key: f"<{len(event[key])} base64 characters>"}
    return event


async def serve(websocket: WebSocket) -> None:
    """One Live session over a Starlette WebSocket (the local server's `/v1/live/sessions`)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.websockets import WebSocketDisconnect

    handshake = Handshake(
        {name.lower(): value for name, value in websocket.headers.items()},
        dict(websocket.query_params),
        tuple(websocket.scope.get("subprotocols") or ()),
    )
    opened = await run_in_threadpool(open_socket, handshake)
    await websocket.accept()
    if isinstance(opened, OpenAIError):
        refusal: dict[str, Any] = {"type": "error", "event_id": "event_" + ids.new_id("request")[4:25]}
        refusal["error"] = {"type": opened.type, "code": opened.code, "message": opened.message, "param": None}
        await websocket.send_text(json.dumps(refusal))
        await websocket.close(code=CLOSE_REFUSED, reason=opened.type)
        return
    socket, started = opened, time.perf_counter()
    client: list[Any] = []
    server: list[dict[str, Any]] = []
    try:
        while socket.closed is None:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                await run_in_threadpool(socket.ended_by_peer)
                return
            frame = message.get("text")
            if frame is None:
                frame = message.get("bytes") or b""
            events = await run_in_threadpool(socket.receive, frame)  # detection and speech are CPU work
            client.append(socket_journal.parsed(frame, MAX_EVENT_BYTES))
            server += events
            for event in events:
                await websocket.send_text(json.dumps(event))
        await websocket.close(code=socket.closed[0], reason=socket.closed[1])
    except WebSocketDisconnect:
        await run_in_threadpool(socket.ended_by_peer)
        return
    finally:
        tenant = socket.state["principal"]["tenant"]
        await run_in_threadpool(_journal, tenant, handshake, (client, server), started)
