"""Legacy completions through the official SDK: prompts of every shape, echo, n/best_of, logprobs, stream."""

from __future__ import annotations

import json

import openai
import pytest
from starlette.testclient import TestClient

from functions.completions import app as completions_function
from openai_mock.generation import tokens
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

MODEL = "gpt-3.5-turbo-instruct"
PROMPT = "Write a tagline for an ice cream shop"


def test_completion_defaults_to_16_tokens_and_counts_exactly(client: openai.OpenAI) -> None:
    raw = client.completions.with_raw_response.create(model=MODEL, prompt=PROMPT)
    assert_conforms("POST", "/v1/completions", 200, raw.http_response.json())
    completion = raw.parse()
    choice = completion.choices[0]
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-")
    assert choice.finish_reason == "length" and tokens.count_tokens(choice.text, MODEL) == 16
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (
        tokens.count_tokens(PROMPT, MODEL),
        16,
    )
    assert "ice cream" in choice.text.lower()


@pytest.mark.parametrize("model", ["davinci-002", "babbage-002"])
def test_prompt_shapes(client: openai.OpenAI, model: str) -> None:
    token_ids = tokens.encode("The sky is", model)
    for prompt, expected_prompts, prompt_tokens in (
        (
            ["Red apples", "Blue whales"],
            2,
            tokens.count_tokens("Red apples", model) + tokens.count_tokens("Blue whales", model),
        ),
        (token_ids, 1, len(token_ids)),
        ([token_ids, token_ids], 2, 2 * len(token_ids)),
    ):
        completion = client.completions.create(model=model, prompt=prompt, max_tokens=5, n=2)
        assert len(completion.choices) == 2 * expected_prompts
        assert [choice.index for choice in completion.choices] == list(range(2 * expected_prompts))
        assert completion.usage is not None and completion.usage.prompt_tokens == prompt_tokens


def test_echo_and_logprobs(client: openai.OpenAI) -> None:
    completion = client.completions.create(model=MODEL, prompt="Once upon a time", echo=True, logprobs=3, max_tokens=6)
    choice = completion.choices[0]
    logprobs = choice.logprobs
    assert logprobs is not None and logprobs.tokens and logprobs.token_logprobs and logprobs.top_logprobs
    assert choice.text.startswith("Once upon a time")
    assert "".join(logprobs.tokens) == choice.text
    assert logprobs.text_offset == [sum(len(t) for t in logprobs.tokens[:i]) for i in range(len(logprobs.tokens))]
    assert logprobs.token_logprobs[0] is None and logprobs.top_logprobs[0] is None  # nothing precedes token 0
    for token, value, top in zip(
        logprobs.tokens[1:], logprobs.token_logprobs[1:], logprobs.top_logprobs[1:], strict=True
    ):
        assert top is not None and len(top) == 3 and top[token] == value == max(top.values())
    plain = client.completions.with_raw_response.create(model=MODEL, prompt="Once", logprobs=2, max_tokens=4)
    assert_conforms("POST", "/v1/completions", 200, plain.http_response.json())
    assert plain.parse().choices[0].logprobs.text_offset[0] == len("Once")  # type: ignore[union-attr,index]


def test_best_of_bills_every_candidate(client: openai.OpenAI) -> None:
    completion = client.completions.create(model=MODEL, prompt=PROMPT, n=2, best_of=4, max_tokens=5)
    assert len(completion.choices) == 2
    assert completion.usage is not None and completion.usage.completion_tokens == 4 * 5


def test_stop_and_determinism(client: openai.OpenAI) -> None:
    first = client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=60)
    again = client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=60)
    assert first.choices[0].text == again.choices[0].text
    stopped = client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=60, stop=".")
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].text == first.choices[0].text.split(".")[0]


def test_stream_matches_and_ends_with_done(client: openai.OpenAI, http: TestClient) -> None:
    expected = client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=10).choices[0].text
    chunks = list(client.completions.create(model=MODEL, prompt=PROMPT, max_tokens=10, stream=True))
    assert "".join(chunk.choices[0].text for chunk in chunks) == expected
    assert chunks[-1].choices[0].finish_reason == "length"
    response = http.post(
        "/v1/completions",
        headers={"Authorization": "Bearer sk-test"},
        json={
            "model": MODEL,
            "prompt": PROMPT,
            "max_tokens": 3,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    events = [block.removeprefix("data: ") for block in response.text.split("\n\n") if block]
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2])["usage"]["completion_tokens"] == 3


@pytest.mark.parametrize(
    ("overrides", "param", "status"),
    [
        ({"model": "gpt-4o"}, "model", 404),
        ({"model": "no-such-model"}, "model", 404),
        ({"logprobs": 6}, "logprobs", 400),
        ({"n": 3, "best_of": 2}, "best_of", 400),
        ({"prompt": [[1, -5]]}, "prompt", 400),
        ({"prompt": [{"text": "x"}]}, "prompt", 400),
        ({"max_tokens": 5000}, "prompt", 400),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", 400),
    ],
)
def test_invalid_requests(client: openai.OpenAI, overrides: dict, param: str, status: int) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.completions.create(**{"model": MODEL, "prompt": PROMPT, **overrides})
    assert raised.value.status_code == status
    assert raised.value.body["param"] == param  # type: ignore[index]


def test_create_through_the_lambda_handler() -> None:
    sdk = lambda_client(completions_function.handler, "v2")  # type: ignore[arg-type]
    completion = sdk.completions.create(model=MODEL, prompt=PROMPT, max_tokens=4)
    assert tokens.count_tokens(completion.choices[0].text, MODEL) == 4


STORY = "Today I decided to make a big change"
ENDING = "My neighbours still talk about the garden party."


def test_suffix_inserts_text_that_leads_into_it(client: openai.OpenAI) -> None:
    raw = client.completions.with_raw_response.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=200)
    assert_conforms("POST", "/v1/completions", 200, raw.http_response.json())
    completion = raw.parse()
    inserted = completion.choices[0].text
    assert completion.choices[0].finish_reason == "stop"
    assert inserted.startswith(". ")  # closes the prompt's sentence
    assert inserted.endswith(". ")  # a finished sentence, then the suffix's capital
    assert "big change" in inserted and "neighbours still talk" in inserted  # about the prompt, turning to the suffix
    assert ENDING not in inserted
    assert completion.usage is not None
    assert completion.usage.completion_tokens == tokens.count_tokens(inserted, MODEL)  # only what was generated
    assert completion.usage.prompt_tokens == tokens.count_tokens(STORY, MODEL) + tokens.count_tokens(ENDING, MODEL)
    plain = client.completions.create(model=MODEL, prompt=STORY, max_tokens=200).choices[0].text
    assert plain.startswith("\n\n") and plain != inserted


@pytest.mark.parametrize(
    ("prompt", "suffix", "lead", "last"),
    [
        ("The recipe for apple pie:\n", "\nServe it warm.", "", "."),  # whitespace on both sides: nothing to add
        ("Gardening is rewarding.", " and that is why balconies matter.", " ", ","),  # lower-case continuation
        ("The bridge was built in 1890", "? Nobody knows.", ". ", "a-z"),  # the suffix brings its own punctuation
    ],
)
def test_suffix_boundaries(client: openai.OpenAI, prompt: str, suffix: str, lead: str, last: str) -> None:
    inserted = client.completions.create(model=MODEL, prompt=prompt, suffix=suffix, max_tokens=300).choices[0].text
    assert inserted.startswith(lead) and inserted[len(lead)].isalpha()
    assert inserted[-1].isalpha() if last == "a-z" else inserted[-1] == last


def test_suffix_with_echo_stop_and_stream(client: openai.OpenAI) -> None:
    first = client.completions.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=200).choices[0].text
    echoed = client.completions.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=200, echo=True)
    assert echoed.choices[0].text == STORY + first  # the prompt is echoed, the suffix is not
    word = first.split()[6]
    stopped = client.completions.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=200, stop=[word])
    assert stopped.choices[0].finish_reason == "stop" and stopped.choices[0].text == first[: first.index(word)]
    streamed = client.completions.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=200, stream=True)
    assert "".join(chunk.choices[0].text for chunk in streamed) == first
    cut = client.completions.create(model=MODEL, prompt=STORY, suffix=ENDING, max_tokens=5)
    assert cut.choices[0].finish_reason == "length" and first.startswith(cut.choices[0].text)


@pytest.mark.parametrize("model", ["davinci-002", "babbage-002"])
def test_suffix_is_only_for_gpt_35_turbo_instruct(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.completions.create(model=model, prompt=STORY, suffix=ENDING)
    assert raised.value.body["param"] == "suffix"  # type: ignore[index]
    assert raised.value.code == "unsupported_parameter"
