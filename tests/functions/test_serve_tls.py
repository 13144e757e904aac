"""`openai-mock serve --tls` (shared/openai_mock/local/tls.py): https:// and wss:// on the local server with a
self-signed certificate for the loopback names, made once and kept; the Node SDK's Realtime client (which only
opens wss://) and the Python SDK, over TLS, trusting that certificate."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from cryptography import x509

from openai_mock.local import tls
from openai_mock.local.cli import main
from tests.support.live_server import served_process
from tests.support.node_judge import run_judge


def test_a_certificate_is_made_once_for_the_loopback_names(tmp_path: Path) -> None:
    pair = tls.self_signed(tmp_path)
    cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600  # the key is the user's alone
    assert tls.self_signed(tmp_path).cert.read_bytes() == pair.cert.read_bytes()  # kept: trusted once
    near_its_end = cert.not_valid_after_utc - datetime.timedelta(days=10)
    renewed = x509.load_pem_x509_certificate(tls.self_signed(tmp_path, now=near_its_end).cert.read_bytes())
    assert renewed.serial_number != cert.serial_number


def test_a_certificate_of_ones_own_needs_its_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--tls-cert", str(tmp_path / "cert.pem")])
    assert refused.value.code == 2
    assert "--tls-cert and --tls-key go together" in capsys.readouterr().err


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`openai-mock serve --tls` with its certificate kept in a cache folder of the test's: (base URL, certificate)."""
    cache = tmp_path_factory.mktemp("cache")
    cert = tls.self_signed(cache / "openai-mock" / "tls").cert  # what serve finds and keeps
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    with served_process("--tls", env=env, verify=str(cert)) as (url, banner):
        assert url.startswith("https://") and str(cert) in banner
        yield url, cert


def test_the_python_sdk_over_https_and_wss(secured: tuple[str, Path]) -> None:
    url, cert = secured
    trust = ssl.create_default_context(cafile=str(cert))
    # Closed when done: an open TLS connection would hold the server's shutdown until its close handshake times out.
    with openai.OpenAI(
        base_url=f"{url}/v1", api_key="sk-tls", http_client=httpx.Client(verify=trust), max_retries=0
    ) as client:
        chat = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
        assert chat.choices[0].message.content
        with pytest.raises(httpx.ConnectError):  # an untrusting client is refused: it really is TLS
            httpx.get(f"{url}/__mock/console", timeout=5)
        options: Any = {"ssl": trust}
        with client.realtime.connect(model="gpt-realtime", websocket_connection_options=options) as connection:
            assert connection.recv().type == "session.created"


def test_the_node_realtime_client_connects_over_wss(secured: tuple[str, Path]) -> None:
    """The Node SDK opens Realtime sockets as wss:// only: over --tls it needs no workaround, only to trust the
    certificate (NODE_EXTRA_CA_CERTS)."""
    url, cert = secured
    summary = run_judge(f"{url}/v1", "realtime", {"NODE_EXTRA_CA_CERTS": str(cert)})
    assert summary["status"] == "completed" and summary["text"]
    assert summary["output_modalities"] == ["text"]
