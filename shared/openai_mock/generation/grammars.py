"""Custom tools' grammars (a Responses `custom` tool's `format`: `{"type": "grammar", "syntax": "lark" | "regex",
"definition": …}`): checked when a request declares one, and an input the grammar accepts made for each call.

Lark grammars are read by the `lark` package (its grammar language, `%import common.…`), which turns them into plain
rules and terminals; a small Earley recognizer of this module then checks a text against those rules, because
OpenAI's grammars may use terminals that match the empty string (Codex's `apply_patch` has `/(.*)/`), which Lark's
own parsers refuse. A terminal matches as under Lark's Earley parser: its regex's match, and that match's prefixes.
Regex grammars are Python regular expressions matched whole (`re.fullmatch`); OpenAI documents its regexes as the
Rust `regex` crate's, which has no lookaround and no backreferences, so those are refused.

An input is written as a model writes one: the prompt's fenced, quoted or whole text when it parses; else a walk
over the rules (seeded by the request's draw) that takes the alternatives the prompt's words name (`create` → an
`Add File` hunk) and fills free terminals (a file name, a line) with the prompt's own file names, quoted text and
phrases before random text. Every input is checked before it is answered. `lark` is imported only when a grammar
is used (the cold start of the Responses function does not pay for it)."""

from __future__ import annotations

import functools
import random
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation.text import STOPWORDS

SYNTAXES = ("lark", "regex")
START = "start"
MAX_CHECKED = 20_000  # characters: a longer text is not taken as an input
MAX_MATCHES = 200_000  # terminal matches one check tries before it gives up (a `/[\s\S]*/` grammar is cubic)
MAX_DEPTH = 24  # rule nesting a walk goes down before it takes the shortest alternatives
MAX_TOKENS = 400  # terminals a walk writes before it takes the shortest alternatives
MAX_REPEAT = 4  # extra items a repetition adds at most
WALKS = 6  # random walks tried before the minimal sentence

Symbol = tuple[str, bool]  # a rule's symbol: (name, is a terminal)


class GrammarError(ValueError):
    """The definition does not compile; the message says why (one line)."""


class Terminal(NamedTuple):
    name: str
    regex: re.Pattern[str]
    literal: str | None  # a string terminal's text (a regex terminal has none)


class Rules:
    """A Lark grammar as plain rules: each nonterminal's alternatives, the terminals, those ignored between tokens,
    and the fewest terminals each nonterminal derives (inf: none)."""

    __slots__ = ("cost", "expansions", "ignore", "terminals")

    def __init__(
        self,
        expansions: dict[str, list[tuple[Symbol, ...]]],
        terminals: dict[str, Terminal],
        ignore: tuple[str, ...],
    ) -> None:
        self.expansions, self.terminals, self.ignore = expansions, terminals, ignore
        self.cost = _costs(expansions)

    def length(self, expansion: Sequence[Symbol]) -> float:
        return sum(1.0 if terminal else self.cost[name] for name, terminal in expansion)


# --------------------------------------------------------------------------------------------- checking a format


def format_error(syntax: str, definition: str) -> str | None:
    """Why a grammar `definition` of `syntax` does not compile, or None when it does."""
    try:
        if syntax == "regex":
            _regex(definition)
        else:
            lark_rules(definition)
    except GrammarError as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=64)
def _regex(definition: str) -> re.Pattern[str]:
    try:
        pattern = re.compile(definition)
    except (re.error, OverflowError, RecursionError) as error:
        raise GrammarError(f"the regex does not compile: {error}") from None
    unsupported = _unsupported(list(sre_parse.parse(definition)))
    if unsupported:
        raise GrammarError(f"the regex uses {unsupported}, which the grammar's regex flavour does not support")
    return pattern


def _unsupported(items: list[Any]) -> str | None:
    for op, value in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            return "a lookaround"
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return "a backreference"
        for sub in _subpatterns(op, value):
            found = _unsupported(list(sub))
            if found:
                return found
    return None


def _subpatterns(op: Any, value: Any) -> list[Any]:
    if op is sre.BRANCH:
        return list(value[1])
    if op is sre.SUBPATTERN:
        return [value[3]]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return [value[2]]
    if op is sre.ATOMIC_GROUP:
        return [value]
    return []


_IMPORT = re.compile(r"^\s*%import\s+([\w.]+)", re.M)


@functools.lru_cache(maxsize=64)
def lark_rules(definition: str) -> Rules:
    """The grammar's rules, compiled by Lark (EBNF operators become helper rules, `%import common.X` is resolved)."""
    from lark.exceptions import LarkError  # imported lazily: only grammar tools pay for lark
    from lark.load_grammar import load_grammar

    for module in _IMPORT.findall(definition):
        if module.split(".")[0] != "common":
            raise GrammarError(f"only terminals of `common` can be imported, not {module!r}")
    try:
        grammar, _ = load_grammar(definition, "<grammar>", [], False)
        terminals, rules, ignore = grammar.compile([START], set())
    except (LarkError, re.error, KeyError, ValueError, RecursionError) as error:
        raise GrammarError(_one_line(error)) from None
    expansions: dict[str, list[tuple[Symbol, ...]]] = {}
    for rule in rules:
        expansion = tuple((symbol.name, symbol.is_term) for symbol in rule.expansion)
        expansions.setdefault(rule.origin.name, []).append(expansion)
    compiled = {terminal.name: _terminal(terminal) for terminal in terminals}
    if START not in expansions:
        raise GrammarError("the grammar has no `start` rule")
    grammar_rules = Rules(expansions, compiled, tuple(ignore))
    if grammar_rules.cost[START] == float("inf"):
        raise GrammarError("the `start` rule derives no finite text")
    return grammar_rules


def _terminal(terminal: Any) -> Terminal:
    try:
        regex = re.compile(terminal.pattern.to_regexp())
    except re.error as error:
        raise GrammarError(f"terminal {terminal.name}: {error}") from None
    literal = terminal.pattern.value if terminal.pattern.type == "str" else None
    return Terminal(terminal.name, regex, literal)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] or type(error).__name__


def _costs(expansions: Mapping[str, Sequence[tuple[Symbol, ...]]]) -> dict[str, float]:
    """The fewest terminals each nonterminal derives (inf when it derives no finite text), by fixpoint."""
    cost = dict.fromkeys(expansions, float("inf"))
    changed = True
    while changed:
        changed = False
        for name, options in expansions.items():
            for expansion in options:
                total = sum(1.0 if terminal else cost.get(symbol, float("inf")) for symbol, terminal in expansion)
                if total < cost[name]:
                    cost[name], changed = total, True
    return cost


# --------------------------------------------------------------------------------------------- accepting a text


def accepts(syntax: str, definition: str, text: str) -> bool:
    """Whether `text` is a sentence of the grammar (the whole of it)."""
    if len(text) > MAX_CHECKED:
        return False
    if syntax == "regex":
        return _regex(definition).fullmatch(text) is not None
    try:
        return _Recognizer(lark_rules(definition), text).accepts()
    except _TooCostly:
        return False


class _TooCostly(Exception):
    """A check that would try more than MAX_MATCHES terminal matches: the text is not taken."""


Item = tuple[int, int, int]  # (production, dot, origin position)


class _Recognizer:
    """Earley's recognizer over characters: a terminal scanned at a position reaches every position its regex (or a
    prefix of its match) ends at, the empty match included (a rule that matched "" at a position advances the items
    that wait for it there, even those predicted later); ignored terminals may stand before any terminal and at the
    end."""

    def __init__(self, rules: Rules, text: str) -> None:
        self.rules, self.text = rules, text
        self.productions = [(name, exp) for name, options in rules.expansions.items() for exp in options]
        self.by_origin: dict[str, list[int]] = {}
        for index, (name, _) in enumerate(self.productions):
            self.by_origin.setdefault(name, []).append(index)
        self._ends: dict[tuple[str, int], list[int]] = {}
        self._skips: dict[int, list[int]] = {}
        self._tried = 0

    def accepts(self) -> bool:
        size = len(self.text)
        sets: list[list[Item]] = [[] for _ in range(size + 1)]
        seen: list[set[Item]] = [set() for _ in range(size + 1)]
        waiting: list[dict[str, list[Item]]] = [{} for _ in range(size + 1)]
        finished: list[set[str]] = [set() for _ in range(size + 1)]  # nonterminals that matched "" here

        def add(position: int, item: Item) -> None:
            if item in seen[position]:
                return
            seen[position].add(item)
            sets[position].append(item)
            expansion = self.productions[item[0]][1]
            if item[1] < len(expansion) and not expansion[item[1]][1]:
                awaited = expansion[item[1]][0]
                waiting[position].setdefault(awaited, []).append(item)
                if awaited in finished[position]:
                    add(position, (item[0], item[1] + 1, item[2]))

        for production in self.by_origin[START]:
            add(0, (production, 0, 0))
        for position in range(size + 1):
            agenda, index = sets[position], 0
            while index < len(agenda):
                production, dot, origin = agenda[index]
                index += 1
                name, expansion = self.productions[production]
                if dot == len(expansion):
                    if origin == position:
                        finished[position].add(name)
                    for parent in list(waiting[origin].get(name, ())):
                        add(position, (parent[0], parent[1] + 1, parent[2]))
                elif not expansion[dot][1]:
                    for child in self.by_origin.get(expansion[dot][0], ()):
                        add(position, (child, 0, position))
                else:
                    for start in self._skip(position):
                        for end in self._terminal_ends(expansion[dot][0], start):
                            add(end, (production, dot + 1, origin))
        return any(
            size in self._skip(position)
            and any(
                self.productions[p][0] == START and d == len(self.productions[p][1]) and o == 0 for p, d, o in items
            )
            for position, items in enumerate(sets)
        )

    def _terminal_ends(self, name: str, start: int) -> list[int]:
        key = (name, start)
        if key not in self._ends:
            self._ends[key] = self._match(name, start)
        return self._ends[key]

    def _match(self, name: str, start: int) -> list[int]:
        ends = _match_ends(self.rules.terminals[name], self.text, start)
        self._tried += 1 + len(ends)
        if self._tried > MAX_MATCHES:
            raise _TooCostly
        return ends

    def _skip(self, position: int) -> list[int]:
        """The positions reachable from `position` over ignored terminals (itself first)."""
        if position not in self._skips:
            reached, frontier = [position], [position]
            while frontier and self.rules.ignore:
                here = frontier.pop()
                for name in self.rules.ignore:
                    for end in self._match(name, here):
                        if end > here and end not in reached:
                            reached.append(end)
                            frontier.append(end)
            self._skips[position] = reached
        return self._skips[position]


def _match_ends(terminal: Terminal, text: str, start: int) -> list[int]:
    if terminal.literal is not None and terminal.regex.pattern == re.escape(terminal.literal):
        return [start + len(terminal.literal)] if text.startswith(terminal.literal, start) else []
    match = terminal.regex.match(text, start)
    if match is None:
        return []
    return [end for end in range(match.end(), start - 1, -1) if terminal.regex.fullmatch(text, start, end)]


# --------------------------------------------------------------------------------------------- the prompt's cues

# The verbs a prompt uses for what a grammar's alternatives call otherwise (a patch's "Add File" for "create").
_SYNONYMS = {
    "create": "add",
    "make": "add",
    "new": "add",
    "write": "add",
    "insert": "add",
    "append": "add",
    "remove": "delete",
    "erase": "delete",
    "drop": "delete",
    "edit": "update",
    "modify": "update",
    "change": "update",
    "fix": "update",
    "replace": "update",
    "rename": "move",
}
_FILE_WORDS = frozenset({"file", "filename", "path", "name", "dir", "directory", "folder", "module", "url"})
_CONTENT_WORDS = frozenset({"line", "text", "content", "contents", "body", "message", "value", "string", "comment"})
_QUOTED = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|`([^`\n]+)`|(?<![\w])\'([^\'\n]+)\'(?![\w])')
_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*\.[A-Za-z0-9]{1,8})(?![\w/])")
# What follows "containing the line", "saying", "with the text" (up to the sentence's end): a line to write.
_PHRASE = re.compile(
    r"\b(?:(?:containing|contains|saying|says|reading|reads)\s+(?:(?:the|a)\s+)?(?:(?:line|text|words?|content)\s+)?"
    r"|with\s+(?:the\s+)?(?:line|text|words?|content)\s+)(?::\s*)?(\w[^\n]*?)\s*(?:\.\s*$|\.\s+(?=[A-Z])|$)",
    re.I,
)


class Cues:
    """What a prompt offers a grammar's free text: quoted text and phrases (content), file names, its other words."""

    def __init__(self, prompt: str) -> None:
        self.contents = _unique([next(part for part in match.groups() if part) for match in _QUOTED.finditer(prompt)])
        self.contents += _unique(match.group(1).strip() for match in _PHRASE.finditer(_unquoted(prompt)))
        self.files = _unique(match.group(1) for match in _FILE.finditer(prompt))
        words = re.findall(r"[\w.-]*\w", prompt)
        self.words = _unique(word for word in words if word.lower() not in STOPWORDS)
        lowered = {word.lower() for word in re.findall(r"[a-z]+", prompt.lower())}
        self.vocabulary = lowered | {_SYNONYMS[word] for word in lowered if word in _SYNONYMS}
        self.used: set[str] = set()

    def anything(self) -> bool:
        return bool(self.contents or self.files)

    def unused(self) -> bool:
        """Whether a file name or content of the prompt is still to be written (a repetition goes on for it)."""
        return any(cue not in self.used for cue in (*self.contents, *self.files))

    def for_terminal(self, context: Sequence[str]) -> list[str]:
        """Candidates for a free terminal, those its rule's names ask for first (a file name, a line), unused first."""
        words = {word for name in context[:2] for word in re.findall(r"[a-z]+", name.lower())}
        if words & _CONTENT_WORDS:
            ordered = [*self.contents, *self.words]
        elif words & _FILE_WORDS:
            ordered = [*self.files, *self.contents, *self.words]
        else:
            ordered = [*self.contents, *self.files, *self.words]
        return sorted(_unique(ordered), key=lambda cue: cue in self.used)


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _unquoted(prompt: str) -> str:
    return _QUOTED.sub(" ", prompt)


def quoted_texts(prompt: str) -> list[str]:
    """The prompt's fenced blocks, then its back-quoted spans: what a user hands a tool verbatim."""
    fenced = [match.group(1).strip() for match in re.finditer(r"```(?:\w+\n)?(.*?)```", prompt, flags=re.S)]
    inline = [
        match.group(1).strip() for match in re.finditer(r"`([^`]+)`", re.sub(r"```.*?```", "", prompt, flags=re.S))
    ]
    return _unique([*fenced, *inline])


# --------------------------------------------------------------------------------------------- writing an input


def conforming_input(syntax: str, definition: str, prompt: str, rng: random.Random) -> str:
    """An input the grammar accepts: the prompt's verbatim text when it parses, else a walk the prompt steers."""
    check: Callable[[str], bool] = functools.partial(accepts, syntax, definition)
    for text in (*quoted_texts(prompt), prompt.strip()):
        if text and check(text):
            return text
    write = _regex_sentence if syntax == "regex" else _lark_sentence
    for text in _drafts(write, definition, prompt, rng):
        if check(text):
            return text
    # Only a grammar no walk satisfies (a lexing ambiguity the walk does not see) gets its unchecked shortest text.
    return write(definition, Cues(""), rng, True)


Writer = Callable[[str, Cues, random.Random, bool], str]


def _drafts(write: Writer, definition: str, prompt: str, rng: random.Random) -> Iterator[str]:
    """Walks the prompt steers, then the shortest sentence, then walks on random text alone."""
    for _ in range(WALKS):
        yield write(definition, Cues(prompt), rng, False)
    yield write(definition, Cues(""), rng, True)
    for _ in range(WALKS):
        yield write(definition, Cues(""), rng, False)


def _regex_sentence(definition: str, cues: Cues, rng: random.Random, minimal: bool) -> str:
    pattern = _regex(definition)
    if not minimal:
        for cue in cues.for_terminal(()):
            if pattern.fullmatch(cue):
                return cue
    return regex_text(definition, rng, minimal)


def _lark_sentence(definition: str, cues: Cues, rng: random.Random, minimal: bool) -> str:
    rules = lark_rules(definition)
    tokens = _Walk(rules, cues, rng, minimal).expand(START, (), 0)
    spaced = any(rules.terminals[name].regex.fullmatch(" ") for name in rules.ignore)
    text = ""
    for token in tokens:
        if (
            spaced
            and text
            and token
            and (text[-1].isalnum() or text[-1] == "_")
            and (token[0].isalnum() or token[0] == "_")
        ):
            text += " "
        text += token
    return text


class _Walk:
    """A bounded random derivation: alternatives the prompt names, repetitions while the prompt has more to say."""

    def __init__(self, rules: Rules, cues: Cues, rng: random.Random, minimal: bool) -> None:
        self.rules, self.cues, self.rng, self.minimal = rules, cues, rng, minimal
        self.written = 0

    def expand(self, name: str, context: tuple[str, ...], depth: int) -> list[str]:
        options = [exp for exp in self.rules.expansions[name] if self.rules.length(exp) < float("inf")]
        looping = [exp for exp in options if exp and exp[0] == (name, False)]
        base = [exp for exp in options if exp not in looping]
        if not (looping and base):
            return self._sequence(self._choose(options, depth), context, depth)
        # A left-recursive rule (how Lark writes `item+`): one item, then more while the prompt has more to give.
        out = self._sequence(self._choose(base, depth), context, depth)
        for _ in range(MAX_REPEAT):
            if not self._more(depth):
                break
            out += self._sequence(self._choose(looping, depth)[1:], context, depth)
        return out

    def _more(self, depth: int) -> bool:
        if self.minimal or depth > MAX_DEPTH or self.written > MAX_TOKENS:
            return False
        if self.cues.anything():
            return self.cues.unused()
        return self.rng.random() < 0.3

    def _choose(self, options: Sequence[tuple[Symbol, ...]], depth: int) -> tuple[Symbol, ...]:
        if self.minimal or depth > MAX_DEPTH or self.written > MAX_TOKENS:
            return min(options, key=self.rules.length)
        scores = [len(self._hints(exp) & self.cues.vocabulary) for exp in options]
        best = max(scores)
        pool = [exp for exp, score in zip(options, scores, strict=True) if score == best] if best else list(options)
        weights = [1.0 / (1.0 + self.rules.length(exp)) for exp in pool]  # the shorter alternatives are likelier
        return self.rng.choices(pool, weights)[0]

    def _hints(self, expansion: Sequence[Symbol]) -> set[str]:
        """The words an alternative stands for: its rules' names and the literal text it (and they) write."""
        words: set[str] = set()
        for name, terminal in expansion:
            words |= _name_words(name)
            if terminal:
                words |= _literal_words(self.rules.terminals[name].literal)
                continue
            for inner in self.rules.expansions.get(name, ()):
                for symbol, inner_terminal in inner:
                    if inner_terminal:
                        words |= _literal_words(self.rules.terminals[symbol].literal)
        return words

    def _sequence(self, expansion: Sequence[Symbol], context: tuple[str, ...], depth: int) -> list[str]:
        out: list[str] = []
        for name, terminal in expansion:
            if not terminal:
                inner = context if name.startswith("_") else (name, *context)
                out += self.expand(name, inner, depth + 1)
                continue
            self.written += 1
            out.append(self._terminal_text(self.rules.terminals[name], context))
        return out

    def _terminal_text(self, terminal: Terminal, context: tuple[str, ...]) -> str:
        if terminal.literal is not None:
            return terminal.literal
        if not self.minimal:
            named = context if terminal.name.startswith("__") else (terminal.name, *context)
            for cue in self.cues.for_terminal(named):
                if terminal.regex.fullmatch(cue):
                    self.cues.used.add(cue)
                    return cue
        return regex_text(terminal.regex.pattern, self.rng, self.minimal)


def _name_words(name: str) -> set[str]:
    if name.startswith("__"):
        return set()
    return {word for word in re.findall(r"[a-z]+", name.lower()) if len(word) > 2}


def _literal_words(literal: str | None) -> set[str]:
    return {word for word in re.findall(r"[a-z]+", (literal or "").lower()) if len(word) > 2}


# --------------------------------------------------------------------------------------------- regex text

_READABLE = string.ascii_lowercase + string.digits + string.ascii_uppercase + " _-.,:/"


def regex_text(pattern: str, rng: random.Random, minimal: bool = False) -> str:
    """A string `pattern` matches, drawn over its parse tree (`re._parser`): repetitions bounded, characters
    readable; lookarounds are not honoured (the caller checks the result)."""
    groups: dict[int, str] = {}
    return _emit(list(sre_parse.parse(pattern)), rng, minimal, groups)


def _emit(items: list[Any], rng: random.Random, minimal: bool, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, value in items:
        if op is sre.LITERAL:
            out.append(chr(value))
        elif op in (sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
            out.append(_char(rng, minimal, functools.partial(_one_char, op, value)))
        elif op is sre.BRANCH:
            branches = value[1]
            out.append(_emit(list(branches[0] if minimal else rng.choice(branches)), rng, minimal, groups))
        elif op is sre.SUBPATTERN:
            text = _emit(list(value[3]), rng, minimal, groups)
            if value[0]:
                groups[value[0]] = text
            out.append(text)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = value
            out.extend(_emit(list(sub), rng, minimal, groups) for _ in range(_count(low, high, sub, rng, minimal)))
        elif op is sre.ATOMIC_GROUP:
            out.append(_emit(list(value), rng, minimal, groups))
        elif op is sre.GROUPREF:
            out.append(groups.get(value, ""))
        # AT (anchors), ASSERT, ASSERT_NOT and GROUPREF_EXISTS write nothing.
    return "".join(out)


def _one_char(op: Any, value: Any, ch: str) -> bool:
    """Whether `ch` is a character the one-character item (`[^\\n]`, `.`, `[a-z]`, `\\d`) matches."""
    if op is sre.NOT_LITERAL:
        return ord(ch) != value
    if op is sre.ANY:
        return ch != "\n"
    if op is sre.IN:
        return _in_class(ch, value)
    return _in_category(ch, value)


def _count(low: int, high: int, sub: Any, rng: random.Random, minimal: bool) -> int:
    spacing = all(op is sre.LITERAL and chr(value).isspace() for op, value in sub) or _only_space_class(sub)
    if minimal or spacing:  # `\r?\n`, ` *`: a model writes the plain form
        return low
    ceiling = high if high != sre.MAXREPEAT else low + MAX_REPEAT
    return low + rng.randint(0, max(0, min(ceiling - low, MAX_REPEAT)))


def _only_space_class(sub: Any) -> bool:
    return all(
        op is sre.IN and all(kind is sre.CATEGORY and member is sre.CATEGORY_SPACE for kind, member in value)
        for op, value in sub
    )


def _char(rng: random.Random, minimal: bool, allowed: Callable[[str], bool]) -> str:
    readable = [ch for ch in _READABLE if allowed(ch)]
    if readable:
        return readable[0] if minimal else rng.choice(readable[:26] if len(readable) > 26 else readable)
    other = next((chr(code) for code in range(1, 0x3000) if allowed(chr(code))), "")
    return other


def _in_class(ch: str, members: Sequence[Any]) -> bool:
    negated = bool(members) and members[0][0] is sre.NEGATE
    found = False
    for kind, value in members[1:] if negated else members:
        if kind is sre.LITERAL:
            found = ord(ch) == value
        elif kind is sre.RANGE:
            found = value[0] <= ord(ch) <= value[1]
        elif kind is sre.CATEGORY:
            found = _in_category(ch, value)
        if found:
            break
    return found != negated


_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    sre.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    sre.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}


def _in_category(ch: str, category: Any) -> bool:
    test = _CATEGORIES.get(category)
    return bool(test and test(ch))
