"""What the mock accepts reads back valid (issue #23, class 3): a value that would make every later read violate
the spec is refused when it is sent (OpenAI's 400 naming it), never stored. The exhaustive sweep over nested
fields, with reads after every 2xx, is tests/hardening/test_nested_types.py; these are the reported cases and a
property test over image URLs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from tests.support.spec import assert_conforms

BETA = {"Authorization": "Bearer sk-read-back", "OpenAI-Beta": "assistants=v2"}


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_a_null_max_num_results_is_refused_not_stored(mock_app: TemplateRouter) -> None:
    raw = TestClient(mock_app)
    tool = {"type": "file_search", "file_search": {"max_num_results": None}}
    error = _error(raw.post("/v1/assistants", headers=BETA, json={"model": "gpt-4o-mini", "tools": [tool]}))
    assert (error["param"], error["code"]) == ("tools[0].file_search.max_num_results", "invalid_type")
    assert raw.get("/v1/assistants", headers=BETA).json()["data"] == []


def test_an_empty_image_url_is_refused_not_stored(mock_app: TemplateRouter) -> None:
    raw = TestClient(mock_app)
    thread = raw.post("/v1/threads", headers=BETA, json={}).json()["id"]
    content = [{"type": "text", "text": "Look"}, {"type": "image_url", "image_url": {"url": ""}}]
    error = _error(raw.post(f"/v1/threads/{thread}/messages", headers=BETA, json={"role": "user", "content": content}))
    assert (error["param"], error["code"]) == ("content[1].image_url.url", "invalid_value")
    assert raw.get(f"/v1/threads/{thread}/messages", headers=BETA).json()["data"] == []
    created = raw.post("/v1/threads", headers=BETA, json={"messages": [{"role": "user", "content": content}]})
    assert _error(created)["param"] == "messages[0].content[1].image_url.url"


_URLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["https://example.org/cat.png", "http://x.y/a?b=c", "data:image/png;base64,iVBORw0KGgo="]),
    st.builds(
        lambda scheme, rest: f"{scheme}{rest}",
        st.sampled_from(["https://", "http:", "ftp://", "data:"]),
        st.text(max_size=20),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(url=_URLS)
def test_an_accepted_image_url_reads_back_as_a_uri(mock_app: TemplateRouter, url: str) -> None:
    raw = TestClient(mock_app)
    thread = raw.post("/v1/threads", headers=BETA, json={}).json()["id"]
    content = [{"type": "image_url", "image_url": {"url": url}}]
    response = raw.post(f"/v1/threads/{thread}/messages", headers=BETA, json={"role": "user", "content": content})
    if response.status_code == 400:
        assert response.json()["error"]["param"] == "content[0].image_url.url"
        return
    assert response.status_code == 200, response.text
    message = raw.get(f"/v1/threads/{thread}/messages/{response.json()['id']}", headers=BETA).json()
    assert_conforms("GET", f"/v1/threads/{thread}/messages/x", 200, message)
    stored = message["content"][0]["image_url"]["url"]
    parts = urlsplit(stored)
    assert parts.scheme in ("http", "https", "data") and (parts.netloc or parts.scheme == "data"), stored
