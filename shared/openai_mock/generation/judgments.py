"""Verdicts of a structured answer's judging fields, read from the input as a model reads it.

A guardrail answers `is_math_homework`, an outline checker `good_quality` and `is_scifi`, a verifier `verified`:
a model decides such a field by what the field asks (its name, its description, else the standing instructions)
and by what the input says. `verdict(name, schema, standing, said)` does that for a boolean or an enum field and
returns None when unsure (the caller's draw stays).

What a field asks is matched against a small table of tests, the first matching wins:
- topical ones, true when the input is about the subject: maths (equations, arithmetic, "solve for x"), science
  fiction (space, robots, aliens, the future…), software trouble, billing;
- flags: harmful content (the moderation classifier), personal data (emails, phone numbers, card and social
  security numbers), off topic (no content word shared with the standing instructions);
- approval (`good_quality`, `verified`, `is_valid`, `approved`, `passes`…): true for a non-empty input that does
  not say it failed and is not flagged, as a model mostly approves reasonable content; the rejecting spellings
  (`needs_revision`, `has_errors`, `is_invalid`) answer the opposite.
An enum answers from the same tests: yes/no and pass/fail options by the field's verdict, options that name a
subject ("technical", "billing") by the first subject the input is about, positive/negative/neutral by the
input's tone.
The cue patterns match word stems too ("crash" in "crashes"), so content words (`decisions.content_words`) read as
well as prose."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from openai_mock.generation.moderation import Item, classify
from openai_mock.generation.schema_values import Hint

_MATH = re.compile(
    r"\d\s*[+*/×÷^=]\s*\(?\d|\d\s+-\s+\d|\b\d*[a-z]\s*[-+*/^=]\s*\d|\bsolve (?:for|the)\b|\bequation|\bmath"
    r"|\barithmetic|\balgebra|\bgeometry|\bcalculus|\bderivative"
    r"|\bintegral|\bfraction|\bsquare root|\bpercent of|\bsimplify|\bfactori[sz]e",
    re.IGNORECASE,
)
_SCIFI = re.compile(
    r"\bsci-?fi|\bscience fiction|\bspace|\bstar(?:ship|s\b)|\bplanet|\bgalax|\borbit|\bastronaut|\brocket|\balien"
    r"|\brobot|\bandroid|\bcyborg|\bartificial intelligence|\bAI\b|\bfuture|\bfuturistic|\btime travel|\bmars\b"
    r"|\bcolony|\bwarp|\blaser|\bquantum|\bdystopi",
    re.IGNORECASE,
)
_SOFTWARE = re.compile(
    r"\bsoftware|\bapp\b|\bapps\b|\bapplication|\bdashboard|\blog ?in|\bpassword|\baccount|\bcrash|\bbug|\berror"
    r"|\binstall|\bupdat|\bload|\bpage\b|\bscreen|\bwebsite|\bbrowser|\bsync|\bserver|\bapi\b|\bbutton|\bsetting"
    r"|\bfeature|\bdownload|\bupload|\bfreez|\bdashboard|\bplugin",
    re.IGNORECASE,
)
_BILLING = re.compile(
    r"\bbill|\binvoice|\bcharg|\brefund|\bpayment|\bpaid\b|\bpay\b|\bsubscri|\bpric|\bcredit card|\bfee\b",
    re.IGNORECASE,
)
_PII = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ().-]{8,}\d|\b\d{3}-\d{2}-\d{4}\b|\b(?:\d{4}[ -]?){3}\d{4}\b",
    re.IGNORECASE,
)
# The input says it did not work: a run, a test or a check that failed, a traceback, a leading error.
_FAILED = re.compile(
    r"\b(?:tests?|build|check|run|it|this|job|step)\s+(?:has\s+|have\s+)?(?:failed|fails|did not pass|didn't pass)"
    r"|\btraceback\b|^\W*(?:error|failed|failure)\b|\bstatus\W+failed",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(?:love|great|excellent|happy|delight|thank|amazing|wonderful|good|best|enjoy|perfect|pleased|fantastic)",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:hate|terribl|awful|broken|angry|disappoint|worst|bad\b|poor|complain|fail|slow|unhappy|frustrat|useless)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]{4,}")
# Words of any instruction, too common to say what the instructions are about.
_GENERIC = frozenset(
    re.findall(
        r"\w+",
        "about answer answers assistant check determine from help helps input into judge message messages only "
        "question questions reply respond said should text that their them they this topic user users what when "
        "whether which with would your",
    )
)


class Case(NamedTuple):
    said: str  # the input judged
    standing: str = ""  # the system's instructions


def _about(cues: re.Pattern[str]) -> Callable[[Case], bool | None]:
    return lambda case: bool(cues.search(case.said))


def _harmful(case: Case) -> bool:
    return bool(classify(Item(case.said), omni=True)["flagged"])


def _off_topic(case: Case) -> bool | None:
    """No content word of the instructions in the input; None when the instructions name no subject."""
    subject = _stems(case.standing)
    if not subject:
        return None
    return not subject & _stems(case.said)


def _stems(text: str) -> frozenset[str]:
    """Content words of four letters or more without a plural's or a verb's ending ("recipes", "cooking": recipe,
    cook)."""
    words = set(_WORD.findall(text.lower())) - _GENERIC
    return frozenset(re.sub(r"(?<=\w{3})(?:ing|ed|s)$", "", word) for word in words)


def _on_topic(case: Case) -> bool | None:
    off = _off_topic(case)
    return None if off is None else not off


def _approved(case: Case) -> bool:
    return bool(case.said.strip()) and not _FAILED.search(case.said) and not _harmful(case)


def _rejected(case: Case) -> bool:
    return not _approved(case)


class _Test(NamedTuple):
    asks: re.Pattern[str]  # what a field's name, description or instructions say when they ask this
    holds: Callable[[Case], bool | None]
    subject: bool = False  # about what the input is about: also read from the instructions, and names enum options


def _asks(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# In order: the topical tests first, so `is_valid_math_question` asks about maths; rejecting before approving.
_TESTS = (
    _Test(_asks(r"\bmath|homework|arithmetic|algebra|\bequation"), _about(_MATH), subject=True),
    _Test(_asks(r"sci-?fi|science fiction"), _about(_SCIFI), subject=True),
    _Test(_asks(r"\bsoftware|\btechnical|\btech support|\bbug"), _about(_SOFTWARE), subject=True),
    _Test(_asks(r"\bbilling|\bpayment|\binvoice|\brefund"), _about(_BILLING), subject=True),
    _Test(
        _asks(r"\bharm|unsafe|toxic|offensive|inappropriate|abusive|violen|\bhate|flagged|nsfw"), _harmful, subject=True
    ),
    _Test(_asks(r"\bpii\b|personal (?:info|data|details)|sensitive data|contains? (?:email|phone)"), _about(_PII)),
    _Test(_asks(r"off topic"), _off_topic),
    _Test(_asks(r"\bon topic|\brelevant"), _on_topic),
    _Test(
        _asks(r"\binvalid|\bincorrect|\breject|needs? (?:revision|changes|work)|has (?:issues|errors|problems)"),
        _rejected,
    ),
    _Test(
        _asks(
            r"good|quality|verif|\bvalid|approv|\bpass(?:es|ed)?\b|correct|accept|coheren|complete|success|\bsound|\bready"
        ),
        _approved,
    ),
)


def _spelled(name: str) -> str:
    """`is_math_homework`, `goodQuality` → words a pattern reads ("is math homework", "good Quality")."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")


def _test_for(name: str, schema: Mapping[str, Any], standing: str) -> _Test | None:
    """The test the field asks for by its name or description, else a subject the instructions ask about."""
    asked = f"{_spelled(name)} {schema.get('description') or ''} {schema.get('title') or ''}"
    for test in _TESTS:
        if test.asks.search(asked):
            return test
    return _subject_test(standing)


def _subject_test(asked: str) -> _Test | None:
    return next((test for test in _TESTS if test.subject and test.asks.search(_spelled(asked))), None)


def about(asked: str, said: str) -> bool | None:
    """Whether `said` is about the subject `asked` names (a question, a statement, an option's words), or None when
    it names none of the table's subjects."""
    test = _subject_test(asked)
    return None if test is None else test.holds(Case(said))


def judged(name: str, schema: Mapping[str, Any], standing: str, said: str) -> bool | None:
    """A boolean field's verdict on the input `said`, or None."""
    test = _test_for(name, schema, standing)
    return None if test is None else test.holds(Case(said, standing))


_YES = frozenset({"yes", "true", "pass", "passed", "approved", "approve", "accept", "accepted", "valid", "correct"})
_NO = frozenset({"no", "false", "fail", "failed", "rejected", "reject", "invalid", "incorrect"})


def _chosen(options: list[Any], name: str, schema: Mapping[str, Any], standing: str, said: str) -> Any:
    words = {str(option).lower(): option for option in options}
    if set(words) & _YES and set(words) & _NO:
        verdict = judged(name, schema, standing, said)
        if verdict is None and set(words) & {"pass", "fail", "passed", "failed", "approved", "rejected"}:
            verdict = _approved(Case(said, standing))
        if verdict is not None:
            return next(option for word, option in words.items() if word in (_YES if verdict else _NO))
        return None
    if {"positive", "negative"} <= set(words):
        tone = len(_POSITIVE.findall(said)) - len(_NEGATIVE.findall(said))
        key = "positive" if tone > 0 else "negative" if tone < 0 else "neutral"
        return words.get(key)
    # an option naming a subject the input is about
    return next((option for option in options if about(str(option), said)), None)


def verdict(name: str, kind: str, schema: Mapping[str, Any], standing: str, said: str) -> Any:
    """The value a model gives a boolean or enum field (`kind` as `schema_values` names it), or None."""
    if kind == "boolean":
        return judged(name, schema, standing, said)
    if kind == "enum" and isinstance(schema.get("enum"), list):
        return _chosen(schema["enum"], name, schema, standing, said)
    return None


def judging(hint: Hint | None, standing: str, said: str) -> Hint:
    """`hint` (a `schema_values.Hint`), asked when `verdict` has none for the field."""

    def judge(name: str, kind: str, schema: Mapping[str, Any]) -> Any:
        found = verdict(name, kind, schema, standing, said)
        if found is None and hint is not None:
            found = hint(name, kind, schema)
        return found

    return judge
