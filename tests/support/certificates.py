"""Client certificates for mutual TLS tests: an authority and a certificate it signs, as a company's PKI issues
them for OpenAI's mTLS endpoint (PEM files), and `openai-mock serve` requiring them."""

from __future__ import annotations

import datetime
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from openai_mock.local import tls
from tests.support.live_server import served_process


class ClientIdentity(NamedTuple):
    authority: Path  # the CA certificate the server trusts
    cert: Path  # the client's certificate, signed by it
    key: Path  # the client's private key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def client_identity(folder: Path, authority_name: str = "Example Corp client CA") -> ClientIdentity:
    """A new authority and a client certificate it signed, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    authority = (
        x509.CertificateBuilder()
        .subject_name(_name(authority_name))
        .issuer_name(_name(authority_name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = (
        x509.CertificateBuilder()
        .subject_name(_name("service-account-billing"))
        .issuer_name(authority.subject)
        .public_key(client_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    identity = ClientIdentity(folder / "client-ca.pem", folder / "client.pem", folder / "client-key.pem")
    identity.authority.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    identity.cert.write_bytes(client.public_bytes(serialization.Encoding.PEM))
    identity.key.write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return identity


@contextmanager
def mutual_tls_server(cache: Path, pki: Path) -> Iterator[tuple[str, Path, ClientIdentity]]:
    """`openai-mock serve --tls-client-ca` with its certificate kept under `cache` and a client identity made in
    `pki`: (its base URL without /v1, the server's certificate, the identity)."""
    server_cert = tls.self_signed(cache / "openai-mock" / "tls").cert  # what serve finds and keeps
    identity = client_identity(pki)
    probe = ssl.create_default_context(cafile=str(server_cert))
    probe.load_cert_chain(str(identity.cert), str(identity.key))
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    with served_process("--tls-client-ca", str(identity.authority), env=env, verify=probe) as (url, _):
        assert url.startswith("https://")
        yield url, server_cert, identity
