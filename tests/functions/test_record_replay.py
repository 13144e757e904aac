"""Record and replay (`serve --proxy URL --record DIR`, `serve --replay DIR [--strict]`), through the official SDK.

The upstream is a second mock, in process: the recording app forwards to it through httpx's ASGI transport."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from starlette.testclient import TestClient

from openai_mock.control import fixtures
from openai_mock.local.recording import RecordReplayApp, load_recordings
from openai_mock.local.server import TemplateRouter
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SECRET_KEY = "sk-proj-recordme0123456789"
ASK: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello, please."}]
LEAKY: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Repeat sk-live-abcdefgh12345678 back to me."}]


@pytest.fixture(autouse=True)
def fresh_fixture_files() -> None:
    fixtures.reset_process_state()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recorded"


@pytest.fixture
def recording(mock_app: TemplateRouter, folder: Path) -> openai.OpenAI:
    """A mock that forwards everything to the upstream mock, saving each exchange in `folder`."""
    app = RecordReplayApp(
        mock_app, upstream="http://upstream/v1", record=folder, transport=httpx.ASGITransport(app=mock_app)
    )
    return asgi_client(app, api_key=SECRET_KEY)


def replaying(mock_app: TemplateRouter, folder: Path, *, strict: bool = True) -> openai.OpenAI:
    return asgi_client(RecordReplayApp(mock_app, replay=folder, strict=strict, speed=0), api_key=SECRET_KEY)


def files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def test_secrets_are_redacted_in_the_files(recording: openai.OpenAI, folder: Path) -> None:
    recording.chat.completions.create(model="gpt-4o-mini", messages=LEAKY)
    [saved] = files(folder)
    text = saved.read_text()
    assert SECRET_KEY not in text and "abcdefgh12345678" not in text and "recordme" not in text
    exchange = json.loads(text)["fixtures"][0]["exchange"]
    assert exchange["request"]["headers"]["authorization"] == "[redacted]"
    assert exchange["request"]["body"]["messages"][0]["content"] == "Repeat sk-[redacted] back to me."


def test_json_answer_replays_byte_identical(mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path) -> None:
    recorded = recording.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
    completion = recorded.parse()
    assert completion.choices[0].message.content
    assert_conforms("post", "/chat/completions", 200, json.loads(recorded.http_response.content), spec="2026-08-21")

    [saved] = files(folder)
    assert saved.name == "0001-post-v1_chat_completions.json"
    exchange = json.loads(saved.read_text())["fixtures"][0]["exchange"]
    assert exchange["response"]["body"]["id"] == completion.id
    assert exchange["response"]["body"]["usage"] == completion.usage.model_dump(exclude_unset=True)  # type: ignore[union-attr]

    replayed = replaying(mock_app, folder).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
    assert replayed.http_response.content == recorded.http_response.content
    assert replayed.http_response.headers["x-request-id"] == recorded.http_response.headers["x-request-id"]
    # The mock itself would have answered another completion: the replay is the recording's.
    fresh = asgi_client(mock_app).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert fresh.id != completion.id


def test_stream_replays_event_identical(mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path) -> None:
    recorded = recording.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=ASK,
        stream=True,
        stream_options={"include_usage": True},
    )
    recorded_text = recorded.http_response.read().decode()
    recorded_events = [block for block in recorded_text.split("\n\n") if block]
    assert recorded_events[-1] == "data: [DONE]"

    [saved] = files(folder)
    events = json.loads(saved.read_text())["fixtures"][0]["exchange"]["response"]["events"]
    assert len(events) == len(recorded_events)
    assert all(event["delay_ms"] >= 0 for event in events)
    assert json.loads(events[-2]["data"])["usage"]["total_tokens"] > 0  # usage kept exact

    with replaying(mock_app, folder).chat.completions.create(
        model="gpt-4o-mini",
        messages=ASK,
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        chunks = list(stream)
    assert [chunk.model_dump(exclude_unset=True) for chunk in chunks] == [
        json.loads(block[len("data: ") :]) for block in recorded_events[:-1]
    ]

    raw = TestClient(RecordReplayApp(mock_app, replay=folder, speed=0), base_url="http://testserver").post(
        "/v1/chat/completions",
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        json={"model": "gpt-4o-mini", "messages": ASK, "stream": True, "stream_options": {"include_usage": True}},
    )
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert [block for block in raw.text.split("\n\n") if block] == recorded_events


def test_binary_answer_is_saved_beside_and_replayed(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    speech = recording.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input="Hello there.")
    audio = speech.read()
    assert len(audio) > 100

    saved, sound = files(folder)
    assert (saved.suffix, sound.suffix) == (".json", ".mp3")
    assert sound.read_bytes() == audio
    assert json.loads(saved.read_text())["fixtures"][0]["exchange"]["response"]["file"] == sound.name

    again = replaying(mock_app, folder).audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input="Hello there."
    )
    assert again.read() == audio


def test_identical_requests_replay_in_recorded_order(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    first = recording.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    second = recording.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert first.id != second.id
    assert [path.name[:4] for path in files(folder)] == ["0001", "0002"]

    replay = replaying(mock_app, folder)
    ids = [replay.chat.completions.create(model="gpt-4o-mini", messages=ASK).id for _ in range(3)]
    assert ids == [first.id, second.id, second.id]  # then the last one again


def test_strict_replay_answers_404_for_an_unrecorded_request(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    recording.models.list()
    strict = replaying(mock_app, folder)
    assert strict.models.list().data  # recorded: GET /v1/models

    with pytest.raises(openai.NotFoundError) as raised:
        strict.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "never recorded"}])
    body = raised.value.response.json()
    assert body == {
        "error": {
            "message": "No recorded exchange matches POST /v1/chat/completions (openai-mock serve --replay --strict).",
            "type": "invalid_request_error",
            "param": None,
            "code": "unrecorded_request",
        }
    }

    # Not strict: the mock answers what was not recorded.
    lenient = replaying(mock_app, folder, strict=False)
    answer = lenient.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content


def test_a_matching_fixture_answers_locally_and_is_not_recorded(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    http = TestClient(mock_app, base_url="http://testserver")
    created = http.post(
        "/__mock/fixtures",
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        json={"match": {"contains": "hello"}, "response": {"content": "From the fixture."}},
    )
    assert created.status_code == 200, created.text
    answer = recording.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert answer.choices[0].message.content == "From the fixture."
    assert not folder.exists() or files(folder) == []


def test_recorded_files_load_as_fixtures(mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path) -> None:
    recording.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    [saved] = files(folder)
    [exchange] = load_recordings(folder)
    assert exchange["request"]["method"] == "POST"

    # The admin API takes a recorded fixture as it is; it never changes what the mock generates.
    http = TestClient(mock_app, base_url="http://testserver")
    entry = json.loads(saved.read_text())["fixtures"][0]
    created = http.post("/__mock/fixtures", headers={"Authorization": "Bearer sk-test"}, json=entry)
    assert created.status_code == 200, created.text
    assert created.json()["exchange"]["response"]["status"] == 200
    answer = asgi_client(mock_app).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert answer.id != entry["exchange"]["response"]["body"]["id"]


def test_unreachable_upstream_is_a_502_in_openai_shape(mock_app: TemplateRouter, tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = RecordReplayApp(mock_app, upstream="http://upstream/v1", transport=httpx.MockTransport(refuse))
    with pytest.raises(openai.APIStatusError) as raised:
        asgi_client(app).models.list()
    assert raised.value.status_code == 502
    assert raised.value.response.json()["error"]["type"] == "server_error"


def test_responses_stream_with_named_events_replays_event_identical(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    with recording.responses.create(model="gpt-4o-mini", input="Count to three.", stream=True) as stream:
        recorded = [event.model_dump(exclude_unset=True) for event in stream]
    assert recorded[-1]["type"] == "response.completed"
    [saved] = files(folder)
    events = json.loads(saved.read_text())["fixtures"][0]["exchange"]["response"]["events"]
    assert [event.get("event") for event in events] == [event["type"] for event in recorded]

    with replaying(mock_app, folder).responses.create(
        model="gpt-4o-mini", input="Count to three.", stream=True
    ) as again:
        assert [event.model_dump(exclude_unset=True) for event in again] == recorded


# --------------------------------------------------------------------------------------------- drift


def run_drift(folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    from openai_mock.local import cli

    monkeypatch.setenv("OPENAI_MOCK_STORE", "memory")  # restored after the test, as the command sets it
    with pytest.raises(SystemExit) as exited:
        cli.main(["drift", str(folder)])
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def record_a_session(recording: openai.OpenAI) -> None:
    recording.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    list(recording.chat.completions.create(model="gpt-4o-mini", messages=ASK, stream=True))
    recording.models.list()
    list(recording.responses.create(model="gpt-4o-mini", input="Count to three.", stream=True))
    recording.embeddings.create(model="text-embedding-3-small", input="hello")


def test_drift_finds_no_difference_on_a_clean_recording(
    recording: openai.OpenAI, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record_a_session(recording)
    assert len(files(folder)) == 5
    # The SDK hangs up on [DONE]; the stream's recording is whole all the same.
    events = json.loads(files(folder)[1].read_text())["fixtures"][0]["exchange"]["response"]["events"]
    assert events[-1]["data"] == "[DONE]"
    code, out = run_drift(folder, capsys, monkeypatch)
    assert (code, out) == (0, "openai-mock drift: 5 recorded exchanges, no differences\n")


def test_drift_reports_planted_differences_with_exit_code_1(
    recording: openai.OpenAI, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record_a_session(recording)
    chat, stream = files(folder)[0], files(folder)[1]
    document = json.loads(chat.read_text())
    body = document["fixtures"][0]["exchange"]["response"]["body"]
    body.update(created=str(body["created"]), brand_new=1, system_fingerprint=None, object="chat.completion.v2")
    document["fixtures"][0]["exchange"]["response"]["headers"]["openai-planted"] = "1"
    chat.write_text(json.dumps(document))
    document = json.loads(stream.read_text())
    document["fixtures"][0]["exchange"]["response"]["events"].insert(1, {"event": "ping", "data": "{}"})
    stream.write_text(json.dumps(document))

    code, out = run_drift(folder, capsys, monkeypatch)
    assert code == 1
    assert out.splitlines() == [
        f"{chat.name}: header openai-planted: recorded, missing in the mock",
        f"{chat.name}: body $.brand_new: recorded, missing in the mock",
        f"{chat.name}: body $.created: type string recorded, number in the mock",
        f"{chat.name}: body $.object: recorded ['chat.completion.v2'], the mock answers ['chat.completion']",
        f"{chat.name}: body $.system_fingerprint: null in the recording, never null in the mock",
        f"{stream.name}: event ping: recorded, never sent by the mock",
        "openai-mock drift: 5 recorded exchanges, 6 differences in 2",
    ]


def test_drift_of_a_missing_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run_drift(tmp_path / "nowhere", capsys, monkeypatch)
    assert code == 2
    assert out == f"openai-mock: error: {tmp_path / 'nowhere'}: no such folder\n"


def test_multipart_upload_and_file_content_round_trip(
    mock_app: TemplateRouter, recording: openai.OpenAI, folder: Path
) -> None:
    data = b'{"prompt": "a", "completion": "b"}\n'
    uploaded = recording.files.create(file=("train.jsonl", data), purpose="fine-tune")
    content = recording.files.content(uploaded.id).read()
    assert content == data

    upload_file, content_bytes, content_file = files(folder)  # sorted: .bin before .json
    assert upload_file.name == "0001-post-v1_files.json"
    request = json.loads(upload_file.read_text())["fixtures"][0]["exchange"]["request"]
    assert "body" not in request and "body_sha256" not in request  # a multipart body is not compared
    assert content_file.name == f"0002-get-v1_files_{uploaded.id.replace('-', '_')}_content.json"
    assert content_bytes.read_bytes() == data

    replay = replaying(mock_app, folder)
    assert replay.files.create(file=("other.jsonl", b"{}\n"), purpose="fine-tune").id == uploaded.id
    assert replay.files.content(uploaded.id).read() == data


def test_the_callers_key_reaches_the_upstream_and_never_the_file(mock_app: TemplateRouter, folder: Path) -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"object": "list", "data": [], "has_more": False, "echo": request.headers["authorization"]}
        return httpx.Response(200, json=body, headers={"openai-organization": "org-real", "set-cookie": "a=b"})

    app = RecordReplayApp(
        mock_app, upstream="https://api.example.test/v1", record=folder, transport=httpx.MockTransport(upstream)
    )
    answer = TestClient(app, base_url="http://testserver").get(
        "/v1/models?limit=2", headers={"Authorization": f"Bearer {SECRET_KEY}", "Cookie": "session=1"}
    )
    assert answer.json()["echo"] == f"Bearer {SECRET_KEY}"  # relayed to the caller as the upstream sent it
    [request] = seen
    assert str(request.url) == "https://api.example.test/v1/models?limit=2"
    assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert request.headers["cookie"] == "session=1"

    [saved] = files(folder)
    exchange = json.loads(saved.read_text())["fixtures"][0]["exchange"]
    assert exchange["request"]["path"] == "/v1/models?limit=2"
    assert exchange["request"]["headers"]["cookie"] == "[redacted]"
    assert exchange["response"]["headers"]["openai-organization"] == "[redacted]"
    assert exchange["response"]["headers"]["set-cookie"] == "[redacted]"
    assert exchange["response"]["body"]["echo"] == "Bearer sk-[redacted]"
    assert SECRET_KEY not in saved.read_text()


@pytest.mark.parametrize(("speed", "expected"), [(1.0, [0.25, 0.5]), (2.0, [0.125, 0.25]), (0.0, [])])
def test_replay_speed_scales_the_recorded_event_timings(
    mock_app: TemplateRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speed: float, expected: list[float]
) -> None:
    from openai_mock.local import recording

    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(recording, "sleep", record)
    exchange = {
        "request": {"method": "POST", "path": "/v1/chat/completions", "body": {"model": "m", "stream": True}},
        "response": {
            "status": 200,
            "headers": {"content-type": "text/event-stream; charset=utf-8"},
            "events": [
                {"data": '{"a":1}', "delay_ms": 250},
                {"data": '{"a":2}', "delay_ms": 0},
                {"data": "[DONE]", "delay_ms": 500},
            ],
        },
    }
    (tmp_path / "0001-post-v1_chat_completions.json").write_text(json.dumps({"fixtures": [{"exchange": exchange}]}))
    app = RecordReplayApp(mock_app, replay=tmp_path, strict=True, speed=speed)
    answer = TestClient(app, base_url="http://testserver").post(
        "/v1/chat/completions", headers={"Authorization": "Bearer sk-test"}, json={"stream": True, "model": "m"}
    )
    assert answer.text == 'data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n'
    assert slept == expected


def test_drift_reads_a_json_answer_kept_as_text(
    recording: openai.OpenAI, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real answers may be laid out otherwise (indented, a trailing newline): kept as `text`, compared as JSON."""
    recording.embeddings.create(model="text-embedding-3-small", input="hello")
    [saved] = files(folder)
    document = json.loads(saved.read_text())
    response = document["fixtures"][0]["exchange"]["response"]
    body = response.pop("body")
    body["usage"]["prompt_tokens"] = None
    response["text"] = json.dumps(body, indent=2) + "\n"
    saved.write_text(json.dumps(document))
    code, out = run_drift(folder, capsys, monkeypatch)
    assert code == 1
    assert (
        out.splitlines()[0]
        == f"{saved.name}: body $.usage.prompt_tokens: null in the recording, never null in the mock"
    )
