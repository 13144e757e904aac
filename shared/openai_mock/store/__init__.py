"""The store the process uses, chosen by settings and created lazily (no boto3 at import)."""

from __future__ import annotations

from functools import lru_cache

from openai_mock.pagination import Page
from openai_mock.settings import get_settings
from openai_mock.store.base import COUNTERS, BlobStore, ConflictError, Counted, ObjectStore
from openai_mock.store.blobs import MemoryBlobStore
from openai_mock.store.memory import MemoryStore

__all__ = [
    "COUNTERS",
    "BlobStore",
    "ConflictError",
    "Counted",
    "ObjectStore",
    "Page",
    "get_blobs",
    "get_store",
    "reset_stores",
]


# botocore waits 60 s to connect and 60 s for an answer by default, and API Gateway gives up on the whole request
# after 29 s: a stalled call must fail (a 503 with retry-after, store/backend_errors.py) while the client can
# still be told. Standard retry mode backs off on throttling, a few attempts only.
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 2  # retries after the first call: 3 calls at most, 21 s in the worst case


def _boto3_client(service: str, endpoint: str | None):  # type: ignore[no-untyped-def]
    import boto3  # here, not at import: Lambda cold starts without persistence never pay for it
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    return boto3.client(service, region_name=get_settings().region, endpoint_url=endpoint, config=config)


@lru_cache(maxsize=1)
def get_store() -> ObjectStore:
    settings = get_settings()
    if settings.store == "dynamodb":
        from openai_mock.store.dynamodb import DynamoDBStore

        client = _boto3_client("dynamodb", settings.dynamodb_endpoint)
        # The blob store (an S3 client) only when a body first spills: most functions never need it.
        return DynamoDBStore(settings.table_name, client, settings.ttl_seconds, blobs=get_blobs)
    if settings.store == "sqlite":
        from openai_mock.store.sqlite import SQLiteStore

        return SQLiteStore(settings.sqlite_path, settings.ttl_seconds)
    return MemoryStore(settings.ttl_seconds)


@lru_cache(maxsize=1)
def get_blobs() -> BlobStore:
    settings = get_settings()
    if settings.store == "dynamodb" and settings.bucket_name:
        from openai_mock.store.blobs import S3BlobStore

        return S3BlobStore(settings.bucket_name, _boto3_client("s3", settings.s3_endpoint))
    if settings.blob_dir or settings.store == "sqlite":
        from openai_mock.store.blobs import FileBlobStore

        return FileBlobStore(settings.blob_dir or f"{settings.sqlite_path}.blobs")
    return MemoryBlobStore()


def reset_stores() -> None:
    """Drop the cached stores (tests, `openai-mock serve` after changing settings)."""
    get_store.cache_clear()
    get_blobs.cache_clear()
