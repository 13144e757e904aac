"""`json_bytes`: the one JSON encoder of answers writes what pydantic-core writes, whichever library encodes."""

from __future__ import annotations

import pytest
from pydantic_core import to_json

from openai_mock import json_bytes as module

SAMPLES = [
    {"id": "chatcmpl-1", "choices": [{"message": {"content": 'Grüße, 東京 \u2028 "quoted" \\ /', "refusal": None}}]},
    {"floats": [0.1, 1e-7, 1e16, 2.5, -0.0, 1.0], "ints": [0, -1, 2**63 - 1], "flags": [True, False, None]},
    {"empty": {}, "list": [], "control": "\x00\x1f\t\n"},
]


@pytest.mark.parametrize("value", SAMPLES)
def test_the_bytes_are_pydantic_cores(value: object) -> None:
    assert module.json_bytes(value) == to_json(value)


def test_values_orjson_refuses_fall_back_to_pydantic_core() -> None:
    value = {"big": 2**70, "raw": b"bytes"}
    assert module.json_bytes(value) == to_json(value) == b'{"big":1180591620717411303424,"raw":"bytes"}'
