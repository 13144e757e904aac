"""The vector store layer without HTTP: text extraction, token chunking, hybrid scoring, filters, options."""

from __future__ import annotations

import numpy as np
import pytest

from openai_mock.errors import OpenAIError
from openai_mock.generation import tokens
from openai_mock.resources.vector_stores import chunking, index, params
from openai_mock.resources.vector_stores.search import matches

DOCS = [
    "The cat purrs on the sofa while kittens chase a ball of yarn.",
    "Interest rates rose again, and the central bank warned about inflation.",
    "Volcanoes erupt when magma pushes through the crust of the earth.",
]


def test_chunks_are_token_windows_with_the_requested_overlap() -> None:
    text = " ".join(f"word{n}" for n in range(1000))
    chunks = chunking.chunk(text, 100, 20)
    model = chunking.TOKENIZER_MODEL
    assert all(tokens.count_tokens(piece, model) <= 100 for piece in chunks)
    ids = tokens.encode(text, model)
    assert len(chunks) == -(-(len(ids) - 100) // 80) + 1
    assert chunks[0].startswith("word0") and chunks[-1].endswith("word999")
    assert chunks[1].split()[0] in chunks[0]  # the next window starts inside the previous one


def test_a_short_text_is_one_chunk() -> None:
    assert chunking.chunk("Just one line.", 800, 400) == ["Just one line."]


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n", "unsupported_file"),
        ("archive", b"text", "unsupported_file"),
        ("notes.txt", b"\x00\x01binary", "invalid_file"),
        ("notes.txt", b"\xff\xfe\xfa", "invalid_file"),
        ("empty.md", b"   \n", "invalid_file"),
        ("scan.pdf", b"%PDF-1.4 ...", "invalid_file"),
    ],
)
def test_what_cannot_be_indexed(filename: str, data: bytes, code: str) -> None:
    with pytest.raises(chunking.ProcessingError) as raised:
        chunking.extract_text(filename, data)
    assert raised.value.code == code and raised.value.message


def test_utf8_text_with_a_bom_is_read() -> None:
    assert chunking.extract_text("README.MD", "\ufeff# Título".encode()) == "# Título"


def test_the_relevant_document_scores_highest_and_scores_lie_in_unit_range() -> None:
    built = index.build(DOCS)
    assert built.vectors.shape == (3, index.DIMENSIONS)
    for query, expected in (("kitten purring", 0), ("bank inflation", 1), ("magma eruption", 2)):
        scores = index.score([query], DOCS, built.vectors)
        assert int(np.argmax(scores)) == expected
        assert all(0.0 <= score <= 1.0 for score in scores)
    assert list(index.score(["cat"], DOCS, built.vectors)) == list(index.score(["cat"], DOCS, built.vectors))


def test_several_queries_take_each_chunks_best_score() -> None:
    built = index.build(DOCS)
    combined = index.score(["kitten", "volcano magma"], DOCS, built.vectors)
    assert np.allclose(
        combined,
        np.maximum(index.score(["kitten"], DOCS, built.vectors), index.score(["volcano magma"], DOCS, built.vectors)),
    )


def test_rewrite_keeps_the_meaningful_words() -> None:
    assert index.rewrite("What is the return policy for shoes?") == "return policy shoes"
    assert index.rewrite("the") == "the"


ATTRIBUTES = {"author": "ana", "year": 2023, "public": True}


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"type": "eq", "key": "author", "value": "ana"}, True),
        ({"type": "ne", "key": "author", "value": "ana"}, False),
        ({"type": "gt", "key": "year", "value": 2020}, True),
        ({"type": "lte", "key": "year", "value": 2022.5}, False),
        ({"type": "eq", "key": "public", "value": 1}, False),  # a boolean is not the number 1
        ({"type": "gt", "key": "author", "value": 3}, False),  # different kinds never compare
        ({"type": "eq", "key": "missing", "value": "x"}, False),
        (
            {
                "type": "and",
                "filters": [
                    {"type": "eq", "key": "public", "value": True},
                    {"type": "gte", "key": "year", "value": 2023},
                ],
            },
            True,
        ),
        (
            {
                "type": "or",
                "filters": [
                    {"type": "eq", "key": "author", "value": "bo"},
                    {"type": "and", "filters": [{"type": "lt", "key": "year", "value": 2000}]},
                ],
            },
            False,
        ),
        (None, True),
    ],
)
def test_filters(node: dict | None, expected: bool) -> None:
    assert matches(params.filters(node), ATTRIBUTES) is expected


def test_comparison_type_defaults_to_eq() -> None:
    assert params.filters({"key": "author", "value": "ana"}) == {"type": "eq", "key": "author", "value": "ana"}


def test_chunking_strategy_checks() -> None:
    assert params.chunking_strategy(None) == (800, 400)
    assert params.chunking_strategy({"type": "auto"}) == (800, 400)
    assert params.chunking_strategy(
        {"type": "static", "static": {"max_chunk_size_tokens": 4096, "chunk_overlap_tokens": 2048}}
    ) == (4096, 2048)
    with pytest.raises(OpenAIError) as raised:
        params.chunking_strategy(
            {"type": "static", "static": {"max_chunk_size_tokens": 300, "chunk_overlap_tokens": "10"}}
        )
    assert raised.value.param == "chunking_strategy.static.chunk_overlap_tokens"
    assert raised.value.code == "invalid_type"


def test_layer_search_rejects_bad_ranking_options_with_a_400() -> None:
    from openai_mock.resources.vector_stores.search import run

    with pytest.raises(OpenAIError) as raised:
        run("tenant", [], "cats", ranking_options={"score_threshold": "high"})
    assert (raised.value.status, raised.value.param) == (400, "ranking_options")
