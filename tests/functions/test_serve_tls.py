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
from tests.support.certificates import ClientIdentity, client_identity, mutual_tls_server
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


# ------------------------------------------------------------------------------------------------ mutual TLS


@pytest.fixture(scope="module")
def mutual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, ClientIdentity]]:
    """`openai-mock serve --tls-client-ca CA` (mutual TLS, as mtls.api.openai.com): (base URL, the server's
    certificate, a client identity that CA signed)."""
    with mutual_tls_server(tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("pki")) as served:
        yield served


def _client(url: str, trust: ssl.SSLContext) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key="sk-mtls", http_client=httpx.Client(verify=trust), max_retries=0)


def test_mutual_tls_answers_a_client_whose_certificate_the_authority_signed(
    mutual: tuple[str, Path, ClientIdentity],
) -> None:
    url, server_cert, identity = mutual
    trust = ssl.create_default_context(cafile=str(server_cert))
    trust.load_cert_chain(str(identity.cert), str(identity.key))
    with _client(url, trust) as client:
        created = client.files.create(file=("notes.txt", b"over mutual TLS"), purpose="user_data")
        assert [listed.id for listed in client.files.list()] == [created.id]


def test_mutual_tls_refuses_a_client_without_a_certificate_or_with_a_stranger_s(
    mutual: tuple[str, Path, ClientIdentity], tmp_path: Path
) -> None:
    url, server_cert, _ = mutual
    anonymous = ssl.create_default_context(cafile=str(server_cert))
    stranger_identity = client_identity(tmp_path, "Another Corp client CA")
    stranger = ssl.create_default_context(cafile=str(server_cert))
    stranger.load_cert_chain(str(stranger_identity.cert), str(stranger_identity.key))
    for trust in (anonymous, stranger):
        with _client(url, trust) as client, pytest.raises(openai.APIConnectionError):
            client.models.list()


def test_a_client_authority_that_is_not_a_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--tls-client-ca", str(tmp_path / "missing.pem")])
    assert refused.value.code == 2
    assert "--tls-client-ca" in capsys.readouterr().err
