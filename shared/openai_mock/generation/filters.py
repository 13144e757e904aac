"""The conditions of a database-style query tool, read from the request: "look up all my orders in november of last
year that were fulfilled but not delivered on time" with a strict `Query` function (a table enum, a column enum,
conditions of a column, an operator and a value) gives `status = fulfilled`, `delivered_at > expected_delivery_date`
(a column compared with a column), and `ordered_at` within November of the year before the current date (the date
the instructions state, else the mock clock's). `querying(hint, parameters, prompt, instructions, created)` is a
`schema_values` hint that answers the conditions (as seeds, one per condition) and the columns to return; any other
field is `hint`'s. Pure."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import extract

Hint = Callable[[str, str, Mapping[str, Any]], Any]


class Condition(NamedTuple):
    column: str
    operator: str  # "=", "!=", ">", ">=", "<", "<="
    value: str
    compares_column: bool = False  # `value` names another column


# Statuses a record's `status` column holds, as a prompt writes them.
_STATUSES = frozenset(
    {"fulfilled", "unfulfilled", "shipped", "delivered", "canceled", "cancelled", "pending", "paid", "unpaid",
     "refunded", "returned", "completed", "processing", "active", "inactive", "open", "closed", "failed",
     "approved", "rejected", "archived", "backordered", "draft", "published", "expired"}
)  # fmt: skip
_NEGATION = re.compile(r"(?:\bnot|\bnever|n't)\s+(?:been\s+|yet\s+)?$")
# "(not) delivered on time", "shipped late", "arrived early": an event against the date it was expected.
_TIMING = re.compile(r"\b(not\s+|never\s+|n't\s+)?(?:been\s+)?([a-z]+ed)\s+(on time|late|early|too late)\b")
_SYMBOLS = {
    "=": ("=", "==", "eq", "equals", "equal", "equal_to", "is"),
    "!=": ("!=", "<>", "ne", "neq", "not_equals", "not_equal", "not_equal_to", "is_not"),
    ">": (">", "gt", "greater_than", "after"),
    ">=": (">=", "gte", "ge", "greater_than_or_equal", "greater_than_or_equal_to", "on_or_after"),
    "<": ("<", "lt", "less_than", "before"),
    "<=": ("<=", "lte", "le", "less_than_or_equal", "less_than_or_equal_to", "on_or_before"),
}
_COLUMN_WORDS = frozenset({"column", "columns", "field", "fields", "attribute", "attributes"})
_OPERATOR_WORDS = frozenset({"operator", "op", "comparison", "comparator", "condition"})
_VALUE_WORDS = frozenset({"value", "operand", "target", "right", "rhs", "compare_to"})


def _words(name: str) -> set[str]:
    return set(extract.key_words(name))


def _stem(word: str) -> str:
    """ "delivered" → "deliver", "orders" → "order", "shipped" → "ship"."""
    for suffix in ("ied", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ied" else "")
            break
    return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word


# --------------------------------------------------------------------------------------------- the schema


class _Schema:
    """The function's parameters, with local `$ref`s resolved."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 16:
            target: Any = self.root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target.get(part) if isinstance(target, Mapping) else None
            node, seen = ({**target, **{k: v for k, v in node.items() if k != "$ref"}} if target else {}), seen + 1
        return node

    def nodes(self, node: Any = None, name: str = "", depth: int = 0) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(name, schema) of every named schema: properties and definitions."""
        node = self.root if node is None else node
        if not isinstance(node, Mapping) or depth > 8:
            return
        yield name, node
        for key in ("properties", "$defs", "definitions"):
            for child_name, child in (node.get(key) or {}).items():
                yield from self.nodes(child, child_name, depth + 1)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), Mapping):
                yield from self.nodes(node[key], name, depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            for child in node.get(key) or ():
                yield from self.nodes(child, name, depth + 1)

    def columns(self) -> list[str]:
        """The column names a column enum gives (`Column`, `columns: list[Column]`, `field`)."""
        for name, node in self.nodes():
            resolved = self.resolve(node)
            options = resolved.get("enum")
            if isinstance(options, list) and _words(name) & _COLUMN_WORDS:
                return [option for option in options if isinstance(option, str)]
        return []

    def tables(self) -> list[str]:
        for name, node in self.nodes():
            options = self.resolve(node).get("enum")
            if isinstance(options, list) and _words(name) & {"table", "tables", "entity", "collection", "model"}:
                return [option for option in options if isinstance(option, str)]
        return []


# --------------------------------------------------------------------------------------------- the prompt


def _today(instructions: str, prompt: str, created: int) -> dt.date:
    """The current date the conversation states ("The current date is August 6, 2024"), else the clock's."""
    for said in (instructions, prompt):
        stated = re.search(r"\b(?:current date|today(?:'s date)?|date today)\b(?:\s+is)?[:\s]+(.{6,40})", said, re.I)
        if stated:
            found = extract.dates_in(stated[1], created)
            if found:
                return dt.date.fromisoformat(found[0][1])
    return dt.datetime.fromtimestamp(created, dt.UTC).date()


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period(prompt: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The span of days the prompt's "in November of last year", "in March 2024", "last month", "this year",
    "in 2023" names, counted from `today`; a month without a year is its latest one not after today."""
    lowered = prompt.lower()
    months = "|".join(name for name in calendar.month_name[1:]).lower()
    named = re.search(rf"\b({months})\b(?:\s+(?:of\s+)?(last year|this year|(\d{{4}})))?", lowered)
    if named:
        month = list(calendar.month_name).index(named[1].capitalize())
        if named[3]:
            year = int(named[3])
        elif named[2] == "last year":
            year = today.year - 1
        elif named[2] == "this year":
            year = today.year
        else:
            year = today.year if month <= today.month else today.year - 1
        return _month_span(year, month)
    if re.search(r"\blast month\b", lowered):
        first = today.replace(day=1) - dt.timedelta(days=1)
        return _month_span(first.year, first.month)
    if re.search(r"\bthis month\b", lowered):
        return _month_span(today.year, today.month)
    year_said = re.search(r"\b(last year|this year|in (\d{4}))\b", lowered)
    if year_said:
        year = int(year_said[2]) if year_said[2] else today.year - (year_said[1] == "last year")
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def _dated(column: str) -> bool:
    return bool(re.search(r"(?:_at|_on|_date|date|_time|time)$", column))


def _date_column(columns: Sequence[str], nouns: Sequence[str]) -> str | None:
    """The column dating the records: the one named after their noun ("orders" → `ordered_at`), else `created_at`."""
    dated = [column for column in columns if _dated(column) and not column.startswith("expected")]
    for noun in nouns:
        stem = _stem(noun)
        named = next((column for column in dated if column.startswith(stem)), None)
        if named is not None:
            return named
    return next((c for c in dated if re.match(r"(?:created|placed|date|timestamp)", c)), None)


def conditions(prompt: str, columns: Sequence[str], nouns: Sequence[str], today: dt.date) -> list[Condition]:
    """The filters the prompt sets on these columns: statuses, events against their expected dates, a period."""
    lowered = prompt.lower()
    timing: list[Condition] = []
    timed: set[int] = set()  # where the events' verbs are: "delivered on time" is no status
    for match in _TIMING.finditer(lowered):
        stem, phrase, negated = _stem(match[2]), match[3], bool(match[1])
        event = next((c for c in columns if _dated(c) and c.startswith(stem)), None)
        expected = next((c for c in columns if c.startswith("expected") and stem in c), None)
        if event is None or expected is None:
            continue
        late = "late" in phrase or (phrase == "on time" and negated)
        operator = ">" if late else "<" if phrase == "early" else "<="
        timing.append(Condition(event, operator, expected, compares_column=True))
        timed.add(match.start(2))
    # "fulfilled but late", with no event named: the one event the columns pair with an expected date, if one.
    if not _TIMING.search(lowered) and re.search(r"\b(?:late|delayed|overdue)\b", lowered):
        pairs = [
            (event, expected)
            for expected in columns
            if expected.startswith("expected")
            for event in columns
            if _dated(event) and not event.startswith("expected") and _stem(event.split("_")[0]) in expected
        ]
        if len(pairs) == 1:
            timing.append(Condition(pairs[0][0], ">", pairs[0][1], compares_column=True))
    found: list[Condition] = []
    status = next((c for c in columns if c in ("status", "state")), None)
    if status is not None:
        for match in re.finditer(r"[a-z]+", lowered):
            if match[0] in _STATUSES and match.start() not in timed:
                negated = _NEGATION.search(lowered[: match.start()]) is not None
                found.append(Condition(status, "!=" if negated else "=", match[0]))
    found += timing
    span = period(prompt, today)
    dated = _date_column(columns, nouns) if span else None
    if span is not None and dated is not None:
        found.append(Condition(dated, ">=", span[0].isoformat()))
        found.append(Condition(dated, "<=", span[1].isoformat()))
    return found


# --------------------------------------------------------------------------------------------- the hint


def _operator(symbol: str, options: Sequence[Any]) -> Any:
    """The operator enum's spelling of a comparison ("=", "eq", "equals"…), or the symbol when free text."""
    if not options:
        return symbol
    spellings = _SYMBOLS[symbol]
    return next((option for option in options if str(option).lower() in spellings), None)


def _seed(condition: Condition, item: Mapping[str, Any], schema: _Schema) -> dict[str, Any] | None:
    """The condition as the item schema names its parts, or None when its operator cannot be said."""
    seed: dict[str, Any] = {}
    for key, declared in (item.get("properties") or {}).items():
        words, resolved = _words(key), schema.resolve(declared)
        if words & _OPERATOR_WORDS:
            operator = _operator(condition.operator, resolved.get("enum") or [])
            if operator is None:
                return None
            seed[key] = operator
        elif words & _VALUE_WORDS:
            seed[key] = _value(condition, resolved, schema)
        elif words & _COLUMN_WORDS:
            seed[key] = condition.column
    return seed


def _value(condition: Condition, declared: Mapping[str, Any], schema: _Schema) -> Any:
    """A value, or for a column compared with a column the value's object form (`{"column_name": …}`)."""
    if not condition.compares_column:
        return condition.value
    for branch in declared.get("anyOf") or declared.get("oneOf") or ():
        properties = schema.resolve(branch).get("properties") or {}
        named = next((key for key in properties if _words(key) & _COLUMN_WORDS), None)
        if named is not None:
            return {named: condition.value}
    return condition.value


def querying(hint: Hint | None, parameters: Mapping[str, Any], prompt: str, instructions: str, created: int) -> Hint:
    """`hint`, with a query tool's conditions and returned columns read from the prompt (see the module)."""
    schema = _Schema(parameters)
    columns = schema.columns()
    nouns = [t for t in schema.tables() if re.search(rf"\b{re.escape(_stem(t))}", prompt, re.I)]
    nouns += [word for word in re.findall(r"[a-z]+", prompt.lower()) if len(word) > 3]
    found = conditions(prompt, columns, nouns, _today(instructions, prompt, created)) if columns else []

    def pick(name: str, kind: str, declared: Mapping[str, Any]) -> Any:
        items = schema.resolve(declared.get("items")) if kind == "array" else None
        if found and isinstance(items, Mapping):
            properties = items.get("properties") or {}
            keys = [_words(key) for key in properties]
            if any(k & _COLUMN_WORDS for k in keys) and any(k & _OPERATOR_WORDS for k in keys):
                seeds = [seed for condition in found if (seed := _seed(condition, items, schema)) is not None]
                if seeds:
                    return seeds
            if items.get("enum") and set(items["enum"]) == set(columns):
                used = ["id"] if "id" in columns else []
                for condition in found:
                    used += [condition.column] + ([condition.value] if condition.compares_column else [])
                return list(dict.fromkeys(used))
        return hint(name, kind, declared) if hint is not None else None

    return pick
