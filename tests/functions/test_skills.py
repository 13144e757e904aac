"""Skills through the official SDK: created from a zip or from a directory's files (SKILL.md front matter read for
name and description), versions added (`default` or not), the default version moved, listed with pagination,
retrieved, bundles downloaded (the uploaded zip byte for byte; loose files zipped), a version and the skill deleted;
invalid bundles refused with 400 naming `files` and storing nothing; a container mounting a skill by reference.
Every JSON answer checked against the 2026-08-21 contract."""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"


def _manifest(name: str = "csv-insights", description: str = "Summarise CSV files with pandas.") -> bytes:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# CSV insights\n\nRun scripts/summary.py.\n".encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def _corrupted_zip() -> bytes:
    """A zip whose directory is fine but whose deflated SKILL.md is not: the archive opens, the member fails."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SKILL.md", _manifest() + b"x" * 1000)
    data = bytearray(out.getvalue())
    start = data.find(b"SKILL.md") + len("SKILL.md") + 10
    data[start : start + 20] = bytes(byte ^ 0xFF for byte in data[start : start + 20])
    return bytes(data)


BUNDLE = _zip({"csv-insights/SKILL.md": _manifest(), "csv-insights/scripts/summary.py": b"print('summary')\n"})


def test_create_from_zip_version_default_list_download_delete(client: openai.OpenAI, http: TestClient) -> None:
    raw = _ok(http.post("/v1/skills", files={"files": ("csv-insights.zip", BUNDLE, "application/zip")}, headers=AUTH))
    assert_conforms("POST", "/v1/skills", 200, raw, spec=SPEC)
    assert raw["id"].startswith("skill_") and raw["object"] == "skill"
    assert (raw["name"], raw["description"]) == ("csv-insights", "Summarise CSV files with pandas.")
    assert (raw["default_version"], raw["latest_version"]) == ("1", "1")
    skill_id = raw["id"]

    second = client.skills.versions.create(
        skill_id,
        files=[
            ("SKILL.md", _manifest(description="Summarise and chart CSV files.")),
            ("scripts/chart.py", b"print('chart')\n"),
        ],
    )
    assert (second.version, second.skill_id, second.object) == ("2", skill_id, "skill.version")
    assert second.description == "Summarise and chart CSV files."
    skill = client.skills.retrieve(skill_id)
    assert (skill.default_version, skill.latest_version, skill.description) == ("1", "2", raw["description"])

    moved = _ok(http.post(f"/v1/skills/{skill_id}", json={"default_version": "2"}, headers=AUTH))
    assert_conforms("POST", f"/v1/skills/{skill_id}", 200, moved, spec=SPEC)
    assert (moved["default_version"], moved["description"]) == ("2", "Summarise and chart CSV files.")
    third = client.skills.versions.create(skill_id, files=[("SKILL.md", _manifest(description="Third."))], default=True)
    assert client.skills.retrieve(skill_id).default_version == third.version == "3"

    versions_path = f"/v1/skills/{skill_id}/versions"
    page = _ok(http.get(f"{versions_path}?limit=2", headers=AUTH))
    assert_conforms("GET", versions_path, 200, page, spec=SPEC)
    assert [v["version"] for v in page["data"]] == ["3", "2"] and page["has_more"]
    rest = client.skills.versions.list(skill_id, limit=2, after=page["last_id"])
    assert [v.version for v in rest.data] == ["1"] and not rest.has_more
    one = _ok(http.get(f"{versions_path}/1", headers=AUTH))
    assert_conforms("GET", f"{versions_path}/1", 200, one, spec=SPEC)
    assert one["description"] == "Summarise CSV files with pandas."

    # The uploaded zip comes back byte for byte; loose files come back zipped under the skill's folder.
    original = http.get(f"{versions_path}/1/content", headers=AUTH)
    assert original.status_code == 200 and original.headers["content-type"] == "application/zip"
    assert original.content == BUNDLE
    zipped = zipfile.ZipFile(io.BytesIO(client.skills.versions.content.retrieve("2", skill_id=skill_id).read()))
    assert sorted(zipped.namelist()) == ["csv-insights/SKILL.md", "csv-insights/scripts/chart.py"]
    assert zipped.read("csv-insights/scripts/chart.py") == b"print('chart')\n"
    default_bundle = zipfile.ZipFile(io.BytesIO(client.skills.content.retrieve(skill_id).read()))
    assert b"Third." in default_bundle.read("csv-insights/SKILL.md")

    refused = _error(http.delete(f"{versions_path}/3", headers=AUTH))
    assert refused["param"] == "version"  # the default version stays until another is the default
    removed = _ok(http.delete(f"{versions_path}/1", headers=AUTH))
    assert_conforms("DELETE", f"{versions_path}/1", 200, removed, spec=SPEC)
    assert (removed["object"], removed["version"], removed["deleted"], removed["id"]) == (
        "skill.version.deleted",
        "1",
        True,
        one["id"],
    )
    assert _error(http.get(f"{versions_path}/1/content", headers=AUTH), 404)["param"] == "version"
    assert [v.version for v in client.skills.versions.list(skill_id, order="asc").data] == ["2", "3"]

    deleted = _ok(http.delete(f"/v1/skills/{skill_id}", headers=AUTH))
    assert_conforms("DELETE", f"/v1/skills/{skill_id}", 200, deleted, spec=SPEC)
    assert deleted == {"id": skill_id, "object": "skill.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        client.skills.retrieve(skill_id)


def test_list_skills_paginates(client: openai.OpenAI, http: TestClient) -> None:
    for n in range(3):
        client.skills.create(files=[("SKILL.md", _manifest(name=f"skill-{n}", description=f"Skill {n}."))])
    listed = _ok(http.get("/v1/skills?limit=2", headers=AUTH))
    assert_conforms("GET", "/v1/skills", 200, listed, spec=SPEC)
    assert [s["name"] for s in listed["data"]] == ["skill-2", "skill-1"] and listed["has_more"]
    rest = client.skills.list(limit=2, after=listed["last_id"])
    assert [s.name for s in rest.data] == ["skill-0"] and not rest.has_more
    assert [s.name for s in client.skills.list(order="asc").data] == ["skill-0", "skill-1", "skill-2"]
    retrieved = _ok(http.get(f"/v1/skills/{rest.data[0].id}", headers=AUTH))
    assert_conforms("GET", f"/v1/skills/{rest.data[0].id}", 200, retrieved, spec=SPEC)


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ([], "Missing required parameter: 'files'"),
        ([("README.md", b"# no manifest")], "must contain a SKILL.md"),
        ([("SKILL.md", b"# Title only, no front matter\n")], "must begin with YAML front matter"),
        ([("SKILL.md", b"---\nname: ok\ndescription: [unclosed\n---\n")], "not valid YAML"),
        ([("SKILL.md", b"---\nname: no-end\n")], "not closed"),
        ([("SKILL.md", b"---\ndescription: Nameless.\n---\n")], "missing 'name'"),
        ([("SKILL.md", b"---\nname: Bad Name!\ndescription: x\n---\n")], "Invalid skill name"),
        ([("SKILL.md", b"---\nname: quiet\n---\n")], "missing 'description'"),
        ([("bundle.zip", b"PK\x03\x04 but not really a zip")], "could not be read"),
        ([("bundle.zip", _corrupted_zip())], "could not be read"),
        ([("bundle.zip", _zip({"../SKILL.md": _manifest()}))], "Paths must be relative"),
        ([("SKILL.md", _manifest()), ("a/SKILL.md", _manifest())], None),  # root manifest wins: valid
    ],
)
def test_invalid_bundles_are_400_on_files_and_store_nothing(
    client: openai.OpenAI, http: TestClient, files: list[tuple[str, bytes]], fragment: str | None
) -> None:
    multipart: list[tuple[str, Any]] = [("files[]", (name, data)) for name, data in files] or [("other", (None, "x"))]
    answer = http.post("/v1/skills", files=multipart, headers=AUTH)
    if fragment is None:
        assert answer.status_code == 200
        return
    error = _error(answer)
    assert error["param"] == "files" and fragment in error["message"]
    assert client.skills.list().data == []


def test_bad_version_requests(client: openai.OpenAI, http: TestClient) -> None:
    skill = client.skills.create(files=("csv-insights.zip", BUNDLE))
    path = f"/v1/skills/{skill.id}/versions"
    bad = _error(http.post(path, files={"files": ("SKILL.md", b"no front matter")}, headers=AUTH))
    assert bad["param"] == "files"
    flag = _error(http.post(path, files={"files": ("SKILL.md", _manifest())}, data={"default": "maybe"}, headers=AUTH))
    assert flag["param"] == "default"
    assert client.skills.retrieve(skill.id).latest_version == "1"  # nothing half-stored
    assert [v.version for v in client.skills.versions.list(skill.id).data] == ["1"]
    unknown = _error(http.post(f"/v1/skills/{skill.id}", json={"default_version": "9"}, headers=AUTH))
    assert unknown["param"] == "default_version"
    assert _error(http.post(f"/v1/skills/{skill.id}", json={}, headers=AUTH))["param"] == "default_version"
    assert _error(http.get(f"{path}/7", headers=AUTH), 404)["param"] == "version"
    assert _error(http.get("/v1/skills/skill_missing", headers=AUTH), 404)["param"] == "skill_id"


def test_containers_mount_skills_by_reference_or_inline(client: openai.OpenAI, http: TestClient) -> None:
    skill = client.skills.create(files=("csv-insights.zip", BUNDLE))
    inline: dict[str, Any] = {
        "type": "inline",
        "name": "csv-insights",
        "description": "inline copy",
        "source": {"type": "base64", "media_type": "application/zip", "data": base64.b64encode(BUNDLE).decode()},
    }
    container = _ok(
        http.post(
            "/v1/containers",
            json={
                "name": "with skills",
                "skills": [
                    {"type": "skill_reference", "skill_id": skill.id, "version": "latest"},
                    {"type": "skill_reference", "skill_id": "openai-spreadsheets"},
                    inline,
                ],
            },
            headers=AUTH,
        )
    )
    assert container["status"] == "running"
    wrong_version = {"name": "x", "skills": [{"type": "skill_reference", "skill_id": skill.id, "version": "4"}]}
    assert _error(http.post("/v1/containers", json=wrong_version, headers=AUTH))["param"] == "skills[0].version"
    broken = {**inline, "source": {**inline["source"], "data": base64.b64encode(b"not a zip").decode()}}
    error = _error(http.post("/v1/containers", json={"name": "x", "skills": [broken]}, headers=AUTH))
    assert error["param"] == "skills[0].source.data"
    assert [c.name for c in client.containers.list().data] == ["with skills"]


def test_skill_bundles_on_dynamodb_and_s3(moto_persistence: None, client: openai.OpenAI) -> None:
    """Bundles in S3, skills and versions in DynamoDB (moto): downloads byte for byte after a cold start."""
    from openai_mock.store import reset_stores

    big = _zip({"big/SKILL.md": _manifest(name="big"), "big/data.bin": bytes(range(256)) * 2000})
    skill = client.skills.create(files=("big.zip", big))
    client.skills.versions.create(skill.id, files=[("SKILL.md", _manifest(name="big", description="v2"))], default=True)
    reset_stores()
    assert client.skills.versions.content.retrieve("1", skill_id=skill.id).read() == big
    assert client.skills.retrieve(skill.id).description == "v2"
    client.skills.delete(skill.id)
    with pytest.raises(openai.NotFoundError):
        client.skills.versions.retrieve("1", skill_id=skill.id)


def test_skills_are_per_api_key(client: openai.OpenAI, client_for: Any) -> None:
    skill = client.skills.create(files=("csv-insights.zip", BUNDLE))
    stranger = client_for("sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.skills.content.retrieve(skill.id)
    assert stranger.skills.list().data == []
    refused = stranger.containers.create
    with pytest.raises(openai.BadRequestError):
        refused(name="x", skills=[{"type": "skill_reference", "skill_id": skill.id}])
