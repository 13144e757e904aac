"""Documents sent by `file_id`, through the official SDK: a file uploaded with `client.files.create` and named by a
Responses `input_file` part or a Chat `file` part is read (the answer is about its text, a PDF's shown text too) and
billed by the same rule as the same bytes sent inline (`file_data`); what is stored keeps the `file_id` as sent; an
unknown or another key's file is the Files API's 404, an image is a 400 (it belongs in an image part)."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import openai
import pytest
from openai.types import FileObject
from openai.types.chat import ChatCompletion
from openai.types.responses import Response, ResponseItem
from openai.types.responses.input_token_count_response import InputTokenCountResponse
from pydantic import TypeAdapter

from openai_mock.generation import documents, tokens
from tests.support.sdk import held
from tests.support.spec import assert_conforms

MODEL = "gpt-5.4"
NOTES = (
    "The tide pools at Point Lobos hold sea stars, anemones and hermit crabs. Visitors should stay on marked trails. "
    "Collecting shells is forbidden. The reserve opens at eight in the morning."
)
ASK = "Summarize this file."
# A PNG's signature and header: enough for the mock (and any reader) to know it for an image.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _pdf(*pages: str) -> bytes:
    """A small real PDF: a page per text in Helvetica, each drawn by a Flate-compressed content stream, with its
    cross-reference table."""
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for text in pages:
        stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
        content_number = len(objects) + 2
        kids.append(f"{len(objects) + 1} 0 R".encode())
        page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_number} 0 R /Resources "
        objects.append(page.encode() + font + b" >>")
        objects.append(f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {len(pages)} >>".encode()
    document, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(document))
        document += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    table = f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{at:010d} 00000 n \n" for at in offsets)
    trailer = f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(document)}\n%%EOF\n"
    return document + table.encode() + trailer.encode()


def _upload(client: openai.OpenAI, name: str, data: bytes, purpose: Any = "user_data") -> str:
    created = held(FileObject, client.files.with_raw_response.create(file=(name, data), purpose=purpose))
    file_id: str = created["id"]
    return file_id


def _create(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = held(Response, client.responses.with_raw_response.create(model=MODEL, **body))
    assert_conforms("POST", "/v1/responses", 200, data)
    return data


def _asking(file: dict[str, Any], question: str = ASK) -> list[Any]:
    return [{"role": "user", "content": [{"type": "input_file", **file}, {"type": "input_text", "text": question}]}]


def _answer_text(response: dict[str, Any]) -> str:
    return "".join(part["text"] for item in response["output"] if item["type"] == "message" for part in item["content"])


def _listed_parts(client: openai.OpenAI, response_id: str) -> list[Any]:
    """The content parts of a response's first input item, as `input_items` lists them (held to the SDK's model)."""
    data = client.responses.input_items.with_raw_response.list(response_id).http_response.json()["data"]
    TypeAdapter(list[ResponseItem]).validate_python(data, strict=True)
    parts: list[Any] = data[0]["content"]
    return parts


def _inline(name: str, data: bytes) -> dict[str, Any]:
    return {"file_data": base64.b64encode(data).decode(), "filename": name}


# --------------------------------------------------------------------------------------------- responses


def test_a_stored_text_file_is_read_and_billed_as_its_bytes_sent_inline(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    by_id = _create(client, input=_asking({"file_id": file_id}))
    assert _answer_text(by_id).startswith("lobos.txt: ") and "tide pools at Point Lobos" in _answer_text(by_id)
    billed = by_id["usage"]["input_tokens"] - _create(client, input=ASK)["usage"]["input_tokens"]
    assert billed == tokens.count_tokens("lobos.txt", MODEL) + tokens.count_tokens(NOTES, MODEL)
    inline = _create(client, input=_asking(_inline("lobos.txt", NOTES.encode())))
    assert inline["usage"]["input_tokens"] == by_id["usage"]["input_tokens"]  # one rule, whatever the source


def test_a_stored_pdf_is_read_as_its_text_and_billed_for_its_pages(client: openai.OpenAI) -> None:
    pdf = _pdf("Quarterly sales rose in Lisbon and Porto.", "The Lisbon store opened a second floor.")
    file_id = _upload(client, "q3.pdf", pdf)
    response = _create(client, input=_asking({"file_id": file_id}))
    assert "Quarterly sales rose in Lisbon and Porto" in _answer_text(response)
    billed = response["usage"]["input_tokens"] - _create(client, input=ASK)["usage"]["input_tokens"]
    text = "Quarterly sales rose in Lisbon and Porto.\nThe Lisbon store opened a second floor."
    pictures = 2 * documents.PAGE_IMAGE_TOKENS
    assert billed == tokens.count_tokens("q3.pdf", MODEL) + tokens.count_tokens(text, MODEL) + pictures


def test_input_items_keep_the_file_id_and_a_later_turn_reads_the_file_again(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    first = _create(client, input=_asking({"file_id": file_id}))
    assert _listed_parts(client, first["id"])[0] == {"type": "input_file", "file_id": file_id}  # as sent: no bytes
    question = "And what is forbidden there? Summarize the file."
    follow_up = _create(client, input=question, previous_response_id=first["id"])
    inline = _create(client, input=_asking(_inline("lobos.txt", NOTES.encode())))
    inline_follow_up = _create(client, input=question, previous_response_id=inline["id"])
    assert follow_up["usage"]["input_tokens"] == inline_follow_up["usage"]["input_tokens"]  # the file billed again
    alone = _create(client, input=question)["usage"]["input_tokens"]
    assert follow_up["usage"]["input_tokens"] > alone + first["usage"]["input_tokens"]
    assert "tide pools at Point Lobos" in _answer_text(follow_up)


def test_input_tokens_count_a_stored_file_as_the_create_bills_it(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    raw = client.responses.input_tokens.with_raw_response.count(model=MODEL, input=_asking({"file_id": file_id}))
    counted = held(InputTokenCountResponse, raw)["input_tokens"]
    assert counted == _create(client, input=_asking({"file_id": file_id}))["usage"]["input_tokens"]


def test_an_unknown_or_foreign_file_id_is_a_404_naming_the_part(client: openai.OpenAI, client_for: Any) -> None:
    foreign = _upload(client_for("sk-someone-else"), "theirs.txt", b"Not yours to read.")
    for file_id in ("file-doesnotexist", foreign):
        with pytest.raises(openai.NotFoundError) as raised:
            client.responses.create(model=MODEL, input=_asking({"file_id": file_id}))
        error: Any = raised.value.body
        assert error["message"] == f"No such File object: {file_id}"
        assert error["param"] == "input[0].content[0].file_id"


def test_an_image_is_not_a_document(client: openai.OpenAI) -> None:
    file_id = _upload(client, "sky.png", PNG, purpose="vision")
    for file, param in (
        ({"file_id": file_id}, "input[0].content[0].file_id"),
        (_inline("sky.png", PNG), "input[0].content[0].file_data"),
    ):
        with pytest.raises(openai.BadRequestError) as raised:
            client.responses.create(model=MODEL, input=_asking(file))
        error: Any = raised.value.body
        assert (error["param"], error["code"]) == (param, "unsupported_file")


def test_a_conversation_item_naming_a_file_is_read_each_turn(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    conversation = client.conversations.create(items=_asking({"file_id": file_id}, "Here are my notes."))
    response = _create(client, input=ASK, conversation=conversation.id)
    assert "tide pools at Point Lobos" in _answer_text(response)
    alone = _create(
        client, input=[*_asking({"file_id": file_id}, "Here are my notes."), {"role": "user", "content": ASK}]
    )
    assert response["usage"]["input_tokens"] == alone["usage"]["input_tokens"]
    kept = client.conversations.items.list(conversation.id, order="asc").data[0]
    assert kept.model_dump(exclude_none=True)["content"][0] == {"type": "input_file", "file_id": file_id}


@pytest.mark.parametrize("backend", ["moto_persistence", "on_sqlite"])
def test_a_stored_file_is_read_with_persistence_on(
    backend: str, request: pytest.FixtureRequest, client: openai.OpenAI
) -> None:
    request.getfixturevalue(backend)
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    response = _create(client, input=_asking({"file_id": file_id}))
    assert "tide pools at Point Lobos" in _answer_text(response)
    assert _listed_parts(client, response["id"])[0] == {"type": "input_file", "file_id": file_id}


# --------------------------------------------------------------------------------------------- chat completions


def _chat(client: openai.OpenAI, content: Any) -> dict[str, Any]:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=[{"role": "user", "content": content}])
    body: dict[str, Any] = held(ChatCompletion, raw)
    return body


def _file_part(file: dict[str, Any]) -> list[Any]:
    return [{"type": "file", "file": file}, {"type": "text", "text": ASK}]


def test_a_chat_file_part_by_id_is_read_and_billed_as_inline_data(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    by_id = _chat(client, _file_part({"file_id": file_id}))
    assert "tide pools at Point Lobos" in by_id["choices"][0]["message"]["content"]
    bare = _chat(client, [{"type": "text", "text": ASK}])["usage"]["prompt_tokens"]
    document = tokens.count_tokens("lobos.txt", MODEL) + tokens.count_tokens(NOTES, MODEL)
    assert by_id["usage"]["prompt_tokens"] - bare == document
    inline = _chat(client, _file_part(_inline("lobos.txt", NOTES.encode())))
    assert inline["usage"]["prompt_tokens"] == by_id["usage"]["prompt_tokens"]


def test_stored_chat_messages_keep_the_file_id(client: openai.OpenAI) -> None:
    file_id = _upload(client, "lobos.txt", NOTES.encode())
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": _file_part({"file_id": file_id})}], store=True
    )
    completion = held(ChatCompletion, raw)
    listed = client.chat.completions.messages.list(completion["id"]).data[0]
    assert listed.content_parts is not None
    assert listed.content_parts[0].model_dump(exclude_none=True) == {"type": "file", "file": {"file_id": file_id}}


def test_a_chat_pdf_by_id_bills_its_pages(client: openai.OpenAI) -> None:
    file_id = _upload(client, "memo.pdf", _pdf("Board meeting moved to Thursday."))
    answered = _chat(client, _file_part({"file_id": file_id}))
    assert "Board meeting moved to Thursday" in answered["choices"][0]["message"]["content"]
    bare = _chat(client, [{"type": "text", "text": ASK}])["usage"]["prompt_tokens"]
    assert answered["usage"]["prompt_tokens"] - bare >= documents.PAGE_IMAGE_TOKENS + 5


def test_a_chat_file_part_it_cannot_read_is_refused_naming_it(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        _chat(client, _file_part({"file_id": "file-doesnotexist"}))
    assert missing.value.body["param"] == "messages[0].content[0].file.file_id"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as image:
        _chat(client, _file_part({"file_id": _upload(client, "sky.png", PNG, purpose="vision")}))
    assert image.value.body["code"] == "unsupported_file"  # type: ignore[index]
