"""`openai-mock drift DIR`: does the mock still answer like the recordings of a real service?

Each exchange recorded by `serve --proxy URL --record DIR` (local/recording.py) is sent again, to the mock in
process, and the two answers' shapes are compared: status, the OpenAI header names, the JSON keys, their types
and nullability, the `object` values, a stream's event names and its events' keys. Values themselves (ids,
text, numbers) are expected to differ and are not compared. See docs/controls.md, "Drift report"."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# Response headers whose presence is part of OpenAI's contract (the others are the CDN's or the server's).
_CONTRACT_HEADERS = ("openai-", "x-ratelimit-", "x-request-id", "content-type")
_ENUM_KEYS = frozenset({"object"})


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape(value: Any, path: str = "$", into: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every path of a JSON value (array items as `[]`) → the types seen there; `object` keys' values too."""
    found: dict[str, set[str]] = into if into is not None else defaultdict(set)
    found[path].add(_type(value))
    if isinstance(value, dict):
        for key, item in value.items():
            shape(item, f"{path}.{key}", found)
            if key in _ENUM_KEYS and isinstance(item, str):
                found[f"{path}.{key}=="].add(item)
    elif isinstance(value, list):
        for item in value:
            shape(item, f"{path}[]", found)
    return found


def _events_shape(events: Iterable[Mapping[str, Any]]) -> tuple[list[str], dict[str, set[str]]]:
    names: list[str] = []
    found: dict[str, set[str]] = defaultdict(set)
    for event in events:
        name = event.get("event") or "message"
        if name not in names:
            names.append(name)
        try:
            data = json.loads(event.get("data") or "")
        except ValueError:
            continue  # [DONE], or a raw event
        shape(data, "$", found)
    return names, found


def _parse_stream(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event: dict[str, Any] = {}
        data = []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event["event"] = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:") :].removeprefix(" "))
        if data:
            event["data"] = "\n".join(data)
            events.append(event)
    return events


def compare_shapes(recorded: Mapping[str, set[str]], mocked: Mapping[str, set[str]], where: str) -> list[str]:
    differences = []
    for path in sorted(set(recorded) | set(mocked)):
        label = f"{where} {path}"
        if path.endswith("=="):
            missing = recorded.get(path, set()) - mocked.get(path, set())
            if missing and path in mocked:
                differences.append(f"{label[:-2]}: recorded {sorted(missing)}, the mock answers {sorted(mocked[path])}")
            continue
        if path not in mocked:
            differences.append(f"{label}: recorded, missing in the mock")
        elif path not in recorded:
            differences.append(f"{label}: answered by the mock, not in the recording")
        elif recorded[path] != mocked[path]:
            real, mock = recorded[path] - {"null"}, mocked[path] - {"null"}
            if real == mock or not real or not mock:
                if "null" in recorded[path]:
                    differences.append(f"{label}: null in the recording, never null in the mock")
                else:
                    differences.append(f"{label}: null from the mock, never null in the recording")
            else:
                real_types, mock_types = "|".join(sorted(recorded[path])), "|".join(sorted(mocked[path]))
                differences.append(f"{label}: type {real_types} recorded, {mock_types} in the mock")
    return differences


def compare(exchange: Mapping[str, Any], status: int, headers: Mapping[str, str], body: bytes) -> list[str]:
    """The differences between a recorded answer and the mock's answer to the same request."""
    recorded = exchange["response"]
    differences = []
    if recorded.get("status", 200) != status:
        differences.append(f"status: {recorded.get('status', 200)} recorded, {status} from the mock")
        return differences  # an error body against a success body: the shapes say nothing more
    for name in sorted(recorded.get("headers", {})):
        if name.startswith(_CONTRACT_HEADERS) and name not in headers:
            differences.append(f"header {name}: recorded, missing in the mock")
    if recorded.get("events") is not None:
        real_names, real_shape = _events_shape(recorded["events"])
        mock_names, mock_shape = _events_shape(_parse_stream(body.decode(errors="replace")))
        for name in real_names:
            if name not in mock_names:
                differences.append(f"event {name}: recorded, never sent by the mock")
        for name in mock_names:
            if name not in real_names:
                differences.append(f"event {name}: sent by the mock, not in the recording")
        return differences + compare_shapes(real_shape, mock_shape, "events")
    recorded_body = recorded.get("body")
    if "body" not in recorded and "json" in recorded.get("headers", {}).get("content-type", ""):
        try:  # a JSON answer kept as text (laid out otherwise than compact or indented: OpenAI's trailing newline)
            recorded_body = json.loads(recorded.get("text") or "")
        except ValueError:
            recorded_body = None
        else:
            recorded = {**recorded, "body": recorded_body}
    if "body" in recorded:
        try:
            mocked = json.loads(body)
        except ValueError:
            return [*differences, "body: JSON recorded, the mock's answer is not JSON"]
        return differences + compare_shapes(shape(recorded_body), shape(mocked), "body")
    real_type = recorded.get("headers", {}).get("content-type", "").split(";")[0]
    mock_type = headers.get("content-type", "").split(";")[0]
    if real_type != mock_type:
        differences.append(f"content-type: {real_type} recorded, {mock_type} from the mock")
    return differences


def _key_for(path: str) -> str:
    return "sk-admin-drift" if path.startswith("/v1/organization") else "sk-drift"


def drift(folder: Path, template: Path) -> dict[str, list[str]]:
    """Each recording file's differences (an empty list: none), the mock answering in this process."""
    from starlette.testclient import TestClient

    from openai_mock.control.fixtures import load_file
    from openai_mock.local.server import build_app

    client = TestClient(build_app(template), base_url="http://mock", raise_server_exceptions=False)
    report: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.json")):
        for fixture in load_file(path):
            exchange = fixture.get("exchange")
            if exchange is None:
                continue
            request = exchange["request"]
            headers = {
                name: value
                for name, value in request.get("headers", {}).items()
                if name in ("content-type", "accept", "openai-beta")
            }
            headers["authorization"] = f"Bearer {_key_for(request['path'])}"
            content = None
            if request.get("body") is not None:
                content = json.dumps(request["body"]).encode()
                headers["content-type"] = "application/json"
            answer = client.request(request["method"], request["path"], headers=headers, content=content)
            report.setdefault(path.name, []).extend(
                compare(exchange, answer.status_code, answer.headers, answer.content)
            )
    return report
