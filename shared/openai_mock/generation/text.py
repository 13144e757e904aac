"""Deterministic, readable English: answers that talk about what the prompt talks about, sized in exact tokens.

`compose` writes natural text of roughly a target length from a seeded `Random`; `fit` then applies what a
model's decoding loop would: the token budget (`max_tokens` → finish_reason "length") and stop sequences
(cut before the first one generated → "stop"). Every count comes from `tokens.py`, so usage is exact."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal, NamedTuple

from openai_mock.generation import tokens

FinishReason = Literal["stop", "length"]

_STOPWORDS = frozenset(
    {
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "explain",
        "few",
        "for",
        "from",
        "further",
        "give",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "show",
        "so",
        "some",
        "such",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "write",
        "you",
        "your",
        "yours",
        "can't",
        "don't",
        "i'm",
        "it's",
        "what's",
        "need",
        "want",
        "like",
        "make",
        "using",
        "use",
        "one",
        "two",
        "three",
        "short",
        "long",
        "brief",
        "simple",
        "quick",
        "hello",
        "thanks",
        "thank",
        "know",
        "today",
        "tomorrow",
        "yesterday",
        "currently",
        "right",
        "best",
        "good",
        "way",
        "ways",
        "tips",
        "ideas",
        "guide",
        "learn",
        "learning",
        "steps",
        "example",
        "examples",
        "help",
        # Words about the answer's form, not its subject ("…about cats in two sentences").
        "sentence",
        "sentences",
        "paragraph",
        "paragraphs",
        "word",
        "words",
        "bullet",
        "bullets",
        "points",
        "list",
        "summary",
        "summarize",
        "detail",
        "details",
        "briefly",
        "answer",
        "reply",
        "response",
        "format",
    }
)

STOPWORDS = _STOPWORDS  # for other builders (tool matching)

_OPENERS = (
    "Here is a clear way to think about {topic}.",
    "Good question: {topic} comes up often, and the short answer is that it depends on a few details.",
    "Let's look at {topic} step by step.",
    "Sure. {Topic} is easier to reason about once you separate what is known from what is assumed.",
    "In short, {topic} rewards a careful, practical approach.",
    "There are a few useful things to know about {topic}.",
    "Happy to help with {topic}: the main points are simpler than they first appear.",
    "{Topic} is a good thing to ask about, because a little context changes the answer.",
    "The short version: {topic} works best when you start small and build up.",
    "A practical way into {topic} is to begin with what you can check right away.",
)
_BODY = (
    "The first step is to write down what you already know about {topic} and what you still need to find out.",
    "Most of the useful work happens in small iterations, each one checked before the next begins.",
    "A simple example usually reveals more than a long description, so start with the smallest case that works.",
    "When {topic} behaves unexpectedly, the cause is often a hidden assumption rather than a missing feature.",
    "It helps to compare two or three options side by side before committing to one of them.",
    "Keep the goal in view: the best choice is the one that solves the actual problem with the least effort.",
    "Measuring before and after each change tells you whether an idea really helped.",
    "People who work with {topic} every day tend to rely on a few dependable habits.",
    "Clear names, short feedback loops and honest notes make the process much smoother.",
    "If something is unclear, a quick experiment is usually faster than a long debate.",
    "The trade-offs are real, but they are manageable once they are written down.",
    "A checklist can prevent the most common mistakes without slowing anyone down.",
    "Over time, these small decisions add up to a result that is easy to explain and easy to maintain.",
    "It is also worth asking who else depends on {topic}, since their needs shape what a good answer looks like.",
    "Documentation does not need to be long; it needs to answer the questions people actually ask.",
    "Reviewing the result with fresh eyes the next day often catches details that were missed.",
    "{Topic} also has a history, and knowing why things are the way they are makes changes safer.",
    "Start with the defaults, then adjust only what the situation clearly requires.",
)
_CLOSERS = (
    "I hope this gives you a useful starting point for {topic}.",
    "Let me know if you would like a more detailed example.",
    "With these ideas in place, {topic} should feel a lot more approachable.",
    "Feel free to ask a follow-up question about any of these points.",
)
_SENTENCES_PER_PARAGRAPH = (2, 4)


class Generated(NamedTuple):
    """Text as a model would emit it: its exact tokens and why generation ended."""

    text: str
    tokens: list[int]
    finish_reason: FinishReason

    @property
    def token_count(self) -> int:
        return len(self.tokens)


# A word starts with a letter of any script ("élan", "Ærø", "東京": `[^\W\d_]`) and goes on with letters, digits,
# "_", "'" and "-"; any other character (a digit, a sign) is one of its own, which ends a run of words.
_WORD_OR_SIGN = re.compile(r"[^\W\d_][\w'-]*|\S")


def topic_of(prompt: str) -> str:
    """A short phrase naming what the prompt is about: its longest run of consecutive content words
    (then the longest words; the last on ties, questions tend to end on their subject), or "this topic"."""
    runs: list[list[str]] = [[]]
    for word in _WORD_OR_SIGN.findall(prompt):
        if len(word) > 2 and word.lower() not in _STOPWORDS and word[0].isalpha():
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    best = max(reversed(runs), key=lambda run: (len(run), sum(map(len, run))))
    return " ".join(best[:3]) if best else "this topic"


@lru_cache(maxsize=512)
def _template_tokens(template: str, model: str) -> tuple[int, int]:
    """(tokens of the template's own words, how many times the topic goes in)."""
    blanks = template.count("{topic}") + template.count("{Topic}")
    return tokens.count_tokens(template.replace("{topic}", "").replace("{Topic}", ""), model), blanks


class Composed(NamedTuple):
    """Composed text and its exact tokens (what `tokens.encode` makes of the whole text)."""

    text: str
    tokens: list[int]


def compose(rng: random.Random, *, topic: str, target_tokens: int, model: str = "gpt-4o") -> Composed:
    """Readable paragraphs about `topic` (a phrase as `topic_of` makes it), about `target_tokens` long, ending on
    a full sentence, with their exact tokens. The length is steered by estimates per sentence (template words +
    topic, each counted once)."""
    # The topic as most blanks take it, after a space: encoded once, for the estimates and for the text.
    spaced_topic = tokens.encode(" " + topic, model)

    def estimate(template: str) -> int:
        own, blanks = _template_tokens(template, model)
        return own + blanks * len(spaced_topic)

    opener = rng.choice(_OPENERS)
    templates = [opener]
    used = estimate(opener)
    body = list(_BODY)
    position = 0
    while used < target_tokens:
        # The body sentences in a random order, drawn as needed (a shuffle of the rest), then again.
        index = position % len(body)
        swap = index + rng.randrange(len(body) - index) if position < len(body) else index
        body[index], body[swap] = body[swap], body[index]
        template = body[index]
        position += 1
        templates.append(template)
        used += estimate(template) + 1
    if target_tokens >= 40:
        templates.append(rng.choice(_CLOSERS))
    return _paragraphs(rng, templates, topic, model, {" {topic}": spaced_topic})


def _paragraphs(
    rng: random.Random, templates: list[str], topic: str, model: str, topic_tokens: dict[str, list[int]]
) -> Composed:
    """The sentences in paragraphs, with their exact tokens. Each sentence starts a new piece of the tokenizer's
    pre-split (after a full stop: a space, or the paragraph break, then a capital letter), and so does each
    topic blank of a sentence (see `_piece_steps`): the mock's own words are encoded once per model, and
    only the topic is encoded per answer (`topic_tokens`: each blank's form, " {topic}", "{Topic}"…, as encoded
    so far); all of it joins into exactly the whole text's tokens."""
    paragraphs: list[list[str]] = []
    index = 0
    while index < len(templates):
        size = rng.randint(*_SENTENCES_PER_PARAGRAPH)
        paragraphs.append(templates[index : index + size])
        index += size
    forms = {"topic": topic, "Topic": topic[:1].upper() + topic[1:]}
    blanks_split_cleanly = _TOPIC_EDGES.fullmatch(topic) is not None
    pieces: list[str] = []
    encoded: list[int] = []
    for number, paragraph in enumerate(paragraphs):
        for position, template in enumerate(paragraph):
            piece = (" " if position else "") + template
            if position == len(paragraph) - 1 and number < len(paragraphs) - 1:
                piece += "\n\n"
            text = piece.format_map(forms)
            pieces.append(text)
            steps = _piece_steps(piece, model) if blanks_split_cleanly or "{" not in piece else None
            if steps is None:
                encoded.extend(tokens.encode(text, model))
                continue
            for step in steps:
                if isinstance(step, str):  # a topic blank
                    if step not in topic_tokens:
                        topic_tokens[step] = tokens.encode(step.format_map(forms), model)
                    encoded.extend(topic_tokens[step])
                else:
                    encoded.extend(step)
    return Composed("".join(pieces), encoded)


# A topic blank, with the space before it: in " about {topic}." the pre-split cuts before " tide" (a space then a
# letter starts a word) and after "pools" (a letter or digit, then a space or punctuation, ends one).
_BLANK = re.compile(r"( ?\{(?:topic|Topic)\})")
# Topics whose edges keep those cuts: a letter first, a letter or digit last (no "_", "'" or "-" that could
# join the punctuation after it). Inside, anything goes: the topic is encoded as a whole.
_TOPIC_EDGES = re.compile(r"[A-Za-z](?:.*[A-Za-z0-9])?", re.DOTALL)


@lru_cache(maxsize=2048)
def _piece_steps(piece: str, model: str) -> tuple[tuple[int, ...] | str, ...] | None:
    """How to encode a sentence piece: the tokens of its own words (encoded once per model) and its topic blanks
    (" {topic}", to fill in and encode per answer), in order. None when a blank sits where a token could run
    across its edge: no space before it and words before that, or a letter, digit or apostrophe ("'s") after it."""
    parts = _BLANK.split(piece)  # words, blank, words, blank, …, words
    for index in range(1, len(parts), 2):
        before, blank, after = parts[index - 1], parts[index], parts[index + 1]
        if (before and not blank.startswith(" ")) or (after and (after[0].isalnum() or after[0] == "'")):
            return None
    return tuple(part if index % 2 else tokens.encode_constant(part, model) for index, part in enumerate(parts) if part)


def truncate_to_tokens(text: str, max_tokens: int, model: str = "gpt-4o") -> str:
    """The longest prefix of `text` made of at most `max_tokens` tokens when re-encoded."""
    return _truncated(text, tokens.encode(text, model), max_tokens, model)[0]


def _truncated(text: str, encoded: list[int], max_tokens: int, model: str) -> tuple[str, list[int]]:
    """truncate_to_tokens for an already encoded text: (prefix, its tokens)."""
    if len(encoded) <= max_tokens:
        return text, encoded
    keep = max_tokens
    while keep > 0:
        prefix = tokens.decode(encoded[:keep], model)
        reencoded = tokens.encode(prefix, model)
        if len(reencoded) <= max_tokens:
            return prefix, reencoded
        keep -= 1
    return "", []


def first_stop(text: str, stop: Sequence[str]) -> int | None:
    """Where the earliest stop sequence starts in `text`, if any occurs."""
    positions = [text.find(sequence) for sequence in stop if sequence]
    found = [position for position in positions if position >= 0]
    return min(found) if found else None


def fit(
    text: str,
    *,
    model: str = "gpt-4o",
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
    encoded: list[int] | None = None,
) -> Generated:
    """Apply the token budget, then stop sequences (only those generated within the budget count).
    `encoded`: the text's tokens, when already known (`compose` knows them)."""
    finish: FinishReason = "stop"
    if encoded is None:
        encoded = tokens.encode(text, model)
    if max_tokens is not None and len(encoded) > max_tokens:
        (text, encoded), finish = _truncated(text, encoded, max_tokens, model), "length"
    cut = first_stop(text, stop)
    if cut is not None:
        text, finish = text[:cut], "stop"
        encoded = tokens.encode(text, model)
    return Generated(text, encoded, finish)


def natural_length(rng: random.Random, prompt_tokens: int) -> int:
    """How long an unconstrained answer runs: longer questions get longer answers, within reason."""
    return min(400, max(12, int(prompt_tokens * rng.uniform(0.8, 1.6)) + rng.randint(8, 40)))


def generate(
    rng: random.Random,
    *,
    prompt: str,
    model: str = "gpt-4o",
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
    target_tokens: int | None = None,
) -> Generated:
    """An answer to `prompt`: natural length from the prompt (or `target_tokens`), then `fit`."""
    target = target_tokens if target_tokens is not None else natural_length(rng, tokens.count_tokens(prompt, model))
    composed = compose(rng, topic=topic_of(prompt), target_tokens=target, model=model)
    return fit(composed.text, model=model, max_tokens=max_tokens, stop=stop, encoded=composed.tokens)


def token_strings(token_ids: Sequence[int], model: str = "gpt-4o") -> list[str]:
    """Each token's text (for logprobs and token-aligned stream deltas)."""
    encoder = tokens.encoding(tokens.encoding_name_for_model(model))
    return [encoder.decode_single_token_bytes(token).decode("utf-8", errors="replace") for token in token_ids]


# Each token's bytes, per encoding, as streams and logprobs have asked for them (at most the vocabulary: a dict
# look-up instead of a call into the tokenizer per token).
_TOKEN_BYTES: dict[str, dict[int, bytes]] = {}


def token_bytes(token_ids: Sequence[int], model: str = "gpt-4o") -> list[bytes]:
    name = tokens.encoding_name_for_model(model)
    known = _TOKEN_BYTES.setdefault(name, {})
    try:
        return [known[token] for token in token_ids]
    except KeyError:
        decode = tokens.encoding(name).decode_single_token_bytes
        for token in token_ids:
            if token not in known:
                known[token] = decode(token)  # an id outside the vocabulary raises KeyError, as before
        return [known[token] for token in token_ids]


def split_on_tokens(text: str, model: str = "gpt-4o", encoded: Sequence[int] | None = None) -> list[str]:
    """`text` cut on token boundaries, joining tokens whose bytes only form characters together.
    `encoded`: the text's tokens, when already known (the answer's builder knows them)."""
    raws = token_bytes(tokens.encode(text, model) if encoded is None else encoded, model)
    if text.isascii():  # every token is whole characters
        return list(map(bytes.decode, raws))
    pieces: list[str] = []
    pending = b""
    for raw in raws:
        pending += raw
        try:
            pieces.append(pending.decode("utf-8"))
            pending = b""
        except UnicodeDecodeError:
            continue
    if pending:
        pieces.append(pending.decode("utf-8", errors="replace"))
    return pieces
