"""The one token counter: exact o200k_base / cl100k_base counts, offline.

tiktoken would download its encoding files; the `bpe-openai` package ships the same files (checked by
tests/unit/test_tokens.py against tiktoken's published hashes), so the layer builds the encodings from it."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

O200K = "o200k_base"
CL100K = "cl100k_base"

# Model families still on cl100k_base; every newer model uses o200k_base.
_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-", "davinci-002", "babbage-002")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "o1", "o3", "o4", "chatgpt-4o", "omni-", "computer-use")


@lru_cache(maxsize=2)
def encoding(name: str) -> tiktoken.Encoding:
    import tiktoken
    from bpe_openai import registry

    constructors = {O200K: registry.o200k_base, CL100K: registry.cl100k_base}
    return tiktoken.Encoding(**constructors[name]())


def encoding_name_for_model(model: str) -> str:
    base = model.removeprefix("ft:").split(":", 1)[0]
    if base.startswith(_O200K_PREFIXES):
        return O200K
    if base.startswith(_CL100K_PREFIXES):
        return CL100K
    return O200K


def encode(text: str, model: str = "gpt-4o") -> list[int]:
    # Special-token strings in user text count as ordinary text, as the API counts them.
    return encoding(encoding_name_for_model(model)).encode_ordinary(text)


def decode(tokens: list[int], model: str = "gpt-4o") -> str:
    return encoding(encoding_name_for_model(model)).decode(tokens)


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    return len(encode(text, model))


def count_short(text: str, model: str) -> int:
    """count_tokens for the few short strings every request repeats (roles)."""
    return _count_short(text, encoding_name_for_model(model))


@lru_cache(maxsize=64)
def _count_short(text: str, encoding_name: str) -> int:
    return len(encoding(encoding_name).encode_ordinary(text))
