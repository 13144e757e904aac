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


def _city_report(summary: Summary) -> None:
    # zod's parse() ran on the answer in the SDK: every field of the schema, of its type, enum value allowed.
    assert summary["valid"] is True
    kinds = summary["kinds"]
    assert {key: kinds[key] for key in ("name", "population", "coastal", "climate")} == {
        "name": "string",
        "population": "number",
        "coastal": "boolean",
        "climate": "string",
    }
    assert kinds["mayor"] in ("string", "null")  # z.string().nullable()
    assert kinds["landmarks"] == [{"name": "string", "built": "number"}]
    assert summary["integer"] is True  # z.number().int() became "integer" in the schema the mock followed
    assert summary["climate"] in ("arid", "temperate", "tropical")
    assert summary["landmarks"] >= 1


def _zod_chat(summary: Summary) -> None:
    assert summary["finish_reason"] == "stop"
    assert summary["refusal"] is None
    _city_report(summary)


def _zod_responses(summary: Summary) -> None:
    assert summary["status"] == "completed"
    assert summary["format"] == "json_schema"
    assert summary["same_as_text"] is True  # output_parsed is output_text read through the schema
    _city_report(summary)


def _run_tools(summary: Summary) -> None:
    assert summary["calls"] == [{"city": "Paris"}]  # the SDK ran the tool once, with the mock's arguments
    assert summary["roles"] == ["user", "assistant", "tool", "assistant"]
    assert summary["tool_message"] == summary["function_result"] == '{"city":"Paris","forecast":"Hail and 3 degrees"}'
    assert "Hail and 3 degrees" in summary["final_content"]  # the second completion read the tool's result
    assert summary["completions"] == 2
    assert summary["total_tokens"] > 0


def _assistants(summary: Summary) -> None:
    assert summary["thread_metadata"] == {"source": "node"}
    assert summary["statuses"] == ["completed", "completed"]  # createAndPoll polled to the end; the stream ran it
    assert summary["assistants"] == [True, True]
    assert summary["total_tokens"] > 0
    # Pages of two, followed: the two questions and the answer of each run, in order.
    assert summary["roles"] == ["user", "assistant", "user", "assistant"]
    assert summary["runs"] == [None, "polled", None, "streamed"]
    assert "lighthouses" in summary["polled_text"]
    assert "bridges" in summary["streamed"]  # the deltas the textDelta handler saw, about the second question
    assert summary["snapshot_is_whole"] is True
    assert summary["stored_is_streamed"] is True  # finalMessages() and the stored message say what was streamed


def _assistants_stream(summary: Summary) -> None:
    assert summary["first_events"] == ["thread.run.created", "thread.run.requires_action"]
    assert summary["tool"] == ["get_weather"]
    assert summary["arguments"] == [{"city": "Paris"}]
    assert summary["run_status"] == "completed"
    assert summary["same_run"] is True  # submitToolOutputsStream resumed the waiting run
    assert summary["deltas"] > 1
    assert summary["deltas_joined"] is True
    assert summary["last_snapshot"] is True
    assert "Fog and 11 degrees" in summary["text"]  # the answer uses the submitted output
    assert summary["message_run"] is True


def _responses_stream_tools(summary: Summary) -> None:
    assert summary["first_status"] == "completed"
    assert summary["tool"] == "get_weather"
    assert summary["arguments"] == {"city": "Paris"}
    assert summary["streamed_arguments"] is True  # the argument deltas add up to the final call's arguments
    assert summary["call_id"].startswith("call_")
    assert summary["status"] == "completed"
    assert summary["previous_response_id"] is True
    assert "Snow and -2 degrees" in summary["output_text"]  # the second turn read the function_call_output
    assert summary["streamed_text"] is True


def _uploads(summary: Summary) -> None:
    assert summary["status"] == ["pending", "completed"]
    assert summary["parts"] == 3
    assert summary["part_upload_ids"] is True
    assert summary["file_id"].startswith("file-")
    assert (summary["filename"], summary["file_bytes"], summary["purpose"]) == ("notes.txt", 1150, "assistants")
    assert summary["content_equal"] is True  # parts sent last first, joined in the order of part_ids


def _fine_tuning(summary: Summary) -> None:
    assert summary["id"].startswith("ftjob-")
    assert summary["model"] == "gpt-4o-mini-2024-07-18"  # the alias resolved to its snapshot
    assert summary["status"] == "validating_files"
    assert summary["training_file"] is True
    # limit 1: the SDK followed the cursor through every event so far, each once.
    assert summary["events"] == summary["event_ids_unique"] == 2
    assert summary["event_objects"] == ["fine_tuning.job.event"]
    assert summary["event_messages"][0].startswith("Validating training file: file-")
    assert summary["event_messages"][1] == f"Created fine-tuning job: {summary['id']}"
    assert summary["listed"] is True  # found by its metadata


def _videos(summary: Summary) -> None:
    assert summary["id"].startswith("video_") and summary["created_status"] == "queued"
    assert (summary["status"], summary["progress"]) == ("completed", 100)  # the tenant's clock moved a minute on
    assert (summary["seconds"], summary["size"]) == ("4", "720x1280")
    assert summary["mp4_box"] == "ftyp" and summary["mp4_bytes"] > 1_000  # the MP4 itself, as bytes
    assert summary["thumbnail_riff"] == "RIFFWEBP"


def _containers(summary: Summary) -> None:
    assert summary["id"].startswith("cntr_")
    assert (summary["object"], summary["status"], summary["name"]) == ("container", "running", "Node sandbox")
    assert summary["expires_after"] == {"anchor": "last_active_at", "minutes": 20}
    assert summary["file_container"] is True
    assert summary["file_bytes"] == 15
    # Pages of one, oldest first: the file copied from the Files API at creation, then the upload.
    first, second = summary["paths"]
    assert first.startswith("/mnt/data/") and first.endswith("-cities.csv")
    assert second.startswith("/mnt/data/") and second.endswith("-hello.py")
    assert summary["content"] == 'print("hello")\n'
    assert summary["listed"] is True


def _vector_store_search(summary: Summary) -> None:
    # The compound filter kept the current HR policy only; the SDK iterated the search page with `for await`.
    assert summary["filenames"] == ["leave-hr.txt"]
    assert summary["attributes"] == [{"team": "hr", "year": 2025}]
    assert summary["scores"] == [True]
    assert summary["text"] == "Holidays: every employee has 25 days of paid leave."
    assert summary["unfiltered"] == 2  # max_num_results


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
    "zod_chat": _zod_chat,
    "zod_responses": _zod_responses,
    "run_tools": _run_tools,
    "assistants": _assistants,
    "assistants_stream": _assistants_stream,
    "responses_stream_tools": _responses_stream_tools,
    "uploads": _uploads,
    "fine_tuning": _fine_tuning,
    "containers": _containers,
    "videos": _videos,
    "vector_store_search": _vector_store_search,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_node_sdk_accepts_the_answers(base_url: str, scenario: str) -> None:
    SCENARIOS[scenario](run_judge(base_url, scenario))


def test_every_scenario_of_the_judge_is_checked() -> None:
    """A scenario added to judge.mjs without a check here would never run."""
    run = subprocess.run([node(), str(JUDGE), "--list"], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(run.stdout) == list(SCENARIOS)
