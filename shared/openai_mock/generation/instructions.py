"""Standing instructions: what a system or developer message (an agent's `instructions`, a Responses request's)
asks of every answer, read deterministically and applied to the answer the mock would otherwise give.

Read (`read`), from the instructions' sentences:
- a standing task, which answers every message whatever it says: translate the user's message into French,
  Spanish, German, Italian or Portuguese ("You translate the user's message to Spanish"), or pick the best of the
  options the message lists ("You pick the best Spanish translation from the given options");
- a form: haiku, poems (verse, rhymes, sonnets), limericks, songs ("You only respond in haikus");
- a language among the five ("Respond in French", "You only speak Spanish");
- a length: N sentences, at most N words ("Answer in one sentence", "in 10 words or fewer");
- a case: all caps, all lower case;
- a voice: a pirate's ("Talk like a pirate", "You are a pirate").
Instructions about someone else ("when the user writes in Spanish") are not read as the agent's own.
Applied (`followed`, `shaped`): the task's answer; else the form (a piece about the question's subject; a
checkable answer, such as a sum or a capital, ends it), else the language (small talk's reply, a translation asked
for, or an opening about the topic, in that language; a checkable answer stays as it is); then the length, the
case and the voice, on prose (a code block or a list keeps its shape)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from openai_mock.generation import creative, everyday, extract, text
from openai_mock.generation.content import content_text


class Standing(NamedTuple):
    task: str | None = None  # "translate" | "pick"
    form: str | None = None  # a `creative.written` form
    language: str | None = None  # one of `everyday.LANGUAGES`
    sentences: int | None = None
    words: int | None = None
    case: str | None = None  # "upper" | "lower"
    pirate: bool = False


_LANGUAGE = r"(french|spanish|german|italian|portuguese|english)"
# Said of the agent itself: at the start of a sentence, or after "you (only|always|must…)", "always", "only".
_OWN = (
    r"(?:^|\byou\s+(?:(?:only|always|must|should|will|can|shall|must always|should always)\s+)?"
    r"|\balways\s+|\bonly\s+|\bplease\s+)"
)
_ANSWERS = r"(?:respond|reply|answer|speak|talk|write|communicate|converse)\w*"
_FORM_WORDS = {
    "haiku": "haiku",
    "poem": "poem",
    "poetry": "poem",
    "verse": "poem",
    "rhyme": "poem",
    "rhyming": "poem",
    "sonnet": "poem",
    "limerick": "limerick",
    "song": "song",
}
_FORM = r"(haiku|poem|poetry|verse|rhyme|rhyming|sonnet|limerick|song)(?:s|es)?\b"
_WRITTEN_FORMS = {**_FORM_WORDS, "story": "story", "tale": "story"}
_PATTERNS = {
    "pick": rf"{_OWN}(?:pick|choose|select)\w*\b[^.!?\n]*\b(?:best|right|most)\b[^.!?\n]*\b(?:from|among|of)\b"
    r"[^.!?\n]*\b(?:options|candidates|choices|translations|answers|alternatives|responses)\b",
    "translate": rf"{_OWN}translat\w*\b[^.!?\n]{{0,60}}?\b(?:in|to|into)\s+{_LANGUAGE}\b"
    rf"|\b(?:an?\s+)?(?:english[- ]to[- ])?{_LANGUAGE}\s+translator\b",
    "form": rf"{_OWN}{_ANSWERS}\b[^.!?\n]{{0,40}}?\b(?:in|with|as|using)\s+(?:the\s+form\s+of\s+)?(?:an?\s+|only\s+)?"
    rf"{_FORM}|\b(?:every|each|all|your)\s+(?:answers?|responses?|repl(?:y|ies))\s+(?:must|should|will)?\s*"
    rf"(?:be|is|are)\s+(?:an?\s+|in\s+)?{_FORM}",
    # "Answer in French", "respond only in fluent Spanish", "you only speak German" (not "answer questions about
    # French cuisine")
    "language": rf"{_OWN}(?:{_ANSWERS}\b(?:\s+[^.!?\n]{{0,30}}?)?\s+(?:in|using)|(?:speak|talk)s?(?:\s+only)?)\s+"
    rf"(?:fluent\s+)?{_LANGUAGE}\b",
    "sentences": rf"{_OWN}{_ANSWERS}\b[^.!?\n]{{0,30}}?\bin\s+(a\s+single|one|two|three|[1-3])\s+sentences?\b"
    r"|\b(one|a single|two|three|[1-3])[- ]sentence\s+(?:answers?|responses?|repl(?:y|ies))\b",
    "words": r"\b(?:in|under|within|at most|no more than|fewer than|less than)\s+(\d{1,3}|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|twenty|fifty)\s+words?\b",
    "case": r"\b(?:in|using|with|use)\s+(all\s+caps|all\s+capitals|capital\s+letters|upper\s*case|all\s+upper\s*case|"
    r"lower\s*case|all\s+lower\s*case)\b|\b(?:shout|always shout)\b",
    "pirate": r"\b(?:like|as)\s+an?\s+pirate\b|\byou\s+are\s+an?\s+pirate\b|\bpirate\s+(?:speak|talk|voice)\b",
    # "Write a short story based on the given outline": every answer is a piece of that form, about the input.
    "writes": rf"{_OWN}(?:write|tell|compose)s?\s+(?:an?\s+)?(?:(?:very\s+)?(?:short|brief)\s+)?"
    r"(story|tale|poem|haiku|limerick|song)\b(?!\s+outlines?\b)",
}


@lru_cache(maxsize=256)
def _compiled(name: str) -> re.Pattern[str]:
    return re.compile(_PATTERNS[name], re.IGNORECASE)


_COUNTS = {"a single": 1, **{word: value for word, value in extract.NUMBER_WORDS.items() if isinstance(value, int)}}


def _count(said: str) -> int | None:
    said = said.lower()
    if said.isdigit():
        return int(said)
    return _COUNTS.get(said)


@lru_cache(maxsize=256)
def _read_text(said: str) -> Standing | None:
    """What the instructions' text asks of every answer, or None when it asks nothing the mock acts on."""
    task: str | None = None
    language: str | None = None
    for sentence in re.split(r"(?<=[.!?\n])\s*", said):
        if (found := _compiled("translate").search(sentence)) and task is None:
            target = (found[1] or found[2]).lower()
            task, language = ("translate", target) if target in everyday.LANGUAGES else (task, language)
        elif _compiled("pick").search(sentence) and task is None:
            task = "pick"
        elif (spoken := _compiled("language").search(sentence)) and language is None:
            language = spoken[1].lower()
    form = _compiled("form").search(said)
    writes = _compiled("writes").search(said) if form is None else None
    sentences = _compiled("sentences").search(said)
    words = _compiled("words").search(said)
    case = _compiled("case").search(said)
    standing = Standing(
        task=task,
        form=_FORM_WORDS[(form[1] or form[2]).lower()]
        if form
        else _WRITTEN_FORMS.get(writes[1].lower())
        if writes
        else None,
        language=language if language in everyday.LANGUAGES else None,
        sentences=_count(" ".join((sentences[1] or sentences[2]).split())) if sentences else None,
        words=_count(words[1]) if words else None,
        case=None if case is None else "lower" if case[1] and "lower" in case[1].lower() else "upper",
        pirate=_compiled("pirate").search(said) is not None,
    )
    return standing if standing != Standing() else None


def read(messages: Sequence[Mapping[str, Any]]) -> Standing | None:
    """What the conversation's system and developer messages ask of every answer, or None."""
    said = "\n".join(
        content_text(message.get("content")) for message in messages if message.get("role") in ("system", "developer")
    )
    return _read_text(said) if said.strip() else None


# --------------------------------------------------------------------------------------------- the answer


def _subject(question: str) -> str:
    """What the question is about, as a piece's subject: "Tell me about recursion in programming." → "recursion in
    programming" (the request's words dropped), else `text.topic_of`."""
    if (asked := creative.asked_form(question)) is not None and asked[1]:
        return asked[1]
    if (told := creative.subject_told(question)) is not None:  # an outline or a tale written here: its subject
        return told
    plain = re.match(
        r"^\s*(?:(?:hi|hello|hey)[,!.]?\s+)?(?:please\s+)?(?:(?:can|could|would|will) you\s+)?(?:tell me|talk|teach me|"
        r"explain|describe|write|sing|what (?:is|are)|what's|who (?:is|was)|how (?:do|does)|why (?:is|are|do|does))"
        r"\s+(?:me\s+)?(?:about\s+)?(.+?)[\s?.!]*$",
        question,
        re.IGNORECASE | re.DOTALL,
    )
    if plain and 0 < len(plain[1].split()) <= 8:
        return plain[1]
    return text.topic_of(question)


_OPTIONS_HEADING = re.compile(
    r"^\s*(?:the\s+)?(?:options|translations|candidates|choices|answers|alternatives)\s*:\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_LISTED = re.compile(r"^\s*(?:[-*•]|\d+[.)]|[a-z][.)])\s+(.+)$", re.IGNORECASE | re.MULTILINE)


def _picked(question: str) -> str | None:
    """The option a picker chooses among those the message lists (each line under an "Options:" heading, else its
    bulleted or numbered lines): the one the options repeat most, the first on ties; None with no choice to make."""
    heading = _OPTIONS_HEADING.search(question)
    if heading is not None:
        options = [line.strip() for line in question[heading.end() :].splitlines() if line.strip()]
        options = [_LISTED.sub(r"\1", option) for option in options]
    else:
        options = [found.strip() for found in _LISTED.findall(question)]
    if not options or (heading is None and len(options) < 2):
        return None
    return max(options, key=options.count)


# What a piece answering small talk is about.
_SMALL_TALK_SUBJECTS = {
    "greeting": "a friendly hello",
    "how_are_you": "a good day",
    "thanks": "a word of thanks",
    "goodbye": "a fond goodbye",
    "who": "a helpful assistant",
}


def followed(standing: Standing, question: str, direct: str | None, rng: random.Random) -> str | None:
    """The answer the standing instructions decide (their task, form or language), or None to keep the usual one.
    `direct`: the mock's checkable answer to the question (`answers.direct`), if any."""
    question = question.strip()
    if not question:
        return None
    if standing.task == "translate" and standing.language:
        return everyday.translated(question, standing.language)
    if standing.task == "pick" and (picked := _picked(question)) is not None:
        return picked
    small_talk = everyday.small_talk_kind(question, re.findall(r"[a-z]+", question.lower()))
    if standing.form is not None:
        subject = _SMALL_TALK_SUBJECTS[small_talk] if small_talk else _subject(question)
        piece = creative.written(standing.form, subject, rng)
        if direct is not None and small_talk is None and standing.form != "song":  # the answer closes the piece
            lines = piece.split("\n")
            lines[-1] = direct.rstrip(".")
            piece = "\n".join(lines)
        return piece
    if standing.language is None:
        return None
    if small_talk is not None:
        return everyday.small_talk_in(standing.language, small_talk)
    if (asked := everyday.translation_asked(question)) is not None:
        return everyday.translation_in(standing.language, asked)
    if direct is None and creative.asked_form(question) is None:  # (a piece asked for stays in English)
        return everyday.about_in(standing.language, _subject(question))
    return None


# --------------------------------------------------------------------------------------------- the shape

_PIRATE_WORDS = {
    "hello": "ahoy",
    "hi": "ahoy",
    "you": "ye",
    "your": "yer",
    "my": "me",
    "friend": "matey",
    "friends": "mateys",
    "yes": "aye",
    "is": "be",
    "are": "be",
    "the": "th'",
}
_DANGLING = frozenset({"and", "or", "but", "the", "a", "an", "of", "to", "in", "on", "with", "for", "is", "are"})
_SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"')\]]*|[^.!?]+$")


def _prose(answer: str) -> bool:
    """Whether the answer is prose to reshape: not a code block, a list or JSON."""
    return "```" not in answer and not re.search(r"^\s*(?:[-*•]|\d+[.)])\s", answer, re.M) and answer[:1] not in "{["


def _cut_sentences(answer: str, count: int) -> str:
    sentences = [s.strip() for s in _SENTENCE.findall(" ".join(answer.split())) if s.strip()]
    return " ".join(sentences[:count]) if sentences else answer


def _cut_words(answer: str, count: int) -> str:
    words = answer.split()
    if len(words) <= count:
        return answer
    kept = words[:count]
    while len(kept) > 1 and kept[-1].lower().strip(",;:") in _DANGLING:  # not "… long and."
        kept.pop()
    return " ".join(kept).rstrip(",;:—-") + "."


def _pirate(answer: str) -> str:
    def swapped(match: re.Match[str]) -> str:
        word = match[0]
        said = _PIRATE_WORDS.get(word.lower(), word)
        return said.capitalize() if word[:1].isupper() else said

    return "Arr! " + re.sub(r"\b[A-Za-z]+\b", swapped, answer)


def shaped(standing: Standing, answer: str) -> str:
    """The answer cut to the length the instructions ask and written in their case and voice; verse (lines, not
    paragraphs) keeps its length."""
    if not answer or not _prose(answer):
        return answer
    verse = re.search(r"[^\n]\n[^\n]", answer) is not None
    if not verse and standing.sentences is not None:
        answer = _cut_sentences(answer, standing.sentences)
    if not verse and standing.words is not None:
        answer = _cut_words(answer, standing.words)
    if standing.pirate:
        answer = _pirate(answer)
    if standing.case == "upper":
        answer = answer.upper()
    elif standing.case == "lower":
        answer = answer.lower()
    return answer
