"""What the Assistants modules share: `public` (the view of a stored object: private keys stay in the store),
the 404 of an object, and the thread lookup that threads, messages and runs all make."""

from __future__ import annotations

from openai_mock.errors import OpenAIError
from openai_mock.store import get_store
from openai_mock.store.base import Object

THREADS = "thread"


def public(obj: Object) -> Object:
    """What clients see: private bookkeeping keys (leading underscore) stay in the store."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def object_not_found(kind: str, object_id: str) -> OpenAIError:
    return OpenAIError(404, f"No {kind} found with id '{object_id}'.")


def get_thread_record(tenant: str, thread_id: str) -> Object:
    thread = get_store().get(tenant, THREADS, thread_id)
    if thread is None:
        raise object_not_found("thread", thread_id)
    return thread
