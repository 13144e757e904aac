"""Documents given to a model (generation/documents.py): a PDF's text read with pypdf once per document."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfWriter

from openai_mock.generation import documents


def _blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    written = io.BytesIO()
    writer.write(written)
    return written.getvalue()


def test_a_pdf_is_read_once_and_its_pages_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _blank_pdf(3)
    reads: list[bytes] = []
    read = documents._read_pdf
    monkeypatch.setattr(documents, "_read_pdf", lambda pdf: reads.append(pdf) or read(pdf))
    monkeypatch.setattr(documents, "_PDF_TEXTS", {})
    first = documents.document_of({"file_data": base64.b64encode(data).decode(), "filename": "a.pdf"})
    again = documents.pdf_text(data)
    assert first is not None and first.pages == 3 and first.text is None  # blank pages: nothing to read
    assert again == "" and len(reads) == 1  # the second turn's copy is not parsed again


def test_a_damaged_pdf_is_billed_by_its_pages_unread() -> None:
    damaged = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n"  # no cross-reference table, no trailer
    found = documents.document_of({"file_data": base64.b64encode(damaged).decode(), "filename": "x.pdf"})
    assert found is not None and found.text is None and found.pages == 1
    assert documents.document_tokens(found, "gpt-4o") >= documents.PAGE_TOKENS
