"""The web search both APIs answer with, offline: the pages a search "finds" for a question, and the answer's inline
markdown links to them, each a `url_citation` spanning its link. Responses' `web_search` tool and the Chat
Completions search models (`gpt-4o-search-preview`, …) share it; each API wraps the citations its own way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from openai_mock.generation import text

_SOURCES = (
    ("Wikipedia", "https://en.wikipedia.org/wiki/{slug}"),
    ("Britannica", "https://www.britannica.com/search?query={query}"),
    ("Reuters", "https://www.reuters.com/site-search/?query={query}"),
    ("AP News", "https://apnews.com/search?q={query}"),
)
# A local question's pages: the place's own article, then city guides searched for the topic there.
_LOCAL_SOURCES = (
    ("Wikipedia", "https://en.wikipedia.org/wiki/{slug}"),
    ("Tripadvisor", "https://www.tripadvisor.com/Search?q={query}"),
    ("Yelp", "https://www.yelp.com/search?find_desc={query}"),
    ("Time Out", "https://www.timeout.com/search?q={query}"),
)
# What makes a question local (its answer depends on where the user is).
_LOCAL = re.compile(
    r"\b(?:near(?:by|est)?|closest|local|around\s+here|in\s+my\s+(?:area|city|town)|in\s+town|where\s+can\s+i)\b"
    r"|\b(?:restaurants?|cafes?|caf\u00e9s?|coffee\s+shops?|bars?|museums?|parks?|hotels?|events?|things\s+to\s+do)\b",
    re.IGNORECASE,
)


# The words that only say "here" (left out of the topic a local page is searched for).
_HERE = re.compile(
    r"\b(?:near(?:by|est)?(?:\s+(?:me|here|us))?|closest|local|around\s+here|in\s+my\s+(?:area|city|town)|in\s+town)\b",
    re.IGNORECASE,
)


def is_local(question: str) -> bool:
    return _LOCAL.search(question) is not None


def _tracked(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "utm_source=openai"


def _capitalised(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def web_sources(query: str, allowed_domains: Sequence[str] = (), count: int = 2) -> list[dict[str, str]]:
    """The pages a web search "finds": well-known sites, addressed by the query's topic (offline, the same every
    time), `count` of them (2 to 4); with `allowed_domains`, pages of those domains only (two at most)."""
    topic = text.topic_of(query)
    slug, words = quote(topic.title().replace(" ", "_")), quote(topic)
    sites = list(_SOURCES[:count])
    if allowed_domains:
        sites = [
            (domain.split(".")[0].title(), f"https://{domain}/search?q={{query}}")
            for domain in (re.sub(r"^https?://", "", domain).strip("/") for domain in allowed_domains[:2])
        ]
    return [
        {"title": f"{_capitalised(topic)} - {site}", "url": _tracked(template.format(slug=slug, query=words))}
        for site, template in sites
    ]


def local_sources(query: str, place: str, count: int = 2) -> list[dict[str, str]]:
    """A local question's pages for the user's `place` (a city): its article, then guides to the topic there."""
    topic = text.topic_of(_HERE.sub(" ", query))
    slug, words = quote(place.replace(" ", "_")), quote(f"{topic} {place}")
    pages = []
    for site, template in _LOCAL_SOURCES[:count]:
        title = f"{place} - {site}" if "{slug}" in template else f"{_capitalised(topic)} in {place} - {site}"
        pages.append({"title": title, "url": _tracked(template.format(slug=slug, query=words))})
    return pages


def cite(answer: str, sources: Sequence[Mapping[str, str]]) -> tuple[str, list[dict[str, Any]]]:
    """Append markdown links to the sources; each gets a url_citation (Responses' flat shape) spanning its link."""
    annotations: list[dict[str, Any]] = []
    for source in sources:
        domain = re.sub(r"^https?://(www\.)?", "", source["url"]).split("/")[0]
        link = f"[{domain}]({source['url']})"
        answer += " (" if not annotations else " "
        start = len(answer)
        answer += link
        annotations.append(
            {
                "type": "url_citation",
                "start_index": start,
                "end_index": start + len(link),
                "url": source["url"],
                "title": source["title"],
            }
        )
    return (answer + ")" if annotations else answer), annotations
