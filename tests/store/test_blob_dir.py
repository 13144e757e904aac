"""The folder blob store (`--blob-dir`, OPENAI_MOCK_BLOB_DIR): what several local processes share for bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from openai_mock.settings import reset_settings
from openai_mock.store import get_blobs, reset_stores
from openai_mock.store.blobs import FileBlobStore


def test_put_get_delete_and_a_second_instance_sees_the_same_bytes(tmp_path: Path) -> None:
    first, second = FileBlobStore(tmp_path), FileBlobStore(tmp_path)
    first.put("tenant", "file-abc/content", b"hello")
    assert second.get("tenant", "file-abc/content") == b"hello"
    first.put("tenant", "file-abc/content", b"replaced")
    assert second.get("tenant", "file-abc/content") == b"replaced"
    assert [path.name for path in (tmp_path / "tenant" / "file-abc").iterdir()] == ["content"]  # no leftovers
    second.delete("tenant", "file-abc/content")
    assert first.get("tenant", "file-abc/content") is None
    first.delete("tenant", "file-abc/content")  # already gone: fine


@pytest.mark.parametrize("key", ["../escape", "a//b", "./a", ""])
def test_keys_cannot_leave_the_folder(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        FileBlobStore(tmp_path).put("tenant", key, b"x")


def test_the_setting_selects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_BLOB_DIR", str(tmp_path))
    reset_settings()
    reset_stores()
    assert isinstance(get_blobs(), FileBlobStore)
