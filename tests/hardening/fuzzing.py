"""Property-based fuzzing of the mock from today's official spec (2026-08-21): schemathesis generates valid
(positive) and invalid (negative) requests for every operation template.yaml routes, and each answer is checked:

- never a 5xx;
- every non-2xx is OpenAI's error envelope (`#/components/schemas/ErrorResponse`);
- every 2xx JSON body conforms to the spec (`tests.support.spec.assert_conforms`).

Schemathesis is used for generation only. Its own response checker trips over the spec's quirks that
`tests/support/spec.py` already handles (`nullable` beside `$ref`/`anyOf`/`enum`, discriminators
without a mapping, `$recursiveRef`), so conformance goes through the repo's validator instead.

The short seeded run is `tests/hardening/test_fuzz.py`; the long one is `make fuzz`
(`python -m tests.hardening.fuzzing --min-requests 5000`).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.schemas import APIOperation

from openai_mock.local.template import Template
from tests.support.spec import assert_conforms, load_spec, validate_component

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
# Today's API is the shape authority: requests are generated from it and answers checked against it.
SPEC = "2026-08-21"

# Groups still being built: fuzzed automatically as soon as template.yaml routes them.
GROUPS_IN_PROGRESS = frozenset({"responses", "realtime", "batches", "assistants"})
USER_KEY = "sk-fuzz-user"
ADMIN_KEY = "sk-admin-fuzz-organization"
_EXCERPT = 400
_UNDOCUMENTED_PURPOSES = frozenset({"user_data", "evals"})


@dataclass(frozen=True)
class Finding:
    operation: str  # "POST /files"
    mode: str  # positive | negative
    status: int
    problem: str
    request: str  # reproducible summary: query, path parameters and body

    def __str__(self) -> str:
        return f"{self.operation} [{self.mode}] -> {self.status}: {self.problem}\n    request: {self.request}"


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    accepted_invalid: Counter[str] = field(default_factory=Counter)  # negative cases answered 2xx
    operations: int = 0
    unrouted: list[str] = field(default_factory=list)
    ungenerated: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        by_class = Counter(f"{status // 100}xx" for status in self.statuses.elements())
        return (
            f"{self.requests} requests over {self.operations} operations in {self.seconds:.1f} s "
            f"({self.requests / max(self.seconds, 1e-9):.0f} req/s); statuses {dict(sorted(by_class.items()))}; "
            f"findings {len(self.findings)}; negative cases accepted {sum(self.accepted_invalid.values())}"
        )


# --------------------------------------------------------------------------- the spec, made loadable


def _patched(node: Any) -> Any:
    """The spec minus two quirks schemathesis rejects as invalid Schema Objects.

    - `CompoundFilter` nests itself with JSON Schema 2019-09 `$recursiveRef: "#"` (not OpenAPI 3.0):
      point it at the component, as tests/support/spec.py does.
    - `CreateResponse.include.description` is a `$ref` object instead of a string: drop it.
    """
    if isinstance(node, dict):
        if node.get("$recursiveRef") == "#":
            return {"$ref": "#/components/schemas/CompoundFilter"}
        return {
            key: _patched(value)
            for key, value in node.items()
            if key != "$recursiveAnchor" and not (key == "description" and not isinstance(value, str))
        }
    if isinstance(node, list):
        return [_patched(value) for value in node]
    return node


@cache
def fuzz_schema() -> Any:
    return schemathesis.openapi.from_dict(_patched(load_spec(SPEC)))


def routed(template: Path = TEMPLATE) -> dict[tuple[str, str], str]:
    """(METHOD, spec path) -> group (the function's folder) for every route template.yaml declares."""
    return {
        (route.method, route.path.removeprefix("/v1")): function.code_uri_relative.name
        for function in Template(template).functions
        for route in function.routes
    }


def operations(groups: Iterable[str] | None = None, template: Path = TEMPLATE) -> tuple[list[APIOperation], list[str]]:
    """The spec's operations template.yaml routes (optionally only some groups), and the unrouted rest."""
    # A path parameter renamed since (2026: `/api_keys/{api_key_id}` for 2025's `{key_id}`) is the same route.
    served = {(method, re.sub(r"{\w+}", "{}", path)): group for (method, path), group in routed(template).items()}
    chosen: list[APIOperation] = []
    unrouted: list[str] = []
    for result in fuzz_schema().get_all_operations():
        operation: APIOperation = result.ok()
        if "?" in operation.path:  # a `?beta=true` twin: the same route as the path before the `?`
            continue
        group = served.get((operation.method.upper(), re.sub(r"{\w+}", "{}", operation.path)))
        if group is None:
            unrouted.append(f"{operation.method.upper()} {operation.path}")
        elif groups is None or group in groups:
            chosen.append(operation)
    return chosen, unrouted


# --------------------------------------------------------------------------- checking one answer


def _describe_request(case: Any) -> str:
    parts = {"path": case.path_parameters, "query": case.query, "body": case.body}
    text = json.dumps({k: v for k, v in parts.items() if v}, default=repr)
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def problems(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with one answer (empty when it is fine)."""
    if status >= 500:
        return [f"server error: {body[:_EXCERPT]!r}"]
    is_json = content_type.split(";")[0].strip() == "application/json"
    if status >= 300:
        if not is_json:
            return [f"non-JSON error answer ({content_type or 'no content type'}): {body[:_EXCERPT]!r}"]
        try:
            validate_component("ErrorResponse", json.loads(body), spec=SPEC)
        except (AssertionError, ValueError) as error:
            return [f"not OpenAI's error envelope: {error}"]
        return []
    if not is_json:
        return []  # audio bytes, SSE streams and file contents are checked by each group's tests
    try:
        assert_conforms(method, path, status, _as_documented(json.loads(body)), spec=SPEC)
    except (AssertionError, ValueError) as error:
        return [str(error)]
    return []


def _as_documented(body: Any) -> Any:
    """The deliberate deviations from the spec (docs/reliability.md), tolerated here and nowhere else.

    - The real API answers an empty list with `"first_id": null, "last_id": null` (the SDK types them
      Optional); the spec calls them required strings. (The 2025-03 spec also wanted the last usage page's
      `"next_page"` to be a string.)
    - Files uploaded with purpose `evals` (which `CreateFileRequest` accepts) are answered with that purpose,
      which the spec's `OpenAIFile.purpose` enum omits (docs/files.md).
    The mock follows the real API, so for validation only those values are swapped for documented ones:
    everything else in the body is still checked.
    """
    if not isinstance(body, dict):
        return body
    patched = dict(body)
    if body.get("data") == [] and "first_id" in body:
        patched.update({key: "" for key in ("first_id", "last_id") if body.get(key) is None})
    if body.get("has_more") is False and body.get("next_page", "") is None:
        patched["next_page"] = ""
    if body.get("object") == "file" and body.get("purpose") in _UNDOCUMENTED_PURPOSES:
        patched["purpose"] = "assistants"
    if body.get("object") == "list" and isinstance(body.get("data"), list):
        patched["data"] = [_as_documented(item) for item in body["data"]]
    return patched


# --------------------------------------------------------------------------- real objects to aim at

_TRAINING_LINE = json.dumps(
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there."}]}
)


def seed_objects(app: Any, base_url: str | None = None) -> dict[str, str]:
    """Create one object of each kind and return path parameter name -> id, so that generated requests
    also reach real objects instead of only 404s. Best effort: a kind that cannot be created is absent."""
    import httpx
    from starlette.testclient import TestClient

    user = {"Authorization": f"Bearer {USER_KEY}"}
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    # No `with TestClient(...)`: that would also run the app's lifespan, which plain requests never need.
    http: Any = httpx.Client(base_url=base_url.removesuffix("/v1")) if base_url else TestClient(app)
    ids: dict[str, str] = {"model": "gpt-4o-mini"}

    def grab(name: str, response: Any, key: str = "id") -> None:
        if response.status_code == 200:
            body = response.json()
            ids[name] = (body["data"][0] if body.get("data") else body).get(key, "")
            if not ids[name]:
                del ids[name]

    if True:
        file = http.post(
            "/v1/files",
            headers=user,
            data={"purpose": "assistants"},
            files={"file": ("notes.txt", b"Cats purr when content.", "text/plain")},
        )
        grab("file_id", file)
        training = http.post(
            "/v1/files",
            headers=user,
            data={"purpose": "fine-tune"},
            files={"file": ("train.jsonl", (_TRAINING_LINE + "\n") * 10, "application/jsonl")},
        )
        vector_store = http.post(
            "/v1/vector_stores", headers=user, json={"name": "fuzz", "file_ids": [ids.get("file_id", "")]}
        )
        grab("vector_store_id", vector_store)
        if training.status_code == 200:
            grab(
                "fine_tuning_job_id",
                http.post(
                    "/v1/fine_tuning/jobs",
                    headers=user,
                    json={"model": "gpt-4o-mini", "training_file": training.json()["id"]},
                ),
            )
        grab(
            "completion_id",
            http.post(
                "/v1/chat/completions",
                headers=user,
                json={"model": "gpt-4o-mini", "store": True, "messages": [{"role": "user", "content": "Hello"}]},
            ),
        )
        grab(
            "upload_id",
            http.post(
                "/v1/uploads",
                headers=user,
                json={"purpose": "assistants", "filename": "a.txt", "bytes": 5, "mime_type": "text/plain"},
            ),
        )
        grab("project_id", http.post("/v1/organization/projects", headers=admin, json={"name": "Fuzz"}))
        grab("user_id", http.get("/v1/organization/users", headers=admin))
        grab(
            "invite_id",
            http.post("/v1/organization/invites", headers=admin, json={"email": "fuzz@example.org", "role": "reader"}),
        )
        grab("key_id", http.post("/v1/organization/admin_api_keys", headers=admin, json={"name": "fuzz"}))
        project = ids.get("project_id", "p")
        grab(
            "service_account_id",
            http.post(
                f"/v1/organization/projects/{project}/service_accounts", headers=admin, json={"name": "fuzz-bot"}
            ),
        )
        grab("rate_limit_id", http.get(f"/v1/organization/projects/{project}/rate_limits", headers=admin))
        if "user_id" in ids:
            http.post(
                f"/v1/organization/projects/{project}/users",
                headers=admin,
                json={"user_id": ids["user_id"], "role": "member"},
            )
    return ids


# --------------------------------------------------------------------------- running


def _headers(path: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {ADMIN_KEY if path.startswith('/organization') else USER_KEY}"}
    if path.startswith(("/assistants", "/threads")):
        # The Assistants API answers only clients that opt in to v2 (without it, every case was the same 400).
        headers["OpenAI-Beta"] = "assistants=v2"
    return headers


def _call(case: Any, session: Any, base_url: str | None) -> Any:
    if base_url is None:
        return case.call(session=session)  # in-process: the schema's ASGI app, one reused client
    return case.call(base_url=base_url, session=session, timeout=30)


def fuzz_operation(
    operation: APIOperation,
    mode: GenerationMode,
    *,
    report: FuzzReport,
    examples: int,
    seed: int,
    session: Any,
    base_url: str | None = None,
    path_parameters: dict[str, str] | None = None,
) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    # A fixed Authorization header: negative cases fuzz the request, not the key (auth has its own tests).
    strategy = operation.as_strategy(
        generation_mode=mode, headers=_headers(operation.path), path_parameters=path_parameters
    )

    @hypothesis.seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every finding is kept as generated
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = _call(case, session, base_url)
        status = response.status_code
        report.requests += 1
        report.statuses[status] += 1
        content_type = response.headers.get("content-type", [""])[0]
        for problem in problems(operation.method, case.formatted_path, status, content_type, response.content):
            report.findings.append(Finding(label, mode.value, status, problem, _describe_request(case)))
        if mode is GenerationMode.NEGATIVE and 200 <= status < 300:
            report.accepted_invalid[label] += 1

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # e.g. no invalid request exists for GET /models with a fixed key
        report.ungenerated.append(f"{label} [{mode.value}]")


# Inputs without a message item (#23): legal for the spec, rare in generated cases, and once a 500.
_ITEMS_WITHOUT_MESSAGES: list[list[dict[str, Any]]] = [
    [{"type": "reasoning", "id": "rs_fuzz", "summary": []}],
    [{"type": "reasoning", "id": "rs_fuzz", "summary": [{"type": "summary_text", "text": "Hm."}]}],
    [{"type": "web_search_call", "id": "ws_fuzz", "status": "completed"}],
    [{"type": "file_search_call", "id": "fs_fuzz", "status": "completed", "queries": ["q"]}],
    [{"type": "function_call", "call_id": "call_fuzz", "name": "f", "arguments": "{}"}],
    [
        {"type": "function_call", "call_id": "call_fuzz", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_fuzz", "output": "42"},
    ],
    [
        {"type": "reasoning", "id": "rs_fuzz", "summary": []},
        {"type": "web_search_call", "id": "ws_fuzz", "status": "completed"},
    ],
    [{"type": "item_reference", "id": "msg_missing"}],
]


def fuzz_inputs_without_messages(
    operation: APIOperation, *, report: FuzzReport, session: Any, base_url: str | None = None
) -> None:
    """POST /responses with every input above, plain and streamed, with and without instructions."""
    label = f"{operation.method.upper()} {operation.path}"
    for items in _ITEMS_WITHOUT_MESSAGES:
        for extra in ({}, {"stream": True}, {"instructions": "Be brief."}, {"model": "o3-mini"}):
            body = {"model": "gpt-4o-mini", "input": items, **extra}
            case = operation.Case(body=body, headers=_headers(operation.path), media_type="application/json")
            response = _call(case, session, base_url)
            report.requests += 1
            report.statuses[response.status_code] += 1
            content_type = response.headers.get("content-type", [""])
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            for problem in problems("POST", operation.path, response.status_code, content_type, response.content):
                report.findings.append(
                    Finding(label, "no-message input", response.status_code, problem, json.dumps(body))
                )


def run_fuzz(
    app: Any,
    *,
    examples: int,
    seed: int = 0,
    groups: Iterable[str] | None = None,
    base_url: str | None = None,
) -> FuzzReport:
    """Fuzz every routed operation (positive then negative), `examples` generated cases per mode."""
    import requests
    from schemathesis.python.asgi import ASGIClient

    schema = fuzz_schema()
    schema.app = app
    chosen, unrouted = operations(groups)
    report = FuzzReport(operations=len(chosen), unrouted=unrouted)
    started = time.perf_counter()
    known = seed_objects(app, base_url)
    with ASGIClient(app) if base_url is None else requests.Session() as session:
        for operation in chosen:
            run = functools.partial(
                fuzz_operation,
                operation,
                report=report,
                examples=examples,
                seed=seed,
                session=session,
                base_url=base_url,
            )
            run(GenerationMode.POSITIVE)
            run(GenerationMode.NEGATIVE)
            if operation.method.upper() == "POST" and operation.path == "/responses":
                fuzz_inputs_without_messages(operation, report=report, session=session, base_url=base_url)
            names = [p.name for p in operation.path_parameters]
            if names and all(name in known for name in names):  # again, aimed at real objects
                run(GenerationMode.POSITIVE, path_parameters={name: known[name] for name in names})
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    """`make fuzz`: repeat rounds with new seeds until `--min-requests` requests have been checked."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--min-requests", type=int, default=5000)
    parser.add_argument("--examples", type=int, default=25, help="generated cases per operation and mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-url", help="fuzz a running server (e.g. http://127.0.0.1:8000/v1) instead")
    args = parser.parse_args(argv)

    from openai_mock.local.server import build_app

    app = build_app(TEMPLATE)
    total = FuzzReport()
    seed = args.seed
    while total.requests < args.min_requests:
        report = run_fuzz(app, examples=args.examples, seed=seed, base_url=args.base_url)
        print(f"seed {seed}: {report.summary()}", flush=True)
        total.requests += report.requests
        total.statuses.update(report.statuses)
        total.findings.extend(report.findings)
        total.accepted_invalid.update(report.accepted_invalid)
        total.operations, total.unrouted, total.ungenerated = report.operations, report.unrouted, report.ungenerated
        total.seconds += report.seconds
        seed += 1
    print(f"total: {total.summary()}")
    print(f"status codes: {dict(sorted(total.statuses.items()))}")
    print(f"no case generated ({len(total.ungenerated)}): {', '.join(total.ungenerated) or 'none'}")
    print(f"not routed yet ({len(total.unrouted)}): {', '.join(total.unrouted) or 'none'}")
    for label, count in total.accepted_invalid.most_common(15):
        print(f"negative cases accepted: {label}: {count}")
    for finding in total.findings[:50]:
        print(finding)
    return 1 if total.findings else 0


if __name__ == "__main__":
    sys.exit(main())
