"""Install it anywhere (#32): the wheel as a new user gets it, in a fresh virtualenv, used from an empty folder.

Slow by nature (~1 minute: a build, a virtualenv, an install; tests/infra/installed.py), and nothing is skipped."""

from __future__ import annotations

import re
import subprocess
import tarfile
import time
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.infra.installed import NEWEST_SDK, REPO, Installed, clean_env, free_port, installed, run

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
KEY = {"Authorization": "Bearer sk-test"}


@pytest.fixture(scope="module")
def wheel_env() -> Installed:
    env = installed()
    for step, seconds in env.seconds.items():
        print(f"\n{step}: {seconds:.1f} s", end="")
    print(f"\nwheel {env.wheel.name}: {env.wheel.stat().st_size:,} bytes; sdist: {env.sdist.stat().st_size:,} bytes")
    return env


def _user_project(folder: Path) -> Path:
    """The example project of docs/install.md: each ```python block that starts with `# <name>.py`."""
    folder.mkdir(parents=True, exist_ok=True)
    blocks = re.findall(r"```python\n(# (\w+\.py)\n.*?)```", (REPO / "docs" / "install.md").read_text(), re.S)
    assert {name for _, name in blocks} == {"app.py", "test_app.py"}
    for code, name in blocks:
        (folder / name).write_text(code)
    return folder


# --------------------------------------------------------------------------------------------- what is shipped


def test_the_wheel_carries_the_whole_mock(wheel_env: Installed) -> None:
    with zipfile.ZipFile(wheel_env.wheel) as wheel:
        names = set(wheel.namelist())
        assert wheel.read("openai_mock/_bundle/template.yaml") == (wheel_env.source / "template.yaml").read_bytes()
        entry_points = wheel.read(f"openai_mock-{VERSION}.dist-info/entry_points.txt").decode()
    bundled = {name.removeprefix("openai_mock/_bundle/") for name in names if name.startswith("openai_mock/_bundle/")}
    in_repo = {str(path.relative_to(wheel_env.source)) for path in (wheel_env.source / "functions").rglob("*.py")}
    assert in_repo <= bundled
    assert {"functions/__init__.py", "functions/chat/app.py", "template.yaml.parsed.json", "__init__.py"} <= bundled
    assert {"openai_mock/local/cli.py", "openai_mock/testing.py", "openai_mock/__main__.py"} <= names
    package = wheel_env.source / "shared" / "openai_mock"  # the tree as it was copied for the build
    data = {
        f"openai_mock/{path.relative_to(package)}"
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert data <= names, "data files of the package the wheel lacks (MANIFEST.in)"
    assert not [name for name in names if "__pycache__" in name or name.startswith(("tests/", "functions/"))]
    assert "openai-mock = openai_mock.local.cli:main" in entry_points
    assert "openai_mock.testing = openai_mock.testing" in entry_points  # [pytest11]
    # ~1.02 MB (December 2026): the sources, the bundled template and the console; a stray folder would show.
    assert wheel_env.wheel.stat().st_size < 1_500_000


def test_the_sdist_rebuilds_the_wheel(wheel_env: Installed) -> None:
    """`python -m build` made the wheel from the sdist, so the sdist is complete; still, name what it holds."""
    with tarfile.open(wheel_env.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {
        "template.yaml",
        "setup.py",
        "MANIFEST.in",
        "functions/models/app.py",
        "shared/openai_mock/local/template.py",
    } <= names


# --------------------------------------------------------------------------------------------- the command


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    return folder


def test_version_from_the_package_metadata(wheel_env: Installed, empty_folder: Path) -> None:
    assert run([wheel_env.bin("openai-mock"), "--version"], cwd=empty_folder).stdout == f"openai-mock {VERSION}\n"
    assert run([wheel_env.python, "-m", "openai_mock", "--version"], cwd=empty_folder).stdout.startswith(
        f"openai-mock {VERSION}"
    )


@pytest.fixture
def served(wheel_env: Installed, empty_folder: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    process = subprocess.Popen(
        [wheel_env.bin("openai-mock"), "serve", "--port", str(port)],
        cwd=empty_folder,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                httpx.get(f"{base_url}/models", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"openai-mock serve did not answer on {port}: {process.stdout.read()}")
                time.sleep(0.1)  # waiting for a process to bind
        yield base_url, process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_from_an_empty_folder_answers(served: tuple[str, str]) -> None:
    base_url, banner = served
    answer = httpx.get(f"{base_url}/models", headers=KEY)
    assert answer.status_code == 200
    assert "gpt-4o" in [model["id"] for model in answer.json()["data"]]
    assert f"openai-mock {VERSION}: " in banner and "of the packaged template" in banner and base_url in banner
    completion = httpx.post(
        f"{base_url}/chat/completions",
        headers=KEY,
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert completion.status_code == 200 and completion.json()["choices"][0]["message"]["content"]


def test_the_packaged_template_is_read_from_its_build_time_parse(wheel_env: Installed) -> None:
    """Serving the packaged mock parses no YAML at start-up: with PyYAML made unimportable it still reads."""
    script = (
        "import sys; sys.modules['yaml'] = None\n"
        "from openai_mock.local.bundle import packaged_template\n"
        "from openai_mock.local.template import read_document\n"
        "print(len(read_document(packaged_template())['Resources']))"
    )
    done = run([wheel_env.python, "-c", script], check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 40  # every function, the table, the bucket, the queues


def test_a_missing_or_broken_template_is_one_line_and_exit_2(wheel_env: Installed, empty_folder: Path) -> None:
    (empty_folder / "broken.yaml").write_text("Resources: [\n")
    for arguments, expected in (
        (["--template", "nope.yaml"], "nope.yaml (from --template) does not exist"),
        (["--template", "broken.yaml"], "broken.yaml is not valid YAML (line 2)"),
        (["--fixtures", "nope.json"], "--fixtures nope.json: no such file"),
    ):
        done = run(
            [wheel_env.bin("openai-mock"), "serve", "--port", "1", *arguments],
            cwd=empty_folder,
            check=False,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("openai-mock: error: ") and expected in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr and done.stdout == ""
    done = run(
        [wheel_env.bin("openai-mock"), "serve", "--port", "1"],
        cwd=empty_folder,
        check=False,
        timeout=60,
        env=clean_env(OPENAI_MOCK_TEMPLATE=str(empty_folder / "gone.yaml")),
    )
    assert done.returncode == 2 and "(from OPENAI_MOCK_TEMPLATE) does not exist" in done.stderr


# --------------------------------------------------------------------------------------------- the pytest plugin


@pytest.mark.parametrize("sdk", [NEWEST_SDK, "openai>=2,<3"])
def test_a_user_project_gets_the_openai_mock_fixture(wheel_env: Installed, tmp_path: Path, sdk: str) -> None:
    """docs/install.md's example, no conftest.py, no template: with openai 3.x (httpx2), then 2.x. The 2.x run
    has httpx2 installed beside it (openai 3 left it), so Starlette's TestClient runs on httpx2 and the plugin
    relays the SDK's httpx requests to it."""
    wheel_env.pip_install(sdk)
    project = _user_project(tmp_path / "my-app")
    done = run([wheel_env.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b4 passed\b", done.stdout)
    major = run([wheel_env.python, "-c", "import openai; print(openai.__version__)"]).stdout.split(".")[0]
    assert major == ("3" if sdk == NEWEST_SDK else "2")
    assert run([wheel_env.python, "-c", "import httpx2"], check=False).returncode == 0


def test_the_old_pytest_plugins_line_is_harmless(wheel_env: Installed, tmp_path: Path) -> None:
    project = _user_project(tmp_path / "old-style")
    (project / "conftest.py").write_text('pytest_plugins = ["openai_mock.testing"]\n')
    done = run(
        [wheel_env.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "models_answer"],
        cwd=project,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
