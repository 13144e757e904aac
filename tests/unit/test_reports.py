"""Research writing (`generation/reports.py`) and the search query of a quoted phrase (`web_search.search_query`)."""

from __future__ import annotations

import json

from openai_mock.generation import reports, web_search


def test_the_subject_is_the_labelled_query_without_the_request_to_write() -> None:
    assert reports.subject_of(["Original query: Impact of electric vehicles on the grid.\nOther: x"]) == (
        "Impact of electric vehicles on the grid"
    )
    assert reports.subject_of(["Write a short analysis of Apple's key risks. Avoid guesses."]) == "Apple's key risks"


def test_each_summary_of_a_list_literal_is_a_section_headed_by_its_lead() -> None:
    found = reports.material(["Query: Solar power\nResults: ['Searched for solar power costs: They fell. Fast.']"])
    (section,) = found.sections
    assert (section.heading, section.sentences) == ("Costs", ["They fell.", "Fast."])


def test_json_evidence_sections_link_their_sources() -> None:
    evidence = {"original_query": "X", "evidence": [{"query": "Y", "summary": "Z.", "sources": [{"url": "https://a"}]}]}
    report = reports.markdown_report(reports.material([json.dumps(evidence)]))
    assert "## Y\n\nZ. ([https://a](https://a))" in report


def test_a_search_plan_has_distinct_queries_on_the_subject() -> None:
    plan = reports.search_plan("Impact of electric vehicles on the grid")
    assert plan[0][0] == "Impact of electric vehicles on the grid"
    assert all("electric vehicles on the grid" in query for query, _ in plan)
    assert len({query for query, _ in plan}) == len(plan)


def test_the_writer_hint_leaves_other_fields_and_material_free_requests_alone() -> None:
    pick = reports.writing(lambda *_: "kept", ["Just a question?"], {"type": "object"})
    assert pick("markdown_report", "string", {}) == "kept"  # no parts to write from
    assert pick("query", "string", {}) == "kept"  # no search plan in the schema


def test_a_quoted_search_phrase_is_searched_without_its_quotes() -> None:
    asked = "search the web for 'local sports news' and give me 1 interesting update in a sentence."
    assert web_search.search_query(asked) == "local sports news"
    assert web_search.search_query("Search term: \u201cEV charging\u201d") == "EV charging"
    assert web_search.search_query("search for Don't panic books") == "Don't panic books"
