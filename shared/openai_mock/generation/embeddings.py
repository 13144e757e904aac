"""Embedding vectors: deterministic, unit-length vectors whose cosine similarity follows the words texts share.

A text becomes a sparse bag of hashed features (lower-cased words, word pairs, and character trigrams of
each word, so "run"/"running" overlap), which a seeded Gaussian random projection per model maps to the
model's native size. Random projections keep inner products (Johnson-Lindenstrauss), so texts that share
words are closer than unrelated ones, and every prefix of a vector is itself such a projection: truncating
to `dimensions` and re-normalising works as it does for the real text-embedding-3 models.

Vectors depend only on (model, text, dimensions), never on the request seed: stored vectors (vector stores)
must stay comparable with query vectors computed later. Values are float32, as the real API's are, so
`encoding_format: "base64"` (little-endian float32) and `"float"` carry exactly the same numbers.
The endpoint (request checks, token usage, encoding) is `resources/embeddings.py`."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy costs ~90 ms of a cold start: it is imported where vectors are computed
    import numpy as np

NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}

_BUCKETS = 2048  # size of the hashed feature space projected to the model's dimensions
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "you",
        "your",
        "we",
        "they",
        "he",
        "she",
        "them",
        "our",
        "their",
        "there",
        "what",
        "which",
        "who",
    }
)
# text-embedding-ada-002 vectors are famously anisotropic: even unrelated texts score ~0.7 cosine.
_ADA_OFFSET = 1.5


# --------------------------------------------------------------------------- vectors


@lru_cache(maxsize=1 << 14)  # words, word pairs and trigrams: texts share most of them (~2 MB when full)
def _stable_hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


def _features(text: str) -> dict[str, float]:
    """Weighted features of a text: words count most, word pairs add order, trigrams add morphology."""
    words = _WORD.findall(text.lower())
    features: defaultdict[str, float] = defaultdict(float)
    for word in words:
        features["w:" + word] += 0.3 if word in _STOPWORDS else 1.0
        padded = f"<{word}>"
        for start in range(len(padded) - 2):
            features["c:" + padded[start : start + 3]] += 0.2
    for first, second in itertools.pairwise(words):
        features[f"b:{first} {second}"] += 0.4
    if not features:  # punctuation or symbols only: the text itself is the feature
        features["t:" + text] = 1.0
    return features


def _sparse(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indexes, signed weights) of the text's features; repeated features grow sub-linearly."""
    import numpy as np

    indexes, weights = [], []
    for feature, weight in _features(text).items():
        digest = _stable_hash(feature)
        indexes.append(digest % _BUCKETS)
        sign = 1.0 if (digest >> 40) & 1 else -1.0
        weights.append(sign * math.sqrt(weight))
    return np.array(indexes, dtype=np.intp), np.array(weights, dtype=np.float32)


@lru_cache(maxsize=4)
def _projection(model: str) -> np.ndarray:
    """The model's fixed random projection, (buckets x native dimensions), seeded by the model name."""
    import numpy as np

    seed = _stable_hash("projection:" + model)
    return np.random.default_rng(seed).standard_normal((_BUCKETS, NATIVE_DIMENSIONS[model]), dtype=np.float32)


@lru_cache(maxsize=4)
def _common_direction(model: str) -> np.ndarray:
    import numpy as np

    vector = np.random.default_rng(_stable_hash("offset:" + model)).standard_normal(NATIVE_DIMENSIONS[model])
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, np.float32(1e-12))).astype(np.float32)


def embed_array(texts: Sequence[str], model: str, dimensions: int | None = None) -> np.ndarray:
    """Unit-length float32 vectors, one row per text: same (model, text, dimensions) → same row."""
    import numpy as np

    if model not in NATIVE_DIMENSIONS:
        raise ValueError(f"{model!r} is not an embedding model")
    if not texts:
        return _rows(texts, model, dimensions)
    # Each row depends on its own text only (normalised row by row), so a row made alone is the row made in a batch.
    return np.stack(
        [
            _row(text, model, dimensions) if len(text) <= _CACHED_TEXT else _rows([text], model, dimensions)[0]
            for text in texts
        ]
    )


def _rows(texts: Sequence[str], model: str, dimensions: int | None) -> np.ndarray:
    import numpy as np

    projection = _projection(model)
    rows = np.empty((len(texts), projection.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        indexes, weights = _sparse(text)
        rows[row] = weights @ projection[indexes]
    rows = _normalise_rows(rows)
    if model == "text-embedding-ada-002":
        rows = _normalise_rows(rows + np.float32(_ADA_OFFSET) * _common_direction(model))
    if dimensions is not None and dimensions < rows.shape[1]:
        rows = _normalise_rows(rows[:, :dimensions])
    return rows


# The rows of the last texts embedded (texts up to 4 KB; a row is 6-12 KB), as a client embeds the same texts again
# (a query, a document re-indexed). Never handed out: `embed_array` stacks copies.
_CACHED_TEXT = 4096


@lru_cache(maxsize=256)
def _row(text: str, model: str, dimensions: int | None) -> np.ndarray:
    return _rows([text], model, dimensions)[0]


def embed(
    texts: Sequence[str], model: str = "text-embedding-3-small", dimensions: int | None = None
) -> list[list[float]]:
    """The vectors the embeddings endpoint returns for `texts` (for vector-store search and the like)."""
    return embed_array(texts, model, dimensions).tolist()  # type: ignore[no-any-return]


def cosine_similarity(first: Sequence[float], second: Sequence[float]) -> float:
    import numpy as np

    a, b = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
