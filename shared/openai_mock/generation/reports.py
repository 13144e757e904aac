"""Research writing, as a model does it from the material in the conversation: the search plan for a subject, the
summary of what one web search found, and a report's long-form fields (a markdown document, its short summary, its
follow-up questions) written out of the summaries, notes or evidence the input holds.

The material is what the user (and the tools, and earlier assistant turns) wrote, never the instructions: a
labelled subject ("Original query: …", `"original_query": …`), then its parts — the strings of a list literal
("Summarized search results: ['…', '…']", as the Agents SDK's research bot passes them), the objects of a JSON list
(`{"query", "summary", "sources"}` evidence), the items under a labelled block ("Notes:" then bullets), plain
paragraphs. Each part becomes a section of the report: its heading is the part's own lead ("Searched for X:",
"X:", a query or title field), else the words it is about; its sentences are the part's, links kept inline.
Nothing is invented beyond the joining sentences: a report says what its material says. Pure: text in, text out."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import extract, text, web_search
from openai_mock.generation.schema_values import Hint

# A line that names the subject of the research.
_SUBJECT_LINE = re.compile(
    r"^\W*(?:original\s+)?(?:research\s+)?(?:query|question|topic|subject|title|request)\W*:[\s*_]*(\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# JSON keys that hold the subject, the part's heading, its prose and its sources.
_SUBJECT_KEYS = ("original_query", "query", "question", "topic", "subject", "title")
_HEADING_KEYS = ("query", "title", "topic", "name", "heading", "subject", "search_term")
_PROSE_KEYS = ("summary", "content", "text", "findings", "body", "analysis", "notes", "snippet", "description")
# A label followed by a literal list or object ("Summarized search results: [...]").
_LITERAL_LABEL = re.compile(r"^[^\n:]{1,60}:\s*(?=[\[{])", re.MULTILINE)
# "Notes:" alone on its line, items under it.
_BLOCK_LABEL = re.compile(r"^\W*([A-Z][^\n:]{0,40}):\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# A part's own lead: "Searched for X:", "Search term: X", or a short "X:" before its sentences.
_LEAD = re.compile(
    r"^\s*(?:\*\*)?(?:searched\s+for\s+|search\s+term\s*:\s*)?([^:\n.!?]{3,80}?)(?:\*\*)?\s*:\s+(?=\S)", re.IGNORECASE
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\[(\"'A-Z0-9*])")
# A request to write about the subject, not the subject: "Write a short analysis of …", "Research …".
_ASKS_TO_WRITE = re.compile(
    r"^(?:please\s+)?(?:(?:write|give|prepare|produce|draft|create|do|make)\s+(?:me\s+)?(?:an?\s+|the\s+)?"
    r"(?:(?:short|brief|long|detailed|quick|full|comprehensive)\s+)?(?:analysis|report|overview|summary|review|"
    r"study|memo|brief|article|essay|research)\s+(?:of|on|about|into|for)\s+|research\s+|analy[sz]e\s+|"
    r"(?:tell\s+me\s+)?about\s+)",
    re.IGNORECASE,
)
# Leading words that make a subject read as a title but not as the thing searched ("Impact of X" searches X).
_FRAMING = re.compile(r"^(?:the\s+)?(?:impacts?|effects?|role|state|history|future|overview|analysis)\s+of\s+", re.I)
_COMMON_FIRST_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "impact",
        "impacts",
        "effect",
        "effects",
        "role",
        "state",
        "history",
        "future",
        "overview",
        "analysis",
        "how",
        "why",
        "what",
        "which",
        "benefits",
        "risks",
        "cost",
        "costs",
        "growth",
        "use",
        "uses",
        "adoption",
        "trends",
    ]
)
_REQUEST_ONE_SENTENCE = re.compile(r"\b(?:in\s+)?(?:a|one|1|single)\s+sentence\b", re.IGNORECASE)
_REASON_LINE = re.compile(r"^\W*(?:reason|why|purpose)\b[^:\n]{0,30}:\s*(\S.*)$", re.IGNORECASE | re.MULTILINE)

# Names (their words) of a structured answer's fields, by what a writer puts in them.
_REPORT_WORDS = frozenset(("report", "markdown", "article", "essay", "writeup", "memo"))
_DOCUMENT_WORDS = frozenset(("analysis", "body", "document", "content", "draft"))
_SUMMARY_WORDS = frozenset(("summary", "abstract", "synopsis", "tldr", "overview"))
_SHORT_WORDS = frozenset(("short", "brief", "executive", "one", "tldr", "headline"))
_QUESTION_WORDS = frozenset(("question", "questions", "followup", "follow", "topics"))
_QUERY_WORDS = frozenset(("query", "queries", "term", "terms", "keyword", "keywords", "search"))
_REASON_WORDS = frozenset(("reason", "rationale", "why", "purpose", "reasoning"))

# The angles a researcher searches a subject from: (the query's wording, why it is searched).
_FACETS = (
    ("{subject}", "To get an overview of {core} and the terms the other searches build on."),
    ("{core} statistics and data", "To ground the report in figures on {core}."),
    ("{core} latest developments", "To find what has changed recently in {core}."),
    ("{core} challenges and risks", "To understand the main problems and risks of {core}."),
    ("{core} policy and regulation", "To see how rules and policy shape {core}."),
    ("{core} outlook and forecasts", "To learn where experts expect {core} to go next."),
    ("{core} case studies", "To find concrete examples of {core} in practice."),
)
_FOLLOW_UPS = (
    "Which data would best measure {core} over the next five years?",
    "Where do experts disagree most about {core}, and why?",
    "What policies or decisions would change {core} the most?",
    "How does {core} differ between regions or markets?",
)
_OVERVIEW = "Overview"  # the heading of a part about the whole subject
_PAGE_ROLES = ("gives an overview", "covers recent developments", "reports the latest news", "adds background")


class Section(NamedTuple):
    heading: str
    sentences: list[str]
    sources: list[tuple[str, str]] = []  # noqa: RUF012 (title, url) the part names; never mutated


class Material(NamedTuple):
    subject: str
    sections: list[Section]

    @property
    def core(self) -> str:
        """The subject as a search or a question names it: without framing words, not capitalised mid-sentence."""
        core = _FRAMING.sub("", self.subject) or self.subject
        first, _, rest = core.partition(" ")
        return f"{first.lower()} {rest}".strip() if first.lower() in _COMMON_FIRST_WORDS else core


# --------------------------------------------------------------------------------------------- reading


def _clean(phrase: str) -> str:
    return " ".join(phrase.strip().strip("\"'`*").split()).rstrip(".?!;:,")


def subject_of(texts: Sequence[str]) -> str:
    """What the research is about: a labelled subject, else the first user sentence without "write a report on"."""
    for written in texts:
        labelled = _SUBJECT_LINE.search(written)
        if labelled:
            return _capitalised(_ASKS_TO_WRITE.sub("", _first_sentence(_clean(labelled[1]))))
        value = _json(written)
        if isinstance(value, Mapping):
            found = next((value[key] for key in _SUBJECT_KEYS if isinstance(value.get(key), str)), None)
            if found:
                return _capitalised(_ASKS_TO_WRITE.sub("", _first_sentence(_clean(found))))
    first = next((written for written in texts if written.strip()), "")
    return _capitalised(_ASKS_TO_WRITE.sub("", _first_sentence(_clean(first)))) or "This topic"


def _first_sentence(written: str) -> str:
    return _clean(_SENTENCE.split(written.strip(), 1)[0]) if written.strip() else ""


def _capitalised(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _json(written: str) -> Any:
    stripped = written.strip()
    if stripped[:1] not in ("{", "["):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _literal(written: str, at: int) -> Any:
    """The list or object literal that starts at `at` (Python's repr or JSON), else None."""
    rest = written[at:].strip()
    for end in _closing_brackets(rest):
        try:
            return ast.literal_eval(rest[: end + 1])
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
    return None


def _closing_brackets(rest: str) -> Iterator[int]:
    """Where the literal opening `rest` may end: each closing bracket of its kind, last first (few tries)."""
    closer = "]" if rest.startswith("[") else "}"
    at = rest.rfind(closer)
    tries = 0
    while at > 0 and tries < 8:
        yield at
        at, tries = rest.rfind(closer, 0, at), tries + 1


def _sentences(written: str) -> list[str]:
    flat = " ".join(line.strip() for line in written.splitlines() if line.strip())
    return [sentence for sentence in _SENTENCE.split(flat) if sentence]


def _heading_and_sentences(written: str) -> tuple[str, list[str]]:
    lead = _LEAD.match(written)
    if lead and len(lead[1].split()) <= 12:
        return _capitalised(_clean(lead[1])), _sentences(written[lead.end() :])
    sentences = _sentences(written)
    return _capitalised(text.topic_of(sentences[0] if sentences else written)), sentences


def _without_subject(heading: str, subject: str) -> str:
    """A section's heading inside its report: "EV grid statistics" under the subject "EV grid" is "Statistics"."""
    if heading.lower() == subject.lower():
        return _OVERVIEW
    rest = heading[len(subject) :].strip(" :-") if heading.lower().startswith(subject.lower()) else ""
    return _capitalised(rest) if rest else heading


def _section_of(part: Any) -> Section | None:
    if isinstance(part, str) and part.strip():
        heading, sentences = _heading_and_sentences(part)
        return Section(heading, sentences) if sentences else None
    if not isinstance(part, Mapping):
        return None
    prose = next((part[key] for key in _PROSE_KEYS if isinstance(part.get(key), str) and part[key].strip()), None)
    if prose is None:
        return None
    named = next((part[key] for key in _HEADING_KEYS if isinstance(part.get(key), str) and part[key].strip()), None)
    heading, sentences = _heading_and_sentences(prose)
    sources = [
        (str(source.get("title") or source["url"]), str(source["url"]))
        for source in part.get("sources") or []
        if isinstance(source, Mapping) and isinstance(source.get("url"), str)
    ]
    return Section(_capitalised(_clean(named)) if named else heading, sentences, sources)


def _parts_of(value: Any) -> list[Any]:
    """The parts of a literal: a list's items, or the items of an object's first list of parts."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            if isinstance(item, list) and any(isinstance(part, str | Mapping) for part in item):
                return item
    return []


def _sections_of(written: str) -> list[Section]:
    value = _json(written)
    if value is not None:
        return [section for part in _parts_of(value) if (section := _section_of(part))]
    found: list[Section] = []
    for label in _LITERAL_LABEL.finditer(written):
        found += [section for part in _parts_of(_literal(written, label.end())) if (section := _section_of(part))]
    if found:
        return found
    return _blocks_of(written)


def _blocks_of(written: str) -> list[Section]:
    """Labelled blocks of items ("Notes:" then bullets) and plain paragraphs; subject lines are not parts."""
    found: list[Section] = []
    for paragraph in re.split(r"\n\s*\n", written):
        lines = [line for line in paragraph.splitlines() if line.strip() and not _SUBJECT_LINE.match(line)]
        if not lines:
            continue
        label = _BLOCK_LABEL.match(lines[0])
        items = [_BULLET.sub("", line).strip() for line in lines[1:] if _BULLET.match(line)]
        if label and items:
            sentences = [item if item[-1:] in ".!?" else item + "." for item in items]
            found.append(Section(_capitalised(_clean(label[1])), sentences))
        elif (section := _section_of("\n".join(lines))) is not None and len(section.sentences) >= 2:
            found.append(section)
    return found


def material(texts: Sequence[str]) -> Material:
    """The subject and sections of what the conversation gives to write from (user text, tool outputs, earlier
    answers; oldest first)."""
    subject = subject_of(texts)
    core = Material(subject, []).core
    sections = [
        section._replace(heading=_without_subject(_without_subject(section.heading, subject), core))
        for written in texts
        for section in _sections_of(written)
    ]
    return Material(subject, sections)


# --------------------------------------------------------------------------------------------- writing


def _listed(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]}"


def _headings(found: Material) -> list[str]:
    return [section.heading for section in found.sections if section.heading.lower() not in (_OVERVIEW.lower(),)]


def short_summary(found: Material) -> str:
    """One sentence: what the report is about and what it draws on."""
    count = len(found.sections)
    parts = "one research summary" if count == 1 else f"{count} research summaries"
    headings = [heading[:1].lower() + heading[1:] for heading in _headings(found)[:3]]
    if not count:
        return f"This report sets out what is known about {found.core}."
    on = f", on {'; '.join(headings)}" if headings else ""
    return f"This report on {found.core} brings together {parts}{on}."


def summary(found: Material) -> str:
    """Two sentences: the short summary, then the first finding the material states."""
    first = next((section.sentences[0] for section in found.sections if section.sentences), None)
    return short_summary(found) + (f" {first}" if first else "")


def _cited(section: Section) -> str:
    paragraph = " ".join(section.sentences)
    links = [f"[{title}]({url})" for title, url in section.sources if url not in paragraph]
    return paragraph + (f" ({'; '.join(links)})" if links else "")


def markdown_report(found: Material) -> str:
    """A markdown document: the subject as its title, a summary, a section per part of the material (its heading,
    its sentences, its sources linked), and a conclusion that names what the sections covered."""
    lines = [f"# {found.subject}", "", "## Summary", "", short_summary(found), ""]
    for section in found.sections:
        lines += [f"## {section.heading}", "", _cited(section), ""]
    headings = _headings(found)
    if headings:
        covered = "; ".join(heading[:1].lower() + heading[1:] for heading in headings[:4])
        closing = f"Taken together, the material on {found.core} covers {covered}."
    else:
        closing = f"The material gathered so far on {found.core} is summarised above."
    lines += ["## Conclusion", "", closing + " The follow-up questions name what is still open."]
    return "\n".join(lines)


def follow_up_questions(found: Material, count: int = 4) -> list[str]:
    """Questions on the subject for further research: one per section the material opened, then general ones."""
    questions = [
        f"What further evidence is there on the {heading[:1].lower() + heading[1:]} of {found.core}?"
        for heading in _headings(found)[:2]
    ]
    questions += [template.format(core=found.core) for template in _FOLLOW_UPS]
    return list(dict.fromkeys(questions))[:count]


def search_plan(subject: str) -> list[tuple[str, str]]:
    """The (query, reason) of each search a researcher runs on `subject`, broadest first."""
    core = Material(subject, []).core
    return [(query.format(subject=subject, core=core), why.format(core=core)) for query, why in _FACETS]


def search_summary(prompt: str, pages: Sequence[Mapping[str, str]]) -> str:
    """What a search agent writes after one web search: the term, what each page found covers, and why it was
    searched (the prompt's "Reason: …" line); one sentence when the user asks for one."""
    query = _clean(web_search.search_query(prompt)) or "the subject"
    roles = [
        f"{page['title'].rsplit(' - ', 1)[-1]} {_PAGE_ROLES[index % len(_PAGE_ROLES)]}"
        for index, page in enumerate(pages)
    ]
    opening = f"{_capitalised(query)}: {_listed(roles) if roles else 'no page was found'}."
    reason = _REASON_LINE.search(prompt)
    if reason is None or _REQUEST_ONE_SENTENCE.search(prompt):
        return opening
    why = _clean(reason[1])
    return f"{opening} Searched {why[:1].lower() + why[1:]}."


# --------------------------------------------------------------------------------------------- the hint


def _words(name: str) -> set[str]:
    return set(extract.key_words(name))


def _plans_searches(schema: Any) -> bool:
    """Does the schema ask for searches: an object (anywhere) with a query-like property?"""
    if isinstance(schema, Mapping):
        properties = schema.get("properties")
        if isinstance(properties, Mapping) and any(_words(key) & {"query", "search"} for key in properties):
            return True
        return any(_plans_searches(value) for value in schema.values())
    if isinstance(schema, list):
        return any(_plans_searches(value) for value in schema)
    return False


def _asks_markdown(schema: Mapping[str, Any]) -> bool:
    return bool(re.search(r"\b(?:markdown|report)\b", str(schema.get("description") or ""), re.IGNORECASE))


def writing(hint: Hint | None, texts: Sequence[str], schema: Mapping[str, Any]) -> Hint:
    """`hint`, with a writer's values for a structured answer's research fields: a search plan's queries and
    reasons (when the schema plans searches), and, when the material holds parts to write from, the report
    (markdown), its summary and its follow-up questions. Any other field is `hint`'s."""
    found = material(texts)
    plan = search_plan(found.subject) if _plans_searches(schema) else []
    asked: dict[str, int] = {"query": 0, "reason": 0}

    def planned(which: str) -> str:
        index = asked[which] % len(plan)
        asked[which] += 1
        return plan[index][0 if which == "query" else 1]

    writes: dict[str, Callable[[], Any]] = {}
    if found.sections:
        writes = {
            "report": lambda: markdown_report(found),
            "short": lambda: short_summary(found),
            "summary": lambda: summary(found),
            "questions": lambda: follow_up_questions(found),
        }

    def pick(name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        words = _words(name)
        if plan and kind == "string" and words & _QUERY_WORDS:
            return planned("query")
        if plan and kind == "string" and words & _REASON_WORDS:
            return planned("reason")
        role = _role(words, kind, schema)
        if role is not None and role in writes:
            return writes[role]()
        return hint(name, kind, schema) if hint is not None else None

    return pick


def _role(words: set[str], kind: str, schema: Mapping[str, Any]) -> str | None:
    if kind == "array" and words & _QUESTION_WORDS and (schema.get("items") or {}).get("type") == "string":
        return "questions"
    if kind != "string":
        return None
    if words & _SUMMARY_WORDS:
        return "short" if words & _SHORT_WORDS else "summary"
    if words & _REPORT_WORDS or (words & _DOCUMENT_WORDS and _asks_markdown(schema)):
        return "report"
    return None
