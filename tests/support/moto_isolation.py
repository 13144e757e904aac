"""moto, with DynamoDB's isolation: each item operation whole, as if alone.

DynamoDB checks a write's condition and applies the write as one step, so of two conditional writes racing on
one version only one succeeds. moto checks and writes without a lock, so two threads can both pass the
check; a test of "runs once" or "loses no update" would then fail on moto alone, by timing. Serialising
moto's item operations gives them DynamoDB's semantics (not its concurrency, which tests never time).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from openai_mock.store.dynamodb import DynamoDBStore, create_table

_ITEM_OPERATIONS = (
    "get_item",
    "batch_get_item",
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "query",
    "scan",
)


def _serialised(operation: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return operation(*args, **kwargs)

    return run


@contextmanager
def isolated_mock_aws() -> Iterator[None]:
    """`moto.mock_aws()`, its DynamoDB item operations applied one at a time."""
    lock = threading.RLock()
    originals = {name: getattr(DynamoDBBackend, name) for name in _ITEM_OPERATIONS}
    with mock_aws():
        for name, operation in originals.items():
            setattr(DynamoDBBackend, name, _serialised(operation, lock))
        try:
            yield
        finally:
            for name, operation in originals.items():
                setattr(DynamoDBBackend, name, operation)


@contextmanager
def dynamodb_store(table: str) -> Iterator[tuple[Any, DynamoDBStore]]:
    """A DynamoDB store on a fresh table under `isolated_mock_aws`, with its boto3 client (to stub or watch calls)."""
    with isolated_mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, table)
        yield client, DynamoDBStore(table, client)
