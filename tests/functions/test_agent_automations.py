"""Agent automations and their invocations through the official SDK (`client.beta.agents.automations.*`, Agents API
beta, held strictly to the SDK's models): periodic (cron in a timezone) and one-time schedules firing by the mock
clock, each fire one invocation delivered to a new or an existing agent session; pause, resume, manual runs,
updates, deletion, pagination, tenancy and OpenAI's errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.beta.agents import AutomationDeleted, OneTimeAutomation, PeriodicAutomation
from openai.types.beta.agents.automations import AutomationInvocation

from functions.agent_automations.app import app
from openai_mock import clock
from openai_mock.errors import invalid_request
from openai_mock.resources.agents import automations as automations_module
from openai_mock.resources.agents import sessions as agent_sessions
from openai_mock.resources.agents.sessions import lifecycle
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client, held

NOW = 1_760_000_000  # 2025-10-09 08:53:20 UTC
PARIS_NINE_TOMORROW = 1_760_079_600  # 2025-10-10 09:00 Europe/Paris (CEST) = 07:00 UTC
DAY = 86_400
MESSAGE = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Summarise new issues."}]}
NEW_SESSION: dict[str, Any] = {
    "type": "new_session",
    "agent": {"model": "gpt-5.4-mini", "instructions": "Be brief."},
    "environment": {"type": "none"},
    "input": [MESSAGE],
    "metadata": {"origin": "automation"},
}


class FakeSessions:
    """Stands in for the sessions layer's `start_session`: what it was asked, and a session id per start."""

    def __init__(self) -> None:
        self.started: list[dict[str, Any]] = []
        self.refuse: str | None = None

    def start_session(self, principal: Any, params: dict[str, Any]) -> dict[str, Any]:
        if self.refuse is not None:
            raise invalid_request(self.refuse, "agent_id", "agent_not_found")
        self.started.append(params)
        return {"id": f"sess_fake{len(self.started):04d}", "object": "agent.session"}


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    clock.freeze(NOW)
    yield


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> FakeSessions:
    fake = FakeSessions()
    monkeypatch.setattr(agent_sessions, "start_session", fake.start_session)
    return fake


@pytest.fixture
def client() -> openai.OpenAI:
    return asgi_client(app)


def _periodic(client: openai.OpenAI, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "type": "periodic",
        "name": "Morning triage",
        "expression": "0 9 * * *",
        "timezone": "Europe/Paris",
        "target": NEW_SESSION,
        **overrides,
    }
    automation: dict[str, Any] = held(
        PeriodicAutomation, client.beta.agents.automations.with_raw_response.create(**params)
    )
    return automation


def _once(client: openai.OpenAI, run_at: int = NOW + 3600, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"type": "once", "name": "Release check", "run_at": run_at, "target": NEW_SESSION}
    automation: dict[str, Any] = held(
        OneTimeAutomation, client.beta.agents.automations.with_raw_response.create(**{**params, **overrides})
    )
    return automation


def _invocations(client: openai.OpenAI, automation_id: str, **query: Any) -> list[dict[str, Any]]:
    page = client.beta.agents.automations.invocations.with_raw_response.list(automation_id, **query)
    body = page.http_response.json()
    for invocation in body["data"]:
        AutomationInvocation.model_validate(invocation, strict=True)
    data: list[dict[str, Any]] = body["data"]
    return data


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


# --- the lifecycle ----------------------------------------------------------------------------------------------


def test_a_periodic_automation_round_trips_without_firing_at_once(
    client: openai.OpenAI, sessions: FakeSessions
) -> None:
    created = _periodic(client, metadata={"team": "support"})
    assert created["id"].startswith("auto_") and created["object"] == "agent.automation"
    assert (created["type"], created["name"], created["expression"], created["timezone"]) == (
        "periodic", "Morning triage", "0 9 * * *", "Europe/Paris"
    )  # fmt: skip
    assert (created["status"], created["pause_reason"], created["created_at"]) == ("active", None, NOW)
    assert created["created_by"] == {"type": "developer"} and created["metadata"] == {"team": "support"}
    target = created["target"]
    assert target["type"] == "new_session" and target["agent_id"] is None and target["vault_ids"] == []
    assert target["agent"]["model"] == "gpt-5.4-mini" and target["agent"]["instructions"] == "Be brief."
    assert target["agent"]["service_tier"] == "auto" and target["agent"]["text"]["verbosity"] == "medium"
    assert target["environment"] == {"type": "none"} and target["input"] == [MESSAGE]
    assert target["metadata"] == {"origin": "automation"}

    fetched = held(PeriodicAutomation, client.beta.agents.automations.with_raw_response.retrieve(created["id"]))
    assert fetched == created
    assert _invocations(client, created["id"]) == [] and sessions.started == []


def test_a_hosted_environment_is_shown_without_its_confidential_parts(
    client: openai.OpenAI, sessions: FakeSessions
) -> None:
    environment = {
        "type": "openai_hosted",
        "container_size": "small",
        "env": {"TOKEN": "s3cret"},
        "files": [{"type": "inline", "path": "/work/notes.txt", "data": "aGVsbG8gd29ybGQ="}],
        "network": {"access": "restricted", "allowed_domains": ["pypi.org"]},
    }
    created = _periodic(client, target={**NEW_SESSION, "environment": environment})
    shown = created["target"]["environment"]
    assert shown["type"] == "openai_hosted" and shown["container_size"] == "small" and "env" not in shown
    assert shown["files"] == [{"type": "inline", "path": "/work/notes.txt", "size_bytes": 11}]
    assert shown["network"] == {"access": "restricted", "allowed_domains": ["pypi.org"]}
    assert shown["packages"] is None and shown["environment_id"] is None

    clock.advance(PARIS_NINE_TOMORROW - NOW)
    _invocations(client, created["id"])
    assert sessions.started[0]["environment"] == environment  # the session gets the variables the view hides


def test_automations_list_newest_first_and_page_with_after(client: openai.OpenAI, sessions: FakeSessions) -> None:
    made = [_periodic(client, name=f"Automation {index}")["id"] for index in range(3)]
    first = client.beta.agents.automations.list(limit=2)
    assert [automation.id for automation in first.data] == made[::-1][:2] and first.has_more is True
    rest = client.beta.agents.automations.list(limit=2, after=first.data[-1].id)
    assert [automation.id for automation in rest.data] == [made[0]] and rest.has_more is False
    ascending = client.beta.agents.automations.list(order="asc")
    assert [automation.id for automation in ascending.data] == made
    assert [automation.id for automation in client.beta.agents.automations.list()] == made[::-1]


def test_another_organizations_automation_is_not_found(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client)
    stranger = asgi_client(app, api_key="sk-someone-else")
    with pytest.raises(openai.NotFoundError) as raised:
        stranger.beta.agents.automations.retrieve(automation["id"])
    assert _error(raised)["param"] == "automation_id"
    assert stranger.beta.agents.automations.list().data == []
    with pytest.raises(openai.NotFoundError):
        stranger.beta.agents.automations.invocations.create(automation["id"])


# --- fires by the clock -----------------------------------------------------------------------------------------


def test_each_due_occurrence_becomes_one_invocation_that_starts_a_session(
    client: openai.OpenAI, sessions: FakeSessions
) -> None:
    automation = _periodic(client)
    clock.advance(PARIS_NINE_TOMORROW - NOW - 1)
    assert _invocations(client, automation["id"]) == []
    clock.advance(1)
    [invocation] = _invocations(client, automation["id"])
    assert invocation["id"].startswith("autoinv_") and invocation["object"] == "agent.automation.invocation"
    assert (invocation["scheduled_at"], invocation["created_at"]) == (PARIS_NINE_TOMORROW, PARIS_NINE_TOMORROW)
    assert (invocation["status"], invocation["session_id"], invocation["error"]) == ("completed", "sess_fake0001", None)
    assert invocation["source"]["type"] == "automation"
    assert invocation["source"]["automation"]["id"] == automation["id"]
    assert sessions.started == [
        {"agent": NEW_SESSION["agent"], "environment": {"type": "none"}, "input": [MESSAGE],
         "metadata": {"origin": "automation"}}
    ]  # fmt: skip

    # Reading again (any container) records nothing more; three days later, three more occurrences.
    assert _invocations(client, automation["id"]) == [invocation] and len(sessions.started) == 1
    clock.advance(3 * DAY)
    later = _invocations(client, automation["id"], order="asc")
    assert [item["scheduled_at"] for item in later] == [PARIS_NINE_TOMORROW + day * DAY for day in range(4)]
    assert [item["session_id"] for item in later] == [f"sess_fake{index:04d}" for index in range(1, 5)]
    fetched = client.beta.agents.automations.invocations.with_raw_response.retrieve(
        later[2]["id"], automation_id=automation["id"]
    )
    assert held(AutomationInvocation, fetched) == later[2]


def test_a_long_clock_jump_materialises_only_the_latest_fires(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client, expression="*/5 * * * *", timezone="UTC")
    clock.advance(3 * DAY)
    invocations = _invocations(client, automation["id"], limit=100)
    assert len(invocations) == automations_module.MAX_CATCH_UP_FIRES
    last_fire = (NOW + 3 * DAY) // 300 * 300
    assert [item["scheduled_at"] for item in invocations] == [
        last_fire - 300 * index for index in range(automations_module.MAX_CATCH_UP_FIRES)
    ]
    clock.advance(300)
    assert len(_invocations(client, automation["id"], limit=100)) == automations_module.MAX_CATCH_UP_FIRES + 1


def test_invocations_page_with_after(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client, expression="0 * * * *", timezone="UTC")
    clock.advance(5 * 3600)
    every = _invocations(client, automation["id"])
    assert len(every) == 5 and [item["scheduled_at"] for item in every] == sorted(
        (item["scheduled_at"] for item in every), reverse=True
    )
    page = client.beta.agents.automations.invocations.list(automation["id"], limit=2, after=every[1]["id"])
    assert [item.id for item in page.data] == [every[2]["id"], every[3]["id"]] and page.has_more is True


def test_a_cron_weekday_and_timezone_pick_the_occurrences(client: openai.OpenAI, sessions: FakeSessions) -> None:
    # 2025-10-09 is a Thursday, 04:53 in New York (EDT, UTC-4): weekdays at 09:00 fire Thursday, Friday, Monday.
    automation = _periodic(client, expression="0 9 * * mon-fri", timezone="America/New_York")
    clock.advance(5 * DAY)
    fires = [item["scheduled_at"] for item in _invocations(client, automation["id"], order="asc")]
    nine_edt_thursday = 1_760_014_800
    assert fires == [nine_edt_thursday, nine_edt_thursday + DAY, nine_edt_thursday + 4 * DAY]


def test_pause_stops_fires_and_resume_restarts_from_now(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client, expression="0 * * * *", timezone="UTC")
    paused = held(PeriodicAutomation, client.beta.agents.automations.with_raw_response.pause(automation["id"]))
    assert (paused["status"], paused["pause_reason"]) == ("paused", None)
    clock.advance(3 * 3600)
    assert _invocations(client, automation["id"]) == []
    resumed = held(PeriodicAutomation, client.beta.agents.automations.with_raw_response.resume(automation["id"]))
    assert resumed["status"] == "active"
    assert _invocations(client, automation["id"]) == []  # the paused hours are not made up for
    clock.advance(3600)
    [invocation] = _invocations(client, automation["id"])
    assert invocation["scheduled_at"] == (NOW + 4 * 3600) // 3600 * 3600


def test_a_one_time_automation_fires_once_then_completes(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _once(client, run_at=NOW + 600)
    assert (automation["run_at"], automation["status"]) == (NOW + 600, "active")
    clock.advance(600)
    done = held(OneTimeAutomation, client.beta.agents.automations.with_raw_response.retrieve(automation["id"]))
    assert done["status"] == "completed"
    clock.advance(DAY)
    [invocation] = _invocations(client, automation["id"])
    assert invocation["scheduled_at"] == NOW + 600 and invocation["status"] == "completed"

    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.automations.update(automation["id"], run_at=NOW + 2 * DAY)
    assert _error(raised)["param"] == "run_at"
    with pytest.raises(openai.BadRequestError):
        client.beta.agents.automations.resume(automation["id"])
    with pytest.raises(openai.BadRequestError):
        client.beta.agents.automations.pause(automation["id"])


def test_a_one_time_automation_paused_past_its_time_needs_a_new_run_at(
    client: openai.OpenAI, sessions: FakeSessions
) -> None:
    automation = _once(client, run_at=NOW + 600)
    client.beta.agents.automations.pause(automation["id"])
    clock.advance(1200)
    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.automations.resume(automation["id"])
    assert _error(raised)["param"] == "run_at"
    assert _invocations(client, automation["id"]) == []

    client.beta.agents.automations.update(automation["id"], run_at=NOW + 1800)
    resumed = held(OneTimeAutomation, client.beta.agents.automations.with_raw_response.resume(automation["id"]))
    assert (resumed["status"], resumed["run_at"]) == ("active", NOW + 1800)
    clock.advance(600)
    [invocation] = _invocations(client, automation["id"])
    assert invocation["scheduled_at"] == NOW + 1800


def test_a_manual_invocation_runs_now_and_leaves_the_schedule(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client)
    client.beta.agents.automations.pause(automation["id"])
    clock.advance(30)
    raw = client.beta.agents.automations.invocations.with_raw_response.create(automation["id"])
    invocation = held(AutomationInvocation, raw)
    assert (invocation["source"], invocation["scheduled_at"], invocation["created_at"]) == (
        {"type": "manual"}, None, NOW + 30
    )  # fmt: skip
    assert (invocation["status"], invocation["session_id"]) == ("completed", "sess_fake0001")
    assert client.beta.agents.automations.retrieve(automation["id"]).status == "paused"
    assert [item["id"] for item in _invocations(client, automation["id"])] == [invocation["id"]]


def test_a_delivery_that_cannot_start_its_session_fails(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client)
    sessions.refuse = "No such Agent object: agent_gone"
    invocation = client.beta.agents.automations.invocations.create(automation["id"])
    assert invocation.status == "failed" and invocation.session_id is None
    assert invocation.error is not None and invocation.error.code == "agent_not_found"
    assert "agent_gone" in invocation.error.message


# --- updates and deletion ---------------------------------------------------------------------------------------


def test_an_update_changes_what_it_sends_and_reschedules(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client, metadata={"a": "1"})
    new_target: Any = {**NEW_SESSION, "agent": {"model": "gpt-5.4"}, "metadata": None}
    raw = client.beta.agents.automations.with_raw_response.update(
        automation["id"], name="Hourly triage", expression="30 * * * *", timezone="UTC", metadata={"b": "2"},
        target=new_target,
    )  # fmt: skip
    updated = held(PeriodicAutomation, raw)
    assert (updated["name"], updated["expression"], updated["timezone"]) == ("Hourly triage", "30 * * * *", "UTC")
    assert updated["metadata"] == {"b": "2"} and updated["target"]["agent"]["model"] == "gpt-5.4"
    assert updated["target"]["metadata"] == {} and updated["created_at"] == automation["created_at"]
    clock.advance(3600)
    [invocation] = _invocations(client, automation["id"])
    assert invocation["scheduled_at"] == NOW // 3600 * 3600 + 1800 + 3600
    assert sessions.started[0]["agent"] == {"model": "gpt-5.4"} and "metadata" not in sessions.started[0]


def test_an_update_refuses_what_the_type_does_not_take(client: openai.OpenAI, sessions: FakeSessions) -> None:
    once = _once(client)
    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.automations.update(once["id"], expression="* * * * *")
    assert _error(raised)["param"] == "expression"
    periodic = _periodic(client)
    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.automations.update(periodic["id"], run_at=NOW + 60)
    assert _error(raised)["param"] == "run_at"
    with pytest.raises(openai.BadRequestError) as raised:
        client.beta.agents.automations.update(
            periodic["id"], target={"type": "existing_session", "session_id": "sess_x", "instructions": "Hi"}
        )
    assert _error(raised)["param"] == "target.type"


def test_deleting_stops_everything(client: openai.OpenAI, sessions: FakeSessions) -> None:
    automation = _periodic(client)
    deleted = held(AutomationDeleted, client.beta.agents.automations.with_raw_response.delete(automation["id"]))
    assert deleted == {"id": automation["id"], "object": "agent.automation.deleted", "deleted": True}
    clock.advance(2 * DAY)
    with pytest.raises(openai.NotFoundError) as raised:
        client.beta.agents.automations.retrieve(automation["id"])
    assert _error(raised)["param"] == "automation_id"
    with pytest.raises(openai.NotFoundError):
        client.beta.agents.automations.invocations.list(automation["id"])
    with pytest.raises(openai.NotFoundError):
        client.beta.agents.automations.delete(automation["id"])
    assert client.beta.agents.automations.list().data == [] and sessions.started == []


# --- errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"expression": "0 9 * *"}, "expression", "invalid_value"),
        ({"expression": "61 * * * *"}, "expression", "invalid_value"),
        ({"expression": "0 0 30 2 *"}, "expression", "invalid_value"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "invalid_value"),
        ({"run_at": NOW + 60}, "run_at", "unknown_parameter"),
        ({"name": ""}, "name", None),
        ({"target": {**NEW_SESSION, "input": []}}, "target.input", "empty_array"),
        ({"target": {**NEW_SESSION, "agent_id": "agent_x"}}, "target.agent", "invalid_value"),
        (
            {"target": {k: v for k, v in NEW_SESSION.items() if k != "environment"}},
            "target.environment",
            "missing_required_parameter",
        ),
        ({"target": {**NEW_SESSION, "session_id": "sess_x"}}, "target.session_id", "unknown_parameter"),
        (
            {"target": {**NEW_SESSION, "input": [{"role": "user", "content": [{"type": "input_video"}]}]}},
            "target.input[0].content[0].type",
            None,
        ),
        (
            {"target": {**NEW_SESSION, "agent": {"instructions": "No model."}}},
            "target.agent.model",
            "missing_required_parameter",
        ),
        ({"metadata": {f"k{index}": "v" for index in range(17)}}, "metadata", "object_above_max_properties"),
        ({"target": {**NEW_SESSION, "environment": {"type": "moon"}}}, "target.environment.type", None),
        (
            {"target": {**NEW_SESSION, "environment": {"type": "self_hosted"}}},
            "target.environment.workspace_directory",
            "missing_required_parameter",
        ),
        (
            {"target": {**NEW_SESSION, "agent": {"model": "gpt-5.4", "tools": [{"type": "bogus"}]}}},
            "target.agent.tools[0].type",
            None,
        ),
    ],
)
def test_a_bad_periodic_create_is_refused_naming_the_param(
    client: openai.OpenAI, sessions: FakeSessions, overrides: dict[str, Any], param: str, code: str | None
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        _periodic(client, **overrides)
    error = _error(raised)
    assert error["param"] == param and error["type"] == "invalid_request_error"
    if code is not None:
        assert error["code"] == code
    assert client.beta.agents.automations.list().data == []


def test_strict_types_and_unknown_fields_are_refused(client: openai.OpenAI, sessions: FakeSessions) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        _once(client, extra_body={"run_at": str(NOW + 600)})
    assert (_error(raised)["param"], _error(raised)["code"]) == ("run_at", "invalid_type")
    with pytest.raises(openai.BadRequestError) as raised:
        _once(client, extra_body={"priority": "high"})
    assert (_error(raised)["param"], _error(raised)["code"]) == ("priority", "unknown_parameter")
    with pytest.raises(openai.BadRequestError) as raised:
        _once(client, run_at=NOW)
    assert _error(raised)["param"] == "run_at"


def test_unknown_references_are_not_found(client: openai.OpenAI, sessions: FakeSessions) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        _periodic(client, target={**{k: v for k, v in NEW_SESSION.items() if k != "agent"}, "agent_id": "agent_nope"})
    assert _error(raised)["param"] == "target.agent_id"
    with pytest.raises(openai.NotFoundError) as raised:
        _periodic(client, target={**NEW_SESSION, "agent": {"model": "gpt-nonexistent"}})
    assert (_error(raised)["param"], _error(raised)["code"]) == ("target.agent.model", "model_not_found")
    automation = _periodic(client)
    with pytest.raises(openai.NotFoundError) as raised:
        client.beta.agents.automations.invocations.retrieve("autoinv_nope", automation_id=automation["id"])
    assert _error(raised)["param"] == "invocation_id"
    with pytest.raises(openai.BadRequestError) as refused:
        client.beta.agents.automations.list(limit=101)
    assert _error(refused)["param"] == "limit"


# --- real sessions ------------------------------------------------------------------------------------------------


def _session_status(session_id: str) -> str:
    status: str = agent_sessions.stored_session(principal_for_key("sk-test"), session_id)["status"]
    return status


def _busy_session(client: openai.OpenAI) -> str:
    """A session whose first turn is running: started by a manual delivery of a new-session automation."""
    starter = _periodic(client, name="Starter")
    session_id = client.beta.agents.automations.invocations.create(starter["id"]).session_id
    assert session_id is not None and session_id.startswith("sess_")
    assert _session_status(session_id) == "in_progress"
    return session_id


def test_a_new_session_delivery_starts_a_session_with_the_saved_input(client: openai.OpenAI) -> None:
    automation = _periodic(client)
    invocation = client.beta.agents.automations.invocations.create(automation["id"])
    assert invocation.status == "completed" and invocation.session_id is not None
    session = agent_sessions.stored_session(principal_for_key("sk-test"), invocation.session_id)
    assert session["metadata"] == {"origin": "automation"} and session["agent"]["model"] == "gpt-5.4-mini"


def test_an_existing_session_gets_the_instructions_once_idle_and_overlaps_are_skipped(client: openai.OpenAI) -> None:
    session_id = _busy_session(client)
    target = {"type": "existing_session", "session_id": session_id, "instructions": "Post the standup summary."}
    automation = _once(client, run_at=NOW + 1, target=target)
    assert automation["target"] == target
    listed = client.beta.agents.automations.list(session_id=session_id)
    assert [item.id for item in listed.data] == [automation["id"]]

    clock.advance(1)
    [queued] = _invocations(client, automation["id"])  # the session is still busy with its first turn
    assert (queued["status"], queued["session_id"]) == ("queued", None)
    manual = client.beta.agents.automations.invocations.create(automation["id"])
    assert manual.status == "queued"

    clock.advance(600)  # the first turn is over: the waiting deliveries go in, oldest first
    delivered = _invocations(client, automation["id"], order="asc")
    assert [(item["id"], item["status"], item["session_id"]) for item in delivered] == [
        (queued["id"], "completed", session_id),
        (manual.id, "queued", None),  # the session is now busy with the first delivery's turn
    ]
    assert _session_status(session_id) == "in_progress"
    clock.advance(600)
    assert [item["status"] for item in _invocations(client, automation["id"])] == ["completed", "completed"]
    assert client.beta.agents.automations.retrieve(automation["id"]).status == "completed"


def test_a_periodic_fire_while_a_delivery_is_pending_is_skipped(client: openai.OpenAI) -> None:
    clock.advance(39)  # 08:53:59: the next minute's fire is a second away
    session_id = _busy_session(client)
    target = {"type": "existing_session", "session_id": session_id, "instructions": "Check the queue."}
    automation = _periodic(client, expression="* * * * *", timezone="UTC", target=target)
    manual = client.beta.agents.automations.invocations.create(automation["id"])
    assert manual.status == "queued"
    clock.advance(1)
    fire, pending = _invocations(client, automation["id"])
    assert pending["id"] == manual.id and pending["status"] == "queued"
    assert (fire["scheduled_at"], fire["status"], fire["skip_reason"]) == (NOW + 40, "skipped", "pending_delivery")


def test_a_target_session_that_is_gone_fails_the_delivery_and_pauses(client: openai.OpenAI) -> None:
    session_id = _busy_session(client)
    target = {"type": "existing_session", "session_id": session_id, "instructions": "Check the queue."}
    automation = _periodic(client, expression="0 * * * *", timezone="UTC", target=target)
    clock.advance(60)  # its turn over, the session can be deleted
    lifecycle.delete(principal_for_key("sk-test"), session_id)
    clock.advance(2 * 3600)
    [failed] = _invocations(client, automation["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "target_session_failed"
    paused = held(PeriodicAutomation, client.beta.agents.automations.with_raw_response.retrieve(automation["id"]))
    assert (paused["status"], paused["pause_reason"]) == ("paused", "target_session_failed")


def test_an_existing_session_target_must_exist(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        _periodic(client, target={"type": "existing_session", "session_id": "sess_nope", "instructions": "Hi"})
    assert _error(raised)["param"] == "target.session_id"
