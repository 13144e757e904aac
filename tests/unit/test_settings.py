"""Settings: read once from the environment; bad values fail loudly."""

from __future__ import annotations

import pytest

from openai_mock.settings import get_settings, reset_settings


def test_settings_read_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_API_KEYS", "sk-a, sk-b")
    monkeypatch.setenv("OPENAI_MOCK_SEED", "42")
    reset_settings()
    settings = get_settings()
    assert settings.api_keys == ("sk-a", "sk-b")
    assert settings.seed == 42
    assert settings.store == "memory"
    monkeypatch.setenv("OPENAI_MOCK_SEED", "43")
    assert get_settings().seed == 42  # cached until reset
    reset_settings()
    assert get_settings().seed == 43


def test_empty_variables_mean_unset_and_bad_values_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("OPENAI_MOCK_SEED", "")  # what template.yaml sets when MockSeed is empty
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    reset_settings()
    assert get_settings().seed is None
    assert get_settings().store == "dynamodb"
    monkeypatch.setenv("OPENAI_MOCK_STORE", "postgres")
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()
