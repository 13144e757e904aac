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


DEPRECATION_NOTES = '''
ChatModel: TypeAlias = Literal["gpt-4", "gpt-4o"]
"""Deprecated values:

- "gpt-5.1", "gpt-5.1-2025-11-13":
  Announced shutdown date: 2027-04-01. See
  https://developers.openai.com/api/docs/deprecations for details.
- "gpt-5.1-mini": Not a supported model ID. Retained for SDK compatibility.
- "gpt-4o", "gpt-4o-2024-11-20",
  "gpt-4o-mini-2024-07-18": Announced shutdown date: 2027-01-14. See
  https://developers.openai.com/api/docs/deprecations.
- "whisper-1", "gpt-4o-transcribe": Announced
  shutdown date: 2027-02-26. See https://developers.openai.com/api/docs/deprecations.
- "gpt-image-1": GPT Image 1 was shut down on October 23, 2026. Use
  gpt-image-2.5-sunburst instead.
- "dall-e-2", "dall-e-3": This model was retired on May 12, 2026. Use a GPT
  image model instead.
- "hd": This quality was only supported by retired DALL-E models.
"""

class Params:
    model: str
    """The model.

    Deprecated values:

    - "gpt-4o": Announced shutdown date: 2030-01-01.
    - "o3-deep-research",
      "o3-deep-research-2025-06-26": Announced shutdown date: 2026-07-23.
    """
'''


def test_shutdown_dates_read_every_layout_of_the_deprecation_notes() -> None:
    assert gen_catalog.shutdown_dates(DEPRECATION_NOTES) == {
        "gpt-5.1": "2027-04-01",
        "gpt-5.1-2025-11-13": "2027-04-01",
        "gpt-4o": "2027-01-14",  # the first note that dates an id wins
        "gpt-4o-2024-11-20": "2027-01-14",
        "gpt-4o-mini-2024-07-18": "2027-01-14",  # an id on the entry's wrapped last line
        "whisper-1": "2027-02-26",  # "Announced\n  shutdown date:" wrapped
        "gpt-4o-transcribe": "2027-02-26",
        "gpt-image-1": "2026-10-23",  # "shut down on October 23, 2026"
        "dall-e-2": "2026-05-12",  # "retired on May 12, 2026"
        "dall-e-3": "2026-05-12",
        "o3-deep-research": "2026-07-23",  # an indented note on a params field
        "o3-deep-research-2025-06-26": "2026-07-23",
    }


def test_shutdown_dates_are_recorded_for_catalogue_ids_only() -> None:
    spec_ids = {"ModelIdsShared": ["gpt-4o", "gpt-5.4"]}
    built = gen_catalog.build(spec_ids, "3.63.0", [], {"gpt-4o": "2027-01-14", "/v1/videos": "2026-09-24"})
    assert built["models"]["gpt-4o"]["shutdown_date"] == "2027-01-14"
    assert "shutdown_date" not in built["models"]["gpt-5.4"]
    assert "/v1/videos" not in built["models"]


def test_the_check_keeps_the_dates_a_newer_sdk_recorded() -> None:
    committed = {
        "sources": {"sdk_version": "3.63.0"},
        "models": {"gpt-4": {"shutdown_date": "2026-10-23"}, "gpt-4o": {"shutdown_date": "2027-01-14"}, "o3": {}},
    }
    older = gen_catalog._with_recorded_dates({"gpt-4o": "2026-12-01"}, committed, "3.60.0")
    assert older == {"gpt-4": "2026-10-23", "gpt-4o": "2027-01-14"}  # the file records the newer SDK's word
    newer = gen_catalog._with_recorded_dates({"gpt-4o": "2027-06-01"}, committed, "3.70.0")
    assert newer == {"gpt-4": "2026-10-23", "gpt-4o": "2027-06-01"}  # a newer SDK's change fails the check


def test_the_committed_catalogue_dates_what_the_sdk_announces() -> None:
    by_id = models.catalog().by_id
    assert by_id["gpt-4o-mini-2024-07-18"].shutdown_date == "2027-01-14"
    assert by_id["gpt-image-1"].shutdown_date == "2026-10-23"
    assert by_id["o3-deep-research"].shutdown_date == "2026-07-23"
    assert by_id["sora-2"].shutdown_date == "2026-09-24"  # the family's day, from as_of.py
    assert by_id["gpt-5.4"].shutdown_date is None
