"""Runs through the official SDK: the clock-driven lifecycle, function calling and tool outputs, cancellation,
expiry, forced failure, token limits, run steps, file_search / code_interpreter, and streaming."""

from __future__ import annotations

import io
import json
from typing import Any

import openai
import pytest
from openai import AssistantEventHandler
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.assistants import runs as run_engine
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.assistants_sdk import T0, WEATHER_TOOL, conforming_client, error_body, sleep_on_the_clock
from tests.support.spec import validate_component

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks Assistants deprecated
BETA = {"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer sk-test"}
INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"


@pytest.fixture(autouse=True)
def frozen() -> None:
    clock.freeze(T0)


@pytest.fixture
def sdk(mock_app: TemplateRouter) -> openai.OpenAI:
    return conforming_client(mock_app)


def _assistant(sdk: openai.OpenAI, **options: Any) -> str:
    return sdk.beta.assistants.create(model="gpt-4o-mini", instructions="You are a helpful assistant.", **options).id


def _thread(sdk: openai.OpenAI, text: str) -> str:
    return sdk.beta.threads.create(messages=[{"role": "user", "content": text}]).id


# --------------------------------------------------------------------------- lifecycle


def test_run_progresses_with_the_clock_and_writes_the_answer(sdk: openai.OpenAI) -> None:
    assistant_id, thread_id = _assistant(sdk), _thread(sdk, "Tell me about tide pools")
    run = sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id)
    assert (run.status, run.started_at, run.usage, run.expires_at) == ("queued", None, None, int(T0) + 600)
    assert run.instructions == "You are a helpful assistant." and run.truncation_strategy is not None
    clock.advance(1)
    running = sdk.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
    assert (running.status, running.started_at) == ("in_progress", int(T0) + 1)
    assert sdk.beta.threads.messages.list(thread_id, run_id=run.id).data == []
    clock.advance(1)
    done = sdk.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
    assert (done.status, done.completed_at, done.expires_at) == ("completed", int(T0) + 2, None)
    assert done.usage is not None and done.usage.prompt_tokens > 10 and done.usage.completion_tokens > 5
    (answer,) = sdk.beta.threads.messages.list(thread_id, run_id=run.id).data
    assert (answer.role, answer.assistant_id, answer.run_id, answer.status) == (
        "assistant",
        assistant_id,
        run.id,
        "completed",
    )
    assert "tide pools" in answer.content[0].text.value.lower()  # type: ignore[union-attr]
    (step,) = sdk.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data
    assert step.type == "message_creation" and step.step_details.message_creation.message_id == answer.id  # type: ignore[union-attr]
    assert step.usage is not None and step.usage.completion_tokens == done.usage.completion_tokens
    assert sdk.beta.threads.runs.steps.retrieve(step.id, thread_id=thread_id, run_id=run.id).id == step.id


def test_settling_applies_exactly_once_under_concurrent_reads(sdk: openai.OpenAI) -> None:
    assistant_id, thread_id = _assistant(sdk), _thread(sdk, "Summarise the water cycle")
    run = sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id)
    clock.advance(5)
    tenant = principal_for_key("sk-test").tenant
    stale = get_store().get(tenant, run_engine.runs_collection(thread_id), run.id)
    assert stale is not None
    for _ in range(3):  # three readers that all saw the run still queued
        assert run_engine.settle(tenant, dict(stale))["status"] == "completed"
    assert len(sdk.beta.threads.messages.list(thread_id, run_id=run.id).data) == 1
    assert len(sdk.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data) == 1


def test_function_calling_agent_loop_terminates(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk, tools=[WEATHER_TOOL])
    thread_id = _thread(sdk, "What's the weather in Paris right now?")
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    turns = 0
    while run.status == "requires_action":
        turns += 1
        assert run.required_action is not None
        outputs = []
        for call in run.required_action.submit_tool_outputs.tool_calls:
            arguments = json.loads(call.function.arguments)
            assert call.function.name == "get_weather" and set(arguments) == {"location", "unit"}
            assert arguments["location"] == "Paris" and arguments["unit"] in ("c", "f")
            outputs.append({"tool_call_id": call.id, "output": "18 degrees and cloudy"})
        run = sdk.beta.threads.runs.submit_tool_outputs_and_poll(
            thread_id=thread_id, run_id=run.id, tool_outputs=outputs
        )
    assert (turns, run.status) == (1, "completed")
    answer = sdk.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert "18 degrees and cloudy" in answer.content[0].text.value  # type: ignore[union-attr]
    steps = sdk.beta.threads.runs.steps.list(run.id, thread_id=thread_id, order="asc").data
    assert [(step.type, step.status) for step in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    call = steps[0].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "function" and call.function.output == "18 degrees and cloudy"


def test_tool_outputs_must_answer_every_call(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk, tools=[WEATHER_TOOL])
    thread_id = _thread(sdk, "weather in Tokyo?")
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "requires_action"
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": "call_wrong", "output": "x"}]
        )
    assert error_body(raised)["param"] == "tool_outputs"
    assert sdk.beta.threads.runs.retrieve(run.id, thread_id=thread_id).status == "requires_action"
    with pytest.raises(openai.BadRequestError) as raised:  # messages wait while the run waits
        sdk.beta.threads.messages.create(thread_id, role="user", content="hello?")
    assert error_body(raised)["message"] == f"Can't add messages to {thread_id} while a run {run.id} is active."


def test_one_active_run_per_thread(sdk: openai.OpenAI) -> None:
    assistant_id, thread_id = _assistant(sdk), _thread(sdk, "hello")
    first = sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id)
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id)
    assert error_body(raised)["message"] == f"Thread {thread_id} already has an active run {first.id}."
    assert [run.id for run in sdk.beta.threads.runs.list(thread_id).data] == [first.id]
    clock.advance(2)
    second = sdk.beta.threads.runs.create(
        thread_id, assistant_id=assistant_id, additional_messages=[{"role": "user", "content": "and again"}]
    )
    clock.advance(2)
    listed = sdk.beta.threads.runs.list(thread_id, limit=1)
    assert [run.id for run in listed.data] == [second.id] and listed.has_more
    assert [run.status for run in sdk.beta.threads.runs.list(thread_id, order="asc")] == ["completed", "completed"]
    texts = [m.content[0].text.value for m in sdk.beta.threads.messages.list(thread_id, order="asc")]  # type: ignore[union-attr]
    assert texts[0] == "hello" and texts[2] == "and again" and len(texts) == 4


def test_cancel_goes_through_cancelling(sdk: openai.OpenAI) -> None:
    assistant_id, thread_id = _assistant(sdk), _thread(sdk, "long task")
    run = sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id)
    cancelling = sdk.beta.threads.runs.cancel(run.id, thread_id=thread_id)
    assert cancelling.status == "cancelling"
    clock.advance(5)
    cancelled = sdk.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", int(T0) + 1)
    assert sdk.beta.threads.messages.list(thread_id, run_id=run.id).data == []
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.cancel(run.id, thread_id=thread_id)
    assert error_body(raised)["message"] == "Cannot cancel run with status 'cancelled'."


def test_waiting_run_expires_and_its_step_with_it(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk, tools=[WEATHER_TOOL])
    thread_id = _thread(sdk, "weather in Lisbon")
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "requires_action"
    clock.advance(600)
    expired = sdk.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
    assert (expired.status, expired.required_action) == ("expired", None)
    (step,) = sdk.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data
    assert step.status == "expired" and step.expired_at == int(T0) + 600 + 2
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.submit_tool_outputs(run.id, thread_id=thread_id, tool_outputs=[])
    assert error_body(raised)["message"] == 'Runs in status "expired" do not accept tool outputs.'


def test_forced_failure_and_token_limits(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk)
    failed = sdk.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        metadata={"mock_fail": "server_error"},
        thread={"messages": [{"role": "user", "content": "hi"}]},
    )
    assert (failed.status, failed.failed_at) == ("failed", int(T0) + 2)
    assert failed.last_error is not None and failed.last_error.code == "server_error"

    long_question = "Please explain in detail how ocean tides work and why " + "they matter a great deal " * 70
    short = sdk.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        max_completion_tokens=256,
        thread={"messages": [{"role": "user", "content": long_question}]},
    )
    assert short.status == "incomplete" and short.incomplete_details is not None
    assert short.incomplete_details.reason == "max_completion_tokens" and short.usage is not None
    assert short.usage.completion_tokens == 256
    (message,) = sdk.beta.threads.messages.list(short.thread_id, run_id=short.id).data
    assert message.status == "incomplete" and message.incomplete_details is not None

    tight = sdk.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        max_prompt_tokens=256,
        truncation_strategy={"type": "last_messages", "last_messages": 1},
        thread={"messages": [{"role": "user", "content": long_question}]},
    )
    assert tight.status == "incomplete" and tight.incomplete_details is not None
    assert tight.incomplete_details.reason == "max_prompt_tokens"


def test_run_overrides_and_validation(sdk: openai.OpenAI) -> None:
    assistant_id, thread_id = _assistant(sdk, tools=[WEATHER_TOOL]), _thread(sdk, "hello")
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.create(
            thread_id, assistant_id=assistant_id, tool_choice={"type": "function", "function": {"name": "nope"}}
        )
    assert error_body(raised)["param"] == "tool_choice"
    with pytest.raises(openai.NotFoundError):
        sdk.beta.threads.runs.create(thread_id, assistant_id="asst_missing")
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.beta.threads.runs.create(thread_id, assistant_id=assistant_id, max_completion_tokens=100)
    assert error_body(raised)["code"] == "integer_below_min_value"
    run = sdk.beta.threads.runs.create_and_poll(
        thread_id=thread_id,
        assistant_id=assistant_id,
        model="gpt-4o",
        instructions="Speak like a pirate.",
        additional_instructions="Be brief.",
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        parallel_tool_calls=False,
        metadata={"trace": "1"},
    )
    assert (run.model, run.status, run.parallel_tool_calls) == ("gpt-4o", "requires_action", False)
    assert run.instructions == "Speak like a pirate.\n\nBe brief."
    updated = sdk.beta.threads.runs.update(run.id, thread_id=thread_id, metadata={"trace": "2"})
    assert updated.metadata == {"trace": "2"}


# --------------------------------------------------------------------------- built-in tools


def test_file_search_cites_the_vector_store(sdk: openai.OpenAI) -> None:
    data = "Tide pools form on rocky shores. Sea anemones and starfish live in tide pools at low tide."
    file_id = sdk.files.create(file=("tides.txt", io.BytesIO(data.encode())), purpose="assistants").id
    assistant_id = _assistant(sdk, tools=[{"type": "file_search"}])
    thread = sdk.beta.threads.create(
        messages=[{"role": "user", "content": "What lives in tide pools?"}],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [file_id]}]}},
    )
    clock.advance(5)  # the helper's vector store indexes the file
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)
    assert run.status == "completed"
    search_step = sdk.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc").data[0]
    call = search_step.step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "file_search" and call.file_search.results  # type: ignore[union-attr]
    assert call.file_search.results[0].file_name == "tides.txt"  # type: ignore[union-attr]
    assert call.file_search.results[0].content is None  # type: ignore[union-attr]
    included = sdk.beta.threads.runs.steps.retrieve(
        search_step.id, thread_id=thread.id, run_id=run.id, include=[INCLUDE]
    )
    result = included.step_details.tool_calls[0].file_search.results[0]  # type: ignore[union-attr]
    assert result.content and "anemones" in (result.content[0].text or "")
    answer = sdk.beta.threads.messages.list(thread.id, run_id=run.id).data[0].content[0]
    assert answer.type == "text" and answer.text.annotations[0].type == "file_citation"
    assert answer.text.annotations[0].file_citation.file_id == file_id  # type: ignore[union-attr]


def test_code_interpreter_step_has_code_and_logs(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk, tools=[{"type": "code_interpreter"}])
    run = sdk.beta.threads.create_and_run_poll(
        assistant_id=assistant_id, thread={"messages": [{"role": "user", "content": "Calculate the sum of 3, 4 and 5"}]}
    )
    step = sdk.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data[0]
    call = step.step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "code_interpreter" and "[3, 4, 5]" in call.code_interpreter.input  # type: ignore[union-attr]
    assert call.code_interpreter.outputs[0].logs.startswith("total=12")  # type: ignore[union-attr]


def test_deleting_a_thread_removes_runs_and_steps(sdk: openai.OpenAI) -> None:
    run = sdk.beta.threads.create_and_run_poll(
        assistant_id=_assistant(sdk), thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    sdk.beta.threads.delete(run.thread_id)
    tenant = principal_for_key("sk-test").tenant
    assert get_store().list(tenant, run_engine.runs_collection(run.thread_id)).items == []
    assert get_store().list(tenant, run_engine.steps_collection(run.id)).items == []


# --------------------------------------------------------------------------- streaming


def _events(response_text: str) -> list[tuple[str, Any]]:
    found = []
    for block in response_text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        data = lines["data"]
        found.append((lines["event"], data if data == "[DONE]" else json.loads(data)))
    return found


def test_stream_sends_the_real_event_sequence(http: TestClient, sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk)
    response = http.post(
        "/v1/threads/runs",
        headers=BETA,
        json={
            "assistant_id": assistant_id,
            "stream": True,
            "thread": {"messages": [{"role": "user", "content": "Hi!"}]},
        },
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    names = [name for name, _ in events]
    deltas = names.count("thread.message.delta")
    assert deltas >= 2
    assert names == [
        "thread.created",
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        *["thread.message.delta"] * deltas,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    for name, data in events:
        validate_component("AssistantStreamEvent", {"event": name, "data": data})
    streamed = "".join(
        data["delta"]["content"][0]["text"]["value"] for name, data in events if name == "thread.message.delta"
    )
    assert streamed == events[-4][1]["content"][0]["text"]["value"]


def test_sdk_stream_helper_with_an_event_handler(sdk: openai.OpenAI) -> None:
    assistant_id = _assistant(sdk, tools=[WEATHER_TOOL])

    class Recorder(AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.text = ""
            self.tool_calls: list[str] = []

        def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            self.text += delta.value or ""

        def on_tool_call_done(self, tool_call: Any) -> None:
            self.tool_calls.append(tool_call.type)

    thread_id = _thread(sdk, "What is the weather in Berlin?")
    recorder = Recorder()
    with sdk.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id, event_handler=recorder) as s:
        s.until_done()
    run = recorder.current_run
    assert run is not None and run.status == "requires_action" and recorder.tool_calls == ["function"]
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    answer = Recorder()
    with sdk.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread_id,
        run_id=run.id,
        event_handler=answer,
        tool_outputs=[{"tool_call_id": call.id, "output": "sunny, 25C"}],
    ) as s:
        s.until_done()
    assert answer.current_run is not None and answer.current_run.status == "completed"
    assert "sunny, 25C" in answer.text
    stored = sdk.beta.threads.messages.list(thread_id, run_id=run.id).data[0].content[0]
    assert stored.type == "text" and stored.text.value == answer.text


def test_create_and_poll_sleeps_on_the_clock(mock_app: TemplateRouter) -> None:
    client = conforming_client(mock_app)
    slept = sleep_on_the_clock(client)
    run = client.beta.threads.create_and_run_poll(
        assistant_id=_assistant(client), thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert run.status == "completed" and sum(slept) == 2.0
