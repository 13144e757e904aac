"""A real `openai-mock serve` on a free port and a real headless Chromium (Debian's, driven by Playwright).

Never skipped: without /usr/bin/chromium (or OPENAI_MOCK_CHROMIUM) the browser tests fail and say how to
install it (`.ci/run` does, as root). `playwright install` is never run: it downloads a browser build."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import served_process

CHROMIUM = Path(os.environ.get("OPENAI_MOCK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The mock's base URL (no /v1), served by `openai-mock serve` in a subprocess."""
    with served_process("--seed", "31") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install Debian's (`apt-get install -y chromium`, as root; "
            ".ci/run does it) or point OPENAI_MOCK_CHROMIUM at one. Never `playwright install`.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "The browser tests need Playwright: pip install -e '.[dev]' (it is in the dev extra).", pytrace=False
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab (own sessionStorage), light scheme, a laptop-sized window. Console errors (a CSP violation,
    a script error) fail the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, color_scheme="light")
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # A refused call (an HTTP error the page shows) is logged as "Failed to load resource"; a CSP violation
        # ("Refused to …") or a script error is a problem.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    context.close()
    assert problems == [], problems
