"""The text generator: readable, deterministic, on topic, exact token budgets, stop sequences."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_mock.generation import text, tokens


def test_same_seed_same_text_and_different_seeds_differ() -> None:
    first = text.generate(random.Random(1), prompt="How do volcanoes erupt?")
    assert first == text.generate(random.Random(1), prompt="How do volcanoes erupt?")
    assert first.text != text.generate(random.Random(2), prompt="How do volcanoes erupt?").text


def test_text_is_english_sentences_about_the_prompt() -> None:
    generated = text.generate(random.Random(3), prompt="Tips for learning the violin")
    assert "violin" in generated.text.lower()
    assert generated.finish_reason == "stop" and generated.text.rstrip()[-1] in ".!?"
    assert "lorem" not in generated.text.lower()
    assert generated.tokens == tokens.encode(generated.text)


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4"])
@pytest.mark.parametrize("budget", [1, 2, 5, 17, 64])
def test_budget_is_met_exactly(model: str, budget: int) -> None:
    generated = text.generate(
        random.Random(budget), prompt="Describe the ocean", model=model, max_tokens=budget, target_tokens=200
    )
    assert generated.finish_reason == "length"
    assert generated.token_count == budget == tokens.count_tokens(generated.text, model)


def test_stop_sequences_cut_before_the_earliest() -> None:
    raw = text.compose(random.Random(5), topic="rivers", target_tokens=80).text
    fitted = text.fit(raw, stop=["\n\n", "."])
    assert fitted.finish_reason == "stop" and fitted.text == raw[: raw.index(".")]
    assert text.fit(raw, stop=["zebra"]).text == raw


def test_stop_beyond_the_budget_does_not_count() -> None:
    raw = "one two three four five six. seven"
    fitted = text.fit(raw, max_tokens=3, stop=["."])
    assert (fitted.text, fitted.finish_reason) == ("one two three", "length")


def test_topic_and_token_splitting() -> None:
    assert text.topic_of("Explain Kubernetes networking to a beginner") == "Kubernetes networking"
    assert text.topic_of("hi") == "this topic"
    # Words of any script keep their letters (an accented first letter was a word break of its own).
    assert text.topic_of("Tell me about élan vital and Kant.") == "élan vital"
    assert text.topic_of("Explain the naïve Bayes classifier") == "naïve Bayes classifier"
    assert text.topic_of("What is Ærøskøbing known for?") == "Ærøskøbing known"
    pieces = text.split_on_tokens("Héllo wörld, ça va? 🌊")
    assert "".join(pieces) == "Héllo wörld, ça va? 🌊"


@settings(max_examples=300, deadline=None)
@given(
    prompt=st.text(max_size=80),
    seed=st.integers(0, 2**32),
    target=st.integers(1, 300),
    model=st.sampled_from(["gpt-4o", "gpt-4"]),
)
def test_composed_tokens_are_the_texts_encoding(prompt: str, seed: int, target: int, model: str) -> None:
    # compose encodes the mock's own words once per model and the topic once per answer: their tokens must
    # join into exactly what encoding the whole text gives, whatever topic the prompt brings in.
    composed = text.compose(random.Random(seed), topic=text.topic_of(prompt), target_tokens=target, model=model)
    assert composed.tokens == tokens.encode(composed.text, model)


@settings(max_examples=200, deadline=None)
@given(
    topic=st.from_regex(r"[A-Za-z][A-Za-z0-9_'-]{0,12}( [A-Za-z][A-Za-z0-9_'-]{0,12}){0,2}", fullmatch=True),
    seed=st.integers(0, 2**32),
    model=st.sampled_from(["gpt-4o", "gpt-4"]),
)
def test_composed_tokens_hold_for_awkward_topics(topic: str, seed: int, model: str) -> None:
    composed = text.compose(random.Random(seed), topic=topic, target_tokens=120, model=model)
    assert composed.tokens == tokens.encode(composed.text, model)
    assert text.fit(composed.text, model=model, encoded=composed.tokens) == text.fit(composed.text, model=model)
