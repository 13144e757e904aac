"""The console in a real browser against a real `openai-mock serve`: enter a key, watch three SDK requests
arrive live, open one (its stream events with their timing), save it as a fixture that then answers the
next identical request, advance the tenant's clock until a fine-tuning job has succeeded, read the usage
chart. Each screen is saved as a screenshot under the test's tmp_path."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import openai
from playwright.sync_api import expect

ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
TRAINING_LINE = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}


def _connect(page: Any, served: str, key: str) -> None:
    page.goto(f"{served}/__mock/console")
    expect(page.get_by_label("API key")).to_be_focused()
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("tab", name="Live requests")).to_have_attribute("aria-selected", "true")


def _row(page: Any, path: str, model: str = "") -> Any:
    rows = page.locator("#requests tbody tr").filter(has_text=path)
    return rows.filter(has_text=model) if model else rows


def test_the_page_and_its_files_are_served_with_strict_headers(served: str) -> None:
    page = httpx.get(f"{served}/__mock/console")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset, kind in (("console.js", "text/javascript"), ("console.css", "text/css")):
        answer = httpx.get(f"{served}/__mock/console/{asset}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
        assert answer.headers["cache-control"] == "no-cache"
    assert httpx.get(f"{served}/__mock/requests").status_code == 401  # the data is not public


def test_watch_open_save_replay_and_advance(page: Any, served: str, tmp_path: Path) -> None:
    key = f"sk-console-{uuid.uuid4().hex[:12]}"
    client = openai.OpenAI(base_url=f"{served}/v1", api_key=key, max_retries=0)
    _connect(page, served, key)
    expect(page.locator("#requests-empty")).to_be_visible()

    # Three SDK requests appear live (the page polls the journal), newest first.
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=ASK)  # type: ignore[arg-type]
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "Tell me a short story."}],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={"x-mock-ttft-ms": "200", "x-mock-tokens-per-second": "100"},  # paced: timing shows
        )
    )
    client.embeddings.create(model="text-embedding-3-small", input="console")
    rows = page.locator("#requests tbody tr")
    expect(rows).to_have_count(3, timeout=10_000)
    expect(rows.nth(0)).to_contain_text("/v1/embeddings")
    expect(_row(page, "/v1/chat/completions", "gpt-4o-mini")).to_contain_text("200")
    page.screenshot(path=tmp_path / "console-requests.png", full_page=True)

    # The streamed request: its events one by one, each with the time it left.
    _row(page, "/v1/chat/completions", "gpt-4o").filter(has_not_text="gpt-4o-mini").click()
    detail = page.locator("#detail")
    expect(detail.get_by_role("heading", name="POST /v1/chat/completions")).to_be_focused()
    events = page.locator("#detail-events tbody tr")
    expect(events).to_have_count(len(chunks) + 1)  # + data: [DONE]
    expect(events.nth(1)).to_contain_text(json.dumps(chunks[1].choices[0].delta.content)[1:-1])
    expect(events.last).to_contain_text("[DONE]")
    first, last = (int(events.nth(n).locator("td").nth(1).inner_text().removesuffix(" ms")) for n in (0, -1))
    assert first >= 200 and last - first >= 400  # TTFT, then ~50 events at 100 per second
    page.locator("#detail-events").scroll_into_view_if_needed()
    expect(page.locator("#detail-summary")).to_contain_text(f"{chunks[-1].usage.total_tokens} tokens")  # type: ignore[union-attr]
    page.screenshot(path=tmp_path / "console-stream.png")

    # The plain one, by keyboard: headers, bodies, copy as curl / Python, save as fixture.
    plain = _row(page, "/v1/chat/completions", "gpt-4o-mini")
    plain.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-request-body")).to_contain_text('"content": "What is the weather in Paris?"')
    expect(page.locator("#detail-response-body")).to_contain_text(answer.id)
    page.get_by_text("Request headers", exact=True).click()
    expect(page.locator("#detail-request-headers")).to_contain_text('"user-agent": "OpenAI/Python')
    expect(page.locator("#detail-request-headers")).not_to_contain_text("authorization")
    page.get_by_role("button", name="Copy as curl").click()
    expect(page.locator("#copied")).to_have_value(re.compile(r"curl -s -X POST '.*/v1/chat/completions'"))
    page.get_by_role("button", name="Copy as Python").click()
    expect(page.locator("#copied")).to_have_value(re.compile(r"client\.chat\.completions\.create\(\*\*\{"))
    page.get_by_role("button", name="Save as fixture").click()
    expect(page.locator("#detail-status")).to_contain_text("Saved as fixture fixture_")
    page.screenshot(path=tmp_path / "console-detail.png")

    fixtures = httpx.get(f"{served}/__mock/fixtures", headers={"Authorization": f"Bearer {key}"}).json()["data"]
    assert len(fixtures) == 1
    saved = fixtures[0]
    assert saved["match"] == {
        "endpoint": "chat.completions",
        "model": "gpt-4o-mini",
        "contains": "What is the weather in Paris?",
        "scope": "last_user",
    }
    assert saved["response"] == {"content": answer.choices[0].message.content}

    # The next identical request is answered by the fixture, and the console says so.
    again = client.chat.completions.create(model="gpt-4o-mini", messages=ASK)  # type: ignore[arg-type]
    assert again.choices[0].message.content == saved["response"]["content"]
    expect(rows).to_have_count(4, timeout=10_000)
    expect(rows.nth(0)).to_contain_text(saved["id"])

    page.get_by_role("tab", name="Fixtures").click()
    fixture_row = page.locator("#fixtures tbody tr").filter(has_text=saved["id"])
    expect(fixture_row.locator("td.matched")).to_have_text("1")
    # A bad fixture: the server's validation message is shown.
    page.get_by_role("textbox", name=re.compile("^Fixture \\(JSON")).fill('{"match": {"endpoint": "nope"}}')
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#fixture-status")).to_contain_text("400")
    page.screenshot(path=tmp_path / "console-fixtures.png", full_page=True)
    # Export to a file, import it back: the same fixture twice.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export file").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported == {
        "fixtures": [{k: v for k, v in saved.items() if k not in ("id", "object", "created_at", "matched")}]
    }
    page.locator("#fixtures-import").set_input_files(download.value.path())
    expect(page.locator("#fixture-status")).to_have_text("Imported 1 of 1 fixtures.")
    expect(page.locator("#fixtures tbody tr")).to_have_count(2)

    _fine_tuning_job_succeeds_when_the_clock_moves(page, client, served, key, tmp_path)

    page.get_by_role("tab", name="Usage").click()
    expect(page.locator("#usage-chart svg rect").first).to_be_visible()
    expect(page.locator("#usage-table tbody")).to_contain_text("gpt-4o-mini")
    page.screenshot(path=tmp_path / "console-usage.png", full_page=True)

    # Dark, by the system's preference; the tabs follow the arrow keys.
    page.emulate_media(color_scheme="dark")
    page.get_by_role("tab", name="Usage").focus()
    page.keyboard.press("Home")
    expect(page.get_by_role("tab", name="Live requests")).to_be_focused()
    expect(page.get_by_role("tab", name="Live requests")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tabpanel", name="Fixtures")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    _row(page, "/v1/chat/completions", "gpt-4o").filter(has_not_text="gpt-4o-mini").click()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 25)", background
    page.screenshot(path=tmp_path / "console-dark.png")


def test_every_control_has_a_label(page: Any, served: str) -> None:
    _connect(page, served, f"sk-console-{uuid.uuid4().hex[:12]}")
    unlabelled = page.evaluate(
        """[...document.querySelectorAll("input, select, textarea, button")]
            .filter((node) => !(node.labels && node.labels.length) && !node.getAttribute("aria-label")
                              && !node.textContent.trim())
            .map((node) => node.outerHTML)"""
    )
    assert unlabelled == []
    page.set_viewport_size({"width": 420, "height": 860})  # a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 420


def _fine_tuning_job_succeeds_when_the_clock_moves(
    page: Any, client: openai.OpenAI, served: str, key: str, tmp_path: Path
) -> None:
    training = "\n".join(json.dumps(TRAINING_LINE) for _ in range(10)).encode()
    uploaded = client.files.create(file=("train.jsonl", training), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=uploaded.id)
    page.get_by_role("tab", name="Objects").click()
    page.get_by_label("Kind", exact=True).select_option("fine_tuning/jobs")
    row = page.locator("#objects tbody tr").filter(has_text=job.id)
    expect(row.locator("td.object-status")).to_have_text(job.status)
    row.click()
    expect(page.locator("#object-json")).to_contain_text(f'"id": "{job.id}"')

    page.get_by_role("tab", name="Time and faults").click()
    has_clock = httpx.get(f"{served}/__mock/clock", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    if not has_clock:  # the deployment has no tenant clock: the panel says so instead of offering the buttons
        expect(page.locator("#clock-buttons")).to_be_hidden()
        expect(page.locator("#clock-offset")).to_contain_text("no /__mock/clock")
        return
    page.get_by_role("button", name="Advance 1 h").click()
    expect(page.locator("#clock-status")).to_have_text("Advanced 1 hour.")
    expect(page.locator("#clock-offset")).to_contain_text("3600 s ahead")
    page.get_by_label("Fault", exact=True).select_option("overloaded")
    page.get_by_label("For the next N requests").fill("2")
    page.get_by_role("button", name="Arm").click()
    expect(page.locator("#faults-armed li")).to_contain_text("overloaded on every model endpoint: 2 of 2 left")
    page.screenshot(path=tmp_path / "console-time.png", full_page=True)
    page.get_by_role("button", name="Disarm").click()
    expect(page.locator("#faults-armed li")).to_have_count(0)

    page.get_by_role("tab", name="Objects").click()
    page.get_by_role("button", name="Refresh").click()
    expect(row.locator("td.object-status")).to_have_text("succeeded")
    page.get_by_label("Search").fill("succeeded")
    expect(page.locator("#objects tbody tr")).to_have_count(1)
    page.screenshot(path=tmp_path / "console-objects.png", full_page=True)


def test_usage_from_the_organization_usage_api_with_an_admin_key(page: Any, served: str) -> None:
    admin = {"Authorization": f"Bearer sk-admin-console-{uuid.uuid4().hex[:12]}"}
    project = httpx.post(f"{served}/v1/organization/projects", headers=admin, json={"name": "console"}).json()
    account = httpx.post(
        f"{served}/v1/organization/projects/{project['id']}/service_accounts", headers=admin, json={"name": "app"}
    ).json()
    key = account["api_key"]["value"]
    answer = openai.OpenAI(base_url=f"{served}/v1", api_key=key, max_retries=0).chat.completions.create(
        model="gpt-4o-mini",
        messages=ASK,  # type: ignore[arg-type]
    )
    _connect(page, served, key)
    page.get_by_role("tab", name="Usage").click()
    page.get_by_label(re.compile("^Admin key")).fill(admin["Authorization"].removeprefix("Bearer "))
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#usage-source")).to_contain_text("/v1/organization/usage/completions")
    row = page.locator("#usage-table tbody tr").filter(has_text="gpt-4o-mini")
    expect(row.locator("td").nth(3)).to_have_text(str(answer.usage.total_tokens))  # type: ignore[union-attr]
    expect(page.locator("#usage-chart svg rect")).to_have_count(1)
