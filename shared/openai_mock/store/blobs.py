"""Blob stores for bytes too big for an object: DynamoDB items stop at 400 KB, files do not."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class MemoryBlobStore:
    def __init__(self) -> None:
        self._blobs: dict[tuple[str, str], bytes] = {}

    def put(self, tenant: str, key: str, data: bytes) -> None:
        self._blobs[(tenant, key)] = bytes(data)

    def get(self, tenant: str, key: str) -> bytes | None:
        return self._blobs.get((tenant, key))

    def delete(self, tenant: str, key: str) -> None:
        self._blobs.pop((tenant, key), None)


class FileBlobStore:
    """Bytes as files under one folder (`OPENAI_MOCK_BLOB_DIR`, `openai-mock serve --blob-dir`): several local
    processes pointed at one folder (and one DynamoDB) share everything, as Lambda containers share S3.
    Writes are atomic (a temporary file renamed into place): a reader sees the old bytes or the new, never half."""

    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    def _path(self, tenant: str, key: str) -> Path:
        parts = [tenant, *key.split("/")]
        if any(part in ("", ".", "..") or os.sep in part for part in parts):
            raise ValueError(f"unsafe blob key {tenant}/{key}")
        return self._root.joinpath(*parts)

    def put(self, tenant: str, key: str, data: bytes) -> None:
        path = self._path(tenant, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        partial.write_bytes(data)
        partial.replace(path)

    def get(self, tenant: str, key: str) -> bytes | None:
        try:
            return self._path(tenant, key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, tenant: str, key: str) -> None:
        self._path(tenant, key).unlink(missing_ok=True)


class S3BlobStore:
    def __init__(self, bucket: str, client: Any) -> None:
        from openai_mock.store.backend_errors import GuardedClient  # botocore only when S3 is in use

        self._bucket = bucket
        self._client = GuardedClient(client)

    def _key(self, tenant: str, key: str) -> str:
        return f"{tenant}/{key}"

    def put(self, tenant: str, key: str, data: bytes) -> None:
        self._client.put_object(Bucket=self._bucket, Key=self._key(tenant, key), Body=data)

    def get(self, tenant: str, key: str) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key(tenant, key))
        except self._client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, tenant: str, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=self._key(tenant, key))
