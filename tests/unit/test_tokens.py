"""Token counts are exact: the encodings shipped by bpe-openai are byte-for-byte OpenAI's files."""

from __future__ import annotations

import gzip
import hashlib
import inspect
import re
from importlib import resources

import pytest
import tiktoken_ext.openai_public as openai_public

from openai_mock.generation.tokens import count_tokens, decode, encode, encoding_name_for_model


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_shipped_encoding_file_has_tiktokens_published_hash(name: str) -> None:
    # tiktoken verifies downloads against these hashes; the same check proves the offline copy exact.
    source = inspect.getsource(getattr(openai_public, name))
    expected = re.search(r'expected_hash="([0-9a-f]{64})"', source).group(1)  # type: ignore[union-attr]
    data = gzip.decompress((resources.files("bpe_openai.data") / f"{name}.tiktoken.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == expected


@pytest.mark.parametrize(
    ("model", "text", "count"),
    [
        ("gpt-4o", "Hello, world!", 4),
        ("gpt-4o", "tiktoken is great!", 6),
        ("gpt-3.5-turbo", "tiktoken is great!", 6),
        ("gpt-4", "antidisestablishmentarianism", 6),
        ("gpt-4o", "", 0),
    ],
)
def test_known_counts(model: str, text: str, count: int) -> None:
    assert count_tokens(text, model) == count


def test_encodings_per_model_family() -> None:
    assert encoding_name_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_name_for_model("o3-mini") == "o200k_base"
    assert encoding_name_for_model("ft:gpt-4o-mini-2024-07-18:org:x:abc") == "o200k_base"
    assert encoding_name_for_model("gpt-4-turbo") == "cl100k_base"
    assert encoding_name_for_model("text-embedding-3-small") == "cl100k_base"


def test_round_trip_and_special_tokens_are_text() -> None:
    text = "Ünïcödé — and <|endoftext|> is just text here."
    assert decode(encode(text)) == text
