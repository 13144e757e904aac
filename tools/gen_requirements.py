"""Write shared/requirements.txt (what `sam build` installs into the layer) from pyproject.toml,
the single source of dependencies. `--check` fails when the committed file has drifted."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "shared" / "requirements.txt"


def render() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = ["# Generated from pyproject.toml by tools/gen_requirements.py; do not edit.", *project["dependencies"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    wanted = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != wanted:
            print(f"{TARGET} is out of date: run `make requirements`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
