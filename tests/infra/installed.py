"""This working tree as a user gets it: sdist and wheel built with `python -m build` from a copy of the sources,
the wheel installed into a fresh virtualenv (no system site-packages) with its dependencies. Built once per
pytest process and shared by test_wheel.py and test_action.py.

The dependencies' wheels are kept in .cache/wheelhouse and installed from there offline; only what is missing is
downloaded (pip's own HTTP cache is not reliable here: the index's answers may come back uncacheable)."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WHEELHOUSE = REPO / ".cache" / "wheelhouse"
# What `python -m build` needs from the tree; the sdist it makes must carry the rest (MANIFEST.in).
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "template.yaml", "functions", "shared/openai_mock")
NEWEST_SDK = "openai>=3,<4"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would leak the repository's setup into a user's."""
    dropped = ("OPENAI_", "PYTEST_", "PYTHON", "VIRTUAL_ENV", "COV_CORE_", "COVERAGE_")
    env = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    return {**env, **extra}


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Installed:
    root: Path  # a temporary folder, removed when the process exits
    source: Path  # root/src: the copy of the working tree that was built
    wheel: Path
    sdist: Path
    venv: Path  # root/runner/openai-mock: where action.yml puts its virtualenv when RUNNER_TEMP=root/runner
    seconds: dict[str, float]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def pip_install(self, *requirements: str | Path) -> None:
        pip_install(self.python, *requirements)


def pip_install(python: Path, *requirements: str | Path) -> None:
    """Install into `python`'s environment (this process's pip, `--python`) from the wheelhouse; download into
    the wheelhouse only what is missing."""
    offline = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--disable-pip-version-check",
        "--quiet",
        "--no-compile",
        "--no-index",
        "--find-links",
        WHEELHOUSE,
        *requirements,
    ]
    if run(offline, check=False).returncode == 0:
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            WHEELHOUSE,
            *requirements,
        ],
        timeout=600,
    )
    for stale in WHEELHOUSE.glob("openai_mock-*"):  # the wheel under test is installed from its own path
        stale.unlink()
    run(offline)


def _copy_sources(target: Path) -> None:
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        source, copy = REPO / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=ignored)
        else:
            shutil.copyfile(source, copy)


@lru_cache(maxsize=1)
def installed() -> Installed:
    root = Path(tempfile.mkdtemp(prefix="openai-mock-wheel-"))
    atexit.register(shutil.rmtree, root, True)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    _copy_sources(root / "src")
    run([sys.executable, "-m", "build", "--outdir", root / "dist", root / "src"], timeout=600)
    seconds["build (sdist, then the wheel from it)"] = time.perf_counter() - started
    (wheel,) = (root / "dist").glob("*.whl")
    (sdist,) = (root / "dist").glob("*.tar.gz")

    started = time.perf_counter()
    venv = root / "runner" / "openai-mock"
    # No --system-site-packages: only what the wheel brings. pip is installed below with the rest, from the
    # wheelhouse, rather than by ensurepip: a few seconds less (action.yml's install step runs this pip).
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    pip_install(venv / "bin" / "python", wheel, NEWEST_SDK, "pytest", "pip")
    seconds["venv + pip install (the wheel, its dependencies, openai 3, pytest)"] = time.perf_counter() - started
    return Installed(root, root / "src", wheel, sdist, venv, seconds)
