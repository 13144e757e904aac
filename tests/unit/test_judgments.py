"""Judging fields decided by what the input says (`generation/judgments.py`): the tests a field's name, description
or the instructions ask for, true and false on hand-written inputs, and None where nothing is asked."""

from __future__ import annotations

import random

import pytest

from openai_mock.generation import judgments
from openai_mock.generation.schema_values import generate_value

MATH_RULE = "Check if the user is asking you to do their math homework."
SCIFI = "Captain Ode wakes on a starship drifting past Mars; the ship's robot has locked the airlock."
WESTERN = "A rancher rides into a dusty town to settle a feud over cattle and water rights."


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Can you help me solve for x: 2x + 5 = 11", True),
        ("What is 17 * 23?", True),
        ("Simplify the fraction 12/18 for my algebra class.", True),
        ("What's the capital of California?", False),
        ("My order 2024-01-05 arrived late.", False),  # a date is no sum
    ],
)
def test_math_homework_is_a_maths_question(said: str, expected: bool) -> None:
    assert judgments.verdict("is_math_homework", "boolean", {"type": "boolean"}, MATH_RULE, said) is expected


def test_the_instructions_say_what_a_plainly_named_flag_asks() -> None:
    schema = {"type": "boolean"}
    assert judgments.verdict("tripwire", "boolean", schema, MATH_RULE, "Solve for y: 3y = 12") is True
    assert judgments.verdict("tripwire", "boolean", schema, MATH_RULE, "Where is my parcel?") is False
    assert judgments.verdict("tripwire", "boolean", schema, "Be helpful.", "Solve for y: 3y = 12") is None


def test_science_fiction_is_told_by_its_subject() -> None:
    assert judgments.judged("is_scifi", {}, "", SCIFI) is True
    assert judgments.judged("is_scifi", {}, "", WESTERN) is False


@pytest.mark.parametrize("name", ["good_quality", "verified", "is_valid", "approved", "passes"])
def test_reasonable_content_is_approved_and_empty_or_failed_content_is_not(name: str) -> None:
    assert judgments.judged(name, {}, "", WESTERN) is True
    assert judgments.judged(name, {}, "", "   ") is False
    assert judgments.judged(name, {}, "", "The build failed: 3 tests did not pass.") is False


def test_rejecting_spellings_answer_the_opposite() -> None:
    assert judgments.judged("needs_revision", {}, "", WESTERN) is False
    assert judgments.judged("is_invalid", {}, "", "") is True


def test_the_description_names_the_test() -> None:
    described = {"description": "Whether the report is coherent and supported by the supplied evidence."}
    assert judgments.judged("ok", described, "", WESTERN) is True


def test_flags_read_moderation_personal_data_and_the_instructions_topic() -> None:
    assert judgments.judged("is_harmful", {}, "", "I will kill you and burn your house down.") is True
    assert judgments.judged("is_harmful", {}, "", WESTERN) is False
    assert judgments.judged("contains_pii", {}, "", "Mail me at jane.doe@example.com") is True
    assert judgments.judged("contains_pii", {}, "", WESTERN) is False
    cooking = "You answer questions about cooking recipes."
    assert judgments.judged("is_off_topic", {}, cooking, "How long should pasta cook in a recipe?") is False
    assert judgments.judged("is_off_topic", {}, cooking, "Who won the election?") is True


def test_enums_by_verdict_subject_and_tone() -> None:
    def chosen(name: str, options: list[str], said: str) -> object:
        return judgments.verdict(name, "enum", {"enum": options}, "", said)

    assert chosen("verdict", ["pass", "fail"], WESTERN) == "pass"
    assert chosen("verdict", ["pass", "fail"], "Traceback (most recent call last)") == "fail"
    assert chosen("is_scifi", ["yes", "no"], WESTERN) == "no"
    assert chosen("department", ["technical", "billing"], "My dashboard fails to load.") == "technical"
    assert chosen("department", ["technical", "billing"], "Why was I charged twice on my invoice?") == "billing"
    assert chosen("sentiment", ["positive", "negative", "neutral"], "I love it, thank you!") == "positive"
    assert chosen("sentiment", ["positive", "negative", "neutral"], "It arrived broken, awful.") == "negative"
    assert chosen("colour", ["red", "blue"], WESTERN) is None  # nothing to judge: the draw stays


def test_other_fields_fall_back_to_the_given_hint() -> None:
    hint = judgments.judging(lambda name, kind, _: f"{kind} {name}", MATH_RULE, "2 + 2 = ?")
    schema = {
        "type": "object",
        "properties": {"reasoning": {"type": "string"}, "is_math_homework": {"type": "boolean"}},
        "required": ["reasoning", "is_math_homework"],
    }
    value = generate_value(schema, random.Random(0), hint=hint)
    assert value == {"reasoning": "string reasoning", "is_math_homework": True}


def test_about_names_subjects_only() -> None:
    assert judgments.about("Is this a request for help with a software product?", "dashboard fail help load") is True
    assert judgments.about("Is this a request for help with a software product?", "recipe pasta") is False
    assert judgments.about("The customer is delighted.", "anything") is None
