"""Pieces a prompt asks for by name: "write a poem about the sea", "a haiku about autumn leaves", "tell me a
story about a dragon who loves tea", a limerick, a song, a joke. A chat UI tried against the mock gets the
kind of answer it asked for — verses, a tale, a punchline — about the prompt's subject, from seeded templates
(the same request, the same piece). Questions about a form ("what is a haiku?") are not requests for one."""

from __future__ import annotations

import random
import re
from functools import cache

from openai_mock.generation import extract

# The form, asked for with a verb and an article or number ("write a short poem", "tell me two jokes"), at most
# three describing words between ("a test for my story component" and "a user story" are no stories). Compiled on
# first use: compiling them costs more than the rest of the chat function's cold start can spare.
_REQUEST = (
    r"\b(?:write|compose|tell|give|make|create|share|draft|pen|recite|craft|generate|sing|come up with)\b"
    r"[^.?!\n]*?\b(?:an?|one|two|three|some|another)\s+"
    r"(?P<describing>(?:(?!(?:for|my|your|the|this|that|of|with|to|in|on|user)\b)[\w-]+\s+){0,3}?)"
    r"(?P<form>poem|haiku|limerick|sonnet|ode|verse|story|tale|fable|joke|song|lullaby)s?\b(?P<rest>[^\n]*)"
)
_SUBJECT = r"^\s*(?:about|on|of|featuring|involving|for)\s+(.+?)[\s.?!]*$"
# "a three-sentence story": its length, in sentences.
_SENTENCES_ASKED = r"\b(one|two|three|four|five|[1-5])[- ]sentences?\b"
_SENTENCE_END = r"(?<=[.!?])\s+|(?<=[.!?]\")\s+"


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


_FORMS = {
    "poem": "poem",
    "sonnet": "poem",
    "ode": "poem",
    "verse": "poem",
    "haiku": "haiku",
    "limerick": "limerick",
    "story": "story",
    "tale": "story",
    "fable": "story",
    "joke": "joke",
    "song": "song",
    "lullaby": "song",
}
_DEFAULT_SUBJECTS = ("the sea", "the morning", "an old city", "the first snow", "a quiet garden")
# "a short sci-fi story" names no subject but its genre: a subject of that genre, as a writer would pick one.
_GENRE_SUBJECTS = {
    "sci-fi": "a starship crew on a distant planet",
    "scifi": "a starship crew on a distant planet",
    "science-fiction": "a starship crew on a distant planet",
    "space": "a starship crew on a distant planet",
    "fantasy": "a young mage and an old dragon",
    "mystery": "a detective and a missing key",
    "detective": "a detective and a missing key",
    "horror": "the house at the end of the lane",
    "ghost": "the house at the end of the lane",
    "romance": "two strangers on a night train",
    "romantic": "two strangers on a night train",
    "western": "a lone rider and a dusty town",
    "pirate": "a pirate crew and a buried map",
    "adventure": "a map to a forgotten island",
}


def _genre_subject(describing: str) -> str | None:
    return next((_GENRE_SUBJECTS[w] for w in describing.lower().split() if w in _GENRE_SUBJECTS), None)


def subject_told(told: str) -> str | None:
    """The subject a piece written here is about, found in its text (an outline passed on to the next writer)."""
    lowered = told.lower()
    return next((subject for subject in (*_GENRE_SUBJECTS.values(), *_DEFAULT_SUBJECTS) if subject in lowered), None)


# A request for a piece is a sentence or two; the patterns above take time that grows with the square of a text's
# length (32 KB of "write a write a …": 10 s), so longer prompts are never read for one.
_LONGEST_REQUEST = 600


def piece(prompt: str, rng: random.Random) -> str | None:
    """The piece the prompt asks for, or None when it asks for none."""
    if len(prompt) > _LONGEST_REQUEST:
        return None
    lowered = prompt.lower()
    if not any(name in lowered for name in _FORMS):  # most prompts name no form: a few scans, not the regex
        return None
    asked = _compiled(_REQUEST).search(prompt)
    if asked is None:
        return None
    about = _compiled(_SUBJECT).match(asked["rest"])
    genre = _genre_subject(asked["describing"])
    subject = " ".join(about[1].split()[:10]) if about else genre or rng.choice(_DEFAULT_SUBJECTS)
    form = _FORMS[asked["form"].lower()]
    written = _WRITERS[form](subject, rng)
    sentences = _compiled(_SENTENCES_ASKED).search(prompt) if form == "story" else None
    if sentences is not None:
        count = extract.NUMBER_WORDS.get(sentences[1].lower()) or int(sentences[1])
        written = " ".join(_compiled(_SENTENCE_END).split(written)[:count])
    return written


def written(form: str, subject: str, rng: random.Random) -> str:
    """A piece of the form ("poem", "song", "haiku", "limerick", "story" or "joke") about the subject: what an
    agent told to answer in one writes whatever it is asked (`instructions.py`)."""
    return _WRITERS[form](subject, rng)


def asked_form(prompt: str) -> tuple[str, str] | None:
    """(form, subject) of the piece the prompt asks for by name, or None."""
    if len(prompt) > _LONGEST_REQUEST or not any(name in prompt.lower() for name in _FORMS):
        return None
    asked = _compiled(_REQUEST).search(prompt)
    if asked is None:
        return None
    about = _compiled(_SUBJECT).match(asked["rest"])
    return _FORMS[asked["form"].lower()], " ".join(about[1].split()[:10]) if about else ""


def _capitalised(subject: str) -> str:
    return subject[:1].upper() + subject[1:]


def _filled(line: str, subject: str) -> str:
    return line.replace("{subject}", subject).replace("{Subject}", _capitalised(subject))


# --------------------------------------------------------------------------------------------- verse

# Rhyming couplets; a poem is two or three stanzas of two couplets, the last stanza closing on a closing couplet.
_COUPLETS = (
    ("Beneath a sky of silver light,", "{subject} hums softly into night."),
    ("I walked beside {subject} today", "and watched the colours drift away."),
    ("It keeps the secrets of the years,", "the quiet hopes, the passing fears."),
    ("The wind goes by without a sound,", "and gold and grey lie all around."),
    ("There is a patience in its ways,", "a slowness kind to all our days."),
    ("The hours fold like paper cranes,", "and what was lost, somehow, remains."),
    ("I count the breaths between the waves", "and learn the little that it saves."),
    ("{Subject} was here before the towns,", "before the roads, before the crowns."),
)
_CLOSING = (
    ("So here I stay, and here I stand,", "with {subject} close and close at hand."),
    ("And if the world forgets its name,", "{subject} will go on all the same."),
    ("Tomorrow, when the light is new,", "{subject} will still be waiting too."),
)


def _stanzas(subject: str, rng: random.Random, count: int) -> list[list[str]]:
    couplets = [*rng.sample(_COUPLETS, 2 * count - 1), rng.choice(_CLOSING)]
    lines = [_filled(line, subject) for couplet in couplets for line in couplet]
    lines = [line[:1].upper() + line[1:] if index % 2 == 0 else line for index, line in enumerate(lines)]
    return [lines[start : start + 4] for start in range(0, len(lines), 4)]


def _poem(subject: str, rng: random.Random) -> str:
    title = " ".join(word if word in ("a", "an", "the", "of") else _capitalised(word) for word in subject.split())
    stanzas = _stanzas(subject, rng, rng.choice((2, 3)))
    return f"**{_capitalised(title)}**\n\n" + "\n\n".join("\n".join(stanza) for stanza in stanzas)


def _song(subject: str, rng: random.Random) -> str:
    first, chorus, second = _stanzas(subject, rng, 3)
    return "\n\n".join(
        f"{label}\n" + "\n".join(lines)
        for label, lines in (("*Verse 1*", first), ("*Chorus*", chorus), ("*Verse 2*", second), ("*Chorus*", chorus))
    )


_HAIKU_OPENINGS = ("{Subject} at dawn", "{Subject}, still and bright", "Quiet {subject}", "Here is {subject}")
_HAIKU_MIDDLES = (
    "a soft wind moves through the trees",
    "the light leans slowly westward",
    "one bird calls across the field",
    "rain taps gently on the roof",
    "shadows stretch across the path",
)
_HAIKU_ENDINGS = ("and then, silence falls", "the day lets it go", "nothing more is said", "evening settles in")


def _haiku(subject: str, rng: random.Random) -> str:
    lines = (rng.choice(_HAIKU_OPENINGS), rng.choice(_HAIKU_MIDDLES), rng.choice(_HAIKU_ENDINGS))
    return "\n".join(_filled(line, subject) for line in lines)


_LIMERICKS = (
    (
        "There once was a poet from Bray",
        "who wrote about {subject} all day.",
        "She rhymed and she fussed,",
        "as true poets must,",
        "then filed every verse far away.",
    ),
    (
        "A fellow who lived by the sea",
        "was fond of {subject}, you see.",
        "He talked and he talked",
        "till the seagulls all balked,",
        "and flew off to find some new tea.",
    ),
    (
        "An expert on {subject} named Lou",
        "knew all that there was to know, too.",
        "When asked for a tip,",
        "she said with a quip:",
        '"Start small, and then see what is true."',
    ),
)


def _limerick(subject: str, rng: random.Random) -> str:
    return "\n".join(_filled(line, subject) for line in rng.choice(_LIMERICKS))


# --------------------------------------------------------------------------------------------- prose

_OPENINGS = (
    "Once upon a time, there was {subject}. Every morning began the same way: the kettle, the window, the long look "
    "at the hills, and the feeling that something was about to happen.",
    "Nobody in the valley could remember a time before {subject}. The children told stories about it, the old folks "
    "nodded at those stories, and the seasons came and went as they always had.",
)
_MIDDLES = (
    "One day, a stranger arrived with a map that no one in the village could read. Our hero studied it for three "
    "nights, packed a small bag and set out before dawn, following a path that seemed to appear one step at a time.",
    "Then, one stormy evening, a knock came at the door. Outside stood a traveller named {name}, soaked to the "
    "bone, with a question nobody had ever dared to ask. Our hero listened, thought for a long while, and said: "
    '"Let\'s find out."',
)
_ENDINGS = (
    "When the journey was over, nothing looked quite the same. The hills were still there, and so was the old road, "
    "but our hero had learned that the best discoveries come when you finally say yes. And from that day on, "
    "every morning felt like the start of a story.",
    "By the time the sun rose again, the answer had been found, and it was smaller and kinder than anyone had "
    "imagined. The valley went back to its quiet ways, but people smiled a little more, and {name} never forgot it.",
)
_NAMES = ("Mira", "Tobin", "Elsa", "Juno", "Arlo", "Noor")


def _story(subject: str, rng: random.Random) -> str:
    name = rng.choice(_NAMES)
    paragraphs = (rng.choice(_OPENINGS), rng.choice(_MIDDLES), rng.choice(_ENDINGS))
    return "\n\n".join(_filled(paragraph, subject).replace("{name}", name) for paragraph in paragraphs)


_JOKES = (
    "Why did {subject} bring a ladder to the meeting?\n\nBecause it heard the stakes were high.",
    "I tried to write a joke about {subject}.\n\nIt still needs work, but I think it has potential — just like the "
    "rest of my to-do list.",
    "What did one fan of {subject} say to the other?\n\nNothing. They were both too busy reading about it.",
    "Why don't secrets last long around {subject}?\n\nBecause everyone can see right through them.",
)


def _joke(subject: str, rng: random.Random) -> str:
    return _filled(rng.choice(_JOKES), subject)


_WRITERS = {
    "poem": _poem,
    "song": _song,
    "haiku": _haiku,
    "limerick": _limerick,
    "story": _story,
    "joke": _joke,
}
