"""DynamoDB calls per operation of the hosted mock: on Lambda each is a network round trip. Each operation is made
twice through the official SDK, in-process, into the app `openai-mock serve` runs with the DynamoDB store under
moto; the second call's DynamoDB calls are listed by name (the first fills what a warm container keeps: a
collection's registration, copies, a tenant's first stamps). The count includes the request's first reads (one
`BatchGetItem`) and its journal entry (a `PutItem`); calls made at the same time are not told apart here
(bench/aws_round_trips.py measures what a request waits for in turn, on DynamoDB Local).

Usage: python bench/aws_calls.py [--tree PATH] [--base PATH] [--json PATH]. `--tree` counts another checkout of the
repository (say the code before a change, from `git worktree add`), `--base` a second one beside it in the same
table."""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TABLE, BUCKET = "aws-calls", "aws-calls-blobs"
BATCH_LINE = (
    b'{"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", '
    b'"body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello?"}]}}\n'
)
TRAINING = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n' * 10
CRITERIA = [{"type": "string_check", "name": "same", "input": "{{item.q}}", "operation": "eq", "reference": "x"}]
EVAL_SOURCE = {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"q": "x"}}]}}
HI = [{"role": "user", "content": "Hello?"}]


def operations(client: Any, admin: Any) -> list[tuple[str, Callable[[], Any]]]:
    """(name, call) in order; a call may use what an earlier one made (the objects are made here, once)."""
    c = client
    rows = {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"q": "x"}}] * 100}}
    file = c.files.create(file=("notes.txt", b"Notes to search. " * 40), purpose="assistants")
    attachable = [c.files.create(file=(f"n{n}.txt", b"More notes. " * 40), purpose="assistants") for n in range(2)]
    store = c.vector_stores.create(name="notes")
    c.vector_stores.files.create(vector_store_id=store.id, file_id=file.id)
    batch_file = c.files.create(file=("in.jsonl", BATCH_LINE), purpose="batch")
    training = c.files.create(file=("train.jsonl", TRAINING), purpose="fine-tune")
    assistant = c.beta.assistants.create(model="gpt-4o-mini")
    thread, talk = c.beta.threads.create(messages=HI), c.beta.threads.create()
    response = c.responses.create(model="gpt-4o-mini", input="Hello?")
    conversation = c.conversations.create()
    container = c.containers.create(name="work")
    stored = c.containers.files.create(container.id, file=("a.txt", b"hello"))
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    evaluation = c.evals.create(
        name="e", data_source_config={"type": "custom", "item_schema": schema}, testing_criteria=CRITERIA
    )
    job = c.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)
    batch = c.batches.create(input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h")
    run = c.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    upload = c.uploads.create(bytes=1_000_000, filename="a.jsonl", mime_type="text/jsonl", purpose="batch")
    return [
        ("models.list", lambda: c.models.list()),
        ("chat.completions.create", lambda: c.chat.completions.create(model="gpt-4o-mini", messages=HI)),
        ("chat (store)", lambda: c.chat.completions.create(model="gpt-4o-mini", messages=HI, store=True)),
        ("embeddings.create", lambda: c.embeddings.create(model="text-embedding-3-small", input="Hello?")),
        ("moderations.create", lambda: c.moderations.create(input="Hello?")),
        ("images.generate", lambda: c.images.generate(model="dall-e-2", prompt="A cat", size="256x256")),
        ("responses.create", lambda: c.responses.create(model="gpt-4o-mini", input="Hello?")),
        (
            "responses (previous)",
            lambda: c.responses.create(model="gpt-4o-mini", input="And?", previous_response_id=response.id),
        ),
        (
            "responses (conversation)",
            lambda: c.responses.create(model="gpt-4o-mini", input="Hi", conversation=conversation.id),
        ),
        ("responses (background)", lambda: c.responses.create(model="gpt-4o-mini", input="Hi", background=True)),
        ("responses.retrieve", lambda: c.responses.retrieve(response.id)),
        ("responses.input_items.list", lambda: c.responses.input_items.list(response.id)),
        ("conversations.items.list", lambda: c.conversations.items.list(conversation.id)),
        ("files.create", lambda: c.files.create(file=("a.txt", b"hello"), purpose="assistants")),
        ("files.retrieve", lambda: c.files.retrieve(file.id)),
        ("files.list", lambda: c.files.list()),
        ("files.content", lambda: c.files.content(file.id).read()),
        (
            "vector_stores.files.create",
            lambda: c.vector_stores.files.create(vector_store_id=store.id, file_id=attachable.pop().id),
        ),
        ("vector_stores.files.retrieve", lambda: c.vector_stores.files.retrieve(file.id, vector_store_id=store.id)),
        ("vector_stores.search", lambda: c.vector_stores.search(store.id, query="notes")),
        (
            "batches.create",
            lambda: c.batches.create(
                input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
            ),
        ),
        ("batches.retrieve", lambda: c.batches.retrieve(batch.id)),
        (
            "fine_tuning.jobs.create",
            lambda: c.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id),
        ),
        ("fine_tuning.jobs.retrieve", lambda: c.fine_tuning.jobs.retrieve(job.id)),
        ("threads.messages.create", lambda: c.beta.threads.messages.create(talk.id, role="user", content="Hi")),
        (
            "threads.runs.create",
            lambda: c.beta.threads.runs.create(thread_id=c.beta.threads.create().id, assistant_id=assistant.id),
        ),
        ("threads.runs.retrieve", lambda: c.beta.threads.runs.retrieve(run.id, thread_id=thread.id)),
        ("containers.files.retrieve", lambda: c.containers.files.retrieve(stored.id, container_id=container.id)),
        ("evals.runs.create", lambda: c.evals.runs.create(evaluation.id, name="r", data_source=EVAL_SOURCE)),
        ("evals.runs.create (100 rows)", lambda: c.evals.runs.create(evaluation.id, name="r", data_source=rows)),
        ("projects.create", lambda: admin.admin.organization.projects.create(name="Bench")),
        ("projects.list", lambda: admin.admin.organization.projects.list()),
        ("videos.create", lambda: c.videos.create(model="sora-2", prompt="A lighthouse at dusk")),
        ("uploads.parts.create", lambda: c.uploads.parts.create(upload.id, data=b"{}\n")),
    ]


def _count(tree: str, results: Any) -> None:
    """One process with `tree`'s code: each operation's DynamoDB calls, by name."""
    sys.path[:0] = [tree, f"{tree}/shared", str(REPO)]
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
        OPENAI_MOCK_STORE="dynamodb", OPENAI_MOCK_TABLE_NAME=TABLE, OPENAI_MOCK_BUCKET_NAME=BUCKET,
    )  # fmt: skip
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        from openai_mock.local.server import build_app
        from openai_mock.store import get_store
        from openai_mock.store.dynamodb import create_table
        from tests.support.sdk import asgi_client

        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        app = build_app(Path(tree) / "template.yaml")
        client = asgi_client(app, api_key="sk-aws-calls")
        admin = asgi_client(app, api_key="sk-admin-aws-calls", admin_api_key="sk-admin-aws-calls")
        calls: list[str] = []
        dynamodb = get_store()._client._client  # type: ignore[attr-defined]  # the boto3 client behind the guard
        dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
        counted = {}
        for name, call in operations(client, admin):
            call()
            calls.clear()
            call()
            counted[name] = dict(sorted(collections.Counter(calls).items()))
        results.put(counted)


def count(tree: str) -> dict[str, dict[str, int]]:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: the tree's own modules
    results = context.Queue()
    process = context.Process(target=_count, args=(tree, results))
    process.start()
    counted: dict[str, dict[str, int]] = results.get(timeout=600)
    process.join()
    return counted


def _listed(calls: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{number}" if number > 1 else name for name, number in calls.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(REPO))
    parser.add_argument("--base", default=None, help="another checkout, counted beside it")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    trees = {"tree": str(Path(args.tree).resolve())}
    if args.base:
        trees["base"] = str(Path(args.base).resolve())
    counted = {role: count(path) for role, path in trees.items()}
    if args.base:
        print("| operation | base | tree | calls (tree) |\n|---|---|---|---|")
        for name, calls in counted["tree"].items():
            before = sum(counted["base"].get(name, {}).values())
            print(f"| {name} | {before} | {sum(calls.values())} | {_listed(calls)} |")
    else:
        print("| operation | calls | by name |\n|---|---|---|")
        for name, calls in counted["tree"].items():
            print(f"| {name} | {sum(calls.values())} | {_listed(calls)} |")
    if args.json:
        args.json.write_text(json.dumps({"trees": trees, **counted}, indent=2) + "\n")


if __name__ == "__main__":
    main()
