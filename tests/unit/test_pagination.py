"""The list helper: limits, order, the envelope, in-memory pagination."""

from __future__ import annotations

import pytest

from openai_mock.errors import OpenAIError
from openai_mock.pagination import ListParams, Page, checked_list_params, list_object, paginate


@pytest.mark.parametrize(("limit", "code"), [(0, "integer_below_min_value"), (101, "integer_above_max_value")])
def test_limit_out_of_range_is_400(limit: int, code: str) -> None:
    with pytest.raises(OpenAIError) as raised:
        checked_list_params(limit, "desc", None, None)
    assert (raised.value.status, raised.value.param, raised.value.code) == (400, "limit", code)


def test_order_must_be_asc_or_desc() -> None:
    with pytest.raises(OpenAIError) as raised:
        checked_list_params(20, "sideways", None, None)
    assert raised.value.param == "order"
    assert checked_list_params(100, "asc", "x", "") == ListParams(100, "asc", "x", None)


def test_list_object_envelope() -> None:
    assert list_object(Page([{"id": "a"}, {"id": "b"}], True)) == {
        "object": "list",
        "data": [{"id": "a"}, {"id": "b"}],
        "first_id": "a",
        "last_id": "b",
        "has_more": True,
    }
    assert list_object(Page([], False))["first_id"] is None


def test_paginate_sequences_like_the_store() -> None:
    items = [{"id": f"i{n}"} for n in range(5)]
    page = paginate(items, ListParams(limit=2, order="asc", after="i1"))
    assert [i["id"] for i in page.items] == ["i2", "i3"] and page.has_more
    page = paginate(items, ListParams(limit=2, order="desc", before="i1"))
    assert [i["id"] for i in page.items] == ["i3", "i2"] and page.has_more
