"""Chat Completions search models (`gpt-4o-search-preview`, …): every answer searches the web and cites its pages
(`message.annotations` url_citations spanning markdown links), steered by `web_search_options`; what they refuse."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from starlette.testclient import TestClient

from openai_mock.generation import tokens
from tests.support.sdk import held
from tests.support.spec import assert_conforms, validate_component

SEARCH = "gpt-4o-search-preview"
ASK_NEWS: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": "What did the Perseverance Mars rover discover recently?"}
]
ASK_COFFEE: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Where are the best coffee shops near me?"}]
LISBON = {"type": "approximate", "approximate": {"city": "Lisbon", "country": "PT", "timezone": "Europe/Lisbon"}}
AUTH = {"Authorization": "Bearer sk-test"}


def _create(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    params.setdefault("model", SEARCH)
    params.setdefault("messages", ASK_NEWS)
    body = held(ChatCompletion, client.chat.completions.with_raw_response.create(**params))
    assert_conforms("POST", "/v1/chat/completions", 200, body)
    return body


def _citations(body: dict[str, Any]) -> list[dict[str, Any]]:
    message = body["choices"][0]["message"]
    return [note["url_citation"] for note in message["annotations"]]


def _assert_spans_links(content: str, citations: list[dict[str, Any]]) -> None:
    for citation in citations:
        link = content[citation["start_index"] : citation["end_index"]]
        domain = re.sub(r"^https://(www\.)?", "", citation["url"]).split("/")[0]
        assert link == f"[{domain}]({citation['url']})"


def test_a_search_model_cites_the_pages_it_found(client: openai.OpenAI) -> None:
    body = _create(client)
    message = body["choices"][0]["message"]
    citations = _citations(body)
    assert [note["type"] for note in message["annotations"]] == ["url_citation"] * 3  # medium context: 3 pages
    _assert_spans_links(message["content"], citations)
    assert all(citation["url"].endswith("utm_source=openai") for citation in citations)
    assert all(citation["title"].startswith("Perseverance Mars rover - ") for citation in citations)
    assert len({citation["url"] for citation in citations}) == 3
    assert body["choices"][0]["finish_reason"] == "stop"
    assert _create(client)["choices"][0]["message"] == message  # the same question, the same answer


def test_search_context_size_sets_how_many_pages_and_how_long_the_answer(client: openai.OpenAI) -> None:
    answers = {
        size: _create(client, web_search_options={"search_context_size": size}) for size in ("low", "medium", "high")
    }
    assert {size: len(_citations(body)) for size, body in answers.items()} == {"low": 2, "medium": 3, "high": 4}
    words = {size: len(body["choices"][0]["message"]["content"].split()) for size, body in answers.items()}
    assert words["low"] < words["medium"] < words["high"]
    assert answers["medium"]["choices"][0]["message"] == _create(client)["choices"][0]["message"]  # the default


def test_user_location_gives_a_local_question_the_citys_pages(client: openai.OpenAI) -> None:
    local = _citations(_create(client, messages=ASK_COFFEE, web_search_options={"user_location": LISBON}))
    assert local[0]["title"] == "Lisbon - Wikipedia"
    assert local[0]["url"] == "https://en.wikipedia.org/wiki/Lisbon?utm_source=openai"
    assert all("Lisbon" in citation["url"] for citation in local)
    assert local[1]["title"] == "Coffee shops in Lisbon - Tripadvisor"
    unplaced = _citations(_create(client, messages=ASK_COFFEE))
    assert not any("Lisbon" in citation["url"] for citation in unplaced)
    # A question that does not depend on where the user is: the location changes nothing about the pages.
    news = _citations(_create(client, web_search_options={"user_location": LISBON}))
    assert [citation["url"] for citation in news] == [citation["url"] for citation in _citations(_create(client))]


def test_usage_counts_the_cited_answer_as_usual(client: openai.OpenAI) -> None:
    plain = _create(client, model="gpt-4o", messages=ASK_NEWS)
    body = _create(client)
    content = body["choices"][0]["message"]["content"]
    assert body["usage"]["completion_tokens"] == tokens.count_tokens(content, SEARCH)
    assert body["usage"]["prompt_tokens"] == plain["usage"]["prompt_tokens"]  # the search adds no input tokens
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]


def test_a_cut_answer_keeps_only_the_citations_it_still_holds(client: openai.OpenAI) -> None:
    whole = _create(client)
    content = whole["choices"][0]["message"]["content"]
    second = _citations(whole)[1]
    keep = tokens.count_tokens(content[: second["end_index"]], SEARCH) + 1  # through the second link, not the third
    cut = _create(client, max_completion_tokens=keep)
    message = cut["choices"][0]["message"]
    assert cut["choices"][0]["finish_reason"] == "length"
    assert content.startswith(message["content"]) and len(message["annotations"]) == 2
    _assert_spans_links(message["content"], _citations(cut))


def test_a_stream_sends_the_cited_text_and_the_stored_completion_keeps_the_annotations(
    client: openai.OpenAI, http: TestClient
) -> None:
    rest = _create(client)
    body = {"model": SEARCH, "messages": ASK_NEWS, "stream": True, "store": True}
    response = http.post("/v1/chat/completions", json=body, headers=AUTH)
    events = [block.removeprefix("data: ") for block in response.text.split("\n\n") if block]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk)
    # The spec's ChatCompletionStreamResponseDelta has no `annotations`: the deltas carry the linked text only.
    assert not any("annotations" in choice["delta"] for chunk in chunks for choice in chunk["choices"])
    streamed = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
    assert streamed == rest["choices"][0]["message"]["content"]

    stored = held(ChatCompletion, client.chat.completions.with_raw_response.retrieve(chunks[0]["id"]))
    assert_conforms("GET", f"/v1/chat/completions/{chunks[0]['id']}", 200, stored)
    assert stored["choices"][0]["message"]["annotations"] == rest["choices"][0]["message"]["annotations"]


def test_a_stored_completion_keeps_its_annotations(client: openai.OpenAI) -> None:
    created = _create(client, store=True)
    fetched = client.chat.completions.retrieve(created["id"])
    annotations = fetched.choices[0].message.annotations or []
    assert [note.url_citation.url for note in annotations] == [citation["url"] for citation in _citations(created)]


SEARCH_TERM = "Search term: Apple services revenue growth\nReason: to understand drivers"
ASK_TERM: list[ChatCompletionMessageParam] = [{"role": "user", "content": SEARCH_TERM}]
SUMMARY_FORMAT: Any = {
    "type": "json_schema",
    "json_schema": {
        "name": "search_summary",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"summary": {"type": "string"}, "confidence": {"type": "number"}},
            "required": ["summary", "confidence"],
            "additionalProperties": False,
        },
    },
}


def test_a_structured_answer_stays_its_json_and_cites_inside_its_summary(client: openai.OpenAI) -> None:
    body = _create(client, messages=ASK_TERM, response_format=SUMMARY_FORMAT)
    content = body["choices"][0]["message"]["content"]
    answer = json.loads(content)  # the whole content is the JSON: no links after it
    citations = _citations(body)
    assert len(citations) == 3  # medium context: 3 pages, all linked inside the summary
    _assert_spans_links(content, citations)
    assert all(content[note["start_index"] : note["end_index"]] in answer["summary"] for note in citations)
    # The summary reports the subject searched (not the reason) and the sites of the pages found.
    assert "Apple services revenue growth" in answer["summary"] and "to understand drivers" not in answer["summary"]
    assert all(citation["title"].startswith("Apple services revenue - ") for citation in citations)
    assert "Wikipedia" in answer["summary"] and "Reuters" in answer["summary"]
    assert body["usage"]["completion_tokens"] == tokens.count_tokens(content, SEARCH)


def test_a_json_object_answer_cites_inside_its_answer(client: openai.OpenAI) -> None:
    asked: list[ChatCompletionMessageParam] = [{"role": "user", "content": SEARCH_TERM + "\nReply in JSON."}]
    body = _create(client, messages=asked, response_format={"type": "json_object"})
    content = body["choices"][0]["message"]["content"]
    answer = json.loads(content)["answer"]
    citations = _citations(body)
    assert citations and all(content[note["start_index"] : note["end_index"]] in answer for note in citations)
    _assert_spans_links(content, citations)


def test_web_search_options_on_a_model_that_does_not_search_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=ASK_NEWS, web_search_options={})
    assert raised.value.param == "web_search_options"
    assert raised.value.code == "unsupported_parameter"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 0.2),
        ("top_p", 0.5),
        ("n", 2),
        ("presence_penalty", 0.5),
        ("frequency_penalty", 0.5),
        ("logprobs", True),
        ("logit_bias", {"100": 5}),
        ("tools", [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]),
    ],
)
def test_a_search_model_refuses_sampling_parameters_and_tools(client: openai.OpenAI, name: str, value: Any) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=SEARCH, messages=ASK_NEWS, **{name: value})
    assert raised.value.message.endswith(f"Model incompatible request argument supplied: {name}")
    assert raised.value.param == name


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"search_context_size": "huge"}, "web_search_options.search_context_size"),
        ({"user_location": {"type": "exact", "approximate": {}}}, "web_search_options.user_location.type"),
        ({"user_location": {"type": "approximate"}}, "web_search_options.user_location.approximate"),
        (
            {"user_location": {"type": "approximate", "approximate": {"country": "Portugal"}}},
            "web_search_options.user_location.approximate.country",
        ),
        ({"search_depth": "deep"}, "web_search_options.search_depth"),
    ],
)
def test_invalid_web_search_options_name_the_param(client: openai.OpenAI, options: Any, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=SEARCH, messages=ASK_NEWS, web_search_options=options)
    assert raised.value.param == param
