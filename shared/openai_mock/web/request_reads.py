"""What a request reads of its tenant before its work, in one batch (`store.get_many`: one BatchGetItem on AWS, one
statement on SQLite), where each was a round trip of its own, one after the other:

- every request the controls see (all but `/__mock`): the tenant's clock offset (`control/tenant_clock`: its
  journal entry's time, and any time it asks), and the stamps of the collections the process keeps copies of
  (`store/copies.py`: the tenant's fixtures, and its fine-tuned models where the function lists them);
- a model request (a billed `POST`, `web/spend_guard.is_billed`) also its spend state (`web/spend_guard`: the
  429 past a hard spend limit, before any work), its stored quota (`control/quotas`: the accounting step
  counts against it) and its organization's data retention settings (`resources/organization/retention`: a
  request that stores its answer, a Response or a stored chat completion, honours them).

What was read goes where it is used: the offset to the clock, the stamps to the copies, the spend state, the
quota and the retention settings onto the request's state (`SPEND_STATE_KEY`, `QUOTA_STATE_KEY`,
`RETENTION_STATE_KEY`).

On DynamoDB the batch also reads the objects the request's route reads first, named by its path (a
retrieve, a poll, a cancel of the object the path names) or by its body (a Response's previous response or
conversation; `NamedObjects`): kept for the request (`store/read_memo.py`), the route's own read of them is no round
trip more."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.routing import compile_path
from starlette.types import Receive, Scope

from openai_mock import clock
from openai_mock.control import fixture_routes, quotas, tenant_clock
from openai_mock.store import copies, get_store
from openai_mock.web import spend_guard
from openai_mock.web.auth import Principal

QUOTA_STATE_KEY = "stored_quota"  # request.state attribute: the tenant's stored quota (None: the deployment's)
RETENTION_KEY = ("organization.setting", "data_retention")  # the organization's retention settings' (collection, id)
RETENTION_STATE_KEY = "retention_settings"  # request.state attribute: as read (None: never set, the defaults)
_MODEL_REQUEST = (spend_guard.KEY, quotas.KEY, RETENTION_KEY)


# A function's path templates and the objects their routes read first: (collection, id parameter), the collection
# formatted with the path's parameters ("vector_store.file/{vector_store_id}", "file_id").
PathObjects = Mapping[str, Sequence[tuple[str, str]]]
# A function's path templates whose POST body names objects its route reads first (a Response's previous response,
# its conversation; a batch's input file): the body's bytes → their (collection, id) keys.
BodyObjects = Mapping[str, Callable[[bytes], Sequence[tuple[str, str]]]]
# A function's objects of the caller that its routes read first (an admin route's organization): principal → keys.
CallerObjects = Callable[[Principal], Sequence[tuple[str, str]]]
BODY_NAMES_BYTES = 64 * 1024  # a longer body is not parsed for the objects it names (the route reads them)


def ids_in_body(fields: Mapping[str, str]) -> Callable[[bytes], list[tuple[str, str]]]:
    """A `BodyObjects` reader: the ids a JSON object body gives in `fields` (its field → their collection), each a
    string or, as OpenAI also takes some (a Response's `conversation`), an object with its `id`."""
    names = [field.encode() for field in fields]

    def named(raw: bytes) -> list[tuple[str, str]]:
        if not any(name in raw for name in names):
            return []
        try:
            body = json.loads(raw)
        except ValueError:  # (the function answers the 400)
            return []
        if not isinstance(body, dict):
            return []
        found = []
        for field, collection in fields.items():
            value = body.get(field)
            object_id = value.get("id") if isinstance(value, dict) else value
            if isinstance(object_id, str):
                found.append((collection, object_id))
        return found

    return named


class NamedObjects:
    """The objects a function's requests name, in their path (`path_objects`) or their POST body (`body_objects`),
    both keyed by path template, and the caller's objects its routes all read (`caller_objects`), which their
    routes read first: on DynamoDB read with the request's first reads (`read`'s `named`)."""

    def __init__(
        self, path_objects: PathObjects, body_objects: BodyObjects, caller_objects: CallerObjects | None = None
    ) -> None:
        self._path_objects, self._body_objects, self._caller_objects = path_objects, body_objects, caller_objects
        self._compiled: tuple[list[tuple[re.Pattern[str], Any]], list[tuple[re.Pattern[str], Any]]] | None = None

    def _patterns(self) -> tuple[list[tuple[re.Pattern[str], Any]], list[tuple[re.Pattern[str], Any]]]:
        if self._compiled is None:  # compiled when first asked (on DynamoDB only), not at a cold start's import
            self._compiled = (
                [(compile_path(template)[0], keys) for template, keys in self._path_objects.items()],
                [(compile_path(template)[0], reader) for template, reader in self._body_objects.items()],
            )
        return self._compiled

    def in_path(self, path: str) -> list[tuple[str, str]]:
        for pattern, keys in self._patterns()[0]:
            match = pattern.match(path)
            if match is not None:
                parameters = match.groupdict()
                return [(collection.format(**parameters), parameters[name]) for collection, name in keys]
        return []

    def _in_body(self, path: str) -> Callable[[bytes], Sequence[tuple[str, str]]] | None:
        return next((reader for pattern, reader in self._patterns()[1] if pattern.match(path)), None)

    async def of(
        self, scope: Scope, receive: Receive, declared: int, principal: Principal
    ) -> tuple[list[tuple[str, str]], Receive]:
        """The keys of the objects the request names, and the `receive` its function reads the body from: a body
        read here for the objects it names is given again."""
        named = self.in_path(scope["path"])
        if self._caller_objects is not None:
            named += self._caller_objects(principal)
        in_body = self._in_body(scope["path"]) if scope["method"] == "POST" and self._body_objects else None
        if in_body is None or declared > BODY_NAMES_BYTES:
            return named, receive
        messages, raw = await fixture_routes.read_body(receive)
        if len(raw) <= BODY_NAMES_BYTES:
            named += in_body(raw)
        return named, fixture_routes.replay(messages, receive)


def read(principal: Principal, state: dict[str, Any], billed: bool, named: Sequence[tuple[str, str]] = ()) -> None:
    """Read the request's tenant objects in one batch, with the objects its path or body `named` (kept for the
    request by the store: store/read_memo.py), and hand them on; a model request over its hard spend limit raises
    the 429 (`insufficient_quota`)."""
    stamps = copies.stamp_keys()
    if not stamps and not billed and not named:  # the memory store's other requests: nothing to batch
        return  # (the clock is read lazily)
    keys = [tenant_clock.KEY, *stamps, *(_MODEL_REQUEST if billed else ())]
    found = get_store().get_many(principal.tenant, keys, also=named)
    offset = tenant_clock.offset_of(found[0])
    clock.use_tenant_offset(lambda: offset)
    copies.use_stamps(principal.tenant, found[1 : 1 + len(stamps)])
    if billed:
        spend_state, own_quota, retention = found[1 + len(stamps) :]
        state[QUOTA_STATE_KEY] = own_quota
        state[RETENTION_STATE_KEY] = retention
        state[spend_guard.SPEND_STATE_KEY] = spend_guard.check_spend(principal, spend_state)
