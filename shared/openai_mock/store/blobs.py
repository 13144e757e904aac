"""Blob stores for bytes too big for an object: DynamoDB items stop at 400 KB, files do not."""

from __future__ import annotations

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
