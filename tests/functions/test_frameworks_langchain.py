"""LangChain as a judge: `langchain-openai`'s ChatOpenAI and OpenAIEmbeddings, run in-process against the mock
the way an application runs them (invoke, stream, tools, structured output, the Responses API, embeddings of the
token arrays LangChain sends by default), parse what the mock answers into LangChain's own objects."""

from __future__ import annotations

from typing import Any

import langchain_openai
import openai
import pytest
from langchain_core import messages
from pydantic import BaseModel, Field
from starlette.testclient import TestClient

from openai_mock.generation import tokens
from openai_mock.local.server import TemplateRouter
from tests.support.sdk import BASE_URL

SEED = {"x-mock-seed": "30"}  # the same seed for every call: invoke and stream then answer the same text


class GetWeather(BaseModel):
    """Get the current weather in a given city."""

    city: str = Field(description="The city, e.g. Paris")


class Movie(BaseModel):
    """A film and the year it came out."""

    title: str
    year: int


def _http(mock_app: TemplateRouter) -> TestClient:
    return TestClient(mock_app, base_url="http://testserver")


@pytest.fixture
def chat_model(mock_app: TemplateRouter) -> Any:
    def build(**options: Any) -> Any:
        return langchain_openai.ChatOpenAI(
            model="gpt-4o-mini",
            base_url=BASE_URL,
            api_key="sk-langchain",
            http_client=_http(mock_app),
            max_retries=0,
            default_headers=SEED,
            **options,
        )

    return build


def test_invoke_answers_an_ai_message_with_usage_and_metadata(chat_model: Any) -> None:
    answer = chat_model().invoke("Write one sentence about the sea.")
    assert isinstance(answer, messages.AIMessage)
    assert isinstance(answer.content, str) and len(answer.content.split()) > 2
    usage = answer.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    metadata = answer.response_metadata
    assert metadata["model_name"].startswith("gpt-4o-mini")
    assert metadata["finish_reason"] == "stop"
    assert metadata["id"].startswith("chatcmpl-")
    assert metadata["token_usage"]["completion_tokens"] == usage["output_tokens"]


def test_stream_chunks_add_up_to_the_invoked_text(chat_model: Any) -> None:
    prompt = "Describe a lighthouse in two sentences."
    whole = chat_model().invoke(prompt)
    # LangChain asks for the usage chunk (stream_options.include_usage) of a custom base_url only when told to.
    chunks = list(chat_model(stream_usage=True).stream(prompt))
    assert len(chunks) > 2
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined += chunk
    assert joined.content == whole.content
    assert joined.usage_metadata["output_tokens"] == whole.usage_metadata["output_tokens"]
    assert joined.usage_metadata["input_tokens"] == whole.usage_metadata["input_tokens"]


def test_bind_tools_answers_a_tool_call_with_the_tool_arguments(chat_model: Any) -> None:
    model = chat_model().bind_tools([GetWeather], tool_choice="GetWeather")
    answer = model.invoke("What is the weather like in Tokyo right now?")
    [call] = answer.tool_calls
    assert call["name"] == "GetWeather"
    assert call["id"].startswith("call_")
    assert GetWeather.model_validate(call["args"]).city == "Tokyo"


def test_with_structured_output_answers_the_pydantic_object(chat_model: Any) -> None:
    movie = chat_model().with_structured_output(Movie).invoke("Name a film from the 1990s and its year.")
    assert isinstance(movie, Movie)
    assert movie.title.strip()
    assert isinstance(movie.year, int)


def test_responses_api_path_answers_text_with_usage(chat_model: Any) -> None:
    answer = chat_model(use_responses_api=True).invoke("Say hello to a new colleague.")
    assert isinstance(answer, messages.AIMessage)
    assert answer.response_metadata["id"].startswith("resp_")
    assert answer.text.strip()
    usage = answer.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert answer.response_metadata["status"] == "completed"


def test_responses_api_path_answers_tool_calls(chat_model: Any) -> None:
    model = chat_model(use_responses_api=True).bind_tools([GetWeather], tool_choice="GetWeather")
    [call] = model.invoke("What is the weather like in Lisbon?").tool_calls
    assert call["name"] == "GetWeather"
    assert GetWeather.model_validate(call["args"]).city == "Lisbon"


def test_embeddings_of_token_arrays_equal_the_vectors_of_the_same_texts(mock_app: TemplateRouter) -> None:
    tokens.preload()  # tiktoken finds cl100k_base in its cache, as LangChain tokenises before sending
    texts = ["A harbour at dawn, fishing boats leaving.", "Quarterly revenue grew by twelve percent."]
    journal: list[Any] = []
    http = _http(mock_app)
    http.event_hooks["request"].append(journal.append)
    embeddings = langchain_openai.OpenAIEmbeddings(
        model="text-embedding-3-small", base_url=BASE_URL, api_key="sk-langchain", http_client=http, max_retries=0
    )
    vectors = embeddings.embed_documents(texts)
    query = embeddings.embed_query(texts[0])
    assert b'"input":[[' in journal[0].content  # LangChain sent token arrays, not strings

    sdk = openai.OpenAI(base_url=BASE_URL, api_key="sk-langchain", http_client=_http(mock_app), max_retries=0)
    for text, vector in zip(texts, vectors, strict=True):
        assert len(vector) == 1536
        as_string = sdk.embeddings.create(model="text-embedding-3-small", input=text).data[0].embedding
        assert vector == pytest.approx(as_string)
    assert query == pytest.approx(vectors[0])
