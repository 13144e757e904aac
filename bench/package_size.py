"""Package size budget and cold-start import time of what `make build` produced (.aws-sam/build).

1. Size: the layer and every function zipped the way `sam package` zips them (deflate), and unzipped.
   Lambda's limit: function + layers ≤ 250 MB unzipped.
2. Cold start: a fresh `python -I -S -B` process that puts the built function and the built layer on
   sys.path (as the Lambda runtime does) and imports `app` (FastAPI app + Mangum handler), minus an empty
   process; baseline = the same process importing `fastapi, mangum` from the built layer. `-B`: nothing is
   written, as on Lambda's read-only /opt and /var/task, so the bytecode `make build` ships is what is used.
   Also measured with a copy of the layer without that bytecode (its modules compiled from source at every
   start, as after a plain `sam build`; the standard library keeps its own bytecode, as on Lambda).
   Median of --rounds, alternating so drift hits all alike. Target: ≤ 1.15× the baseline.
3. First request: in the same kind of fresh process, after the import, the model-serving functions' handler
   invoked once with their main event from events/ (an API Gateway event, as Lambda delivers it), with an
   empty TIKTOKEN_CACHE_DIR (a new container's /tmp): what a cold start costs beyond the import. Also measured
   with a copy of the layer without the token encodings `make build` prepares (tools/finish_build.py), as
   before it prepared them.

Usage: python bench/package_size.py [--rounds 7]. Prints Markdown tables; writes bench/package_size.json."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tools import runtime_python  # noqa: E402  (the repository's own tools, once REPO is importable)

BUILD = REPO / ".aws-sam" / "build"
# The built layer's wheels are compiled for the Lambda runtime's Python (3.13): only it can import them.
PYTHON = runtime_python.find()
LAYER = BUILD / "ResponseGenerationLayer"
LIMIT_UNZIPPED = 250 * 1024 * 1024
TARGET_RATIO = 1.15
# The operation a cold container of each model-serving function most likely answers first.
FIRST_REQUESTS = {
    "ChatFunction": "chat/createChatCompletion.json",
    "CompletionsFunction": "completions/createCompletion.json",
    "EmbeddingsFunction": "embeddings/createEmbedding.json",
    "ModerationsFunction": "moderations/createModeration.json",
    "ResponsesFunction": "responses/createResponse.json",
    "AudioFunction": "audio/createSpeech.json",
    "ImagesFunction": "images/createImage.json",
    "ModelsFunction": "models/listModels.json",
}
# What Powertools' Logger reads from the Lambda context.
_CONTEXT = (
    "type('Context', (), {'function_name': 'bench', 'memory_limit_in_mb': 1024, 'aws_request_id': 'bench', "
    "'invoked_function_arn': 'arn:aws:lambda:us-east-1:000000000000:function:bench'})()"
)


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def sizes(root: Path) -> tuple[int, int]:
    """(zipped, unzipped) bytes of a build directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _files(root):
            archive.write(path, path.relative_to(root))
    return buffer.getbuffer().nbytes, sum(path.stat().st_size for path in _files(root))


def _process_seconds(code: str, function_dir: Path, layer_dir: Path) -> float:
    started = time.perf_counter()
    _run(code, function_dir, layer_dir, {})
    return time.perf_counter() - started


def _run(code: str, function_dir: Path, layer_dir: Path, env: dict[str, str]) -> str:
    script = f"import sys; sys.path[:0] = [{str(function_dir)!r}, {str(layer_dir / 'python')!r}]\n{code}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "us-east-1", **env}
    if PYTHON is None:
        raise SystemExit("package_size: no Python of the Lambda runtime's version here (tools/runtime_python.py)")
    return subprocess.run(
        [str(PYTHON), "-I", "-S", "-B", "-c", script], check=True, cwd="/", env=env, capture_output=True, text=True
    ).stdout


def first_request_seconds(function_dir: Path, layer_dir: Path, event: Path) -> float:
    """Seconds the handler takes to answer its first event, in a fresh process that has just imported it."""
    code = (
        f"import json, time, app\nevent = json.loads(open({str(event)!r}).read())\n"
        f"started = time.perf_counter()\nanswer = app.handler(event, {_CONTEXT})\n"
        "assert answer['statusCode'] < 300, answer\nprint(time.perf_counter() - started)"
    )
    with tempfile.TemporaryDirectory() as cache:
        return float(_run(code, function_dir, layer_dir, {"TIKTOKEN_CACHE_DIR": cache}))


BASELINE = "(baseline) import fastapi, mangum"


def import_times(functions: list[Path], layer_dir: Path, rounds: int) -> dict[str, float]:
    """Median seconds above an empty interpreter, per function and for the `fastapi, mangum` baseline."""
    samples: dict[str, list[float]] = {BASELINE: [], **{f.name: [] for f in functions}}
    for _ in range(rounds):
        empty = _process_seconds("pass", functions[0], layer_dir)
        samples[BASELINE].append(_process_seconds("import fastapi, mangum", functions[0], layer_dir) - empty)
        for function in functions:
            samples[function.name].append(_process_seconds("import app", function, layer_dir) - empty)
    return {name: statistics.median(values) for name, values in samples.items()}


def first_request_times(functions: list[Path], layer_dir: Path, rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {f.name: [] for f in functions if f.name in FIRST_REQUESTS}
    for _ in range(rounds):
        for function in functions:
            if function.name in samples:
                event = REPO / "events" / FIRST_REQUESTS[function.name]
                samples[function.name].append(first_request_seconds(function, layer_dir, event))
    return {name: statistics.median(values) for name, values in samples.items()}


def shipped_bytecode(root: Path) -> int:
    return sum(1 for _ in root.rglob("__pycache__/*.pyc"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not (BUILD / "template.yaml").is_file():
        sys.exit("run `make build` first")
    functions = sorted(path for path in BUILD.iterdir() if path.is_dir() and path != LAYER)
    layer_zip, layer_raw = sizes(LAYER)
    results: dict[str, object] = {"layer": {"zipped": layer_zip, "unzipped": layer_raw}, "functions": {}}
    times = import_times(functions, LAYER, args.rounds)
    with tempfile.TemporaryDirectory() as scratch:  # the same layer without its bytecode
        source_layer = Path(scratch) / LAYER.name
        shutil.copytree(LAYER, source_layer, ignore=shutil.ignore_patterns("__pycache__"))
        from_source = import_times(functions, source_layer, args.rounds)
    baseline, source_baseline = times[BASELINE], from_source[BASELINE]
    compiled = shipped_bytecode(LAYER)
    print(
        f"Layer: {layer_zip / 1e6:.1f} MB zipped, {layer_raw / 1e6:.1f} MB unzipped "
        f"({layer_raw / LIMIT_UNZIPPED:.0%} of Lambda's 250 MB with any function), {compiled} .pyc files\n"
    )
    print(
        f"| function | zip | unzipped + layer | import above bare python | × `import fastapi, mangum` "
        f"({baseline * 1000:.0f} ms) | without shipped bytecode (baseline {source_baseline * 1000:.0f} ms) |"
    )
    print("|---|---|---|---|---|---|")
    for function in functions:
        zipped, raw = sizes(function)
        total = raw + layer_raw
        ratio = times[function.name] / baseline
        results["functions"][function.name] = {  # type: ignore[index]
            "zipped": zipped,
            "unzipped": raw,
            "unzipped_with_layer": total,
            "import_seconds": times[function.name],
            "import_ratio": ratio,
            "import_seconds_without_bytecode": from_source[function.name],
        }
        flag = "" if total <= LIMIT_UNZIPPED else " **over the limit**"
        over = "" if ratio <= TARGET_RATIO else " (over 1.15×)"
        print(
            f"| {function.name} | {zipped / 1e3:.1f} kB | {total / 1e6:.1f} MB{flag} | "
            f"{times[function.name] * 1000:.0f} ms | {ratio:.2f}×{over} | "
            f"{from_source[function.name] * 1000:.0f} ms ({from_source[function.name] / source_baseline:.2f}×) |"
        )
    first = first_request_times(functions, LAYER, args.rounds)
    with tempfile.TemporaryDirectory() as scratch:  # the same layer without its prepared token encodings
        unprepared_layer = Path(scratch) / LAYER.name
        shutil.copytree(LAYER, unprepared_layer, ignore=shutil.ignore_patterns("prepared_encodings"))
        first_unprepared = first_request_times(functions, unprepared_layer, args.rounds)
    print(
        "\n| function | first event | import | first request | cold start (import + first request) "
        "| first request without prepared encodings |"
    )
    print("|---|---|---|---|---|---|")
    for name, seconds in first.items():
        results["functions"][name]["first_request_seconds"] = seconds  # type: ignore[index]
        results["functions"][name]["first_request_seconds_unprepared"] = first_unprepared[name]  # type: ignore[index]
        print(
            f"| {name} | {Path(FIRST_REQUESTS[name]).stem} | {times[name] * 1000:.0f} ms | {seconds * 1000:.0f} ms | "
            f"{(times[name] + seconds) * 1000:.0f} ms | {first_unprepared[name] * 1000:.0f} ms |"
        )
    results["baseline_import_seconds"] = baseline
    results["baseline_import_seconds_without_bytecode"] = source_baseline
    results["layer"]["pyc_files"] = compiled  # type: ignore[index]
    (REPO / "bench" / "package_size.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
