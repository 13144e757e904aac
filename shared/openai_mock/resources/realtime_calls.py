"""Realtime calls: `POST /v1/realtime/calls` answers a WebRTC SDP offer with a well-formed SDP answer and
keeps the call (its id in the `Location` header); accept, hangup, refer and reject act on a kept call. The
media itself (RTP over WebRTC, SIP) is out of scope: the call's events are reachable over the WebSocket
sideband (`/v1/realtime?call_id=…`), which is where the protocol core runs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ConfigDict
from starlette.datastructures import UploadFile
from starlette.requests import Request

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import Integer, RequestModel
from openai_mock.resources import realtime_session as core
from openai_mock.resources.realtime import realtime_models
from openai_mock.resources.realtime_socket import CALLS
from openai_mock.store import get_store

_FORBID = ConfigDict(extra="forbid")


class AcceptRequest(RequestModel):
    """The session the accepted call runs (RealtimeSessionCreateRequestGA): checked like `session.update`."""

    model_config = ConfigDict(extra="allow")


class ReferRequest(RequestModel):
    model_config = _FORBID
    target_uri: str


class RejectRequest(RequestModel):
    model_config = _FORBID
    status_code: Integer | None = None


def _session(given: Any, param: str) -> dict[str, Any]:
    now = clock.now_seconds()
    if given is None:
        given = {"type": "realtime"}
    if not isinstance(given, dict):
        raise invalid_request(f"Invalid type for '{param}': expected an object.", param, "invalid_type")
    given = {**given}
    given.setdefault("type", "realtime")
    given.setdefault("model", core.DEFAULT_MODEL)
    merged = core.deep_merge(core.default_session(ids.new_id("realtime.session"), given["model"], now), given)
    return core.check_session(merged, realtime_models())


def _media(offer: str, param: str = "sdp") -> list[tuple[str, str]]:
    """The offer's m-lines as (kind, mid), checked: SDP starts with `v=0` and a call needs audio (a bad one: 400
    naming `param`)."""
    lines = [line.strip() for line in offer.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines or lines[0] != "v=0" or not any(line.startswith("m=audio") for line in lines):
        raise invalid_request(
            "Invalid SDP offer: expected a session description (v=0) with an audio media section.", param, "invalid_sdp"
        )
    media: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith("m="):
            media.append((line[2:].split()[0], str(len(media))))
        elif line.startswith("a=mid:") and media:
            media[-1] = (media[-1][0], line[6:])
    return media


def sdp_answer(offer: str, call_id: str, param: str = "sdp") -> str:
    """An answer to the offer: ICE credentials, a DTLS fingerprint, Opus audio and the data channel."""
    digest = hashlib.sha256(f"{call_id}/{offer}".encode()).hexdigest()
    fingerprint = ":".join(digest[i : i + 2].upper() for i in range(0, 64, 2))
    media = _media(offer, param)
    ufrag, password = digest[:8], digest[8:40]
    lines = [
        "v=0",
        f"o=- {int(digest[40:56], 16) % 10**18} 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE " + " ".join(mid for _, mid in media),
        "a=msid-semantic: WMS *",
    ]
    for kind, mid in media:
        if kind == "audio":
            lines += ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0"]
        elif kind == "application":
            lines += ["m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0"]
        else:
            lines += [f"m={kind} 0 UDP/TLS/RTP/SAVPF 0", "c=IN IP4 0.0.0.0"]  # refused: port 0
        lines += [
            f"a=ice-ufrag:{ufrag}",
            f"a=ice-pwd:{password}",
            f"a=fingerprint:sha-256 {fingerprint}",
            "a=setup:active",
            f"a=mid:{mid}",
        ]
        if kind == "audio":
            lines += ["a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1"]
        elif kind == "application":
            lines += ["a=sctp-port:5000", "a=max-message-size:262144"]
    return "\r\n".join(lines) + "\r\n"


def create_call(tenant: str, offer: str, session: Any) -> tuple[str, str]:
    """The SDP answer and the call's id."""
    if not offer.strip():
        raise invalid_request("Missing required parameter: 'sdp'.", "sdp", "missing_required_parameter")
    checked = _session(session, "session")
    call_id = ids.new_id("realtime.call")
    answer = sdp_answer(offer, call_id)
    get_store().create(
        tenant, CALLS, {"id": call_id, "status": "active", "session": checked, "created_at": clock.now_seconds()}
    )
    return answer, call_id


async def read_offer(request: Request) -> tuple[str, Any]:
    """The SDP offer and the session config: a raw `application/sdp` body, or the SDK's multipart form
    (`sdp`, and `session` as JSON)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return (await request.body()).decode("utf-8", "replace"), None
    form = await request.form()
    fields: dict[str, str | bytes | None] = {}
    for name in ("sdp", "session"):
        value = form.get(name)
        fields[name] = await value.read() if isinstance(value, UploadFile) else value
    sdp = fields["sdp"]
    offer = sdp.decode("utf-8", "replace") if isinstance(sdp, bytes) else (sdp or "")
    return offer, parse_session_field(fields["session"])


def parse_session_field(raw: str | bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_request("Invalid 'session': expected a JSON object.", "session", "invalid_json") from None


def _call(tenant: str, call_id: str) -> dict[str, Any]:
    call = get_store().get(tenant, CALLS, call_id)
    if call is None:
        raise not_found("Call", call_id, "call_id")
    if call["status"] in ("ended", "rejected"):
        raise OpenAIError(400, f"Call '{call_id}' has already {call['status']}.", param="call_id", code="call_ended")
    return call


def _set(tenant: str, call_id: str, **changes: Any) -> None:
    get_store().update(tenant, CALLS, call_id, lambda current: {**current, **changes})


def accept_call(tenant: str, call_id: str, session: dict[str, Any]) -> None:
    _call(tenant, call_id)
    _set(tenant, call_id, status="active", accepted=True, session=_session(session, "session"))


def hangup_call(tenant: str, call_id: str) -> None:
    _call(tenant, call_id)
    _set(tenant, call_id, status="ended")


def refer_call(tenant: str, call_id: str, body: ReferRequest) -> None:
    _call(tenant, call_id)
    if not body.target_uri.startswith(("tel:", "sip:")):
        raise invalid_request(
            "Invalid 'target_uri': expected a SIP or tel URI (sip:… or tel:…).", "target_uri", "invalid_value"
        )
    _set(tenant, call_id, status="ended", referred_to=body.target_uri)


def reject_call(tenant: str, call_id: str, body: RejectRequest | None) -> None:
    call = _call(tenant, call_id)
    code = 603 if body is None or body.status_code is None else body.status_code
    if not 400 <= code <= 699:
        raise invalid_request("Invalid 'status_code': a SIP rejection is 400–699.", "status_code", "invalid_value")
    if call.get("accepted"):
        raise invalid_request(
            f"Call '{call_id}' was accepted and can no longer be rejected.", "call_id", "invalid_value"
        )
    _set(tenant, call_id, status="rejected", rejected_with=code)
