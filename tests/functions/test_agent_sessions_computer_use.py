"""Agent sessions that use their computer (`computer_use`), through the official SDK (answers held strictly to its
models): the browser asks for an origin's access once per session (`browser_origin_access`), opens the page (a
`computer_use_call` with its screenshot) and asks the application to fill a login form (`browser_authentication`);
`agent.session.input.computer_use_approval_request_result` answers; under `auto_review` the mock's reviewer decides
(https origins approved, plain http and logins denied)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import openai
import pytest
from PIL import Image

from openai_mock.resources.agents.sessions import events as session_events
from openai_mock.resources.agents.sessions import turns as turn_states
from tests.support import agent_sessions as sessions

HOSTED: Any = {"type": "openai_hosted"}
BROWSER: Any = {"type": "computer_use", "include_screenshots": True}
EMAIL, PASSWORD = "ada@example.com", "correct-horse-battery"

pinned_clock = sessions.pinned_clock_fixture()
sdk = sessions.sdk_fixture()
_create = sessions.creator(environment=HOSTED, agent={"model": "gpt-4o", "tools": [BROWSER]})


def _kinds(items: list[dict[str, Any]]) -> list[str]:
    return [item["type"] for item in items]


def _answer_event(request_id: str, response: dict[str, Any]) -> Any:
    return {
        "type": "agent.session.input.computer_use_approval_request_result",
        "request_id": request_id,
        "response": response,
    }


def _respond(sdk: openai.OpenAI, session_id: str, request_id: str, response: dict[str, Any]) -> None:
    sessions.send(sdk, session_id, _answer_event(request_id, response))


def _origin(decision: str) -> dict[str, Any]:
    return {"type": "browser_origin_access", "decision": decision}


def _submit(*fields: tuple[str, str], **more: Any) -> dict[str, Any]:
    entered = [{"field_id": field_id, "value": value} for field_id, value in fields]
    return {"type": "browser_authentication", "action": "submit", "fields": entered, **more}


CANCEL: Any = {"type": "browser_authentication", "action": "cancel"}


def _screenshot(call: dict[str, Any]) -> Image.Image:
    output = call["output"]
    assert output["type"] == "computer_screenshot"
    head, data = output["image_url"].split(",", 1)
    assert head == "data:image/jpeg;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


# ------------------------------------------------------------------------------------------------- origin access


def test_origin_access_is_asked_and_once_approved_the_page_opens_with_a_screenshot(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Open https://example.com/pricing and summarise the plans.")
    action = sessions.waiting(sdk, session["id"])
    assert action["request_id"].startswith("cu_")
    assert action == {
        "type": "computer_use_approval_request",
        "request_id": action["request_id"],
        "turn_id": action["turn_id"],
        "request": {
            "type": "browser_origin_access",
            "origin": "https://example.com",
            "reason": "The browser needs to open https://example.com/pricing to carry out the request.",
        },
    }
    assert _kinds(sessions.items(sdk, session["id"])) == ["message"]  # nothing opened yet

    _respond(sdk, session["id"], action["request_id"], _origin("approve"))
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items) == ["message", "computer_use_call", "message"]
    call = items[1]
    assert call["title"] == "Open https://example.com/pricing" and call["status"] == "completed"
    with _screenshot(call) as picture:
        assert picture.format == "JPEG" and picture.size == (320, 200)
    assert sessions.answer(items)


def test_a_denied_origin_is_not_opened_and_the_answer_says_so(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Visit example.com/careers and list the open roles.")
    action = sessions.waiting(sdk, session["id"])
    assert action["request"]["origin"] == "https://example.com"  # a host alone is opened over https
    _respond(sdk, session["id"], action["request_id"], _origin("deny"))
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items) == ["message", "message"]
    assert sessions.answer(items).startswith(
        "I could not open https://example.com/careers: access to it was not approved."
    )

    dismissed = _create(sdk, input="Browse https://example.org for the latest news.")
    _respond(sdk, dismissed["id"], sessions.waiting(sdk, dismissed["id"])["request_id"], _origin("cancel"))
    assert "the request to open it was dismissed" in sessions.answer(sessions.idle(sdk, dismissed["id"]))


def test_an_origin_is_asked_once_per_session(sdk: openai.OpenAI) -> None:
    agent = {"model": "gpt-4o", "tools": [{"type": "computer_use"}]}  # screenshots left out (the default)
    session = _create(sdk, agent=agent, input="Open https://docs.example.com/start.")
    _respond(sdk, session["id"], sessions.waiting(sdk, session["id"])["request_id"], _origin("approve"))
    first = sessions.idle(sdk, session["id"])
    assert first[1]["type"] == "computer_use_call" and first[1]["output"] is None

    sessions.say(sdk, session["id"], "Now open https://docs.example.com/guides/auth too.")
    items = sessions.idle(sdk, session["id"], stages=2)  # the origin is approved already: the turn never waits
    assert _kinds(items)[-3:] == ["message", "computer_use_call", "message"]
    assert items[-2]["title"] == "Open https://docs.example.com/guides/auth"

    sessions.say(sdk, session["id"], "And open https://status.example.com.")  # another origin: asked
    assert sessions.waiting(sdk, session["id"])["request"]["origin"] == "https://status.example.com"

    other = _create(sdk, agent=agent, input="Open https://docs.example.com/start.")  # another session: asked
    assert sessions.waiting(sdk, other["id"])["request"]["origin"] == "https://docs.example.com"


# ------------------------------------------------------------------------------------------------- logging in


def _at_login_form(sdk: openai.OpenAI) -> tuple[dict[str, Any], dict[str, Any]]:
    session = _create(sdk, input="Log in to https://app.example.com and check my latest invoice.")
    _respond(sdk, session["id"], sessions.waiting(sdk, session["id"])["request_id"], _origin("approve"))
    return session, sessions.waiting(sdk, session["id"], stages=1)


def test_a_login_form_waits_for_the_application_and_a_submit_signs_in(sdk: openai.OpenAI) -> None:
    session, action = _at_login_form(sdk)
    assert action["type"] == "computer_use_approval_request" and action["request_id"].startswith("cu_")
    assert action["request"] == {
        "type": "browser_authentication",
        "credential_origin": "https://app.example.com",
        "fields": [
            {"id": "email", "label": "Email", "required": True, "type": "email"},
            {"id": "password", "label": "Password", "required": True, "type": "password"},
        ],
        "options": [],
        "reason": "Signing in to https://app.example.com is needed to continue.",
    }
    items = sessions.items(sdk, session["id"])
    assert _kinds(items) == ["message", "computer_use_call", "computer_use_approval_request"]
    assert items[2]["request"] == action["request"] and items[2]["request_id"] == action["request_id"]

    _respond(sdk, session["id"], action["request_id"], _submit(("email", EMAIL), ("password", PASSWORD)))
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items)[2:] == [
        "computer_use_approval_request",
        "computer_use_approval_request_result",
        "computer_use_call",
        "message",
    ]
    assert items[3]["response"] == {"action": "submit", "selected_option": None, "type": "browser_authentication"}
    assert items[4]["title"] == "Sign in to https://app.example.com"
    with _screenshot(items[4]) as signed_in, _screenshot(items[1]) as opened:
        assert signed_in.tobytes() != opened.tobytes()
    assert sessions.answer(items).startswith("I signed in to https://app.example.com with the details you entered.")
    shown = json.dumps([items, sessions.retrieve(sdk, session["id"])])
    assert EMAIL not in shown and PASSWORD not in shown  # the values are entered, never kept


def test_a_login_answer_whose_request_stopped_is_recorded_and_acted_on(
    sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answering request stops once the turn took the decision: the result item and the sign-in still happen,
    on the next read."""
    session, action = _at_login_form(sdk)
    write = turn_states._write_unwritten

    def stop_once(tenant: str, session_id: str, turn: Any) -> None:
        monkeypatch.setattr(turn_states, "_write_unwritten", write)
        raise RuntimeError("the Lambda ran out of time")

    monkeypatch.setattr(turn_states, "_write_unwritten", stop_once)
    event = _answer_event(action["request_id"], _submit(("email", EMAIL), ("password", PASSWORD)))
    with pytest.raises(openai.InternalServerError):
        sdk.beta.agents.sessions.events.create(session["id"], events=[event])

    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"  # the reader continued the turn
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items)[3:] == ["computer_use_approval_request_result", "computer_use_call", "message"]
    assert items[3]["response"] == {"action": "submit", "selected_option": None, "type": "browser_authentication"}
    assert sessions.answer(items).startswith("I signed in to https://app.example.com with the details you entered.")
    assert EMAIL not in json.dumps(items) and PASSWORD not in json.dumps(items)


def test_a_cancelled_login_does_not_sign_in(sdk: openai.OpenAI) -> None:
    session, action = _at_login_form(sdk)
    _respond(sdk, session["id"], action["request_id"], CANCEL)
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items)[3:] == ["computer_use_approval_request_result", "message"]
    assert items[3]["response"] == {"action": "cancel", "type": "browser_authentication"}
    assert sessions.answer(items).startswith("I did not sign in to https://app.example.com: it was cancelled.")


@pytest.mark.parametrize(
    ("response", "param"),
    [
        (_submit(("email", EMAIL)), "events[0].response.fields"),
        (_submit(("email", EMAIL), ("password", "")), "events[0].response.fields"),
        (_submit(("username", "ada"), ("password", PASSWORD)), "events[0].response.fields[0].field_id"),
        (
            _submit(("email", EMAIL), ("password", PASSWORD), selected_option="sso"),
            "events[0].response.selected_option",
        ),
        ({"type": "browser_authentication", "action": "submit"}, "events[0].response.fields"),
        (_origin("approve"), "events[0].response.type"),
    ],
)
def test_a_login_answered_wrong_is_refused_and_still_waits(
    sdk: openai.OpenAI, response: dict[str, Any], param: str
) -> None:
    session, action = _at_login_form(sdk)
    with pytest.raises(openai.BadRequestError) as caught:
        _respond(sdk, session["id"], action["request_id"], response)
    assert caught.value.body["param"] == param  # type: ignore[index]
    assert sessions.retrieve(sdk, session["id"])["required_actions"] == [action]


def test_an_unknown_or_already_answered_request_is_refused(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Open https://example.com/blog.")
    action = sessions.waiting(sdk, session["id"])
    mcp: Any = {
        "type": "agent.session.input.mcp_approval_request_result",
        "request_id": action["request_id"],
        "response": {"type": "mcp_tool_call", "decision": "approve"},
    }
    with pytest.raises(openai.BadRequestError) as caught:  # an MCP answer to the browser's request
        sdk.beta.agents.sessions.events.create(session["id"], events=[mcp])
    assert caught.value.body["param"] == "events[0].response.type"  # type: ignore[index]
    sessions.assert_refuses_unknown_and_repeated(
        lambda request_id: _respond(sdk, session["id"], request_id, _origin("approve")),
        "cu_unknown",
        action["request_id"],
    )


def test_the_event_stream_shows_the_stops_and_the_browser_steps(
    sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_events, "QUIET_SECONDS", 0.2)
    raw = sdk.beta.agents.sessions.with_raw_response.create(
        environment=HOSTED,
        agent={"model": "gpt-4o", "tools": [BROWSER]},
        input="Sign in to https://app.example.com and read my messages.",
        stream=True,
    )
    text = raw.http_response.read().decode()
    first = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert first[-1]["type"] == "agent.session.requires_action"
    session_id = first[0]["session"]["id"]
    _respond(sdk, session_id, first[-1]["session"]["required_actions"][0]["request_id"], _origin("approve"))
    login = sessions.waiting(sdk, session_id, stages=1)
    _respond(sdk, session_id, login["request_id"], _submit(("email", EMAIL), ("password", PASSWORD)))

    live = sdk.beta.agents.sessions.events.with_raw_response.stream(session_id, include_obfuscation=False)
    events = [json.loads(line[6:]) for line in live.http_response.read().decode().splitlines() if line[:6] == "data: "]
    for event in events:
        sessions.EVENT.validate_python(event, strict=True)
    kinds = [event["type"] for event in events]
    assert kinds.count("agent.session.requires_action") == 2
    added = [event["item"]["type"] for event in events if event["type"] == "agent.session.turn.item.added"]
    assert added == [
        "message",
        "computer_use_call",
        "computer_use_approval_request",
        "computer_use_approval_request_result",
        "computer_use_call",
        "message",
    ]
    assert kinds[-2:] == ["agent.session.turn.completed", "agent.session.idle"]


# ------------------------------------------------------------------------------------------------- auto_review


def test_auto_review_opens_https_pages_and_refuses_plain_http_and_logins(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Open https://example.com/docs and summarise them.", review="auto_review")
    sessions.stage()
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    items = sessions.idle(sdk, session["id"])
    assert _kinds(items) == ["message", "computer_use_call", "message"]

    sessions.say(sdk, session["id"], "Open http://legacy.example.com/status.")
    items = sessions.idle(sdk, session["id"], stages=2)
    assert _kinds(items)[-2:] == ["message", "message"]
    assert sessions.answer(items).startswith(
        "I could not open http://legacy.example.com/status: automatic review approves https sites only."
    )

    sessions.say(sdk, session["id"], "Log in to https://example.com and download my receipts.")
    items = sessions.idle(sdk, session["id"], stages=2)
    assert _kinds(items)[-3:] == ["message", "computer_use_call", "message"]  # opened (approved before), not signed in
    assert sessions.answer(items).startswith(
        "I did not sign in to https://example.com: signing in needs a person, and automatic review does not approve it."
    )


# ------------------------------------------------------------------------------------------------- where it runs


def test_computer_use_needs_an_openai_hosted_environment(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        _create(sdk, environment={"type": "none"}, input="Open https://example.com.")
    assert caught.value.body["param"] == "agent.tools[0]"  # type: ignore[index]
    plain = _create(sdk, environment={"type": "none"}, agent={"model": "gpt-4o"}, input="Hello there.")
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.beta.agents.sessions.update(plain["id"], agent={"tools": [BROWSER]})
    assert caught.value.body["param"] == "agent.tools[0]"  # type: ignore[index]
