"""Ids: OpenAI's prefixes and lengths, time-sortable."""

from __future__ import annotations

import multiprocessing

from openai_mock import clock, ids


def test_ids_carry_openai_prefixes_and_lengths() -> None:
    assert ids.new_id("file").startswith("file-") and len(ids.new_id("file")) == len("file-") + 22
    assert ids.new_id("chat.completion").startswith("chatcmpl-")
    assert ids.new_id("assistant").startswith("asst_")
    assert ids.new_id("vector_store").startswith("vs_")
    assert len({ids.new_id("thread") for _ in range(1000)}) == 1000


def test_ids_sort_in_creation_order_even_within_one_millisecond() -> None:
    clock.freeze(1_800_000_000.0)
    same_ms = [ids.new_id("file") for _ in range(50)]
    clock.advance(0.001)
    later = ids.new_id("file")
    assert sorted(same_ms) == same_ms
    assert later > same_ms[-1]


def test_a_forked_process_makes_other_tails_than_its_parent() -> None:
    """The tails come from a per-process generator: a forked child (uvicorn workers, multiprocessing) is reseeded,
    so two processes making ids in the same millisecond with the same sequence still differ."""

    def tails(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
        queue.put([ids.new_id("file")[-12:] for _ in range(20)])

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=tails, args=(queue,))
    child.start()
    theirs = queue.get(timeout=30)
    child.join(timeout=30)
    ours = [ids.new_id("file")[-12:] for _ in range(20)]
    assert not set(theirs) & set(ours)
