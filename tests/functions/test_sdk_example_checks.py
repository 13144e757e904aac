"""openai-python's own end-to-end checks of its example programs, run against the mock.

The SDK's sdist ships `examples/test_examples.py`: unittest cases that run the example programs against the real
API (`--live <group>`, "uses API credits") and assert on what they print: a linear equation solved, a stream that
counts to five, a tool's arguments, a spoken question answered over Live, the multi-agent coordinator… Here each
case runs as its own process (`test_examples.py -v ExampleTests.<case> --live <groups>`, from the unpacked sdist of
the venv's version: tests/sdk_examples/fetch.py) with `OPENAI_BASE_URL` on a mock, as its own tenant, with a dead
proxy for anything but loopback. A case passes only if unittest ran it and said OK: a skip fails here.

The mTLS group runs against `openai-mock serve --tls-client-ca` with a client certificate made for the test. Left
out, with the reason: `azure`, `azure_realtime`, `bedrock` (other clouds' endpoints), `x509` (the SDK pins its token
exchange to mtls.auth.openai.com), `browser`, `decisions` (the programs launch Playwright's own browser build, which
`playwright install` downloads from outside the package registries), `desktop` (a provisioned virtual machine).

Never skipped: without the unpacked sdist the tests fail and say to run `make sdk-examples`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.sdk_examples import fetch
from tests.support.certificates import mutual_tls_server
from tests.support.live_server import live_server_fixture

CHECK_SECONDS = 300

base_url = live_server_fixture()


@dataclass(frozen=True)
class Check:
    case: str  # a test method of the SDK's ExampleTests
    groups: tuple[str, ...]  # the `--live` groups it needs
    why: str


CHECKS = [
    Check("test_offline_transcript", (), "the transcript grouper replayed; the X.509 examples in API-key mode"),
    Check("test_images", ("images",), "images.generate and a stream of partial images saved as 1024×1024 PNGs"),
    Check("test_upload_verification", ("uploads",), "a chunked upload from disk and from memory, verified, deleted"),
    Check("test_realtime_text", ("realtime",), "a Realtime text session replies exactly what it is asked to"),
    Check("test_websocket_programs", ("websocket",), "two Responses WebSocket turns: hello, then goodbye"),
    Check("test_websocket_tools", ("websocket",), "three WebSocket turns, each calling a different local tool"),
    Check("test_multi_agent", ("multi_agent",), "a coordinator and sub-agents, streamed and over the WebSocket"),
    Check("test_text_programs", ("core",), "chat, async chat, httpx2, a how-to answer with code, counted tokens"),
    Check("test_math_programs", ("core",), "8x + 31 = 2 solved: parsed, streamed, Responses, background runs"),
    Check("test_tool_programs", ("core",), "a strict Query tool's conditions read from the request"),
    Check("test_chat_streaming", ("core",), "two chat streams (sync and async) counting from 1 to 5"),
    Check("test_weather_arguments", ("core",), "a parsed tool stream: one get_weather call per city asked about"),
    Check("test_speech_roundtrip", ("audio",), "Realtime reads a sentence aloud; its WAV transcribes back"),
    Check("test_live_transcripts", ("live", "audio"), "a spoken question streamed to Live, heard and answered"),
]
MUTUAL_TLS = Check("test_mtls", ("mtls",), "files.list over mutual TLS with httpx and httpx2, sync and async")


def _environment(url: str, case: str, extra: dict[str, str]) -> dict[str, str]:
    # Only this run's settings: no OPENAI_* or proxy of the developer's shell leaks in.
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("OPENAI_") and name.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    return inherited | {
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": "sk-checks-" + case.removeprefix("test_").replace("_", "-"),
        "HTTPS_PROXY": "http://127.0.0.1:9",  # nothing leaves the machine
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        **extra,
    }


def _run(check: Check, url: str, extra: dict[str, str] | None = None) -> None:
    if not fetch.is_unpacked("openai"):
        pytest.fail(f"openai-python's examples are not in {fetch.sdist_root('openai')}: run `make sdk-examples`.")
    examples = fetch.sdist_root("openai") / "examples"
    live = ["--live", *check.groups] if check.groups else []
    process = subprocess.run(
        [sys.executable, "test_examples.py", "-v", f"ExampleTests.{check.case}", *live],
        cwd=examples,
        env=_environment(url, check.case, extra or {}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHECK_SECONDS,
        check=False,
    )
    report = process.stderr[-6000:]
    assert process.returncode == 0, f"{check.case} ({check.why}) failed:\n{report}"
    assert re.search(r"^Ran 1 test\b", report, re.MULTILINE) and re.search(r"^OK$", report, re.MULTILINE), report


@pytest.mark.parametrize("check", CHECKS, ids=[check.case for check in CHECKS])
def test_the_sdk_s_own_check_passes(check: Check, base_url: str) -> None:
    _run(check, base_url)


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`openai-mock serve --tls-client-ca` and the environment the SDK's mTLS examples read."""
    with mutual_tls_server(tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("pki")) as served:
        url, server_cert, identity = served
        yield (
            f"{url}/v1",
            {
                "OPENAI_MTLS_CA_BUNDLE": str(server_cert),
                "OPENAI_MTLS_CERTIFICATE_CHAIN": str(identity.cert),
                "OPENAI_MTLS_PRIVATE_KEY": str(identity.key),
            },
        )


def test_the_sdk_s_own_mutual_tls_check_passes(mutual_tls: tuple[str, dict[str, str]]) -> None:
    url, settings = mutual_tls
    _run(MUTUAL_TLS, url, settings)


def test_a_skipped_check_fails_here(base_url: str) -> None:
    """The judge can fail: a case unittest skipped (its group not asked for) is not a pass."""
    with pytest.raises(AssertionError, match="skipped"):
        _run(Check("test_azure", (), "Azure's endpoint, its group left out"), base_url)
