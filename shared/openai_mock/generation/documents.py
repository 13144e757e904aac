"""Documents given to a model (a Responses `input_file` part, a Chat `file` part): what the mock reads of them and
the input tokens they cost.

`file_data` is read as the bytes sent (a data URL, or plain base64): a text document is its text, a PDF is its pages
and the text shown on them. A `file_id` arrives the same way: the layer reads the stored file and hands its bytes over
as `file_data` (resources/input_files.py). A `file_url` is not fetched (the mock has no network): it stands for a remote
document of `REMOTE_PAGES` pages, known by the words of its address."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from openai_mock.generation import tokens

# A page of a PDF is read as its text and its picture (the API gives the model both). The picture is a page-sized
# image at high detail (765 tokens, as an input image); the text is what the page shows, or, when the mock cannot
# read it (a scan, an unusual encoding, a remote or non-PDF document), a guess at a dense page's text.
PAGE_IMAGE_TOKENS = 765
PAGE_TOKENS = 1_000  # a page the mock does not read: its picture and that guessed text
PAGE_TEXT_TOKENS = PAGE_TOKENS - PAGE_IMAGE_TOKENS
# A remote document's length, unknown without fetching it: a guess at a typical report or letter.
REMOTE_PAGES = 10
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_BINARY_PAGE_BYTES = 50_000  # a binary document that is not a PDF: a page per this many bytes (a guess)
_IMAGE_MAGIC = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_URL_NOISE = frozenset({"https", "http", "www", "com", "org", "net", "pdf", "html", "htm", "index", "files", "docs"})


class Document(NamedTuple):
    name: str  # the file name, or the last segment of its address
    source: str  # the host a remote document is on; "" for one sent inline
    text: str | None  # its text, when the mock could read it (a text document, the text a PDF shows)
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
        return Document(name, "", pdf_text(data) or None, max(1, len(_PDF_PAGE.findall(data))))
    if b"\x00" not in data:
        try:
            return Document(name, "", data.decode("utf-8-sig"), 0)
        except UnicodeDecodeError:
            pass
    return Document(name, "", None, max(1, -(-len(data) // _BINARY_PAGE_BYTES)))


def document_tokens(document: Document, model: str) -> int:
    """The input tokens a document costs: its name, its text (read, or guessed a page at a time), its pages' pictures.
    A text document has no pages: its text alone."""
    text = document.pages * PAGE_TEXT_TOKENS if document.text is None else tokens.count_tokens(document.text, model)
    return tokens.count_tokens(document.name, model) + text + document.pages * PAGE_IMAGE_TOKENS


def chat_documents_tokens(messages: Sequence[Mapping[str, Any]], model: str) -> int:
    """The input tokens of the documents in Chat messages (`file` parts, stored files already inline)."""
    total = 0
    for message in messages:
        content = message.get("content")
        for part in content if isinstance(content, list) else ():
            found = document_of(part["file"]) if part.get("type") == "file" else None
            total += document_tokens(found, model) if found is not None else 0
    return total


def image_format(name: str, data: bytes) -> str | None:
    """The image format of a file sent as a document ("png", "jpeg", …), known by its bytes or its name; None for
    anything else."""
    for magic, kind in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    return suffix if f".{suffix}" in _IMAGE_SUFFIXES else None


_PDF_TEXTS: dict[bytes, str] = {}  # a PDF's digest → its text (texts are small; the PDFs are not kept)
_PDF_TEXTS_KEPT = 64


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, page after page (pypdf, imported when a PDF arrives); "" for a scan, a font without a
    readable encoding or a file pypdf cannot read. Kept per document: a conversation sends the same file again each
    turn, and a long PDF takes pypdf a tenth of a second or more."""
    digest = hashlib.sha256(data).digest()
    if (known := _PDF_TEXTS.get(digest)) is not None:
        return known
    if len(_PDF_TEXTS) >= _PDF_TEXTS_KEPT:
        _PDF_TEXTS.clear()
    _PDF_TEXTS[digest] = text = _read_pdf(data)
    return text


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on fonts it cannot fully parse are not ours
    try:
        pages = PdfReader(io.BytesIO(data)).pages
        return "\n".join(text for page in pages if (text := page.extract_text().strip()))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, zlib.error):
        return ""  # a damaged PDF is still billed by its pages, unread


def name_words(document: Document) -> list[str]:
    """The words of a document's name and address ("2024ltr.pdf" on www.berkshirehathaway.com: berkshirehathaway,
    2024ltr): all the mock knows of a document it did not read."""
    found = re.findall(r"[A-Za-z0-9]+", f"{document.source} {document.name}")
    return list(dict.fromkeys(word for word in found if word.lower() not in _URL_NOISE))
