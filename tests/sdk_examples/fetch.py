"""Downloads the sdists of the openai and openai-agents packages the venv has installed (same versions, so the
examples match the SDK they import) and unpacks each into `.cache/sdk-examples/<package>-<version>/`, the archive's
top folder stripped. The examples are never copied into the repository: PyPI is where they live.

Idempotent: an unpacked sdist carries a stamp file and is left alone; a new SDK version in the venv gets its own
folder. `make sdk-examples` runs it (`python -m tests.sdk_examples.fetch`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "sdk-examples"
PACKAGES = ("openai", "openai-agents")
STAMP = ".unpacked"


def sdist_root(package: str) -> Path:
    """Where the sdist of the installed version of `package` is (or will be) unpacked."""
    return CACHE / f"{package}-{metadata.version(package)}"


def is_unpacked(package: str) -> bool:
    return (sdist_root(package) / STAMP).is_file()


def fetch(package: str) -> Path:
    """The unpacked sdist of the installed `package`, downloaded with pip (sdist only, no dependencies) if missing."""
    root = sdist_root(package)
    if is_unpacked(package):
        return root
    version = metadata.version(package)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet"),
                *("--no-deps", "--no-binary", ":all:", "--dest", download, f"{package}=={version}"),
            ],
            check=True,
        )
        (archive,) = Path(download).glob("*.tar.gz")
        shutil.rmtree(root, ignore_errors=True)  # a half-unpacked folder of an interrupted run
        _unpack(archive, root)
    (root / STAMP).write_text(f"{package}=={version}\n")
    return root


def _unpack(archive: Path, root: Path) -> None:
    """Extracts `archive` into `root` without its single top folder (`openai_agents-0.25.0/`)."""
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            inner = PurePosixPath(member.name).parts[1:]
            if inner:
                member.name = str(PurePosixPath(*inner))
                members.append(member)
        tar.extractall(root, members=members, filter="data")


def main() -> None:
    for package in PACKAGES:
        print(f"{package}: {fetch(package).relative_to(REPO)}")


if __name__ == "__main__":
    main()
