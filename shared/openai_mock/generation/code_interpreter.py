"""What the `code_interpreter` tool "runs": Python that fits the request, its printed output, and the file it
writes in the container's `/mnt/data` — a bar chart (a real PNG) when a chart, plot or graph is asked for, else a
CSV. The numbers come from a CSV already in the container when there is one (the code reads it and the logs
report real column statistics), otherwise from a small dataset made up from the prompt's topic with the seeded
rng. Pure: (prompt, input files, rng) → CodeRun."""

from __future__ import annotations

import csv
import io
import posixpath
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from openai_mock.generation import answers, text
from openai_mock.generation.png import encode_png

CHART_WORDS = re.compile(r"\b(chart|plot|graph|histogram|visuali[sz]e|png|image|figure|diagram)s?\b", re.IGNORECASE)
CHART_SIZE = (640, 400)
_BACKGROUND = (255, 255, 255)
_AXIS = (60, 60, 60)
_BAR = (31, 119, 180)  # matplotlib's first colour: what a chart made in the sandbox looks like
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CodeRun:
    code: str
    logs: str
    filename: str  # written in /mnt/data
    data: bytes
    media_type: str


@dataclass(frozen=True)
class _Table:
    source: str | None  # the container path read, or None (made up)
    label_column: str
    value_column: str
    labels: list[str]
    values: list[float]


def wants_chart(prompt: str) -> bool:
    return bool(CHART_WORDS.search(prompt))


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", "").strip())
    except ValueError:
        return None


def _table_from_csv(path: str, data: bytes) -> _Table | None:
    """The first text column (labels) and the first numeric column (values) of a CSV, if it has them."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        return None
    if len(rows) < 2 or not rows[0]:
        return None
    header, body = rows[0], [row for row in rows[1:] if len(row) == len(rows[0])]
    numeric = [i for i in range(len(header)) if body and all(_number(row[i]) is not None for row in body)]
    if not numeric:
        return None
    value_index = numeric[0]
    label_index = next((i for i in range(len(header)) if i not in numeric), None)
    labels = [row[label_index] if label_index is not None else str(n + 1) for n, row in enumerate(body)]
    values = [float(_number(row[value_index]) or 0.0) for row in body]
    label_column = header[label_index] if label_index is not None else "row"
    return _Table(path, label_column, header[value_index], labels, values)


# Words about the task, not its subject: "plot a bar chart of revenue" is about revenue.
_TASK_WORDS = re.compile(
    r"\b(bar|line|pie|make|create|draw|build|generate|write|save|export|summari[sz]e|summary|table|csv|file|"
    r"data|dataset|spreadsheet|show|give|me|please|of|a|an|the|our|my|as)\b",
    re.IGNORECASE,
)


def _made_up(prompt: str, rng: random.Random) -> _Table:
    subject = " ".join(_TASK_WORDS.sub(" ", CHART_WORDS.sub(" ", prompt)).split())
    topic = text.topic_of(subject) if subject else ""
    if topic in ("", "this topic"):  # nothing to go on: the classic example
        topic = "monthly sales"
    column = re.sub(r"[^a-z0-9]+", "_", topic.lower()).strip("_")[:32] or "value"
    base = rng.uniform(50, 500)
    values = [round(base * rng.uniform(0.7, 1.4), 2) for _ in range(6)]
    return _Table(None, "month", column, list(_MONTHS[:6]), values)


def _stem(table: _Table) -> str:
    if table.source is not None:
        return posixpath.splitext(posixpath.basename(table.source))[0].split("-", 1)[-1] or "data"
    return table.value_column


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def bar_chart(values: Sequence[float], size: tuple[int, int] = CHART_SIZE) -> bytes:
    """A bar chart as a PNG: white background, axes, one bar per value scaled to the largest."""
    width, height = size
    left, bottom, top, right = 48, height - 40, 24, width - 24
    pixels = [[_BACKGROUND] * width for _ in range(height)]
    peak = max((abs(value) for value in values), default=1.0) or 1.0
    slot = (right - left) / max(len(values), 1)
    for index, value in enumerate(values):
        bar_height = int((bottom - top) * abs(value) / peak)
        x0, x1 = int(left + index * slot + slot * 0.15), int(left + (index + 1) * slot - slot * 0.15)
        for y in range(bottom - bar_height, bottom):
            pixels[y][x0:x1] = [_BAR] * (x1 - x0)
    for y in range(top, bottom + 1):
        pixels[y][left] = _AXIS
    pixels[bottom][left:right] = [_AXIS] * (right - left)
    rows = (bytes(channel for pixel in row for channel in pixel) for row in pixels)
    return encode_png(width, height, rows)


# A number as people write it: 312821, 312,821, 3.5.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_OPERAND = rf"\(*\s*-?(?:{_NUMBER})\s*\)*"
# "the square root of 273 * 312821 + 1782", "(12.5 + 7) / 3", "2^10": a function word and the expression after it.
_CALCULATION = re.compile(
    rf"(?:\b(square\s+root|sqrt)\s*(?:of\s+)?)?({_OPERAND}(?:\s*(?:\*\*|[-+*/^×÷%])\s*{_OPERAND})*)", re.IGNORECASE
)


@dataclass(frozen=True)
class Calculation:
    asked: str  # the quantity as the prompt names it: "the square root of 273 * 312821 + 1782"
    expression: str  # Python: "math.sqrt(273 * 312821 + 1782)"
    value: int | float


def calculation(prompt: str) -> Calculation | None:
    """The arithmetic a prompt asks to compute (its longest expression with an operator or a square root), with its
    value as Python computes it; None when it asks none."""
    best: tuple[str | None, str] | None = None
    for match in _CALCULATION.finditer(prompt):
        written = match[2].strip()
        if not (match[1] or re.search(r"\d\s*\)*\s*(?:\*\*|[-+*/^×÷%])", written)):
            continue
        if re.fullmatch(r"\d{4}\s*-\s*\d{2,4}", written):  # a span of years, not a subtraction
            continue
        if written.count("(") != written.count(")"):
            written = written.strip("()").strip()
        if best is None or len(written) > len(best[1]):
            best = (match[1], written)
    if best is None:
        return None
    function, written = best
    python = re.sub(r"(?<=\d),(?=\d{3})", "", written).replace("^", "**").replace("×", "*").replace("÷", "/")
    try:
        value = answers.safe_eval(f"sqrt({python})" if function else python)
    except (ValueError, SyntaxError, ZeroDivisionError, OverflowError, TypeError):
        return None
    if function:
        return Calculation(f"the square root of {written}", f"math.sqrt({python})", value)
    return Calculation(written, python, value)


def _calculated(calc: Calculation) -> CodeRun:
    """The code that computes what was asked, prints it, and keeps it in /mnt/data (the run's file)."""
    header = "import math\n\n" if calc.expression.startswith("math.") else ""
    filename = "result.txt"
    code = (
        f"{header}result = {calc.expression}\n"
        "print(result)\n"
        f"with open('/mnt/data/{filename}', 'w') as f:\n"
        "    f.write(str(result))\n"
    )
    printed = repr(calc.value)  # what print() shows of an int or a float
    return CodeRun(code, printed + "\n", filename, printed.encode(), "text/plain")


def reported(prompt: str, code: str, logs: str) -> str:
    """The answer once the code ran: the code itself when the prompt asks to see it, then what it computed ("The
    square root of … is 9241.3…"), else what it printed."""
    shown = f"Here is the code I ran:\n\n```python\n{code.rstrip()}\n```\n\n" if _SHOW_CODE.search(prompt) else ""
    calc = calculation(prompt)
    printed = logs.strip()
    if calc is not None and printed == repr(calc.value):
        return f"{shown}{calc.asked[:1].upper() + calc.asked[1:]} is {printed}."
    return f"{shown}The code printed:\n\n```\n{printed}\n```"


_SHOW_CODE = re.compile(r"\b(?:show|include|share|print|give)\b[^.?!]{0,30}\bcode\b", re.IGNORECASE)


def run(prompt: str, files: Sequence[tuple[str, bytes]], rng: random.Random) -> CodeRun:
    """The code for `prompt` over the container's `files` ((path, bytes), oldest first), and what it wrote: the
    asked arithmetic computed, else statistics (and a chart) of a table."""
    has_table = any(path.lower().endswith(".csv") for path, _ in files)
    calc = None if has_table or wants_chart(prompt) else calculation(prompt)
    if calc is not None:
        return _calculated(calc)
    table = next(
        (found for path, data in files if path.lower().endswith(".csv") and (found := _table_from_csv(path, data))),
        None,
    ) or _made_up(prompt, rng)
    chart = wants_chart(prompt)
    count, total = len(table.values), sum(table.values)
    mean = total / count if count else 0.0
    if table.source is not None:
        load = f"df = pd.read_csv({table.source!r})\n"
    else:
        rows = ", ".join(repr(value) for value in table.values)
        load = (
            f"df = pd.DataFrame({{{table.label_column!r}: {table.labels!r},\n"
            f"                   {table.value_column!r}: [{rows}]}})\n"
        )
    stats = (
        f"rows: {count}\n"
        f"{table.value_column}: total={total:.2f} mean={mean:.2f} "
        f"min={min(table.values, default=0):.2f} max={max(table.values, default=0):.2f}\n"
    )
    stem = _stem(table)
    if chart:
        filename = f"{stem}_chart.png"
        code = (
            "import pandas as pd\nimport matplotlib.pyplot as plt\n\n" + load + f"print('rows:', len(df))\n"
            f"ax = df.plot.bar(x={table.label_column!r}, y={table.value_column!r}, legend=False)\n"
            f"ax.set_ylabel({table.value_column!r})\n"
            "plt.tight_layout()\n"
            f"plt.savefig('/mnt/data/{filename}')\n"
            f"print('saved /mnt/data/{filename}')\n"
        )
        data, media_type = bar_chart(table.values), "image/png"
    else:
        filename = f"{stem}_summary.csv"
        code = (
            "import pandas as pd\n\n" + load + f"summary = df[{table.value_column!r}].describe()\n"
            "print(summary)\n"
            f"summary.to_csv('/mnt/data/{filename}')\n"
            f"print('saved /mnt/data/{filename}')\n"
        )
        ordered = sorted(table.values)
        middle = count // 2
        median = (ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2) if count else 0.0
        data = _csv_bytes(
            ("statistic", table.value_column),
            [
                ("count", count),
                ("sum", round(total, 4)),
                ("mean", round(mean, 4)),
                ("median", round(median, 4)),
                ("min", min(table.values, default=0)),
                ("max", max(table.values, default=0)),
            ],
        )
        media_type = "text/csv"
    return CodeRun(code, stats + f"saved /mnt/data/{filename}\n", filename, data, media_type)
