"""DynamoDB store: one table shared by every function, `pk` = tenant#collection, `sk` = object id.
Objects are kept as JSON text (no Decimal round-trips); `version` guards updates; `expires_at` is the
table's TTL attribute. The boto3 client is injected or created lazily, never at import.

Big objects: DynamoDB refuses items over 400 KB (a 250 KB Responses input, a 480 KB stored chat completion).
A body over `SPILL_BYTES` is kept zlib-compressed (`body_z`, binary), and if it is still too big, in the blob
store (S3 with persistence), the item keeping only its key (`body_ref`): transparently, for every method. The blob
store may be given as a factory, called the first time a body needs it: a function whose objects never spill then
never creates an S3 client (a cold start's cost)."""

from __future__ import annotations

import functools
import json
import os
import random
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from openai_mock import clock
from openai_mock.pagination import Order, Page
from openai_mock.store import read_memo, write_behind
from openai_mock.store.backend_errors import GuardedClient, backend_unavailable
from openai_mock.store.base import BlobStore, Change, ConflictError, Counted, CounterItems, Object, Predicate

_UPDATE_ATTEMPTS = 50
# Backoff between conflicting writers. Jitter keeps writers from colliding again in lockstep; it decides
# timing only, never content, so it needs no seed.
_BACKOFF_BASE_SECONDS = 0.005
_BACKOFF_CAP_SECONDS = 0.2
_jitter = random.Random()


def _back_off(attempt: int) -> None:
    """Before a conflicting or throttled call's next attempt: none before the first, then jittered waits growing
    from 5 ms to 200 ms."""
    if attempt:
        time.sleep(_jitter.uniform(0, min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2 ** min(attempt, 6))))


# Bodies over this are compressed, then (still too big) spilled to the blob store. The item's other attributes
# and names stay well under the rest of DynamoDB's 400 KB (409,600 bytes).
SPILL_BYTES = 350_000
# Each tenant's partition `<tenant>#__collections__` holds one small item per collection the tenant has written
# (sk = the collection's name), so a reset finds every item of the tenant by Queries, never a Scan of the table.
INDEX_COLLECTION = "__collections__"


def _pk(tenant: str, collection: str) -> str:
    return f"{tenant}#{collection}"


# DynamoDB refuses a key over these sizes (a ValidationException: a 500). No item can have one, so a key built from
# a client's id that long (a path's, a body's) is read as none: the route's own 404, as an unknown id gets.
_PK_BYTES, _SK_BYTES = 2048, 1024
_BATCH_GET_KEYS = 100  # the most one BatchGetItem takes
_TRANSACTION_ITEMS, _TRANSACTION_BYTES = 100, 3_500_000  # a TransactWriteItems takes 100 items, 4 MB


def _can_exist(pk: str, sk: str = "") -> bool:
    return _size(pk) <= _PK_BYTES and _size(sk) <= _SK_BYTES


def _size(key: str) -> int:
    """The key's UTF-8 size, or its length when even four bytes a character fit either limit (not encoded then)."""
    return len(key) if len(key) * 4 <= _SK_BYTES else len(key.encode("utf-8", "surrogatepass"))


def _walk_beyond(query: dict[str, Any], cursor: str, ascending: bool) -> Callable[[str], bool]:
    """A cursor too long for a key (no object's id, yet a place in the order, as in the other stores): the Query's
    key condition starts at a short key just on the near side of it, and the returned test drops the few keys
    between that key and the cursor (those sharing its first kilobyte)."""
    near = cursor.encode("utf-8")[:_SK_BYTES].decode("utf-8", "ignore")  # every key above the cursor is above it
    if ascending:
        query["KeyConditionExpression"] += " AND sk > :near"
        query["ExpressionAttributeValues"][":near"] = {"S": near}
        return lambda sk: sk > cursor
    while near:  # every key below the cursor is below its prefix with the last character raised
        last = ord(near[-1]) + 1
        above = near[:-1] + chr(last) if last <= 0x10FFFF and not 0xD800 <= last <= 0xDFFF else ""
        if above and _size(above) <= _SK_BYTES:
            query["KeyConditionExpression"] += " AND sk < :above"
            query["ExpressionAttributeValues"][":above"] = {"S": above}
            break
        near = near[:-1]
    return lambda sk: sk < cursor


def _index_item(tenant: str, collection: str) -> dict[str, Any]:
    return {"pk": {"S": _pk(tenant, INDEX_COLLECTION)}, "sk": {"S": collection}}


def _transactions(items: list[dict], reserved: int = 0) -> list[list[dict]]:
    """The items in transactions DynamoDB takes: at most a hundred items (`reserved` of the first's kept for others),
    at most 4 MB in all (an item's body is at most SPILL_BYTES, its other attributes small)."""
    transactions: list[list[dict]] = [[]]
    room, size = _TRANSACTION_ITEMS - reserved, 0
    for item in items:
        body = next(item[name] for name in ("body", "body_z", "body_ref") if name in item)  # {"S": …} or {"B": …}
        item_size = len(next(iter(body.values()))) + 1_000
        if len(transactions[-1]) == room or (transactions[-1] and size + item_size > _TRANSACTION_BYTES):
            transactions.append([])
            room, size = _TRANSACTION_ITEMS, 0
        transactions[-1].append(item)
        size += item_size
    return transactions


def _copy(item: dict, obj: Object) -> Object:
    """A private copy of what was just written (from its JSON text when the item holds it)."""
    return json.loads(item["body"]["S"] if "body" in item else json.dumps(obj))


def _tenant_of(item: dict) -> str:
    return str(item["pk"]["S"]).split("#", 1)[0]


class DynamoDBStore:
    def __init__(
        self,
        table_name: str,
        client: Any,
        ttl_seconds: int = 0,
        blobs: BlobStore | Callable[[], BlobStore] | None = None,
    ) -> None:
        self._table = table_name
        self._client = GuardedClient(client)
        self._ttl = ttl_seconds
        # Where bodies too big for an item go (none: DynamoDB refuses them, a 500), or what makes it on first need.
        self._blob_store = blobs
        # (tenant, collection) pairs this process has put in the tenant's index: one write each per process.
        self._indexed: set[tuple[str, str]] = set()

    @property
    def _blobs(self) -> BlobStore | None:
        if callable(self._blob_store):
            self._blob_store = self._blob_store()
        return self._blob_store

    @staticmethod
    def _is_conditional_failure(error: Exception) -> bool:
        return isinstance(error, ClientError) and error.response["Error"]["Code"] == "ConditionalCheckFailedException"

    def _item(self, tenant: str, collection: str, obj: Object, version: int, expires_at: int | None) -> dict:
        item = {
            "pk": {"S": _pk(tenant, collection)},
            "sk": {"S": obj["id"]},
            "version": {"N": str(version)},
            **self._body_attribute(tenant, collection, obj, version),
        }
        if expires_at is not None:
            item["expires_at"] = {"N": str(expires_at)}
        return item

    def _body_attribute(self, tenant: str, collection: str, obj: Object, version: int) -> dict[str, Any]:
        text = json.dumps(obj)  # ASCII (non-ASCII characters escaped): its length is its size
        if len(text) <= SPILL_BYTES:
            return {"body": {"S": text}}
        packed = zlib.compress(text.encode(), 6)
        if len(packed) <= SPILL_BYTES or self._blobs is None:
            return {"body_z": {"B": packed}}
        # Unique per write: a refused write deletes its own blob, never the one a rival write stored.
        key = f"_items/{collection}/{obj['id']}/{version}-{os.urandom(8).hex()}"
        self._blobs.put(tenant, key, packed)
        return {"body_ref": {"S": key}}

    def _body(self, item: dict) -> Object:
        """The object an item holds, wherever its body is."""
        if "body" in item:
            return json.loads(item["body"]["S"])
        if "body_z" in item:
            return json.loads(zlib.decompress(item["body_z"]["B"]))
        packed = self._spilled(item)
        if packed is None:
            raise ConflictError(item["sk"]["S"])  # its blob is gone: the item is being replaced or deleted
        return json.loads(zlib.decompress(packed))

    def _spilled(self, item: dict) -> bytes | None:
        if self._blobs is None or "body_ref" not in item:
            return None
        return self._blobs.get(_tenant_of(item), item["body_ref"]["S"])

    def _drop_spilled(self, item: dict | None) -> None:
        if item is not None and self._blobs is not None and "body_ref" in item:
            self._blobs.delete(_tenant_of(item), item["body_ref"]["S"])

    def _expiry(self) -> int | None:
        return int(clock.process_now()) + self._ttl if self._ttl else None

    @staticmethod
    def _expired(item: dict) -> bool:
        # DynamoDB deletes expired items lazily (within days), so reads must hide them themselves.
        expires_at = item.get("expires_at")
        return expires_at is not None and float(expires_at["N"]) <= clock.process_now()

    def _get_item(self, tenant: str, collection: str, object_id: str) -> dict | None:
        if not _can_exist(_pk(tenant, collection), object_id):
            return None
        answer = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": _pk(tenant, collection)}, "sk": {"S": object_id}},
            ConsistentRead=True,
        )
        item = answer.get("Item")
        if item is None or self._expired(item):
            return None
        read_memo.remember((item["pk"]["S"], object_id), item)
        return item

    def _index(self, tenant: str, collection: str) -> None:
        """Note that the tenant has written to `collection` (before the write: an item is never unindexed).
        Idempotent (the same small item, put again); done once per process and collection. Index items outlive
        a reset, so another process's memory of having written them stays true."""
        if (tenant, collection) in self._indexed:
            return
        self._client.put_item(TableName=self._table, Item=_index_item(tenant, collection))
        self._indexed.add((tenant, collection))

    def _collections(self, tenant: str) -> list[str]:
        """Every collection the tenant has written (from its index partition: a Query)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _pk(tenant, INDEX_COLLECTION)}},
            "ProjectionExpression": "sk",
            "ConsistentRead": True,
        }
        found: list[str] = []
        while True:
            answer = self._client.query(**query)
            found += [item["sk"]["S"] for item in answer.get("Items", [])]
            if "LastEvaluatedKey" not in answer:
                return found
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def create(self, tenant: str, collection: str, obj: Object) -> Object:
        self._index(tenant, collection)
        item = self._item(tenant, collection, obj, 1, self._expiry())
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                # An expired leftover may be overwritten; a live object may not.
                ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                ExpressionAttributeValues={":now": {"N": str(int(clock.process_now()))}},
            )
        except Exception as error:
            self._drop_spilled(item)
            if self._is_conditional_failure(error):
                raise ConflictError(obj["id"]) from error
            raise
        read_memo.remember((item["pk"]["S"], obj["id"]), item)
        return _copy(item, obj)

    def create_many(self, tenant: str, collection: str, objects: Sequence[Object]) -> None:
        """TransactWriteItems of up to a hundred items (all or none of each, under `create`'s condition), the
        transactions sent at once; if one fails, what the others wrote is deleted again: none is kept."""
        ids: set[str] = set()
        for obj in objects:  # a transaction refuses an item twice (a 500): the taken id's error instead
            if obj["id"] in ids:
                raise ConflictError(obj["id"])
            ids.add(obj["id"])
        if not objects:
            return
        expires_at = self._expiry()
        items = [self._item(tenant, collection, obj, 1, expires_at) for obj in objects]
        # The collection's index item (see `_index`) in the first transaction: written with the items, not before.
        index = None if (tenant, collection) in self._indexed else _index_item(tenant, collection)
        transactions = _transactions(items, reserved=1 if index else 0)
        failures = write_behind.together(
            [
                functools.partial(self._create_at_once, chunk, index if position == 0 else None)
                for position, chunk in enumerate(transactions)
            ]
        )
        failed = next((failure for failure in failures if failure is not None), None)
        if failed is None:
            if index is not None:
                self._indexed.add((tenant, collection))
            for item in items:
                read_memo.remember((item["pk"]["S"], item["sk"]["S"]), item)
            return
        written: list[dict] = []
        for chunk, failure in zip(transactions, failures, strict=True):
            if failure is None:
                written += chunk  # deleted again below, spilled bodies with them
            else:
                for item in chunk:
                    self._drop_spilled(item)
        self._delete_items(written)
        raise failed

    def _create_at_once(self, items: list[dict], index: dict | None) -> Exception | None:
        """One transaction's puts (and the collection's index item, last); its failure answered, not raised
        (`create_many` undoes what the others wrote)."""
        now = {":now": {"N": str(int(clock.process_now()))}}
        condition = "attribute_not_exists(pk) OR expires_at <= :now"
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": item,
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": now,
                }
            }
            for item in items
        ]
        if index is not None:
            puts.append({"Put": {"TableName": self._table, "Item": index}})
        try:
            self._client.transact_write_items(TransactItems=puts)
        except ClientError as error:  # TransactionCanceledException: why, item by item
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                return ConflictError(items[reasons.index("ConditionalCheckFailed")]["sk"]["S"])
            return backend_unavailable()  # another transaction on an item, throttling: worth a retry
        except Exception as error:
            return error
        return None

    def get(self, tenant: str, collection: str, object_id: str) -> Object | None:
        item = self._remembered((_pk(tenant, collection), object_id)) or self._get_item(tenant, collection, object_id)
        return self._body(item) if item else None

    def _remembered(self, key: tuple[str, str]) -> dict | None:
        """The item as this request last read or wrote it (store/read_memo.py), unless it has expired since or its
        body is a blob (another container's update deletes the blob it replaces: read such an item again)."""
        item = read_memo.recall(key)
        return None if item is None or "body_ref" in item or self._expired(item) else item

    def get_many(
        self, tenant: str, keys: Sequence[tuple[str, str]], *, also: Sequence[tuple[str, str]] = ()
    ) -> list[Object | None]:
        """A BatchGetItem (strongly consistent; keys it leaves unprocessed, when throttled, asked again) of the keys
        this request has not read yet (store/read_memo.py), a hundred keys each; `also`'s items are kept there, not
        decoded."""
        if not keys and not also:
            return []
        items: dict[tuple[str, str], dict] = {}
        wanted = set()  # no key twice in a batch
        for collection, object_id in (*keys, *also):
            key = (_pk(tenant, collection), object_id)
            remembered = self._remembered(key)
            if remembered is not None:
                items[key] = remembered
            elif _can_exist(*key):
                wanted.add(key)
        if wanted:
            items.update(self._batch_get(wanted))
        found: list[Object | None] = []
        for collection, object_id in keys:
            item = items.get((_pk(tenant, collection), object_id))
            found.append(None if item is None or self._expired(item) else self._body(item))
        return found

    def _batch_get(self, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        keys = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in wanted]
        items: dict[tuple[str, str], dict] = {}
        for start in range(0, len(keys), _BATCH_GET_KEYS):  # (a batch of a hundred files, say)
            items.update(self._batch_get_call(keys[start : start + _BATCH_GET_KEYS]))
        return items

    def _batch_get_call(self, keys: list[dict[str, Any]]) -> dict[tuple[str, str], dict]:
        items: dict[tuple[str, str], dict] = {}
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for attempt in range(_UPDATE_ATTEMPTS):
            _back_off(attempt)
            answer = self._client.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(self._table, []):
                items[item["pk"]["S"], item["sk"]["S"]] = item
                read_memo.remember((item["pk"]["S"], item["sk"]["S"]), item)
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                return items
        raise backend_unavailable()  # throttled all along, as a throttled single read is

    def update(self, tenant: str, collection: str, object_id: str, change: Change) -> Object | None:
        key = (_pk(tenant, collection), object_id)
        remembered = self._remembered(key)  # the item as this request read it: no read again
        for attempt in range(_UPDATE_ATTEMPTS):
            if attempt == 0 and remembered is not None:
                item: dict | None = remembered
            else:
                _back_off(max(0, attempt - 1) if remembered is not None else attempt)
                item = self._get_item(tenant, collection, object_id)
            if item is None:
                return None
            version = int(item["version"]["N"])
            try:
                current = self._body(item)
            except ConflictError:
                continue  # replaced while we read it: read again
            updated = change(current)
            expires_at = int(item["expires_at"]["N"]) if "expires_at" in item else None
            new_item = self._item(tenant, collection, updated, version + 1, expires_at)
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=new_item,
                    ConditionExpression="version = :version",
                    ExpressionAttributeValues={":version": {"N": str(version)}},
                )
            except Exception as error:
                self._drop_spilled(new_item)
                if self._is_conditional_failure(error):
                    read_memo.forget(key)
                    continue  # someone else wrote first: re-read and re-apply
                raise
            read_memo.remember(key, new_item)
            self._drop_spilled(item)  # the version it replaced
            return _copy(new_item, updated)
        raise ConflictError(object_id)

    def delete(self, tenant: str, collection: str, object_id: str) -> Object | None:
        read_memo.forget((_pk(tenant, collection), object_id))
        if not _can_exist(_pk(tenant, collection), object_id):
            return None
        answer = self._client.delete_item(
            TableName=self._table,
            Key={"pk": {"S": _pk(tenant, collection)}, "sk": {"S": object_id}},
            ReturnValues="ALL_OLD",
        )
        item = answer.get("Attributes")
        if item is None:
            return None
        try:
            return None if self._expired(item) else self._body(item)
        finally:
            self._drop_spilled(item)

    def list(
        self,
        tenant: str,
        collection: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        where: Predicate | None = None,
    ) -> Page:
        ascending = order == "asc"
        cursor = after
        if before is not None:
            ascending, cursor = not ascending, before  # walk away from the cursor, reverse at the end
        pk = _pk(tenant, collection)
        if not _can_exist(pk):
            return Page([], False)
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": ascending,
            "ConsistentRead": True,
            # One more than asked, to learn `has_more` in the same Query when nothing is filtered out.
            "Limit": limit + 1,
        }
        beyond = None
        if cursor is not None and _can_exist(pk, cursor):
            query["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": cursor}}
        elif cursor is not None:
            beyond = _walk_beyond(query, cursor, ascending)
        found: list[Object] = []
        has_more = False
        while True:
            answer = self._client.query(**query)
            for item in answer.get("Items", []):
                if self._expired(item) or (beyond is not None and not beyond(item["sk"]["S"])):
                    continue
                try:
                    obj = self._body(item)
                except ConflictError:  # replaced while listed: its new version is not on this page
                    continue
                if where is not None and not where(obj):
                    continue
                if len(found) == limit:
                    has_more = True
                    break
                found.append(obj)
            if has_more or "LastEvaluatedKey" not in answer:
                break
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        if before is not None:
            found.reverse()
        return Page(found, has_more)

    def delete_collection(self, tenant: str, collection: str) -> int:
        return self.keep_newest(tenant, collection, 0)  # objects and counter items alike: the partition's every item

    def keep_newest(self, tenant: str, collection: str, count: int) -> int:
        """The collection's keys newest first (one Query, keys only, page by page); past its `count` newest live
        items, every item is deleted, 25 per BatchWriteItem (a trimmed journal: a hundred entries in four calls,
        not a hundred)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _pk(tenant, collection)}},
            "ProjectionExpression": "pk, sk, expires_at, body_ref",
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        kept = removed = 0
        while True:
            answer = self._client.query(**query)
            older = []
            for item in answer.get("Items", []):
                if kept < count and not self._expired(item):
                    kept += 1
                else:
                    older.append(item)
            removed += self._delete_items(older)
            if "LastEvaluatedKey" not in answer:
                return removed
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def delete_tenant(self, tenant: str) -> int:
        """Delete every object and counter of the tenant: one Query per collection its index lists (no Scan:
        other tenants' items are never read). The index itself stays (see `_index`)."""
        return sum(
            self.delete_collection(tenant, collection)
            for collection in self._collections(tenant)
            if collection != INDEX_COLLECTION
        )

    def increment(
        self,
        tenant: str,
        collection: str,
        key: str,
        amounts: Mapping[str, int],
        *,
        limits: Mapping[str, int] | None = None,
        expires_in: float | None = None,
    ) -> Counted:
        """One UpdateItem: ADD the amounts (numbers `n_<name>`), the expiry set when the item is created, and the
        limits as its condition (refused: the item as it stood, from the same call)."""
        item_key = {"pk": {"S": _pk(tenant, collection)}, "sk": {"S": key}}
        limits = limits or {}
        self._index(tenant, collection)
        if any(amounts.get(name, 0) > limit for name, limit in limits.items()):
            return Counted(False, self._counter_values(self._get_counter(item_key), amounts))
        names = {f"#c{index}": f"n_{name}" for index, name in enumerate(amounts)}
        values: dict[str, Any] = {f":a{index}": {"N": str(amount)} for index, amount in enumerate(amounts.values())}
        update = "ADD " + ", ".join(f"#c{index} :a{index}" for index in range(len(amounts)))
        if expires_in:
            update = "SET expires_at = if_not_exists(expires_at, :expires) " + update
            values[":expires"] = {"N": str(int(clock.process_now() + expires_in))}
        conditions = []
        for index, (name, limit) in enumerate(limits.items()):
            names[f"#l{index}"] = f"n_{name}"
            values[f":l{index}"] = {"N": str(limit - amounts.get(name, 0))}
            conditions.append(f"(attribute_not_exists(#l{index}) OR #l{index} <= :l{index})")
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": item_key,
            "UpdateExpression": update,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if conditions:
            request["ConditionExpression"] = " AND ".join(conditions)
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            answer = self._client.update_item(**request)
        except Exception as error:
            if not self._is_conditional_failure(error):
                raise
            old = getattr(error, "response", {}).get("Item") or self._get_counter(item_key)
            return Counted(False, self._counter_values(old, amounts))
        item = answer.get("Attributes") or {}
        if self._expired(item):  # a leftover DynamoDB has not swept yet: start it over
            self._client.delete_item(TableName=self._table, Key=item_key)
            return self.increment(tenant, collection, key, amounts, limits=limits, expires_in=expires_in)
        return Counted(True, self._counter_values(item, amounts))

    def counters(self, tenant: str, collection: str, *, after: str = "", before: str | None = None) -> CounterItems:
        """One Query of the collection's partition (strongly consistent, page by page), on the sort key's range."""
        if before is not None and before <= after:
            return []  # an empty range (DynamoDB refuses BETWEEN with its bounds reversed)
        values: dict[str, Any] = {":pk": {"S": _pk(tenant, collection)}}
        condition = "pk = :pk"
        if after:
            values[":after"] = {"S": after}
        if before is not None:
            values[":before"] = {"S": before}
        if after and before is not None:  # BETWEEN is inclusive: the bounds themselves are dropped below
            condition += " AND sk BETWEEN :after AND :before"
        elif after:  # (a key attribute's value is never empty: no bound for the empty string)
            condition += " AND sk > :after"
        elif before is not None:
            condition += " AND sk < :before"
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
        }
        found = []
        while True:
            answer = self._client.query(**query)
            for item in answer.get("Items", []):
                key = item["sk"]["S"]
                if key != after and key != before and not self._expired(item):
                    found.append((key, self._counter_values(item, {})))
            if "LastEvaluatedKey" not in answer:
                return found
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _get_counter(self, item_key: dict[str, Any]) -> dict[str, Any]:
        answer = self._client.get_item(TableName=self._table, Key=item_key, ConsistentRead=True)
        item = answer.get("Item")
        return {} if item is None or self._expired(item) else item

    @staticmethod
    def _counter_values(item: Mapping[str, Any], amounts: Mapping[str, int]) -> dict[str, int]:
        found = {name[2:]: int(value["N"]) for name, value in item.items() if name.startswith("n_")}
        return {**dict.fromkeys(amounts, 0), **found}

    def _delete_items(self, items: Sequence[dict[str, Any]]) -> int:
        """Delete items (their keys, and a spilled body's blob when `body_ref` was read), 25 per BatchWriteItem,
        the batches sent at once (a trimmed journal's hundred entries: one round trip's wait, not four)."""
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
        if keys:
            read_memo.forget_all()
        batches = [keys[start : start + 25] for start in range(0, len(keys), 25)]  # BatchWriteItem takes 25
        write_behind.together([functools.partial(self._delete_batch, batch) for batch in batches])
        for item in items:
            self._drop_spilled(item)
        return len(keys)

    def _delete_batch(self, keys: Sequence[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {self._table: [{"DeleteRequest": {"Key": key}} for key in keys]}
        for attempt in range(_UPDATE_ATTEMPTS):  # deletes left unprocessed (throttling): asked again
            _back_off(attempt)
            pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
        raise backend_unavailable()


TABLE_KEY_SCHEMA = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
TABLE_ATTRIBUTES = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
]


def create_table(client: Any, table_name: str) -> None:
    """Create the table as template.yaml declares it (local DynamoDB and tests; SAM does it on AWS)."""
    client.create_table(
        TableName=table_name,
        KeySchema=TABLE_KEY_SCHEMA,
        AttributeDefinitions=TABLE_ATTRIBUTES,
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table_name)
