"""Linear equations in one unknown, solved exactly: "solve 8x + 31 = 2" → x = -29/8, with the steps a tutor writes
(simplify, gather the unknown on one side, the numbers on the other, divide). `solve(text)` finds and solves the
equation a prompt gives; `answer(text)` words the worked solution as plain text; `working(hint, text)` is a
`schema_values` hint that fills a structured answer's steps (each an explanation and the equation after it) and its
final answer. Fractions stay exact (`fractions.Fraction`); no `eval`. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, NamedTuple

Hint = Callable[[str, str, Mapping[str, Any]], Any]


class Linear(NamedTuple):
    """a·x + b."""

    a: Fraction
    b: Fraction


class Step(NamedTuple):
    explanation: str
    output: str  # the equation once the step is done


class Solution(NamedTuple):
    equation: str  # as the prompt writes it
    variable: str
    steps: list[Step]
    value: Fraction | None  # None: no single value (no solution, or every value)
    final: str  # "x = -29/8"


# Words that ask for an equation to be solved; without one the prompt must be the bare equation.
_ASKED = re.compile(r"\b(?:solve|find|what(?:'s| is)|calculate|determine|work out|compute|value of)\b", re.I)
_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[A-Za-z]+|[-+*/×÷−·()=^])")
_OPERATORS = {"−": "-", "×": "*", "·": "*", "÷": "/"}


def _tokens(text: str) -> list[str] | None:
    found, at = [], 0
    text = text.rstrip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            return None
        found.append(_OPERATORS.get(match[1], match[1]))
        at = match.end()
    return found


def _equation_text(text: str) -> str | None:
    """The equation the text writes: the longest run of numbers, one-letter unknowns and operators around one `=`."""
    if text.count("=") != 1:
        return None
    left, right = text.split("=")
    head = re.search(r"[\d\sA-Za-z().+\-*/×÷−·^]*$", left)
    tail = re.match(r"[\d\sA-Za-z().+\-*/×÷−·^]*", right)
    if head is None or tail is None:
        return None
    # Words (of two letters or more) are prose, not the equation: cut the sides at the nearest one.
    lhs = re.split(r"(?i)\b[a-z]{2,}\b", head[0])[-1]
    rhs = re.split(r"(?i)\b[a-z]{2,}\b", tail[0])[0]
    rhs = re.sub(r"[\s.+\-*/]+$", "", rhs)
    lhs = lhs.strip()
    if not lhs or not rhs.strip():
        return None
    return f"{lhs} = {rhs.strip()}"


class _Parser:
    """Recursive descent over + - * / and parentheses, each value a `Linear` in the one unknown."""

    def __init__(self, tokens: list[str], variable: str) -> None:
        self.tokens, self.variable, self.at = tokens, variable, 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> Linear:
        value = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            other = self.term()
            value = Linear(value.a + sign * other.a, value.b + sign * other.b)
        return value

    def term(self) -> Linear:
        value = self.factor()
        while (token := self.peek()) is not None and (token in ("*", "/", "(") or token[0].isalnum()):
            if token == "/":
                self.take()
                divisor = self.factor()
                if divisor.a or not divisor.b:
                    raise ValueError("not linear")
                value = Linear(value.a / divisor.b, value.b / divisor.b)
                continue
            if token == "*":
                self.take()
            other = self.factor()  # (a number next to the unknown or a bracket multiplies it: 8x, 2(x + 1))
            if value.a and other.a:
                raise ValueError("not linear")
            value = Linear(value.a * other.b + other.a * value.b, value.b * other.b)
        return value

    def factor(self) -> Linear:
        token = self.take() if self.peek() is not None else None
        if token in ("-", "+"):
            inner = self.factor()
            return inner if token == "+" else Linear(-inner.a, -inner.b)
        if token == "(":
            inner = self.expression()
            if self.peek() != ")":
                raise ValueError("unbalanced")
            self.take()
            return inner
        if token is not None and token[0].isdigit():
            return Linear(Fraction(0), Fraction(token))
        if token == self.variable:
            return Linear(Fraction(1), Fraction(0))
        raise ValueError(f"unexpected {token!r}")


def _side(tokens: list[str], variable: str) -> Linear:
    parser = _Parser(tokens, variable)
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError("trailing tokens")
    return value


def number(value: Fraction) -> str:
    """A fraction as written: 3, -29/8."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _term(coefficient: Fraction, variable: str) -> str:
    if coefficient == 1:
        return variable
    if coefficient == -1:
        return f"-{variable}"
    shown = number(coefficient)
    return f"{shown}{variable}" if coefficient.denominator == 1 else f"({shown}){variable}"


def _written(side: Linear, variable: str) -> str:
    if not side.a:
        return number(side.b)
    shown = _term(side.a, variable)
    if side.b:
        shown += f" {'+' if side.b > 0 else '-'} {number(abs(side.b))}"
    return shown


def _decimal(value: Fraction) -> str | None:
    """The fraction as a decimal when it ends (-29/8 → -3.625), else None."""
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if value.denominator == 1 or rest != 1:
        return None
    return f"{float(value):.10f}".rstrip("0").rstrip(".")


def _steps(left: Linear, right: Linear, variable: str, simplified: bool) -> list[Step]:
    steps = []
    if not simplified:
        steps.append(Step("Simplify both sides", f"{_written(left, variable)} = {_written(right, variable)}"))
    if right.a:
        moved = _term(abs(right.a), variable)
        verb = f"Subtract {moved} from" if right.a > 0 else f"Add {moved} to"
        left, right = Linear(left.a - right.a, left.b), Linear(Fraction(0), right.b)
        steps.append(Step(f"{verb} both sides", f"{_written(left, variable)} = {_written(right, variable)}"))
    if left.b and left.a:
        verb = f"Subtract {number(left.b)} from" if left.b > 0 else f"Add {number(-left.b)} to"
        left, right = Linear(left.a, Fraction(0)), Linear(Fraction(0), right.b - left.b)
        steps.append(Step(f"{verb} both sides", f"{_written(left, variable)} = {_written(right, variable)}"))
    if left.a and left.a != 1:
        if left.a.numerator in (1, -1):  # -x, x/4, -x/4: multiplying undoes it
            verb = f"Multiply both sides by {left.a.denominator * left.a.numerator}"
        else:
            verb = f"Divide both sides by {number(left.a)}"
        steps.append(Step(verb, f"{variable} = {number(right.b / left.a)}"))
    return steps


def solve(text: str) -> Solution | None:
    """The solution of the linear equation in one unknown the text asks to solve, or None."""
    if "=" not in text or len(text) > 300:
        return None
    equation = _equation_text(text)
    if equation is None:
        return None
    if not _ASKED.search(text) and len(text.strip(" ?.!:")) > len(equation) + 2:
        return None
    tokens = _tokens(equation)
    if tokens is None:
        return None
    letters = {token for token in tokens if token.isalpha()}
    if len(letters) != 1 or any(len(letter) != 1 for letter in letters) or "^" in tokens:
        return None
    variable = letters.pop()
    split = tokens.index("=")
    try:
        left, right = _side(tokens[:split], variable), _side(tokens[split + 1 :], variable)
    except (ValueError, IndexError, ZeroDivisionError):
        return None
    if not left.a and not right.a:
        return None  # no unknown left: arithmetic, not an equation
    if not left.a:  # the unknown on the right: read the equation the other way round
        left, right = right, left
    if left == (1, 0) and not right.a:
        return None  # `x = 5` says what x is: nothing to solve
    simplified = _written(left, variable) + " = " + _written(right, variable) == re.sub(r"\s+", " ", equation)
    steps = _steps(left, right, variable, simplified or _plain(equation))
    gathered = left.a - right.a
    if not gathered:
        same = left.b == right.b
        final = f"every value of {variable} is a solution" if same else "there is no solution"
        steps.append(Step(f"Compare the two sides, with no {variable} left", final))
        return Solution(equation, variable, steps, None, final)
    value = (right.b - left.b) / gathered
    decimal = _decimal(value)
    final = f"{variable} = {number(value)}" + (f" = {decimal}" if decimal else "")
    return Solution(equation, variable, steps, value, final)


def _plain(equation: str) -> bool:
    """Is the equation already in the shape the steps start from (no brackets, one term of each kind a side)?"""
    return "(" not in equation and "*" not in equation and "/" not in equation


def answer(text: str) -> str | None:
    """The worked solution as a tutor writes it, or None when the text asks for no equation to be solved."""
    solution = solve(text)
    if solution is None:
        return None
    lines = [f"To solve {solution.equation} for {solution.variable}:", ""]
    lines += [f"{index}. {step.explanation}: {step.output}" for index, step in enumerate(solution.steps, 1)]
    if solution.value is None:
        return "\n".join([*lines, "", f"So {solution.final}."])
    check = _check(solution)
    return "\n".join([*lines, "", check, "", f"So {solution.final}."])


def _check(solution: Solution) -> str:
    tokens = _tokens(solution.equation) or []
    split = tokens.index("=")
    left = _side(tokens[:split], solution.variable)
    assert solution.value is not None
    both = number(left.a * solution.value + left.b)
    return f"Check: with {solution.variable} = {number(solution.value)}, both sides equal {both}."


# Words of a structured answer's fields: a step's explanation, the equation a step leaves, the final answer.
_EXPLANATION_WORDS = frozenset(
    {"explanation", "explain", "description", "reason", "reasoning", "step", "action", "operation", "text",
     "detail", "details", "note", "why", "how", "work", "title", "instruction", "thought", "rationale"}
)  # fmt: skip
_OUTPUT_WORDS = frozenset(
    {"output", "result", "equation", "expression", "value", "outcome", "state", "math", "calculation", "after",
     "answer", "work"}
)  # fmt: skip
_STEPS_WORDS = frozenset({"steps", "step", "working", "workings", "work", "solution", "reasoning", "derivation"})
_ANSWER_WORDS = frozenset({"answer", "final", "solution", "result", "value", "x", "y", "z"})


def _words(name: str) -> set[str]:
    return set(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ").lower().split())


def _step_item(step: Step, properties: Mapping[str, Any]) -> dict[str, str]:
    """A step as the item schema names its parts (an explanation field, an output field)."""
    item: dict[str, str] = {}
    for key in properties:
        words = _words(key)
        if words & _OUTPUT_WORDS and not words & {"explanation", "description", "reason", "reasoning"}:
            item[key] = step.output
        elif words & _EXPLANATION_WORDS:
            item[key] = step.explanation
    return item


def working(hint: Hint | None, text: str) -> Hint | None:
    """`hint`, with a worked solution's fields first when the text asks to solve an equation: an array of steps
    (objects with an explanation and an output, or strings), the final answer (text, or a number when it ends)."""
    solution = solve(text)
    if solution is None:
        return hint

    def pick(name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        words = _words(name)
        if kind == "array" and words & _STEPS_WORDS:
            items = schema.get("items")
            properties = items.get("properties") if isinstance(items, Mapping) else None
            if isinstance(properties, Mapping):
                return [_step_item(step, properties) for step in solution.steps]
            return [f"{step.explanation}: {step.output}" for step in solution.steps]
        if kind == "string" and words & _ANSWER_WORDS and not words & _STEPS_WORDS - {"solution"}:
            return solution.final
        numeric = solution.value is not None and bool(words & (_ANSWER_WORDS | {solution.variable}))
        if numeric and kind == "number" and solution.value is not None:
            return float(solution.value)
        if numeric and kind == "integer" and solution.value is not None and solution.value.denominator == 1:
            return int(solution.value)
        return hint(name, kind, schema) if hint is not None else None

    return pick
