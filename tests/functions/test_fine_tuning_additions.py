"""Fine-tuning's 2026 additions through the official SDK: graders run and validated (alpha), pause and resume
(the clock-derived progress stops and continues, estimated_finish moves), checkpoint permissions (admin key),
reinforcement fine-tuning with a grader. Every JSON answer is checked against the 2026-08-21 contract."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
ADMIN = {"Authorization": "Bearer sk-admin-test-organization"}
SPEC = "2026-08-21"
START = 1_800_000_000
LATER = 3 * 3600

BLEU_FOX = (8 / 9 * 6 / 8 * 4 / 7 * 2 / 6) ** 0.25  # the textbook pair, worked out by hand
STRING_CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


def _run_grader(http: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = _ok(http.post("/v1/fine_tuning/alpha/graders/run", json=body, headers=AUTH))
    assert_conforms("POST", "/v1/fine_tuning/alpha/graders/run", 200, answer, spec=SPEC)
    return answer


# --------------------------------------------------------------------------- graders


def test_run_text_similarity_grader_computes_bleu(client: openai.OpenAI, http: TestClient) -> None:
    grader = {
        "type": "text_similarity",
        "name": "bleu",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference}}",
        "evaluation_metric": "bleu",
    }
    item = {"reference": "the quick brown fox jumps over the lazy dog"}
    answer = _run_grader(
        http, {"grader": grader, "item": item, "model_sample": "the quick brown fox jumped over the lazy dog"}
    )
    assert answer["reward"] == pytest.approx(BLEU_FOX, abs=1e-9)
    assert (
        answer["metadata"]["scores"] == {"bleu": answer["reward"]} and answer["metadata"]["type"] == "text_similarity"
    )
    assert not any(
        value for key, value in answer["metadata"]["errors"].items() if not key.endswith(("_type", "_details"))
    )
    sdk = client.fine_tuning.alpha.graders.run(
        grader=grader,  # type: ignore[arg-type]
        item=item,
        model_sample="the quick brown fox jumps over the lazy dog",
    )
    assert sdk.reward == pytest.approx(1.0)


def test_run_string_check_and_a_missing_variable(http: TestClient) -> None:
    passed = _run_grader(http, {"grader": STRING_CHECK, "item": {"answer": "42"}, "model_sample": "42"})
    assert passed["reward"] == 1.0
    failed = _run_grader(http, {"grader": STRING_CHECK, "item": {"answer": "42"}, "model_sample": "41"})
    assert failed["reward"] == 0.0
    missing = _run_grader(http, {"grader": STRING_CHECK, "model_sample": "42"})
    assert missing["reward"] == 0.0 and missing["metadata"]["errors"]["invalid_variable_error"] is True


def test_run_multi_grader_formula(http: TestClient) -> None:
    # OpenAI's guide writes `graders` as a mapping of names to graders; the formula combines their scores.
    multi = {
        "type": "multi",
        "name": "combined",
        "graders": {
            "exact": STRING_CHECK,
            "close": {
                "type": "text_similarity",
                "name": "close",
                "input": "{{sample.output_text}}",
                "reference": "{{item.sentence}}",
                "evaluation_metric": "rouge_1",
            },
        },
        "calculate_output": "0.25 * exact + 0.75 * close",
    }
    item = {"answer": "x", "sentence": "the cat sat on the mat"}
    answer = _run_grader(http, {"grader": multi, "item": item, "model_sample": "the cat lay on the red mat"})
    rouge_1 = 50 / 65  # 5 common unigrams; P = 5/7, R = 5/6
    assert answer["sub_rewards"] == pytest.approx({"exact": 0.0, "close": rouge_1})
    assert answer["reward"] == pytest.approx(0.75 * rouge_1)
    # The spec's form: one grader, named in the formula by its name.
    single = {"type": "multi", "name": "one", "graders": STRING_CHECK, "calculate_output": "2 * exact"}
    assert _run_grader(http, {"grader": single, "item": {"answer": "y"}, "model_sample": "y"})["reward"] == 2.0


def test_run_score_model_grader_counts_its_tokens(http: TestClient) -> None:
    grader = {
        "type": "score_model",
        "name": "judge",
        "model": "gpt-4o-mini",
        "input": [{"role": "user", "content": "Score this answer: {{sample.output_text}}"}],
        "range": [0, 1],
    }
    first = _run_grader(http, {"grader": grader, "model_sample": "Paris"})
    again = _run_grader(http, {"grader": grader, "model_sample": "Paris"})
    assert first["reward"] == again["reward"] and 0 <= first["reward"] <= 1
    usage = first["model_grader_token_usage_per_model"]["gpt-4o-mini"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert first["metadata"]["token_usage"] == usage["total_tokens"]
    assert first["metadata"]["sampled_model_name"] == "gpt-4o-mini"


def test_validate_grader_echoes_it(client: openai.OpenAI, http: TestClient) -> None:
    answer = _ok(http.post("/v1/fine_tuning/alpha/graders/validate", json={"grader": STRING_CHECK}, headers=AUTH))
    assert_conforms("POST", "/v1/fine_tuning/alpha/graders/validate", 200, answer, spec=SPEC)
    assert answer == {"grader": STRING_CHECK}
    checked = client.fine_tuning.alpha.graders.validate(
        grader={"type": "multi", "name": "m", "graders": STRING_CHECK, "calculate_output": "exact"}  # type: ignore[arg-type,typeddict-item]
    )
    assert checked.grader is not None and checked.grader.type == "multi"


@pytest.mark.parametrize(
    ("grader", "param"),
    [
        ({**STRING_CHECK, "operation": "regex"}, "grader.operation"),
        ({k: v for k, v in STRING_CHECK.items() if k != "reference"}, "grader.reference"),
        (
            {"type": "text_similarity", "name": "s", "input": "a", "reference": "b", "evaluation_metric": "bertscore"},
            "grader.evaluation_metric",
        ),
        (
            {"type": "multi", "name": "m", "graders": STRING_CHECK, "calculate_output": "exact + other"},
            "grader.calculate_output",
        ),
        (
            {"type": "multi", "name": "m", "graders": STRING_CHECK, "calculate_output": "__import__('os')"},
            "grader.calculate_output",
        ),
        (
            {
                "type": "score_model",
                "name": "s",
                "model": "gpt-4o-mini",
                "input": [{"role": "user", "content": "x"}],
                "range": [1, 0],
            },
            "grader.range",
        ),
        ({"type": "python", "name": "p", "source": "def grade(sample, item):\n    return 1.0"}, "grader.type"),
        ({"type": "grep", "name": "g"}, "grader.type"),
        (
            {
                "type": "score_model",
                "name": "s",
                "model": "gpt-4o-mini",
                "input": [{"role": "user", "content": "x"}],
                "sampling_params": {"temperature": 5},
            },
            "grader.sampling_params.temperature",
        ),
    ],
)
def test_bad_grader_is_refused_with_its_param(http: TestClient, grader: dict[str, Any], param: str) -> None:
    for endpoint, body in (("validate", {"grader": grader}), ("run", {"grader": grader, "model_sample": "x"})):
        error = _error(http.post(f"/v1/fine_tuning/alpha/graders/{endpoint}", json=body, headers=AUTH))
        assert error["param"] == param and error["type"] == "invalid_request_error"


def test_python_grader_runs_in_a_subprocess_when_enabled(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_mock.settings import reset_settings

    monkeypatch.setenv("OPENAI_MOCK_PYTHON_GRADERS", "subprocess")
    reset_settings()
    source = "def grade(sample, item):\n    return len(sample['output_text']) / len(item['reference'])\n"
    grader = {"type": "python", "name": "ratio", "source": source}
    answer = _run_grader(http, {"grader": grader, "item": {"reference": "abcd"}, "model_sample": "ab"})
    assert answer["reward"] == 0.5
    broken = {"type": "python", "name": "boom", "source": "def grade(sample, item):\n    return 1 / 0\n"}
    failed = _run_grader(http, {"grader": broken, "model_sample": "x"})
    assert failed["metadata"]["errors"]["python_grader_runtime_error"] is True
    assert "ZeroDivisionError" in failed["metadata"]["errors"]["python_grader_runtime_error_details"]


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("return len(bytearray(1024 ** 3))", "MemoryError"),  # over its 512 MB of address space
        ("with open('out.txt', 'w') as out:\n        out.write('x')\n    return 1.0", "File too large"),  # no file
    ],
)
def test_a_python_grader_runs_within_its_limits(
    http: TestClient, monkeypatch: pytest.MonkeyPatch, body: str, refused: str
) -> None:
    """The child sets its own limits before it reads the grader (no `preexec_fn`, which could hang a threaded
    server between fork and exec)."""
    import subprocess

    from openai_mock.settings import reset_settings

    monkeypatch.setenv("OPENAI_MOCK_PYTHON_GRADERS", "subprocess")
    reset_settings()
    spawned: list[dict[str, Any]] = []
    run = subprocess.run

    def recorded(*args: Any, **options: Any) -> Any:
        spawned.append(options)
        return run(*args, **options)

    monkeypatch.setattr(subprocess, "run", recorded)
    grader = {"type": "python", "name": "greedy", "source": f"def grade(sample, item):\n    {body}\n"}
    failed = _run_grader(http, {"grader": grader, "model_sample": "x"})
    assert failed["metadata"]["errors"]["python_grader_runtime_error"] is True
    assert refused in failed["metadata"]["errors"]["python_grader_runtime_error_details"]
    assert len(spawned) == 1 and "preexec_fn" not in spawned[0]


# --------------------------------------------------------------------------- jobs: pause and resume


def _examples(count: int = 12) -> list[dict[str, Any]]:
    return [
        {
            "messages": [
                {"role": "user", "content": f"What is {index} plus {index}?"},
                {"role": "assistant", "content": str(2 * index)},
            ]
        }
        for index in range(count)
    ]


def _upload(client: openai.OpenAI, lines: list[dict[str, Any]]) -> str:
    data = "\n".join(json.dumps(line) for line in lines).encode()
    return client.files.create(file=("train.jsonl", data), purpose="fine-tune").id


def test_pause_and_resume_move_the_finish(client: openai.OpenAI, http: TestClient) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_upload(client, _examples()))
    path = f"/v1/fine_tuning/jobs/{job.id}"
    error = _error(http.post(f"{path}/pause", headers=AUTH))  # still validating its files
    assert error["code"] == "job_not_pausable"
    while client.fine_tuning.jobs.retrieve(job.id).status != "running":
        clock.advance(5)
    running = client.fine_tuning.jobs.retrieve(job.id)
    finish = running.estimated_finish
    assert finish is not None
    steps_before = len([e for e in client.fine_tuning.jobs.list_events(job.id, limit=100).data if e.type == "metrics"])

    paused = _ok(http.post(f"{path}/pause", headers=AUTH))
    assert_conforms("POST", f"{path}/pause", 200, paused, spec=SPEC)
    assert paused["status"] == "paused" and paused["estimated_finish"] is None
    clock.advance(600)  # paused: nothing moves
    assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
    events = client.fine_tuning.jobs.list_events(job.id, limit=100).data
    assert len([e for e in events if e.type == "metrics"]) == steps_before
    assert events[0].message == "Fine-tuning job paused"
    assert running.fine_tuned_model is None and job.id not in {m.id for m in client.models.list().data}
    assert _error(http.post(f"{path}/pause", headers=AUTH))["code"] == "job_not_pausable"

    resumed = _ok(http.post(f"{path}/resume", headers=AUTH))
    assert_conforms("POST", f"{path}/resume", 200, resumed, spec=SPEC)
    assert resumed["status"] == "running" and resumed["estimated_finish"] == finish + 600
    assert _error(http.post(f"{path}/resume", headers=AUTH))["code"] == "job_not_resumable"
    clock.advance(finish + 600 - clock.now_seconds() - 1)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
    clock.advance(1)
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded" and done.finished_at == finish + 600
    assert done.fine_tuned_model in {m.id for m in client.models.list().data}
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=100)]  # every page
    assert "Fine-tuning job resumed" in messages and messages[0] == "The job has successfully completed"
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert checkpoints and all(c.created_at <= done.finished_at for c in checkpoints)


def test_pause_and_resume_through_the_sdk(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_upload(client, _examples()))
    clock.advance(60)
    assert client.fine_tuning.jobs.pause(job.id).status == "paused"  # type: ignore[comparison-overlap]
    assert client.fine_tuning.jobs.resume(job.id).status == "running"
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.pause("ftjob-missing")


# --------------------------------------------------------------------------- checkpoint permissions


def _default_project(http: TestClient) -> str:
    projects = _ok(http.get("/v1/organization/projects", headers=ADMIN))["data"]
    return str(projects[0]["id"])


def test_checkpoint_permissions_create_list_delete(admin_client: openai.OpenAI, http: TestClient) -> None:
    checkpoint = "ft:gpt-4o-mini-2024-07-18:org-abc::7p4lURel:ckpt-step-10"
    path = f"/v1/fine_tuning/checkpoints/{checkpoint}/permissions"
    project = _default_project(http)
    second = _ok(http.post("/v1/organization/projects", json={"name": "Second"}, headers=ADMIN))["id"]

    created = _ok(http.post(path, json={"project_ids": [project]}, headers=ADMIN))
    assert_conforms("POST", path, 200, created, spec=SPEC)
    [permission] = created["data"]
    assert permission["object"] == "checkpoint.permission" and permission["project_id"] == project
    assert permission["id"].startswith("cp_") and permission["created_at"] == START
    clock.advance(1)
    again = admin_client.fine_tuning.checkpoints.permissions.create(checkpoint, project_ids=[project, second])
    ids = [p.id for p in again.data]
    assert ids[0] == permission["id"] and len(set(ids)) == 2  # the existing one is kept, not doubled

    listed = _ok(http.get(path, headers=ADMIN))
    assert_conforms("GET", path, 200, listed, spec=SPEC)
    assert [p["project_id"] for p in listed["data"]] == [second, project]  # descending by default
    ascending = admin_client.fine_tuning.checkpoints.permissions.list(checkpoint, order="ascending", limit=1)
    assert [p.project_id for p in ascending.data] == [project] and ascending.has_more
    only = _ok(http.get(f"{path}?project_id={second}", headers=ADMIN))
    assert [p["project_id"] for p in only["data"]] == [second]

    deleted = _ok(http.delete(f"{path}/{permission['id']}", headers=ADMIN))
    assert_conforms("DELETE", f"{path}/{permission['id']}", 200, deleted, spec=SPEC)
    assert deleted == {"object": "checkpoint.permission", "id": permission["id"], "deleted": True}
    assert [p["project_id"] for p in _ok(http.get(path, headers=ADMIN))["data"]] == [second]
    gone = admin_client.fine_tuning.checkpoints.permissions.delete(ids[1], fine_tuned_model_checkpoint=checkpoint)
    assert gone.deleted and gone.id == ids[1]
    assert admin_client.fine_tuning.checkpoints.permissions.list(checkpoint).data == []
    assert _error(http.delete(f"{path}/{permission['id']}", headers=ADMIN), 404)["param"] == "permission_id"


def test_checkpoint_permissions_need_an_admin_key_and_valid_input(http: TestClient) -> None:
    checkpoint = "ft:gpt-4o-mini-2024-07-18:org-abc::7p4lURel:ckpt-step-10"
    path = f"/v1/fine_tuning/checkpoints/{checkpoint}/permissions"
    assert _error(http.get(path, headers=AUTH), 403)["code"] == "insufficient_permissions"
    assert _error(http.post(path, json={"project_ids": ["proj_nope"]}, headers=ADMIN))["param"] == "project_ids[0]"
    assert _error(http.post(path, json={"project_ids": []}, headers=ADMIN))["param"] == "project_ids"
    bad = "/v1/fine_tuning/checkpoints/gpt-4o/permissions"
    assert _error(http.get(bad, headers=ADMIN))["param"] == "fine_tuned_model_checkpoint"
    assert _ok(http.get(path, headers=ADMIN))["data"] == []  # nothing half-stored


# --------------------------------------------------------------------------- reinforcement fine-tuning


def test_reinforcement_job_with_a_grader(client: openai.OpenAI, http: TestClient) -> None:
    lines = [
        {
            "messages": [{"role": "user", "content": f"What is {i} times 3? Answer with the number."}],
            "answer": str(3 * i),
        }
        for i in range(12)
    ]
    grader = {**STRING_CHECK, "name": "exact answer"}
    body = {
        "model": "o4-mini",
        "training_file": _upload(client, lines),
        "method": {
            "type": "reinforcement",
            "reinforcement": {"grader": grader, "hyperparameters": {"reasoning_effort": "low", "n_epochs": 2}},
        },
    }
    created = _ok(http.post("/v1/fine_tuning/jobs", json=body, headers=AUTH))
    assert_conforms("POST", "/v1/fine_tuning/jobs", 200, created, spec=SPEC)
    assert created["model"] == "o4-mini-2025-04-16" and created["method"]["type"] == "reinforcement"
    assert created["method"]["reinforcement"]["grader"] == grader
    clock.advance(LATER)
    job = client.fine_tuning.jobs.retrieve(created["id"])
    assert job.status == "succeeded" and job.method is not None and job.method.reinforcement is not None
    hyper = job.method.reinforcement.hyperparameters
    assert hyper is not None and hyper.reasoning_effort == "low" and hyper.n_epochs == 2
    assert hyper.compute_multiplier == 1.0
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=100))[::-1]  # every page, oldest first
    announced = [e.message for e in events if e.message.startswith("Grader 'exact answer'")]
    assert len(announced) == 1 and "baseline reward" in announced[0]
    metrics = [e for e in events if e.type == "metrics"]
    rewards = [e.data["train_reward_mean"] for e in metrics]  # type: ignore[index]
    assert len(rewards) == metrics[0].data["total_steps"] and all(0 <= r <= 1 for r in rewards)  # type: ignore[index]
    assert rewards[-1] > rewards[0]
    assert_conforms(
        "GET",
        f"/v1/fine_tuning/jobs/{job.id}/events",
        200,
        _ok(http.get(f"/v1/fine_tuning/jobs/{job.id}/events", headers=AUTH)),
        spec=SPEC,
    )


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"model": "gpt-4o-mini"}, "model"),
        ({"method": {"type": "reinforcement"}}, "method.reinforcement.grader"),
        (
            {"method": {"type": "reinforcement", "reinforcement": {"grader": {**STRING_CHECK, "operation": "bad"}}}},
            "method.reinforcement.grader.operation",
        ),
        (
            {
                "method": {
                    "type": "reinforcement",
                    "reinforcement": {"grader": STRING_CHECK, "hyperparameters": {"reasoning_effort": "max"}},
                }
            },
            "method.reinforcement.hyperparameters.reasoning_effort",
        ),
        (
            {
                "method": {
                    "type": "reinforcement",
                    "reinforcement": {"grader": STRING_CHECK, "hyperparameters": {"compute_multiplier": 11}},
                }
            },
            "method.reinforcement.hyperparameters.compute_multiplier",
        ),
        ({"method": {"type": "supervised"}, "model": "o4-mini"}, "model"),
        ({"method": {"type": "supervised"}, "model": "gpt-4o-mini", "training_file": None}, "training_file"),
    ],
)
def test_bad_reinforcement_job_is_refused(
    client: openai.OpenAI, http: TestClient, change: dict[str, Any], param: str
) -> None:
    body = {
        "model": "o4-mini",
        "training_file": _upload(client, _examples()),
        "method": {"type": "reinforcement", "reinforcement": {"grader": STRING_CHECK}},
        **change,
    }
    if body["training_file"] is None:  # prompts without answers cannot train a supervised job
        prompts = [{"messages": [{"role": "user", "content": f"{i} + 1?"}], "answer": str(i + 1)} for i in range(12)]
        body["training_file"] = _upload(client, prompts)
    assert _error(http.post("/v1/fine_tuning/jobs", json=body, headers=AUTH))["param"] == param
    assert client.fine_tuning.jobs.list().data == []
