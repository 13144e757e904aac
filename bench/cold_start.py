"""Cold start of every built function against a like-for-like app, counted in instructions (issue 30).

For each function `make build` produced (.aws-sam/build), a baseline app is generated from the function's own
routes: template.yaml's API events (the same methods and paths, hence the same path parameters), the query and
header parameters the function's routes declare (read from the built app, dependencies flattened: pagination,
metadata filters, the Assistants beta header…), and where the operation takes a JSON or multipart body, a pydantic
model built from the official spec's request body (its top-level properties, and one level of nested models for
the properties that are objects or arrays of objects). Like the real functions it is FastAPI + Mangum (lifespan
off) wrapped by Powertools' `Logger.inject_lambda_context`; each route answers a small dict. With persistence on,
the baseline creates its boto3 clients at import (DynamoDB, and S3 when the function's policies grant S3), as a
plain Lambda app would; the mock creates them at first use, so for that mode both sides are measured as the import
plus the clients.

Each measurement is one fresh `python3.13 -I -S -B` process (the Lambda runtime's Python; the built function and
the built layer on `sys.path`, nothing written, as on Lambda's read-only /opt and /var/task) with
PYTHONHASHSEED=0, which marks its phases through callgrind client requests (a tiny C helper compiled at run time;
no-ops outside valgrind): after the interpreter's start and the helper's load, after `import app`, after the first
request (the model-serving functions' main event from events/, with an empty TIKTOKEN_CACHE_DIR as in a new
container's /tmp) or the boto3 clients. Instructions are counted by `valgrind --tool=callgrind` (the machine's load
does not move them); the same processes run without valgrind (--rounds) give CPU time, wall time and memory
(VmRSS, VmHWM) at each mark, medians.

Usage: python bench/cold_start.py [--rounds 3] [--jobs 2] [--only ChatFunction ...] [--count NAME ... | --count all]
[--no-callgrind] [--persistence-only] [--print]
Writes bench/cold_start.json and prints Markdown tables."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "shared")]

from bench.package_size import _CONTEXT, FIRST_REQUESTS  # noqa: E402
from openai_mock.local.template import parse_yaml  # noqa: E402
from tools import runtime_python  # noqa: E402

BUILD = REPO / ".aws-sam" / "build"
LAYER = BUILD / "ResponseGenerationLayer" / "python"
SPEC = REPO / "tests" / "contract" / "data" / "openai-2026-08-21.json"
PYTHON = runtime_python.find()
TARGET_RATIO = 1.10
# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
MB_PER_VCPU = 1769
MEMORY_SIZES = {"local/dev/preview": 512, "prod": 1024}
# Functions measured with persistence on (the client creation is the same for all: a sample of each kind).
PERSISTENCE_SAMPLE = ("ModelsFunction", "FilesFunction")
# Functions counted under callgrind by default (~1.5 G instructions each side: minutes per process).
COUNTED = (
    "ModelsFunction",
    "FilesFunction",
    "ChatFunction",
    "EmbeddingsFunction",
    "ResponsesFunction",
    "AssistantsFunction",
)
_HELPER = r"""
#include <valgrind/callgrind.h>
void mark(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
ENV_BASE = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONHASHSEED": "0"}
PERSISTENCE_ENV = {
    "OPENAI_MOCK_STORE": "dynamodb",
    "OPENAI_MOCK_TABLE_NAME": "bench-objects",
    "OPENAI_MOCK_BUCKET_NAME": "bench-blobs",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}

# --------------------------------------------------------------------------------------------- the processes

# Runs in the measured process. `MARK` is the helper's mark(); `_memory()` reads the process's own status.
_PROBE = """
import ctypes, json, os, resource, sys, time
helper = ctypes.CDLL({helper!r})
def _memory():
    fields = {{}}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields
def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
marks = {{}}
def mark(name):
    helper.mark(name.encode())
    marks[name] = {{"wall": time.perf_counter(), "cpu": _cpu(), **_memory()}}
sys.path[:0] = [{function!r}, {layer!r}]
mark("start")
import app
mark("import")
{after}
sys.stdout.write(json.dumps(marks))
"""
_FIRST_REQUEST = """
event = json.loads(open({event!r}).read())
answer = app.handler(event, {context})
assert answer["statusCode"] < 500, answer
mark("first")
"""
_MOCK_CLIENTS = """
from openai_mock import store
store.get_store()
{blobs}
mark("first")
"""


def probe_code(helper: Path, function: Path, after: str) -> str:
    return _PROBE.format(helper=str(helper), function=str(function), layer=str(LAYER), after=after)


def run_probe(code: str, env: dict[str, str], callgrind: bool, scratch: Path) -> dict[str, Any]:
    """One fresh process: its marks (wall, CPU, memory) or, under callgrind, the instructions between marks."""
    if PYTHON is None:
        raise SystemExit("cold_start: no Python of the Lambda runtime's version here (tools/runtime_python.py)")
    command = [str(PYTHON), "-I", "-S", "-B", "-c", code]
    with tempfile.TemporaryDirectory(dir=scratch) as out, tempfile.TemporaryDirectory(dir=scratch) as cache:
        full_env = {**ENV_BASE, "TIKTOKEN_CACHE_DIR": cache, **env}
        if callgrind:
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.out", *command]
        done = subprocess.run(command, cwd="/", env=full_env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"probe failed ({done.returncode}): {done.stderr[-2000:]}")
        if not callgrind:
            return json.loads(done.stdout)
        counts = {}
        for dump in Path(out).glob("cg.out.*"):  # one per mark: what ran since the previous one
            trigger, total = "", 0
            for line in dump.read_text().splitlines():
                if line.startswith("desc: Trigger: Client Request: "):
                    trigger = line.removeprefix("desc: Trigger: Client Request: ")
                elif line.startswith("totals:"):
                    total = int(line.split()[1])
            counts[trigger] = total
        return counts


# --------------------------------------------------------------------------------------------- the baselines


def _events(template: dict[str, Any], name: str) -> list[tuple[str, str]]:
    events = template["Resources"][name]["Properties"].get("Events", {})
    return [
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for event in events.values()
        if event["Type"] == "Api"
    ]


def _policies(template: dict[str, Any], name: str) -> set[str]:
    text = json.dumps(template["Resources"][name]["Properties"].get("Policies", []))
    return {kind for kind, key in (("dynamodb", "DynamoDBCrudPolicy"), ("s3", "S3CrudPolicy")) if key in text}


_ROUTES = """
import json, sys
sys.path[:0] = [{function!r}, {layer!r}]
import app
from fastapi.routing import APIRoute
def flat(dependant, kind):
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found += flat(sub, kind)
    return found
def kind(annotation):
    text = repr(annotation)
    for name in ("bool", "int", "float"):
        if text == f"<class '{{name}}'>" or text.startswith(name + " |") or text.endswith("| " + name):
            return name
    return "list" if "list[" in text else "str"
routes = []
for route in app.app.routes:
    if isinstance(route, APIRoute):
        routes.append({{
            "methods": sorted(route.methods), "path": route.path, "operation_id": route.operation_id,
            "query": [[f.alias, kind(f.field_info.annotation)] for f in flat(route.dependant, 'query_params')],
            "header": [[f.alias, kind(f.field_info.annotation)] for f in flat(route.dependant, 'header_params')],
        }})
print(json.dumps(routes))
"""


def real_routes(function: Path) -> list[dict[str, Any]]:
    code = _ROUTES.format(function=str(function), layer=str(LAYER))
    done = subprocess.run([str(PYTHON), "-I", "-S", "-B", "-c", code], env=ENV_BASE, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout)


def _template_path(path: str) -> str:
    return path.replace("{proxy+}", "{proxy:path}")


def _match(routes: list[dict[str, Any]], method: str, path: str) -> dict[str, Any] | None:
    for route in routes:
        if method in route["methods"] and route["path"].rstrip("/") == path.rstrip("/"):
            return route
    return None


class Models:
    """Pydantic request models written from the spec's request bodies: top-level fields, one nested level."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas = spec["components"]["schemas"]
        self.source: list[str] = []
        self.names: dict[str, str] = {}

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        if "allOf" in schema:
            merged: dict[str, Any] = {"type": "object", "properties": {}}
            for part in schema["allOf"]:
                merged["properties"].update(self._resolve(part).get("properties", {}))
            return merged
        return schema

    def _type(self, schema: dict[str, Any], depth: int) -> str:
        ref = schema.get("$ref")
        schema = self._resolve(schema)
        kind = schema.get("type")
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            items = schema.get("items", {})
            inner = self._resolve(items)
            if depth == 0 and inner.get("properties"):
                return f"list[{self.model(items.get('$ref', ''), inner, depth + 1)}]"
            return "list[Any]"
        if depth == 0 and schema.get("properties"):
            return self.model(ref or "", schema, depth + 1)
        return "Any" if "anyOf" in schema or "oneOf" in schema else "dict[str, Any]"

    def model(self, ref: str, schema: dict[str, Any], depth: int = 0) -> str:
        key = ref or f"anon{len(self.names)}"
        if key in self.names:
            return self.names[key]
        name = f"M{len(self.names)}"
        self.names[key] = name
        fields = [
            f"    {field.replace('-', '_')}: {self._type(sub, depth)} | None = None"
            for field, sub in schema.get("properties", {}).items()
            if field.isidentifier() or field.replace("-", "_").isidentifier()
        ]
        self.source.append(f"class {name}(BaseModel):\n" + ("\n".join(fields) or "    pass") + "\n")
        return name

    def body(self, method: str, path: str) -> str | None:
        operation = self.spec["paths"].get(path.removeprefix("/v1"), {}).get(method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {})
        for media in ("application/json", "multipart/form-data"):
            if media in content:
                schema = content[media].get("schema", {})
                resolved = self._resolve(schema)
                if resolved.get("properties"):
                    return self.model(schema.get("$ref", ""), resolved)
        if method in ("POST", "PUT", "PATCH") and path.startswith("/__mock"):
            return self.model("__mock", {"properties": {f"field{i}": {"type": "string"} for i in range(8)}})
        return None


_TYPES = {"str": "str | None", "int": "int | None", "float": "float | None", "bool": "bool | None"}


def baseline_source(template: dict[str, Any], name: str, routes: list[dict[str, Any]], persist: bool) -> str:
    spec = json.loads(SPEC.read_text())
    models = Models(spec)
    handlers = []
    for index, (method, path) in enumerate(_events(template, name)):
        path = _template_path(path)
        route = _match(routes, method, path) or {"query": [], "header": []}
        params = [f"{part[1:-1].split(':')[0]}: str" for part in path.split("/") if part.startswith("{")]
        for alias, kind in route["query"]:
            if alias.isidentifier() and not alias.startswith("_"):
                params.append(f"{alias}: {_TYPES.get(kind, 'list[str] | None')} = None")
            else:
                kind_text = _TYPES.get(kind, "list[str] | None")
                params.append(f"q{len(params)}: Annotated[{kind_text}, Query(alias={alias!r})] = None")
        for alias, _kind in route["header"]:
            params.append(f"h{len(params)}: Annotated[str | None, Header(alias={alias!r})] = None")
        body = models.body(method, path)
        if body:
            params.insert(0, f"body: {body} | None = None")
        methods = "['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']" if method == "ANY" else [method]
        handlers.append(
            f"@app.api_route({path!r}, methods={methods})\n"
            f"async def op{index}({', '.join(['*', *params] if params else [])}) -> dict:\n"
            f"    return {{'object': 'bench', 'op': {index}}}\n"
        )
    clients = []
    if persist:
        kinds = _policies(template, name)
        clients = ["import boto3"] + [f"{kind} = boto3.client({kind!r})" for kind in sorted(kinds)]
    return "\n".join(
        [
            f'"""Like-for-like baseline of {name}, generated by bench/cold_start.py."""',
            "from typing import Annotated, Any",
            "from aws_lambda_powertools import Logger",
            "from fastapi import FastAPI, Header, Query",
            "from mangum import Mangum",
            "from pydantic import BaseModel",
            *clients,
            "logger = Logger()",
            *models.source,
            "app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)",
            *handlers,
            "adapter = Mangum(app, lifespan='off')",
            "@logger.inject_lambda_context(clear_state=True)",
            "def handler(event, context):",
            "    return adapter(event, context)",
            "",
        ]
    )


# --------------------------------------------------------------------------------------------- the plan


def plan(functions: list[Path], template: dict[str, Any], scratch: Path, helper: Path) -> list[dict[str, Any]]:
    """Every process to run: (function, side, mode) with its code and environment."""
    jobs = []
    for function in functions:
        name = function.name
        routes = real_routes(function)
        first = FIRST_REQUESTS.get(name)
        after = _FIRST_REQUEST.format(event=str(REPO / "events" / first), context=_CONTEXT) if first else ""
        for persist in (False, True) if name in PERSISTENCE_SAMPLE else (False,):
            base_dir = scratch / ("persist" if persist else "plain") / name
            base_dir.mkdir(parents=True)
            (base_dir / "app.py").write_text(baseline_source(template, name, routes, persist))
            env = PERSISTENCE_ENV if persist else {}
            mode = "persistence" if persist else "plain"
            mock_after = after
            if persist:
                blobs = "store.get_blobs()" if "s3" in _policies(template, name) else ""
                mock_after = _MOCK_CLIENTS.format(blobs=blobs)
            base_after = after if not persist else 'mark("first")'
            for side, folder, code in (("mock", function, mock_after), ("baseline", base_dir, base_after)):
                jobs.append(
                    {"function": name, "side": side, "mode": mode, "code": probe_code(helper, folder, code), "env": env}
                )
    return jobs


def _helper(scratch: Path) -> Path:
    source, library = scratch / "mark.c", scratch / "mark.so"
    source.write_text(_HELPER)
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


def _phases(marks: dict[str, Any]) -> dict[str, float]:
    """Per phase: the counted instructions (callgrind: each dump holds what ran since the previous mark)."""
    return {"import": marks.get("import", 0), "first": marks.get("first", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="uninstrumented runs per process (time, memory)")
    parser.add_argument("--jobs", type=int, default=2, help="processes at once under callgrind")
    parser.add_argument("--only", action="append", default=[], help="a built function's name (repeatable)")
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument("--persistence-only", action="store_true", help="only the persistence sample's processes")
    parser.add_argument(
        "--count",
        action="append",
        default=[],
        help=f"function counted under callgrind, or all (default: {', '.join(COUNTED)})",
    )
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "cold_start.json")
    parser.add_argument("--print", action="store_true", help="print the tables of --json and stop")
    args = parser.parse_args()
    if args.print:
        print_tables(json.loads(args.json.read_text()))
        return
    if not (BUILD / "template.yaml").is_file():
        sys.exit("run `make build` first")
    template = parse_yaml((REPO / "template.yaml").read_bytes())
    functions = sorted(p for p in BUILD.iterdir() if p.is_dir() and p.name != "ResponseGenerationLayer")
    if args.only:
        functions = [p for p in functions if p.name in args.only]
    scratch = Path(tempfile.mkdtemp(prefix="bench-cold-start-"))
    helper = _helper(scratch)
    jobs = plan(functions, template, scratch, helper)
    if args.persistence_only:
        jobs = [job for job in jobs if job["mode"] == "persistence"]
    chosen = args.count or COUNTED
    counted = [job for job in jobs if ("all" in chosen or job["function"] in chosen) and not args.no_callgrind]
    # One round of time and memory first (it also checks every process runs), then instructions in the background
    # (callgrind: load-proof) while the other rounds run, alternating sides.
    for job in jobs:
        job["runs"] = [run_probe(job["code"], job["env"], False, scratch)]
    with ThreadPoolExecutor(args.jobs) as pool:
        counts = [pool.submit(run_probe, job["code"], job["env"], True, scratch) for job in counted]
        for _ in range(args.rounds - 1):
            for job in jobs:
                job["runs"].append(run_probe(job["code"], job["env"], False, scratch))
        for job, count in zip(counted, counts, strict=True):
            job["instructions"] = count.result()
    shutil.rmtree(scratch, ignore_errors=True)
    results = summarise(jobs)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_tables(results)


def _median(runs: list[dict[str, Any]], phase: str, previous: str, field: str) -> float:
    return statistics.median(run[phase][field] - (run[previous][field] if previous else 0) for run in runs)


def summarise(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"python": str(PYTHON), "target_ratio": TARGET_RATIO, "functions": {}}
    for job in jobs:
        entry = out["functions"].setdefault(job["function"], {}).setdefault(job["mode"], {})
        runs = job["runs"]
        side: dict[str, Any] = {
            "import_cpu_s": _median(runs, "import", "start", "cpu"),
            "import_wall_s": _median(runs, "import", "start", "wall"),
            "rss_after_import_kib": _median(runs, "import", "", "VmRSS"),
            "hwm_after_import_kib": _median(runs, "import", "", "VmHWM"),
            "startup_cpu_s": _median(runs, "start", "", "cpu"),
        }
        if "first" in runs[0]:
            side |= {
                "first_cpu_s": _median(runs, "first", "import", "cpu"),
                "first_wall_s": _median(runs, "first", "import", "wall"),
                "hwm_after_first_kib": _median(runs, "first", "", "VmHWM"),
            }
        if "instructions" in job:
            side["import_instructions"] = job["instructions"].get("import", 0)
            if "first" in runs[0]:
                side["first_instructions"] = job["instructions"].get("first", 0)
        entry[job["side"]] = side
    for modes in out["functions"].values():
        for entry in modes.values():
            mock, base = entry["mock"], entry["baseline"]
            if "import_instructions" in mock:
                entry["import_ratio"] = mock["import_instructions"] / base["import_instructions"]
                if "first_instructions" in mock:
                    entry["cold_ratio"] = (mock["import_instructions"] + mock["first_instructions"]) / (
                        base["import_instructions"] + base["first_instructions"]
                    )
            entry["import_cpu_ratio"] = mock["import_cpu_s"] / base["import_cpu_s"]
            entry["estimates"] = estimates(mock)
    return out


def estimates(mock: dict[str, Any]) -> dict[str, Any]:
    """Lambda's view of a cold start on one vCPU's measured CPU time: CPU in proportion to memory."""
    cpu = mock["startup_cpu_s"] + mock["import_cpu_s"] + mock.get("first_cpu_s", 0.0)
    peak = mock.get("hwm_after_first_kib", mock["hwm_after_import_kib"]) / 1024
    out: dict[str, Any] = {"peak_rss_mib": peak, "cold_cpu_s": cpu}
    for stage, size in MEMORY_SIZES.items():
        seconds = cpu * max(1.0, MB_PER_VCPU / size)
        out[stage] = {
            "memory_mb": size,
            "headroom": 1 - peak / size,
            "cold_start_s": seconds,
            "gb_s": size / 1024 * seconds,
        }
    return out


def _mega(value: float | None) -> str:
    return "" if value is None else f"{value / 1e6:,.0f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}× {'✓' if value <= TARGET_RATIO else '✗'}"


def print_tables(results: dict[str, Any]) -> None:
    """Instructions in millions (mock / like-for-like); the persistence rows' first phase is the boto3 clients."""
    print(
        "| function | import, M instructions | ratio | first request (or clients) | import + first: ratio "
        "| import CPU ms (ratio) | RSS after import / peak, MiB | cold start CPU at 512 / 1024 MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, modes in sorted(results["functions"].items()):
        for mode, entry in modes.items():
            mock, base = entry["mock"], entry["baseline"]
            est = entry["estimates"]
            counted = "import_instructions" in mock
            first = mock.get("first_instructions")
            print(
                f"| {name}{'' if mode == 'plain' else f' ({mode})'} | "
                + (f"{_mega(mock['import_instructions'])} / {_mega(base['import_instructions'])}" if counted else "")
                + f" | {_ratio(entry.get('import_ratio'))} | "
                + (f"{_mega(first)} / {_mega(base.get('first_instructions'))}" if first is not None else "")
                + f" | {_ratio(entry.get('cold_ratio'))} | "
                f"{mock['import_cpu_s'] * 1000:.0f} ({entry['import_cpu_ratio']:.2f}×) | "
                f"{mock['rss_after_import_kib'] / 1024:.0f} / {est['peak_rss_mib']:.0f} | "
                f"{est['local/dev/preview']['cold_start_s'] * 1000:,.0f} / "
                f"{est['prod']['cold_start_s'] * 1000:,.0f} ms |"
            )


if __name__ == "__main__":
    main()
