"""Token counts are exact: the encodings shipped by bpe-openai are byte-for-byte OpenAI's files."""

from __future__ import annotations

import gzip
import hashlib
import inspect
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import tiktoken_ext.openai_public as openai_public

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
    script = ("import sys; from openai_mock.generation.tokens import count_tokens; "
              "print(count_tokens('tiktoken is great!', 'gpt-4o'), 'bpe_openai' in sys.modules)")
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
