"""Short programming how-tos: "How do I output all files in a directory using Python?" gets a sentence, a fenced
Python block that runs (each is checked with `ast` by the tests) and a note on the alternatives. A small table of
common tasks, in Python; a question naming another language, or no task of the table, gets None. Pure."""

from __future__ import annotations

import re
from typing import NamedTuple

from openai_mock.generation import code


class HowTo(NamedTuple):
    asked: re.Pattern[str]  # the question's words that name the task
    lead: str
    block: str
    note: str


def _howto(asked: str, lead: str, block: str, note: str) -> HowTo:
    return HowTo(re.compile(asked, re.IGNORECASE | re.DOTALL), lead, block.strip("\n"), note)


_HOWTOS = (
    _howto(
        r"\b(?:files?|contents?|entries)\b.{0,40}\b(?:directory|folder|dir)\b|\b(?:list|walk)\b.{0,20}\b(?:directory|folder)",
        "`pathlib.Path.iterdir()` yields every entry of a directory; keep the ones that are files:",
        """
from pathlib import Path

folder = Path(".")  # the directory to list
for path in sorted(folder.iterdir()):
    if path.is_file():
        print(path.name)
""",
        "`os.listdir(folder)` gives the bare names, `os.scandir(folder)` entries with cached file types, and "
        '`folder.rglob("*")` (or `glob.glob("**/*", recursive=True)`) walks the subdirectories too.',
    ),
    _howto(
        r"\bread\b.{0,30}\bfile\b.{0,20}\bline\b|\bline by line\b",
        "Iterating over an open file yields it one line at a time, without loading it whole:",
        """
with open("notes.txt", encoding="utf-8") as file:
    for number, line in enumerate(file, start=1):
        print(number, line.rstrip("\\n"))
""",
        "The `with` block closes the file even when an error interrupts the loop.",
    ),
    _howto(
        r"\b(?:write|save)\b.{0,30}\b(?:to|into|in)\s+(?:a\s+)?(?:text\s+)?file\b",
        'Open the file in write mode (`"w"` replaces it, `"a"` appends) and write strings to it:',
        """
lines = ["first line", "second line"]
with open("output.txt", "w", encoding="utf-8") as file:
    for line in lines:
        file.write(line + "\\n")
""",
        '`pathlib.Path("output.txt").write_text(text)` does the same in one call for a single string.',
    ),
    _howto(
        r"\b(?:read|parse|load)\b.{0,30}\bjson\b|\bjson\b.{0,30}\b(?:parse|load|read)",
        "The standard library's `json` module turns JSON text into dictionaries and lists:",
        """
import json

with open("data.json", encoding="utf-8") as file:
    data = json.load(file)

print(data)
print(json.loads('{"name": "Ada", "age": 36}')["name"])
""",
        "`json.load` reads a file, `json.loads` a string; `json.dump`/`json.dumps` go the other way.",
    ),
    _howto(
        r"\b(?:read|parse|load|open)\b.{0,30}\bcsv\b",
        "`csv.DictReader` reads each row of a CSV file as a dictionary keyed by the header line:",
        """
import csv

with open("people.csv", newline="", encoding="utf-8") as file:
    for row in csv.DictReader(file):
        print(row)
""",
        "Use `csv.reader` for plain lists, and pass `delimiter=';'` for files separated by semicolons.",
    ),
    _howto(
        r"\b(?:file|directory|folder|path)\b.{0,20}\bexists?\b|\bexists?\b.{0,30}\b(?:file|directory|folder|path)\b",
        "`pathlib.Path.exists()` tells whether a path is there; `is_file()` and `is_dir()` tell which kind:",
        """
from pathlib import Path

path = Path("settings.toml")
if path.is_file():
    print(f"{path} exists")
else:
    print(f"{path} is missing")
""",
        "`os.path.exists(path)` is the older spelling of the same check.",
    ),
    _howto(
        r"\b(?:create|make)\b.{0,20}\b(?:directory|folder|dir)\b",
        "`Path.mkdir` creates a directory; `parents=True` creates the missing ones above it too:",
        """
from pathlib import Path

Path("build/reports").mkdir(parents=True, exist_ok=True)
""",
        "`exist_ok=True` makes it a no-op when the directory is already there (`os.makedirs` takes the same flag).",
    ),
    _howto(
        r"\b(?:run|execute|call)\b.{0,30}\b(?:shell|command|subprocess|terminal)\b",
        "`subprocess.run` runs a command and waits for it; `capture_output=True` keeps what it printed:",
        """
import subprocess

result = subprocess.run(["ls", "-l"], capture_output=True, text=True, check=True)
print(result.stdout)
""",
        "Pass the command as a list (no shell involved); `check=True` raises when it exits with an error.",
    ),
    _howto(
        r"\b(?:http|web|api|url)\b.{0,30}\brequest\b|\b(?:fetch|download|get)\b.{0,30}\b(?:url|web\s*page|website)\b",
        "The standard library's `urllib.request` fetches a URL; the response reads like a file:",
        """
import json
from urllib.request import urlopen

with urlopen("https://api.github.com") as response:
    data = json.load(response)
print(data["current_user_url"])
""",
        "The third-party `requests` package (`requests.get(url).json()`) is the common alternative.",
    ),
    _howto(
        r"\b(?:current|today'?s?)\b.{0,20}\b(?:date|time)\b|\bformat\b.{0,20}\b(?:date|datetime)\b",
        "`datetime.now()` gives the current date and time; `strftime` formats it:",
        """
from datetime import datetime, timezone

now = datetime.now(timezone.utc)
print(now.isoformat())
print(now.strftime("%Y-%m-%d %H:%M"))
""",
        "`date.today()` gives just the date; `datetime.fromisoformat` parses the ISO text back.",
    ),
    _howto(
        r"\benvironment variables?\b|\benv(?:ironment)? vars?\b",
        "`os.environ` holds the environment variables; `get` returns a default when one is not set:",
        """
import os

home = os.environ.get("HOME", "/tmp")
debug = os.environ.get("DEBUG", "0") == "1"
print(home, debug)
""",
        '`os.environ["NAME"]` raises `KeyError` when the variable is missing.',
    ),
    _howto(
        r"\bsort\b.{0,20}\b(?:dict|dictionary)\b.{0,20}\bvalues?\b",
        "`sorted` with a key sorts a dictionary's items by their values:",
        """
scores = {"ada": 36, "grace": 45, "alan": 41}
by_value = dict(sorted(scores.items(), key=lambda item: item[1], reverse=True))
print(by_value)
""",
        "Drop `reverse=True` for ascending order.",
    ),
)

_ASKS_HOW = re.compile(r"\bhow (?:do|can|would|should) (?:i|you|we)\b|\bhow to\b|\b(?:best|right) way to\b", re.I)


def answer(question: str) -> str | None:
    """The how-to the question asks for, in Python, or None (another language, or no task of the table)."""
    if not _ASKS_HOW.search(question):
        return None
    # ("parse JSON", "run a shell command from Python": a format, a tool, not the language asked for)
    language = "python" if re.search(r"\bpython\b", question, re.I) else code.language_of(question)
    if language not in (None, "python", "json"):
        return None
    found = next((howto for howto in _HOWTOS if howto.asked.search(question)), None)
    if found is None:
        return None
    return f"{found.lead}\n\n```python\n{found.block}\n```\n\n{found.note}"


def blocks() -> list[str]:
    """Every how-to's code (for the tests that parse them)."""
    return [howto.block for howto in _HOWTOS]
