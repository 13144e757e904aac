"""The one token counter: exact o200k_base / cl100k_base counts, offline.

tiktoken downloads an encoding file the first time it is asked for one, unless its cache already holds it.
The `bpe-openai` package ships the same files, gzipped (tests/unit/test_tokens.py checks them against
tiktoken's published hashes, and tiktoken checks them again when it reads them): the first use of an encoding
puts its file in tiktoken's cache, then tiktoken builds the encoding itself.

`make build` goes one step further for Lambda (tools/finish_build.py): it reads each file once and ships what
tiktoken builds the encoding from (`prepared_encodings/`, beside this module), so that a cold container's first
request does not parse the file again (~80 ms of it for o200k_base)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import pickle
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tiktoken

O200K = "o200k_base"
CL100K = "cl100k_base"

# Model families still on cl100k_base; every newer model uses o200k_base.
_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-", "davinci-002", "babbage-002")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "o1", "o3", "o4", "chatgpt-4o", "omni-", "computer-use")

# Where tiktoken would download an encoding from: its cache keeps the file under the SHA-1 of this address.
_ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# Only `make build` writes here, inside the built layer (read-only on Lambda); a checkout has no such folder.
PREPARED_DIR = Path(__file__).with_name("prepared_encodings")


@lru_cache(maxsize=2)
def encoding(name: str) -> tiktoken.Encoding:
    import tiktoken

    prepared = PREPARED_DIR / f"{name}.pickle"
    arguments = pickle.loads(prepared.read_bytes()) if prepared.is_file() else encoding_arguments(name)
    return tiktoken.Encoding(**arguments)


def preload() -> None:
    """Build every encoding the mock uses now (~0.5 s in a checkout), so that no request pays for it: tiktoken
    builds an encoding holding the GIL, which would stall every other request of a running server."""
    for name in (O200K, CL100K):
        encoding(name)


def encoding_arguments(name: str) -> dict[str, Any]:
    """What tiktoken builds the encoding from (name, split pattern, ranks, special tokens), as tiktoken reads
    it from the encoding's file (checking its published hash)."""
    from tiktoken_ext import openai_public

    _cache_encoding_file(name)
    return dict(openai_public.ENCODING_CONSTRUCTORS[name]())


def write_prepared_encodings(directory: Path) -> list[Path]:
    """Pickle `encoding_arguments` of every encoding the mock uses into `directory` (for `make build`)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in (O200K, CL100K):
        path = directory / f"{name}.pickle"
        path.write_bytes(pickle.dumps(encoding_arguments(name), protocol=pickle.HIGHEST_PROTOCOL))
        written.append(path)
    return written


def _cache_encoding_file(name: str) -> None:
    """Put the encoding's file where tiktoken looks before downloading it (once per cache directory)."""
    cache = _tiktoken_cache()
    cached = cache / hashlib.sha1(_ENCODING_URL.format(name=name).encode()).hexdigest()
    if cached.exists():
        return
    cache.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: a concurrent reader sees the whole file or none.
    with tempfile.NamedTemporaryFile(dir=cache, suffix=".tmp", delete=False) as partial:
        partial.write(gzip.decompress((_shipped_encodings() / f"{name}.tiktoken.gz").read_bytes()))
    Path(partial.name).chmod(0o644)  # a cache: readable by whoever shares it
    Path(partial.name).replace(cached)


def _tiktoken_cache() -> Path:
    """tiktoken's cache directory (TIKTOKEN_CACHE_DIR), set to a temporary one when the environment has none
    (Lambda: /tmp, the only writable place)."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "openai-mock-tiktoken")
    return Path(os.environ["TIKTOKEN_CACHE_DIR"])


def _shipped_encodings() -> Path:
    # Found, not imported: importing bpe_openai loads all three of its encodings at once (~350 ms, ~70 MiB).
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("bpe-openai is not installed: it carries the encoding files (see pyproject.toml)")
    return Path(spec.submodule_search_locations[0]) / "data"


@lru_cache(maxsize=256)  # asked several times per request, for a handful of model names
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
    """len(encode(text, model)), remembered by the text's digest: clients send the same texts again and again (a
    system prompt, tool definitions, a conversation's history re-sent with each turn), and tokenising costs
    ~5 µs per 30 characters, 1.5 ms for 8,000, where the digest costs 0.6–11 µs. The digest keeps no client text
    in memory. Counts of the newest `_COUNTS_KEPT` texts are kept."""
    name = encoding_name_for_model(model)
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), name)
    count = _counts.get(key)
    if count is None:
        count = len(encoding(name).encode_ordinary(text))
        with _counts_lock:
            if len(_counts) >= _COUNTS_KEPT:
                del _counts[next(iter(_counts))]  # the oldest (dicts keep insertion order)
            _counts[key] = count
    return count


_COUNTS_KEPT = 8192  # ~2 MB of digests and counts
_counts: dict[tuple[bytes, str], int] = {}
_counts_lock = threading.Lock()


def encode_constant(text: str, model: str) -> tuple[int, ...]:
    """encode for the strings the mock itself repeats (roles, its sentence templates): encoded once per
    encoding. Never for request text: that would be a cache of what clients send."""
    return _encode_constant(text, encoding_name_for_model(model))


@lru_cache(maxsize=1024)
def _encode_constant(text: str, encoding_name: str) -> tuple[int, ...]:
    return tuple(encoding(encoding_name).encode_ordinary(text))


def encode_scripted(text: str, model: str) -> list[int]:
    """encode for answers given in advance (mock-controls fixtures) or written from a few templates (a poem, a
    story: generation/creative.py): the same text answers request after request, so the last 64 (each up to
    16,000 characters) stay encoded, per encoding."""
    if len(text) > 16_000:
        return encode(text, model)
    return list(_encode_scripted(text, encoding_name_for_model(model)))


@lru_cache(maxsize=64)
def _encode_scripted(text: str, encoding_name: str) -> tuple[int, ...]:
    return tuple(encoding(encoding_name).encode_ordinary(text))
