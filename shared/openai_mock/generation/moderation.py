"""Moderations: a small, curated lexicon per category scores each input, deterministically.

Each category has weighted patterns; the matches of an input combine into a score in [0, 1]
(1 - Π(1 - weight)), sub-categories lift their parent (a threat is also harassment and violence), and a
tiny baseline derived from a hash of the text keeps scores of clean text realistic (1e-7 … 1e-3) rather
than zero. A category is flagged when its score exceeds 0.5, so `flagged` always agrees with the scores.

omni-moderation models also score images for the categories OpenAI scores on images (sexual, self-harm,
violence and their sub-categories): the mock cannot look at pixels, so it reads the image URL's words
(`https://…/graphic-violence.png` scores as violent) and keeps data URLs at the clean baseline.

The endpoint (request model, input parsing, checks) is `resources/moderations.py`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
IMAGE_CATEGORIES = frozenset(
    {"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"}
)
OMNI_ONLY = frozenset({"illicit", "illicit/violent"})  # the legacy text models have no such categories
THRESHOLD = 0.5

# A sub-category's score lifts its parents to at least this share of it.
_PARENTS = {
    "harassment/threatening": ("harassment", "violence"),
    "hate/threatening": ("hate", "violence"),
    "illicit/violent": ("illicit", "violence"),
    "self-harm/intent": ("self-harm",),
    "self-harm/instructions": ("self-harm",),
    "sexual/minors": ("sexual",),
    "violence/graphic": ("violence",),
}

_KILL = r"(?:kill|murder|stab|shoot|hurt|beat|strangle|attack|punch|slaughter)"
# "kill myself" is self-harm, "kill the process" is ops talk: neither is violence against others.
_NOT_VIOLENT = (
    r"\s+(?:myself|yourself|time|(?:the |a |that |this )?(?:process|job|task|server|app|engine|lights)e?s?\b|-)"
)
_GROUP = (
    r"(?:immigrants?|foreigners?|refugees?|muslims?|jews?|christians?|hindus?|blacks?|whites?|asians?|latinos?|"
    r"mexicans?|arabs?|women|gays?|lesbians?|trans(?:gender)? people|disabled people|minorities)"
)
_MINOR = r"(?:child(?:ren)?|minors?|underage|kids?|(?:1[0-7]|[1-9])[- ]year[- ]olds?|preteens?|young teens?)"

# category → [(regex, weight)]; matching is case-insensitive on the whole input.
_LEXICON: dict[str, list[tuple[str, float]]] = {
    "violence": [
        (rf"\b{_KILL}(?:s|ed|ing)?\b(?!{_NOT_VIOLENT})", 0.75),
        (r"\b(?:bomb(?:s|ed|ing)?|massacre|assault(?:ed)?|torture[ds]?|violent(?:ly)?|gun ?down)\b", 0.7),
        (r"\b(?:weapon|knife|gun|rifle)s?\b", 0.2),
    ],
    "violence/graphic": [
        (r"\b(?:gore|gory|dismember\w*|decapitat\w*|mutilat\w*|disembowel\w*|entrails|severed)\b", 0.9),
        (r"\b(?:blood(?:y|ied)?|guts|corpses?|graphic[- ]violence)\b", 0.45),
    ],
    "harassment": [
        (r"\b(?:idiot|moron|loser|stupid|pathetic|worthless|dumb|ugly|disgusting|freak|imbecile)s?\b", 0.7),
        (r"\b(?:shut up|nobody likes you|everyone hates you|you suck|go away and die)\b", 0.8),
    ],
    "harassment/threatening": [
        (
            rf"\b(?:i|we)(?:'ll| will| am going to|'m going to| are going to| want to| gonna) {_KILL} "
            r"(?:you|him|her|them|your)\b",
            0.92,
        ),
        (r"\b(?:watch your back|you(?:'re| are) dead|i know where you live|you will pay for this)\b", 0.85),
    ],
    "hate": [
        (rf"\b(?:hate|despise|can't stand) (?:all )?{_GROUP}\b", 0.85),
        (rf"\b{_GROUP} (?:are|is) (?:vermin|animals|subhuman|inferior|a disease|parasites|scum)\b", 0.95),
        (r"\b(?:subhuman|inferior race|racial purity|go back to your (?:own )?country)\b", 0.8),
    ],
    "hate/threatening": [
        (rf"\b(?:kill|exterminate|wipe out|eradicate|get rid of|deport and kill) (?:all )?(?:the )?{_GROUP}\b", 0.93),
        (r"\b(?:ethnic cleansing|genocide against)\b", 0.85),
    ],
    "illicit": [
        (r"\b(?:shoplift\w*|launder(?:ing)? money|money laundering|counterfeit\w*|phishing|embezzl\w*)\b", 0.8),
        (r"\b(?:steal|stealing|hack into|break into|pick a lock|hotwire|evade taxes|tax evasion)\b", 0.6),
        (r"\b(?:sell|buy|cook|make|smuggle) (?:cocaine|heroin|meth|fentanyl|drugs|crack)\b", 0.85),
        (r"\b(?:fake id|stolen credit cards?|credit card fraud)\b", 0.75),
    ],
    "illicit/violent": [
        (r"\b(?:make|build|assemble|buy) an? (?:bomb|pipe bomb|explosive|untraceable gun|ghost gun|molotov)\b", 0.93),
        (r"\b(?:hire an? hitman|poison (?:someone|him|her|my)|3d[- ]print(?:ed)? (?:gun|firearm))\b", 0.9),
    ],
    "self-harm": [
        (r"\b(?:suicide|suicidal|self[- ]harm|cutting myself|overdose|end(?:ing)? my life|starve myself)\b", 0.8),
    ],
    "self-harm/intent": [
        (
            r"\b(?:i (?:want|am going|'m going|plan|intend) to "
            r"(?:die|kill myself|end (?:it all|my life)|hurt myself))\b",
            0.93,
        ),
        (r"\b(?:i(?:'m| am) going to (?:cut|starve) myself|i don't want to live)\b", 0.9),
    ],
    "self-harm/instructions": [
        (
            r"\b(?:how (?:to|do i|can i) (?:kill myself|commit suicide|cut myself|overdose)|"
            r"(?:best|painless|easiest) way to (?:die|kill myself|commit suicide))\b",
            0.93,
        ),
    ],
    "sexual": [
        (r"\b(?:porn\w*|nude|naked|nsfw|erotic\w*|orgasm\w*|horny|sex(?:ual(?:ly)?)? explicit|explicit sex)\b", 0.85),
        (r"\b(?:sex|sexual|sexy|strip(?:per|tease))\b", 0.55),
    ],
    "sexual/minors": [
        # Both within one window of text: bounded, so long inputs cannot make the regex quadratic.
        (rf"\b(?:sex\w*|nude|naked|porn\w*|erotic\w*)\b.{{0,200}}?\b{_MINOR}\b", 0.95),
        (rf"\b{_MINOR}\b.{{0,200}}?\b(?:sex\w*|nude|naked|porn\w*|erotic\w*)\b", 0.95),
    ],
}
_COMPILED = {
    category: [(re.compile(pattern, re.IGNORECASE | re.DOTALL), weight) for pattern, weight in rules]
    for category, rules in _LEXICON.items()
}


class Item(NamedTuple):
    """One input to classify: its text (possibly empty) and image URLs."""

    text: str
    images: tuple[str, ...] = ()
    has_text: bool = True


# --------------------------------------------------------------------------- scoring


def _baseline(text: str, category: str) -> float:
    """A small, stable, non-zero score for content that matches nothing: 1e-7 … 1e-3, log-uniform."""
    digest = hashlib.blake2b(f"{category}|{text}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    return float(10 ** (-7 + 4 * fraction))


def _jitter(text: str, category: str) -> float:
    """0.5 … 1: how much of the remaining distance to 1 a match leaves, so scores are not all alike."""
    digest = hashlib.blake2b(f"jitter|{category}|{text}".encode(), digest_size=4).digest()
    return 0.5 + int.from_bytes(digest, "big") / 2**33


def _lexicon_score(text: str, category: str) -> float:
    remaining = 1.0
    for pattern, weight in _COMPILED[category]:
        if pattern.search(text):
            remaining *= 1 - weight
    return 0.0 if remaining == 1.0 else 1 - remaining * _jitter(text, category)


def score_text(text: str, categories: Iterable[str] = CATEGORIES) -> dict[str, float]:
    """Scores in [0, 1] for each category; sub-categories lift their parents."""
    wanted = tuple(categories)
    scores = {category: max(_baseline(text, category), _lexicon_score(text, category)) for category in CATEGORIES}
    for child, parents in _PARENTS.items():
        for parent in parents:
            scores[parent] = max(scores[parent], 0.97 * scores[child])
    return {category: scores[category] for category in wanted}


def _image_words(url: str) -> str:
    """What the mock can 'see' in an image: the words of an http(s) URL's path; nothing in a data URL."""
    if url.startswith("data:"):
        return ""
    return re.sub(r"[/_\-.?=&]+", " ", url.split("://", 1)[-1].split("/", 1)[-1])


# --------------------------------------------------------------------------- results


def _applied_types(item: Item, category: str, omni: bool) -> list[str]:
    if not omni:
        return [] if category in OMNI_ONLY else ["text"]
    applied = ["text"] if item.has_text else []
    if item.images and category in IMAGE_CATEGORIES:
        applied.append("image")
    return applied


def classify(item: Item, omni: bool) -> dict[str, Any]:
    """The moderation result for one input: flags, scores and the input types each category was scored on."""
    text_scores = score_text(item.text)
    image_scores = score_text(" ".join(_image_words(url) for url in item.images))
    applied = {category: _applied_types(item, category, omni) for category in CATEGORIES}
    scores: dict[str, float] = {}
    for category in CATEGORIES:
        candidates = [text_scores[category]] if "text" in applied[category] else []
        if "image" in applied[category]:
            candidates.append(image_scores[category])
        scores[category] = max(candidates, default=0.0)
    flags: dict[str, bool | None] = {category: score > THRESHOLD for category, score in scores.items()}
    if not omni:  # the legacy models do not know these categories
        flags.update(dict.fromkeys(OMNI_ONLY))
    return {
        "flagged": any(flags.values()),
        "categories": flags,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def given_result(result: Mapping[str, Any], given: Mapping[str, Any], omni: bool) -> dict[str, Any]:
    """A generated result with a fixture's `categories`, `category_scores` and `flagged` merged on. A category
    given as flagged without a score scores at least 0.9 (not flagged: at most 0.01); a score given without a
    flag sets the flag by the threshold; `flagged` defaults to any category flagged. The legacy text models
    keep their unknown categories null."""
    flags, scores = dict(result["categories"]), dict(result["category_scores"])
    chosen, scored = given.get("categories") or {}, given.get("category_scores") or {}
    for name in CATEGORIES:
        if not omni and name in OMNI_ONLY:
            continue
        if name in scored:
            scores[name] = float(scored[name])
        if name in chosen:
            flags[name] = chosen[name]
            if name not in scored:
                scores[name] = max(scores[name], 0.9) if chosen[name] else min(scores[name], 0.01)
        elif name in scored:
            flags[name] = scores[name] > THRESHOLD
    flagged = given.get("flagged")
    return {
        **result,
        "flagged": any(bool(flag) for flag in flags.values()) if flagged is None else flagged,
        "categories": flags,
        "category_scores": scores,
    }
