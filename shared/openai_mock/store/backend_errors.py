"""AWS backend failures (throttling, outages, timeouts) become OpenAI's 503 with `retry-after`, the way
the real API answers when it is overloaded, instead of a traceback; refusals no retry can change (an item
over 400 KB, a malformed request) become a logged 500. Only the store backends use this, so botocore is
imported only when persistence is on."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from openai_mock.errors import OpenAIError, server_error
from openai_mock.logs import logger

RETRY_AFTER_SECONDS = 1
# Answers the stores handle themselves: they are outcomes, not failures.
_EXPECTED_CODES = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException", "NoSuchKey"})
# Refusals of the request itself: retrying cannot help, so they are server errors (a bug), not a 503.
_PERMANENT_CODES = frozenset({"ValidationException"})


def backend_unavailable() -> OpenAIError:
    return OpenAIError(
        503,
        "The server is temporarily unable to reach its storage backend. Please retry your request after a brief wait.",
        type="server_error",
        code="service_unavailable",
        headers={"retry-after": str(RETRY_AFTER_SECONDS)},
    )


class GuardedClient:
    """A boto3 client whose calls raise `backend_unavailable()` on throttling, outages and timeouts, and
    `server_error()` on permanent refusals."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("get_waiter"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code in _EXPECTED_CODES:
                    raise
                if code in _PERMANENT_CODES:
                    logger.error(
                        "storage backend refused the request",
                        extra={
                            "operation": name,
                            "code": code,
                            "error": error.response.get("Error", {}).get("Message", ""),
                        },
                    )
                    raise server_error() from error
                logger.warning("storage backend error", extra={"operation": name, "code": code})
                raise backend_unavailable() from error
            except BotoCoreError as error:  # connection refused, timeouts, …
                logger.warning("storage backend unreachable", extra={"operation": name, "error": str(error)})
                raise backend_unavailable() from error

        return call
