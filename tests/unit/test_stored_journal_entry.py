"""How a shared store keeps a journal entry (control/runtime.py `_stored`): whole while its JSON fits in
STORED_ENTRY_LIMIT, the answer's body summarised first, then the request's; bodies are sized by their JSON
escapes, and a body longer than what is left is summarised without being read through."""

from __future__ import annotations

import json

from openai_mock.control import runtime
from openai_mock.control.runtime import STORED_ENTRY_LIMIT, Answer, _Entry, _stored


def _entry(request: bytes, answer: bytes) -> _Entry:
    return _Entry(
        1, 0.0, "POST", "/v1/chat/completions", "", request, len(request), 200, 1.0, None,
        [(b"authorization", b"Bearer sk-secret"), (b"content-type", b"application/json")],
        Answer([(b"content-type", b"application/json")], bytearray(answer), len(answer), [(0, 1.0)]),
    )  # fmt: skip


def test_an_entry_that_fits_is_kept_whole_without_its_secret_headers() -> None:
    request = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode()
    answer = json.dumps({"model": "gpt-4o", "usage": {"total_tokens": 9}}).encode()
    stored = _stored(_entry(request, answer), "mockreq_1")
    assert (stored[runtime._REQUEST_TEXT], stored[runtime._ANSWER_TEXT]) == (request.decode(), answer.decode())
    assert "sk-secret" not in json.dumps(stored) and len(json.dumps(stored)) <= STORED_ENTRY_LIMIT


def test_an_answer_whose_escapes_pass_the_limit_is_summarised() -> None:
    """Its bytes are under what is left, its JSON (each quote escaped) is not: it is counted, and summarised."""
    answer = json.dumps({"model": "gpt-4o", "content": '"' * 5000, "usage": {"total_tokens": 3}}).encode()
    assert len(answer) < STORED_ENTRY_LIMIT - runtime._ENTRY_OVERHEAD < len(json.dumps(answer.decode()))
    stored = _stored(_entry(b'{"model": "gpt-4o"}', answer), "mockreq_2")
    assert stored[runtime._ANSWER_TEXT] is None
    kept = json.loads(stored[runtime._RAW_TEXT])["answer"]
    assert (kept["model"], kept["usage"]) == ("gpt-4o", {"total_tokens": 3})
    assert stored[runtime._REQUEST_TEXT] == '{"model": "gpt-4o"}'
    assert len(json.dumps(stored)) <= STORED_ENTRY_LIMIT


def test_a_big_binary_request_is_dropped_after_its_answer() -> None:
    """A 60 KB upload that is not UTF-8: over the limit by its length alone, so neither body is kept."""
    upload = bytes(range(256)) * 240
    stored = _stored(_entry(upload, b'{"id": "file-1"}'), "mockreq_3")
    assert (stored[runtime._REQUEST_TEXT], stored[runtime._ANSWER_TEXT]) == (None, None)
    assert len(json.dumps(stored)) <= STORED_ENTRY_LIMIT


def test_json_size_counts_escapes_and_a_body_over_the_budget_is_not_decoded() -> None:
    assert runtime._json_size('a"b\n') == len(json.dumps('a"b\n'))
    assert runtime._json_size("é") >= len(json.dumps("é"))  # non-ASCII is counted as its \\u escape
    assert runtime._fitting(b"x" * 500, 100) == (None, 500)  # over the budget: its length, which is already too long
