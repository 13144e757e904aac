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

from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

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
