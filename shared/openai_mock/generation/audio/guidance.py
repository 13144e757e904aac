"""What guides a transcript besides the audio: keywords and prompts spell words as given, and a streaming
transcriber's `delay` decides how much text each delta carries. Pure text functions, shared by REST transcriptions
and a Realtime session's input transcription."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_PUNCTUATION = ".,;:!?\"'"
# gpt-realtime-whisper's `delay`: how many tokens it waits for before emitting them, as one delta. A guess (the
# SDK says only that a higher delay waits longer): docs/realtime.md.
DELAY_TOKENS = {"minimal": 1, "low": 2, "medium": 4, "high": 8, "xhigh": 16}


def with_keywords(text: str, keywords: Sequence[str]) -> str:
    """The transcript with each word that is a keyword but for its case or punctuation spelt as the keyword."""
    spelling = {keyword.casefold(): keyword for keyword in keywords if keyword.strip()}
    if not spelling:
        return text

    def spelt(word: str) -> str:
        bare = word.strip(_PUNCTUATION)
        keyword = spelling.get(bare.casefold())
        return word if keyword is None or not bare else word.replace(bare, keyword, 1)

    return " ".join(spelt(word) for word in text.split(" "))


def prompt_keywords(prompt: str, model: str) -> list[str]:
    """The spellings a transcription prompt teaches: every word of a whisper-1 prompt (a list of keywords); of a
    free-text prompt only the words spelt unusually (a capital after the first letter: OpenAI, GPT, iPhone), since
    its ordinary words say what to expect, not how to write it."""
    words = [word.strip(_PUNCTUATION) for word in re.split(r"[\s,;]+", prompt)]
    if model == "whisper-1":
        return [word for word in words if word]
    return [word for word in words if any(char.isupper() for char in word[1:])]


def guided_transcript(heard: str, settings: Mapping[str, Any]) -> str:
    """`heard` as a transcriber configured with `settings` (a Realtime `audio.input.transcription`) writes it."""
    prompt = settings.get("prompt")
    taught = prompt_keywords(prompt, str(settings.get("model"))) if prompt else []
    return with_keywords(heard, [*taught, *(settings.get("keywords") or ())])  # a keyword wins over the prompt


def delta_groups(pieces: Sequence[str], delay: str) -> list[str]:
    """Token pieces grouped as a transcriber waiting `delay` emits them."""
    size = DELAY_TOKENS[delay]
    return ["".join(pieces[start : start + size]) for start in range(0, len(pieces), size)]
