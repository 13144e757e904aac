"""From a file's bytes to the chunks that get indexed: extract the text (or fail the way file_search
does), then cut it into token windows per the chunking strategy (`max_chunk_size_tokens` tokens each,
consecutive windows sharing `chunk_overlap_tokens`)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from openai_mock.generation import tokens

# The model whose tokenizer measures chunks: the one file_search embeds them with.
TOKENIZER_MODEL = "text-embedding-3-large"

# The extensions file_search accepts (the real API's list).
SUPPORTED_EXTENSIONS = frozenset(
    {
        ".c",
        ".cpp",
        ".cs",
        ".css",
        ".doc",
        ".docx",
        ".go",
        ".html",
        ".java",
        ".js",
        ".json",
        ".md",
        ".pdf",
        ".php",
        ".pptx",
        ".py",
        ".rb",
        ".sh",
        ".tex",
        ".ts",
        ".txt",
    }
)
_SUPPORTED_URL = "https://platform.openai.com/docs/assistants/tools/file-search#supported-files"
_OFFICE_TEXT = {".docx": ("word/document.xml", "w:t"), ".pptx": ("ppt/slides/", "a:t")}


class ProcessingError(Exception):
    """Why a file cannot be indexed: becomes the vector store file's `last_error`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code  # server_error | unsupported_file | invalid_file
        self.message = message


def _unparseable(filename: str) -> ProcessingError:
    return ProcessingError(
        "invalid_file", f"The file '{filename}' could not be parsed: no text could be extracted from it."
    )


def _office_text(filename: str, suffix: str, data: bytes) -> str:
    """The runs of text in a .docx/.pptx (zipped XML): `<w:t>` / `<a:t>` elements, a paragraph per part."""
    prefix, tag = _OFFICE_TEXT[suffix]
    pattern = re.compile(rf"<{tag}(?: [^>]*)?>([^<]*)</{tag}>")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = sorted(name for name in archive.namelist() if name.startswith(prefix) and name.endswith(".xml"))
            texts = [" ".join(pattern.findall(archive.read(name).decode("utf-8"))) for name in parts]
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError):
        raise _unparseable(filename) from None
    return "\n\n".join(text for text in texts if text)


def extract_text(filename: str, data: bytes) -> str:
    """The text file_search would index, or a ProcessingError."""
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = suffix or "(none)"
        raise ProcessingError(
            "unsupported_file", f"Files with extensions [{shown}] are not supported for retrieval. See {_SUPPORTED_URL}"
        )
    if suffix in _OFFICE_TEXT:
        text = _office_text(filename, suffix, data)
    elif b"\x00" in data or suffix in (".pdf", ".doc"):
        raise _unparseable(filename)  # binary content: the mock reads text, docx and pptx only
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _unparseable(filename) from None
    if not text.strip():
        raise ProcessingError("invalid_file", "The file could not be parsed because it is empty.")
    return text


def chunk(text: str, max_tokens: int, overlap: int) -> list[str]:
    """Token windows of `max_tokens`, each starting `max_tokens - overlap` tokens after the previous one."""
    encoding = tokens.encoding(tokens.encoding_name_for_model(TOKENIZER_MODEL))
    ids = encoding.encode(text, disallowed_special=())
    step = max_tokens - overlap
    chunks = []
    for start in range(0, len(ids), step):
        window = ids[start : start + max_tokens]
        # A window edge can split a multi-byte character: drop the partial bytes rather than show U+FFFD.
        piece = encoding.decode_bytes(window).decode("utf-8", errors="ignore").strip()
        if piece:
            chunks.append(piece)
        if start + max_tokens >= len(ids):
            break
    return chunks
