"""Backends for the hardening tests: memory, then DynamoDB (+ S3) under moto. DynamoDB Local runs come from
the shared `on_dynamodb_local` fixture (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The whole mock on the in-memory store, then on DynamoDB + S3 (moto), as Lambda with persistence."""
    if request.param == "dynamodb":
        request.getfixturevalue("moto_persistence")
    yield request.param
