"""The official SDKs' own example scripts run against the mock: openai-python's `examples/` and the Agents SDK's,
from the sdists of the versions installed in the venv (tests/sdk_examples/fetch.py unpacks them into
.cache/sdk-examples; their code never enters this repository). Users copy these scripts first, so each one must exit
0 AND do what it is written to do: per example a check of what it printed and of what the mock's journal shows it
sent (how many model calls, which tools ran and had their output sent back, which endpoints it used).

Each example runs as `python -m examples.<module>` with the unpacked sdist on PYTHONPATH, in its own empty working
directory (the files it writes land there), as its own tenant (its own API key, so its own journal), with the Agents
SDK's auto mode answering its prompts, tracing off and a dead proxy for anything but loopback. The selected examples
run three at a time when the first test asks for them; each test then judges one.

Never skipped: without the unpacked sdists the tests fail and say to run `make sdk-examples`."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sdk_examples import fetch
from tests.support.live_server import live_server_fixture

OPENAI, AGENTS = "openai", "openai-agents"
EXAMPLE_SECONDS = 120
PARALLEL = 3
MODEL_PATHS = ("/v1/responses", "/v1/chat/completions")

base_url = live_server_fixture()


@dataclass
class Outcome:
    """One example's run: exit code, output, the files it wrote and the journal of its tenant (oldest first)."""

    returncode: int
    stdout: str
    cwd: Path
    journal: list[dict[str, Any]]

    def sent(self, method: str, path: str) -> list[dict[str, Any]]:
        return [entry for entry in self.journal if entry["method"] == method and entry["path"].startswith(path)]

    def model_calls(self) -> list[dict[str, Any]]:
        return [entry for entry in self.journal if entry["method"] == "POST" and entry["path"] in MODEL_PATHS]

    def tool_outputs_sent(self) -> set[str]:
        """Names of the function tools whose output a later request sent back to the model."""
        names: dict[str, str] = {}
        returned: set[str] = set()
        for entry in self.model_calls():
            items = (entry.get("body") or {}).get("input")
            for item in items if isinstance(items, list) else []:
                if item.get("type") == "function_call":
                    names[item["call_id"]] = item["name"]
                elif item.get("type") == "function_call_output" and item.get("call_id") in names:
                    returned.add(names[item["call_id"]])
        return returned

    def __repr__(self) -> str:  # pytest prints it in failed assertions: the whole journal is too long for that
        return f"Outcome(exit {self.returncode}, {len(self.journal)} requests)"


@dataclass(frozen=True)
class Example:
    """An example to run and what it must show. `why`: what it exercises (the reason it is on the list)."""

    sdk: str
    module: str  # under `examples.`
    why: str
    printed: tuple[str, ...] = ()  # regular expressions its output must match (re.MULTILINE)
    calls: int | None = None  # model calls (POST /v1/responses or /v1/chat/completions), exactly
    tools: frozenset[str] = frozenset()  # function tools that ran and whose output went back to the model
    sent: tuple[str, ...] = ()  # "METHOD /path-prefix" the journal must hold
    args: Callable[[Path], tuple[str, ...]] = field(default=lambda _: ())  # command-line arguments, given its cwd
    check: Callable[[Outcome], None] | None = None  # what the fields above cannot say
    # Runs in the sdist's root, not its empty folder (still its HOME): it reads the sdist's own files, which the Agents
    # SDK's sandbox takes only from under the working directory (what it writes lands in the sandbox's own folder).
    in_sdist: bool = False

    @property
    def id(self) -> str:
        return f"{'openai' if self.sdk == OPENAI else 'agents'}/{self.module.replace('.', '/')}"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _picture_saved(run: Outcome) -> None:
    assert _png_size(run.cwd / "picture.png") == (1024, 1024)  # the size it asked for


def _partial_images_saved(run: Outcome) -> None:
    for name in ("partial_1.png", "partial_2.png", "partial_3.png", "final_image.png"):
        assert _png_size(run.cwd / name) == (1024, 1024)
    (request,) = run.sent("POST", "/v1/images/generations")
    assert request["body"]["partial_images"] == 3
    kinds = [event["event"] for event in request["response"]["events"]]
    assert kinds.count("image_generation.partial_image") == 3
    assert kinds[-1] == "image_generation.completed"


def _module_client_headers(run: Outcome) -> None:
    (request,) = run.model_calls()
    assert request["headers"]["x-foo"] == "true"  # openai.default_headers of the module-level client


def _counted_tokens_printed(run: Outcome) -> None:
    (request,) = run.sent("POST", "/v1/responses/input_tokens")
    assert f"input tokens: {request['response']['body']['input_tokens']}" in run.stdout


def _uploaded_in_parts(run: Outcome) -> None:
    created = run.sent("POST", "/v1/uploads")[0]
    assert created["body"]["bytes"] == UPLOAD_BYTES
    (completed,) = [entry for entry in run.sent("POST", "/v1/uploads") if entry["path"].endswith("/complete")]
    parts = [entry for entry in run.sent("POST", "/v1/uploads") if entry["path"].endswith("/parts")]
    assert len(completed["body"]["part_ids"]) == len(parts) >= 1
    assert run.sent("DELETE", "/v1/files")  # --verify-and-delete cleaned up


def _usage_adds_up(run: Outcome) -> None:
    """The totals it printed are the sums of the usage the mock answered."""
    usages = [entry["response"]["body"]["usage"] for entry in run.model_calls()]
    assert f"Input tokens: {sum(usage['input_tokens'] for usage in usages)}\n" in run.stdout
    assert f"Output tokens: {sum(usage['output_tokens'] for usage in usages)}\n" in run.stdout


def _sent_inline(media: str) -> Callable[[Outcome], None]:
    """The example's file (examples/basic/media/<media>) went in the request as base64: the journal keeps only the
    size of a body that large, which must hold the encoded file."""

    def check(run: Outcome) -> None:
        (request,) = run.model_calls()
        size = (fetch.sdist_root(AGENTS) / "examples" / "basic" / "media" / media).stat().st_size
        assert request["body"]["bytes"] >= size * 4 // 3

    return check


def _image_url_sent(run: Outcome) -> None:
    (request,) = run.model_calls()
    parts = [part for item in request["body"]["input"] for part in item["content"] if isinstance(part, dict)]
    assert next(part["image_url"] for part in parts if part["type"] == "input_image").startswith("https://")


def _streamed(run: Outcome) -> None:
    assert all(entry["body"].get("stream") is True for entry in run.model_calls())


def _counted_to_five(run: Outcome) -> None:
    """Both completions (sync and async), their printed chunks put together, count 1 to 5."""
    _streamed(run)
    decoder, contents, at = json.JSONDecoder(), {}, run.stdout.find("{")
    while at != -1:
        chunk, end = decoder.raw_decode(run.stdout, at)
        delta = "".join(choice["delta"].get("content") or "" for choice in chunk["choices"])
        contents[chunk["id"]] = contents.get(chunk["id"], "") + delta
        at = run.stdout.find("{", end)
    assert list(contents.values()) == ["1, 2, 3, 4, 5"] * 2


def _query_conditions(run: Outcome) -> None:
    """The `Query` call filters on real columns: status fulfilled, delivered after the expected date, and (where the
    system states the date, August 6, 2024) ordered in November 2023."""
    (entry,) = run.model_calls()
    body = entry["response"]["body"]
    calls = [call["function"] for choice in body.get("choices") or [] for call in choice["message"]["tool_calls"]]
    calls += [item for item in body.get("output") or [] if item["type"] == "function_call"]
    arguments = json.loads(calls[0]["arguments"])
    assert arguments["table_name"] == "orders"
    conditions = arguments["conditions"]
    assert {"column": "status", "operator": "=", "value": "fulfilled"} in conditions
    late = {"column": "delivered_at", "operator": ">", "value": {"column_name": "expected_delivery_date"}}
    assert late in conditions
    if "choices" in body:
        assert {"column": "ordered_at", "operator": ">=", "value": "2023-11-01"} in conditions
        assert {"column": "ordered_at", "operator": "<=", "value": "2023-11-30"} in conditions


def _websocket_turns(turns: int) -> Callable[[Outcome], None]:
    def check(run: Outcome) -> None:
        (socket,) = run.sent("GET", "/v1/responses")
        assert socket["status"] == 101
        creates = [event for event in socket["body"]["client_events"] if event["type"] == "response.create"]
        assert len(creates) == turns

    return check


def _multi_agent_beta(run: Outcome) -> None:
    (request,) = run.model_calls()
    assert request["headers"]["openai-beta"] == "responses_multi_agent=v1"
    assert request["body"]["multi_agent"] == {"enabled": True}


def _image_output_sent(run: Outcome) -> None:
    outputs = [
        item
        for entry in run.model_calls()
        for item in entry["body"].get("input") or []
        if isinstance(item, dict) and item.get("type") == "function_call_output"
    ]
    (output,) = outputs
    assert [part["type"] for part in output["output"]] == ["input_image"]


def _file_url_sent(run: Outcome) -> None:
    (request,) = run.model_calls()
    (part,) = request["body"]["input"][0]["content"]
    assert part["type"] == "input_file" and part["file_url"].endswith("2024ltr.pdf")
    assert request["response"]["body"]["usage"]["input_tokens"] > 1_000  # billed as a document, not as its address


def _image_tool_size(size: str) -> Callable[[Outcome], None]:
    def check(run: Outcome) -> None:
        (request,) = run.model_calls()
        (tool,) = request["body"]["tools"]
        assert (tool["type"], tool["size"]) == ("image_generation", size)

    return check


def _searched(run: Outcome) -> list[str]:
    """The queries of the web searches the mock reported (`web_search_call.action.query`)."""
    return [
        item["action"]["query"]
        for entry in run.model_calls()
        for item in ((entry.get("response") or {}).get("body") or {}).get("output") or []
        if isinstance(item, dict) and item.get("type") == "web_search_call"
    ]


def _searched_exactly(query: str) -> Callable[[Outcome], None]:
    def check(run: Outcome) -> None:
        assert _searched(run) == [query]

    return check


def _searched_the_subject(run: Outcome) -> None:
    queries = _searched(run)
    assert queries and all("electric vehicles" in query for query in queries)
    assert len(run.model_calls()) == len(queries) + 2  # the planner, one search agent per search, the writer


def _upload_file(cwd: Path) -> tuple[str, ...]:
    notes = cwd / "notes.txt"
    notes.write_text("x" * (UPLOAD_BYTES - 1) + "\n")
    return (str(notes), "disk", "--verify-and-delete")


UPLOAD_BYTES = 300_000
PANGRAM = "The quick brown fox jumps over the lazy dog."


def _wav_frames(path: Path) -> bytes:
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 24000)
        return audio.readframes(audio.getnframes())


def _read_aloud_saved(run: Outcome) -> None:
    """The WAV it wrote from the audio deltas says its default text, word for word."""
    from openai_mock.generation.audio.probe import pcm_text

    frames = _wav_frames(run.cwd / "speech.wav")
    assert len(frames) // 2 > 2400 and pcm_text(frames) == PANGRAM


def _pangram_wav(cwd: Path) -> tuple[str, ...]:
    from openai_mock.generation import realtime_events

    path = cwd / "speech.wav"
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(24000)
        output.writeframes(realtime_events.speech(PANGRAM, "marin", 1.0, realtime_events.PCM_FORMAT))
    return (str(path),)


def _pty_session_reused(run: Outcome) -> None:
    """Every write to stdin went to the session id the PTY's start reported, never one the model made up."""
    final = (run.model_calls()[-1].get("body") or {}).get("input") or []
    reported = {
        found
        for item in final
        if item.get("type") == "function_call_output"
        for found in re.findall(r"session ID (\d+)", str(item.get("output")))
    }
    written = [
        json.loads(item["arguments"])["session_id"]
        for item in final
        if item.get("type") == "function_call" and item["name"] == "write_stdin"
    ]
    assert len(written) == 2 and len(reported) == 1 and {str(number) for number in written} == reported


REFUSAL = "Sorry, I can't help you with your math homework."


def _only_maths_refused(run: Outcome) -> None:
    """The answer to each scripted question is the line after it: a refusal for the equation only."""
    lines = run.stdout.splitlines()
    answers = {line.split("-> ", 1)[1]: lines[index + 1] for index, line in enumerate(lines) if "-> " in line}
    assert answers["Can you help me solve for x: 2x + 5 = 11"] == REFUSAL
    assert answers["What's the capital of California?"] != REFUSAL


def _verified_at_first(run: Outcome) -> None:
    """The verifier ran once (no revision): its first verdict approved the report."""
    verifier = [
        call
        for call in run.model_calls()
        if str((call.get("body") or {}).get("instructions", "")).startswith("You are a meticulous evidence auditor")
    ]
    assert len(verifier) == 1


def _agents(module: str, why: str, **expect: Any) -> Example:
    tools = frozenset(expect.pop("tools", ()))
    return Example(AGENTS, module, why, tools=tools, **expect)


def _openai(module: str, why: str, **expect: Any) -> Example:
    return Example(OPENAI, module, why, **expect)


# Examples that pass today, need nothing outside this machine and do what they say. Those left out, and why, are in
# docs/testing.md ("The official SDK examples").
EXAMPLES: list[Example] = [
    # openai-python 3.63
    _openai("demo", "chat: plain, streamed, raw response headers", calls=3, printed=(r"^req_\w+$", "this is a test")),
    _openai("async_demo", "the async client's chat call", calls=1, printed=("this is a test",)),
    _openai(
        "streaming",
        "chat streams read chunk by chunk, sync and async",
        sent=("POST /v1/chat/completions",),
        check=_counted_to_five,
    ),
    _openai(
        "parsing",
        "chat.completions.parse to a pydantic model: 8x + 31 = 2 solved step by step",
        calls=1,
        printed=(r"^answer: +x = -29/8", r"explanation='Subtract 31 from both sides', output='8x = -29'"),
    ),
    _openai("parsing_stream", "a streamed parse", calls=1, printed=(r"^answer: +x = -29/8",), check=_streamed),
    _openai(
        "parsing_tools",
        "a strict function tool parsed into its model",
        calls=1,
        printed=(r"^Table\.orders$",),
        check=_query_conditions,
    ),
    _openai(
        "parsing_tools_stream",
        "a streamed tool call's parsed arguments: one call per city, SF written out",
        calls=1,
        printed=(
            r"parsed_arguments=GetWeather\(city='San Francisco', country='United States'\)",
            r"parsed_arguments=GetWeather\(city='New York', country='United States'\)",
        ),
    ),
    _openai("picture", "images.generate saved as a PNG", check=_picture_saved),
    _openai("image_stream", "image generation streamed with 3 partial images", check=_partial_images_saved),
    _openai(
        "module_client",
        "the module-level client with default_headers; a Python how-to",
        printed=(r"^```python$", r"os\.listdir"),
        check=_module_client_headers,
    ),
    _openai("responses_input_tokens", "responses.input_tokens.count", check=_counted_tokens_printed),
    _openai(
        "uploads",
        "uploads.upload_file_chunked from disk, then verified and deleted",
        args=_upload_file,
        printed=("Verified uploaded metadata", "Deleted uploaded file"),
        check=_uploaded_in_parts,
    ),
    _openai(
        "responses.background",
        "a background stream interrupted and resumed from its sequence number",
        printed=("Interrupted. Continuing...", r"^So x = -29/8 = -3\.625\.$"),
        sent=("POST /v1/responses", "GET /v1/responses/resp_"),
    ),
    _openai(
        "responses.background_async",
        "the same, async",
        printed=("Interrupted. Continuing...",),
        sent=("GET /v1/responses/resp_",),
    ),
    _openai(
        "responses.background_streaming",
        "a background structured stream resumed",
        printed=("Interrupted",),
        sent=("GET /v1/responses/resp_",),
    ),
    _openai(
        "responses.background_streaming_async",
        "the same, async",
        printed=("Interrupted",),
        sent=("GET /v1/responses/resp_",),
    ),
    _openai("responses.streaming", "responses.stream with a text format", calls=1, check=_streamed),
    _openai(
        "responses.streaming_tools",
        "a streamed strict function call",
        calls=1,
        printed=(r"ResponseFunctionCallArgumentsDoneEvent",),
    ),
    _openai(
        "responses.structured_outputs",
        "responses.parse to a pydantic model",
        calls=1,
        printed=(r"^answer: +x = -29/8",),
    ),
    _openai(
        "responses.structured_outputs_tools",
        "responses.parse with a pydantic function tool",
        calls=1,
        printed=(r"parsed_arguments=Query\(",),
        check=_query_conditions,
    ),
    _openai(
        "responses.websocket",
        "three turns over the Responses WebSocket, each with a local tool",
        printed=(r"=== Turn 3 ===", r"on hand units 84"),
        check=_websocket_turns(6),
    ),
    _openai(
        "responses.multi_agent_websocket",
        "a coordinator and two sub-agents over the WebSocket",
        printed=(r"Coordinator: /root", r"Agent: /root/proposal_beta"),
    ),
    _openai(
        "responses.multi_agent_streaming",
        "a beta multi-agent response streamed: a coordinator and a sub-agent per proposal",
        calls=1,
        printed=(r"Coordinator: /root", r"Agent: /root/proposal_alpha", r"Agent: /root/proposal_beta"),
        check=_multi_agent_beta,
    ),
    _openai(
        "realtime.speech",
        "Realtime asked to read a sentence aloud: its audio deltas saved as a WAV that says that sentence",
        printed=("Saved AI-generated speech",),
        check=_read_aloud_saved,
    ),
    _openai(
        "speech_to_text",
        "a WAV of the mock's speech (the frames only, as realtime/speech.py saves them) transcribed back",
        args=_pangram_wav,
        printed=(r"(?i)\bfox\b.*\bdog\b",),
        sent=("POST /v1/audio/transcriptions",),
    ),
    # Agents SDK 0.25
    _agents(
        "agent_patterns.agents_as_tools",
        "agents as tools, then a synthesis",
        calls=6,
        tools={"translate_to_french", "translate_to_spanish"},
        printed=("Bonjour", "¡Hola"),
    ),
    _agents(
        "agent_patterns.agents_as_tools_conditional",
        "tools enabled per preference, with approvals",
        tools={"respond_spanish", "respond_french"},
        printed=("✓ Approved: respond_spanish",),
    ),
    _agents(
        "agent_patterns.agents_as_tools_streaming",
        "a nested agent's events streamed through its tool",
        tools={"billing_agent", "billing_status_checker"},
    ),
    _agents(
        "agent_patterns.agents_as_tools_structured",
        "an agent tool with structured input",
        tools={"translate_text"},
        printed=("Translator agent as tool: ",),
    ),
    _agents(
        "agent_patterns.forcing_tool_use",
        "tool_choice required under three tool_use_behaviors",
        calls=4,
        tools={"get_weather"},
        printed=("=== custom ===", "Tokyo is Sunny with wind"),
    ),
    _agents(
        "agent_patterns.human_in_the_loop",
        "an approval interrupts the run, saved state resumes it",
        calls=2,
        tools={"get_temperature", "get_weather"},
        printed=("tool approval required",),
    ),
    _agents(
        "agent_patterns.human_in_the_loop_custom_rejection",
        "a rejected call's custom message reaches the model",
        calls=2,
        tools={"publish_announcement"},
        printed=("denied approval",),
    ),
    _agents(
        "agent_patterns.human_in_the_loop_stream",
        "approvals in a streamed run",
        calls=2,
        tools={"get_temperature", "get_weather"},
    ),
    _agents(
        "agent_patterns.output_guardrails",
        "an output guardrail trips on a phone number",
        calls=2,
        printed=("First message passed", "'phone_number_in_response': True"),
    ),
    _agents(
        "agent_patterns.parallelization",
        "three translations in parallel, a fourth picks",
        calls=4,
        printed=("Best translation: ¡Buenos días!",),
    ),
    _agents(
        "agent_patterns.routing",
        "a handoff to the French agent, streamed",
        calls=2,
        tools={"transfer_to_french_agent"},
        printed=("Bonsoir",),
    ),
    _agents(
        "agent_patterns.streaming_guardrails",
        "a guardrail judging a stream as it goes",
        calls=2,
        printed=("Guardrail triggered",),
    ),
    _agents(
        "basic.agent_lifecycle_example",
        "agent hooks around a tool and a structured output",
        calls=2,
        tools={"random_number"},
        printed=(r"ended with output number=\d+",),
    ),
    _agents(
        "basic.dynamic_system_prompt",
        "instructions made by a function",
        calls=1,
        printed=(r"^Using style: (haiku|pirate|robot)$", r"^Assistant: \S"),
    ),
    _agents("basic.hello_world", "one run, one answer", calls=1, printed=(r"\S",)),
    _agents("basic.hello_world_gpt_5", "a reasoning model's settings", calls=1, printed=(r"\S",)),
    _agents(
        "basic.lifecycle_example",
        "run hooks counting usage",
        calls=2,
        tools={"random_number"},
        printed=(r"LLM ended\. Usage: 2 requests",),
    ),
    _agents(
        "basic.local_file",
        "a local PDF sent as input_file",
        calls=1,
        check=_sent_inline("partial_o3-and-o4-mini-system-card.pdf"),
    ),
    _agents("basic.local_image", "a local image sent as input_image", calls=1, check=_sent_inline("image_bison.jpg")),
    _agents(
        "basic.non_strict_output_type",
        "strict and non-strict output schemas",
        calls=2,
        printed=(r"Error \(expected\)",),
    ),
    _agents("basic.remote_image", "an image URL sent as input_image", calls=1, check=_image_url_sent),
    _agents("basic.retry", "the model retry policy (no retry needed)", calls=1, printed=("Final output:",)),
    _agents(
        "basic.retry_litellm",
        "LiteLLM through Chat Completions",
        sent=("POST /v1/chat/completions",),
        printed=("Final output:",),
    ),
    _agents("basic.stream_items", "run items streamed", calls=1, printed=("=== Run complete ===",), check=_streamed),
    _agents("basic.stream_text", "text deltas streamed", calls=1, printed=(r"\S",), check=_streamed),
    _agents(
        "basic.tool_guardrails",
        "tool input and output guardrails",
        calls=7,
        tools={"send_email"},
        printed=("Guardrail rejected function tool call", "Output guardrail triggered"),
    ),
    _agents(
        "basic.image_tool_output",
        "a function tool returning an image: its output sent back as content parts",
        tools={"fetch_random_image"},
        check=_image_output_sent,
    ),
    _agents(
        "basic.remote_pdf",
        "an input_file by file_url, answered from the document's address",
        calls=1,
        printed=("2024ltr.pdf",),
        check=_file_url_sent,
    ),
    _agents(
        "decisions.model_router",
        "a decision picks the model the agent then runs on (GPT-6 with the agent's low verbosity)",
        calls=1,
        sent=("POST /v1/decisions",),
        printed=(r"Selected model: gpt-6-(luna|sol)",),
    ),
    _agents(
        "decisions.tool_risk_gate",
        "a decision gates a tool call, then the run publishes",
        sent=("POST /v1/decisions",),
        printed=("Simulated publication",),
    ),
    _agents(
        "decisions.classify",
        "a support request in its own words (a dashboard that fails to load) is in scope: the agent then answers",
        calls=1,
        sent=("POST /v1/decisions",),
        printed=("dashboard",),
    ),
    _agents(
        "agent_patterns.input_guardrails",
        "a structured guardrail verdict read from the input: it trips on the equation, not on the capital",
        check=_only_maths_refused,
    ),
    _agents(
        "agent_patterns.deterministic",
        "an outline judged good and science fiction by a structured checker, then a story told from it",
        printed=(r"^Outline is good quality and a scifi story", r"^Story: .*\bstarship\b"),
        calls=3,
    ),
    _agents(
        "financial_research_agent.main",
        "planned searches, a report, and a verifier that approves it on its first reading",
        printed=("=====VERIFICATION=====", r"^verified=True"),
        check=_verified_at_first,
    ),
    _agents(
        "tools.image_generator",
        "the image_generation tool at a free gpt-image-2 size, saved to disk",
        calls=1,
        printed=("Saved generated image to",),
        check=_image_tool_size("1536x864"),
    ),
    _agents(
        "tools.tool_search",
        "deferred tools in namespaces and at the top level, loaded by tool search, called with the prompt's ids",
        tools={"get_customer_profile", "get_shipping_eta"},
        printed=(r"- loaded: crm", r"customer_42"),
    ),
    _agents(
        "tools.container_shell_inline_skill",
        "a hosted shell in an auto container runs the inline skill the prompt names, then the container is reused",
        printed=(r"\[info\] Reusing container_id=cntr_", r"Agent \(container reuse\): "),
    ),
    _agents(
        "tools.programmatic_tool_calling",
        "a program calls nine programmatic-only tools; their outputs come back to it, then the answer",
        tools={"get_inventory", "get_weekly_demand", "get_inbound_units"},
        printed=(r"Promise\.all", r"Programmatic calls: (get_\w+, ){8}get_\w+$"),
    ),
    _agents(
        "memory.hitl_session_scenario",
        "approvals over file and Conversations sessions; the tool gets the user's message as the instructions say",
        sent=("POST /v1/conversations",),
    ),
    _agents(
        "agent_patterns.hosted_multi_agent_beta",
        "a hosted coordinator's two subagents each call the local tool for their proposal, then one comparison",
        printed=(
            r"caller=/root/proposal_alpha .* proposal=alpha",
            r"caller=/root/proposal_beta .* proposal=beta",
            r"estimated weeks 6, risk medium",
            r"estimated weeks 8, risk low",
        ),
    ),
    _agents(
        "basic.tools",
        "a function tool's output sent back",
        calls=2,
        tools={"get_weather"},
        printed=("The weather in Tokyo",),
    ),
    _agents(
        "basic.usage_tracking",
        "usage summed over a run",
        calls=2,
        tools={"get_weather"},
        printed=("Requests: 2",),
        check=_usage_adds_up,
    ),
    _agents("customer_service.main", "a triage agent's first turn", calls=1, printed=("Triage Agent: ",)),
    _agents(
        "handoffs.message_filter",
        "a handoff whose input filter trims history",
        calls=5,
        tools={"random_number_tool"},
        printed=("Step 4 done",),
    ),
    _agents(
        "handoffs.message_filter_streaming",
        "the same, streamed",
        calls=5,
        tools={"random_number_tool"},
        printed=("Step 4 done",),
    ),
    _agents("hosted_mcp.human_in_the_loop", "a hosted MCP call approved by the user", calls=2, printed=("deepwiki",)),
    _agents("hosted_mcp.on_approval", "a hosted MCP approval callback", calls=2, printed=("deepwiki",)),
    _agents("hosted_mcp.simple", "a hosted MCP tool, no approval", calls=1, printed=("deepwiki",)),
    _agents("memory.advanced_sqlite_session_example", "a SQLite session with branches", calls=7, tools={"get_weather"}),
    _agents(
        "memory.compaction_session_example",
        "responses.compact on a session",
        sent=("POST /v1/responses/compact",),
        printed=(r"compaction \(encrypted content\)",),
    ),
    _agents(
        "memory.compaction_session_stateless_example",
        "stateless compaction",
        sent=("POST /v1/responses/compact",),
        printed=(r"compaction \(encrypted content\)",),
    ),
    _agents(
        "memory.encrypted_session_example",
        "an encrypted session",
        calls=3,
        printed=("All 6 items are stored encrypted",),
    ),
    _agents(
        "memory.file_hitl_example",
        "a file session across an approval",
        calls=2,
        tools={"lookup_customer_profile"},
        printed=("Approved tool call.",),
    ),
    _agents(
        "memory.memory_session_hitl_example",
        "an in-memory session across an approval",
        calls=2,
        tools={"get_weather"},
        printed=("Approved tool call.",),
    ),
    _agents(
        "memory.openai_session_example",
        "a session kept in a Conversation",
        calls=3,
        sent=("POST /v1/conversations", "GET /v1/conversations/"),
        printed=("Total items in session: 6",),
    ),
    _agents(
        "memory.openai_session_hitl_example",
        "a Conversation session across an approval",
        calls=2,
        tools={"get_weather"},
        sent=("POST /v1/conversations",),
    ),
    _agents("memory.sqlite_session_example", "a SQLite session", calls=3, printed=("Total items in session: 6",)),
    _agents(
        "sandbox.handoffs",
        "handoffs between sandbox agents",
        calls=3,
        tools={"transfer_to_account_executive_assistant"},
    ),
    _agents(
        "sandbox.sandbox_agents_as_tools",
        "sandbox agents as tools",
        calls=6,
        tools={"review_pricing_packet", "review_rollout_risk"},
    ),
    _agents("sandbox.unix_local_runner", "a local Unix sandbox run", calls=1),
    _agents(
        "sandbox.unix_local_pty",
        "an interactive Python in a PTY: started once, each input written to the session id its start printed",
        printed=(
            r"^\[tool call\] exec_command$",
            r"same process \(session \d+\)",
            r"`_ \+ 5`\): done, output: .*\b15$",
        ),
        calls=4,
        tools={"exec_command", "write_stdin"},
        check=_pty_session_reused,
    ),
    _agents(
        "sandbox.shared_session_workdirs",
        "a numbered plan per run (shell, image, patch), each step taken after the previous tool's result",
        printed=(r"^tool calls: exec_command, view_image, apply_patch$", r"^notes.md: task=task-b$", r"^Verified:"),
        calls=8,
        tools={"exec_command", "view_image"},
    ),
    _agents(
        "sandbox.sandbox_agent_capabilities",
        "a procedure from the instructions, step by step: shell, image, skill, patches that create, update and delete",
        printed=(
            r"^tool_calls: exec_command, exec_command, view_image, load_skill, apply_patch, apply_patch, apply_patch, "
            r"exec_command$",
            r"^deleted_file_absent: True$",
            r"^skill_loaded=true$",
            r"^codename=atlas$",
            r"^image_verified=true$",
        ),
        tools={"exec_command"},
        in_sdist=True,
    ),
    _agents(
        "tools.apply_patch",
        "the apply_patch tool editing a file",
        printed=("Updated tasks.md",),
        sent=("POST /v1/responses",),
    ),
    _agents(
        "research_bot.main",
        "a planner's searches on the subject, a web search agent per search, a markdown report written from them",
        printed=(
            r"^Report: # Impact of electric vehicles on the grid$",
            r"^## Overview$",
            r"^Follow up questions: .*electric vehicles on the grid.*\?$",
        ),
        check=_searched_the_subject,
    ),
    _agents(
        "tools.web_search",
        "a web search of the quoted words, summarised in one sentence with its links",
        calls=1,
        printed=(r"^Local sports news: Wikipedia gives an overview",),
        check=_searched_exactly("local sports news"),
    ),
    _agents(
        "tools.code_interpreter",
        "the code interpreter computes the asked square root and the answer shows the code and the number",
        calls=1,
        printed=(r"^result = math\.sqrt\(273 \* 312821 \+ 1782\)$", r"is 9241\.315653087497\.$"),
    ),
    _agents(
        "tools.file_search",
        "file search over a vector store it creates and deletes",
        calls=1,
        sent=("POST /v1/vector_stores", "DELETE /v1/files/"),
        printed=("Deleted vector store",),
    ),
]


def _environment(base_url: str, key: str, cwd: Path, root: Path) -> dict[str, str]:
    # Only this run's settings: no OPENAI_* or proxy of the developer's shell leaks in.
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "EXAMPLES_"))
        and name.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    return inherited | {
        "PYTHONPATH": str(root),
        "HOME": str(cwd),
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": key,
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
        "EXAMPLES_INTERACTIVE_MODE": "auto",
        "APPLY_PATCH_AUTO_APPROVE": "1",  # what the official runner's auto mode sets
        "AUTO_APPROVE_MCP": "1",
        "EXAMPLES_ARTIFACTS_DIR": str(cwd / "artifacts"),
        # Nothing leaves the machine: whatever is not loopback goes to a proxy that refuses it.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def _run(example: Example, base_url: str, cwd: Path) -> Outcome:
    root = fetch.sdist_root(example.sdk)
    key = "sk-examples-" + re.sub(r"\W", "-", example.id)
    process = subprocess.run(
        [sys.executable, "-u", "-m", f"examples.{example.module}", *example.args(cwd)],
        cwd=root if example.in_sdist else cwd,
        env=_environment(base_url, key, cwd, root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=EXAMPLE_SECONDS,
        check=False,
    )
    controls = base_url.removesuffix("/v1") + "/__mock/requests"
    answer = httpx.get(controls, params={"order": "asc", "limit": 100}, headers={"Authorization": f"Bearer {key}"})
    return Outcome(process.returncode, process.stdout, cwd, answer.raise_for_status().json()["data"])


def _require_sdists() -> None:
    for package in fetch.PACKAGES:
        if not fetch.is_unpacked(package):
            pytest.fail(
                f"The examples of {package} are not in {fetch.sdist_root(package)}: run `make sdk-examples`.",
                pytrace=False,
            )


@pytest.fixture(scope="module")
def outcomes(
    base_url: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """Every example the session selected from this module, run PARALLEL at a time. All of them end before any test
    starts: each test resets the in-process mock's stores, which would pull objects from under a running example."""
    _require_sdists()
    selected = {
        item.callspec.params["example"]
        for item in request.session.items
        if item.path == request.path and hasattr(item, "callspec") and "example" in item.callspec.params
    }
    with ThreadPoolExecutor(PARALLEL) as pool:
        runs = {
            example.id: pool.submit(_run, example, base_url, tmp_path_factory.mktemp("example"))
            for example in EXAMPLES
            if example in selected
        }
        return {name: run.result() for name, run in runs.items()}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_sdk_example_runs_and_does_what_it_says(example: Example, outcomes: dict[str, Outcome]) -> None:
    run = outcomes[example.id]
    assert run.returncode == 0, f"{example.id} exited {run.returncode}:\n{run.stdout[-4000:]}"
    for pattern in example.printed:
        assert re.search(pattern, run.stdout, re.MULTILINE), f"{pattern!r} not printed:\n{run.stdout[-4000:]}"
    if example.calls is not None:
        assert len(run.model_calls()) == example.calls
    assert example.tools <= run.tool_outputs_sent()
    for expected in example.sent:
        method, path = expected.split(" ", 1)
        assert run.sent(method, path), f"no {expected} in {[(e['method'], e['path']) for e in run.journal]}"
    assert all(entry["status"] < 400 for entry in run.journal), json.dumps(
        [(entry["method"], entry["path"], entry["status"]) for entry in run.journal]
    )
    if example.check is not None:
        example.check(run)
