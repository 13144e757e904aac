"""tools/gen_catalog.py: the family rules, the derived `created`, and the committed catalogue being current."""

from __future__ import annotations

import calendar
import importlib.util
import json
import re
from types import ModuleType

import pytest

from openai_mock.resources import models
from tests.support import spec


def _gen_catalog() -> ModuleType:
    path = spec.REPO_ROOT / "tools" / "gen_catalog.py"
    loaded = importlib.util.spec_from_file_location("gen_catalog", path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


gen_catalog = _gen_catalog()
PATTERNS = [(re.compile(pattern), name) for name, pattern, _ in gen_catalog.FAMILIES]


@pytest.mark.parametrize(
    ("model_id", "family"),
    [
        ("gpt-5", "gpt-5"),
        ("gpt-5.4", "gpt-5"),
        ("gpt-5-mini-2025-08-07", "gpt-5-mini"),
        ("gpt-5.9-mini", "gpt-5-mini"),
        ("gpt-5.2-chat-latest", "gpt-5-chat"),
        ("gpt-5.5-pro-2026-04-23", "gpt-5-pro"),
        ("gpt-5.1-codex-max", "gpt-5-codex"),
        ("o3", "o"),
        ("o4-mini-2025-04-16", "o-mini"),
        ("o3-deep-research", "o-deep-research"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-transcribe-2025-12-15", "gpt-4o-mini-transcribe"),
        ("gpt-4-0125-preview", "gpt-4-turbo"),
        ("gpt-4-32k-0613", "gpt-4-32k"),
        ("gpt-3.5-turbo-16k", "gpt-3.5-turbo-16k"),
        ("gpt-image-1-mini", "gpt-image-mini"),
        ("chatgpt-image-latest", "gpt-image"),
        ("gpt-realtime-2.1-mini", "gpt-realtime-mini"),
        ("sora-2-pro-2025-10-06", "sora-2-pro"),
        ("tts-1-hd-1106", "tts-1-hd"),
        ("llama-3-70b", None),
    ],
)
def test_family_rules(model_id: str, family: str | None) -> None:
    assert gen_catalog.family_of(model_id, PATTERNS) == family
    assert models.catalog().family_of(model_id) == family  # the runtime reads the same rules from the file


def test_every_family_serves_some_id_and_every_id_has_one() -> None:
    committed = json.loads(gen_catalog.OUTPUT.read_text())
    used = {entry["family"] for entry in committed["models"].values()}
    assert used == set(committed["families"])
    assert len(committed["models"]) >= 160


def test_created_comes_from_the_listing_the_date_suffix_or_the_siblings() -> None:
    by_id = models.catalog().by_id
    assert by_id["gpt-4o"].created == 1715367049  # as the live API listed it
    noon = calendar.timegm((2025, 8, 7, 12, 0, 0))
    assert noon <= by_id["gpt-5-2025-08-07"].created < noon + 3600
    assert by_id["gpt-5.4"].created // 86400 == calendar.timegm((2026, 3, 17, 0, 0, 0)) // 86400
    assert by_id["gpt-4-0314"].created // 86400 == calendar.timegm((2023, 3, 14, 0, 0, 0)) // 86400


def test_the_committed_catalogue_is_what_the_sources_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert gen_catalog.main(["--check"]) == 0, capsys.readouterr().err
