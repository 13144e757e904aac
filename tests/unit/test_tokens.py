"""Token counts are exact: the encodings shipped by bpe-openai are byte-for-byte OpenAI's files."""

from __future__ import annotations

import gzip
import hashlib
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public

from openai_mock.generation import tokens
from openai_mock.generation.tokens import count_tokens, decode, encode, encoding_name_for_model

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_shipped_encoding_file_has_tiktokens_published_hash(name: str) -> None:
    # tiktoken verifies downloads against these hashes; the same check proves the offline copy exact.
    source = inspect.getsource(getattr(openai_public, name))
    expected = re.search(r'expected_hash="([0-9a-f]{64})"', source).group(1)  # type: ignore[union-attr]
    data = gzip.decompress((resources.files("bpe_openai.data") / f"{name}.tiktoken.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == expected


def test_first_use_fills_tiktokens_cache_from_the_shipped_file(tmp_path: Path) -> None:
    """In a fresh process: the encoding is built by tiktoken from its cache, which the layer filled from the
    shipped file, without importing bpe_openai (which would load all of its encodings at once)."""
    script = (
        "import sys; from openai_mock.generation.tokens import count_tokens; "
        "print(count_tokens('tiktoken is great!', 'gpt-4o'), 'bpe_openai' in sys.modules)"
    )
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(SHARED)}
    answer = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert answer.stdout.split() == ["6", "False"]
    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    cached = tmp_path / "cache" / hashlib.sha1(url.encode()).hexdigest()
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [cached.name]
    shipped = gzip.decompress((resources.files("bpe_openai.data") / "o200k_base.tiktoken.gz").read_bytes())
    assert cached.read_bytes() == shipped


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


@pytest.fixture
def prepared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The encodings as `make build` ships them, in a folder of their own; tokens.encoding built anew."""
    directory = tmp_path / "prepared"
    assert [path.name for path in tokens.write_prepared_encodings(directory)] == [
        "o200k_base.pickle",
        "cl100k_base.pickle",
    ]
    monkeypatch.setattr(tokens, "PREPARED_DIR", directory)
    tokens.encoding.cache_clear()
    yield directory
    tokens.encoding.cache_clear()


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_prepared_encoding_is_tiktokens_encoding(prepared: Path, name: str) -> None:
    built, reference = tokens.encoding(name), tiktoken.get_encoding(name)
    assert built is not reference
    assert (built.name, built.n_vocab, built.special_tokens_set) == (
        reference.name,
        reference.n_vocab,
        reference.special_tokens_set,
    )
    for text in (
        "Hello, world!",
        "Ünïcödé — naïve café 東京 🙂",
        "  spaced\n\n\tout  ",
        "<|endoftext|> as text",
        "def f(x):\n    return x ** 2  # 1234567890",
    ):
        assert built.encode_ordinary(text) == reference.encode_ordinary(text), text
        assert built.decode(built.encode_ordinary(text)) == text


def test_prepared_encoding_does_not_read_the_encoding_file(
    prepared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a cold Lambda container of the built layer does: tiktoken's cache (its /tmp) stays untouched."""
    empty_cache = tmp_path / "cold-cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(empty_cache))
    assert count_tokens("tiktoken is great!", "gpt-4o") == 6
    assert count_tokens("antidisestablishmentarianism", "gpt-4") == 6
    assert not empty_cache.exists()


def test_a_remembered_count_is_the_count_of_its_text_and_encoding() -> None:
    texts = ["What is the capital of France?", "You are a helpful assistant. " * 40, "héllo wörld", "<|endoftext|>", ""]
    for model in ("gpt-4o", "gpt-4"):  # o200k_base, cl100k_base: the same text counts differently
        for text in texts:
            expected = len(tokens.encoding(encoding_name_for_model(model)).encode_ordinary(text))
            assert count_tokens(text, model) == expected  # counted
            assert count_tokens(text, model) == expected  # remembered
    assert count_tokens("a b c d e f g", "gpt-4o") == 7
    assert count_tokens("a b c d e f g!", "gpt-4o") == 8  # another text, another count


def test_remembered_counts_keep_no_client_text_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_counts", {})
    monkeypatch.setattr(tokens, "_COUNTS_KEPT", 3)
    secret = "my secret system prompt"
    count_tokens(secret)
    assert all(secret not in repr(key) for key in tokens._counts)
    assert [count_tokens(f"text {n}") for n in range(5)] == [len(encode(f"text {n}")) for n in range(5)]
    assert len(tokens._counts) == 3  # the newest three; the secret's count was the first to go
