"""Everyday requests (generation/everyday.py): small talk, lists of N things, translations of common phrases,
summaries — and what is left to the other answers."""

from __future__ import annotations

import re

import pytest

from openai_mock.generation import answers, everyday


def _answered(question: str) -> str | None:
    return answers.direct([{"role": "user", "content": question}])


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("Hello!", "Hello! How can I help you today?"),
        ("hi there", "Hello! How can I help you today?"),
        ("Good morning :)", "Hello! How can I help you today?"),
        ("Hi, how are you?", "I'm doing well, thank you for asking! How can I help you today?"),
        ("Thanks a lot, that was helpful!", "You're welcome! Let me know if there's anything else I can help with."),
        ("bye", "Goodbye! Have a great day."),
    ],
)
def test_small_talk_gets_its_reply(question: str, reply: str) -> None:
    assert _answered(question) == reply


def test_lists_have_as_many_items_as_asked() -> None:
    assert _answered("List 5 fruits") == "1. Apple\n2. Banana\n3. Orange\n4. Mango\n5. Strawberry"
    assert _answered("Name three planets") == "1. Mercury\n2. Venus\n3. Earth"
    countries = _answered("name 4 countries")
    assert countries is not None and countries.startswith("1. France\n") and countries.count("\n") == 3
    ideas = _answered("Give me 3 ideas for a birthday party")
    assert ideas is not None and ideas.count("\n") == 2 and ideas.count("the birthday party") == 3


def test_common_phrases_are_translated() -> None:
    assert _answered("Translate 'good morning' to French") == '"Good morning" in French is "Bonjour".'
    assert _answered("How do you say thank you in Spanish?") == '"Thank you" in Spanish is "Gracias".'
    assert _answered("Translate 'the invoice is overdue' to German") is None  # not a phrase of the table


def test_a_summary_keeps_the_texts_opening() -> None:
    text = "The quick brown fox jumps over the lazy dog. It was a sunny day. Everyone was happy."
    assert _answered(f"Summarize: {text}") == "In short: The quick brown fox jumps over the lazy dog."
    long_text = " ".join(f"Sentence number {word} is here." for word in ["one", "two", "three", "four", "five", "six"])
    assert _answered(f"Please summarise this:\n{long_text * 40}") == (
        "In short: Sentence number one is here. Sentence number two is here."
    )  # past 600 characters too


@pytest.mark.parametrize(
    "question",
    ["Hi, can you help me with my essay?", "How do I sort a list?", "List the files in a directory", "Hello world"],
)
def test_other_questions_are_left_to_the_other_answers(question: str) -> None:
    words = re.findall(r"[a-z]+", question.lower())
    assert everyday.small_talk(question, words) is None
    assert everyday.listing(question, words) is None and everyday.transformed(question, words) is None
