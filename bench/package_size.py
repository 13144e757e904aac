"""Package size budget and cold-start import time of what `make build` produced (.aws-sam/build).

1. Size: the layer and every function zipped the way `sam package` zips them (deflate), and unzipped.
   Lambda's limit: function + layers ≤ 250 MB unzipped.
2. Cold start: a fresh `python -I -S` process that puts the built function and the built layer on sys.path
   (as the Lambda runtime does) and imports `app` (FastAPI app + Mangum handler), minus an empty process;
   baseline = the same process importing `fastapi, mangum` from the built layer. Median of --rounds,
   alternating so drift hits both alike. Target: ≤ 1.15× the baseline.

Usage: python bench/package_size.py [--rounds 7]. Prints Markdown tables; writes bench/package_size.json."""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / ".aws-sam" / "build"
LAYER = BUILD / "ResponseGenerationLayer"
LIMIT_UNZIPPED = 250 * 1024 * 1024
TARGET_RATIO = 1.15


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def sizes(root: Path) -> tuple[int, int]:
    """(zipped, unzipped) bytes of a build directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _files(root):
            archive.write(path, path.relative_to(root))
    return buffer.getbuffer().nbytes, sum(path.stat().st_size for path in _files(root))


def _process_seconds(code: str, function_dir: Path) -> float:
    script = f"import sys; sys.path[:0] = [{str(function_dir)!r}, {str(LAYER / 'python')!r}]\n{code}"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-I", "-S", "-c", script], check=True, cwd="/",
                   env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "us-east-1"})
    return time.perf_counter() - started


def import_times(functions: list[Path], rounds: int) -> dict[str, float]:
    """Median seconds above an empty interpreter, per function and for the `fastapi, mangum` baseline."""
    baseline = "(baseline) import fastapi, mangum"
    samples: dict[str, list[float]] = {baseline: [], **{f.name: [] for f in functions}}
    for _ in range(rounds):
        empty = _process_seconds("pass", functions[0])
        samples[baseline].append(_process_seconds("import fastapi, mangum", functions[0]) - empty)
        for function in functions:
            samples[function.name].append(_process_seconds("import app", function) - empty)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not (BUILD / "template.yaml").is_file():
        sys.exit("run `make build` first")
    functions = sorted(path for path in BUILD.iterdir() if path.is_dir() and path != LAYER)
    layer_zip, layer_raw = sizes(LAYER)
    results: dict[str, object] = {"layer": {"zipped": layer_zip, "unzipped": layer_raw}, "functions": {}}
    times = import_times(functions, args.rounds)
    baseline = times["(baseline) import fastapi, mangum"]
    print(f"Layer: {layer_zip / 1e6:.1f} MB zipped, {layer_raw / 1e6:.1f} MB unzipped "
          f"({layer_raw / LIMIT_UNZIPPED:.0%} of Lambda's 250 MB with any function)\n")
    print(f"| function | zip | unzipped + layer | import above bare python | × `import fastapi, mangum` "
          f"({baseline * 1000:.0f} ms) |")
    print("|---|---|---|---|---|")
    for function in functions:
        zipped, raw = sizes(function)
        total = raw + layer_raw
        ratio = times[function.name] / baseline
        results["functions"][function.name] = {  # type: ignore[index]
            "zipped": zipped, "unzipped": raw, "unzipped_with_layer": total,
            "import_seconds": times[function.name], "import_ratio": ratio}
        flag = "" if total <= LIMIT_UNZIPPED else " **over the limit**"
        over = "" if ratio <= TARGET_RATIO else " (over 1.15×)"
        print(f"| {function.name} | {zipped / 1e3:.1f} kB | {total / 1e6:.1f} MB{flag} | "
              f"{times[function.name] * 1000:.0f} ms | {ratio:.2f}×{over} |")
    results["baseline_import_seconds"] = baseline
    (REPO / "bench" / "package_size.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
