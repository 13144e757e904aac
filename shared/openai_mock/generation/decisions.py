"""Answers of the Decisions API: every question asked about one input, answered in order, deterministically.

A question's answer leans on what it shares with the input: the content words of a predicate's statement, of each
choice (its value and description) or of each level (its label and description) found in the input raise its
likelihood, and a draw seeded by the input, the question and the request's seed (`x-mock-seed`) spreads the rest. So
a choice the input names is the likely one, the same request gets the same answers, and another input others.
A predicate or a choice that names a subject the input is about in other words (`judgments.about`: "a software
product" for "my dashboard fails to load", the choice "technical" for it) is judged so: likely, or unlikely when the
input is about something else. An input the moderation classifier flags is refused, question by question."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openai_mock.generation import judgments

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell one answer from another (words under three letters are left out anyway).
_COMMON = (
    "the and for are was were this that with from into onto about what which who whom whose when where why how not "
    "but all any can could should would will shall may might must has have had does did doing its their there they "
    "them you your our ours his her hers him she been being then than such very more most less least yes input text "
    "user message"
)
_STOPWORDS = frozenset(_COMMON.split())
_PLACES = 4  # probabilities are answered to four places
_SUBJECT_LIKENESS = 0.6  # an option whose subject the input is about, in other words than the option's


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stem(word: str) -> str:
    """A word without its commonest ending (`wants` and `want` meet), when enough of it is left."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in _STOPWORDS)


def _overlap(target: str, words: frozenset[str]) -> float:
    """The share of `target`'s content words the input holds (0 when it has none)."""
    wanted = content_words(target)
    return len(wanted & words) / len(wanted) if wanted else 0.0


def _likeness(option: str, words: frozenset[str], said: str) -> float:
    """The option's overlap with the input, at least `_SUBJECT_LIKENESS` when the input is about the subject the
    option names ("technical": a dashboard that fails to load)."""
    return max(_overlap(option, words), _SUBJECT_LIKENESS if judgments.about(option, said) else 0.0)


def _shares(scores: Sequence[float]) -> list[float]:
    """Softmax, rounded to four places, the largest share absorbing the rounding so that they sum to 1."""
    top = max(scores)
    weights = [math.exp(score - top) for score in scores]
    total = sum(weights)
    shares = [round(weight / total, _PLACES) for weight in weights]
    leading = shares.index(max(shares))
    shares[leading] = round(shares[leading] + 1 - sum(shares), _PLACES)
    return shares


def _predicate(statement: str, words: frozenset[str], rng: random.Random) -> dict[str, Any]:
    overlap = _overlap(statement, words)
    judged = judgments.about(statement, " ".join(sorted(words)))
    if judged is None:
        likelihood = 0.08 + 0.9 * overlap + rng.uniform(-0.1, 0.1)
    else:  # a subject the input is about in its own words ("a software product": "my dashboard fails to load")
        likelihood = (0.86 if judged else 0.03) + 0.1 * overlap + rng.uniform(0, 0.05)
    return {"type": "predicate", "probability": round(min(0.99, max(0.01, likelihood)), _PLACES)}


def _choice(choices: Sequence[Mapping[str, Any]], words: frozenset[str], rng: random.Random) -> dict[str, Any]:
    said = " ".join(sorted(words))
    scores = [
        3.0 * _likeness(f"{choice['value']} {choice.get('description') or ''}", words, said) for choice in choices
    ]
    scores = [score + rng.gauss(0, 0.4) for score in scores]
    shares = _shares(scores)
    best = shares.index(max(shares))
    return {
        "type": "choice",
        "choice": choices[best]["value"],
        "confidence": shares[best],
        "probabilities": [
            {"value": choice["value"], "probability": share} for choice, share in zip(choices, shares, strict=True)
        ],
    }


def _score(levels: Sequence[Mapping[str, Any]], words: frozenset[str], rng: random.Random) -> dict[str, Any]:
    """Levels are valued by their place, from 0; the score is the expected value."""
    scores = [
        3.0 * _overlap(f"{level['label']} {level.get('description') or ''}", words) + rng.gauss(0, 0.4)
        for level in levels
    ]
    shares = _shares(scores)
    return {
        "type": "score",
        "score": round(sum(value * share for value, share in enumerate(shares)), _PLACES),
        "confidence": max(shares),
        "probabilities": [
            {"label": level["label"], "value": value, "probability": share}
            for value, (level, share) in enumerate(zip(levels, shares, strict=True))
        ],
    }


def answer(question: Mapping[str, Any], instructions: str, words: frozenset[str], rng: random.Random) -> dict[str, Any]:
    """One question's answer (`instructions`: its text; `words`: the input's content words)."""
    kind = question["type"]
    if kind == "predicate":
        found = _predicate(instructions, words, rng)
    elif kind == "choice":
        found = _choice(question["choices"], words, rng)
    else:
        found = _score(question["levels"], words, rng)
    return {"name": question.get("name"), **found}


def refusals(questions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "refusal", "name": question.get("name")} for question in questions]
