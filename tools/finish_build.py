"""Finish what `sam build` produced (run by `make build` after it): leave out what the layer never loads,
ship the token encodings prepared, then ship bytecode.

1. bpe-openai is in the layer for its encoding files, which openai_mock.generation.tokens hands to tiktoken;
   its own Rust tokenizer (a 71 MB extension module) is never imported, so it is left out: a third of the
   layer, which every cold container downloads.
2. SAM's Python builder copies sources and unpacks wheels without compiling them, and Lambda's /opt and
   /var/task are read-only: without bytecode every cold start compiles every module it imports (FastAPI,
   pydantic, Starlette, the layer) and throws the result away. The .pyc files are written as
   "unchecked-hash" (PEP 552) so the zip round trip's rounded timestamps cannot invalidate them. Only a
   Python of the runtime's version can write bytecode the runtime will load: tools/runtime_python.py finds
   one; without it this step is skipped (the build is still correct, just slower to start).
3. The layer reads each token encoding's file on a container's first request to count tokens: ~100 ms of
   parsing for o200k_base, before tiktoken builds the encoding. What tiktoken builds it from is read here once
   and shipped pickled (`openai_mock.generation.tokens.PREPARED_DIR`), ~30 ms to load."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import runtime_python  # tools/, beside this script

from openai_mock.generation import tokens

# Inside the built layer's python/: the files of its dependencies that the mock never loads.
NEVER_LOADED = ("bpe_openai/_bindings*.so",)
# Packages' own test suites (numpy's alone would add 9 MB of bytecode to the layer).
_NEVER_IMPORTED = re.compile(r"[/\\]tests[/\\]")


def leave_out_unused(build_dir: Path) -> int:
    """Delete NEVER_LOADED from the built layer; the bytes freed."""
    freed = 0
    for pattern in NEVER_LOADED:
        for path in (build_dir / "ResponseGenerationLayer" / "python").glob(pattern):
            freed += path.stat().st_size
            path.unlink()
    return freed


def ship_prepared_encodings(build_dir: Path) -> list[Path]:
    """Write the prepared encodings where the built layer's copy of `tokens` looks for them."""
    package = Path(tokens.__file__).parents[1]  # openai_mock/
    layer_package = build_dir / "ResponseGenerationLayer" / "python" / package.name
    return tokens.write_prepared_encodings(layer_package / tokens.PREPARED_DIR.relative_to(package))


def compile_bytecode(build_dir: Path) -> bool:
    version = runtime_python.runtime_version(build_dir / "template.yaml")
    python = runtime_python.find(version)
    if python is None:
        print(
            f"finish_build: no Python {version[0]}.{version[1]} here (tools/runtime_python.py looks for one) to write "
            "the runtime's bytecode; skipped: the build is correct, its cold starts are slower"
        )
        return True
    targets = [str(path) for path in sorted(build_dir.iterdir()) if path.is_dir()]
    command = [str(python), "-m", "compileall", "-q", "-j", "0", "-f", "--invalidation-mode", "unchecked-hash"]
    ok = subprocess.run([*command, "-x", _NEVER_IMPORTED.pattern, *targets]).returncode == 0
    print(f"finish_build: bytecode written by {python} for {len(targets)} artifacts in {build_dir}")
    return ok


def main(build_dir: Path) -> int:
    freed = leave_out_unused(build_dir)
    print(f"finish_build: {freed / 1e6:.0f} MB the layer never loads left out")
    prepared = ship_prepared_encodings(build_dir)
    size = sum(path.stat().st_size for path in prepared)
    print(f"finish_build: {len(prepared)} prepared token encodings shipped ({size / 1e6:.1f} MB)")
    return 0 if compile_bytecode(build_dir) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")))
