"""Finish what `sam build` produced (run by `make build` after it): leave out what the layer never loads,
ship the token encodings prepared, then ship bytecode.

1. bpe-openai is in the layer for its encoding files, which openai_mock.generation.tokens hands to tiktoken;
   its own Rust tokenizer (a 71 MB extension module) is never imported, so it is left out: a third of the
   layer, which every cold container downloads.
2. SAM's Python builder copies sources and unpacks wheels without compiling them, and Lambda's /opt and
   /var/task are read-only: without bytecode every cold start compiles every module it imports (FastAPI,
   pydantic, Starlette, the layer) and throws the result away. The .pyc files are written as
   "unchecked-hash" (PEP 552) so the zip round trip's rounded timestamps cannot invalidate them. Only a
   Python of the runtime's version can write bytecode the runtime will load; any other version skips this
   step (the build is still correct, just slower to start).
3. The layer reads each token encoding's file on a container's first request to count tokens: ~100 ms of
   parsing for o200k_base, before tiktoken builds the encoding. What tiktoken builds it from is read here once
   and shipped pickled (`openai_mock.generation.tokens.PREPARED_DIR`), ~30 ms to load."""

from __future__ import annotations

import compileall
import py_compile
import re
import sys
from pathlib import Path

from openai_mock.generation import tokens


def runtime_version(build_dir: Path) -> tuple[int, int] | None:
    """The pythonX.Y runtime the built template declares (Globals), if any."""
    match = re.search(r"Runtime:\s*python(\d+)\.(\d+)", (build_dir / "template.yaml").read_text())
    return (int(match.group(1)), int(match.group(2))) if match else None


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
    wanted = runtime_version(build_dir)
    if wanted != sys.version_info[:2]:
        print(
            f"finish_build: Python {sys.version_info[0]}.{sys.version_info[1]} cannot write bytecode for the "
            f"python{wanted[0] if wanted else '?'}.{wanted[1] if wanted else '?'} runtime; skipped"
        )
        return True
    targets = [path for path in sorted(build_dir.iterdir()) if path.is_dir()]
    ok = all(
        compileall.compile_dir(
            target,
            quiet=1,
            workers=0,
            rx=_NEVER_IMPORTED,
            force=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        for target in targets
    )
    print(f"finish_build: bytecode written for {len(targets)} artifacts in {build_dir}")
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
