"""Documents given to a model (a Responses `input_file` part, a Chat `file` part): what the mock reads of them and
the input tokens they cost.

`file_data` is read as the bytes sent (a data URL, or plain base64): a text document is its text, a PDF is its pages.
A `file_url` is not fetched (the mock has no network): it stands for a remote document of `REMOTE_PAGES` pages, known
by the words of its address. A `file_id` names a stored file the layer does not hand to generation: it costs nothing
here, as before."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from openai_mock.generation import tokens

# A page of a PDF read as its text and its picture (the API gives the model both): a guess at a dense page.
PAGE_TOKENS = 1_000
# A remote document's length, unknown without fetching it: a guess at a typical report or letter.
REMOTE_PAGES = 10
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_BINARY_PAGE_BYTES = 50_000  # a binary document that is not a PDF: a page per this many bytes (a guess)
_URL_NOISE = frozenset({"https", "http", "www", "com", "org", "net", "pdf", "html", "htm", "index", "files", "docs"})


class Document(NamedTuple):
    name: str  # the file name, or the last segment of its address
    source: str  # the host a remote document is on; "" for one sent inline
    text: str | None  # its text, when it is a text document the mock could read
    pages: int  # its pages, when it is read as pages (a PDF, another binary, a remote document)


def decoded(file_data: str) -> bytes | None:
    """The bytes of `file_data` (a `data:…;base64,` URL or plain base64), or None when it is not base64."""
    payload = file_data.split(",", 1)[1] if file_data.startswith("data:") and "," in file_data else file_data
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def document_of(file: Mapping[str, Any]) -> Document | None:
    """The document a file part gives (its fields: `file_data`, `file_url`, `filename`), None for a stored file."""
    if isinstance(file.get("file_url"), str):
        address = urlsplit(file["file_url"])
        segment = unquote(address.path.rstrip("/").rsplit("/", 1)[-1])
        return Document(file.get("filename") or segment or address.netloc, address.netloc, None, REMOTE_PAGES)
    if not isinstance(file.get("file_data"), str):
        return None
    data = decoded(file["file_data"]) or b""
    name = str(file.get("filename") or "")
    if data.startswith(b"%PDF"):
        return Document(name, "", None, max(1, len(_PDF_PAGE.findall(data))))
    if b"\x00" not in data:
        try:
            return Document(name, "", data.decode("utf-8-sig"), 0)
        except UnicodeDecodeError:
            pass
    return Document(name, "", None, max(1, -(-len(data) // _BINARY_PAGE_BYTES)))


def document_tokens(document: Document, model: str) -> int:
    """The input tokens a document costs: its name, then its text or its pages."""
    read = tokens.count_tokens(document.text, model) if document.text is not None else document.pages * PAGE_TOKENS
    return tokens.count_tokens(document.name, model) + read


def name_words(document: Document) -> list[str]:
    """The words of a document's name and address ("2024ltr.pdf" on www.berkshirehathaway.com: berkshirehathaway,
    2024ltr): all the mock knows of a document it did not read."""
    found = re.findall(r"[A-Za-z0-9]+", f"{document.source} {document.name}")
    return list(dict.fromkeys(word for word in found if word.lower() not in _URL_NOISE))
