"""The web search both APIs answer with, offline: the pages a search "finds" for a question, and the answer's inline
markdown links to them, each a `url_citation` spanning its link. Responses' `web_search` tool and the Chat
Completions search models (`gpt-4o-search-preview`, …) share it; each API wraps the citations its own way.

What is searched is the prompt's subject (`search_query`: "Search term: X\nReason: …" searches X). A structured answer
(a JSON format) stays exactly its JSON: its first prose field (a summary, an answer, findings…) reports what the search
found, with the links inline in that string (`reporting_hint`), and the citations span them where they sit in the
whole text (`cite(…, structured=True)`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from openai_mock.generation import extract, text
from openai_mock.generation.schema_values import Hint

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


# A line that names what to search ("Search term: …", "Query: …", "Topic: …"): its value is the subject.
_SUBJECT_LINE = re.compile(
    r"^\W*(?:search\s+(?:term|query|phrase|for)|query|question|topic|subject|keywords?)\W*:[\s*_]*(\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# A line that only says why or what for ("Reason: …", "Reason for searching: …"): nothing to search.
_ASIDE_LINE = re.compile(r"^\W*(?:reason|why|purpose|goal|context|notes?)\b[^:\n]{0,30}:", re.IGNORECASE)
# "Search the web for …", "Look up …": the request to search, not what is searched.
_ASKS_TO_SEARCH = re.compile(
    r"^(?:please\s+)?(?:search|look\s+up)\s+(?:(?:the\s+)?(?:web|internet|online)\s+)?(?:for\s+)?", re.IGNORECASE
)
# A quoted phrase at the start: straight, curly or back quotes, closed by its own kind.
_QUOTED_FIRST = re.compile(r"""(["'`“‘])((?:(?!\1)[^\n”’]){1,200})(?:\1|[”’])""")
# The names of a structured answer's prose fields (their words): the field that reports what a search found.
_PROSE_FIELDS = frozenset(
    (
        "summary",
        "answer",
        "findings",
        "finding",
        "report",
        "overview",
        "description",
        "explanation",
        "analysis",
        "content",
        "text",
        "body",
        "details",
        "result",
        "results",
        "response",
        "conclusion",
        "synopsis",
        "abstract",
        "digest",
        "notes",
        "context",
    )
)
# What each page found adds to a structured answer's report on the subject, in the order the pages rank.
_PAGE_ROLES = (
    "gives an overview of {topic}",
    "covers recent developments in {topic}",
    "reports the latest news on {topic}",
    "adds background and analysis of {topic}",
)


def search_query(prompt: str) -> str:
    """What a model types into the search box for a prompt: the subject a line labels ("Search term: X" → X), else
    the prompt without the lines that only say why ("Reason: …") and without "search the web for", on one line."""
    labelled = _SUBJECT_LINE.search(prompt)
    if labelled:
        return _unquoted(" ".join(labelled[1].split()))
    kept = " ".join(" ".join(line for line in prompt.splitlines() if not _ASIDE_LINE.match(line)).split())
    asked = _ASKS_TO_SEARCH.sub("", kept)
    quoted = _QUOTED_FIRST.match(asked) if asked != kept else None
    if quoted:  # "search the web for 'local sports news' and tell me…" searches the quoted words
        return quoted[2].strip()
    return _unquoted(asked) or kept or " ".join(prompt.split())


def _unquoted(query: str) -> str:
    """A query without the quotes wrapped around it whole ("'EV charging'" → EV charging)."""
    quoted = _QUOTED_FIRST.fullmatch(query.rstrip(".?!"))
    return quoted[2].strip() if quoted else query


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


def _link(source: Mapping[str, str]) -> str:
    domain = re.sub(r"^https?://(www\.)?", "", source["url"]).split("/")[0]
    return f"[{domain}]({source['url']})"


def _citation(source: Mapping[str, str], start: int) -> dict[str, Any]:
    """Responses' flat url_citation of the link to `source` that starts at `start`."""
    end = start + len(_link(source))
    return {
        "type": "url_citation",
        "start_index": start,
        "end_index": end,
        "url": source["url"],
        "title": source["title"],
    }


def cite(
    answer: str, sources: Sequence[Mapping[str, str]], *, structured: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Append markdown links to the sources; each gets a url_citation (Responses' flat shape) spanning its link. A
    `structured` answer (JSON) is kept as it is: its links are already inside a string value (`reporting_hint`
    put them there), and each citation spans its link where it sits in the whole text."""
    if structured:
        return answer, located(answer, sources)
    annotations: list[dict[str, Any]] = []
    for source in sources:
        answer += " (" if not annotations else " "
        annotations.append(_citation(source, len(answer)))
        answer += _link(source)
    return (answer + ")" if annotations else answer), annotations


def located(answer: str, sources: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """The citations of the links to `sources` an answer holds, in order, each spanning its link (a link a cut or a
    schema left out is not cited)."""
    annotations: list[dict[str, Any]] = []
    at = 0
    for source in sources:
        start = answer.find(_link(source), at)
        if start >= 0:
            annotations.append(_citation(source, start))
            at = annotations[-1]["end_index"]
    return annotations


def findings(query: str, sources: Sequence[Mapping[str, str]]) -> str:
    """A report of what a search for `query` found: the subject, then what each page (by its site) covers of it."""
    topic = text.topic_of(query)
    roles = [
        f"{source['title'].rsplit(' - ', 1)[-1]} {_PAGE_ROLES[index % len(_PAGE_ROLES)].format(topic=topic)}"
        for index, source in enumerate(sources)
    ]
    if not roles:
        return f"A search for {query} found no pages on {topic}."
    covered = roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + f", and {roles[-1]}"
    return f"Searched for {query}: {covered}."


def is_prose_field(name: str) -> bool:
    return any(word in _PROSE_FIELDS for word in extract.key_words(name))


def reporting_hint(query: str, sources: Sequence[Mapping[str, str]], hint: Hint | None = None) -> Hint:
    """The values of a structured answer after a search: its first free prose field (a summary, an answer…) gets
    the findings with the pages' links inline (a model cites inside the JSON, never after it); any other value is
    `hint`'s."""
    cited = cite(findings(query, sources), sources)[0]
    reported = False

    def pick(name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        nonlocal reported
        free = not any(key in schema for key in ("pattern", "format", "enum", "const"))
        fits = free and int(schema.get("maxLength", len(cited))) >= len(cited) >= int(schema.get("minLength", 0))
        if kind == "string" and not reported and fits and is_prose_field(name):
            reported = True
            return cited
        return hint(name, kind, schema) if hint is not None else None

    return pick
