"""Two `openai-mock serve` processes on one store agree on everything, as two Lambda containers of a hosted mock
(one DynamoDB (Local) and one blob folder) or two local servers on one SQLite file (`--store sqlite:PATH`) must:
objects and bytes, fixtures and their counts, quotas, usage, reset, the tenant's clock (a fine-tuned model appears on
the other process without anyone reading its job), and objects over DynamoDB's item limit. Every check creates
on one process and reads (or counts) on the other."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.support.dynamodb_local import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, DynamoDBLocal

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, store: list[str]) -> None:
        self.port = _free_port()
        env = {name: value for name, value in os.environ.items() if not name.startswith(("OPENAI_MOCK_", "AWS_"))}
        env.update(
            AWS_ACCESS_KEY_ID=DUMMY_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY=DUMMY_SECRET_ACCESS_KEY,
            AWS_DEFAULT_REGION="us-east-1",
        )
        command = [
            sys.executable, "-m", "openai_mock", "serve", "--template", str(REPO / "template.yaml"),
            "--port", str(self.port), *store,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"openai-mock serve exited: {output}")
            try:
                httpx.get(f"{self.url}/v1/models", headers={"Authorization": "Bearer sk-ready"}, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("openai-mock serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def client(self, key: str, *, admin: bool = False) -> openai.OpenAI:
        admin_key = {"admin_api_key": key} if admin else {}
        return openai.OpenAI(base_url=f"{self.url}/v1", api_key=key, max_retries=0, timeout=60, **admin_key)

    def control(self, method: str, path: str, key: str, body: Any = None) -> Any:
        answer = httpx.request(
            method, f"{self.url}/__mock{path}", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module", params=["sqlite", "dynamodb-local"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    folder = tmp_path_factory.mktemp("store")
    if request.param == "sqlite":
        store = ["--store", f"sqlite:{folder / 'store.sqlite3'}"]  # bytes in the folder beside it
    else:
        dynamodb: DynamoDBLocal = request.getfixturevalue("dynamodb_local")
        store = ["--store", "dynamodb", "--dynamodb-endpoint", dynamodb.endpoint_url]
        store += ["--table", "openai-mock-two-processes", "--blob-dir", str(folder / "blobs")]
    first = Server(store)
    first.wait()  # it creates the table; the second finds it
    second = Server(store)
    try:
        second.wait()
        yield first, second
    finally:
        first.stop()
        second.stop()


def _ask(client: openai.OpenAI) -> str | None:
    return client.chat.completions.create(model="gpt-4o-mini", messages=ASK).choices[0].message.content  # type: ignore[arg-type]


def test_files_vector_stores_and_search_across_processes(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-vector"
    uploaded = a.client(key).files.create(
        file=("cats.txt", b"Cats purr when they are content. Dogs bark at the mail carrier."), purpose="assistants"
    )
    assert b.client(key).files.content(uploaded.id).read().startswith(b"Cats purr")  # the bytes, on the other
    store = b.client(key).vector_stores.create(name="pets", file_ids=[uploaded.id])
    a.control("POST", "/clock", key, {"advance_seconds": 60})  # past the indexing time, on both
    assert a.client(key).vector_stores.retrieve(store.id).file_counts.completed == 1
    results = a.client(key).vector_stores.search(store.id, query="Why do cats purr?")
    assert results.data and results.data[0].file_id == uploaded.id


def test_fixtures_and_their_counts_across_processes(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-fixtures"
    a.control(
        "POST", "/fixtures", key, {"match": {"contains": "weather"}, "response": {"content": "Sunny."}, "times": 2}
    )
    assert _ask(b.client(key)) == "Sunny."
    assert _ask(a.client(key)) == "Sunny."
    assert _ask(b.client(key)) != "Sunny."  # two times, counted by both processes together
    [fixture] = b.control("GET", "/fixtures", key)["data"]
    assert fixture["matched"] == 3


def test_a_fixture_changed_on_one_process_answers_so_on_the_other(servers: tuple[Server, Server]) -> None:
    """Each process keeps its copy of a tenant's fixtures while their stamp stands: every change, on any process,
    is seen by the other's next request."""
    a, b = servers
    key = "sk-two-fixture-changes"
    sunny = a.control("POST", "/fixtures", key, {"match": {"contains": "weather"}, "response": {"content": "Sunny."}})
    assert _ask(b.client(key)) == "Sunny."
    assert _ask(b.client(key)) == "Sunny."  # from b's copy
    a.control("DELETE", f"/fixtures/{sunny['id']}", key)
    assert _ask(b.client(key)) not in ("Sunny.", None)
    a.control("POST", "/fixtures", key, {"match": {"contains": "weather"}, "response": {"content": "Rainy."}})
    assert _ask(b.client(key)) == "Rainy."
    a.control("DELETE", "/fixtures", key)
    assert _ask(b.client(key)) != "Rainy."
    a.control("POST", "/fixtures", key, {"match": {"contains": "weather"}, "response": {"content": "Windy."}})
    assert _ask(b.client(key)) == "Windy."
    a.control("POST", "/reset", key)
    assert _ask(b.client(key)) != "Windy."


def test_a_quota_is_split_across_processes(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-quotas"
    # the tenant's clock to a minute's start: the four requests fall in one window of the quota
    a.control("POST", "/clock", key, {"advance_seconds": 61 - int(time.time()) % 60})
    a.control("POST", "/quotas", key, {"requests_per_minute": 3})
    _ask(a.client(key))
    _ask(b.client(key))
    _ask(a.client(key))
    with pytest.raises(openai.RateLimitError) as refused:
        _ask(b.client(key))
    assert "Limit 3, Used 3, Requested 1" in str(refused.value)


def test_usage_recorded_by_both_processes_at_once_adds_up(servers: tuple[Server, Server]) -> None:
    """Every chat adds to its minute's usage record: requests of both processes at once lose none of it."""
    a, b = servers
    admin = "sk-admin-two-usage"
    organization = a.client(admin, admin=True).admin.organization
    project = organization.projects.create(name="Both processes")
    secret = organization.projects.service_accounts.create(project.id, name="app").api_key.value  # type: ignore[union-attr]
    asked: list[int] = []

    def ask(server: Server) -> None:
        for _ in range(5):
            answer = server.client(secret).chat.completions.create(model="gpt-4o-mini", messages=ASK)  # type: ignore[arg-type]
            asked.append(answer.usage.completion_tokens)  # type: ignore[union-attr]

    threads = [threading.Thread(target=ask, args=(server,)) for server in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = b.client(admin, admin=True).admin.organization.usage.completions(
        start_time=int(time.time()) - 3600, bucket_width="1h", group_by=["project_id"]
    )
    results = [result for bucket in usage.data for result in bucket.results if result.project_id == project.id]
    assert sum(result.num_model_requests for result in results) == len(asked) == 20  # type: ignore[union-attr]
    assert sum(result.output_tokens for result in results) == sum(asked)  # type: ignore[union-attr]


def test_reset_on_one_process_clears_the_other(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-reset"
    a.client(key).files.create(file=("a.txt", b"hello"), purpose="assistants")
    a.control("POST", "/fixtures", key, {"match": {"contains": "weather"}, "response": {"content": "Sunny."}})
    a.control("POST", "/quotas", key, {"requests_per_minute": 1})
    _ask(a.client(key))
    a.control("POST", "/clock", key, {"advance_seconds": 30})
    b.control("POST", "/reset", key)
    assert a.client(key).files.list().data == []
    assert a.control("GET", "/fixtures", key)["data"] == []
    assert a.control("GET", "/clock", key)["offset_seconds"] == 0
    a.control("POST", "/quotas", key, {"requests_per_minute": 1})
    assert _ask(a.client(key))  # the window's count went with the reset: one request is allowed again


def test_a_fine_tuned_model_appears_on_the_other_process_after_a_clock_move(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-fine-tuning"
    lines = [
        {"messages": [{"role": "user", "content": f"{i} spiders?"}, {"role": "assistant", "content": f"{8 * i} legs."}]}
        for i in range(1, 13)
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    training = a.client(key).files.create(file=("train.jsonl", data), purpose="fine-tune")
    job = a.client(key).fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    assert not [model.id for model in b.client(key).models.list() if model.id.startswith("ft:")]
    a.control("POST", "/clock", key, {"advance_seconds": 3 * 3600})
    listed = [model.id for model in b.client(key).models.list() if model.id.startswith("ft:")]  # nobody read the job
    assert len(listed) == 1
    assert a.client(key).fine_tuning.jobs.retrieve(job.id).fine_tuned_model == listed[0]
    a.client(key).models.delete(listed[0])  # b keeps a copy of the tenant's fine-tuned models: the delete is seen
    assert not [model.id for model in b.client(key).models.list() if model.id.startswith("ft:")]


def test_a_500_kb_stored_chat_completion_across_processes(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-big"
    text = "The quick brown fox jumps over the lazy dog, then reads the manual twice. " * 6800
    assert len(text) > 500_000
    completion = a.client(key).chat.completions.create(
        model="gpt-4.1-mini", store=True, messages=[{"role": "user", "content": text}]
    )
    assert b.client(key).chat.completions.messages.list(completion.id).data[0].content == text


WEATHER_TOOL: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
SELF_HOSTED: Any = {"type": "self_hosted", "workspace_directory": "/workspace"}


def test_an_agent_session_subscribed_on_one_process_runs_the_turn_sent_to_the_other(
    servers: tuple[Server, Server],
) -> None:
    """The SDK's `sessions.stream()` against b (subscribe, then send), its input and tool results handled by b while
    a sends a second session's input and b's subscription watches the store: the live stream sees what a did."""
    a, b = servers
    key = "sk-two-agents"
    agent = a.client(key).beta.agents.create(model="gpt-4o", tools=[WEATHER_TOOL])
    session = b.client(key).beta.agents.sessions.create(agent_id=agent.id, environment=SELF_HOSTED)
    with b.client(key).beta.agents.sessions.stream(
        session.id,
        input="What is the weather in Lisbon?",
        tool_handlers={"get_weather": lambda arguments: f"Sunny in {arguments['city']}"},
    ) as stream:
        kinds = [event.type for event in stream]
    assert kinds[-2:] == ["agent.session.turn.completed", "agent.session.idle"]
    items = a.client(key).beta.agents.sessions.items.list(session.id, order="asc").data
    assert [item.type for item in items] == ["message", "function_call", "function_call_output", "message"]

    watched: list[str] = []
    second = a.client(key).beta.agents.sessions.create(agent_id=agent.id, environment=SELF_HOSTED)
    with httpx.stream(
        "GET",
        f"{b.url}/v1/agents/sessions/{second.id}/events",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    ) as events:
        lines = (line for line in events.iter_lines() if line.startswith("data: "))
        watched.append(json.loads(next(lines).removeprefix("data: "))["type"])  # its state: idle
        joke = [{"role": "user", "content": [{"type": "input_text", "text": "Tell me a joke."}]}]
        message = {"type": "agent.session.input.message", "input": joke}
        sent = httpx.post(
            f"{a.url}/v1/agents/sessions/{second.id}/events",
            json={"events": [message]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert sent.status_code == 202
        watched += [json.loads(line.removeprefix("data: "))["type"] for line in lines]
    assert watched[0] == "agent.session.idle" and watched[1] == "agent.session.turn.created"
    assert watched[-1] == "agent.session.idle"


def test_an_automation_due_fires_once_whichever_process_reads_it(servers: tuple[Server, Server]) -> None:
    a, b = servers
    key = "sk-two-automations"
    agent = a.client(key).beta.agents.create(model="gpt-4o")
    automation = a.client(key).beta.agents.automations.create(
        type="periodic",
        name="hourly",
        expression="0 * * * *",
        timezone="UTC",
        target={
            "type": "new_session",
            "agent_id": agent.id,
            "environment": SELF_HOSTED,
            "input": [{"role": "user", "content": [{"type": "input_text", "text": "Status?"}]}],
        },
    )
    a.control("POST", "/clock", key, {"advance_seconds": 3600})
    listed: list[list[str]] = []

    def read(server: Server) -> None:
        page = server.client(key).beta.agents.automations.invocations.list(automation.id)
        listed.append([invocation.id for invocation in page.data])

    readers = [threading.Thread(target=read, args=(server,)) for server in (a, b, a, b)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    [invocation_id] = {tuple(ids) for ids in listed}.pop()  # every reader saw the same one invocation
    invocation = b.client(key).beta.agents.automations.invocations.retrieve(invocation_id, automation_id=automation.id)
    assert invocation.session_id and b.client(key).beta.agents.sessions.retrieve(invocation.session_id)
