"""Pieces asked for by name (generation/creative.py): the form and subject read from the prompt, questions about a
form left to the usual answer, the same piece for the same draws."""

from __future__ import annotations

import random

import pytest

from openai_mock.generation import creative


def _piece(prompt: str, seed: int = 7) -> str | None:
    return creative.piece(prompt, random.Random(seed))


def test_a_poem_has_a_title_and_stanzas_about_its_subject() -> None:
    poem = _piece("Write a short poem about the sea.")
    assert poem is not None and poem.startswith("**The Sea**\n\n")
    stanzas = poem.split("\n\n")[1:]
    assert len(stanzas) in (2, 3) and all(len(stanza.split("\n")) == 4 for stanza in stanzas)
    assert "the sea" in poem.lower()


@pytest.mark.parametrize(
    ("prompt", "lines"),
    [("Write a haiku about autumn leaves", 3), ("Compose a limerick about a cat", 5)],
)
def test_short_forms_have_their_lines(prompt: str, lines: int) -> None:
    written = _piece(prompt)
    assert written is not None and len(written.split("\n")) == lines
    assert prompt.rsplit("about ", 1)[1].lower() in written.lower()


def test_a_story_is_told_about_its_subject_in_as_many_sentences_as_asked() -> None:
    story = _piece("Tell me a short story about a dragon who loves tea.")
    assert story is not None and "a dragon who loves tea" in story and story.count("\n\n") == 2
    three = _piece("Tell me a three-sentence story about a fox")
    assert three is not None and "a fox" in three and three.count(". ") == 2 and "\n" not in three


def test_a_joke_and_a_song() -> None:
    joke = _piece("Tell me a joke about programmers")
    assert joke is not None and "programmers" in joke and "?" in joke
    song = _piece("Can you write me a song?")
    assert song is not None and song.count("*Chorus*") == 2 and song.startswith("*Verse 1*")


@pytest.mark.parametrize(
    "prompt",
    [
        "What is a haiku?",
        "Tell me about limericks",
        "Write a test for my story component",
        "Write a user story for the login page",
        "Explain the plot of the story",
    ],
)
def test_questions_about_a_form_are_not_requests_for_one(prompt: str) -> None:
    assert _piece(prompt) is None


def test_the_same_draws_write_the_same_piece() -> None:
    assert _piece("Write a poem about rain", seed=1) == _piece("Write a poem about rain", seed=1)
    written = {_piece("Write a poem about rain", seed=seed) for seed in range(20)}
    assert len(written) > 5  # the draws choose the verses


@pytest.mark.parametrize(
    ("prompt", "words"),
    [
        ("Write a short sci-fi story.", ("starship", "planet")),
        ("Tell me a detective story", ("detective",)),
        ("Write a fantasy poem", ("dragon",)),
    ],
)
def test_a_piece_asked_for_by_genre_alone_takes_a_subject_of_that_genre(prompt: str, words: tuple[str, ...]) -> None:
    written = _piece(prompt)
    assert written is not None and all(word in written.lower() for word in words)
    assert "starship" not in (_piece("Write a short story.") or "starship")  # no genre: a default subject


@pytest.mark.parametrize(
    ("prompt", "asked"),
    [
        ("Tell me a joke.", ("joke", "")),
        ("Write a poem about the sea", ("poem", "the sea")),
        ("Write a short sci-fi story.", ("story", "")),
    ],
)
def test_the_form_and_subject_asked_for_are_read(prompt: str, asked: tuple[str, str]) -> None:
    assert creative.asked_form(prompt) == asked
