"""Embeddings through the official SDK: the four input shapes, float and base64 (the SDK's default),
`dimensions`, exact usage, the real API's 400s/404s, meaningful similarity, and the Lambda handler."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import openai
import pytest

from functions.embeddings import app as embeddings_function
from openai_mock.generation import tokens
from openai_mock.generation.embeddings import cosine_similarity
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

SMALL, LARGE, ADA = "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"


def _cl100k(text: str) -> list[int]:
    return tokens.encoding(tokens.CL100K).encode(text, disallowed_special=())


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(value * value for value in vector))


def _raw(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    raw = client.embeddings.with_raw_response.create(**params)
    body: dict[str, Any] = raw.http_response.json()
    return body


def _bad_request(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.embeddings.create(**params)
    assert raised.value.status_code == 400
    body: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return body


# --------------------------------------------------------------------------- shapes and formats


def test_default_sdk_call_uses_base64_and_round_trips_to_float32(client: openai.OpenAI) -> None:
    text = "The quick brown fox jumps over the lazy dog"
    via_sdk = client.embeddings.create(model=SMALL, input=text)  # the SDK asks for base64 and decodes it
    as_floats = _raw(client, model=SMALL, input=text, encoding_format="float")
    as_base64 = _raw(client, model=SMALL, input=text, encoding_format="base64")
    assert_conforms("POST", "/v1/embeddings", 200, as_floats)

    packed = base64.b64decode(as_base64["data"][0]["embedding"])
    assert len(packed) == 1536 * 4
    decoded = list(struct.unpack("<1536f", packed))  # little-endian float32
    # The spec only describes float arrays; decoded, the base64 answer must conform too.
    as_base64["data"][0]["embedding"] = decoded
    assert_conforms("POST", "/v1/embeddings", 200, as_base64)
    assert decoded == as_floats["data"][0]["embedding"] == via_sdk.data[0].embedding
    assert abs(_norm(decoded) - 1) < 1e-5
    assert via_sdk.model == SMALL and via_sdk.object == "list"
    assert via_sdk.usage.prompt_tokens == via_sdk.usage.total_tokens == len(_cl100k(text)) == 9


def test_list_of_strings_gives_one_embedding_per_input_in_order(client: openai.OpenAI) -> None:
    texts = ["first input", "second, somewhat longer input text", "third"]
    body = _raw(client, model=SMALL, input=texts, encoding_format="float")
    assert_conforms("POST", "/v1/embeddings", 200, body)
    assert [item["index"] for item in body["data"]] == [0, 1, 2]
    assert all(item["object"] == "embedding" for item in body["data"])
    assert body["usage"] == {
        "prompt_tokens": sum(len(_cl100k(text)) for text in texts),
        "total_tokens": sum(len(_cl100k(text)) for text in texts),
    }
    singles = [client.embeddings.create(model=SMALL, input=text).data[0].embedding for text in texts]
    assert [item["embedding"] for item in body["data"]] == singles


def test_token_arrays_embed_like_the_text_they_encode(client: openai.OpenAI) -> None:
    texts = ["Embeddings turn text into vectors.", "Token arrays work too."]
    ids = [_cl100k(text) for text in texts]
    from_text = client.embeddings.create(model=SMALL, input=texts)
    one_array = client.embeddings.create(model=SMALL, input=ids[0])
    arrays = client.embeddings.create(model=SMALL, input=ids)
    assert one_array.data[0].embedding == from_text.data[0].embedding
    assert [item.embedding for item in arrays.data] == [item.embedding for item in from_text.data]
    assert one_array.usage.prompt_tokens == len(ids[0])
    assert arrays.usage.prompt_tokens == len(ids[0]) + len(ids[1])


def test_native_sizes_per_model(client: openai.OpenAI) -> None:
    sizes = {
        model: len(client.embeddings.create(model=model, input="size").data[0].embedding)
        for model in (SMALL, LARGE, ADA)
    }
    assert sizes == {SMALL: 1536, LARGE: 3072, ADA: 1536}


@pytest.mark.parametrize(("model", "dimensions"), [(SMALL, 256), (SMALL, 1), (LARGE, 1024), (LARGE, 3072)])
def test_dimensions_shorten_and_renormalise(client: openai.OpenAI, model: str, dimensions: int) -> None:
    text = "Matryoshka embeddings can be shortened"
    body = _raw(client, model=model, input=text, dimensions=dimensions, encoding_format="float")
    assert_conforms("POST", "/v1/embeddings", 200, body)
    short = body["data"][0]["embedding"]
    full = client.embeddings.create(model=model, input=text).data[0].embedding
    assert len(short) == dimensions
    assert abs(_norm(short) - 1) < 1e-5
    prefix_norm = _norm(full[:dimensions])
    assert all(abs(s - f / prefix_norm) < 1e-5 for s, f in zip(short, full[:dimensions], strict=True))


# --------------------------------------------------------------------------- meaning and determinism


def test_similar_texts_are_closer_than_unrelated_ones(client: openai.OpenAI) -> None:
    documents = [
        "To reset your password, open Settings and choose 'Forgot password'.",
        "Our office is closed on public holidays.",
        "The recipe needs two cups of flour and one egg.",
        "Quarterly revenue grew by twelve percent in Europe.",
    ]
    query = "How do I reset my password?"
    vectors = [item.embedding for item in client.embeddings.create(model=SMALL, input=[query, *documents]).data]
    scores = [cosine_similarity(vectors[0], vector) for vector in vectors[1:]]
    assert scores.index(max(scores)) == 0
    assert scores[0] > 0.3 > max(scores[1:])


def test_same_text_same_vector_across_requests_keys_and_seeds(client_for) -> None:  # type: ignore[no-untyped-def]
    first = client_for("sk-one").embeddings.create(model=SMALL, input="stable vectors").data[0].embedding
    other_key = client_for("sk-two").embeddings.create(
        model=SMALL, input=["something else", "stable vectors"], extra_headers={"x-mock-seed": "42"}
    )
    assert other_key.data[1].embedding == first
    assert other_key.data[0].embedding != first


def test_models_have_their_own_vector_spaces(client: openai.OpenAI) -> None:
    small = client.embeddings.create(model=SMALL, input="same words").data[0].embedding
    ada = client.embeddings.create(model=ADA, input="same words").data[0].embedding
    assert len(small) == len(ada) and small != ada


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "bad_input",
    ["", [], [""], ["fine", ""], [[]], [[1, 2], []], [1, "a"], [["a"]], {"text": "x"}, 42, [True]],
    ids=[
        "empty-string",
        "empty-list",
        "list-with-empty-string",
        "empty-string-later",
        "empty-token-array",
        "empty-token-array-later",
        "mixed",
        "nested-strings",
        "object",
        "number",
        "booleans",
    ],
)
def test_invalid_input_is_a_400_naming_input(client: openai.OpenAI, bad_input: Any) -> None:
    body = _bad_request(client, model=SMALL, input=bad_input)
    assert body["param"] == "input"
    assert body["type"] == "invalid_request_error"
    assert body["message"].startswith("'$.input' is invalid.")


def test_more_than_2048_inputs_is_a_400(client: openai.OpenAI) -> None:
    body = _bad_request(client, model=SMALL, input=["x"] * 2049)
    assert (body["param"], body["message"].split(".")[0]) == ("input", "Too many inputs")
    assert len(client.embeddings.create(model=SMALL, input=["x"] * 2048).data) == 2048


def test_input_over_the_token_limit_is_a_400(client: openai.OpenAI) -> None:
    at_limit = [100] * 8191  # token ids: exact counts without tokenising a long text
    assert client.embeddings.create(model=SMALL, input=at_limit).usage.prompt_tokens == 8191
    body = _bad_request(client, model=SMALL, input=[[5, 6], [100] * 8192])
    assert body["param"] == "input"
    assert "maximum context length is 8191 tokens, however you requested 8192 tokens" in body["message"]


def test_token_ids_outside_the_vocabulary_are_rejected(client: openai.OpenAI) -> None:
    assert _bad_request(client, model=SMALL, input=[1, 2, 10_000_000])["param"] == "input"
    assert _bad_request(client, model=SMALL, input=[[-1]])["param"] == "input"


def test_dimensions_rules(client: openai.OpenAI) -> None:
    ada = _bad_request(client, model=ADA, input="x", dimensions=512)
    assert (ada["message"], ada["param"]) == ("This model does not support specifying dimensions.", "dimensions")
    too_big = _bad_request(client, model=SMALL, input="x", dimensions=1537)
    assert too_big["param"] == "dimensions" and "1536" in too_big["message"]
    assert _bad_request(client, model=LARGE, input="x", dimensions=0)["param"] == "dimensions"
    wrong_type = _bad_request(client, model=SMALL, input="x", extra_body={"dimensions": "256"})
    assert (wrong_type["param"], wrong_type["code"]) == ("dimensions", "invalid_type")


def test_model_must_exist_and_embed(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.embeddings.create(model="text-embedding-4-huge", input="x")
    assert raised.value.body["code"] == "model_not_found"  # type: ignore[index]
    chat = _bad_request(client, model="gpt-4o", input="x")
    assert chat["param"] == "model"
    assert "does not support embeddings" in chat["message"]


def test_other_request_errors(client: openai.OpenAI) -> None:
    fmt = _bad_request(client, model=SMALL, input="x", encoding_format="hex")  # type: ignore[arg-type]
    assert fmt["param"] == "encoding_format"
    unknown = _bad_request(client, model=SMALL, input="x", extra_body={"temperature": 1})
    assert (unknown["param"], unknown["code"]) == ("temperature", "unknown_parameter")
    missing = _bad_request(client, model=SMALL, input="x", extra_body={"model": None})
    assert missing["param"] == "model"


def test_rate_limit_headers_count_the_prompt_tokens(client: openai.OpenAI) -> None:
    first = client.embeddings.with_raw_response.create(model=LARGE, input="count these tokens please")
    second = client.embeddings.with_raw_response.create(model=LARGE, input="count these tokens please")
    used = first.parse().usage.total_tokens
    remaining = [int(raw.headers["x-ratelimit-remaining-tokens"]) for raw in (first, second)]
    assert remaining[0] - remaining[1] == used == len(_cl100k("count these tokens please")) == 4
    requests = [int(raw.headers["x-ratelimit-remaining-requests"]) for raw in (first, second)]
    assert requests[0] - requests[1] == 1


# --------------------------------------------------------------------------- Lambda


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_create_embedding_through_the_lambda_handler(version: str) -> None:
    lambda_sdk = lambda_client(embeddings_function.handler, version)  # type: ignore[arg-type]
    result = lambda_sdk.embeddings.create(model=SMALL, input=["lambda", "handler"], dimensions=64)
    assert [len(item.embedding) for item in result.data] == [64, 64]
    assert result.usage.prompt_tokens == 2
    with pytest.raises(openai.BadRequestError):
        lambda_sdk.embeddings.create(model=SMALL, input="")
