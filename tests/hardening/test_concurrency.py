"""Concurrency on DynamoDB Local: 16 clients creating and updating one resource type at once (vector store
files, thread messages, project users) lose nothing, duplicate nothing, keep counters exact and lists complete.
(Every vector store file attach is a conditional write of the same store item; that item keeps aggregate
counters only, so 16 × 500 files fit with room.)

The suite runs 16 clients × a few operations; `HARDENING_OPS_PER_CLIENT=500` (what `make fuzz` sets) runs
the full 16 × 500 and prints the figures recorded in docs/reliability.md."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter, build_app
from openai_mock.resources.organization import invites
from openai_mock.resources.organization.core import organization
from openai_mock.store import get_store
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key
from tests.conftest import TEMPLATE
from tests.support.loop import run_on_private_loop

CLIENTS = 16
OPS_PER_CLIENT = int(os.environ.get("HARDENING_OPS_PER_CLIENT", "12"))
ADMIN_KEY = "sk-admin-concurrency"


def _async_client(app: TemplateRouter, key: str) -> openai.AsyncOpenAI:
    transport = httpx.ASGITransport(app=app)
    http = httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=120)
    return openai.AsyncOpenAI(
        base_url="http://testserver/v1", api_key=key, admin_api_key=key, http_client=http, max_retries=0
    )


def _run(workers: Callable[[int], Awaitable[None]]) -> float:
    async def main() -> None:
        await asyncio.gather(*(workers(index) for index in range(CLIENTS)))

    started = time.perf_counter()
    run_on_private_loop(main())
    return time.perf_counter() - started


def _report(what: str, operations: int, seconds: float) -> None:
    print(
        f"\n{what}: {CLIENTS} clients × {operations // CLIENTS} = {operations} operations in {seconds:.1f} s "
        f"({operations / seconds:.0f} ops/s) on DynamoDB Local"
    )


async def _all_pages(first: Any) -> list[Any]:
    return [item async for item in first]


def test_vector_store_files_created_concurrently_are_all_counted(on_dynamodb_local: str) -> None:
    app = build_app(TEMPLATE)
    clock.freeze()
    client = _async_client(app, "sk-concurrency")
    store = run_on_private_loop(client.vector_stores.create(name="contended"))
    created: list[list[str]] = [[] for _ in range(CLIENTS)]

    async def worker(index: int) -> None:
        mine = _async_client(app, "sk-concurrency")
        for n in range(OPS_PER_CLIENT):
            file = await mine.files.create(
                file=(f"c{index}-{n}.txt", f"client {index} note {n}".encode(), "text/plain"), purpose="assistants"
            )
            attached = await mine.vector_stores.files.create(vector_store_id=store.id, file_id=file.id)
            created[index].append(attached.id)

    seconds = _run(worker)
    total = CLIENTS * OPS_PER_CLIENT
    _report("vector store files (file upload + attach)", total, seconds)

    expected = {file_id for ids in created for file_id in ids}
    assert len(expected) == total  # every create answered with its own id
    counts = run_on_private_loop(client.vector_stores.retrieve(store.id)).file_counts
    assert (counts.total, counts.in_progress) == (total, total)  # the clock is frozen: all still processing
    clock.advance(3600)  # let every file finish processing
    listed = run_on_private_loop(_all_pages(client.vector_stores.files.list(vector_store_id=store.id, limit=100)))
    listed_ids = [item.id for item in listed]
    assert len(listed_ids) == len(set(listed_ids)) == total, "lost or duplicated vector store files"
    assert set(listed_ids) == expected
    done = run_on_private_loop(client.vector_stores.retrieve(store.id))
    counts = done.file_counts
    assert (counts.total, counts.completed, counts.in_progress, counts.failed, counts.cancelled) == (
        total,
        total,
        0,
        0,
        0,
    )
    assert done.usage_bytes == sum(len(f"client {i} note {n}") for i in range(CLIENTS) for n in range(OPS_PER_CLIENT))
    item_bytes = _item_bytes(principal_for_key("sk-concurrency").tenant, store.id)
    print(f"vector store item with {total} files: {item_bytes} B on DynamoDB Local")
    assert item_bytes < 2_000  # aggregate counters only: no per-file state on the store's item


def _item_bytes(tenant: str, vector_store_id: str) -> int:
    """The stored item's size as DynamoDB counts it (attribute names + values), read back from the table."""
    store = get_store()
    assert isinstance(store, DynamoDBStore)
    item = store._get_item(tenant, "vector_store", vector_store_id)
    assert item is not None
    return sum(len(name) + len(next(iter(value.values())).encode()) for name, value in item.items())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks Assistants deprecated
def test_thread_messages_created_and_updated_concurrently(on_dynamodb_local: str) -> None:
    app = build_app(TEMPLATE)
    owner = _async_client(app, "sk-threads")
    thread = run_on_private_loop(owner.beta.threads.create(metadata={"topic": "load"}))
    per_client = max(1, OPS_PER_CLIENT // 2)  # each message is created, then its metadata updated
    created: dict[int, list[str]] = {}

    async def worker(index: int) -> None:
        mine = _async_client(app, "sk-threads")
        ids = []
        for n in range(per_client):
            message = await mine.beta.threads.messages.create(thread.id, role="user", content=f"client {index} #{n}")
            ids.append(message.id)
        for message_id in ids:
            await mine.beta.threads.messages.update(message_id, thread_id=thread.id, metadata={"seen": str(index)})
        created[index] = ids

    seconds = _run(worker)
    _report("thread messages (create + update)", CLIENTS * per_client * 2, seconds)

    listed = run_on_private_loop(_all_pages(owner.beta.threads.messages.list(thread.id, limit=100, order="asc")))
    listed_ids = [message.id for message in listed]
    expected = {message_id for ids in created.values() for message_id in ids}
    assert len(listed_ids) == len(set(listed_ids)) == CLIENTS * per_client, "lost or duplicated messages"
    assert set(listed_ids) == expected
    stamps = [message.created_at for message in listed]
    assert stamps == sorted(stamps), "list not in creation order"
    by_id = {message.id: message for message in listed}
    for index, ids in created.items():
        assert all(by_id[message_id].metadata == {"seen": str(index)} for message_id in ids), "lost message updates"
        assert all(
            by_id[message_id].content[0].text.value.startswith(f"client {index} #")  # type: ignore[union-attr]
            for message_id in ids
        )


def test_project_users_added_and_updated_concurrently(on_dynamodb_local: str) -> None:
    app = build_app(TEMPLATE)
    admin = _async_client(app, ADMIN_KEY)
    project = run_on_private_loop(admin.admin.organization.projects.create(name="Crowded"))
    principal = principal_for_key(ADMIN_KEY)
    per_client = max(1, OPS_PER_CLIENT // 2)  # each user is added (a create) then promoted (an update)

    async def invited(index: int) -> list[str]:
        ids = []
        for n in range(per_client):
            invite = await admin.admin.organization.invites.create(email=f"u{index}-{n}@example.org", role="reader")
            ids.append(invites.accept_invite(organization(principal), principal, invite.id, f"User {index}-{n}")["id"])
        return ids

    async def setup() -> list[list[str]]:
        return list(await asyncio.gather(*(invited(index) for index in range(CLIENTS))))

    pool = run_on_private_loop(setup())

    async def worker(index: int) -> None:
        mine = _async_client(app, ADMIN_KEY)
        for user_id in pool[index]:
            await mine.admin.organization.projects.users.create(project_id=project.id, user_id=user_id, role="member")
        for user_id in pool[index]:
            await mine.admin.organization.projects.users.update(user_id, project_id=project.id, role="owner")

    seconds = _run(worker)
    _report("project users (add + change role)", CLIENTS * per_client * 2, seconds)

    project_users = admin.admin.organization.projects.users
    listed = run_on_private_loop(_all_pages(project_users.list(project_id=project.id, limit=100)))
    expected = {user_id for ids in pool for user_id in ids}
    listed_ids = [user.id for user in listed]
    assert len(listed_ids) == len(set(listed_ids)), "duplicated project users"
    assert expected <= set(listed_ids), "lost project users"
    assert all(user.role == "owner" for user in listed if user.id in expected), "lost role updates"
