"""Write docs/sdk-coverage.md: every HTTP operation the installed official `openai` SDK can call, and whether the
mock serves it.

The SDK is read, not run: each resource class's methods are parsed (`ast`) for the request they make
(`self._get("/models")`, `self._post(path_template("/batches/{batch_id}/cancel", …))`, …), and the client object is
walked for where each class hangs (`client.beta.threads.runs`). A route counts as served when template.yaml routes
its method and path (parameter names aside). An operation not served is either not in today's spec (the
2026-08-21 contract the mock is held to: the SDK has grown past it) or a gap; the page lists both, by group.

`python tools/gen_sdk_coverage.py` rewrites the page; `--check` fails when an SDK operation that today's spec has is
not served (the page itself follows whichever SDK is installed, so it is not compared)."""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import re
import sys
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from openai_mock.local.template import Template  # noqa: E402  (after the path: tools run from a checkout)

CONTRACT = ROOT / "tests" / "contract" / "data" / "openai-2026-08-21.json"
TARGET = ROOT / "docs" / "sdk-coverage.md"
_VERBS = {"_get": "GET", "_get_api_list": "GET", "_post": "POST", "_put": "PUT", "_patch": "PATCH", "_delete": "DELETE"}


class SdkOperation(NamedTuple):
    accessor: str  # "beta.threads.runs.create"
    method: str  # "POST"
    path: str  # "/v1/threads/{}/runs": parameters unnamed


def _unnamed(path: str) -> str:
    return re.sub(r"{[^}]*}", "{}", path)


def _path_of(node: ast.expr) -> str | None:
    """The request path an SDK call passes: a literal, `path_template("…", …)` or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", "") == "path_template":
        return _path_of(node.args[0])
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return None


def _requests(resource: type) -> dict[str, tuple[str, str]]:
    """method name -> (HTTP method, path) of each method of a resource class (or of the classes it extends: the
    package of `webhooks` adds `unwrap` to the generated class) that makes one request."""
    found: dict[str, tuple[str, str]] = {}
    for cls in resource.__mro__:
        if cls.__module__.startswith("openai.resources"):
            found = _class_requests(cls) | found
    return found


def _class_requests(cls: type) -> dict[str, tuple[str, str]]:
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))  # type: ignore[arg-type]
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == cls.__name__):
            continue
        for function in node.body:
            if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.args):
                    continue
                verb = _VERBS.get(call.func.attr)
                path = _path_of(call.args[0]) if verb else None
                for keyword in call.keywords:  # a paginated POST: `_get_api_list(…, method="post")`
                    if keyword.arg == "method" and isinstance(keyword.value, ast.Constant) and verb:
                        verb = str(keyword.value.value).upper()
                if verb and path and path.startswith("/"):
                    found[function.name] = (verb, path)
                    break
    return found


def sdk_operations() -> tuple[str, list[SdkOperation]]:
    import openai
    from openai._resource import SyncAPIResource

    client = openai.OpenAI(api_key="sk-coverage", base_url="http://localhost:1/v1", admin_api_key="sk-admin-coverage")
    operations: dict[tuple[str, str], SdkOperation] = {}

    def visit(holder: Any, accessor: str) -> None:
        for name, member in inspect.getmembers(type(holder)):
            if name.startswith("_") or name.startswith("with_") or not isinstance(member, property | cached_property):
                continue
            resource = getattr(holder, name)
            if not isinstance(resource, SyncAPIResource) or accessor.count(".") > 8:  # (a tree: no cycle expected)
                continue
            here = f"{accessor}.{name}" if accessor else name
            for method_name, (verb, path) in sorted(_requests(type(resource)).items()):
                key = (verb, _unnamed("/v1" + path.partition("?")[0]))  # `?beta=true`: the same route
                found = SdkOperation(f"{here}.{method_name}", verb, key[1])
                if key not in operations or _shallower(found, operations[key]):  # a route's shortest call names it
                    operations[key] = found
            visit(resource, here)

    visit(client, "")
    return openai.__version__, sorted(operations.values(), key=lambda op: (op.accessor, op.method))


def _shallower(one: SdkOperation, other: SdkOperation) -> bool:
    """`chat.completions.create` over `beta.chat.completions.create`: fewer steps, then alphabetical."""
    return (one.accessor.count("."), one.accessor) < (other.accessor.count("."), other.accessor)


def served_routes() -> set[tuple[str, str]]:
    return {
        (route.method, _unnamed(route.path))
        for function in Template(ROOT / "template.yaml").functions
        for route in function.routes
    }


def spec_routes() -> set[tuple[str, str]]:
    contract = json.loads(CONTRACT.read_text())
    return {(op["method"].upper(), _unnamed("/v1" + op["path"].partition("?")[0])) for op in contract["x-operations"]}


def render(
    version: str, operations: list[SdkOperation], served: set[tuple[str, str]], spec: set[tuple[str, str]]
) -> str:
    missing = [op for op in operations if (op.method, op.path) not in served]
    gaps = [op for op in missing if (op.method, op.path) in spec]
    beyond = [op for op in missing if (op.method, op.path) not in spec]
    groups: dict[str, list[SdkOperation]] = defaultdict(list)
    for op in beyond:
        groups[op.accessor.rsplit(".", 1)[0]].append(op)
    lines = [
        "# The official SDK's operations the mock does not serve",
        "",
        f"Generated by `tools/gen_sdk_coverage.py` from `openai` {version} (the SDK the test suite runs) and",
        "template.yaml; `make sdk-coverage` writes it again. Do not edit.",
        "",
        f"The SDK can call **{len(operations)}** HTTP operations; the mock serves "
        f"**{len(operations) - len(missing)}**.",
    ]
    if missing:
        lines += [
            f"Of the {len(missing)} it does not, **{len(gaps)}** are in today's spec (2026-08-21, the contract the",
            f"mock is held to) and **{len(beyond)}** are not: the API has grown past that spec, and the mock answers",
            "them as OpenAI answers a path it does not know (404, `invalid_request_error`).",
        ]
    lines.append("")
    extra = sorted({op.accessor.rsplit(".", 1)[0] for op in operations if (op.method, op.path) in served - spec})
    if extra:
        lines += [
            f"Served beyond today's spec, as the SDK calls them: {', '.join(f'`client.{name}`' for name in extra)}.",
            "",
        ]
    if gaps:
        lines += ["## In today's spec, not served", "", "| SDK call | request |", "|---|---|"]
        lines += [f"| `client.{op.accessor}` | `{op.method} {op.path}` |" for op in gaps]
        lines.append("")
    if not groups:
        return "\n".join(lines)
    lines += ["## Not in today's spec", "", "| SDK resource | calls | requests |", "|---|---|---|"]
    for group, ops in sorted(groups.items()):
        calls = ", ".join(f"`{op.accessor.rsplit('.', 1)[1]}`" for op in ops)
        requests = "<br>".join(f"`{op.method} {op.path}`" for op in ops)
        lines.append(f"| `client.{group}` | {calls} | {requests} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="fail when an SDK operation of today's spec is not served")
    args = parser.parse_args()
    version, operations = sdk_operations()
    served, spec = served_routes(), spec_routes()
    if args.check:
        gaps = [op for op in operations if (op.method, op.path) not in served and (op.method, op.path) in spec]
        if gaps:
            raise SystemExit("SDK operations of today's spec the mock does not serve:\n" + "\n".join(map(str, gaps)))
        return
    TARGET.write_text(render(version, operations, served, spec))
    print(f"{TARGET.relative_to(ROOT)}: openai {version}, {len(operations)} operations")


if __name__ == "__main__":
    main()
