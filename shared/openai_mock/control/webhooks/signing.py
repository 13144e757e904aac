"""Standard Webhooks signatures, as OpenAI signs its webhooks (and the official SDKs' `webhooks.unwrap()` /
`verify_signature()` check them): HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{body}"` with the
base64-decoded part of a `whsec_…` secret, sent as `webhook-signature: v1,<base64>`; several signatures (a
secret being rotated, docs/webhooks.md) are separated by spaces and any one of them verifies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret. From the system's CSPRNG, not the seeded one: secrets must not be guessable
    on a shared hosted mock."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def valid_secret(secret: str) -> bool:
    """A `whsec_` secret whose rest is base64 of at least 24 bytes (what a webhooks file may bring)."""
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        return len(base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)) >= 24
    except ValueError:
        return False


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret[len(SECRET_PREFIX) :])
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(webhook_id: str, timestamp: int, body: bytes, signing_secrets: Iterable[str]) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt: every secret given signs (newest first)."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, webhook_id, timestamp, body) for secret in signing_secrets),
    }
