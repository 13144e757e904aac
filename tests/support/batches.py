"""A batch run through the official SDK: its lines uploaded as a JSONL file, the batch created and finished by the
mock clock (the tests pin it), its output or error file read back by `custom_id`."""

from __future__ import annotations

import json
from typing import Any

import openai
from openai.types import Batch

from openai_mock import clock
from tests.support.sdk import held
from tests.support.spec import assert_conforms

DONE = 10  # seconds: past the default three one-second stages


def batch_line(custom_id: str, url: str, **body: Any) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body}


def upload_batch_input(client: openai.OpenAI, lines: list[dict[str, Any]]) -> str:
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return client.files.create(file=("requests.jsonl", data), purpose="batch").id


def run_batch(client: openai.OpenAI, endpoint: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Create the batch, let it finish, and answer its raw JSON (held to the SDK's `Batch` and the spec)."""
    batch = client.batches.create(
        input_file_id=upload_batch_input(client, lines),
        endpoint=endpoint,  # type: ignore[arg-type]
        completion_window="24h",
    )
    clock.advance(DONE)
    body: dict[str, Any] = held(Batch, client.batches.with_raw_response.retrieve(batch.id))
    assert_conforms("GET", f"/v1/batches/{batch.id}", 200, body)
    assert body["status"] == "completed"
    return body


def batch_records(client: openai.OpenAI, file_id: str | None) -> dict[str, dict[str, Any]]:
    """An output or error file's records by custom_id."""
    assert file_id is not None
    records = [json.loads(line) for line in client.files.content(file_id).text.splitlines()]
    return {record["custom_id"]: record for record in records}
