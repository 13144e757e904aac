"""Research writing over the Responses API, through the official SDK: a report's structured fields written from the
material in the input (search summaries, JSON evidence, notes), a search plan about the subject, a web search of the
quoted words, and the code interpreter computing the asked quantity."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import openai
from openai.types.responses import Response

from tests.support.sdk import held
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "short_summary": {"type": "string", "description": "A short 2-3 sentence summary of the findings."},
        "markdown_report": {"type": "string", "description": "The final report"},
        "follow_up_questions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Suggested topics to research further",
        },
    },
    "required": ["short_summary", "markdown_report", "follow_up_questions"],
    "additionalProperties": False,
}
PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "$defs": {
        "WebSearchItem": {
            "type": "object",
            "properties": {"reason": {"type": "string"}, "query": {"type": "string"}},
            "required": ["reason", "query"],
            "additionalProperties": False,
        }
    },
    "properties": {"searches": {"type": "array", "items": {"$ref": "#/$defs/WebSearchItem"}}},
    "required": ["searches"],
    "additionalProperties": False,
}
SUMMARIES = [
    "Searched for EV charging peak demand: evening charging adds load when households already peak. Utilities "
    "shift it with time-of-use tariffs.",
    "Vehicle-to-grid pilots: parked cars return power to the grid during peaks. Trials in Utrecht and California "
    "report steady results.",
]


def _create(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    body = held(Response, client.responses.with_raw_response.create(model="gpt-5-mini", **params))
    assert_conforms("POST", "/v1/responses", 200, body, spec=SPEC)
    return body


def _structured(client: openai.OpenAI, prompt: str, schema: dict[str, Any], name: str) -> dict[str, Any]:
    text_format = {"type": "json_schema", "name": name, "schema": schema, "strict": True}
    body = _create(client, input=prompt, instructions="You are a senior researcher.", text={"format": text_format})
    value: dict[str, Any] = json.loads(body["output"][-1]["content"][0]["text"])
    return value


def test_a_report_is_markdown_written_from_the_search_summaries_given(client: openai.OpenAI) -> None:
    prompt = f"Original query: Impact of electric vehicles on the grid.\nSummarized search results: {SUMMARIES}"
    report = _structured(client, prompt, REPORT_SCHEMA, "ReportData")
    markdown = report["markdown_report"]
    assert markdown.startswith("# Impact of electric vehicles on the grid\n")
    headings = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert headings == ["Summary", "EV charging peak demand", "Vehicle-to-grid pilots", "Conclusion"]
    for sentence in ("Utilities shift it with time-of-use tariffs.", "Trials in Utrecht and California"):
        assert sentence in markdown  # the material's own sentences, under their heading
    summary = report["short_summary"]
    assert "electric vehicles on the grid" in summary and len(re.findall(r"[.!?](?:\s|$)", summary)) == 1
    questions = report["follow_up_questions"]
    assert len(questions) >= 3 and all(q.endswith("?") and "electric vehicles" in q for q in questions)
    assert report == _structured(client, prompt, REPORT_SCHEMA, "ReportData")  # deterministic


def test_a_report_from_json_evidence_links_each_sections_sources(client: openai.OpenAI) -> None:
    evidence = {
        "original_query": "Write a short analysis of Apple's long-term revenue drivers and key risks.",
        "evidence": [
            {
                "query": "Apple services revenue growth",
                "summary": "Services revenue keeps growing faster than hardware.",
                "sources": [{"url": "https://example.com/services", "title": "Services"}],
            }
        ],
    }
    markdown = _structured(client, json.dumps(evidence), REPORT_SCHEMA, "FinancialReportData")["markdown_report"]
    assert markdown.startswith("# Apple's long-term revenue drivers and key risks\n")
    assert "## Apple services revenue growth\n\nServices revenue keeps growing faster than hardware." in markdown
    assert "[Services](https://example.com/services)" in markdown


def test_a_report_from_notes_takes_the_notes_as_a_section(client: openai.OpenAI) -> None:
    prompt = "Topic: Urban heat islands\n\nNotes:\n- Dark roofs absorb heat\n- Street trees cool blocks by shade"
    markdown = _structured(client, prompt, REPORT_SCHEMA, "ReportData")["markdown_report"]
    assert markdown.startswith("# Urban heat islands\n")
    assert "## Notes\n\nDark roofs absorb heat. Street trees cool blocks by shade." in markdown


def test_a_search_plan_searches_the_subject_from_different_angles(client: openai.OpenAI) -> None:
    plan = _structured(client, "Query: Impact of electric vehicles on the grid.", PLAN_SCHEMA, "WebSearchPlan")
    searches = plan["searches"]
    assert searches[0]["query"] == "Impact of electric vehicles on the grid"
    assert len({item["query"] for item in searches}) == len(searches)
    for item in searches:
        assert "electric vehicles on the grid" in item["query"] + " " + item["reason"]
        assert item["reason"].startswith("To ")


def test_a_web_search_searches_the_quoted_words_and_summarises_in_one_sentence(client: openai.OpenAI) -> None:
    prompt = "search the web for 'local sports news' and give me 1 interesting update in a sentence."
    body = _create(client, input=prompt, tools=[{"type": "web_search"}])
    call = next(item for item in body["output"] if item["type"] == "web_search_call")
    assert call["action"]["query"] == "local sports news"
    answer = body["output"][-1]["content"][0]["text"]
    assert answer.startswith("Local sports news: Wikipedia gives an overview")
    assert "'" not in answer.split("(")[0]


def test_a_search_agents_summary_says_why_it_searched(client: openai.OpenAI) -> None:
    prompt = "Search term: grid battery storage\nReason for searching: To see how storage smooths peaks."
    body = _create(client, input=prompt, tools=[{"type": "web_search"}])
    answer = body["output"][-1]["content"][0]["text"]
    assert answer.startswith("Grid battery storage: Wikipedia gives an overview and Britannica covers recent")
    assert "Searched to see how storage smooths peaks." in answer


def test_the_code_interpreter_computes_the_asked_quantity(client: openai.OpenAI) -> None:
    prompt = (
        "Use the code interpreter tool to calculate the square root of 273 * 312821 + 1782. Show the Python code you "
        "ran and then provide the numeric answer."
    )
    tools: Any = [{"type": "code_interpreter", "container": {"type": "auto"}}]
    body = _create(client, input=prompt, tools=tools, include=["code_interpreter_call.outputs"])
    call = next(item for item in body["output"] if item["type"] == "code_interpreter_call")
    expected = repr(math.sqrt(273 * 312821 + 1782))
    assert "math.sqrt(273 * 312821 + 1782)" in call["code"]
    assert call["outputs"] == [{"type": "logs", "logs": expected + "\n"}]
    answer = body["output"][-1]["content"][0]["text"]
    assert "```python\nimport math\n" in answer
    assert f"The square root of 273 * 312821 + 1782 is {expected}." in answer
