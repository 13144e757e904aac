"""Legacy completions (`text_completion`): pure functions of (validated request, rng, clock values).

A completion continues its prompt with readable text about the prompt's topic; `echo` prepends the
prompt, `best_of` generates that many candidates and keeps the `n` likeliest (all are billed), and
`logprobs` reports tokens, their logprobs, the top alternatives and character offsets.

With a `suffix` (insert mode) the text is what goes between the prompt and the suffix: it is about the
prompt's topic, turns towards the suffix's, and ends so that the suffix follows (see `insertion`)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import text, tokens
from openai_mock.generation.chat import system_fingerprint

_BRIDGES = (
    "That leads naturally to {topic}.",
    "All of this connects to {topic}.",
    "Which brings us to {topic}.",
    "From there, the story turns to {topic}.",
)
_END_OF_TEXT = "<|endoftext|>"
_ALTERNATIVES = (" the", " a", " and", " to", " of", " is", ",", ".", " that", " it", "\n", " in", " for")


class Candidate(NamedTuple):
    text: str
    tokens: list[int]
    finish_reason: str
    logprobs: list[float]

    @property
    def score(self) -> float:
        return sum(self.logprobs) / max(1, len(self.logprobs))


def _candidate(prompt: str, request: Mapping[str, Any], rng: random.Random, script: str | None) -> Candidate:
    model = request["model"]
    suffix = request.get("suffix")
    if script is not None:
        raw = script
    elif suffix:
        target = text.natural_length(rng, tokens.count_tokens(prompt, model) + tokens.count_tokens(suffix, model))
        raw = insertion(prompt, suffix, rng, target, model)
    else:
        target = text.natural_length(rng, tokens.count_tokens(prompt, model))
        raw = "\n\n" + text.compose(rng, topic=text.topic_of(prompt), target_tokens=target, model=model).text
    fitted = text.fit(raw, model=model, max_tokens=request.get("max_tokens", 16), stop=request.get("stop") or ())
    logprobs = [-round(rng.expovariate(4.0), 6) for _ in fitted.tokens]
    return Candidate(fitted.text, fitted.tokens, fitted.finish_reason, logprobs)


def insertion(prompt: str, suffix: str, rng: random.Random, target_tokens: int, model: str) -> str:
    """Text to put between `prompt` and `suffix`: a paragraph about the prompt's topic, a sentence turning to
    the suffix's topic (when it has another one), joined to both ends at a word or sentence boundary."""
    # Contractions ("I've") name no subject: the suffix's topic comes from its other words.
    topic, ahead = text.topic_of(prompt), text.topic_of(" ".join(w for w in suffix.split() if "'" not in w))
    body = text.compose(rng, topic=topic, target_tokens=target_tokens, model=model).text.replace("\n\n", " ")
    if ahead != "this topic" and ahead.lower() != topic.lower():
        body += " " + rng.choice(_BRIDGES).format(topic=ahead)
    return _lead(prompt) + _tail(body, suffix)


def _lead(prompt: str) -> str:
    """How the insertion starts: right away after whitespace, after a space following punctuation, and by
    closing the prompt's sentence when the prompt stops on a word."""
    if not prompt or prompt == _END_OF_TEXT or prompt[-1].isspace():
        return ""
    return ". " if prompt[-1].isalnum() else " "


def _tail(body: str, suffix: str) -> str:
    """How the insertion ends so the suffix follows: a finished sentence before a new one, no final stop
    before the suffix's own punctuation, a comma before a lower-case continuation; a space only when the
    suffix brings none."""
    spaced, rest = suffix[0].isspace(), suffix.lstrip()
    if not rest:
        return body
    if rest[0] in ".,;:!?)":
        return body.rstrip(".!?")
    if rest[0].islower():
        return body.rstrip(".!?") + ("," if spaced else ", ")
    return body if spaced else body + " "


def _logprobs(prompt: str, candidate: Candidate, request: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    model, top = request["model"], request["logprobs"]
    token_ids, values = list(candidate.tokens), list(candidate.logprobs)
    offset = len(prompt)
    if request.get("echo"):
        prompt_ids = tokens.encode(prompt, model)
        token_ids = prompt_ids + token_ids
        # The first prompt token has no logprob (nothing precedes it), as in the real API.
        values = [None, *(-round(rng.expovariate(2.0), 6) for _ in prompt_ids[1:]), *values]  # type: ignore[list-item]
        offset = 0
    strings = text.token_strings(token_ids, model)
    offsets, position = [], offset
    for piece in strings:
        offsets.append(position)
        position += len(piece)
    top_logprobs: list[dict[str, float] | None] = []
    for piece, value in zip(strings, values, strict=True):
        if value is None:
            top_logprobs.append(None)
            continue
        entry = {piece: value}
        floor = value
        for other in [alt for alt in rng.sample(_ALTERNATIVES, len(_ALTERNATIVES)) if alt != piece][: max(0, top - 1)]:
            floor -= round(rng.uniform(0.5, 3.0), 6)
            entry[other] = round(floor, 6)
        top_logprobs.append(entry if top else {})
    return {"tokens": strings, "token_logprobs": values, "top_logprobs": top_logprobs, "text_offset": offsets}


def build_completion(
    request: Mapping[str, Any],
    prompts: Sequence[str],
    prompt_tokens: int,
    rng: random.Random,
    *,
    completion_id: str,
    created: int,
    script: str | None = None,
) -> dict[str, Any]:
    """The `text_completion` for a validated request whose prompts are already decoded to text;
    `script` (a mock-controls fixture) is the text every choice continues with."""
    n = request.get("n") or 1
    best_of = max(request.get("best_of") or 1, n)
    choices: list[dict[str, Any]] = []
    completion_tokens = 0
    for prompt in prompts:
        candidates = [_candidate(prompt, request, random.Random(rng.getrandbits(64)), script) for _ in range(best_of)]
        completion_tokens += sum(len(candidate.tokens) for candidate in candidates)
        kept = sorted(candidates, key=lambda candidate: -candidate.score)[:n] if best_of > n else candidates
        for candidate in kept:
            shown = prompt + candidate.text if request.get("echo") else candidate.text
            logprobs = None
            if request.get("logprobs") is not None:
                logprobs = _logprobs(prompt, candidate, request, rng)
            choices.append(
                {"text": shown, "index": len(choices), "logprobs": logprobs, "finish_reason": candidate.finish_reason}
            )
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": request["model"],
        "system_fingerprint": system_fingerprint(request["model"]),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def stream_chunks(completion: Mapping[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """Token-sized text pieces per choice, then a chunk carrying finish_reason; the usage chunk last."""
    model = completion["model"]
    head = {
        "id": completion["id"],
        "object": "text_completion",
        "created": completion["created"],
        "model": model,
        "system_fingerprint": completion["system_fingerprint"],
    }
    tail = {"usage": None} if include_usage else {}
    for choice in completion["choices"]:
        for piece in text.split_on_tokens(choice["text"], model):
            yield {
                **head,
                "choices": [{"text": piece, "index": choice["index"], "logprobs": None, "finish_reason": None}],
                **tail,
            }
        yield {
            **head,
            "choices": [
                {"text": "", "index": choice["index"], "logprobs": None, "finish_reason": choice["finish_reason"]}
            ],
            **tail,
        }
    if include_usage:
        yield {**head, "choices": [], "usage": completion["usage"]}
