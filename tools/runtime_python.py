"""Find a Python of the Lambda runtime's version (template.yaml's Globals, python3.13) on this machine.

`make build` needs none: the layer's wheels are chosen for the runtime by uv, whatever Python runs the build
(shared/Makefile). Two steps do need one, because only the runtime's own version can do them: writing the
bytecode the layer ships (tools/finish_build.py) and importing the built functions with the built layer
(tests/infra/test_deploy_build.py: its wheels are compiled for 3.13). Looked for, in order:
OPENAI_MOCK_RUNTIME_PYTHON, `python3.13` on PATH, then pyenv's installed versions."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def runtime_version(template: Path = ROOT / "template.yaml") -> tuple[int, int]:
    """The pythonX.Y runtime a template declares (its Globals)."""
    match = re.search(r"Runtime:\s*python(\d+)\.(\d+)", template.read_text())
    if match is None:
        raise ValueError(f"{template} declares no pythonX.Y runtime")
    return int(match.group(1)), int(match.group(2))


def find(version: tuple[int, int] | None = None) -> Path | None:
    """An interpreter of `version` (default: the template's runtime) that runs, or None."""
    wanted = version or runtime_version()
    if sys.version_info[:2] == wanted:
        return Path(sys.executable)
    name = f"python{wanted[0]}.{wanted[1]}"
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [os.environ.get("OPENAI_MOCK_RUNTIME_PYTHON"), shutil.which(name)]
    candidates += sorted(map(str, pyenv.glob(f"{wanted[0]}.{wanted[1]}.*/bin/{name}")), reverse=True)
    for candidate in filter(None, candidates):
        if _version_of(candidate) == wanted:
            return Path(candidate)
    return None


def _version_of(python: str) -> tuple[int, int] | None:
    # A pyenv shim of a version that is installed but not selected exists and fails: run it to know.
    try:
        run = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return None
    if run.returncode != 0:
        return None
    major, minor = run.stdout.split()
    return int(major), int(minor)


if __name__ == "__main__":
    found = find()
    print(found or "")
    sys.exit(0 if found else 1)
