"""The embedding generator on its own: the properties vector search relies on (unit length, determinism,
similarity that follows shared words, Matryoshka-style shortening) and the exact float32 encoding."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from openai_mock.generation.embeddings import cosine_similarity, embed, embed_array
from openai_mock.resources.embeddings import EmbeddingRequest, create_embedding

MODELS = ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")


@pytest.mark.parametrize("model", MODELS)
def test_vectors_are_unit_length_float32_and_deterministic(model: str) -> None:
    texts = ["alpha beta", "!!!", "  ", "a much longer sentence about vector databases and search " * 20]
    rows = embed_array(texts, model)
    assert rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
    assert np.array_equal(rows, embed_array(texts, model))
    assert np.array_equal(rows[1], embed_array(["!!!"], model)[0])  # a row never depends on its neighbours


def test_shared_words_raise_similarity_and_unrelated_texts_stay_apart() -> None:
    cat, cats, stocks = embed(["the cat sat on the mat", "a cat sitting on a mat", "stock markets fell sharply"])
    assert cosine_similarity(cat, cats) > 0.3
    assert abs(cosine_similarity(cat, stocks)) < 0.15
    assert cosine_similarity(cat, cats) > cosine_similarity(cats, stocks) + 0.2


def test_word_forms_overlap_through_character_trigrams() -> None:
    running, runner, piano = embed(["running", "runner", "piano"])
    assert cosine_similarity(running, runner) > cosine_similarity(running, piano) + 0.2


def test_ada_vectors_are_anisotropic_like_the_real_model() -> None:
    first, second = embed(["quantum chromodynamics", "banana bread recipe"], "text-embedding-ada-002")
    assert 0.6 < cosine_similarity(first, second) < 0.8


@pytest.mark.parametrize("dimensions", [1, 8, 256, 1535])
def test_dimensions_are_the_renormalised_prefix(dimensions: int) -> None:
    full = embed_array(["shorten me"], "text-embedding-3-small")[0]
    short = embed_array(["shorten me"], "text-embedding-3-small", dimensions)[0]
    assert short.shape == (dimensions,)
    assert np.allclose(short, full[:dimensions] / np.linalg.norm(full[:dimensions]), atol=1e-6)


def test_base64_is_little_endian_float32_of_the_float_values() -> None:
    as_float = create_embedding("t", EmbeddingRequest(model="text-embedding-3-large", input=["x y", "z"]))
    as_b64 = create_embedding(
        "t", EmbeddingRequest(model="text-embedding-3-large", input=["x y", "z"], encoding_format="base64")
    )
    for floats, encoded in zip(as_float["data"], as_b64["data"], strict=True):
        decoded = np.frombuffer(base64.b64decode(encoded["embedding"]), dtype="<f4").tolist()
        assert decoded == floats["embedding"]
    assert as_float["usage"] == as_b64["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


def test_only_embedding_models_have_vectors() -> None:
    with pytest.raises(ValueError, match="not an embedding model"):
        embed(["x"], "gpt-4o")
