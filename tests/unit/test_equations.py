"""Linear equations solved exactly (generation/equations.py): the steps, the final answer, the hint that fills a
structured answer, and the plain answer `answers.direct` gives."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest

from openai_mock.generation import answers, equations, schema_values

STEP = {
    "type": "object",
    "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
    "required": ["explanation", "output"],
    "additionalProperties": False,
}
MATH_RESPONSE: dict[str, Any] = {  # as `to_strict_json_schema` writes pydantic's MathResponse
    "$defs": {"Step": STEP},
    "type": "object",
    "properties": {"steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}}, "final_answer": {"type": "string"}},
    "required": ["steps", "final_answer"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("prompt", "value"),
    [
        ("solve 8x + 31 = 2", Fraction(-29, 8)),
        ("Solve for y: 5y - 7 = 3y + 9", Fraction(8)),
        ("find x if 3(x - 2) = 12", Fraction(6)),
        ("What is x when x/4 + 1 = 3?", Fraction(8)),
        ("solve 7 = 2x - 1", Fraction(4)),
        ("Solve −4x + 2 = 10.", Fraction(-2)),
        ("2x = 7", Fraction(7, 2)),
    ],
)
def test_linear_equations_are_solved_exactly(prompt: str, value: Fraction) -> None:
    solution = equations.solve(prompt)
    assert solution is not None
    assert solution.value == value


def test_the_steps_are_a_tutors_subtract_then_divide() -> None:
    solution = equations.solve("solve 8x + 31 = 2")
    assert solution is not None
    assert solution.steps == [
        equations.Step("Subtract 31 from both sides", "8x = -29"),
        equations.Step("Divide both sides by 8", "x = -29/8"),
    ]
    assert solution.final == "x = -29/8 = -3.625"


def test_unknowns_on_both_sides_and_brackets_take_their_own_steps() -> None:
    solution = equations.solve("solve 2(x + 3) = 5x - 9")
    assert solution is not None
    assert [step.output for step in solution.steps] == ["2x + 6 = 5x - 9", "-3x + 6 = -9", "-3x = -15", "x = 5"]


@pytest.mark.parametrize(
    ("prompt", "final"),
    [("solve 2x + 3 = 2x + 4", "there is no solution"), ("solve 2x + 3 = 2x + 3", "every value of x is a solution")],
)
def test_equations_without_one_value_say_so(prompt: str, final: str) -> None:
    solution = equations.solve(prompt)
    assert solution is not None and solution.value is None
    assert solution.final == final


@pytest.mark.parametrize(
    "prompt", ["x = 5", "What is 2 + 3 = ?", "print(x = 5)", "solve x^2 = 4", "solve xy + 2 = 4", "the value 3 = 3"]
)
def test_no_linear_equation_in_one_unknown_is_no_solution(prompt: str) -> None:
    assert equations.solve(prompt) is None


def test_the_plain_answer_works_it_through_and_checks_it() -> None:
    said = answers.direct([{"role": "user", "content": "solve 8x + 31 = 2"}])
    assert said is not None
    assert "1. Subtract 31 from both sides: 8x = -29" in said
    assert "2. Divide both sides by 8: x = -29/8" in said
    assert "both sides equal 2" in said
    assert said.endswith("So x = -29/8 = -3.625.")


def test_the_hint_fills_a_structured_answer_with_the_steps_and_final_answer() -> None:
    hint = equations.working(None, "solve 8x + 31 = 2")
    value = schema_values.generate_value(MATH_RESPONSE, random.Random(1), all_properties=True, hint=hint)
    assert value == {
        "steps": [
            {"explanation": "Subtract 31 from both sides", "output": "8x = -29"},
            {"explanation": "Divide both sides by 8", "output": "x = -29/8"},
        ],
        "final_answer": "x = -29/8 = -3.625",
    }


def test_the_hint_gives_steps_as_strings_and_a_number_answer_where_the_schema_asks() -> None:
    schema = {
        "type": "object",
        "properties": {"steps": {"type": "array", "items": {"type": "string"}}, "x": {"type": "number"}},
        "required": ["steps", "x"],
    }
    hint = equations.working(None, "solve 8x + 31 = 2")
    value = schema_values.generate_value(schema, random.Random(1), all_properties=True, hint=hint)
    assert value == {
        "steps": ["Subtract 31 from both sides: 8x = -29", "Divide both sides by 8: x = -29/8"],
        "x": -3.625,
    }


def test_without_an_equation_the_hint_is_the_one_given() -> None:
    def given(name: str, kind: str, schema: Any) -> None:
        return None

    assert equations.working(given, "tell me a joke") is given
