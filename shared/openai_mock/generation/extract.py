"""Reading values out of a prompt: literal calls (`name(3)`, `name(a=1, b="x")`), quoted strings, numbers, dates,
emails, URLs, places and people, lists. `Extractor` answers `schema_values`' hook: for a property (its name, its
kind, its schema) the prompt's value that fits, consumed in the order the schema asks for them; `None` leaves the
value to the generator. Pure: the same prompt (and `created`) gives the same values."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import facts

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s\"'<>)]+")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TEXT_DATE = re.compile(
    rf"\b(?:({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
    rf"|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_WORD})\.?(?:,?\s+(\d{{4}}))?)\b",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER = re.compile(r"(?<![\w.@/-])(-?\d+(?:,\d{3})*(?:\.\d+)?)(?![\w@/]|\.\d|-\d)")
NUMBER_WORDS = {  # (also the counts of lists and stories asked for: everyday.py, creative.py)
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<![\w])'([^']+)'(?![\w])|`([^`]+)`")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\(([^()]*)\)")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*[\w](?:\s+(?:(?:de|da|del|van|von|of|la|le)\s+)?[A-Z][\w'’-]*[\w])*")
# Capitalised words that are not names: sentence openers, pronouns, days and months.
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "i'm",
        "im",
        "what",
        "what's",
        "whats",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "why",
        "which",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "please",
        "hi",
        "hey",
        "hello",
        "thanks",
        "thank",
        "ok",
        "okay",
        "yes",
        "no",
        "and",
        "or",
        "but",
        "so",
        "if",
        "then",
        "tell",
        "give",
        "show",
        "find",
        "get",
        "look",
        "search",
        "book",
        "send",
        "set",
        "add",
        "list",
        "make",
        "create",
        "write",
        "compute",
        "calculate",
        "convert",
        "check",
        "fetch",
        "call",
        "use",
        "run",
        "let",
        "help",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "its",
        "this",
        "that",
        "these",
        "those",
        "it",
        "he",
        "she",
        "they",
        "we",
        "you",
        "on",
        "in",
        "at",
        "for",
        "from",
        "to",
        "by",
        "with",
        "of",
        "as",
        "into",
        "about",
        "after",
        "before",
        "today",
        "tomorrow",
        "yesterday",
        "also",
        "just",
        "only",
        "remember",
        "note",
        "meeting",
        "extract",
        "return",
        "respond",
        "reply",
        "answer",
        "say",
        "repeat",
        "note",
        "sure",
        "dear",
        "new",
        "next",
        "last",
        "json",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mr",
        "mrs",
        "ms",
        "dr",
    ]
) | frozenset(_MONTHS)
_PLACE_PREPOSITIONS = ("in", "to", "from", "at", "near", "for", "visit", "visiting", "of", "around")
_FIRST_NAMES = frozenset(
    [
        "alice",
        "bob",
        "carol",
        "charlie",
        "dave",
        "david",
        "emma",
        "eve",
        "frank",
        "grace",
        "hannah",
        "henry",
        "isabel",
        "jack",
        "james",
        "jane",
        "john",
        "julia",
        "kate",
        "laura",
        "liam",
        "lucy",
        "maria",
        "mark",
        "mary",
        "michael",
        "mike",
        "nina",
        "noah",
        "olivia",
        "oliver",
        "paul",
        "peter",
        "rachel",
        "sam",
        "sara",
        "sarah",
        "sophia",
        "steve",
        "susan",
        "tom",
        "tim",
        "victor",
        "wendy",
        "zoe",
        "anna",
        "ben",
        "chris",
        "daniel",
        "elena",
        "george",
        "harry",
        "ivan",
        "jose",
        "juan",
        "karen",
        "leo",
        "linda",
        "lisa",
        "luke",
        "max",
        "mia",
        "nick",
        "omar",
        "priya",
        "raj",
        "ravi",
        "rosa",
        "ryan",
        "sofia",
        "tina",
        "tony",
        "yuki",
        "ahmed",
        "fatima",
        "wei",
        "mei",
    ]
)


def number_value(raw: str) -> int | float:
    cleaned = raw.replace(",", "")
    return float(cleaned) if "." in cleaned else int(cleaned)


class Entities(NamedTuple):
    """What a prompt names, in order of appearance."""

    text: str
    quoted: list[str]
    numbers: list[int | float]
    emails: list[str]
    urls: list[str]
    dates: list[str]  # ISO
    places: list[str]
    people: list[str]
    names: list[str]  # every proper noun, places and people alike
    calls: dict[str, tuple[list[Any], dict[str, Any]]]


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def dates_in(text: str, created: int) -> list[tuple[int, str]]:
    """(position, ISO date) of the dates the text names; a year-less date takes the year of `created`, and
    today/tomorrow/yesterday/next <weekday> are counted from it."""
    today = dt.datetime.fromtimestamp(created, dt.UTC).date()
    found: list[tuple[int, str]] = []
    for match in _ISO_DATE.finditer(text):
        iso = _date(int(match[1]), int(match[2]), int(match[3]))
        if iso:
            found.append((match.start(), iso))
    for match in _TEXT_DATE.finditer(text):
        if match[1]:
            month, day, year = _MONTHS[match[1].lower()], int(match[2]), match[3]
        else:
            month, day, year = _MONTHS[match[5].lower()], int(match[4]), match[6]
        if match[0].lower().startswith("may ") and not year and not re.match(r"may\s+\d", match[0].lower()):
            continue
        iso = _date(int(year) if year else today.year, month, day)
        if iso:
            found.append((match.start(), iso))
    lowered = text.lower()
    for word, offset in (("today", 0), ("tonight", 0), ("tomorrow", 1), ("yesterday", -1)):
        for match in re.finditer(rf"\b{word}\b", lowered):
            found.append((match.start(), (today + dt.timedelta(days=offset)).isoformat()))
    for match in re.finditer(r"\b(?:on|next|this|by|until)\s+(" + "|".join(_WEEKDAYS) + r")\b", lowered):
        ahead = (_WEEKDAYS.index(match[1]) - today.weekday()) % 7 or 7
        found.append((match.start(), (today + dt.timedelta(days=ahead)).isoformat()))
    return sorted(found)


def literal_calls(text: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """`name(3)`, `name(a=1, b="x")`: the literal arguments of every call the text writes (literals only: safe)."""
    calls: dict[str, tuple[list[Any], dict[str, Any]]] = {}
    for match in _CALL.finditer(text):
        try:
            node = ast.parse(f"f({match[2]})", mode="eval").body
        except SyntaxError:
            continue
        if not isinstance(node, ast.Call):
            continue
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
        except (ValueError, SyntaxError, TypeError):
            continue
        calls.setdefault(match[1], (args, kwargs))
    return calls


def proper_nouns(text: str) -> list[str]:
    names: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = match[0].split()
        while words and words[0].lower().strip("'’.") in _NOT_NAMES and not facts.is_place(" ".join(words)):
            words.pop(0)
        while words and words[-1].lower().strip("'’.") in _NOT_NAMES:
            words.pop()
        span = " ".join(words).rstrip(".").removesuffix("'s").removesuffix("’s")
        fitting = span and (not span.isupper() or len(span) > 3) and not any(c.isdigit() for c in span)
        if fitting and span not in names:
            names.append(span)
    return names


def entities(text: str, created: int = 0) -> Entities:
    text = facts.expand_city_abbreviations(text)  # "SF" is San Francisco
    quoted = []
    for match in _QUOTED.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        if match[4] is not None and re.fullmatch(r"\w+", value):  # `title`: a name in code voice, not a value
            continue
        if value.strip():
            quoted.append(value.strip())
    dates = list(dict.fromkeys(iso for _, iso in dates_in(text, created)))
    masked = _URL.sub(" ", _EMAIL.sub(" ", text))
    masked = _ISO_DATE.sub(" ", masked)
    masked = _TEXT_DATE.sub(lambda m: " " if (m[2] or m[4]) else m[0], masked)
    masked = re.sub(r"\b\d{1,2}:\d{2}\b", " ", masked)
    numbers = [number_value(raw) for raw in _NUMBER.findall(masked)]
    if not numbers:
        numbers = [NUMBER_WORDS[word] for word in re.findall(r"[a-z]+", masked.lower()) if word in NUMBER_WORDS]
    names = _names(text, " ".join(quoted))
    places, people = [], []
    for name in names:
        before = text[: text.find(name)].lower().split()[-1:] or [""]
        known_place = facts.is_place(name)
        if known_place or (before[0] in _PLACE_PREPOSITIONS and name.split()[0].lower() not in _FIRST_NAMES):
            places.append(name)
        else:
            people.append(name)
    emails = _EMAIL.findall(text)
    urls = [url.rstrip(".,;") for url in _URL.findall(text)]
    return Entities(text, quoted, numbers, emails, urls, dates, places, people, names, literal_calls(text))


def _names(text: str, inside_quotes: str) -> list[str]:
    """The proper nouns that name something: not one quoted as a value, nor a lone capitalised first word."""
    names = []
    for name in proper_nouns(text):
        at = text.find(name)
        starts_sentence = at == 0 or re.search(r"[.!?:\n]\s*$", text[:at]) is not None
        known = name.split()[0].lower() in _FIRST_NAMES or facts.is_place(name)
        if name in inside_quotes and not known:
            continue
        if starts_sentence and " " not in name and not known:
            continue
        names.append(name)
    return names


# What may stand between the places of one list: "SF and New York", "Paris, Rome or Madrid".
_PLACE_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+|&\s+)?|\s+(?:and|or|&|vs\.?|versus)\s+|\s*/\s*)\s*")


def one_place_each(text: str) -> list[str]:
    """The text once per place when it lists several ("the weather in SF and New York"): each copy with the list
    replaced by one of its places ("…in San Francisco", "…in New York"); [] when it lists fewer than two, or a city
    with its own country ("Paris, France")."""
    text = facts.expand_city_abbreviations(text)
    places = entities(text).places
    if len(places) < 2:
        return []
    spans = sorted((text.find(place), text.find(place) + len(place), place) for place in places)
    if any(start < 0 for start, _, _ in spans):
        return []
    for (_, end, before), (start, _, after) in itertools.pairwise(spans):
        if not _PLACE_SEPARATOR.fullmatch(text[end:start]) or facts.country_of_city(before) == after:
            return []
    first, last = spans[0][0], spans[-1][1]
    return [text[:first] + place + text[last:] for _, _, place in spans]


def takes_place(parameters: Mapping[str, Any]) -> bool:
    """Does a function take one place (a `city`, a `location`) rather than a route (`origin`, `destination`)?"""
    names = [key_words(str(name)) for name in (parameters.get("properties") or {})]
    route = any(_has(words, ("origin", "destination", "departure", "arrival", "from", "to")) for words in names)
    return not route and any(_has(words, _PLACE_KEYS) for words in names)


def list_items(text: str) -> list[str]:
    """The items of the longest list the text gives: "a, b and c", bullet lines, "x and y"."""
    bullets = [m.strip() for m in re.findall(r"^\s*(?:[-*•]|\d+[.)])\s+(.+)$", text, re.MULTILINE)]
    if len(bullets) >= 2:
        return bullets
    best: list[str] = []
    for clause in re.split(r"[.;:!?\n]\s*", text):
        parts = [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", clause) if p.strip()]
        if len(parts) >= 2 and len(parts) > len(best):
            best = parts
    if best:
        # the first item often carries the clause's lead-in ("I need eggs"): keep its last words
        head = best[0].split()
        tail_len = max(len(part.split()) for part in best[1:])
        best[0] = " ".join(head[-tail_len:])
    return best


# --------------------------------------------------------------------------------------------- the hook

_PERSON_KEYS = (
    "name",
    "person",
    "author",
    "user",
    "owner",
    "customer",
    "recipient",
    "contact",
    "attendee",
    "participant",
    "people",
    "member",
    "guest",
    "speaker",
    "employee",
    "student",
    "assignee",
)
_PLACE_KEYS = (
    "city",
    "location",
    "place",
    "destination",
    "origin",
    "country",
    "region",
    "town",
    "where",
    "address",
    "venue",
    "departure",
    "arrival",
)
_TEXT_KEYS = (
    "query",
    "q",
    "search",
    "term",
    "keyword",
    "text",
    "prompt",
    "question",
    "input",
    "message",
    "content",
    "body",
    "topic",
    "subject",
    "title",
    "expression",
    "sentence",
    "phrase",
    "word",
)
_ANSWER_KEYS = ("answer", "result", "output", "response", "reply", "solution", "value")
_COUNT_KEYS = ("age", "count", "quantity", "number", "amount", "qty", "guests", "people", "size", "total")


def key_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ").lower()
    return spaced.split()


def _has(words: Sequence[str], keys: Sequence[str]) -> bool:
    return any(word in keys or word.rstrip("s") in keys for word in words)


# A parameter that takes an identifier: its last word (`customer_id`, `tracking_number`, `order_ref`), or its
# description calling it one. (Only a string's: an integer `number` is a count.)
_IDENTIFIER_WORDS = ("id", "ids", "identifier", "number", "no", "num", "ref", "reference", "sku", "uuid")
_IDENTIFIER_DESCRIPTION = re.compile(r"\bidentifier\b|\bID\b|\bid of\b|\btracking number\b", re.IGNORECASE)
# An identifier-shaped token: letters, digits, `_` and `-` (`customer_42`, `ORD-1001`, `1Z999AA1`, `#1001`, `104`).
_IDENTIFIER_TOKEN = re.compile(r"(?<![\w@/.:,-])#?([A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?)(?![\w@/-]|[.,]\w|:\d)")
_NOT_IDENTIFIER = re.compile(r"\d{1,2}|(?:19|20)\d{2}|\d+(?:st|nd|rd|th|s|am|pm|k|m|kg|km|px)", re.IGNORECASE)
# What may stand between an entity's noun and its identifier: "customer 104", "order #1001", "tracking number ZX-1".
_IDENTIFIER_LEAD = r"(?:\s+(?:number|no\.?|id|identifier|is|of|code))*\s*[#:]?\s*$"


def identifier_tokens(text: str) -> list[tuple[int, str]]:
    """(position, token) of the text's identifier-shaped tokens: a digit in them, and not a date, a time, an amount,
    a year, an ordinal, a measure or a number of one or two digits."""
    blank = lambda match: " " * len(match[0])  # noqa: E731 (keeps positions)
    masked = _ISO_DATE.sub(blank, _URL.sub(blank, _EMAIL.sub(blank, text)))
    return [
        (match.start(1), match[1])
        for match in _IDENTIFIER_TOKEN.finditer(masked)
        if any(c.isdigit() for c in match[1]) and not _NOT_IDENTIFIER.fullmatch(match[1])
    ]


def takes_identifier(words: Sequence[str], schema: Mapping[str, Any]) -> bool:
    described = _IDENTIFIER_DESCRIPTION.search(str(schema.get("description") or ""))
    return bool(words) and (words[-1] in _IDENTIFIER_WORDS or described is not None)


def identifier_for(text: str, entity: Sequence[str], taken: set[str]) -> str | None:
    """The identifier the text gives for an entity (`customer`, `order`): one spelled after it (`customer_42`,
    `ORD-1001` for an order, `inv_2001` for an invoice), else one written right after its noun ("customer 104",
    "tracking number ZX-123"), else the first one mixing letters and digits; never one already taken."""
    tokens = [(at, token) for at, token in identifier_tokens(text) if token not in taken]
    nouns = [word for word in entity if len(word) > 2]
    for _, token in tokens:
        letters = (re.match(r"[A-Za-z]+", token) or [""])[0].lower()
        if len(letters) >= 2 and any(noun.startswith(letters) or letters.startswith(noun) for noun in nouns):
            return token
    for at, token in tokens:
        before = text[max(0, at - 40) : at].lower()
        if any(re.search(rf"\b{re.escape(noun)}\w*{_IDENTIFIER_LEAD}", before) for noun in nouns):
            return token
    return next((token for _, token in tokens if not token.isdigit()), None)


# A step of a numbered or bulleted list, with the indented lines that go on with it.
_STEP = re.compile(r"^[ \t]*(?:\d+[.)]|[-*•])[ \t]+.*(?:\n[ \t]+(?![ \t]*(?:\d+[.)]|[-*•])[ \t]).*)*", re.MULTILINE)


def steps_of(text: str) -> list[str]:
    """The steps of a numbered (or bulleted) list in the text, each with its indented continuation lines."""
    return [match[0] for match in _STEP.finditer(text)]


def step_for(text: str, function: str) -> str | None:
    """The step of a list of steps that names the function ("2. Call `view_image` with `page.png`"): what it is to
    be called with is there, not in the other steps. None when the text gives no steps or none names it."""
    steps = steps_of(text) if function else []
    if len(steps) < 2:
        return None
    spelled = re.compile(rf"(?<![\w-]){re.escape(function)}(?![\w-])")
    return next((step for step in steps if spelled.search(step)), None)


def named_things(text: str, noun: str) -> list[str]:
    """The names the text gives things of a kind, in order: "the `csv-workbench` skill", "skill `x`", "the
    report-builder skill", "a tool called "y""; for a skill also "$credit-note-fixer" (the way skills are invoked)."""
    kind = rf"{re.escape(noun)}s?\b"
    patterns = [
        rf"[`'\"]\$?([\w.-]+)[`'\"]\s+{kind}",
        rf"\b{kind}\s+(?:named\s+|called\s+)?[`'\"]\$?([\w.-]+)[`'\"]",
        rf"(?<![\w`'\"$-])([A-Za-z]\w*(?:-\w+)+)\s+{kind}",
    ]
    if noun == "skill":
        patterns.append(r"(?<![\w$])\$([A-Za-z][\w-]*\w)")
    found = sorted((match.start(), match[1]) for pattern in patterns for match in re.finditer(pattern, text, re.I))
    return list(dict.fromkeys(name for _, name in found))


def listed_things(text: str, noun: str) -> list[str]:
    """The names a list of things of a kind gives: the bullets (`- name: what it does`) under a heading or a line
    that names the kind ("### Available skills", "Tools you can use:")."""
    names: list[str] = []
    heading = re.compile(rf"\b{re.escape(noun)}s?\b", re.I)
    under = False
    for line in text.splitlines():
        bullet = re.match(r"\s*[-*•]\s+`?\$?([\w.-]+)`?\s*(?::|—|–|-\s|\(|$)", line)
        if bullet and under:
            names.append(bullet[1])
        elif line.strip():
            under = bool(heading.search(line)) and (line.lstrip().startswith("#") or line.rstrip().endswith(":"))
    return names


def thing_named(noun: str, prompt: str, instructions: str, description: str = "") -> str | None:
    """The name of the thing of a kind (a skill, a project) to pass: one the user names, else one the instructions
    name, else one of a list the instructions or the parameter give that the user's words mention, else the only
    one listed. Where a list exists, the name is one of it."""
    listed = listed_things(instructions, noun) + listed_things(description, noun)
    for source in (prompt, instructions, description):
        named = named_things(source, noun)
        fitting = [name for name in named if not listed or name in listed]
        if fitting:
            return fitting[0]
    mentioned = [name for name in listed if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", prompt, re.I)]
    if mentioned:
        return mentioned[0]
    return listed[0] if len(set(listed)) == 1 else None


# Words after a parameter's name that are not its value ("the proposal for", "a status update").
_NOT_VALUES = frozenset(
    {"a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "at", "by", "with", "from", "is", "are", "was",
     "be", "it", "its", "this", "that", "these", "those", "which", "who", "what", "when", "where", "why", "how",
     "as", "if", "then", "than", "so", "but", "not", "no", "all", "any", "each", "every", "some", "update",
     "updates", "details", "info"}
)  # fmt: skip


def labelled_value(text: str, word: str) -> str | None:
    """The value the text writes right after a parameter's name: "proposal alpha" → `alpha`, "plan `pro`" → `pro`;
    None when the word is not there or what follows it is a function word."""
    if len(word) < 3:
        return None
    for match in re.finditer(
        rf"\b{re.escape(word)}s?\s+(?:named\s+|called\s+)?[`'\"]?([A-Za-z0-9][\w.-]*)", text, re.I
    ):
        value = match[1].rstrip(".-")
        if value.lower() not in _NOT_VALUES and len(value) >= 2:
            return value
    return None


# The user's own words as a whole ("the user's question", "the user input", "the original request"), not a part
# of them ("the user's message id").
_WHOLE_INPUT = re.compile(
    r"\b(?:the\s+)?(?:user'?s?|users'|customer'?s?|caller'?s?|original|full|whole|entire|exact|verbatim)\s+"
    r"(?:input|message|question|request|query|prompt|text|words)\b(?!\s+(?:id|identifier|number|count|length|type))",
    re.IGNORECASE,
)


def _search_phrase(text: str) -> str | None:
    match = re.search(
        r"\b(?:search(?:\s+the\s+web)?\s+for|look\s+up|find(?:\s+me)?|google|query|about|for)\s+(.+?)(?:[?.!]|$)",
        text,
        re.IGNORECASE,
    )
    return match[1].strip() if match else None


class Extractor:
    """The prompt's values for `schema_values`: `pick(name, kind, schema)` returns a value to try or None.
    It changes as it hands values out: a slotted plain class (docs/architecture.md, cold starts)."""

    __slots__ = ("answer", "found", "function", "instructions", "positional", "said", "taken", "used")

    def __init__(
        self, found: Entities, function: str = "", answer: str | None = None, instructions: str = "", said: str = ""
    ) -> None:
        self.found = found
        self.said = said or found.text  # the user's whole message (`found` may be the one step about this function)
        self.function = function
        self.answer = answer  # the checkable answer to the prompt (answers.direct), for "answer"/"result" fields
        self.instructions = instructions  # the system's words: they may say what an argument is given
        self.used: dict[str, int] = {}
        self.taken: dict[str, set[str]] = {}
        self.positional = 0

    @classmethod
    def of(
        cls,
        text: str,
        created: int = 0,
        function: str = "",
        answer: str | None = None,
        instructions: str = "",
        step: str | None = None,
    ) -> Extractor:
        """`step`: the step of the text's plan this call takes (else the first that names the function)."""
        step = step or step_for(text, function) or step_for(instructions, function)
        return cls(entities(step or text, created), function, answer, instructions, text)

    def takes_whole_input(self, name: str, schema: Mapping[str, Any]) -> bool:
        """Whether the parameter is the user's message itself: its description says so ("The user's question"),
        or the instructions say to pass the user's input as it ("Pass the user input as the 'query' argument")."""
        if _WHOLE_INPUT.search(str(schema.get("description") or "")):
            return True
        spelled = rf"['\"`]?{re.escape(name)}['\"`]?"
        told = (
            rf"{_WHOLE_INPUT.pattern}[^.\n]*?\b(?:as|in|into|to)\b[^.\n]*?{spelled}(?!\w)",
            rf"(?<!\w){spelled}[^.\n]*?\b(?:to|=|:|with|is|be)\s+{_WHOLE_INPUT.pattern}",
        )
        return any(re.search(pattern, self.instructions, re.IGNORECASE) for pattern in told)

    def _answer(self, kind: str) -> Any:
        if self.answer is None:
            return None
        if kind == "string":
            return self.answer
        if kind in ("integer", "number"):
            numbers = entities(self.answer.split("=")[-1]).numbers
            return numbers[-1] if numbers else None
        return None

    def _next(self, pool: str, values: Sequence[Any]) -> Any:
        index = self.used.get(pool, 0)
        if index < len(values):
            self.used[pool] = index + 1
            return values[index]
        return None

    def call_argument(self, name: str) -> Any:
        call = self.found.calls.get(self.function)
        if call is None:
            return None
        args, kwargs = call
        if name in kwargs:
            return kwargs[name]
        if self.positional < len(args):
            self.positional += 1
            return args[self.positional - 1]
        return None

    def _enum(self, words: Sequence[str], schema: Mapping[str, Any], lowered: str) -> Any:
        """The enum value the prompt names: the most mentioned (then the first), or for a target ("to_…") the last;
        each value is given once per enum."""
        options = [option for option in schema.get("enum") or [] if isinstance(option, str)]
        pool = "enum:" + "|".join(options)
        taken = self.taken.setdefault(pool, set())
        mentions: list[tuple[int, int, str]] = []  # (-count, first position, option)
        for option in options:
            found = [m.start() for m in re.finditer(rf"\b{re.escape(option.lower())}", lowered)]
            if not found and option.lower() in ("fahrenheit", "celsius"):
                found = [m.start() for m in re.finditer(rf"°\s?{option[0].lower()}\b", lowered)]
            if found and option not in taken:
                last = _has(words, ("to", "target", "into"))
                mentions.append((-len(found), found[-1] if last else found[0], option))
        if not mentions:
            return None
        towards = _has(words, ("to", "target", "into"))
        chosen = max(mentions, key=lambda m: m[1])[2] if towards else min(mentions)[2]
        taken.add(chosen)
        return chosen

    def pick(self, name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        return self._pick(name, kind, schema, loose=True)

    def pick_named(self, name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        """`pick` without the values that would fit any property (the next number, quoted text or list of the
        prompt, a token matching a pattern): only what the prompt gives for this one, by its name or kind. An
        optional function parameter is filled only from these."""
        return self._pick(name, kind, schema, loose=False)

    def _pick(self, name: str, kind: str, schema: Mapping[str, Any], loose: bool) -> Any:  # noqa: C901
        if self.function and self.function in self.found.calls and name:
            value = self.call_argument(name)
            if value is not None:
                return value
        found, words = self.found, key_words(name)
        lowered = found.text.lower()
        if self.answer is not None and _has(words, _ANSWER_KEYS):
            answered = self._answer(kind)
            if answered is not None:
                return answered
        if kind == "enum":
            return self._enum(words, schema, lowered)
        if kind == "boolean":
            subject = [w for w in words if w not in ("is", "has", "include", "enable", "with")]
            for word in subject:
                match = re.search(rf"(\bnot?\b|n't|\bwithout\b)?[\w\s]{{0,12}}\b{re.escape(word)}", lowered)
                if match:
                    return match[1] is None
            return None
        if kind in ("integer", "number"):
            if _has(words, ("age",)):
                age = re.search(r"(\d+)(?:\s*-?\s*years?\s*-?\s*old| yo\b)|\baged?\s+(?:is\s+)?(\d+)", lowered)
                if age:
                    return int(age[1] or age[2])
            for word in words:
                near = re.search(
                    rf"(\d+(?:\.\d+)?)\s+{re.escape(word)}|{re.escape(word)}\w*\s*(?:is|of|:|=)?\s*(\d+(?:\.\d+)?)",
                    lowered,
                )
                if near and word not in ("a", "b", "x", "y", "n", "number", "value"):
                    return number_value(near[1] or near[2])
            if not loose:
                return None
            value = self._next("number", found.numbers)
            if kind == "integer" and isinstance(value, float) and value.is_integer():
                return int(value)
            return value
        if kind == "array":
            if _has(words, _PERSON_KEYS) and len(found.people) >= 1:
                return list(found.people)
            if _has(words, ("email", "emails")):
                return list(found.emails) or None
            if _has(words, ("date", "dates")):
                return list(found.dates) or None
            if not loose:
                return None
            items = list_items(found.text)
            return items or None
        if kind != "string":
            return None
        if self.takes_whole_input(name, schema):
            return self.said.strip()
        if "pattern" in schema and loose:
            for token in re.findall(r"[^\s,;()\"'`]+", found.text):
                token = token.rstrip(".!?:")
                try:
                    if re.fullmatch(str(schema["pattern"]), token):
                        return token
                except re.error:
                    break
        if takes_identifier(words, schema):
            entity = [word for word in words if word not in _IDENTIFIER_WORDS]
            identifier = identifier_for(found.text, entity, self.taken.setdefault("identifier", set()))
            if identifier is not None:
                self.taken["identifier"].add(identifier)
                return identifier
        if len(words) >= 2 and words[-1] == "name":  # `skill_name`: the name of one thing of that kind
            named = thing_named(words[-2], self.said, self.instructions, str(schema.get("description") or ""))
            if named is not None:
                return named
        if _has(words, ("ticker", "symbol", "code")):
            tickers = [w for w in re.findall(r"\b[A-Z]{1,5}\b", found.text) if w not in ("I", "A", "OK")]
            if tickers:
                return tickers[0]
        fmt = schema.get("format")
        if fmt in ("email", "idn-email") or _has(words, ("email", "mail")):
            return self._next("email", found.emails)
        if fmt in ("uri", "url", "iri") or _has(words, ("url", "link", "website", "href", "uri", "site")):
            return self._next("url", found.urls)
        if fmt == "date" or _has(words, ("date", "day", "deadline", "birthday", "when", "due")):
            iso = self._next("date", found.dates)
            return iso
        if fmt == "date-time":
            iso = self._next("date", found.dates)
            return f"{iso}T09:00:00Z" if iso else None
        if _has(words, ("first",)) and found.people:
            return found.people[0].split()[0]
        if _has(words, ("last", "surname", "family")) and found.people:
            return found.people[0].split()[-1]
        if _has(words, _PLACE_KEYS):
            if _has(words, ("origin", "departure")) or "from" in words:
                match = re.search(r"\bfrom\s+([A-Z][\w]+(?:\s+[A-Z][\w]+)*)", found.text)
                if match:
                    return match[1]
            if _has(words, ("destination", "arrival")) or "to" in words:
                match = re.search(r"\bto\s+([A-Z][\w]+(?:\s+[A-Z][\w]+)*)", found.text)
                if match:
                    return match[1]
            if _has(words, ("country",)):  # a country named, else the country of a city named; never the city
                for place in found.places:
                    if facts.country(place):
                        return facts.country(place).name  # type: ignore[union-attr]
                return next(filter(None, map(facts.country_of_city, found.places)), None)
            return self._next("place", found.places) or self._next("name", found.names)
        if _has(words, _PERSON_KEYS):
            return self._next("person", found.people)
        if _has(words, _TEXT_KEYS):
            if found.quoted:
                return self._next("quoted", found.quoted)
            if _has(words, ("query", "q", "search", "term", "keyword", "topic", "subject")):
                return _search_phrase(found.text)
            return None
        if words and (labelled := labelled_value(found.text, words[-1])) is not None:
            return labelled  # "inspect proposal alpha" for `proposal`
        if found.quoted and loose:
            return self._next("quoted", found.quoted)
        return None
