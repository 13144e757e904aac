"""What the official SDK (3.63) sends to Responses and Conversations beyond the 2026-08-21 spec, through the SDK and
held strictly to its models: access programs (`access_programs.cyber`), background completion windows and
continuation ids (`background_options`), image context compression (`image`), and `safety_identifier` on
compaction and on conversations, refused once deactivated."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.conversations import Conversation
from openai.types.responses import CompactedResponse, Response
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization import prices
from tests.support.org_sdk import org_client
from tests.support.sdk import held
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
START = 1_800_000_000
CAT = "https://example.com/cat.png"
HOUR = 3600


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> tuple[int, str | None, str | None]:
    body: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return raised.value.status_code, body["param"], body["code"]


def _deactivate(http: TestClient, identifier: str) -> None:
    case = {"entity_identifier": identifier, "notice": "deactivation", "safety_category": "cyber"}
    assert http.post("/__mock/safety/cases", json=case, headers=AUTH).status_code == 200


# --------------------------------------------------------------------------------------------- access programs


def test_an_explicit_standard_program_is_shown_and_stored_an_implicit_one_is_null(client: openai.OpenAI) -> None:
    raw = client.responses.with_raw_response.create(model="gpt-4o", input="Hi", access_programs={"cyber": "standard"})
    asked = held(Response, raw)
    assert asked["access_programs"] == {"cyber": "standard"}
    assert_conforms("POST", "/responses", 200, asked, spec=SPEC)
    assert held(Response, client.responses.with_raw_response.retrieve(asked["id"]))["access_programs"] == {
        "cyber": "standard"
    }
    # No program asked for: the fallback to Standard is null, on a Cyber-tier model too.
    for model in ("gpt-4o", "gpt-5.6-cyber"):
        implicit = held(Response, client.responses.with_raw_response.create(model=model, input="Hi"))
        assert "access_programs" in implicit and implicit["access_programs"] is None


@pytest.mark.parametrize(
    ("model", "programs"),
    [
        ("gpt-4o", {"cyber": "daybreak_blue"}),
        ("gpt-5.6-cyber", {"cyber": "daybreak_red"}),
        ("gpt-daybreak-red-latest", None),  # a Red-tier model needs Daybreak Red
        ("gpt-daybreak-blue-latest", {"cyber": "standard"}),  # a Daybreak model does not fall back
    ],
)
def test_daybreak_access_the_organization_does_not_hold_is_a_403(
    client: openai.OpenAI, model: str, programs: dict[str, str] | None
) -> None:
    extra: dict[str, Any] = {} if programs is None else {"access_programs": programs}
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client.responses.create(model=model, input="Scan this host.", **extra)
    assert _error(refused) == (403, "access_programs.cyber", "access_program_not_authorized")
    assert "Daybreak" in refused.value.message


def test_daybreak_access_the_organization_holds_runs_and_is_shown(client: openai.OpenAI) -> None:
    holding = client.with_options(default_headers={"x-mock-access-programs": "daybreak_red"})
    asked = held(
        Response,
        holding.responses.with_raw_response.create(
            model="gpt-5.6-cyber", input="Scan this host.", access_programs={"cyber": "daybreak_red"}
        ),
    )
    assert asked["status"] == "completed" and asked["access_programs"] == {"cyber": "daybreak_red"}
    implicit = held(Response, holding.responses.with_raw_response.create(model="gpt-daybreak-red-latest", input="Hi"))
    assert implicit["access_programs"] == {"cyber": "daybreak_red"}  # the program the model runs under
    with pytest.raises(openai.PermissionDeniedError):  # Red held, Blue not
        holding.responses.create(model="gpt-4o", input="Hi", access_programs={"cyber": "daybreak_blue"})


def test_an_unknown_program_is_a_400_naming_it(http: TestClient) -> None:
    body = {"model": "gpt-4o", "input": "Hi", "access_programs": {"cyber": "daybreak_green"}}
    answer = http.post("/v1/responses", json=body, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "access_programs.cyber"
    body["access_programs"] = {"cyber": "standard", "biology": "standard"}
    assert http.post("/v1/responses", json=body, headers=AUTH).json()["error"]["param"] == "access_programs.biology"


# --------------------------------------------------------------------------------------------- completion windows


def _status(client: openai.OpenAI, response_id: str) -> str:
    return str(held(Response, client.responses.with_raw_response.retrieve(response_id))["status"])


def test_a_discounted_window_waits_in_the_queue_then_completes_within_it(client: openai.OpenAI) -> None:
    clock.freeze(START)
    soonest = client.responses.create(model="gpt-4o", input="Summarise the report.", background=True)
    raw = client.responses.with_raw_response.create(
        model="gpt-4o", input="Summarise the report.", background=True, background_options={"completion_window": "2h"}
    )
    windowed = held(Response, raw)
    assert (windowed["status"], windowed["output"], windowed["service_tier"]) == ("queued", [], "default")
    assert "background_options" not in windowed  # the SDK's Response has no such field
    clock.advance(60)
    assert (_status(client, soonest.id), _status(client, windowed["id"])) == ("completed", "queued")
    clock.advance(HOUR)
    assert _status(client, windowed["id"]) == "completed"
    done = client.responses.retrieve(windowed["id"])
    assert done.output_text == client.responses.retrieve(soonest.id).output_text  # the same answer, later

    eight = client.responses.create(
        model="gpt-4o", input="Hi", background=True, background_options={"completion_window": "8h"}
    )
    clock.advance(3 * HOUR)
    assert _status(client, eight.id) == "queued"
    clock.advance(HOUR + 2)
    assert _status(client, eight.id) == "completed"  # done at 4 h: inside the 8 h window


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({}, "'background' to be true"),
        ({"background": True, "stream": True}, "cannot be streamed"),
        ({"background": True, "service_tier": "flex"}, "Standard processing"),
        ({"background": True, "service_tier": "priority"}, "Standard processing"),
    ],
)
def test_a_discounted_window_needs_background_standard_processing_and_no_stream(
    http: TestClient, extra: dict[str, Any], problem: str
) -> None:
    body = {"model": "gpt-4o", "input": "Hi", "background_options": {"completion_window": "8h"}, **extra}
    error = http.post("/v1/responses", json=body, headers=AUTH).json()["error"]
    assert (error["param"], error["code"]) == ("background_options.completion_window", "invalid_value")
    assert problem in error["message"]


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"completion_window": "24h"}, "background_options.completion_window"),
        ({"continuation_id": ""}, "background_options.continuation_id"),
        ({"continuation_id": "x" * 65}, "background_options.continuation_id"),
        ({"priority": "high"}, "background_options.priority"),
    ],
)
def test_bad_background_options_are_400s_naming_them(http: TestClient, options: dict[str, Any], param: str) -> None:
    body = {"model": "gpt-4o", "input": "Hi", "background": True, "background_options": options}
    answer = http.post("/v1/responses", json=body, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param


def test_the_soonest_window_is_the_default_behaviour(client: openai.OpenAI) -> None:
    clock.freeze(START)
    queued = client.responses.create(
        model="gpt-4o", input="Hi", background=True, background_options={"completion_window": "soonest"}
    )
    clock.advance(3)
    assert _status(client, queued.id) == "completed"


def test_a_continuation_id_puts_a_chains_later_requests_first(client: openai.OpenAI) -> None:
    clock.freeze(START)
    chain: Any = {"completion_window": "8h", "continuation_id": "nightly-audit-42"}
    first = client.responses.create(model="gpt-4o", input="Audit part one.", background=True, background_options=chain)
    clock.advance(60)
    follow_up = client.responses.create(
        model="gpt-4o", input="Audit part two.", background=True, background_options=chain
    )
    unrelated = client.responses.create(
        model="gpt-4o",
        input="Audit part two.",
        background=True,
        background_options={"completion_window": "8h", "continuation_id": "another-chain"},
    )
    clock.advance(3)
    assert [_status(client, item.id) for item in (first, follow_up, unrelated)] == ["queued", "completed", "queued"]
    # It adds no history: the follow-up read only its own input.
    assert client.responses.input_items.list(follow_up.id).data[0].content[0].text == "Audit part two."  # type: ignore[union-attr,index]
    assert client.responses.retrieve(follow_up.id).previous_response_id is None


def test_a_discounted_window_is_billed_at_the_batch_price(mock_app: TemplateRouter) -> None:
    clock.freeze(START)
    admin = org_client(mock_app)
    admin.responses.create(model="gpt-4o-mini", input="Hi", background=True)
    admin.responses.create(
        model="gpt-4o-mini", input="Hi", background=True, background_options={"completion_window": "2h"}
    )
    day: Any = {"start_time": START - START % 86_400, "end_time": START - START % 86_400 + 86_400}
    usage = admin.admin.organization.usage.completions(**day, group_by=["batch"]).data[0].results
    by_batch = {result.batch: result for result in usage}  # type: ignore[union-attr]
    full = by_batch[False]
    assert (by_batch[True].input_tokens, by_batch[True].output_tokens) == (full.input_tokens, full.output_tokens)  # type: ignore[union-attr]
    price_in, _, price_out = prices.token_prices("gpt-4o-mini")
    one = (full.input_tokens * price_in + full.output_tokens * price_out) / 1e6  # type: ignore[union-attr]
    costs = admin.admin.organization.usage.costs(**day).data[0].results
    assert sum(cost.amount.value for cost in costs) == pytest.approx(one * 1.5)  # type: ignore[union-attr,misc]


# --------------------------------------------------------------------------------------------- image options


def _turn_with_an_image(client: openai.OpenAI) -> str:
    image_message: Any = [
        {
            "role": "user",
            "content": [{"type": "input_text", "text": "What is this?"}, {"type": "input_image", "image_url": CAT}],
        }
    ]
    return client.responses.create(model="gpt-4o", input=image_message).id


def test_image_context_compression_reads_earlier_images_at_low_detail(client: openai.OpenAI) -> None:
    first = held(Response, client.responses.with_raw_response.create(model="gpt-4o", input="Hi"))
    assert first["image"] == {"context_compression": "disabled"}  # auto, and no earlier image
    previous = _turn_with_an_image(client)

    def follow_up(policy: str) -> dict[str, Any]:
        raw = client.responses.with_raw_response.create(
            model="gpt-4o",
            input="Describe its colours.",
            previous_response_id=previous,
            image={"context_compression": policy},  # type: ignore[call-overload]
        )
        return held(Response, raw)  # type: ignore[no-any-return]

    enabled, disabled, auto = follow_up("enabled"), follow_up("disabled"), follow_up("auto")
    assert enabled["image"] == auto["image"] == {"context_compression": "enabled"}
    assert disabled["image"] == {"context_compression": "disabled"}
    # The earlier image counts 85 tokens instead of 765; the answer itself is the same.
    assert disabled["usage"]["input_tokens"] - enabled["usage"]["input_tokens"] == 765 - 85
    assert auto["usage"]["input_tokens"] == enabled["usage"]["input_tokens"]
    assert enabled["output"][0]["content"][0]["text"] == disabled["output"][0]["content"][0]["text"]
    assert held(Response, client.responses.with_raw_response.retrieve(enabled["id"]))["image"] == enabled["image"]
    # The question's own image is never compressed.
    asked = _turn_with_an_image(client)
    assert client.responses.retrieve(asked).image.context_compression == "disabled"  # type: ignore[union-attr]


def test_compression_needs_a_model_that_reads_images(http: TestClient) -> None:
    body = {"model": "gpt-3.5-turbo", "input": "Hi", "image": {"context_compression": "enabled"}}
    error = http.post("/v1/responses", json=body, headers=AUTH).json()["error"]
    assert (error["param"], error["code"]) == ("image.context_compression", "unsupported_value")
    body = {"model": "gpt-4o", "input": "Hi", "image": {"context_compression": "always"}}
    assert http.post("/v1/responses", json=body, headers=AUTH).json()["error"]["param"] == "image.context_compression"
    text_only = http.post("/v1/responses", json={**body, "model": "gpt-3.5-turbo", "image": {}}, headers=AUTH)
    assert text_only.json()["image"] == {"context_compression": "disabled"}  # auto


# --------------------------------------------------------------------------------------------- compaction


def test_compaction_takes_image_options_and_a_safety_identifier(client: openai.OpenAI, http: TestClient) -> None:
    previous = _turn_with_an_image(client)

    def compact(**extra: Any) -> dict[str, Any]:
        raw = client.responses.with_raw_response.compact(
            model="gpt-4o", previous_response_id=previous, input="Keep going.", **extra
        )
        body: dict[str, Any] = raw.http_response.json()
        # Held strictly but for the kept user messages, which the SDK's output union (assistant messages) lacks.
        CompactedResponse.model_validate({**body, "output": body["output"][-1:]}, strict=True)
        return body

    enabled = compact(image={"context_compression": "enabled"}, safety_identifier="user_7")
    disabled = compact(image={"context_compression": "disabled"})
    assert_conforms("POST", "/responses/compact", 200, enabled, spec=SPEC)
    assert (enabled["image"], disabled["image"]) == (
        {"context_compression": "enabled"},
        {"context_compression": "disabled"},
    )
    assert disabled["usage"]["input_tokens"] - enabled["usage"]["input_tokens"] == 765 - 85
    assert enabled["safety_identifier"] == "user_7" and "safety_identifier" not in disabled

    _deactivate(http, "user_7")
    with pytest.raises(openai.BadRequestError) as refused:
        compact(safety_identifier="user_7")
    assert _error(refused) == (400, "safety_identifier", "safety_identifier_blocked")
    assert compact(safety_identifier="user_8")["safety_identifier"] == "user_8"


# --------------------------------------------------------------------------------------------- conversations


def test_a_conversations_safety_identifier_is_its_turns_and_refused_once_deactivated(
    client: openai.OpenAI, http: TestClient
) -> None:
    created = held(Conversation, client.conversations.with_raw_response.create(safety_identifier="user_42"))
    assert set(created) == {"id", "object", "created_at", "metadata"}  # kept, not shown (the SDK shows no such field)
    assert client.responses.create(model="gpt-4o-mini", input="Hi", conversation=created["id"]).output_text

    _deactivate(http, "user_42")
    with pytest.raises(openai.BadRequestError) as refused:
        client.conversations.create(safety_identifier="user_42")
    assert _error(refused) == (400, "safety_identifier", "safety_identifier_blocked")
    # A turn of that user's conversation is that user's; one naming another identifier is not refused.
    with pytest.raises(openai.BadRequestError) as turn:
        client.responses.create(model="gpt-4o-mini", input="Again", conversation=created["id"])
    assert turn.value.code == "safety_identifier_blocked"
    answered = client.responses.create(
        model="gpt-4o-mini", input="Again", conversation=created["id"], safety_identifier="user_43"
    )
    assert answered.output_text
    assert client.conversations.create(safety_identifier="user_43").id.startswith("conv_")
