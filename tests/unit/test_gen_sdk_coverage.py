"""tools/gen_sdk_coverage.py: what it reads of the SDK, and what the page it writes says."""

from __future__ import annotations

import ast
import importlib.util
from types import ModuleType

import pytest

from tests.support import spec


def _load() -> ModuleType:
    path = spec.REPO_ROOT / "tools" / "gen_sdk_coverage.py"
    loaded = importlib.util.spec_from_file_location("gen_sdk_coverage", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


coverage = _load()


@pytest.fixture(scope="module")
def operations() -> dict[str, tuple[str, str]]:
    _, found = coverage.sdk_operations()
    return {op.accessor: (op.method, op.path) for op in found}


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ('"/models"', "/models"),
        ('path_template("/batches/{batch_id}/cancel", batch_id=batch_id)', "/batches/{batch_id}/cancel"),
        ('f"/files/{file_id}/content"', "/files/{}/content"),
        ("some_variable", None),
    ],
)
def test_the_path_of_a_request(source: str, path: str | None) -> None:
    assert coverage._path_of(ast.parse(source, mode="eval").body) == path


def test_the_sdk_is_read_call_by_call(operations: dict[str, tuple[str, str]]) -> None:
    assert operations["chat.completions.create"] == ("POST", "/v1/chat/completions")
    assert operations["beta.threads.runs.submit_tool_outputs"] == ("POST", "/v1/threads/{}/runs/{}/submit_tool_outputs")
    assert operations["models.retrieve"] == ("GET", "/v1/models/{}")
    # A paginated POST (`_get_api_list(…, method="post")`) and a method the package's subclass inherits.
    assert operations["webhooks.create"] == ("POST", "/v1/webhook_endpoints")


def test_every_sdk_call_of_todays_spec_is_served(operations: dict[str, tuple[str, str]]) -> None:
    served, todays = coverage.served_routes(), coverage.spec_routes()
    in_spec = {accessor for accessor, route in operations.items() if route in todays}
    assert len(in_spec) > 250
    assert {accessor for accessor in in_spec if operations[accessor] not in served} == set()


def test_the_page_names_what_is_not_served() -> None:
    page = coverage.render(
        "9.9.9",
        [
            coverage.SdkOperation("models.list", "GET", "/v1/models"),
            coverage.SdkOperation("widgets.create", "POST", "/v1/widgets"),
            coverage.SdkOperation("widgets.list", "GET", "/v1/widgets"),
        ],
        served={("GET", "/v1/models")},
        spec={("GET", "/v1/models")},
    )
    assert "from `openai` 9.9.9" in page
    assert "**3** HTTP operations; the mock serves **1**" in page
    assert "| `client.widgets` | `create`, `list` | `POST /v1/widgets`<br>`GET /v1/widgets` |" in page
    assert "In today's spec, not served" not in page


def test_what_the_mock_serves_beyond_todays_spec_the_sdk_calls(operations: dict[str, tuple[str, str]]) -> None:
    """A route of no spec is served only as the official SDK calls it (`client.webhooks.*`)."""
    from tests.infra.test_template import SDK_ONLY

    called = set(operations.values())
    assert {(method, coverage._unnamed(path)) for method, path in SDK_ONLY} <= called
    beyond = {route for route in coverage.served_routes() - coverage.spec_routes() if route[1].startswith("/v1/")}
    assert beyond <= called
