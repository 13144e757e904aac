"""Programming how-tos (generation/howtos.py): a sentence, a Python block that parses, the alternatives."""

from __future__ import annotations

import ast
import re

import pytest

from openai_mock.generation import answers, howtos


@pytest.mark.parametrize("block", howtos.blocks())
def test_every_howto_block_is_valid_python(block: str) -> None:
    ast.parse(block)


def test_listing_a_directorys_files_uses_the_standard_library() -> None:
    said = answers.direct([{"role": "user", "content": "How do I output all files in a directory using Python?"}])
    assert said is not None
    code = re.search(r"```python\n(.+?)\n```", said, re.DOTALL)
    assert code is not None
    assert "iterdir()" in code[1] and "is_file()" in code[1]
    assert "os.listdir" in said and "os.scandir" in said and "glob" in said


@pytest.mark.parametrize(
    ("question", "used"),
    [
        ("How can I read a file line by line in Python?", "for number, line in enumerate(file"),
        ("how to parse JSON in python", "json.load"),
        ("What's the best way to read a CSV file?", "csv.DictReader"),
        ("How do I check if a file exists?", "is_file()"),
        ("How do I run a shell command from Python?", "subprocess.run"),
    ],
)
def test_each_task_gets_its_own_howto(question: str, used: str) -> None:
    said = howtos.answer(question)
    assert said is not None and used in said


@pytest.mark.parametrize(
    "question",
    [
        "How do I list the files in a directory in Rust?",  # another language
        "List the files in a directory.",  # not asked how
        "How do I bake bread?",  # no task of the table
    ],
)
def test_no_howto_outside_the_table(question: str) -> None:
    assert howtos.answer(question) is None
