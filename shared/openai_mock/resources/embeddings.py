"""Embeddings (`POST /v1/embeddings`): request model, the real API's checks, creation.

`input` takes four shapes (a string, an array of strings, a token array, an array of token arrays), each
checked and counted as the real API does. The vectors come from `openai_mock.generation.embeddings` and go
out as float lists or base64 (little-endian float32)."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import ConfigDict, JsonValue, StrictInt

from openai_mock.checks import check_enum
from openai_mock.control.api import answer_of
from openai_mock.errors import invalid_request
from openai_mock.fields import RequestModel
from openai_mock.generation import tokens
from openai_mock.generation.embeddings import NATIVE_DIMENSIONS, embed_array
from openai_mock.resources import models
from openai_mock.resources.models import model_of_kind

if TYPE_CHECKING:  # numpy costs ~90 ms of a cold start: it is imported where vectors are computed
    import numpy as np

SHORTENABLE = frozenset({"text-embedding-3-small", "text-embedding-3-large"})  # accept `dimensions`
MAX_INPUTS = 2048
MAX_REQUEST_TOKENS = 300_000  # summed over all inputs of one request
ENCODING_FORMATS = ("float", "base64")

INVALID_INPUT_MESSAGE = (
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
)


class EmbeddingRequest(RequestModel):
    """`CreateEmbeddingRequest`. `input` is checked by hand, to answer with the real API's wording."""

    model_config = ConfigDict(extra="forbid")

    input: JsonValue
    model: str
    encoding_format: str = "float"
    dimensions: StrictInt | None = None
    user: str | None = None


class _Input(NamedTuple):
    text: str
    token_count: int


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
    limit = models.model_spec(model).context_window  # type: ignore[union-attr]
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
        return _base64(vector.astype("<f4").tobytes())
    return vector.tolist()  # type: ignore[no-any-return]


@lru_cache(maxsize=128)  # the same texts come back (a query, a document again): base64 costs ~18 instructions a byte
def _base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _given_vectors(given: list[list[float]], count: int, dimensions: int | None) -> np.ndarray:
    """A fixture's vectors: one per input (a single vector serves every input), of the `dimensions` asked."""
    import numpy as np

    if len(given) not in (1, count):
        raise invalid_request(
            f"The fixture gives {len(given)} embeddings for {count} inputs: give one per input (or one for all).",
            "input",
        )
    for vector in given:
        if dimensions is not None and len(vector) != dimensions:
            raise invalid_request(
                f"The fixture gives a {len(vector)}-dimensional embedding; the request asks for "
                f"dimensions={dimensions}.",
                "dimensions",
                "invalid_value",
            )
    rows = [given[0 if len(given) == 1 else index] for index in range(count)]
    return np.asarray(rows, dtype=np.float64)  # float64: a float answer gives the numbers exactly as given


def create_embedding(tenant: str, request: EmbeddingRequest) -> dict[str, Any]:
    """`POST /v1/embeddings`: one embedding object per input, in order, with exact token usage.

    Raises OpenAIError (400/404) for anything the real API refuses."""
    model = model_of_kind(
        tenant,
        request.model,
        "embedding",
        f"The model '{request.model}' does not support embeddings. Use one of: {', '.join(NATIVE_DIMENSIONS)}.",
    ).id
    dimensions = _check_dimensions(request.dimensions, model)
    encoding_format = _check_encoding_format(request.encoding_format)
    inputs = _inputs(request.input, model)
    prompt_tokens = _check_lengths(inputs, model)
    # A fixture may fail or slow the request, give the vectors, or seed the generated ones.
    answer = answer_of(
        tenant,
        "embeddings",
        {"model": request.model, "messages": [{"role": "user", "content": item.text} for item in inputs]},
        body=request.model_dump(exclude_none=True),
    )
    if answer is not None and "embeddings" in answer:
        vectors = _given_vectors(answer["embeddings"], len(inputs), dimensions)
    else:
        texts = [item.text for item in inputs]
        if answer is not None and "seed" in answer:
            texts = [f"{answer['seed']} #{index}" for index in range(len(inputs))]
        vectors = embed_array(texts, model, dimensions)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": _encode(vector, encoding_format)}
            for index, vector in enumerate(vectors)
        ],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }
