"""Code answers: a request for code in a language gets a fenced block that parses (Python is checked with `ast`,
JSON with `json`), named after the request's nouns ("a function that reverses a string" → `reverse_string`).
Well-known tasks get their real implementation; others a small, valid skeleton shaped to the request."""

from __future__ import annotations

import ast
import json
import re

from openai_mock.generation import extract

_LANGUAGES = {
    "python": "python",
    "py": "python",
    "javascript": "javascript",
    "js": "javascript",
    "node": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "json": "json",
    "sql": "sql",
    "bash": "bash",
    "shell": "bash",
    "go": "go",
    "golang": "go",
    "rust": "rust",
    "java": "java",
}
_ASKS_CODE = re.compile(
    r"\b(?:write|give|show|create|implement|generate|make|need|provide)\b.{0,40}?\b(?:code|function|script|program|"
    r"class|snippet|method|query|example|object|implementation|one-liner)\b|\bimplement\b|\bcode (?:to|for|that)\b"
    r"|\b(?:write|implement|code|solve)\b.{0,60}\bin (?:python|javascript|typescript|go|golang|rust|java|sql|bash)\b",
    re.IGNORECASE | re.DOTALL,
)
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "that",
        "which",
        "to",
        "for",
        "in",
        "of",
        "and",
        "or",
        "with",
        "write",
        "give",
        "show",
        "create",
        "implement",
        "generate",
        "make",
        "need",
        "provide",
        "me",
        "please",
        "function",
        "script",
        "program",
        "class",
        "snippet",
        "method",
        "code",
        "python",
        "javascript",
        "typescript",
        "js",
        "ts",
        "go",
        "golang",
        "rust",
        "java",
        "sql",
        "bash",
        "shell",
        "json",
        "simple",
        "small",
        "quick",
        "short",
        "example",
        "returns",
        "return",
        "takes",
        "given",
        "using",
        "how",
        "can",
        "you",
        "i",
        "would",
        "like",
        "should",
        "it",
        "is",
        "are",
        "from",
        "into",
        "by",
        "as",
        "on",
        "all",
        "each",
        "every",
        "new",
        "query",
        "list",
        "select",
        "table",
        "row",
        "get",
        "find",
        "fetch",
        "check",
        "number",
        "if",
        "whether",
        "all",
    ]
)
# Well-known tasks: (words that name them, function name, python body over `value`, javascript body)
_TASKS = (
    (("reverse", "string"), "reverse_string", "return value[::-1]", "return value.split('').reverse().join('');"),
    (
        ("palindrome",),
        "is_palindrome",
        "cleaned = value.lower()\n    return cleaned == cleaned[::-1]",
        "const cleaned = value.toLowerCase();\n  return cleaned === cleaned.split('').reverse().join('');",
    ),
    (
        ("factorial",),
        "factorial",
        "result = 1\n    for number in range(2, value + 1):\n        result *= number\n    return result",
        "let result = 1;\n  for (let n = 2; n <= value; n++) result *= n;\n  return result;",
    ),
    (
        ("fibonacci",),
        "fibonacci",
        "a, b = 0, 1\n    for _ in range(value):\n        a, b = b, a + b\n    return a",
        "let a = 0, b = 1;\n  for (let i = 0; i < value; i++) [a, b] = [b, a + b];\n  return a;",
    ),
    (
        ("prime",),
        "is_prime",
        "if value < 2:\n        return False\n    return all(value % d for d in range(2, int(value**0.5) + 1))",
        "if (value < 2) return false;\n"
        "  for (let d = 2; d * d <= value; d++) if (value % d === 0) return false;\n"
        "  return true;",
    ),
    (("sort",), "sort_items", "return sorted(value)", "return [...value].sort((a, b) => a - b);"),
    (("sum",), "sum_items", "return sum(value)", "return value.reduce((total, item) => total + item, 0);"),
    (("max",), "largest", "return max(value)", "return Math.max(...value);"),
    (
        ("count", "word"),
        "count_words",
        "return len(value.split())",
        "return value.split(/\\s+/).filter(Boolean).length;",
    ),
    (
        ("vowel",),
        "count_vowels",
        "return sum(1 for char in value.lower() if char in 'aeiou')",
        "return (value.match(/[aeiou]/gi) || []).length;",
    ),
    (("celsius",), "celsius_to_fahrenheit", "return value * 9 / 5 + 32", "return value * 9 / 5 + 32;"),
    (("fahrenheit",), "fahrenheit_to_celsius", "return (value - 32) * 5 / 9", "return (value - 32) * 5 / 9;"),
    (("even",), "is_even", "return value % 2 == 0", "return value % 2 === 0;"),
    (("duplicate",), "remove_duplicates", "return list(dict.fromkeys(value))", "return [...new Set(value)];"),
    (
        ("fizzbuzz",),
        "fizzbuzz",
        "return [\n"
        "        'FizzBuzz' if n % 15 == 0 else 'Fizz' if n % 3 == 0 else 'Buzz' if n % 5 == 0 else str(n)\n"
        "        for n in range(1, value + 1)\n"
        "    ]",
        "return Array.from({ length: value }, (_, i) =>\n"
        "    (i + 1) % 15 === 0 ? 'FizzBuzz' : (i + 1) % 3 === 0 ? 'Fizz'\n"
        "    : (i + 1) % 5 === 0 ? 'Buzz' : String(i + 1));",
    ),
)


_SKELETONS = {
    "sql": "SELECT *\nFROM {table}\nORDER BY id\nLIMIT 10;",
    "bash": '#!/usr/bin/env bash\nset -euo pipefail\n\n# {name}\nfor item in "$@"; do\n  echo "$item"\ndone',
    "go": (
        'package main\n\nimport "fmt"\n\nfunc {camel}(value string) string {{\n\treturn value\n}}\n\n'
        'func main() {{\n\tfmt.Println({camel}("example"))\n}}'
    ),
    "rust": (
        "fn {name}(value: &str) -> String {{\n    value.to_string()\n}}\n\n"
        'fn main() {{\n    println!("{{}}", {name}("example"));\n}}'
    ),
    "java": (
        "public class Main {{\n    static String {camel}(String value) {{\n        return value;\n    }}\n\n"
        "    public static void main(String[] args) {{\n"
        '        System.out.println({camel}("example"));\n    }}\n}}'
    ),
}


def language_of(question: str) -> str | None:
    for word in re.findall(r"[a-z]+", question.lower()):
        if word in _LANGUAGES:
            return _LANGUAGES[word]
    return None


def nouns(question: str, limit: int = 3) -> list[str]:
    words = []
    for word in re.findall(r"[a-z][a-z0-9]*", question.lower()):
        stem = word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word
        if stem not in _FILLER and len(stem) > 2 and stem not in words:
            words.append(stem)
    return words[:limit]


# A word `_ASKS_CODE` cannot match without (each of its alternatives names one).
_CODE_VERBS = ("write", "give", "show", "create", "implement", "generate", "make", "need", "provide", "code", "solve")


def answer(question: str) -> str | None:
    """A fenced code answer when the question asks for code, else None."""
    if question.isascii():  # (outside ASCII, case-insensitive matching has folds `lower` does not make)
        lowered = question.lower()
        if not any(verb in lowered for verb in _CODE_VERBS):
            return None
    language = language_of(question)
    if (language is None and not re.search(r"\bcode\b|\bfunction\b", question, re.I)) or not _ASKS_CODE.search(
        question
    ):
        return None
    language = language or "python"
    words = nouns(question)
    lowered = question.lower()
    task = next((task for task in _TASKS if all(word in lowered for word in task[0])), None)
    name = task[1] if task else "_".join(words[:2]) or "solve"
    if language == "json":
        block = _json_block(question, words)
    elif language == "python":
        block = _python(name, task[2] if task else None, words, "class" in lowered)
    elif language in ("javascript", "typescript"):
        block = _javascript(name, task[3] if task else None, language == "typescript")
    elif language == "sql":
        table = (words[0] if words else "item") + "s"
        block = _SKELETONS["sql"].format(table=table)
    else:
        block = _SKELETONS[language].format(name=name, camel=_camel(name))
    shown = {"json": "JSON", "sql": "SQL", "javascript": "JavaScript", "typescript": "TypeScript"}.get(
        language, language.capitalize()
    )
    lead = f"Here is {'an' if language[0] in 'aeiou' else 'a'} {shown} example"
    lead += ":" if language == "json" else f" for {name.replace('_', ' ')}:"
    return f"{lead}\n\n```{language}\n{block}\n```"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _python(name: str, body: str | None, words: list[str], as_class: bool) -> str:
    if as_class:
        cls = "".join(word.capitalize() for word in (words[:2] or ["item"]))
        block = (
            f'class {cls}:\n    """A {" ".join(words[:2]) or "item"}."""\n\n'
            f"    def __init__(self, name: str) -> None:\n        self.name = name\n\n"
            f'    def __repr__(self) -> str:\n        return f"{cls}(name={{self.name!r}})"\n'
        )
    else:
        block = (
            f'def {name}(value):\n    """{name.replace("_", " ").capitalize()}."""\n    '
            f"{body or 'return value'}\n\n\nprint({name}({_sample(name)}))\n"
        )
    ast.parse(block)  # always valid Python
    return block.rstrip("\n")


def _sample(name: str) -> str:
    if any(word in name for word in ("string", "palindrome", "word", "vowel")):
        return "'racecar'"
    if any(word in name for word in ("sort", "sum", "largest", "duplicate")):
        return "[3, 1, 2, 3]"
    return "10"


def _javascript(name: str, body: str | None, typed: bool) -> str:
    camel = _camel(name)
    parameter = "value: any" if typed else "value"
    return (
        f"function {camel}({parameter}) {{\n  {body or 'return value;'}\n}}\n\nconsole.log({camel}({_sample(name)}));"
    )


def _json_block(question: str, words: list[str]) -> str:
    keys = re.findall(r"\b(?:keys?|fields?|properties)\s+(.+?)(?:[.?!]|$)", question, re.IGNORECASE)
    found = extract.entities(question)
    value: dict[str, object] = {}
    if keys:
        for key in re.split(r",\s*|\s+and\s+", keys[0]):
            key = key.strip(" `'\"")
            if key:
                value[re.sub(r"\W+", "_", key.lower())] = f"example {key}"
    else:
        value = {"name": (found.people or ["Example"])[0], "type": words[0] if words else "item", "id": 1}
    block = json.dumps(value, indent=2)
    json.loads(block)
    return block
