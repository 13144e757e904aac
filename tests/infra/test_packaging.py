"""What makes the mock installable anywhere, checked in-process and fast (test_wheel.py checks the real wheel):
which template is served, the one-line errors of `openai-mock serve`, the pytest plugin's registration, and
the SDK relay for openai 2.x beside httpx2."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import openai
import pytest

from openai_mock.local import bundle, cli, template
from openai_mock.local.bundle import TemplateError, find_template
from openai_mock.local.template import Template
from openai_mock.testing import MockOpenAI, _relay

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


# --------------------------------------------------------------------------------------------- which template


def _checkout(folder: Path) -> Path:
    (folder / "shared" / "openai_mock").mkdir(parents=True)
    shutil.copyfile(REPO / "template.yaml", folder / "template.yaml")
    return folder / "template.yaml"


def test_template_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # Outside any checkout: the installation's own (an editable install's is the checkout it points at).
    assert find_template() == bundle.FoundTemplate(REPO / "template.yaml", "packaged")
    # A user's own SAM app is not the mock.
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    assert find_template().origin == "packaged"
    # A checkout at or above the working directory wins over the packaged one…
    checkout = _checkout(tmp_path / "my-fork")
    (tmp_path / "my-fork" / "functions").mkdir()
    monkeypatch.chdir(tmp_path / "my-fork" / "functions")
    assert find_template() == bundle.FoundTemplate(checkout, "checkout")
    # …the environment variable over the checkout, an explicit path over both.
    monkeypatch.setenv(bundle.TEMPLATE_VARIABLE, str(REPO / "template.yaml"))
    assert find_template() == bundle.FoundTemplate(REPO / "template.yaml", bundle.TEMPLATE_VARIABLE)
    assert find_template("../template.yaml") == bundle.FoundTemplate(checkout, "--template")
    with pytest.raises(TemplateError, match=r"nope.yaml \(from --template\) does not exist"):
        find_template("nope.yaml")


def test_the_packaged_mock_imports_under_its_own_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundled function modules are openai_mock._bundle.functions.<group>.app: a user's `functions` package is
    never shadowed, and nothing is added to sys.path."""
    shutil.copyfile(REPO / "template.yaml", tmp_path / "template.yaml")
    monkeypatch.setattr(template, "BUNDLE_DIR", tmp_path)
    packaged = Template(tmp_path / "template.yaml")
    models = next(function for function in packaged.functions if function.logical_id == "ModelsFunction")
    assert models.module_name == "openai_mock._bundle.functions.models.app"
    before = list(sys.path)
    packaged.make_importable()
    assert sys.path == before
    assert Template(REPO / "template.yaml").functions[0].module_name.startswith("functions.")


def test_the_build_time_parse_is_used_only_while_it_matches(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    shutil.copyfile(REPO / "template.yaml", path)
    prepared = template.parsed_document(path)
    assert prepared["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    marked = {**prepared, "document": {**prepared["document"], "Description": "from the JSON"}}
    (tmp_path / f"template.yaml{template.PARSED_SUFFIX}").write_text(json.dumps(marked))
    assert Template(path).document["Description"] == "from the JSON"
    path.write_text(path.read_text() + "\n# edited after the build\n")
    assert Template(path).document["Description"] != "from the JSON"


# --------------------------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Resources: [\n", "is not valid YAML (line 2)"),
        ("- a list\n", "is not a SAM template (no Resources mapping)"),
        ("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {}\n", "F is not a function"),
        (
            "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: gone/}\n",
            "F: {folder}/gone/app.py does not exist",
        ),
        ("Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n", "declares no AWS::Serverless::Function"),
    ],
)
def test_a_broken_template_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (tmp_path / "t.yaml").write_text(content)
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--template", str(tmp_path / "t.yaml")])
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("openai-mock: error: ") and stderr.count("\n") == 1
    assert expected.format(folder=tmp_path) in stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [("fixtures: [{response: {nope: 1}}]\n", "validation error"), ("{]", "fixtures.yaml: ")],
)
def test_a_broken_fixtures_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (tmp_path / "fixtures.yaml").write_text(content)
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--template", str(REPO / "template.yaml"), "--fixtures", str(tmp_path / "fixtures.yaml")])
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and expected in stderr


def test_version_from_the_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"openai-mock {VERSION}\n"
    done = subprocess.run(
        [sys.executable, "-m", "openai_mock", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"openai-mock {VERSION}\n"


# --------------------------------------------------------------------------------------------- the pytest plugin


def test_the_plugin_is_an_entry_point_named_after_its_module() -> None:
    (plugin,) = [point for point in entry_points(group="pytest11") if point.value == "openai_mock.testing"]
    assert plugin.name == "openai_mock.testing"  # so `pytest_plugins = ["openai_mock.testing"]` is a no-op


def test_this_suite_loads_the_plugin_once(request: pytest.FixtureRequest) -> None:
    import openai_mock.testing

    manager = request.config.pluginmanager
    assert manager.get_plugin("openai_mock.testing") is openai_mock.testing
    assert [plugin for plugin in manager.get_plugins() if plugin is openai_mock.testing] == [openai_mock.testing]


def test_the_fixture_from_the_plugin(openai_mock: MockOpenAI) -> None:
    openai_mock.add_fixture(match={"contains": "ping"}, response={"content": "pong"})
    answer = openai_mock.client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "ping"}]
    )
    assert answer.choices[0].message.content == "pong"


def test_the_sdk_relay_carries_json_streams_and_uploads() -> None:
    """What openai 2.x gets when Starlette's TestClient runs on httpx2: its own httpx client, relaying to the
    TestClient. Exercised here httpx to httpx, whichever SDK is installed (test_wheel.py runs the real case)."""
    mock = MockOpenAI()
    try:
        relayed = httpx.Client(base_url="http://testserver", transport=_relay(httpx, mock.http))
        client = openai.OpenAI(
            base_url="http://testserver/v1", api_key=mock.api_key, http_client=relayed, max_retries=0
        )
        assert "gpt-4o" in [model.id for model in client.models.list()]
        stream = client.chat.completions.create(
            model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "hi"}]
        )
        assert len(list(stream)) > 2
        uploaded = client.files.create(file=("notes.txt", b"hello"), purpose="assistants")
        assert uploaded.bytes == 5
        with pytest.raises(openai.NotFoundError):
            client.models.retrieve("no-such-model")
    finally:
        mock.close()


def test_the_changelog_has_this_version() -> None:
    """release.yml refuses a tag whose version has no CHANGELOG.md entry; so does this, earlier."""
    assert f"\n## [{VERSION}] - " in (REPO / "CHANGELOG.md").read_text()
