"""The code a code_interpreter call "runs" (generation/code_interpreter.py): statistics of a CSV computed right
(checked against values worked out by hand), a chart that is a real PNG whose bars are as tall as the values
say, a CSV when no chart is asked for, and the same answer for the same seed."""

from __future__ import annotations

import csv
import io
import math
import random

from openai_mock.generation import code_interpreter
from openai_mock.generation.code_interpreter import bar_chart, run, wants_chart
from openai_mock.generation.png import decode_png

SCORES = ("/mnt/data/0123-scores.csv", b"team,points,rank\nred,12,2\nblue,30,1\ngreen,3,3\nwhite,15,4\n")


def test_csv_statistics_are_those_of_the_file() -> None:
    result = run("Summarise the scores", [SCORES], random.Random(1))
    # points: 12 + 30 + 3 + 15 = 60 over 4 rows; sorted 3, 12, 15, 30 → median (12 + 15) / 2 = 13.5
    assert "points: total=60.00 mean=15.00 min=3.00 max=30.00" in result.logs
    assert result.filename == "scores_summary.csv" and result.media_type == "text/csv"
    rows = dict(csv.reader(io.StringIO(result.data.decode())))
    assert rows == {
        "statistic": "points",
        "count": "4",
        "sum": "60.0",
        "mean": "15.0",
        "median": "13.5",
        "min": "3.0",
        "max": "30.0",
    }
    assert "pd.read_csv('/mnt/data/0123-scores.csv')" in result.code
    assert "summary.to_csv('/mnt/data/scores_summary.csv')" in result.code


def test_a_chart_is_a_png_with_bars_in_proportion() -> None:
    result = run("Plot the points as a bar chart", [SCORES], random.Random(1))
    assert result.filename == "scores_chart.png" and result.media_type == "image/png"
    picture = decode_png(result.data)
    assert (picture.width, picture.height) == (640, 400)
    assert "plt.savefig('/mnt/data/scores_chart.png')" in result.code


def test_bar_heights_follow_the_values() -> None:
    picture = decode_png(bar_chart([10.0, 5.0], size=(200, 140)))
    # Plot area: x from 48 to 176 (two slots of 64 px), y from 24 to 100 (76 px); bars start 15 % into a slot.
    blue = (31, 119, 180, 255)

    def height(x: int) -> int:
        return sum(1 for y in range(140) if picture.pixel(x, y) == blue)

    assert height(48 + 32) == 76 and height(48 + 64 + 32) == 38


def test_without_a_csv_the_data_is_made_up_from_the_prompt_and_seeded() -> None:
    first = run("Make a table of monthly revenue", [("/mnt/data/notes.txt", b"hello")], random.Random(7))
    again = run("Make a table of monthly revenue", [], random.Random(7))
    assert first == again
    assert first.filename == "monthly_revenue_summary.csv" and "rows: 6" in first.logs
    assert wants_chart("draw a graph") and wants_chart("Visualize it") and not wants_chart("summarise the table")


def test_made_up_files_are_named_after_the_subject_not_the_task() -> None:
    names = {prompt: run(prompt, [], random.Random(3)).filename for prompt in ("Plot a bar chart of our revenue", "hi")}
    assert names == {"Plot a bar chart of our revenue": "revenue_chart.png", "hi": "monthly_sales_summary.csv"}


def test_an_arithmetic_request_runs_code_that_computes_it() -> None:
    prompt = "Calculate the square root of 273 * 312821 + 1782 and show the code."
    ran = code_interpreter.run(prompt, [], random.Random(0))
    assert "result = math.sqrt(273 * 312821 + 1782)" in ran.code
    assert ran.logs == f"{math.sqrt(273 * 312821 + 1782)!r}\n"
    answer = code_interpreter.reported(prompt, ran.code, ran.logs)
    assert answer.startswith("Here is the code I ran:\n\n```python\nimport math\n")
    assert answer.endswith(f"The square root of 273 * 312821 + 1782 is {math.sqrt(85401915)!r}.")
    assert code_interpreter.calculation("compute 2^10") == code_interpreter.Calculation("2^10", "2**10", 1024)
    assert code_interpreter.calculation("sales for 2023-2024") is None  # a span of years
