"""The text_similarity grader's metrics, computed: every score is in [0, 1], 1 for identical texts.

- `fuzzy_match`: rapidfuzz's weighted ratio (`fuzz.WRatio`, strings lower-cased and stripped of punctuation by
  `utils.default_process`) / 100, the library and scorer OpenAI's graders guide names.
- `bleu`: BLEU (Papineni et al., 2002) of one hypothesis against one reference: the geometric mean of the clipped
  1- to 4-gram precisions times the brevity penalty exp(1 - r/c) when the hypothesis is shorter. Sentence-level,
  as sacreBLEU scores one sentence: orders the hypothesis is too short to have are left out (effective order),
  and an order without any match counts as 1 / (2^k · total) for its k-th such order ("exp" smoothing);
  without a single matching word the score is 0.
- `gleu`: Google-BLEU (Wu et al., 2016): the 1- to 4-gram matches over all orders, min(precision, recall).
- `meteor`: METEOR (Banerjee & Lavie, 2005) with its exact-match stage: unigram alignment, F-mean
  P·R / (α·P + (1-α)·R) with α = 0.9, times 1 - γ·(chunks/matches)^β with γ = 0.5, β = 3 (stemming and
  WordNet synonyms, METEOR's later stages, are not applied).
- `rouge_1` … `rouge_5`: ROUGE-N F1 of the clipped n-gram overlap; `rouge_l`: ROUGE-L F1 from the longest
  common subsequence (Lin, 2004). Tokens as Google's `rouge_score` makes them: lower case, runs of [a-z0-9].
- `cosine`: the cosine similarity of the two texts' `text-embedding-3-large` embeddings (the mock's own).

BLEU, GLEU and METEOR split on white space after separating punctuation, case kept (BLEU, GLEU) or lowered
(METEOR), as their reference implementations do.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from openai_mock.generation.embeddings import cosine_similarity, embed_array

METRICS = (
    "cosine",
    "fuzzy_match",
    "bleu",
    "gleu",
    "meteor",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
)
EMBEDDING_MODEL = "text-embedding-3-large"
MAX_ORDER = 4
METEOR_ALPHA, METEOR_BETA, METEOR_GAMMA = 0.9, 3.0, 0.5

_PUNCTUATION = re.compile(r"([^\w\s])")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    """White-space tokens with punctuation split off ("mat." → "mat", ".")."""
    return _PUNCTUATION.sub(r" \1 ", text).split()


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _overlap(hypothesis: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> int:
    return sum((hypothesis & reference).values())


def bleu(hypothesis: str, reference: str) -> float:
    hyp, ref = _words(hypothesis), _words(reference)
    if not hyp or not ref:
        return 0.0
    log_sum, orders, smoothing = 0.0, 0, 1.0
    for n in range(1, MAX_ORDER + 1):
        total = len(hyp) - n + 1
        if total <= 0:  # effective order: the hypothesis has no n-grams this long
            break
        matches = _overlap(_ngrams(hyp, n), _ngrams(ref, n))
        if matches == 0 and n == 1:  # not one word in common: nothing to smooth
            return 0.0
        if matches == 0:
            smoothing *= 2
            precision = 1.0 / (smoothing * total)
        else:
            precision = matches / total
        log_sum += math.log(precision)
        orders += 1
    brevity = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return brevity * math.exp(log_sum / orders)


def gleu(hypothesis: str, reference: str) -> float:
    hyp, ref = _words(hypothesis), _words(reference)
    matches = hyp_total = ref_total = 0
    for n in range(1, MAX_ORDER + 1):
        hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
        matches += _overlap(hyp_grams, ref_grams)
        hyp_total += sum(hyp_grams.values())
        ref_total += sum(ref_grams.values())
    if hyp_total == 0 or ref_total == 0:
        return 0.0
    return min(matches / hyp_total, matches / ref_total)


def meteor(hypothesis: str, reference: str) -> float:
    hyp, ref = [w.lower() for w in _words(hypothesis)], [w.lower() for w in _words(reference)]
    if not hyp or not ref:
        return 0.0
    used: set[int] = set()
    alignment: list[tuple[int, int]] = []  # (hypothesis position, reference position), in hypothesis order
    for i, word in enumerate(hyp):
        j = next((j for j, other in enumerate(ref) if other == word and j not in used), None)
        if j is not None:
            used.add(j)
            alignment.append((i, j))
    matches = len(alignment)
    if matches == 0:
        return 0.0
    chunks = 1 + sum(1 for (i, j), (k, m) in pairwise(alignment) if not (k == i + 1 and m == j + 1))
    precision, recall = matches / len(hyp), matches / len(ref)
    fmean = precision * recall / (METEOR_ALPHA * precision + (1 - METEOR_ALPHA) * recall)
    penalty = METEOR_GAMMA * (chunks / matches) ** METEOR_BETA
    return fmean * (1 - penalty)


def _rouge_tokens(text: str) -> list[str]:
    return _ROUGE_TOKEN.findall(text.lower())


def _f1(matches: int, hyp_total: int, ref_total: int) -> float:
    if matches == 0 or hyp_total == 0 or ref_total == 0:
        return 0.0
    precision, recall = matches / hyp_total, matches / ref_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(hypothesis: str, reference: str, n: int) -> float:
    hyp, ref = _ngrams(_rouge_tokens(hypothesis), n), _ngrams(_rouge_tokens(reference), n)
    return _f1(_overlap(hyp, ref), sum(hyp.values()), sum(ref.values()))


def _lcs(first: Sequence[str], second: Sequence[str]) -> int:
    previous = [0] * (len(second) + 1)
    for word in first:
        current = [0]
        for j, other in enumerate(second):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(hypothesis: str, reference: str) -> float:
    hyp, ref = _rouge_tokens(hypothesis), _rouge_tokens(reference)
    return _f1(_lcs(hyp, ref), len(hyp), len(ref))


def fuzzy_match(hypothesis: str, reference: str) -> float:
    from rapidfuzz import fuzz, utils  # imported when first needed: not every cold start grades

    return float(fuzz.WRatio(hypothesis, reference, processor=utils.default_process)) / 100.0


def cosine(hypothesis: str, reference: str) -> float:
    if hypothesis == reference:
        return 1.0
    vectors = embed_array([hypothesis, reference], EMBEDDING_MODEL)
    return max(0.0, min(1.0, cosine_similarity(list(vectors[0]), list(vectors[1]))))


def similarity(metric: str, hypothesis: str, reference: str) -> float:
    """The score of `hypothesis` (the graded text) against `reference` by `metric` (one of METRICS)."""
    if metric.startswith("rouge_"):
        suffix = metric.removeprefix("rouge_")
        score = rouge_l(hypothesis, reference) if suffix == "l" else rouge_n(hypothesis, reference, int(suffix))
    else:
        score = {"fuzzy_match": fuzzy_match, "bleu": bleu, "gleu": gleu, "meteor": meteor, "cosine": cosine}[metric](
            hypothesis, reference
        )
    return round(score, 10)
