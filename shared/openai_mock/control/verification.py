"""Verification (docs/controls.md, "Verification"): what a test expected of the traffic, checked against the
tenant's journal. `POST /__mock/verify` answers 200 when every expectation holds, else 409 in OpenAI's error
envelope whose message is a readable diff, the failures also structured in `failures`.

Expectations (every one given is checked; none given: nothing to fail):

- `fixtures`: `[{"id", "times"? | "at_least"? | "at_most"?}]`: how many journalled requests the fixture answered
  (`times` exactly; without a bound, at least once).
- `requests`: `[{"method"?, "path"?, "status"?, "model"?, "fixture"?}]` (the journal's filters): requests
  meeting these arrived in this order, each after the previous one, others possibly in between (a
  subsequence of the journal, oldest first).
- `no_unmatched`: `true`: every journalled request was answered by a fixture.

The journal holds the tenant's newest `OPENAI_MOCK_JOURNAL_SIZE` requests: older ones are not counted."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from openai_mock.control import fixtures, runtime
from openai_mock.control.runtime import JournalFilter
from openai_mock.fields import Integer, RequestModel

VERIFICATION = "mock.verification"


class _Strict(RequestModel):
    model_config = ConfigDict(extra="forbid")


class FixtureExpectation(_Strict):
    id: str = Field(min_length=1)
    times: Integer | None = Field(default=None, ge=0)
    at_least: Integer | None = Field(default=None, ge=0)
    at_most: Integer | None = Field(default=None, ge=0)


class RequestExpectation(_Strict):
    method: str | None = None
    path: str | None = None  # a prefix, or a glob with * ? [ (the journal's `path` filter)
    status: str | Integer | None = None  # 429 or "4xx"
    model: str | None = None
    fixture: str | None = None  # the id of the fixture that answered, or "none"

    def filter(self) -> JournalFilter:
        status = None if self.status is None else str(self.status)
        return JournalFilter(self.method, self.path, status, self.model, self.fixture)

    def describe(self) -> str:
        parts = [self.method.upper() if self.method else "any method", self.path or "any path"]
        parts += [f"{name}={value}" for name in ("status", "model", "fixture") if (value := getattr(self, name))]
        return " ".join(str(part) for part in parts)


class VerifyRequest(_Strict):
    fixtures: list[FixtureExpectation] = Field(default_factory=list)
    requests: list[RequestExpectation] = Field(default_factory=list)
    no_unmatched: bool = False


def _line(entry: dict[str, Any]) -> str:
    fixture = f" fixture={entry['fixture']}" if entry["fixture"] else ""
    return f"{entry['method']} {entry['path']} → {entry['status']}{fixture} ({entry['id']})"


def matches_of(tenant: str, fixture_id: str) -> dict[str, Any]:
    """The journalled requests a fixture answered, oldest first: how many, and which (id and time)."""
    answered = runtime.journal_entries(tenant, JournalFilter(fixture=fixture_id))
    return {
        "count": len(answered),
        "requests": [{"id": entry["id"], "created_at": entry["created_at"]} for entry in answered],
    }


def retrieve_with_matches(tenant: str, fixture_id: str) -> dict[str, Any]:
    return {**fixtures.retrieve(tenant, fixture_id), "matches": matches_of(tenant, fixture_id)}


def _fixture_failure(tenant: str, expected: FixtureExpectation) -> dict[str, Any] | None:
    answered = runtime.journal_entries(tenant, JournalFilter(fixture=expected.id))
    count = len(answered)
    if expected.times is not None and count != expected.times:
        wanted = f"exactly {expected.times}"
    elif expected.at_least is not None and count < expected.at_least:
        wanted = f"at least {expected.at_least}"
    elif expected.at_most is not None and count > expected.at_most:
        wanted = f"at most {expected.at_most}"
    elif expected.times is None and expected.at_least is None and expected.at_most is None and count == 0:
        wanted = "at least 1"
    else:
        return None
    noun = "match" if wanted.endswith(" 1") else "matches"
    return {
        "expectation": "fixtures",
        "id": expected.id,
        "expected": wanted,
        "actual": count,
        "requests": [entry["id"] for entry in answered],
        "message": f"fixture {expected.id}: expected {wanted} {noun}, got {count}",
    }


def keeps(chosen: JournalFilter, entry: dict[str, Any]) -> bool:
    """Does `chosen` keep this listed journal entry?"""
    model = entry["model"]
    return chosen.keeps(entry["method"], entry["path"], entry["status"], entry["fixture"], lambda: model)


def _order_failure(journal: list[dict[str, Any]], expected: list[RequestExpectation]) -> dict[str, Any] | None:
    """The expectations as a subsequence of the journal (oldest first), each found after the previous one."""
    found: list[str] = []
    position = 0
    for index, expectation in enumerate(expected):
        chosen = expectation.filter()
        for at in range(position, len(journal)):
            entry = journal[at]
            if keeps(chosen, entry):
                found.append(entry["id"])
                position = at + 1
                break
        else:
            after = f" after {found[-1]}" if found else ""
            return {
                "expectation": "requests",
                "index": index,
                "expected": expectation.describe(),
                "found": found,
                "message": f"requests in order: #{index + 1} ({expectation.describe()}) did not arrive{after}; "
                f"{len(found)} of {len(expected)} found in order",
            }
    return None


def _unmatched_failure(journal: list[dict[str, Any]]) -> dict[str, Any] | None:
    unmatched = [entry for entry in journal if entry["fixture"] is None]
    if not unmatched:
        return None
    return {
        "expectation": "no_unmatched",
        "requests": [entry["id"] for entry in unmatched],
        "message": f"no_unmatched: {len(unmatched)} request{'s' if len(unmatched) > 1 else ''} no fixture answered",
    }


def verify(tenant: str, body: VerifyRequest) -> tuple[bool, dict[str, Any]]:
    """(ok, the answer): `{"object": "mock.verification", "ok": true}`, or OpenAI's error envelope with the diff."""
    journal = runtime.journal_entries(tenant)
    failures = [failure for expected in body.fixtures if (failure := _fixture_failure(tenant, expected))]
    if body.requests and (failure := _order_failure(journal, body.requests)):
        failures.append(failure)
    if body.no_unmatched and (failure := _unmatched_failure(journal)):
        failures.append(failure)
    if not failures:
        return True, {"object": VERIFICATION, "ok": True}
    return False, {
        "error": {
            "message": _diff(failures, journal),
            "type": "invalid_request_error",
            "param": None,
            "code": "verification_failed",
        },
        "failures": failures,
    }


def _diff(failures: list[dict[str, Any]], journal: list[dict[str, Any]]) -> str:
    lines = [f"Mock verification failed ({len(failures)} expectation{'s' if len(failures) > 1 else ''}):"]
    lines += [f"  - {failure['message']}" for failure in failures]
    lines.append(f"Journal ({len(journal)} request{'s' if len(journal) != 1 else ''}, oldest first):")
    start = max(0, len(journal) - 50)  # the newest 50 at most
    lines += [f"  {index}. {_line(entry)}" for index, entry in enumerate(journal[start:], start + 1)]
    if not journal:
        lines.append("  (empty)")
    return "\n".join(lines)
