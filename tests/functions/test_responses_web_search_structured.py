"""A research agent's web search over the Responses API: it searches the prompt's subject ("Search term: X" searches
X, a "Reason:" line is not searched), and a structured answer (`text.format` json_schema / json_object) stays exactly
its JSON: the prose field reports what the search found, with the pages' links inline, each cited where it sits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import agents
import openai
import pytest
from openai.types.responses import Response
from pydantic import BaseModel

from openai_mock.local.server import TemplateRouter
from tests.support.loop import run_on_private_loop
from tests.support.sdk import async_asgi_client, held
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
INSTRUCTIONS = (
    "You are a research assistant specializing in financial topics. Given a search term, use web search to retrieve "
    "up-to-date context and produce a short summary of at most 300 words."
)
SEARCH_TERM = "Search term: Apple services revenue growth\nReason: to understand drivers"
SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
    "additionalProperties": False,
}


def _search(client: openai.OpenAI, text_format: dict[str, Any], prompt: str = SEARCH_TERM) -> dict[str, Any]:
    params: Any = {
        "model": "gpt-5.6-sol",
        "instructions": INSTRUCTIONS,
        "input": prompt,
        "tools": [{"type": "web_search"}],
        "include": ["web_search_call.action.sources"],
        "text": {"format": text_format},
    }
    raw = client.responses.with_raw_response.create(**params)
    body = held(Response, raw)
    assert_conforms("POST", "/v1/responses", 200, body, spec=SPEC)
    return body


def _summary_format(schema: dict[str, Any] = SUMMARY_SCHEMA) -> dict[str, Any]:
    return {"type": "json_schema", "name": "FinancialSearchSummary", "schema": schema, "strict": True}


def _link(url: str) -> str:
    domain = re.sub(r"^https://(www\.)?", "", url).split("/")[0]
    return f"[{domain}]({url})"


def _parts(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    call = next(item for item in body["output"] if item["type"] == "web_search_call")
    message = next(item for item in body["output"] if item["type"] == "message")
    return call, message["content"][0]


def test_a_structured_answer_stays_its_json_with_the_citations_inside_the_summary(client: openai.OpenAI) -> None:
    call, part = _parts(_search(client, _summary_format()))
    summary = json.loads(part["text"])["summary"]  # the whole text is the JSON, nothing after it
    sources = [source["url"] for source in call["action"]["sources"]]
    notes = part["annotations"]
    assert [note["url"] for note in notes] == sources and len(sources) == 2
    for note in notes:
        assert note["type"] == "url_citation"
        link = part["text"][note["start_index"] : note["end_index"]]
        assert link == _link(note["url"]) and link in summary
    assert part["text"].endswith('"}')


def test_the_search_is_for_the_labelled_subject_not_the_reason(client: openai.OpenAI) -> None:
    call, _ = _parts(_search(client, _summary_format()))
    assert call["action"]["query"] == "Apple services revenue growth"
    assert call["action"]["queries"] == ["Apple services revenue growth"]
    for prompt in (
        "Search query: Apple services revenue growth\nReason for searching: drivers",
        "Search the web for Apple services revenue growth",
    ):
        searched = _parts(_search(client, _summary_format(), prompt))[0]["action"]
        assert searched["query"] == "Apple services revenue growth", prompt


def test_the_summary_reports_the_searched_topic_and_the_pages_found(client: openai.OpenAI) -> None:
    body = _search(client, _summary_format())
    _, part = _parts(body)
    summary = json.loads(part["text"])["summary"]
    assert "Apple services revenue growth" in summary
    assert "Wikipedia" in summary and "Britannica" in summary  # the sites of the pages it found
    assert "to understand drivers" not in summary
    other = _parts(_search(client, _summary_format(), "Search term: Nvidia data center sales\nReason: demand"))[1]
    assert "Nvidia data center sales" in json.loads(other["text"])["summary"]
    assert _search(client, _summary_format())["output"][-1]["content"] == body["output"][-1]["content"]  # the same


def test_a_json_object_answer_cites_inside_its_answer(client: openai.OpenAI) -> None:
    _, part = _parts(_search(client, {"type": "json_object"}, SEARCH_TERM + "\nAnswer in JSON."))
    answer = json.loads(part["text"])["answer"]
    assert "Apple services revenue growth" in answer
    assert part["annotations"] and all(
        part["text"][note["start_index"] : note["end_index"]] in answer for note in part["annotations"]
    )


def test_a_summary_too_short_for_the_links_is_answered_without_them(client: openai.OpenAI) -> None:
    short = {**SUMMARY_SCHEMA, "properties": {"summary": {"type": "string", "maxLength": 60}}}
    _, part = _parts(_search(client, _summary_format(short)))
    assert len(json.loads(part["text"])["summary"]) <= 60  # the schema holds: the cited report did not fit
    assert part["annotations"] == []


# --------------------------------------------------------------------------------------------- the Agents SDK


class FinancialSearchSummary(BaseModel):
    summary: str


@pytest.fixture
def responses_model(mock_app: TemplateRouter) -> Iterator[Any]:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform
    client = async_asgi_client(mock_app, "sk-agents")
    yield agents.OpenAIResponsesModel(model="gpt-5.6-sol", openai_client=client)


def test_an_agent_with_web_search_and_a_structured_output_parses_its_summary(responses_model: Any) -> None:
    agent = agents.Agent(
        name="FinancialSearchAgent",
        instructions=INSTRUCTIONS,
        tools=[agents.WebSearchTool()],
        model_settings=agents.ModelSettings(response_include=["web_search_call.action.sources"]),
        output_type=FinancialSearchSummary,
        model=responses_model,
    )
    result = run_on_private_loop(agents.Runner.run(agent, SEARCH_TERM))
    calls = [item.raw_item for item in result.new_items if item.type == "tool_call_item"]
    assert [call.action.query for call in calls] == ["Apple services revenue growth"]
    summary = result.final_output.summary
    assert "Apple services revenue growth" in summary
    assert all(_link(source.url) in summary for source in calls[0].action.sources)
