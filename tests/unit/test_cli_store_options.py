"""`openai-mock serve --store … --workers …`: what the options accept, and what they refuse before serving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openai_mock.local import cli


@pytest.fixture(autouse=True)
def restored_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The options write os.environ (as `serve` must, for its workers): put it back after each test."""
    for name in ("OPENAI_MOCK_STORE", "OPENAI_MOCK_SQLITE_PATH", "OPENAI_MOCK_TEMPLATE"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_store_option_names_a_backend_and_sqlites_file() -> None:
    assert cli._store_option("memory") == ("memory", None)
    assert cli._store_option("sqlite") == ("sqlite", None)
    assert cli._store_option("sqlite:/tmp/mock.sqlite3") == ("sqlite", "/tmp/mock.sqlite3")
    assert cli._store_option("dynamodb") == ("dynamodb", None)
    for wrong in ("redis", "memory:/tmp/x", "dynamodb:table"):
        with pytest.raises(Exception, match="expected memory, sqlite"):
            cli._store_option(wrong)


def test_workers_option_takes_a_count_or_auto() -> None:
    assert cli._workers_option("3") == 3
    assert cli._workers_option("auto") == (os.cpu_count() or 1)
    for wrong in ("0", "-1", "many"):
        with pytest.raises(Exception, match="expected a number of processes"):
            cli._workers_option(wrong)


def test_sqlite_path_becomes_the_settings_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = cli._parser().parse_args(["serve", "--store", "sqlite:state/mock.sqlite3"])
    cli._apply_options(args)
    assert os.environ["OPENAI_MOCK_STORE"] == "sqlite"
    assert os.environ["OPENAI_MOCK_SQLITE_PATH"] == str(tmp_path / "state" / "mock.sqlite3")


def test_workers_without_a_store_share_a_temporary_sqlite_database() -> None:
    args = cli._parser().parse_args(["serve", "--workers", "2"])
    cli._apply_options(args)
    assert os.environ["OPENAI_MOCK_STORE"] == "sqlite"
    assert Path(os.environ["OPENAI_MOCK_SQLITE_PATH"]).parent.is_dir()


def test_workers_on_the_memory_store_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--workers", "2", "--store", "memory"])
    assert exited.value.code == cli.USAGE_ERROR
    assert "--workers shares state through the store" in capsys.readouterr().err
