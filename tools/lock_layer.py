"""Write shared/requirements.lock: the layer's dependencies (pyproject.toml's, the single source), resolved and
pinned with hashes for the Lambda runtime (CPython 3.13 on Amazon Linux 2023, x86_64), by uv. `sam build`
installs exactly these wheels into the layer (shared/Makefile), so two builds of one commit ship the same bytes.

`--check` (offline, in `make lint`) fails when pyproject.toml's dependencies changed since the lock was made:
the lock's first lines record a digest of the list it was resolved from. `make lock` re-resolves (network)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "shared" / "requirements.lock"
# Amazon Linux 2023 has glibc 2.34: manylinux_2_34 and every older manylinux wheel loads there.
PYTHON_VERSION = "3.13"
PLATFORM = "x86_64-manylinux_2_34"


def dependencies() -> list[str]:
    return list(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def digest(requirements: list[str]) -> str:
    return hashlib.sha256("\n".join(requirements).encode()).hexdigest()


def header(requirements: list[str]) -> str:
    return (
        "# The Lambda layer's dependencies, resolved for CPython "
        f"{PYTHON_VERSION} on {PLATFORM} by `make lock` (tools/lock_layer.py); do not edit.\n"
        f"# pyproject.toml dependencies digest: {digest(requirements)}\n"
    )


def resolve(requirements: list[str], uv: str) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        wanted = Path(scratch) / "layer.in"
        wanted.write_text("\n".join(requirements) + "\n")
        command = [uv, "pip", "compile", str(wanted), "--python-version", PYTHON_VERSION]
        command += ["--python-platform", PLATFORM, "--only-binary", ":all:", "--generate-hashes", "--no-header"]
        command += ["--no-annotate", "--quiet"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def is_current() -> bool:
    return TARGET.is_file() and f"digest: {digest(dependencies())}\n" in TARGET.read_text()


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if not is_current():
            print(f"{TARGET} was not resolved from pyproject.toml's dependencies: run `make lock`", file=sys.stderr)
            return 1
        return 0
    uv = str(Path(sys.executable).with_name("uv"))
    requirements = dependencies()
    TARGET.write_text(header(requirements) + resolve(requirements, uv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
