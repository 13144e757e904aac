"""Tool resources of assistants, threads and runs: the checks (every file and vector store must exist), the
vector stores a `vector_stores` helper creates, and the vector stores a run searches."""

from __future__ import annotations

from typing import Any

from openai_mock.checks import check_max_items, check_metadata
from openai_mock.errors import invalid_request
from openai_mock.resources.assistants import params
from openai_mock.resources.vector_stores import params as vector_store_params
from openai_mock.resources.vector_stores import vector_stores
from openai_mock.resources.vector_stores.records import get_active_record

MAX_VECTOR_STORE_FILES = 10_000


def _vector_store_helper(tenant: str, helpers: Any, param: str) -> list[vector_store_params.CreateVectorStoreRequest]:
    if not isinstance(helpers, list):
        raise invalid_request(f"Invalid type for '{param}': expected an array of objects.", param, "invalid_type")
    check_max_items(helpers, 1, param)
    requests = []
    for index, helper in enumerate(helpers):
        where = f"{param}[{index}]"
        if not isinstance(helper, dict):
            raise invalid_request(f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        file_ids = params.check_file_ids(
            tenant, helper.get("file_ids", []), f"{where}.file_ids", MAX_VECTOR_STORE_FILES
        )
        vector_store_params.chunking_strategy(helper.get("chunking_strategy"), f"{where}.chunking_strategy")
        check_metadata(helper.get("metadata"))
        requests.append(
            vector_store_params.CreateVectorStoreRequest(
                file_ids=file_ids, chunking_strategy=helper.get("chunking_strategy"), metadata=helper.get("metadata")
            )
        )
    return requests


def check_tool_resources(
    tenant: str,
    value: dict[str, Any] | None,
    param: str = "tool_resources",
) -> tuple[dict[str, Any], list[vector_store_params.CreateVectorStoreRequest]]:
    """Checked tool resources (every file and vector store must exist for the tenant), plus the vector stores the
    `vector_stores` helper asks to create (created by `materialise`, once everything else is valid)."""
    if value is None:
        return {}, []
    resources: dict[str, Any] = {}
    unknown = set(value) - {"code_interpreter", "file_search"}
    if unknown:
        name = sorted(unknown)[0]
        raise invalid_request(
            f"Unrecognized request argument supplied: {param}.{name}", f"{param}.{name}", "unknown_parameter"
        )
    if value.get("code_interpreter") is not None:
        file_ids = (value["code_interpreter"] or {}).get("file_ids", [])
        resources["code_interpreter"] = {
            "file_ids": params.check_file_ids(
                tenant, file_ids, f"{param}.code_interpreter.file_ids", params.MAX_CODE_INTERPRETER_FILES
            )
        }
    helpers: list[vector_store_params.CreateVectorStoreRequest] = []
    search = value.get("file_search")
    if search is not None:
        where = f"{param}.file_search"
        store_ids = search.get("vector_store_ids", [])
        if not isinstance(store_ids, list) or not all(isinstance(item, str) for item in store_ids):
            raise invalid_request(
                f"Invalid type for '{where}.vector_store_ids': expected an array of strings.",
                f"{where}.vector_store_ids",
                "invalid_type",
            )
        check_max_items(store_ids, 1, f"{where}.vector_store_ids")
        for store_id in store_ids:
            get_active_record(tenant, store_id)
        if search.get("vector_stores") is not None:
            if store_ids:
                raise invalid_request(
                    f"Invalid '{where}': only one of 'vector_store_ids' or 'vector_stores' may be provided.",
                    where,
                    "invalid_value",
                )
            helpers = _vector_store_helper(tenant, search["vector_stores"], f"{where}.vector_stores")
        resources["file_search"] = {"vector_store_ids": list(store_ids)}
    return resources, helpers


def materialise(
    tenant: str, resources: dict[str, Any], helpers: list[vector_store_params.CreateVectorStoreRequest]
) -> dict[str, Any]:
    """Create the vector stores a `vector_stores` helper asked for and list them in the resources."""
    for request in helpers:
        created = vector_stores.create_vector_store(tenant, request)
        resources["file_search"]["vector_store_ids"].append(created["id"])
    return resources


def vector_store_ids(*resources: dict[str, Any] | None) -> list[str]:
    """Every vector store named by some tool resources (an assistant's, then a thread's), without repeats."""
    found: list[str] = []
    for resource in resources:
        for store_id in ((resource or {}).get("file_search") or {}).get("vector_store_ids", []):
            if store_id not in found:
                found.append(store_id)
    return found
