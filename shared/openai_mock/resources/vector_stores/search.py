"""Search over the completed files of one or more vector stores: attribute filters first, then every
candidate chunk is scored (index.score: hybrid BM25 + embeddings, in [0, 1]; with `ranker: "none"` the embedding
similarity alone, no re-ranking) and the best are returned.

This is the search the `file_search` tools of Responses and Assistants call:

    search(tenant, ["vs_…"], "how do cats purr", max_num_results=5)  -> [result, …]

where a result is the spec's VectorStoreSearchResultItem: {file_id, filename, score, attributes, content}."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from openai_mock import clock
from openai_mock.errors import invalid_request
from openai_mock.resources.vector_stores import index, params, records
from openai_mock.store import get_store
from openai_mock.store.base import Object

if TYPE_CHECKING:  # numpy costs ~90 ms of a cold start: it is imported where vectors are computed
    import numpy as np

Result = dict[str, Any]


class SearchOutcome(NamedTuple):
    search_query: list[str]  # the queries actually run (rewritten when asked)
    results: list[Result]


def _comparable(left: Any, right: Any) -> bool:
    """Same JSON kind: numbers with numbers (not booleans), strings with strings, booleans with booleans."""

    def kind(value: Any) -> str:
        return "bool" if isinstance(value, bool) else "number" if isinstance(value, int | float) else "string"

    return kind(left) == kind(right)


def matches(node: dict[str, Any] | None, attributes: dict[str, Any]) -> bool:
    """Does a file's attributes satisfy a (validated) comparison/compound filter? A missing key never matches."""
    if node is None:
        return True
    kind = node["type"]
    if kind in params.COMPOUNDS:
        outcomes = (matches(child, attributes) for child in node["filters"])
        return all(outcomes) if kind == "and" else any(outcomes)
    if node["key"] not in attributes or not _comparable(attributes[node["key"]], node["value"]):
        return False
    actual, expected = attributes[node["key"]], node["value"]
    if kind == "eq":
        return bool(actual == expected)
    if kind == "ne":
        return bool(actual != expected)
    if isinstance(actual, bool):
        return False  # booleans have no order
    return bool(
        {"gt": actual > expected, "gte": actual >= expected, "lt": actual < expected, "lte": actual <= expected}[kind]
    )


def _completed_files(tenant: str, vector_store_id: str, now: float) -> Iterator[Object]:
    collection = records.files_collection(vector_store_id)
    after = None
    while True:
        page = get_store().list(
            tenant,
            collection,
            limit=100,
            order="asc",
            after=after,
            where=lambda record: records.file_status(record, now) == "completed",
        )
        yield from page.items
        if not page.has_more or not page.items:
            return
        after = page.items[-1]["id"]


def _touch(tenant: str, vector_store_id: str) -> None:
    """Searching keeps a store active (its `expires_after` counts from `last_active_at`)."""

    def change(obj: Object) -> Object:
        obj["last_active_at"] = clock.now_seconds()
        return obj

    get_store().update(tenant, records.COLLECTION, vector_store_id, change)


def run(
    tenant: str,
    vector_store_ids: Sequence[str],
    query: str | list[str],
    *,
    max_num_results: int = 10,
    filters: Any = None,
    ranking_options: dict[str, Any] | None = None,
    rewrite_query: bool = False,
) -> SearchOutcome:
    """Validate, gather the candidate chunks, score them and keep the best `max_num_results`."""
    import numpy as np

    queries = params.queries(query)
    checked = params.filters(filters)
    try:  # callers other than the route (file_search tools) pass plain values
        options = params.RankingOptions.model_validate(ranking_options or {})
    except ValidationError:
        raise invalid_request(
            "Invalid 'ranking_options': expected an object with 'ranker' (a string) and 'score_threshold' (a number).",
            "ranking_options",
            "invalid_value",
        ) from None
    body = params.VectorStoreSearchRequest(query=queries, max_num_results=max_num_results, ranking_options=options)
    limit, ranker, threshold = params.search_options(body)
    if rewrite_query:
        queries = [index.rewrite(item) for item in queries]
    for vector_store_id in vector_store_ids:
        records.get_active_record(tenant, vector_store_id)
    now = clock.now()
    owners: list[Object] = []  # the file record of each candidate chunk
    chunks: list[str] = []
    vectors: list[np.ndarray] = []
    for vector_store_id in vector_store_ids:
        _touch(tenant, vector_store_id)
        for record in _completed_files(tenant, vector_store_id, now):
            loaded = (
                index.load(tenant, vector_store_id, record["id"]) if matches(checked, record["attributes"]) else None
            )
            if loaded is None:
                continue
            owners.extend([record] * len(loaded.chunks))
            chunks.extend(loaded.chunks)
            vectors.append(loaded.vectors)
    if not chunks:
        return SearchOutcome(queries, [])
    scores = index.score(queries, chunks, np.vstack(vectors), rerank=ranker != "none")
    # Best first; ties keep corpus order (stable sort), so the ranking is deterministic.
    ranked = [position for position in np.argsort(-scores, kind="stable") if scores[position] >= threshold]
    results = [
        {
            "file_id": owners[position]["id"],
            "filename": owners[position]["_filename"],
            "score": round(float(scores[position]), 6),
            "attributes": owners[position]["attributes"],
            "content": [{"type": "text", "text": chunks[position]}],
        }
        for position in ranked[:limit]
    ]
    return SearchOutcome(queries, results)


def search(
    tenant: str,
    vector_store_ids: Sequence[str],
    query: str | list[str],
    max_num_results: int = 10,
    filters: Any = None,
    ranking_options: dict[str, Any] | None = None,
    rewrite_query: bool = False,
) -> list[Result]:
    """The chunks most relevant to `query` across the given vector stores, best first (for file_search)."""
    return run(
        tenant,
        vector_store_ids,
        query,
        max_num_results=max_num_results,
        filters=filters,
        ranking_options=ranking_options,
        rewrite_query=rewrite_query,
    ).results


def search_page(tenant: str, vector_store_id: str, body: params.VectorStoreSearchRequest) -> Object:
    """`POST /v1/vector_stores/{id}/search`: VectorStoreSearchResultsPage."""
    options = body.ranking_options.model_dump() if body.ranking_options else None
    outcome = run(
        tenant,
        [vector_store_id],
        body.query,
        max_num_results=body.max_num_results,
        filters=body.filters,
        ranking_options=options,
        rewrite_query=body.rewrite_query,
    )
    return {
        "object": "vector_store.search_results.page",
        "search_query": outcome.search_query,
        "data": outcome.results,
        "has_more": False,
        "next_page": None,
    }
