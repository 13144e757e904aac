"""Answers that can be checked: read deterministically from the conversation, before any generated prose.

`direct(messages, created)` answers the last user message when it asks for something with a right answer —
"say/repeat X", arithmetic (computed exactly by a safe evaluator, never `eval`), unit conversions, counting words,
letters or items, today's date (from the mock clock), a fact of the bundled table (`facts.py`), something said
earlier in the conversation ("my name is X" … "what is my name?"), code (`code.py`), or an everyday request (small
talk, a list of N things, a translation, a summary: `everyday.py`) — and returns None
otherwise, so the caller composes its usual text. A cheap fast path (`_TRIGGERS`) turns away most prompts at once."""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openai_mock.generation import code, documents, equations, everyday, extract, facts, howtos

Message = Mapping[str, Any]


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text") or "") for part in content if isinstance(part, Mapping))


# Words without which none of the answers below applies (a digit or an operator also lets a question through).
_TRIGGERS = frozenset(
    [
        "say",
        "repeat",
        "respond",
        "reply",
        "answer",
        "output",
        "print",
        "echo",
        "type",
        "write",
        "capital",
        "currency",
        "continent",
        "country",
        "planet",
        "planets",
        "symbol",
        "element",
        "date",
        "day",
        "year",
        "time",
        "month",
        "count",
        "many",
        "much",
        "my",
        "name",
        "remember",
        "recall",
        "told",
        "code",
        "function",
        "script",
        "program",
        "class",
        "snippet",
        "json",
        "python",
        "javascript",
        "typescript",
        "sql",
        "bash",
        "java",
        "rust",
        "go",
        "golang",
        "plus",
        "minus",
        "times",
        "divided",
        "squared",
        "cubed",
        "root",
        "sqrt",
        "percent",
        "convert",
        "factorial",
        "implement",
        "average",
        "money",
        "mean",
        "weekday",
        "half",
        "double",
        "doubled",
        "twice",
        "triple",
        "old",
        "tomorrow",
        "yesterday",
        "element",
        "who",
        "am",
        "solve",
        "directory",
        "folder",
        "files",
        "csv",
    ]
)
_SYMBOLS = re.compile(r"[\d+*/^=]")
_DIGIT = re.compile(r"\d")
_SHORT = 600  # longer questions are texts to work on: only say/repeat, counting and code apply to them


def direct(messages: Sequence[Message], created: int = 0) -> str | None:
    """The checkable answer to the conversation's last user message, or None."""
    index = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].get("role") == "user"), None)
    if index is None:
        return None
    question = _text(messages[index].get("content")).strip()
    if not question:
        return None
    probe = question if len(question) <= _SHORT else question[:300]
    symbols = _SYMBOLS.search(probe)
    words = re.findall(r"[a-z]+", probe.lower())
    if (said := everyday.small_talk(question, words)) is not None:
        return said  # "Hello!", "thanks", "bye"
    if (about := _document(words, messages[: index + 1])) is not None:
        return about  # "summarize the letter", a document given with it or before
    if symbols is None and _TRIGGERS.isdisjoint(words) and everyday.TRIGGERS.isdisjoint(words):
        return None
    short = len(question) <= _SHORT
    # Arithmetic needs a digit, or a number word to write as one: a short ASCII question without symbols (so without
    # digits) has its number words among `words` (unless a comma it drops joins two into one).
    numberless = (
        short
        and symbols is None
        and question.isascii()
        and "," not in question
        and _NUMBER_WORDS.keys().isdisjoint(words)
    )
    answers: list[Callable[[], str | None]] = [
        lambda: _verbatim(question),
        lambda: code.answer(probe),
        lambda: _counting(question),
    ]
    if short:
        earlier = [
            _text(m.get("content")) for m in messages[:index] if m.get("role") in ("user", "system", "developer")
        ]
        answers += [
            lambda: equations.answer(question),  # "solve 8x + 31 = 2": before arithmetic reads 31 = 2 as a sum
            lambda: howtos.answer(question),  # "how do I list the files in a directory in Python?"
            lambda: _recall(question, earlier),
            lambda: _conversion(question),
            lambda: None if numberless else _arithmetic(question),
            lambda: _date(question, created),
            lambda: None if numberless else everyday.listing(question, words),  # "name three planets": not all
            lambda: _fact(question, [_text(m.get("content")) for m in messages[:index]]),
        ]
    answers.append(lambda: everyday.transformed(question, words))  # a translation, a summary (of a long text too)
    for answer in answers:
        found = answer()
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------------------------- documents

# Words that ask about a document given in the conversation.
_DOCUMENT_ASKED = frozenset(
    {"summarize", "summarise", "summary", "tldr", "document", "file", "pdf", "letter", "attachment", "report", "paper"}
)


def _document(words: Sequence[str], messages: Sequence[Message]) -> str | None:
    """The answer to a question about the last document given: the summary of its text when the mock could read it,
    else what the words of its name and address tell (generation/documents.py)."""
    if _DOCUMENT_ASKED.isdisjoint(words):
        return None
    found = _last_document(messages)
    if found is None:
        return None
    if found.text is not None and found.text.strip():
        summary = everyday.transformed("Summarize: " + " ".join(found.text.split()), ["summarize"])
        if summary is not None:
            return f"{found.name}: {summary}" if found.name else summary
    subject = " ".join(documents.name_words(found)) or "its subject"
    where = f" from {found.source}" if found.source else ""
    return f"The document {found.name}{where} is about {subject}: its main points, its figures and its conclusions."


def _last_document(messages: Sequence[Message]) -> documents.Document | None:
    for message in reversed(messages):
        content = message.get("content")
        for part in reversed(content) if isinstance(content, list) else ():
            if isinstance(part, Mapping) and part.get("type") == "file" and isinstance(part.get("file"), Mapping):
                found = documents.document_of(part["file"])
                if found is not None:
                    return found
    return None


# --------------------------------------------------------------------------------------------- say / repeat

_VERBATIM = re.compile(
    r"^(?:(?:now|ok(?:ay)?|and|then|next|finally),?\s+)?(?:please\s+)?(?:(?:just|only)\s+)?(?:say|repeat|(?:respond|reply|answer)(?:\s+only)?\s+with|output|print|echo|"
    r"type|write back|return)(?:\s+(?:back|exactly|only|just|the\s+(?:word|phrase|text|number|string)))*"
    r"(?:\s+after me)?\s*:?\s*(.+?)\s*(?:,?\s*and nothing else|,?\s*nothing else|\s+only|\s+verbatim|"
    r"\s+exactly)?\.?$",
    re.IGNORECASE | re.DOTALL,
)


def _verbatim(question: str) -> str | None:
    match = _VERBATIM.match(question)
    if match is None:
        return None
    weak = re.match(r"(?:please\s+)?(?:respond|reply|answer|output|return|write back)", question, re.IGNORECASE)
    if weak and not re.search(r"\b(?:only|just|exactly|verbatim|nothing else)\b|[\"“'`:]", question, re.IGNORECASE):
        return None
    said = match[1].strip()
    quoted = re.fullmatch(r"[\"“'`](.+?)[\"”'`]", said, re.DOTALL)
    if quoted:
        return quoted[1]
    if re.match(r"(?:hello|hi)\b.*\bin\s+\w+$", said, re.IGNORECASE):  # "say hello in French": not verbatim
        return None
    inner = re.search(r"[\"“](.+?)[\"”]", said)
    if inner and len(said) > len(inner[0]) + 12:
        return inner[1]
    return said if len(said.split()) <= 40 else None


# --------------------------------------------------------------------------------------------- arithmetic

_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def safe_eval(expression: str) -> int | float:
    """Evaluate + - * / // % ** and parentheses over numbers; anything else raises ValueError."""
    tree = ast.parse(expression, mode="eval")

    def visit(node: ast.AST) -> int | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = visit(node.left), visit(node.right)
            if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):
                raise ValueError("too large")
            return _OPERATORS[type(node.op)](left, right)  # type: ignore[no-any-return]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt" and node.args:
            return math.sqrt(visit(node.args[0]))
        raise ValueError("not arithmetic")

    return visit(tree.body)


_WORD_OPERATORS = (
    (r"\bsquare root of\s+(-?[\d.]+)", r"sqrt(\1)"),
    (r"\bsqrt\s*\(?\s*(-?[\d.]+)\s*\)?", r"sqrt(\1)"),
    (r"(-?[\d.]+)\s*squared", r"(\1**2)"),
    (r"(-?[\d.]+)\s*cubed", r"(\1**3)"),
    (r"([\d.]+)\s*(?:%|percent)\s+of\s+", r"\1/100*"),
    (r"\bhalf of\s+", "0.5*"),
    (r"\b(?:a )?(?:third) of\s+", "1/3*"),
    (r"(-?[\d.]+)\s+(?:doubled|times two)", r"(\1*2)"),
    (r"\b(?:double|twice)\s+(-?[\d.]+)", r"(\1*2)"),
    (r"\btriple\s+(-?[\d.]+)", r"(\1*3)"),
    (r"\bto the power of\b|\braised to(?: the power of)?\b", "**"),
    (r"\bmultiplied by\b|\btimes\b|×|·", "*"),
    (r"\bdivided by\b|\bover\b|÷", "/"),
    (r"\bplus\b|\badded to\b", "+"),
    (r"\bminus\b|−", "-"),
    (r"\bmod(?:ulo)?\b", "%"),
    (r"(?<=\d)\s*x\s*(?=\d)", "*"),
    (r"\^", "**"),
)
_EXPRESSION = re.compile(r"[-(]*\s*(?:sqrt\()?[\d.]+(?:\s*(?:\*\*|[-+*/%()]|sqrt\()\s*\(*\s*[\d.]*\)*)+")


def _number_text(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if abs(value) >= 1e6 or abs(value) < 1e-4 else str(round(value, 6))


_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_SMALL_NUMBERS.split(" "))}
_NUMBER_WORDS |= {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80"}
_NUMBER_WORDS |= {"ninety": "90", "hundred": "100", "thousand": "1000"}


# Only the number words: every other word of `[a-z]+` would be put back as it was.
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")


def _with_digits(question: str) -> str:
    """The question lowered, without commas, its number words written as digits."""
    lowered = question.lower().replace(",", "")
    if any(word in lowered for word in _NUMBER_WORDS):  # (a substring test: cheaper than the regex's scan)
        lowered = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m[0]], lowered)
    return lowered


def _arithmetic(question: str) -> str | None:
    lowered = _with_digits(question)
    if not any(map(str.isdigit, lowered)):
        return None
    special = re.search(r"\b(\d+)\s*(?:factorial|!)|factorial of (\d+)", lowered)
    if special:
        n = int(special[1] or special[2])
        if n <= 30:
            return f"{n}! = {math.factorial(n)}."
    for pattern, replacement in _WORD_OPERATORS:
        lowered = re.sub(pattern, replacement, lowered)
    mean = re.search(r"\b(?:average|mean) of ((?:[\d.]+(?:\s+and\s+|\s+)?)+)", lowered)
    if mean:
        numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", mean[1])]
        if len(numbers) >= 2:
            shown = ", ".join(_number_text(n) for n in numbers)
            return f"The average of {shown} is {_number_text(sum(numbers) / len(numbers))}."
    lowered = re.sub(r"\bsum of ([\d.]+) and ([\d.]+)", r"\1 + \2", lowered)
    lowered = re.sub(r"\bproduct of ([\d.]+) and ([\d.]+)", r"\1 * \2", lowered)
    lowered = re.sub(r"\bdifference between ([\d.]+) and ([\d.]+)", r"\1 - \2", lowered)
    best = None
    for match in _EXPRESSION.finditer(lowered):
        candidate = match[0].strip()
        while candidate.count("(") > candidate.count(")") and candidate.startswith("("):
            candidate = candidate[1:]
        candidate = candidate.rstrip("+-*/%( ")
        candidate += ")" * max(0, candidate.count("(") - candidate.count(")"))
        if not re.search(r"\d\s*(?:\*\*|[-+*/%])\s*[\d(s]|sqrt", candidate):
            continue
        if re.fullmatch(r"\d{4}-\d{1,2}(?:-\d{1,2})?", candidate):  # a date, not a subtraction
            continue
        if best is None or len(candidate) > len(best):
            best = candidate
    if best is None:
        return None
    try:
        value = safe_eval(best)
    except (ValueError, SyntaxError, ZeroDivisionError, OverflowError, TypeError):
        if "/ 0" in best or "/0" in best:
            return "Division by zero is undefined, so that expression has no value."
        return None
    shown = best.replace("**", "^").replace("sqrt", "√")
    return f"{shown} = {_number_text(value)}."


# --------------------------------------------------------------------------------------------- conversions

_UNITS: dict[str, tuple[str, float]] = {}  # alias → (dimension, factor to the base unit)
_UNIT_TABLES: dict[str, dict[tuple[str, ...], float]] = {
    "length": {
        ("m", "meter", "meters", "metre", "metres"): 1.0,
        ("km", "kilometer", "kilometers", "kilometre", "kilometres"): 1000.0,
        ("cm", "centimeter", "centimeters", "centimetre", "centimetres"): 0.01,
        ("mm", "millimeter", "millimeters", "millimetre", "millimetres"): 0.001,
        ("mi", "mile", "miles"): 1609.344,
        ("ft", "foot", "feet"): 0.3048,
        ("in", "inch", "inches"): 0.0254,
        ("yd", "yard", "yards"): 0.9144,
    },
    "mass": {
        ("kg", "kilogram", "kilograms", "kilo", "kilos"): 1.0,
        ("g", "gram", "grams"): 0.001,
        ("lb", "lbs", "pound", "pounds"): 0.45359237,
        ("oz", "ounce", "ounces"): 0.028349523125,
        ("t", "tonne", "tonnes", "ton", "tons"): 1000.0,
    },
    "volume": {
        ("l", "liter", "liters", "litre", "litres"): 1.0,
        ("ml", "milliliter", "milliliters", "millilitre", "millilitres"): 0.001,
        ("gal", "gallon", "gallons"): 3.785411784,
        ("cup", "cups"): 0.2365882365,
    },
    "time": {
        ("s", "sec", "second", "seconds"): 1.0,
        ("min", "minute", "minutes"): 60.0,
        ("h", "hr", "hour", "hours"): 3600.0,
        ("day", "days"): 86400.0,
        ("week", "weeks"): 604800.0,
    },
    "data": {
        ("b", "byte", "bytes"): 1.0,
        ("kb", "kilobyte", "kilobytes"): 1000.0,
        ("mb", "megabyte", "megabytes"): 1e6,
        ("gb", "gigabyte", "gigabytes"): 1e9,
        ("kib", "kibibyte", "kibibytes"): 1024.0,
        ("mib", "mebibyte", "mebibytes"): 1024.0**2,
    },
}
for _dimension, _table in _UNIT_TABLES.items():
    for _aliases, _factor in _table.items():
        for _alias in _aliases:
            _UNITS[_alias] = (_dimension, _factor)
_TEMPERATURES = {
    "c": "C",
    "°c": "C",
    "celsius": "C",
    "centigrade": "C",
    "f": "F",
    "°f": "F",
    "fahrenheit": "F",
    "k": "K",
    "kelvin": "K",
    "kelvins": "K",
}
_UNIT_WORD = r"(°?[a-z]+)"
_CONVERSIONS = (
    re.compile(rf"(-?[\d.]+)\s*{_UNIT_WORD}\s+(?:is\s+)?(?:to|in|into|as|=)\s+(?:how many\s+)?{_UNIT_WORD}\b"),
    re.compile(
        rf"how many\s+{_UNIT_WORD}\s+(?:are\s+)?(?:in|is|are|make up)\s+(?:a\s+|an\s+)?(-?[\d.]+)?\s*{_UNIT_WORD}"
    ),
)


def _convert_temperature(value: float, source: str, target: str) -> float:
    celsius = {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[source]
    return {"C": celsius, "F": celsius * 9 / 5 + 32, "K": celsius + 273.15}[target]


def _conversion(question: str) -> str | None:
    lowered = question.lower().replace(",", "")
    # Without a digit the first pattern can only take dots for its number (no float), the second needs "how many".
    if "how many" not in lowered and _DIGIT.search(lowered) is None:
        return None
    match = _CONVERSIONS[0].search(lowered)
    if match:
        raw, source, target = match[1], match[2], match[3]
    else:
        match = _CONVERSIONS[1].search(lowered)
        if not match:
            return None
        target, raw, source = match[1], match[2] or "1", match[3]
    try:
        value = float(raw)
    except ValueError:
        return None
    if source in _TEMPERATURES and target in _TEMPERATURES:
        result = _convert_temperature(value, _TEMPERATURES[source], _TEMPERATURES[target])
        names = {"C": "°C", "F": "°F", "K": "K"}
        return (
            f"{_number_text(value)}{names[_TEMPERATURES[source]]} is "
            f"{_number_text(round(result, 2))}{names[_TEMPERATURES[target]]}."
        )
    if source not in _UNITS or target not in _UNITS or _UNITS[source][0] != _UNITS[target][0]:
        return None
    result = value * _UNITS[source][1] / _UNITS[target][1]
    return f"{_number_text(value)} {source} is {_number_text(round(result, 4))} {target}."


# --------------------------------------------------------------------------------------------- counting


def _subject_text(question: str) -> str | None:
    quoted = re.search(r"[\"“'`](.+?)[\"”'`](?!\w)", question, re.DOTALL)
    if quoted:
        return quoted[1]
    after = re.search(r":\s*(.+)$", question, re.DOTALL)
    return after[1].strip() if after else None


_SEQUENCE = re.compile(
    r"\bcount(?:\s+(up|down|backwards?))?(?:\s+from\s+(-?\d+))?\s+to\s+(-?\d+)(?:\s+by\s+(\d+)s?)?\b"
    r"|\bcount\s+(down|backwards?)\s+from\s+(-?\d+)\b"
)
_LONGEST_COUNT = 500  # numbers said in one answer


def _sequence(question: str) -> str | None:
    """ "Count from 1 to 5", "count to ten", "count down from 10", "count to 20 by 2s": the numbers, in order."""
    lowered = _with_digits(re.sub(r"\bby\s+(two|three|four|five|ten)s\b", r"by \1", question.lower()))
    asked = _SEQUENCE.search(lowered)
    if asked is None:
        return None
    if asked[6] is not None:  # "count down from 10": to 1
        start, end, step = int(asked[6]), 1, 1
    else:
        end, step = int(asked[3]), int(asked[4] or 1)
        start = int(asked[2]) if asked[2] is not None else (1 if not asked[1] or asked[1] == "up" else end)
        if asked[1] and asked[1] != "up" and asked[2] is None:
            return None  # "count down to 3": from where is not said
    if not step or abs(end - start) // step + 1 > _LONGEST_COUNT:
        return None
    direction = 1 if end >= start else -1
    return ", ".join(str(n) for n in range(start, end + direction, step * direction))


def _counting(question: str) -> str | None:
    lowered = question.lower()
    if "count" in lowered and (said := _sequence(question)) is not None:
        return said
    if not ("how many" in lowered or "count" in lowered or "number of" in lowered) or not re.search(
        r"\bhow many\b|\bcount\b|\bnumber of\b", lowered
    ):
        return None
    letter = re.search(
        r"how many (?:times does )?(?:the letter )?[\"']?([a-z])[\"']?(?:'s|s)?\b.*?\b(?:in|does)\s+[\"“']?([A-Za-z]+)",
        question,
        re.IGNORECASE,
    )
    if letter and len(letter[1]) == 1:
        word = letter[2]
        count = word.lower().count(letter[1].lower())
        return f'There {"is" if count == 1 else "are"} {count} "{letter[1].lower()}" in "{word}".'
    subject = _subject_text(question)
    if subject is None:
        return None
    if re.search(r"\b(?:characters?|letters?)\b", lowered):
        count = len(subject) if "character" in lowered else sum(c.isalpha() for c in subject)
        kind = "characters" if "character" in lowered else "letters"
        return f"There are {count} {kind} in that text."
    if re.search(r"\bwords?\b", lowered):
        count = len(re.findall(r"\b[\w'’-]+\b", subject))
        return f"There are {count} words in that text."
    if re.search(r"\bsentences?\b", lowered):
        count = len([s for s in re.split(r"(?<=[.!?])\s+", subject.strip()) if s])
        return f"There are {count} sentences in that text."
    if re.search(r"\bvowels?\b", lowered):
        count = sum(c in "aeiouAEIOU" for c in subject)
        return f"There are {count} vowels in that text."
    items = extract.list_items(subject)
    if items:
        return f"There are {len(items)} items: {', '.join(items)}."
    return None


# --------------------------------------------------------------------------------------------- date and time

_DATE_WORDS = ("date", "day", "year", "time", "month")


def _date(question: str, created: int) -> str | None:
    lowered = question.lower()
    if not any(word in lowered for word in _DATE_WORDS):  # every pattern below holds one of them
        return None
    now = dt.datetime.fromtimestamp(created, dt.UTC)
    if re.search(
        r"\b(?:today'?s date|date today|the date|what day is (?:it|today)|which day is it|current date)\b", lowered
    ):
        return f"Today is {now:%A}, {now:%B} {now.day}, {now.year} ({now:%Y-%m-%d})."
    shifted = re.search(
        r"\b(tomorrow|yesterday)'?s date\b|\bdate (tomorrow|yesterday)\b|what day (?:is|was) (tomorrow|yesterday)",
        lowered,
    )
    if shifted:
        word = shifted[1] or shifted[2] or shifted[3]
        day = now + dt.timedelta(days=1 if word == "tomorrow" else -1)
        verb = "is" if word == "tomorrow" else "was"
        return f"{word.capitalize()} {verb} {day:%A}, {day:%B} {day.day}, {day.year} ({day:%Y-%m-%d})."
    if re.search(r"\b(?:what|which) year is it\b|\bcurrent year\b", lowered):
        return f"It is {now.year}."
    if re.search(r"\bwhat time is it\b|\bcurrent time\b|\btime is it now\b", lowered):
        return f"It is {now:%H:%M} UTC on {now:%Y-%m-%d}."
    if re.search(r"\b(?:what|which) month is it\b|\bcurrent month\b", lowered):
        return f"It is {now:%B} {now.year}."
    weekday = re.search(r"what day of the week (?:is|was|will be)\s+(.+?)\??$", question, re.IGNORECASE)
    if weekday:
        found = extract.dates_in(weekday[1], created)
        if found:
            asked_day = dt.date.fromisoformat(found[0][1])
            return f"{asked_day.isoformat()} is a {asked_day:%A}."
    return None


# --------------------------------------------------------------------------------------------- facts


_SUPERLATIVE = re.compile(
    r"\b(largest|biggest|smallest|tiniest|most populous|most populated)\s+country\b"
    r"(?:\s+(?:in|of|on)\s+([a-z .]+?))?(?:\s+by\s+(?:area|size|population))?$"
)
_MEASURES = {"biggest": "largest", "tiniest": "smallest", "most populated": "most populous"}
# What a follow-up question calls the country the conversation was about.
_REFERENCES = frozenset(("that country", "this country", "the country", "it", "there", "that place", "that"))


def _superlative(lowered: str) -> str | None:
    asked = _SUPERLATIVE.search(lowered)
    if asked is None:
        return None
    measure = _MEASURES.get(asked[1], asked[1])
    found = facts.superlative(asked[2] or "the world", measure)
    if found is None:
        return None
    region, answer = found
    note = f", {answer.note}" if answer.note else ""
    return f"{answer.country} is the {measure} country in {region}{note}."


def _country_said_before(said_before: Sequence[str]) -> facts.Country | None:
    """The country the conversation named last (the user's or the assistant's words)."""
    for said in reversed(said_before):
        named = facts.country_names().findall(said)
        if named:
            return facts.country(named[-1])
    return None


def _fact(question: str, said_before: Sequence[str] = ()) -> str | None:  # noqa: C901
    lowered = question.lower().rstrip("?.! ")
    if "country" in lowered and (superlative := _superlative(lowered)):
        return superlative
    # Each pattern's own words first: a substring test is cheaper than the regex's scan.
    asks_country = any(word in lowered for word in ("capital", "currency", "continent", "money"))
    asked = (
        re.search(
            r"\b(capital|currency|continent)\b(?: city)? (?:of|in|for|does|is used in)\s+(?:the\s+)?"
            r"([a-z .'-]+?)(?:\s+use)?$",
            lowered,
        )
        if asks_country
        else None
    )
    if not asked:
        if not asks_country:
            asked_rev = asked_on = asked_money = None
        else:
            asked_rev = re.search(r"(?:what is|what's|whats)\s+(?:([a-z .'-]+?)'s|(it)s)\s+(capital|currency)", lowered)
            asked_on = re.search(r"(?:which|what) continent is ([a-z .'-]+?) (?:in|on|part of)", lowered)
            asked_money = re.search(r"\b(?:currency|money)\b.*\b(?:in|of|for)\s+(?:the\s+)?([a-z .'-]+)$", lowered)
        if asked_rev:
            kind, place = asked_rev[3], asked_rev[1] or asked_rev[2]
        elif asked_on:
            kind, place = "continent", asked_on[1]
        elif asked_money and facts.country(asked_money[1]):
            kind, place = "currency", asked_money[1]
        else:
            kind = place = ""
    else:
        kind, place = asked[1], asked[2]
    if kind:
        country = _country_said_before(said_before) if place.strip() in _REFERENCES else facts.country(place)
        if country is not None:
            if kind == "capital":
                return f"The capital of {country.name} is {country.capital}."
            if kind == "currency":
                return f"The currency of {country.name} is the {country.currency}."
            return f"{country.name} is in {country.continent}."
    of_city = (
        None
        if "country" not in lowered
        else re.search(r"(?:which|what) country is ([a-z .'-]+?) (?:the capital of|in)", lowered)
    )
    if of_city and of_city[1] in facts.capitals():
        country = facts.capitals()[of_city[1]]
        return f"{country.capital} is the capital of {country.name}."
    if "planet" in lowered:
        if re.search(r"how many planets", lowered):
            return f"There are {len(facts.PLANETS)} planets in the Solar System."
        for word, pick in (
            ("largest", "Jupiter"),
            ("biggest", "Jupiter"),
            ("smallest", "Mercury"),
            ("closest", "Mercury"),
            ("nearest to the sun", "Mercury"),
            ("hottest", "Venus"),
            ("farthest", "Neptune"),
            ("furthest", "Neptune"),
            ("red planet", "Mars"),
        ):
            if word in lowered:
                planet = facts.planet(pick)
                assert planet is not None
                return f"{planet.name} is {planet.note}."
        order = re.search(
            r"(first|second|third|fourth|fifth|sixth|seventh|eighth|\d)(?:st|nd|rd|th)? planet"
            r"|planet is (?:the )?(first|second|third|fourth|fifth|sixth|seventh|eighth|\d)(?:st|nd|rd|th)? from",
            lowered,
        )
        if order:
            ordinals = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
            said = order[1] or order[2]
            number = int(said) if said.isdigit() else ordinals.index(said) + 1
            if 1 <= number <= len(facts.PLANETS):
                planet = facts.PLANETS[number - 1]
                return f"{planet.name} is planet number {number} from the Sun."
        if re.search(r"\blist\b|\bname\b|\bwhat are\b", lowered):
            return "The planets, in order from the Sun: " + ", ".join(p.name for p in facts.PLANETS) + "."
    moons = re.search(r"how many moons does (\w+) have", lowered) if "moons" in lowered else None
    if moons and facts.planet(moons[1]):
        planet = facts.planet(moons[1])
        assert planet is not None
        return f"{planet.name} has {planet.moons} known moon{'s' if planet.moons != 1 else ''}."
    if "symbol" not in lowered and "what element is" not in lowered:
        return None
    symbol = re.search(r"(?:chemical )?symbol (?:for|of) ([a-z]+)", lowered)
    if symbol and symbol[1] in facts.ELEMENTS:
        return f"The chemical symbol for {symbol[1]} is {facts.ELEMENTS[symbol[1]]}."
    element = re.search(
        r"(?:element|what) (?:has|with|is) (?:the )?(?:chemical )?symbol ([a-z]{1,2})\b|what element is ([a-z]{1,2})$",
        lowered,
    )
    if element:
        for name, sym in facts.ELEMENTS.items():
            if sym.lower() == (element[1] or element[2]):
                return f"{sym} is the chemical symbol for {name}."
    return None


# --------------------------------------------------------------------------------------------- recall

_STATEMENTS = (
    re.compile(r"\b(?i:my name is|my name's)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)"),
    re.compile(r"\b(?i:i am|i'm|call me|this is)\s+([A-Z][\w'-]*)\b"),
)


def _recall_age(earlier: Sequence[str]) -> str | None:
    for said in reversed(earlier):
        age = re.search(
            r"\b(\d{1,3})\s*(?:years?\s*old|yo\b)|\bmy age is (\d{1,3})|\bi(?:'m| am) (\d{1,3})\b", said, re.IGNORECASE
        )
        if age:
            return f"You are {age[1] or age[2] or age[3]} years old."
    return None


def _recall_remembered(lowered: str, earlier: Sequence[str]) -> str | None:
    """ "What number did I give you?", "what was the code word?": from an earlier "remember …"."""
    wants_number = re.search(r"\bnumber\b", lowered)
    for said in reversed(earlier):
        remembered = re.search(r"\bremember(?: that| this)?:?\s+(.+?)(?:[.!]\s|[.!]?$)", said, re.IGNORECASE)
        if wants_number:
            numbers = extract.entities(said).numbers
            if numbers:
                return f"The number you gave me was {_number_text(numbers[-1])}."
            continue
        if remembered:
            fact = remembered[1].strip()
            noun = re.search(r"\b(?:word|code|password|phrase|color|colour|animal|city)\b", lowered)
            if noun and re.search(rf"{noun[0]}\s+(?:is\s+)?(.+)", fact, re.IGNORECASE):
                value = re.search(rf"{noun[0]}\s+(?:is\s+)?(.+)", fact, re.IGNORECASE)
                assert value is not None
                return f"The {noun[0]} was {value[1].strip(' .')}."
            return f"You asked me to remember: {fact}."
    return None


def _recall(question: str, earlier: Sequence[str]) -> str | None:
    if not earlier:
        return None
    lowered = question.lower()
    if re.search(r"\b(?:what(?:'s| is) my name|who am i|do you (?:know|remember) my name)\b", lowered):
        for said in reversed(earlier):
            for pattern in _STATEMENTS:
                match = pattern.search(said)
                if match and match[1].lower() not in ("a", "an", "the", "not", "sure", "going", "looking"):
                    return f"Your name is {match[1]}."
        return None
    if re.search(r"\bhow old am i\b|\bwhat(?:'s| is) my age\b", lowered):
        return _recall_age(earlier)
    asked = re.search(r"\bwhat(?:'s| is| was| are| were)\s+my\s+([a-z' ]+?)\??$", lowered)
    if asked:
        key = asked[1].strip()
        for said in reversed(earlier):
            match = re.search(rf"\bmy {re.escape(key)}\s+(?:is|are|was)\s+([^.,;!?\n]+)", said, re.IGNORECASE)
            if match:
                return f"Your {key} is {match[1].strip()}."
    if re.search(r"\b(?:remember|told you|did i (?:say|tell|give|mention|ask)|i (?:told|gave|asked) you)\b", lowered):
        return _recall_remembered(lowered, earlier)
    return None
