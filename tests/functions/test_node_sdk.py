"""The official Node SDK (`openai` 7.60.0 on npm, tests/node) against the mock's local server on a real socket: each
scenario of tests/node/judge.mjs drives the SDK and prints a summary of what it parsed, checked here.

Never skipped: without node or tests/node/node_modules the tests fail and say to run `make node-sdk` (the only
place npm runs; the tests themselves never touch the network)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from tests.support.live_server import live_server_fixture
from tests.support.node_judge import JUDGE, Summary, node, run_judge

base_url = live_server_fixture()


def _models(summary: Summary) -> None:
    assert summary["count"] > 100  # the whole catalogue, iterated with `for await`
    assert summary["unique"] == summary["count"]
    assert summary["has"] is True
    assert summary["retrieved"]


def _chat(summary: Summary) -> None:
    assert summary["id"].startswith("chatcmpl-")
    assert summary["object"] == "chat.completion"
    assert summary["model"] == "gpt-4o-mini"
    assert summary["role"] == "assistant"
    assert "Ada" in summary["text"]
    assert summary["finish_reason"] == "stop"
    usage = summary["usage"]
    assert usage["prompt_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def _chat_stream(summary: Summary) -> None:
    assert summary["chunks"] > 3
    assert summary["streamed"]
    assert summary["text"] == summary["streamed"]  # finalChatCompletion() put the deltas back together
    assert summary["id"].startswith("chatcmpl-")
    assert summary["finish_reason"] == "stop"
    assert summary["total_tokens"] > 0  # the usage chunk of include_usage


def _chat_tools(summary: Summary) -> None:
    assert summary["first_finish_reason"] == "tool_calls"
    assert summary["tool"] == "get_weather"
    assert summary["arguments"] == {"city": "Paris"}
    assert summary["call_id"].startswith("call_")
    assert summary["final_finish_reason"] == "stop"
    assert "Sunny and 24 degrees" in summary["final_text"]  # the answer reads the tool's result


def _structured_output(summary: Summary) -> None:
    assert set(summary["parsed"]) == {"name", "population", "coastal"}
    assert summary["types"] == {"name": "string", "population": "number", "coastal": "boolean"}
    assert summary["parsed"]["population"] == int(summary["parsed"]["population"])


def _responses(summary: Summary) -> None:
    assert summary["id"].startswith("resp_")
    assert summary["object"] == "response"
    assert summary["status"] == "completed"
    assert "owls" in summary["output_text"]  # the SDK's output_text, joined from the message's parts
    assert summary["output_types"] == ["message"]
    assert summary["input_tokens"] > 0
    assert summary["output_tokens"] > 0


def _responses_stream(summary: Summary) -> None:
    assert summary["first"] == "response.created"
    assert summary["last"] == "response.completed"
    assert summary["deltas"] > 3
    assert summary["output_text"] == summary["streamed"]
    assert summary["status"] == "completed"
    assert "rivers" in summary["output_text"]


def _responses_continuation(summary: Summary) -> None:
    assert summary["previous_response_id"] == summary["first_id"]
    assert "Ada" in summary["output_text"]  # the earlier turn was read
    first, second = summary["input_tokens"]
    assert second > first  # and billed as context
    assert summary["input_items"] == 1


def _conversations(summary: Summary) -> None:
    assert summary["id"].startswith("conv_")
    assert summary["object"] == "conversation"
    assert summary["metadata"] == {"topic": "demo"}
    # Two items a page: the SDK followed the cursor through the two added messages, the input and the answer.
    assert summary["item_roles"] == ["message:user", "message:user", "message:user", "message:assistant"]
    assert summary["response_text"]
    assert summary["response_conversation"] == summary["id"]


def _embeddings(summary: Summary) -> None:
    # Asked for as base64 by the SDK and decoded by it: real float vectors of the model's length.
    assert summary["count"] == 2
    assert summary["dimensions"] == 1536
    assert summary["numbers"] is True
    assert summary["nonzero"] == 1536
    assert summary["norm"] == pytest.approx(1.0, abs=1e-4)
    assert summary["differ"] is True
    assert summary["prompt_tokens"] > 0


def _embeddings_dimensions(summary: Summary) -> None:
    assert summary == {"dimensions": 256, "same": True}


def _files(summary: Summary) -> None:
    assert summary["id"].startswith("file-")
    assert summary["filename"] == "train.jsonl"
    assert summary["bytes"] == 70
    assert summary["purpose"] == "user_data"
    assert summary["content_equal"] is True
    assert summary["listed"] == summary["listed_unique"] == 3  # three pages of one, each file once
    assert summary["deleted"] is True


def _images(summary: Summary) -> None:
    assert summary == {
        "count": 1,
        "signature": "89504e470d0a1a0a",
        "width": 1024,
        "height": 1024,
        "output_format": "png",
    }


def _audio(summary: Summary) -> None:
    assert summary["content_type"] == "audio/wav"
    assert (summary["riff"], summary["wave"]) == ("RIFF", "WAVE")
    assert summary["bytes"] > 1000
    assert summary["text"] == "The quick brown fox jumps over the lazy dog."  # the mock's speech, heard back
    assert summary["duration"] > 1
    assert summary["segments"] >= 1


def _moderations(summary: Summary) -> None:
    assert summary["model"] == "omni-moderation-latest"
    assert summary["flagged"] == [False, True]
    assert summary["violence"] is True
    assert summary["category_count"] == 13


def _vector_store(summary: Summary) -> None:
    assert summary["batch_status"] == "completed"
    assert summary["file_counts"]["completed"] == summary["file_counts"]["total"] == 2
    assert summary["hits"] >= 1
    assert summary["top_file"] == "holidays.txt"
    assert "25 days of paid leave" in summary["top_text"]


def _batches(summary: Summary) -> None:
    assert summary["id"].startswith("batch_")
    assert summary["input_file_id"].startswith("file-")
    assert summary["endpoint"] == "/v1/chat/completions"
    assert summary["status"] == "validating"
    assert summary["metadata"] == {"job": "node"}
    assert summary["listed"] is True


def _bad_request(summary: Summary) -> None:
    assert summary["class"] == "BadRequestError"
    assert summary["status"] == 400
    assert summary["param"] == "temperature"
    assert summary["code"] == "decimal_above_max_value"
    assert summary["type"] == "invalid_request_error"
    assert summary["request_id"].startswith("req_")


def _not_found(summary: Summary) -> None:
    assert summary == {"class": "NotFoundError", "status": 404, "type": "invalid_request_error", "param": "id"}


def _realtime(summary: Summary) -> None:
    assert summary["session_id"].startswith("sess_")
    assert summary["instructions"] == "Answer in one sentence."
    assert summary["output_modalities"] == ["text"]
    assert summary["status"] == "completed"
    assert summary["text"]
    assert summary["done_text"] == summary["text"]  # response.done holds what the deltas said


def _responses_websocket(summary: Summary) -> None:
    first, second = summary["ids"]
    assert first.startswith("resp_") and second.startswith("resp_") and first != second
    assert summary["statuses"] == ["completed", "completed"]
    assert summary["previous_response_id"] == first
    assert all(summary["texts"])
    assert "Ada" in summary["texts"][1]
    assert summary["input_tokens"][1] > summary["input_tokens"][0]


def _webhooks(summary: Summary) -> None:
    assert summary["test_status"] == 200
    assert summary["success"] is True
    assert summary["event_type"] == "batch.completed"  # unwrap() verified the signature with the endpoint's secret
    assert summary["event_id"].startswith("evt_")
    assert summary["data_id"].startswith("batch_")
    assert summary["webhook_id"].startswith("wh_")
    assert summary["forged"] == "InvalidWebhookSignatureError"  # and refuses an altered body


SCENARIOS: dict[str, Callable[[Summary], None]] = {
    "models": _models,
    "chat": _chat,
    "chat_stream": _chat_stream,
    "chat_tools": _chat_tools,
    "structured_output": _structured_output,
    "responses": _responses,
    "responses_stream": _responses_stream,
    "responses_continuation": _responses_continuation,
    "conversations": _conversations,
    "embeddings": _embeddings,
    "embeddings_dimensions": _embeddings_dimensions,
    "files": _files,
    "images": _images,
    "audio": _audio,
    "moderations": _moderations,
    "vector_store": _vector_store,
    "batches": _batches,
    "bad_request": _bad_request,
    "not_found": _not_found,
    "realtime": _realtime,
    "responses_websocket": _responses_websocket,
    "webhooks": _webhooks,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_node_sdk_accepts_the_answers(base_url: str, scenario: str) -> None:
    SCENARIOS[scenario](run_judge(base_url, scenario))


def test_every_scenario_of_the_judge_is_checked() -> None:
    """A scenario added to judge.mjs without a check here would never run."""
    run = subprocess.run([node(), str(JUDGE), "--list"], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(run.stdout) == list(SCENARIOS)
