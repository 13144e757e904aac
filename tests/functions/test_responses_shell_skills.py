"""Skills in the Responses `shell` tool's environment, through the official SDK: a `container_auto` environment
mounts them (a stored skill by reference, an inline bundle) under `skills/` where the simulated shell lists and
reads them; a `local` environment's skills are told to the model, which reads the named skill's SKILL.md; unknown
or malformed skills are OpenAI's 404 / 400 naming the param."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from tests.support.spec import assert_conforms, validate_component

AUTH = {"Authorization": "Bearer sk-test"}


def _manifest(name: str, description: str) -> bytes:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\nRun scripts/main.py.\n".encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


CSV_MANIFEST = _manifest("csv-insights", "Summarise CSV files with pandas.")
CHART_MANIFEST = _manifest("chart-maker", "Draw charts with matplotlib.")


def _raw(client: openai.OpenAI, **body: object) -> dict[str, Any]:
    raw = client.responses.with_raw_response.create(model="gpt-5.1", **body)  # type: ignore[call-overload]
    data = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, data)
    return data  # type: ignore[no-any-return]


def _ran(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The hosted shell's call, then each command's output chunk."""
    call, output, _ = [item for item in response["output"] if item["type"] != "reasoning"]
    assert call["type"] == "shell_call" and output["type"] == "shell_call_output"
    return [call, *output["output"]]


def _error(http: TestClient, tools: list[dict[str, Any]], status: int) -> dict[str, Any]:
    answer = http.post("/v1/responses", json={"model": "gpt-5.1", "input": "Run `ls`", "tools": tools}, headers=AUTH)
    assert answer.status_code == status, answer.text
    validate_component("ErrorResponse", answer.json(), spec="2026-08-21")  # the spec lists no error status here
    error: dict[str, Any] = answer.json()["error"]
    return error


def _inline_chart() -> dict[str, Any]:
    data = base64.b64encode(_zip({"SKILL.md": CHART_MANIFEST, "draw.py": b"print('chart')\n"})).decode()
    return {
        "type": "inline",
        "name": "chart-maker",
        "description": "Draw charts with matplotlib.",
        "source": {"type": "base64", "media_type": "application/zip", "data": data},
    }


def test_container_auto_mounts_the_skills_where_the_shell_finds_them(client: openai.OpenAI) -> None:
    bundle = _zip({"csv-insights/SKILL.md": CSV_MANIFEST, "csv-insights/scripts/main.py": b"print('hi')\n"})
    skill = client.skills.create(files=[("csv-insights.zip", bundle)])
    skills = [{"type": "skill_reference", "skill_id": skill.id}, _inline_chart()]
    tool = {"type": "shell", "environment": {"type": "container_auto", "skills": skills}}

    call, listed = _ran(_raw(client, input="Run `ls`", tools=[tool]))
    assert listed["stdout"] == "skills\n" and listed["outcome"] == {"type": "exit", "exit_code": 0}
    container_id = call["environment"]["container_id"]
    assert client.containers.retrieve(container_id).status == "running"

    _, names, tree, manifest, missing = _ran(
        _raw(
            client,
            input="Run:\n```\nls skills\nls -l skills/csv-insights\ncat skills/csv-insights/SKILL.md\n"
            "cat skills/nope/SKILL.md\n```",
            tools=[tool],
        )
    )
    assert names["stdout"] == "csv-insights\nchart-maker\n"
    assert tree["stdout"].splitlines()[1:] == [
        f"-rw-r--r-- 1 root root {len(CSV_MANIFEST):>8} SKILL.md",
        f"drwxr-xr-x 2 root root {4096:>8} scripts",
    ]
    assert manifest["stdout"] == CSV_MANIFEST.decode()  # the stored bundle's SKILL.md
    assert missing["outcome"]["exit_code"] == 1 and "No such file" in missing["stderr"]

    _, inline = _ran(_raw(client, input="Run `cat skills/chart-maker/SKILL.md`", tools=[tool]))
    assert inline["stdout"] == CHART_MANIFEST.decode()


def test_a_container_names_its_skills_to_the_model(client: openai.OpenAI) -> None:
    """A hosted container's skill named by the prompt: the model reads its SKILL.md first."""
    tool = {"type": "shell", "environment": {"type": "container_auto", "skills": [_inline_chart()]}}
    call, read = _ran(_raw(client, input="Run the chart maker skill on the sales data", tools=[tool]))
    assert call["action"]["commands"] == ["cat skills/chart-maker/SKILL.md"]
    assert read["stdout"] == CHART_MANIFEST.decode()


def test_local_skills_are_known_to_the_model(client: openai.OpenAI) -> None:
    local = {
        "type": "local",
        "skills": [
            {"name": "pdf-tools", "description": "Split and merge PDF files.", "path": "/home/me/skills/pdf-tools"},
            {"name": "csv-insights", "description": "Summarise CSV files.", "path": "skills/csv-insights"},
        ],
    }
    tool = {"type": "shell", "environment": local}
    first = _raw(client, input="Use the csv-insights skill on report.csv", tools=[tool])
    (call,) = [item for item in first["output"] if item["type"] != "reasoning"]
    assert call["type"] == "shell_call" and call["environment"] == {"type": "local"}
    assert call["action"]["commands"] == ["cat skills/csv-insights/SKILL.md"]
    other = _raw(client, input="Merge these with pdf tools please", tools=[tool])
    assert [item["action"]["commands"] for item in other["output"] if item["type"] == "shell_call"] == [
        ["cat /home/me/skills/pdf-tools/SKILL.md"]
    ]
    # The skills are read like instructions: they cost input tokens.
    bare = _raw(client, input="Use the csv-insights skill on report.csv", tools=[{"type": "shell"}])
    assert first["usage"]["input_tokens"] > bare["usage"]["input_tokens"]
    assert [item["type"] for item in bare["output"] if item["type"] != "reasoning"] == ["message"]


def test_an_unknown_skill_is_404_naming_it(client: openai.OpenAI, http: TestClient) -> None:
    skills = [{"type": "skill_reference", "skill_id": "skill_nope"}]
    tools = [{"type": "shell", "environment": {"type": "container_auto", "skills": skills}}]
    error = _error(http, tools, 404)
    assert error["param"] == "tools[0].environment.skills[0].skill_id" and "skill_nope" in error["message"]
    quiet = {"model": "gpt-5.1", "input": "What is the capital of France?", "tools": tools}
    assert http.post("/v1/responses", json=quiet, headers=AUTH).status_code == 404  # checked even when unused
    assert client.containers.list().data == []  # no container made


@pytest.mark.parametrize(
    ("environment", "param"),
    [
        ({"type": "container_auto", "skills": [{"type": "skill_reference"}]}, "skills[0].skill_id"),
        ({"type": "container_auto", "skills": [{"type": "bundle"}]}, "skills[0].type"),
        ({"type": "container_auto", "skills": "csv"}, "skills"),
        (
            {"type": "container_auto", "skills": [{**_inline_chart(), "source": {"type": "base64", "data": "!!"}}]},
            "skills[0].source.data",
        ),
        ({"type": "local", "skills": [{"name": "x", "path": "skills/x"}]}, "skills[0].description"),
        ({"type": "local", "skills": [{"name": "x", "description": "y", "path": ""}]}, "skills[0].path"),
        ({"type": "local", "skills": ["x"]}, "skills[0]"),
    ],
)
def test_malformed_skills_are_400_naming_them(http: TestClient, environment: dict[str, Any], param: str) -> None:
    error = _error(http, [{"type": "shell", "environment": environment}], 400)
    assert error["param"] == f"tools[0].environment.{param}"
