"""Embeddings: deterministic, unit-length vectors whose cosine similarity follows the words texts share.

A text becomes a sparse bag of hashed features (lower-cased words, word pairs, and character trigrams of
each word, so "run"/"running" overlap), which a seeded Gaussian random projection per model maps to the
model's native size. Random projections keep inner products (Johnson-Lindenstrauss), so texts that share
words are closer than unrelated ones, and every prefix of a vector is itself such a projection: truncating
to `dimensions` and re-normalising works as it does for the real text-embedding-3 models.

Vectors depend only on (model, text, dimensions), never on the request seed: stored vectors (vector stores)
must stay comparable with query vectors computed later. Values are float32, as the real API's are, so
`encoding_format: "base64"` (little-endian float32) and `"float"` carry exactly the same numbers."""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, JsonValue, StrictInt

from openai_mock.checks import check_enum, model_of_kind
from openai_mock.control.api import scripted
from openai_mock.errors import invalid_request
from openai_mock.generation import tokens
from openai_mock.resources import models

if TYPE_CHECKING:  # numpy costs ~90 ms of a cold start: it is imported where vectors are computed
    import numpy as np

NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
SHORTENABLE = frozenset({"text-embedding-3-small", "text-embedding-3-large"})  # accept `dimensions`
MAX_INPUTS = 2048
MAX_REQUEST_TOKENS = 300_000  # summed over all inputs of one request
ENCODING_FORMATS = ("float", "base64")

INVALID_INPUT_MESSAGE = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."

_BUCKETS = 2048  # size of the hashed feature space projected to the model's dimensions
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "i", "in", "is", "it",
     "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with", "you", "your", "we",
     "they", "he", "she", "them", "our", "their", "there", "what", "which", "who"}
)
# text-embedding-ada-002 vectors are famously anisotropic: even unrelated texts score ~0.7 cosine.
_ADA_OFFSET = 1.5


class EmbeddingRequest(BaseModel):
    """`CreateEmbeddingRequest`. `input` is checked by hand, to answer with the real API's wording."""

    model_config = ConfigDict(extra="forbid")

    input: JsonValue
    model: str
    encoding_format: str = "float"
    dimensions: StrictInt | None = None
    user: str | None = None


@dataclass(frozen=True)
class _Input:
    text: str
    token_count: int


# --------------------------------------------------------------------------- vectors


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


def embed(
    texts: Sequence[str], model: str = "text-embedding-3-small", dimensions: int | None = None
) -> list[list[float]]:
    """The vectors the embeddings endpoint returns for `texts` (for vector-store search and the like)."""
    return embed_array(texts, model, dimensions).tolist()  # type: ignore[no-any-return]


def cosine_similarity(first: Sequence[float], second: Sequence[float]) -> float:
    import numpy as np
    a, b = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# --------------------------------------------------------------------------- the request


def _check_dimensions(dimensions: int | None, model: str) -> int | None:
    if dimensions is None:
        return None
    if model not in SHORTENABLE:
        raise invalid_request("This model does not support specifying dimensions.", "dimensions")
    native = NATIVE_DIMENSIONS[model]
    if dimensions < 1:
        raise invalid_request(
            f"Invalid value for 'dimensions' = {dimensions}. Must be greater than or equal to 1.",
            "dimensions",
            "invalid_value",
        )
    if dimensions > native:
        raise invalid_request(
            f"Invalid value for 'dimensions' = {dimensions}. Must be less than or equal to {native}.",
            "dimensions",
            "invalid_value",
        )
    return dimensions


def _is_token_array(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in value)


def _decode_tokens(ids: list[int], model: str) -> str:
    encoding = tokens.encoding(tokens.encoding_name_for_model(model))
    if any(token < 0 or token > encoding.max_token_value for token in ids):
        raise invalid_request(INVALID_INPUT_MESSAGE, "input")
    try:
        return encoding.decode_bytes(ids).decode("utf-8", errors="replace")
    except KeyError:  # an id inside the range that the vocabulary does not use
        raise invalid_request(INVALID_INPUT_MESSAGE, "input") from None


def _text_input(text: str, model: str) -> _Input:
    if text == "":
        raise invalid_request(INVALID_INPUT_MESSAGE, "input")
    return _Input(text, tokens.count_tokens(text, model))


def _token_input(ids: list[int], model: str) -> _Input:
    if not ids:
        raise invalid_request(INVALID_INPUT_MESSAGE, "input")
    return _Input(_decode_tokens(ids, model), len(ids))


def _inputs(value: JsonValue, model: str) -> list[_Input]:
    """The request's inputs in order, whichever of the four shapes `input` takes."""
    if isinstance(value, str):
        return [_text_input(value, model)]
    if not isinstance(value, list) or not value:
        raise invalid_request(INVALID_INPUT_MESSAGE, "input")
    if _is_token_array(value):  # one input, however many tokens (the token limit applies)
        return [_token_input(value, model)]  # type: ignore[arg-type]
    if len(value) > MAX_INPUTS:
        raise invalid_request(
            f"Too many inputs. The max number of inputs is {MAX_INPUTS}. We recommend sending your inputs in "
            "smaller batches.",
            "input",
        )
    if all(isinstance(item, str) for item in value):
        return [_text_input(item, model) for item in value]  # type: ignore[arg-type]
    if all(_is_token_array(item) for item in value):
        return [_token_input(item, model) for item in value]  # type: ignore[arg-type]
    raise invalid_request(INVALID_INPUT_MESSAGE, "input")


def _check_lengths(inputs: list[_Input], model: str) -> int:
    limit = models.base_model(model).context_window  # type: ignore[union-attr]
    for item in inputs:
        if item.token_count > limit:
            raise invalid_request(
                f"This model's maximum context length is {limit} tokens, however you requested "
                f"{item.token_count} tokens ({item.token_count} in your prompt; 0 for the completion). "
                "Please reduce your prompt; or completion length.",
                "input",
            )
    total = sum(item.token_count for item in inputs)
    if total > MAX_REQUEST_TOKENS:
        raise invalid_request(f"Requested {total} tokens, max {MAX_REQUEST_TOKENS} tokens per request", "input")
    return total


def _check_encoding_format(value: str) -> Literal["float", "base64"]:
    check_enum(value, ENCODING_FORMATS, "encoding_format")
    return value  # type: ignore[return-value]


def _encode(vector: np.ndarray, encoding_format: Literal["float", "base64"]) -> list[float] | str:
    if encoding_format == "base64":
        return base64.b64encode(vector.astype("<f4").tobytes()).decode("ascii")
    return vector.tolist()  # type: ignore[no-any-return]


def create_embedding(tenant: str, request: EmbeddingRequest) -> dict[str, Any]:
    """`POST /v1/embeddings`: one embedding object per input, in order, with exact token usage.

    Raises OpenAIError (400/404) for anything the real API refuses."""
    model = model_of_kind(tenant, request.model, "embedding", f"The model '{request.model}' does not support "
                          f"embeddings. Use one of: {', '.join(NATIVE_DIMENSIONS)}.").id
    dimensions = _check_dimensions(request.dimensions, model)
    encoding_format = _check_encoding_format(request.encoding_format)
    inputs = _inputs(request.input, model)
    prompt_tokens = _check_lengths(inputs, model)
    # Fixtures may fail or slow an embeddings request; its vectors stay the real, generated ones.
    scripted(tenant, "embeddings", {"model": request.model, "messages": [{"role": "user", "content": item.text}
                                                                         for item in inputs]})
    vectors = embed_array([item.text for item in inputs], model, dimensions)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": _encode(vector, encoding_format)}
            for index, vector in enumerate(vectors)
        ],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }

