"""A file's index (its chunks and their embeddings, one blob per vector store file) and hybrid scoring.

Embeddings are those of the embeddings endpoint: text-embedding-3-large shortened to 256 dimensions, the
model and size file_search uses. A chunk's score for a query is the mean of
- its semantic similarity: the cosine of query and chunk vectors, clipped to [0, 1] (square-rooted);
- its lexical match: BM25 (k1 1.2, b 0.75) over the candidate chunks, divided by the best score BM25 could
  give those query terms, so it lies in [0, 1] and 1 means every query term is present and frequent.
Both halves are deterministic, so the same corpus and query always rank the same way. The lexical half is the
re-ranking: a search with `ranker: "none"` scores and orders chunks by the semantic half alone."""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from openai_mock.generation.embeddings import embed_array
from openai_mock.store import get_blobs

if TYPE_CHECKING:  # numpy costs ~90 ms of a cold start: it is imported where vectors are computed
    import numpy as np

EMBEDDING_MODEL = "text-embedding-3-large"
DIMENSIONS = 256
_K1, _B = 1.2, 0.75
_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
        "about",
        "tell",
        "find",
        "show",
        "there",
        "any",
    }
)


class FileIndex(NamedTuple):
    chunks: list[str]
    vectors: np.ndarray  # (len(chunks), DIMENSIONS) float32, unit rows


def _blob_key(vector_store_id: str, file_id: str) -> str:
    return f"vector_store/{vector_store_id}/{file_id}"


def build(chunks: Sequence[str]) -> FileIndex:
    return FileIndex(list(chunks), embed_array(chunks, EMBEDDING_MODEL, DIMENSIONS))


def save(tenant: str, vector_store_id: str, file_id: str, index: FileIndex) -> None:
    vectors = base64.b64encode(index.vectors.astype("<f4").tobytes()).decode("ascii")
    body = json.dumps({"chunks": index.chunks, "vectors": vectors})
    get_blobs().put(tenant, _blob_key(vector_store_id, file_id), body.encode())


def load(tenant: str, vector_store_id: str, file_id: str) -> FileIndex | None:
    import numpy as np

    raw = get_blobs().get(tenant, _blob_key(vector_store_id, file_id))
    if raw is None:
        return None
    body = json.loads(raw)
    vectors = np.frombuffer(base64.b64decode(body["vectors"]), dtype="<f4").reshape(len(body["chunks"]), DIMENSIONS)
    return FileIndex(body["chunks"], vectors)


def remove(tenant: str, vector_store_id: str, file_id: str) -> None:
    get_blobs().delete(tenant, _blob_key(vector_store_id, file_id))


# --------------------------------------------------------------------------- scoring


def _stem(word: str) -> str:
    """A light suffix stripper, so "purrs", "purring" and "purred" all match "purr"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """The words that count for lexical matching: lower-cased, stemmed, stopwords left out."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


def _lexical(query_terms: list[str], documents: list[Counter[str]]) -> np.ndarray:
    """Normalised BM25 of every document for the query terms, in [0, 1]."""
    import numpy as np

    scores = np.zeros(len(documents))
    unique = list(dict.fromkeys(query_terms))
    if not unique or not documents:
        return scores
    lengths = np.array([sum(doc.values()) for doc in documents], dtype=float)
    average = max(float(lengths.mean()), 1.0)
    total = len(documents)
    best = 0.0
    for term in unique:
        containing = sum(1 for doc in documents if term in doc)
        idf = math.log(1 + (total - containing + 0.5) / (containing + 0.5))
        best += idf
        tf = np.array([doc.get(term, 0) for doc in documents], dtype=float)
        scores += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * lengths / average))
    # (k1 + 1) is the most one term's saturation factor can reach.
    return np.asarray(scores / (best * (_K1 + 1)) if best else scores)


def score(queries: Sequence[str], chunks: Sequence[str], vectors: np.ndarray, *, rerank: bool = True) -> np.ndarray:
    """Each chunk's best score over the queries, in [0, 1]: hybrid when re-ranked, else the semantic part alone
    (the first pass, embedding retrieval, that the ranker re-scores)."""
    import numpy as np

    if not len(chunks):
        return np.zeros(0)
    documents = [Counter(terms(text)) for text in chunks]
    query_vectors = embed_array(list(queries), EMBEDDING_MODEL, DIMENSIONS)
    best = np.zeros(len(chunks))
    for query, query_vector in zip(queries, query_vectors, strict=True):
        # These embeddings put related texts at cosine ~0.2-0.6; the square root spreads that over [0, 1]
        # the way real embedding scores spread, keeping the order.
        found = np.sqrt(np.clip(vectors @ query_vector, 0.0, 1.0))
        if rerank:
            found = (found + _lexical(terms(query), documents)) / 2
        best = np.maximum(best, found)
    return np.clip(best, 0.0, 1.0)


def rewrite(query: str) -> str:
    """`rewrite_query`: keep the words that carry meaning (what a search engine would match on)."""
    kept = [word for word in _WORD.findall(query.lower()) if word not in STOPWORDS]
    return " ".join(kept) if kept else query.strip()
